"""Each change of a consultation is e-mailed to the people it concerns, in their language,
after the transaction commits — once, never to the actor, never with clinical text or the
local reference — and counted in their menu badge until they open the consult."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from consults import services
from consults.models import ConsultEvent
from consults.selectors import badge_count
from consults.services.notifications import event_notify, notify_pending
from core.context_processors import MenuCounts
from core.mail import muted
from tests.conftest import eager_celery
from tests.consults.factories import ANSWER, LOCAL_REFERENCE, network, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def net(settings):
    settings.PLATFORM_BASE_URL = "https://ceus.example.org"
    return network()


@pytest.fixture
def sent(settings, django_capture_on_commit_callbacks):
    """Run a block as a request would, its e-mails sent by the (eager) worker after commit;
    returns {address: [subjects]} of what the block sent."""

    def run(block):
        before = len(mail.outbox)
        with eager_celery(settings, django_capture_on_commit_callbacks):
            block()
        got: dict[str, list[str]] = {}
        for message in mail.outbox[before:]:
            (address,) = message.to
            got.setdefault(address, []).append(message.subject)
        return got

    return run


def test_a_new_request_goes_to_the_centres_instructors(net, sent):
    got = sent(lambda: submit(net))
    assert set(got) == {net["expert"].email, net["second_expert"].email}
    (subject,) = got[net["expert"].email]
    assert subject.startswith("Consultation request #") and "Liver" in subject


def test_a_request_to_a_named_expert_goes_to_them_alone(net, sent):
    got = sent(lambda: submit(net, expert=net["second_expert"], urgency="urgent"))
    assert list(got) == [net["second_expert"].email]
    assert got[net["second_expert"].email][0].startswith("Urgent consultation request")


def test_the_requester_hears_of_the_claim_and_the_answer_in_their_language(net, sent):
    requester = net["county_trainee"]
    requester.preferred_language = "zh-hans"
    requester.save()
    consult = submit(net)

    got = sent(lambda: services.consult_claim(consult=consult, by=net["expert"]))
    assert list(got) == [requester.email]
    assert "会诊" in got[requester.email][0]

    got = sent(
        lambda: services.consult_answer(consult=consult, by=net["expert"], answer=dict(ANSWER))
    )
    (subject,) = got[requester.email]
    assert "会诊" in subject and "answered" not in subject
    body = mail.outbox[-1].body
    assert f"https://ceus.example.org/consults/{consult.pk}/" in body
    # What was asked, read and answered stays on the platform.
    for text in (LOCAL_REFERENCE, ANSWER["report"], consult.clinical_question, "LR-5"):
        assert text not in body


def test_a_message_goes_to_the_other_side_never_to_its_author(net, sent):
    consult = submit(net)
    services.consult_claim(consult=consult, by=net["expert"])
    got = sent(
        lambda: services.message_post(consult=consult, by=net["county_trainee"], body="Why?")
    )
    assert list(got) == [net["expert"].email]
    got = sent(lambda: services.message_post(consult=consult, by=net["expert"], body="Because."))
    assert list(got) == [net["county_trainee"].email]


def test_each_event_is_sent_once(net, sent):
    sent(lambda: submit(net))
    event = ConsultEvent.objects.get()
    assert event.notified_at is not None
    before = len(mail.outbox)
    assert event_notify(event_pk=event.pk) == 0
    assert len(mail.outbox) == before


def test_a_failed_send_is_tried_again_by_the_sweep(net, monkeypatch, now):
    submit(net)  # no worker ran: the event waits
    event = ConsultEvent.objects.get()

    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("core.mail.send_mail", broken)
    assert event_notify(event_pk=event.pk) == 0
    event.refresh_from_db()
    assert event.notified_at is None
    monkeypatch.undo()

    queued = []
    monkeypatch.setattr(
        "consults.services.notifications.dispatch",
        lambda task, **pks: queued.append(pks) or True,
    )
    assert notify_pending(now=event.created_at + timedelta(minutes=1)) == 0  # too fresh
    assert notify_pending(now=event.created_at + timedelta(minutes=30)) == 1
    assert queued == [{"event_pk": event.pk}]
    assert notify_pending(now=event.created_at + timedelta(days=3)) == 0  # no longer news
    assert event_notify(event_pk=event.pk) == 2  # the queued send, once the server is back
    assert notify_pending(now=event.created_at + timedelta(minutes=30)) == 0  # sent: none left


def test_muted_events_send_nothing_ever(net, sent):
    def block():
        with muted():
            submit(net)

    assert sent(block) == {}
    assert ConsultEvent.objects.get().notified_at is not None


def test_the_badge_counts_news_until_the_consult_is_opened(net):
    expert, requester = net["expert"], net["county_trainee"]
    consult = submit(net)
    assert (badge_count(expert), badge_count(net["second_expert"])) == (1, 1)
    assert badge_count(requester) == 0  # their own action
    assert badge_count(net["centre_director"]) == 0  # reads, does not answer

    services.consult_claim(consult=consult, by=expert)
    # Claimed by the expert: no longer the second expert's news.
    assert (badge_count(expert), badge_count(net["second_expert"])) == (0, 0)
    assert badge_count(requester) == 1

    services.consult_mark_seen(consult=consult, user=requester)
    assert badge_count(requester) == 0
    services.message_post(consult=consult, by=expert, body="Which transducer?")
    assert badge_count(requester) == 1
    assert badge_count(net["other_trainee"]) == 0
    assert MenuCounts(requester).consults == 1  # the menu reads the same count
