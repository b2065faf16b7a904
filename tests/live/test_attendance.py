"""Attendance arithmetic: connected and active time count between the session's start and end
only, across several sockets; active time (tab in view) never exceeds connected time; the
directors' export; the hours that count for certification."""

from __future__ import annotations

import csv
import io

import pytest

from live import services
from live.models import Attendance
from live.selectors import attendance_csv, attendance_rows, live_hours
from tests.live.factories import schedule

pytestmark = pytest.mark.django_db


def test_time_counts_from_start_to_end_with_tabs_and_two_sockets(net, later):
    session = schedule(net)
    trainee = net["county_trainee"]
    join = dict(session=session, user=trainee)

    services.attendance_join(**join, now=later(minutes=-10))  # waiting room: not counted
    services.session_start(session=session, by=net["host"], now=later(minutes=0))
    services.attendance_visibility(**join, visible=False, now=later(minutes=5))
    services.attendance_visibility(**join, visible=True, now=later(minutes=8))  # 3 min away
    services.attendance_join(**join, now=later(minutes=10))  # a second tab, visible
    services.attendance_leave(**join, visible=True, now=later(minutes=12))  # still one open
    services.attendance_leave(**join, visible=True, now=later(minutes=20))  # gone 20-25
    services.attendance_join(**join, now=later(minutes=25))
    services.session_end(session=session, by=net["host"], now=later(minutes=40))
    services.attendance_leave(**join, visible=True, now=later(minutes=41))  # socket closes

    row = Attendance.objects.get(session=session, user=trainee)
    assert row.connected_seconds == (20 + 15) * 60
    assert row.active_seconds == (20 - 3 + 15) * 60
    assert row.connections == row.visible_connections == 0
    assert row.first_joined == later(minutes=-10) and row.last_left == later(minutes=41)


def test_active_time_never_exceeds_connected_time(net, later):
    session = schedule(net)
    services.session_start(session=session, by=net["host"], now=later(minutes=0))
    join = dict(session=session, user=net["county_trainee"])
    services.attendance_join(**join, now=later(minutes=1))
    # A client that reports "visible" twice (or for a socket that never said hidden).
    services.attendance_visibility(**join, visible=True, now=later(minutes=2))
    services.attendance_visibility(**join, visible=True, now=later(minutes=3))
    services.attendance_leave(**join, visible=True, now=later(minutes=11))

    row = Attendance.objects.get(session=session, user=net["county_trainee"])
    assert row.connected_seconds == 600 and row.active_seconds == 600


def test_the_driving_host_leaving_and_coming_back_is_told_to_the_room(net, later):
    session = schedule(net)
    services.session_start(session=session, by=net["host"], now=later(minutes=0))
    host = dict(session=session, user=net["host"])

    _, back = services.attendance_join(**host, now=later(minutes=1))
    assert back is None  # online already since the start
    _, gone = services.attendance_leave(**host, visible=True, now=later(minutes=2))
    assert gone.kind == "host_offline" and gone.state["host_online"] is False
    _, returned = services.attendance_join(**host, now=later(minutes=3))
    assert returned.kind == "host_online" and returned.state["host_online"] is True
    _, trainee_event = services.attendance_join(
        session=session, user=net["county_trainee"], now=later(minutes=4)
    )
    assert trainee_event is None


def test_the_export_and_who_reads_it(net, later):
    session = schedule(net)
    services.session_start(session=session, by=net["host"], now=later(minutes=0))
    for who in ("county_trainee", "second_county_trainee"):
        services.attendance_join(session=session, user=net[who], now=later(minutes=0))
        services.attendance_leave(
            session=session, user=net[who], visible=True, now=later(minutes=30)
        )

    def names(by):
        return {row.user.username for row in attendance_rows(session, by)}

    everyone = {net["county_trainee"].username, net["second_county_trainee"].username}
    assert names(net["host"]) == names(net["centre_director"]) == everyone
    assert names(net["site_admin"]) == everyone
    assert names(net["county_director"]) == {net["county_trainee"].username}  # own members
    assert names(net["county_trainee"]) == names(net["outsider_instructor"]) == set()

    rows = list(csv.reader(io.StringIO(attendance_csv(session, net["host"]))))
    assert rows[0][-3:] == ["Minutes connected", "Minutes active", "Polls answered"]
    assert sorted(row[1] for row in rows[1:]) == sorted(everyone)
    assert all(row[5] == "30.0" and row[6] == "30.0" for row in rows[1:])


def test_hours_of_ended_sessions_count_for_certification(net, later):
    trainee = net["county_trainee"]
    ended = schedule(net)
    services.session_start(session=ended, by=net["host"], now=later(minutes=0))
    services.attendance_join(session=ended, user=trainee, now=later(minutes=0))
    services.session_end(session=ended, by=net["host"], now=later(minutes=90))
    running = schedule(net)
    services.session_start(session=running, by=net["host"], now=later(minutes=0))
    services.attendance_join(session=running, user=trainee, now=later(minutes=0))
    services.attendance_leave(session=running, user=trainee, visible=True, now=later(minutes=60))

    hours = live_hours([trainee.pk], None)
    assert hours == {trainee.pk: [(later(minutes=90), 1.5)]}  # the running one not yet
    assert live_hours([trainee.pk], later(minutes=91)) == {}
    assert live_hours([trainee.pk], later(minutes=90)) == hours
