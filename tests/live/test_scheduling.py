"""Scheduling: who hosts, what goes on an agenda (only what the audience may be shown), dates,
links and audiences checked; the room's state is pure arithmetic (``frame_at``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases.models import CaseStatus
from live import services
from live.models import Audience, LiveSession
from live.services.state import blank_state, frame_at, show_loop
from tests.cases.factories import CaseFactory, ReadyLoopFactory
from tests.consults.factories import network as consult_network
from tests.consults.factories import submit
from tests.live.factories import schedule

pytestmark = pytest.mark.django_db


def test_only_instructors_host_and_co_host(net, now):
    times = {"starts_at": now, "planned_end": now + timedelta(hours=1)}
    with pytest.raises(PermissionDenied):
        services.session_create(by=net["county_trainee"], title_en="Mine", **times)
    with pytest.raises(ValidationError) as trainee_cohost:
        services.session_create(
            by=net["host"], title_en="Mine", co_hosts=[net["county_trainee"]], **times
        )
    assert "co_hosts" in trainee_cohost.value.message_dict
    assert not LiveSession.objects.exists()


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"title_en": ""}, "title"),
        ({"conference_url": "javascript:alert(1)"}, "conference_url"),
        ({"conference_url": "ftp://files.example.org/"}, "conference_url"),
        ({"planned_end_minutes": -5}, "planned_end"),
        ({"audience": "everyone"}, "audience"),
        ({"audience": Audience.CONSULT}, "audience"),
    ],
)
def test_bad_session_fields_are_refused(net, now, fields, error):
    kwargs = {
        "by": net["host"],
        "title_en": "Patterns",
        "starts_at": now,
        "planned_end": now + timedelta(minutes=fields.pop("planned_end_minutes", 60)),
        **fields,
    }
    with pytest.raises(ValidationError) as refused:
        services.session_create(**kwargs)
    assert error in refused.value.message_dict
    assert not LiveSession.objects.exists()


def test_the_audience_must_name_its_institutions_or_cohorts(net, now):
    for audience in (Audience.INSTITUTIONS, Audience.COHORTS):
        with pytest.raises(ValidationError):
            services.session_create(
                by=net["host"],
                title_en="Patterns",
                starts_at=now,
                planned_end=now + timedelta(hours=1),
                audience=audience,
            )


def test_the_agenda_holds_only_what_the_audience_may_be_shown(net):
    session = schedule(net, agenda=[])
    host = net["host"]
    draft = CaseFactory(institution=net.centre, status=CaseStatus.DRAFT)
    exam = CaseFactory(institution=net.centre, assessment_only=True)
    foreign = CaseFactory(institution=net.outsider)  # private to another hospital
    not_ready = ReadyLoopFactory(institution=net.centre, status="processing")
    their_loop = ReadyLoopFactory(institution=net.outsider)
    consults = consult_network()
    patient_loop = consults.loops[0]
    submit(consults)
    for item in (
        {"case": draft.pk},
        {"case": exam.pk},
        {"case": foreign.pk},
        {"loop": not_ready.pk},
        {"loop": their_loop.pk},
        {"loop": patient_loop.pk},
        {"case": "1"},
        {"case": net.case.pk, "loop": net.single.pk},
        "loop",
    ):
        with pytest.raises(ValidationError):
            services.agenda_set(session=session, by=host, items=[item])
    with pytest.raises(PermissionDenied):
        services.agenda_set(
            session=session, by=net["county_instructor"], items=[{"case": net.case.pk}]
        )
    items = services.agenda_set(
        session=session, by=net["cohost"], items=[{"loop": net.single.pk}, {"case": net.case.pk}]
    )
    assert [(i.loop_id, i.case_id) for i in items] == [(net.single.pk, None), (None, net.case.pk)]


def test_a_running_session_keeps_its_start_and_audience_a_finished_one_everything(net, now):
    session = schedule(net)
    services.session_update(session=session, by=net["host"], title_zh_hans="新标题")
    services.session_start(session=session, by=net["host"], now=now)
    with pytest.raises(ValidationError):
        services.session_update(session=session, by=net["host"], audience=Audience.COHORTS)
    services.session_update(session=session, by=net["host"], planned_end=now + timedelta(hours=2))
    with pytest.raises(ValidationError):
        services.session_cancel(session=session, by=net["host"])
    services.session_end(session=session, by=net["host"], now=now + timedelta(hours=1))
    with pytest.raises(ValidationError):
        services.session_update(session=session, by=net["host"], title_en="Later")
    with pytest.raises(PermissionDenied):
        services.session_cancel(session=schedule(net), by=net["county_instructor"])


def test_upcoming_sessions_of_a_user_soonest_first(net, now):
    from live.selectors import upcoming_for

    later_one = schedule(net, starts_at=now + timedelta(days=2))
    sooner = schedule(net, starts_at=now + timedelta(hours=2))
    cohort_only = schedule(net, starts_at=now + timedelta(hours=1), audience=Audience.COHORTS)
    services.session_cancel(
        session=schedule(net, starts_at=now + timedelta(hours=3)), by=net["host"]
    )
    past = schedule(net, starts_at=now - timedelta(days=2))
    assert past.planned_end < now

    assert list(upcoming_for(net["second_county_trainee"], now=now)) == [sooner, later_one]
    assert list(upcoming_for(net["county_trainee"], now=now)) == [cohort_only, sooner, later_one]


LOOP = {"id": 1, "item": 1, "case": None, "frames": 100, "fps": 10.0, "columns": 4, "rows": 3}


@pytest.mark.parametrize(
    ("changes", "after_ms", "frame"),
    [
        ({"playing": False, "frame": 42}, 5_000, 42),
        ({"playing": True, "frame": 10}, 1_000, 20),
        ({"playing": True, "frame": 10, "rate": 0.5}, 1_000, 15),
        ({"playing": True, "frame": 95}, 1_000, 5),  # wraps to the start
        ({"playing": True, "frame": 45, "ab": [40, 49]}, 1_000, 45),  # 55 wraps in 40-49
        ({"playing": True, "frame": 10, "ab": [40, 49]}, 4_000, 40),  # runs into A/B, loops
        ({"playing": True, "frame": 0}, -500, 0),  # a clock behind: never backwards
    ],
)
def test_frame_at_extrapolates_playback_as_clients_do(changes, after_ms, frame):
    state = show_loop(blank_state(driver=1, at_ms=1_000_000), dict(LOOP), now_ms=1_000_000)
    state.update(changes)
    assert frame_at(state, 1_000_000 + after_ms) == frame


def test_consult_sessions_show_only_their_consults_loops():
    consults = consult_network()
    consult = submit(consults)
    other = submit(consults)
    session = services.session_for_consult(consult=consult, by=consults["expert"])
    with pytest.raises(ValidationError):
        services.agenda_set(
            session=session,
            by=consults["expert"],
            items=[{"loop": ReadyLoopFactory(institution=consults.centre).pk}],
        )
    assert other.pk != consult.pk
    assert set(session.agenda.values_list("loop_id", flat=True)) == {
        loop.pk for loop in consults.loops
    }
