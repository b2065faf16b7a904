"""Who may join a session, by audience, over every role of four hospitals — on connect (the
socket is closed with 4403) and in SQL (``LiveSession.objects.for_audience``); the hook that
lends the agenda's loops to the audience."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from cineloops.models import CineLoop
from live import rights
from live.models import Audience, LiveSession
from tests.consults.factories import network as consult_network
from tests.consults.factories import submit
from tests.live.factories import ROLES, schedule, started
from tests.live.room import Client, run

pytestmark = pytest.mark.django_db

# Who joins a session for the two county hospitals (institutions audience).
INSTITUTIONS = {
    "host",
    "cohost",
    "county_trainee",
    "county_instructor",
    "county_director",
    "second_county_trainee",
    "site_admin",
}


@pytest.mark.parametrize("who", [*ROLES, "anonymous"])
def test_each_audience_admits_exactly_its_people_in_sql_and_in_python(net, who):
    sessions = {
        Audience.NETWORK: schedule(net),
        Audience.INSTITUTIONS: schedule(net, audience=Audience.INSTITUTIONS),
        Audience.COHORTS: schedule(net, audience=Audience.COHORTS),
    }
    user = AnonymousUser() if who == "anonymous" else net[who]
    expected = {
        Audience.NETWORK: who != "anonymous" and ROLES[who][0],
        Audience.INSTITUTIONS: who in INSTITUTIONS,
        Audience.COHORTS: who != "anonymous" and ROLES[who][1],
    }
    in_sql = set(LiveSession.objects.for_audience(user).values_list("pk", flat=True))
    for audience, session in sessions.items():
        assert (session.pk in in_sql) == expected[audience], audience
        assert rights.may_join(user, session) == expected[audience], audience


@pytest.mark.parametrize("who", ["county_trainee", "second_county_trainee", "outsider_trainee"])
def test_the_socket_admits_the_audience_and_closes_on_anyone_else(net, who):
    session = started(net, audience=Audience.COHORTS)

    async def scenario():
        client = Client(net[who], session)
        synced = await client.connect()
        if who == "county_trainee":  # the cohort's member
            assert synced["session"]["id"] == session.pk
            await client.close()
        else:
            assert synced is None and client.close_code == 4403

    run(scenario)


def test_anonymous_sockets_and_unknown_sessions_are_closed(net):
    session = started(net)

    async def scenario():
        anonymous = Client(AnonymousUser(), session)
        assert await anonymous.connect() is None
        assert anonymous.close_code == 4403
        session.pk += 1000
        nowhere = Client(net["county_trainee"], session)
        assert await nowhere.connect() is None
        assert nowhere.close_code == 4404

    run(scenario)


def test_a_cancelled_or_ended_session_refuses_sockets(net):
    from live import services

    over = started(net)
    services.session_end(session=over, by=net["host"])
    cancelled = schedule(net)
    services.session_cancel(session=cancelled, by=net["host"])

    async def scenario():
        for session in (over, cancelled):
            client = Client(net["county_trainee"], session)
            assert await client.connect() is None
            assert client.close_code == 4410

    run(scenario)


def test_the_audience_sees_the_agenda_loops_and_nobody_else_does(net):
    schedule(net, audience=Audience.COHORTS)
    agenda = {*(loop.pk for loop in net.loops), net.single.pk}

    def visible(who):
        return set(CineLoop.objects.for_user(net[who]).values_list("pk", flat=True))

    assert agenda <= visible("county_trainee")  # the cohort: through the session
    assert net.single.pk not in visible("second_county_trainee")  # not in the audience
    # (the case's loops are the network's through the case itself)
    assert {loop.pk for loop in net.loops} <= visible("second_county_trainee")


def test_a_consultations_session_is_for_its_requester_and_the_centres_experts():
    from live import services

    consults = consult_network()
    consult = submit(consults)
    session = services.session_for_consult(consult=consult, by=consults["expert"])

    assert session.audience == Audience.CONSULT
    assert list(session.agenda.values_list("loop_id", flat=True)) == [
        loop.pk for loop in consults.loops
    ]
    admitted = {who for who, user in consults.people.items() if rights.may_join(user, session)}
    assert admitted == {"county_trainee", "expert", "second_expert", "site_admin"}
    with pytest.raises(Exception, match="experts"):
        services.session_for_consult(consult=consult, by=consults["county_instructor"])
