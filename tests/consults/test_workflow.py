"""The state machine of a consultation: what may follow what, who may move it, what is kept.

submitted → claimed → answered → closed, or withdrawn / declined (with a reason) before an
answer; a claim may be released. Every other move is refused with a clear error, and every
change leaves an event (who, when, from → to, why).
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from consults import services
from consults.models import Consultation, ConsultEvent, ConsultStatus, EventKind, RequesterReading
from tests.consults.factories import ANSWER, READING, answered, network, submit

pytestmark = pytest.mark.django_db
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@pytest.fixture
def net():
    return network()


def _statuses(consult) -> list[tuple[str, str, str]]:
    return [
        (event.from_status, event.to_status, event.actor.username)
        for event in ConsultEvent.objects.filter(consult=consult, kind=EventKind.STATUS)
    ]


def test_the_whole_way_keeps_every_change_with_who_and_when(net, now, later):
    consult = submit(net, now=now)
    services.consult_claim(consult=consult, by=net["expert"], now=later(minutes=5))
    services.consult_answer(
        consult=consult, by=net["expert"], answer=dict(ANSWER), now=later(minutes=30)
    )
    services.consult_close(consult=consult, by=net["county_trainee"], now=later(hours=2))

    consult.refresh_from_db()
    assert consult.status == ConsultStatus.CLOSED
    assert (consult.submitted_at, consult.claimed_at) == (now, later(minutes=5))
    assert (consult.answered_at, consult.closed_at) == (later(minutes=30), later(hours=2))
    trainee, expert = net["county_trainee"].username, net["expert"].username
    assert _statuses(consult) == [
        ("", "submitted", trainee),
        ("submitted", "claimed", expert),
        ("claimed", "answered", expert),
        ("answered", "closed", trainee),
    ]
    assert [e.created_at for e in consult.events.order_by("pk")] == [
        now,
        later(minutes=5),
        later(minutes=30),
        later(hours=2),
    ]


@pytest.mark.parametrize(
    ("setup", "action"),
    [
        ("submitted", "answer"),  # an answer needs a claim first
        ("submitted", "close"),
        ("answered", "claim"),
        ("answered", "withdraw"),
        ("answered", "decline"),
        ("closed", "claim"),
        ("withdrawn", "claim"),
        ("declined", "claim"),
        ("declined", "withdraw"),
        ("withdrawn", "close"),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(net, setup, action):
    consult = submit(net)
    expert, trainee = net["expert"], net["county_trainee"]
    if setup in ("answered", "closed"):
        services.consult_claim(consult=consult, by=expert)
        services.consult_answer(consult=consult, by=expert, answer=dict(ANSWER))
    if setup == "closed":
        services.consult_close(consult=consult, by=trainee)
    if setup == "withdrawn":
        services.consult_withdraw(consult=consult, by=trainee)
    if setup == "declined":
        services.consult_decline(consult=consult, by=expert, reason="Not a CEUS question.")
    consult.refresh_from_db()
    events = consult.events.count()

    calls = {
        "claim": lambda: services.consult_claim(consult=consult, by=net["second_expert"]),
        "answer": lambda: services.consult_answer(consult=consult, by=expert, answer=dict(ANSWER)),
        "close": lambda: services.consult_close(consult=consult, by=trainee),
        "withdraw": lambda: services.consult_withdraw(consult=consult, by=trainee),
        "decline": lambda: services.consult_decline(consult=consult, by=expert, reason="No."),
    }
    with pytest.raises(ValidationError) as refused:
        calls[action]()

    assert refused.value.code in services.CONFLICT_CODES
    assert str(ConsultStatus(setup).label) in " ".join(refused.value.messages) or (
        refused.value.code == "already_answered"
    )
    fresh = Consultation.objects.get(pk=consult.pk)
    assert fresh.status == setup
    assert fresh.events.count() == events


def test_the_message_names_both_states(net):
    consult = submit(net)
    services.consult_withdraw(consult=consult, by=net["county_trainee"], reason="Resolved.")
    with pytest.raises(ValidationError) as refused:
        services.consult_claim(consult=consult, by=net["expert"])
    assert refused.value.messages == ["A consultation that is “Withdrawn” cannot become “Claimed”."]


def test_the_reading_is_locked_once_sent(net):
    consult = submit(net)
    reading = RequesterReading.objects.get(consult=consult)
    reading.category = "LR-5"

    with pytest.raises(ValidationError) as refused:
        reading.save()

    assert refused.value.code == "reading_locked"
    assert RequesterReading.objects.get(consult=consult).category == READING["category"]


def test_the_answer_is_final(net):
    consult = answered(net)
    with pytest.raises(ValidationError) as refused:
        services.consult_answer(consult=consult, by=net["expert"], answer={"category": "LR-3"})
    assert refused.value.code == "already_answered"
    answer = consult.answer
    answer.category = "LR-3"
    with pytest.raises(ValidationError):
        answer.save()


def test_a_request_needs_a_reading_loops_and_an_expert_centre(net):
    with pytest.raises(ValidationError) as refused:
        submit(net, reading={}, loops=[], target=net.other)
    errors = refused.value.message_dict
    assert set(errors) >= {"reading", "loops", "target"}


def test_a_liver_reading_takes_a_li_rads_category(net):
    with pytest.raises(ValidationError) as refused:
        submit(net, reading={**READING, "category": "TI-RADS 4"})
    assert "category" in refused.value.message_dict


def test_loops_of_another_hospital_are_refused(net):
    from tests.cases.factories import ReadyLoopFactory

    foreign = ReadyLoopFactory(institution=net.other)
    with pytest.raises(ValidationError) as refused:
        submit(net, loops=[foreign])
    assert "loops" in refused.value.message_dict
    assert not Consultation.objects.exists()


def test_decline_needs_a_reason_that_the_requester_reads(net):
    consult = submit(net)
    with pytest.raises(ValidationError):
        services.consult_decline(consult=consult, by=net["expert"], reason="  ")
    services.consult_decline(consult=consult, by=net["expert"], reason="Loops not diagnostic.")
    consult.refresh_from_db()
    assert consult.status == ConsultStatus.DECLINED
    assert consult.status_reason == "Loops not diagnostic."
    assert consult.events.get(to_status="declined").reason == "Loops not diagnostic."


def test_a_released_claim_goes_back_to_the_queue_keeping_its_waiting_time(net, now, later):
    consult = submit(net, now=now)
    services.consult_claim(consult=consult, by=net["expert"], now=later(minutes=5))
    with pytest.raises(PermissionDenied):  # not the claimer
        services.consult_release(consult=consult, by=net["second_expert"])
    services.consult_release(consult=consult, by=net["expert"], now=later(minutes=9))
    consult.refresh_from_db()
    assert consult.status == ConsultStatus.SUBMITTED
    assert consult.submitted_at == now
    assert (consult.claimed_by, consult.claimed_at) == (None, None)
    services.consult_claim(consult=consult, by=net["second_expert"], now=later(minutes=12))


def test_only_the_claimer_answers_and_only_experts_claim(net):
    consult = submit(net)
    for outsider in ("centre_director", "centre_trainee", "county_instructor", "site_admin"):
        with pytest.raises(PermissionDenied):
            services.consult_claim(consult=consult, by=net[outsider])
    services.consult_claim(consult=consult, by=net["expert"])
    with pytest.raises(PermissionDenied):
        services.consult_answer(consult=consult, by=net["second_expert"], answer=dict(ANSWER))


def test_withdrawing_is_for_the_requesting_side(net):
    consult = submit(net)
    for outsider in ("expert", "other_instructor", "site_admin"):
        with pytest.raises(PermissionDenied):
            services.consult_withdraw(consult=consult, by=net[outsider])
    services.consult_withdraw(consult=consult, by=net["county_director"], reason="Duplicate.")
    assert Consultation.objects.get(pk=consult.pk).status == ConsultStatus.WITHDRAWN


def test_second_opinion_asked_and_given(net, now):
    consult = submit(net)
    services.consult_claim(consult=consult, by=net["expert"])
    with pytest.raises(ValidationError):  # oneself, or someone outside the centre
        services.second_opinion_ask(consult=consult, by=net["expert"], expert=net["expert"])
    with pytest.raises(ValidationError):
        services.second_opinion_ask(
            consult=consult, by=net["expert"], expert=net["other_instructor"]
        )
    services.second_opinion_ask(consult=consult, by=net["expert"], expert=net["second_expert"])
    with pytest.raises(PermissionDenied):
        services.second_opinion_give(consult=consult, by=net["expert"], opinion="Agree.")
    services.second_opinion_give(
        consult=consult, by=net["second_expert"], opinion="Agree: LR-5.", now=now
    )
    consult.refresh_from_db()
    assert (consult.second_opinion, consult.second_opinion_at) == ("Agree: LR-5.", now)
    kinds = list(consult.events.order_by("pk").values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.SECOND_OPINION_ASKED, EventKind.SECOND_OPINION_GIVEN]


def test_the_thread_is_kept_and_closes_with_the_consult(net):
    consult = submit(net)
    services.message_post(consult=consult, by=net["county_trainee"], body="Is the loop enough?")
    services.message_post(consult=consult, by=net["expert"], body="Yes, it is.")
    with pytest.raises(PermissionDenied):
        services.message_post(consult=consult, by=net["other_instructor"], body="Hello")
    services.consult_withdraw(consult=consult, by=net["county_trainee"])
    with pytest.raises(ValidationError) as refused:
        services.message_post(consult=consult, by=net["expert"], body="One more thing")
    assert refused.value.code == "consult_over"
    assert list(consult.messages.values_list("body", flat=True)) == [
        "Is the loop enough?",
        "Yes, it is.",
    ]
    assert consult.events.filter(kind=EventKind.MESSAGE).count() == 2


def test_text_that_looks_like_an_identifier_needs_confirmation(net):
    with pytest.raises(services.UnconfirmedIdentifiers) as refused:
        submit(net, clinical_question="Patient: Zhang Wei, new nodule.")
    assert refused.value.warnings == [{"field": "clinical_question", "kinds": ["name"]}]
    assert not Consultation.objects.exists()

    consult = submit(net, clinical_question="Patient: Zhang Wei, new nodule.", confirmed=True)
    assert consult.phi_warnings == [{"field": "clinical_question", "kinds": ["name"]}]


def test_the_local_reference_gets_the_identifier_warning(net):
    with pytest.raises(services.UnconfirmedIdentifiers) as refused:
        submit(net, local_reference="ID 110101199003071234")
    assert refused.value.warnings == [{"field": "local_reference", "kinds": ["id_number"]}]
    (message,) = services.identifiers.warning_messages(refused.value.warnings)
    assert "Only your institution sees it" in message


def test_a_stale_second_claim_loses(net):
    """Two experts open the queue and claim the same request: the row lock reads it afresh,
    so the second finds it claimed and is told by whom."""
    consult = submit(net)
    first_view = Consultation.objects.get(pk=consult.pk)
    second_view = Consultation.objects.get(pk=consult.pk)

    services.consult_claim(consult=first_view, by=net["expert"])
    with pytest.raises(ValidationError) as refused:
        services.consult_claim(consult=second_view, by=net["second_expert"])

    assert refused.value.code == "already_claimed"
    assert net["expert"].username in refused.value.messages[0]
    stored = Consultation.objects.get(pk=consult.pk)
    assert stored.claimed_by == net["expert"]
    assert stored.events.filter(to_status=ConsultStatus.CLAIMED).count() == 1


@pytest.mark.skipif(
    not ON_POSTGRES,
    reason="concurrent claims need row locks and concurrent connections: PostgreSQL only "
    "(DATABASE_URL=postgres://…); SQLite serialises writers anyway",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_make_one_claimer():
    net = network()
    consult = submit(net)
    experts = [net["expert"], net["second_expert"]]
    barrier = threading.Barrier(len(experts))
    won, refused, errors = [], [], []

    def claim(expert) -> None:
        try:
            barrier.wait()
            services.consult_claim(consult=Consultation.objects.get(pk=consult.pk), by=expert)
            won.append(expert.pk)
        except ValidationError as exc:
            refused.append(exc.code)
        except Exception as exc:  # reported below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(expert,)) for expert in experts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(won) == 1 and refused == ["already_claimed"]
    stored = Consultation.objects.get(pk=consult.pk)
    assert stored.claimed_by_id == won[0]
    assert stored.events.filter(to_status=ConsultStatus.CLAIMED).count() == 1


def test_a_trainee_uploads_the_loops_with_the_request(net):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("ZHANG^WEI.dcm", b"DICM" * 64)
    refused = SimpleUploadedFile("notes.txt", b"ward list " * 40)
    result = services.consult_submit(
        by=net["county_trainee"],
        target=net.centre,
        organ="liver",
        clinical_question="Nodule?",
        reading=dict(READING),
        files=[upload, refused],
    )

    (loop,) = result.consult.loops.all()
    assert (loop.institution, loop.uploaded_by) == (net.county, net["county_trainee"])
    assert "ZHANG" not in loop.original_name
    assert len(result.rejected_uploads) == 1


def test_only_files_that_are_not_loops_refuse_the_request(net):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError) as refused:
        services.consult_submit(
            by=net["county_trainee"],
            target=net.centre,
            organ="liver",
            clinical_question="Nodule?",
            reading=dict(READING),
            files=[SimpleUploadedFile("notes.txt", b"ward list " * 40)],
        )
    assert "loops" in refused.value.message_dict
    assert not Consultation.objects.exists()
