"""Polls on the image: opened by a host, answered once each (changeable while open) by the
audience, closed with their results kept, the key revealed; the heat map of a hotspot poll,
the histogram of a time-point poll, bank questions graded by the quiz scorer."""

from __future__ import annotations

import pytest

from live import services
from live.models import Attendance, Audience, LiveSession, Poll, PollAnswer
from live.selectors import heatmap, poll_results
from live.services import LiveError
from quizzes.models import QuestionKind
from tests.live.factories import started
from tests.live.room import Client, gather, run
from tests.quizzes.factories import make_question

pytestmark = pytest.mark.django_db

# A key region in the first loop's pixels (320 x 240): the centre-left of the image.
KEY = {"kind": "ellipse", "geometry": {"cx": 80.0, "cy": 120.0, "rx": 40.0, "ry": 40.0}}


def test_a_hotspot_poll_through_the_room_heat_map_live_to_hosts_and_at_close_to_all(net, layer):
    session = started(net)
    clicks = {
        "county_trainee": {"x": 0.25, "y": 0.5},  # inside the key
        "second_county_trainee": {"x": 0.26, "y": 0.51},  # inside, same cell
        "centre_trainee": {"x": 0.9, "y": 0.1},  # outside
    }

    async def scenario():
        host = Client(net["host"], session)
        people = {who: Client(net[who], session) for who in clicks}
        for client in (host, *people.values()):
            await client.connect()
        await host.send(
            {"type": "poll_open", "kind": "hotspot", "prompt": "Where is the lesion?", "key": KEY}
        )
        opened = await gather(*(c.event("poll_open") for c in (host, *people.values())))
        poll = opened[1]["payload"]["poll"]
        assert "key" not in poll and poll["has_key"] and opened[1]["state"]["poll"] == poll["id"]

        for who, click in clicks.items():
            await people[who].send({"type": "poll_answer", "poll": poll["id"], "value": click})
            answered = await people[who].until("poll_answered")
            assert answered["value"] == click
            live = await host.until("poll_results")  # the hosts see each answer arrive
        assert live["results"]["answers"] == 3
        cells = live["results"]["heatmap"]["cells"]
        assert cells[12 * 32 + 8] == 2 and cells[2 * 32 + 28] == 1 and sum(cells) == 3

        await host.send({"type": "poll_close"})
        closed = await gather(*(c.event("poll_close") for c in (host, *people.values())))
        assert closed[1]["payload"]["results"]["heatmap"]["cells"] == cells
        assert closed[1]["state"]["poll"] is None
        await host.send({"type": "poll_reveal", "poll": poll["id"]})
        revealed = await people["centre_trainee"].event("poll_reveal")
        assert revealed["payload"]["key"] == KEY and revealed["payload"]["correct"] == 2
        for client in (host, *people.values()):
            await client.close()

    run(scenario)
    poll = Poll.objects.get(session=session)
    assert poll.closed_at and poll.revealed_at and poll.results["answers"] == 3
    correct = dict(PollAnswer.objects.filter(poll=poll).values_list("user__username", "correct"))
    assert correct == {
        net["county_trainee"].username: True,
        net["second_county_trainee"].username: True,
        net["centre_trainee"].username: False,
    }
    assert Attendance.objects.get(session=session, user=net["county_trainee"]).poll_answers == 1


def test_one_answer_per_participant_changeable_while_open_then_refused(net):
    session = started(net, audience=Audience.COHORTS)
    services.poll_open(
        session=session,
        by=net["host"],
        spec={"kind": "choice", "prompt": "LR category?", "options": ["LR-4", "LR-5", "LR-M"]},
    )
    poll = Poll.objects.get(session=session)
    trainee = net["county_trainee"]

    services.poll_answer(session=session, by=trainee, poll=poll.pk, value={"options": [1]})
    services.poll_answer(session=session, by=trainee, poll=poll.pk, value={"options": [2]})

    assert list(PollAnswer.objects.filter(poll=poll).values_list("value", flat=True)) == [
        {"options": [2]}
    ]
    assert poll_results(poll)["counts"] == [
        {"id": 1, "count": 0},
        {"id": 2, "count": 1},
        {"id": 3, "count": 0},
    ]
    with pytest.raises(LiveError) as host_answer:
        services.poll_answer(session=session, by=net["host"], poll=poll.pk, value={"options": [1]})
    assert host_answer.value.code == "forbidden"
    with pytest.raises(LiveError) as outsider:
        services.poll_answer(
            session=session, by=net["outsider_trainee"], poll=poll.pk, value={"options": [1]}
        )
    assert outsider.value.code == "forbidden"  # not in the cohort
    services.poll_close(session=session, by=net["cohost"])
    with pytest.raises(LiveError) as closed:
        services.poll_answer(session=session, by=trainee, poll=poll.pk, value={"options": [1]})
    assert closed.value.code == "poll_closed"


