"""Questions and chat: asked, up-voted (once, not one's own), answered and hidden by hosts;
muted participants cannot post; texts are plain, bounded and rate-limited."""

from __future__ import annotations

import pytest

from core import ratelimit
from live import services
from live.models import ChatMessage, LiveEvent, LiveQuestion
from live.services import LiveError
from tests.live.factories import started
from tests.live.room import Client, gather, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """The rate limits' windows on a clock the test moves."""
    now = [1_000_000.0]
    monkeypatch.setattr(ratelimit, "clock", lambda: now[0])
    return now


def test_a_question_is_asked_upvoted_answered_through_the_room(net, layer):
    session = started(net)

    async def scenario():
        host = Client(net["host"], session)
        asker = Client(net["county_trainee"], session)
        voter = Client(net["second_county_trainee"], session)
        for client in (host, asker, voter):
            await client.connect()
        await asker.send({"type": "ask", "text": "Is the rim <b>arterial</b>?"})
        asked = await gather(*(c.event("question_asked") for c in (host, asker, voter)))
        question = asked[2]["payload"]["question"]
        assert question["text"] == "Is the rim <b>arterial</b>?"  # kept as text: shown inert
        assert question["votes"] == 0 and asked[2]["state"] is None

        await voter.send({"type": "upvote", "question": question["id"]})
        voted = await gather(*(c.until("question") for c in (host, asker, voter)))
        assert voted[0]["question"]["votes"] == 1
        await voter.send({"type": "upvote", "question": question["id"], "ref": "again"})
        assert (await voter.until("error"))["code"] == "already_voted"
        await asker.send({"type": "upvote", "question": question["id"]})
        assert (await asker.until("error"))["code"] == "own_question"
        await asker.send({"type": "answered", "question": question["id"]})
        assert (await asker.until("error"))["code"] == "not_host"

        await host.send({"type": "answered", "question": question["id"]})
        answered = await gather(*(c.event("question_answered") for c in (host, asker, voter)))
        assert answered[1]["payload"]["question"]["answered"] is True

        late = Client(net["centre_trainee"], session)
        synced = await late.connect()
        assert [(q["id"], q["votes"], q["answered"]) for q in synced["questions"]] == [
            (question["id"], 1, True)
        ]
        for client in (host, asker, voter, late):
            await client.close()

    run(scenario)


def test_hosts_hide_chat_and_questions_and_mute_participants(net):
    session = started(net)
    trainee = net["county_trainee"]
    message = services.chat_post(session=session, by=trainee, text="hello")
    event = services.question_ask(session=session, by=trainee, text="why?")
    question_id = event.payload["question"]["id"]

    with pytest.raises(LiveError) as not_host:
        services.chat_hide(session=session, by=net["second_county_trainee"], message=message.pk)
    assert not_host.value.code == "not_host"
    services.chat_hide(session=session, by=net["cohost"], message=message.pk)
    services.question_hide(session=session, by=net["host"], question=question_id)
    assert ChatMessage.objects.get().hidden and LiveQuestion.objects.get().hidden

    services.participant_mute(session=session, by=net["host"], user=trainee.pk)
    for post in (services.chat_post, services.question_ask):
        with pytest.raises(LiveError) as muted:
            post(session=session, by=trainee, text="still here")
        assert muted.value.code == "muted"
    with pytest.raises(LiveError):
        services.participant_mute(session=session, by=net["host"], user=net["cohost"].pk)
    services.participant_unmute(session=session, by=net["host"], user=trainee.pk)
    services.chat_post(session=session, by=trainee, text="back")


def test_chat_is_limited_to_five_messages_in_ten_seconds(net, clock):
    session = started(net)
    trainee = net["county_trainee"]
    for n in range(5):
        services.chat_post(session=session, by=trainee, text=f"message {n}")
    with pytest.raises(LiveError) as limited:
        services.chat_post(session=session, by=trainee, text="one too many")
    assert limited.value.code == "rate_limited"
    services.chat_post(session=session, by=net["centre_trainee"], text="someone else may")
    clock[0] += 10
    services.chat_post(session=session, by=trainee, text="next window")
    assert ChatMessage.objects.filter(author=trainee).count() == 6


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("x" * 501, "too_long"),
        (123, "invalid"),
        (None, "invalid"),
        (["a"], "invalid"),
        ({"text": "a"}, "invalid"),
    ],
)
def test_bad_texts_are_refused(net, text, code):
    session = started(net)
    for post in (services.chat_post, services.question_ask):
        with pytest.raises(LiveError) as refused:
            post(session=session, by=net["county_trainee"], text=text)
        assert refused.value.code == code
    assert not ChatMessage.objects.exists() and not LiveQuestion.objects.exists()


def test_texts_are_kept_plain_control_characters_dropped(net):
    session = started(net)
    message = services.chat_post(
        session=session,
        by=net["county_trainee"],
        text="  <script>alert(1)</script>\x00\x1b line\nnext  ",
    )
    assert message.text == "<script>alert(1)</script> line\nnext"
    assert services.chat_post(session=session, by=net["county_trainee"], text="é" * 500)


def test_questions_asked_are_events_of_the_replay_chat_is_not(net):
    session = started(net)
    services.chat_post(session=session, by=net["county_trainee"], text="hi")
    services.question_ask(session=session, by=net["county_trainee"], text="why?")
    kinds = list(LiveEvent.objects.filter(session=session).values_list("kind", flat=True))
    assert kinds == ["start", "question_asked"]