@pytest.mark.parametrize(
    "value",
    [
        {"options": [4]},  # not an option
        {"options": [1, 2]},  # two on a single choice
        {"options": [True]},
        {"options": "1"},
        {"x": 0.5},
        [],
        None,
    ],
)
def test_answers_that_do_not_fit_the_poll_are_refused(net, value):
    session = started(net)
    services.poll_open(
        session=session,
        by=net["host"],
        spec={"kind": "choice", "prompt": "Which?", "options": ["A", "B", "C"]},
    )
    poll = Poll.objects.get(session=session)
    with pytest.raises(LiveError) as refused:
        services.poll_answer(session=session, by=net["county_trainee"], poll=poll.pk, value=value)
    assert refused.value.code == "invalid"
    assert not PollAnswer.objects.exists()


def test_bank_questions_become_polls_graded_by_the_quiz_scorer(net):
    session = started(net)
    single = make_question(QuestionKind.SINGLE, institution=net.centre)
    services.poll_open(session=session, by=net["host"], spec={"question": single.pk})
    poll = Poll.objects.get(session=session)
    right = next(o["id"] for o in poll.options if o["text"] == "HCC")
    assert poll.key == {"options": [right]} and not poll.multiple

    good = services.poll_answer(
        session=session, by=net["county_trainee"], poll=poll.pk, value={"options": [right]}
    )
    wrong = services.poll_answer(
        session=session, by=net["centre_trainee"], poll=poll.pk, value={"options": [right + 1]}
    )
    assert (good.correct, wrong.correct) == (True, False)

    # A time-point question on the loop shown: its key in seconds, with the tolerance.
    services.poll_close(session=session, by=net["host"])
    timed = make_question(QuestionKind.TIME_POINT, institution=net.centre, loop=net.loops[0])
    services.poll_open(session=session, by=net["host"], spec={"question": timed.pk})
    poll = Poll.objects.get(session=session, question=timed)
    near = services.poll_answer(
        session=session, by=net["county_trainee"], poll=poll.pk, value={"time_s": 18.0}
    )
    assert near.correct is True
    histogram = poll_results(poll)["histogram"]
    assert histogram["duration_s"] == 20.0 and sum(histogram["bins"]) == 1
    assert histogram["bins"][int(18.0 / histogram["bin_s"])] == 1


def test_a_bank_question_on_another_loop_or_unseen_is_refused(net, other_hospital):
    session = started(net)
    elsewhere = make_question(QuestionKind.HOTSPOT, institution=net.centre, loop=net.loops[1])
    hidden = make_question(QuestionKind.SINGLE, institution=other_hospital)
    with pytest.raises(LiveError) as wrong_loop:
        services.poll_open(session=session, by=net["host"], spec={"question": elsewhere.pk})
    assert wrong_loop.value.code == "poll_wrong_loop"
    with pytest.raises(LiveError) as unseen:
        services.poll_open(session=session, by=net["host"], spec={"question": hidden.pk})
    assert unseen.value.code == "invalid"
    assert LiveSession.objects.get(pk=session.pk).state["poll"] is None


def test_the_heat_map_counts_clicks_per_cell_edges_included():
    grid = heatmap([(0.0, 0.0), (1.0, 1.0), (0.999, 0.999), (0.5, 0.5)])

    assert (grid["columns"], grid["rows"]) == (32, 24)
    assert grid["cells"][0] == 1
    assert grid["cells"][-1] == 2  # 1.0 falls in the last cell
    assert grid["cells"][12 * 32 + 16] == 1
    assert grid["max"] == 2
