# ruff: noqa: RUF001 -- Chinese sample text with full-width punctuation
"""The scan logbook's rules: what a trainee may log, identifier warnings, sign-off rights,
immutability once approved, and corrections."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from certification.models import Adequacy, EntryStatus, LogbookEntry
from certification.services import logbook as services
from cineloops import services as cine_services
from cineloops.models import CineLoop
from tests.cases.factories import ReadyLoopFactory
from tests.certification.factories import LogbookEntryFactory
from tests.factories import InstructorFactory, SiteAdminFactory, TraineeFactory

pytestmark = pytest.mark.django_db

CLEAN = {
    "exam_type": "ceus_liver",
    "organ": "liver",
    "contrast_agent": "SonoVue 1.5 mL",
    "indication": "Indeterminate 2 cm lesion on B-mode surveillance.",
    "findings": "LR-5 nodule in segment VIII: APHE, mild wash-out after 60 s.",
    "impression": "LR-5, probable HCC.",
}


def data(**changes):
    return {"performed_on": timezone.localdate(), "supervisor": None, **CLEAN, **changes}


def pending(trainee, **kwargs):
    fields = {
        "status": EntryStatus.PENDING,
        "adequacy": "",
        "review_comment": "",
        "reviewed_by": None,
        "reviewed_at": None,
    }
    return LogbookEntryFactory(trainee=trainee, **{**fields, **kwargs})


# --- Logging a scan ------------------------------------------------------------------------


def test_a_trainee_logs_a_scan_with_a_loop_they_may_see(trainee, instructor, hospital):
    loop = ReadyLoopFactory(institution=hospital)
    entry = pending(trainee)
    entry.loops.add(loop)  # visible to the trainee through their own entry

    result = services.entry_create(trainee=trainee, data=data(supervisor=instructor), loops=[loop])

    saved = LogbookEntry.objects.get(pk=result.entry.pk)
    assert saved.trainee == trainee
    assert saved.status == EntryStatus.PENDING
    assert saved.supervisor == instructor
    assert list(saved.loops.all()) == [loop]
    assert saved.phi_warnings == []
    assert result.warnings == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"performed_on": timezone.localdate() + datetime.timedelta(days=1)}, "performed_on"),
        ({"exam_type": "mri_brain"}, "exam_type"),
        ({"organ": "spleen-ish"}, "organ"),
        ({"findings": "   "}, "findings"),
        ({"impression": "x" * (services.MAX_TEXT + 1)}, "impression"),
    ],
)
def test_invalid_input_is_refused(trainee, changes, field):
    with pytest.raises(ValidationError) as caught:
        services.entry_create(trainee=trainee, data=data(**changes))
    assert field in caught.value.message_dict
    assert not LogbookEntry.objects.exists()


def test_a_loop_the_trainee_may_not_see_is_refused(trainee, hospital, other_hospital):
    elsewhere = ReadyLoopFactory(institution=other_hospital)
    own_but_unattached = ReadyLoopFactory(institution=hospital)  # no trainee sees it
    for loop in (elsewhere, own_but_unattached):
        with pytest.raises(ValidationError) as caught:
            services.entry_create(trainee=trainee, data=data(), loops=[loop])
        assert "loops" in caught.value.message_dict


def test_a_loop_still_in_review_is_not_selectable(trainee, hospital):
    loop = ReadyLoopFactory(institution=hospital, status=CineLoop.Status.NEEDS_REVIEW)
    pending(trainee).loops.add(loop)
    assert loop not in services.selectable_loops(trainee)


def test_the_supervisor_must_be_an_instructor_of_the_trainees_institution(
    trainee, other_instructor, director
):
    for person in (other_instructor, director):
        with pytest.raises(ValidationError) as caught:
            services.entry_create(trainee=trainee, data=data(supervisor=person))
        assert "supervisor" in caught.value.message_dict


def test_identifier_like_text_needs_confirmation_and_is_stored(trainee):
    text = data(findings="Patient: Zhang Wei, tel 13812345678. LR-5 nodule in segment VIII.")

    with pytest.raises(services.UnconfirmedIdentifiers) as caught:
        services.entry_create(trainee=trainee, data=text)
    assert caught.value.warnings == [{"field": "findings", "kinds": ["phone", "name"]}]
    assert not LogbookEntry.objects.exists()

    result = services.entry_create(trainee=trainee, data=text, confirmed=True)
    assert result.entry.phi_warnings == [{"field": "findings", "kinds": ["phone", "name"]}]
    [message] = services.warning_messages(result.entry.phi_warnings)
    assert "Findings summary" in message
    assert "a phone number, a name" in message


def test_plain_clinical_text_has_no_warnings(trainee):
    result = services.entry_create(
        trainee=trainee,
        data=data(
            indication="62-year-old man, HBV cirrhosis, AFP 412 ng/mL, Child-Pugh A.",
            findings="患者男性，62岁。肝右叶S8段见一低回声结节，动脉期高增强，门脉期轻度廓清。",
        ),
    )
    assert result.entry.phi_warnings == []


# --- Trainee uploads through the cine pipeline ---------------------------------------------


def test_a_trainee_uploads_loops_with_an_entry_but_not_through_the_general_upload(
    trainee, hospital
):
    upload = SimpleUploadedFile("ZHANG^WEI.dcm", b"DICM" * 64)
    with pytest.raises(PermissionDenied):
        cine_services.loops_create_from_files(files=[upload], by=trainee)
    assert not CineLoop.objects.exists()

    upload = SimpleUploadedFile("ZHANG^WEI.dcm", b"DICM" * 64)
    result = services.entry_create(trainee=trainee, data=data(), uploads=[upload])

    [loop] = result.entry.loops.all()
    assert loop.institution == hospital
    assert loop.uploaded_by == trainee
    assert "ZHANG" not in loop.original_name  # the client's file name is never kept
    # Not visible to the trainee until processed cleanly.
    assert not CineLoop.objects.for_user(trainee).filter(pk=loop.pk).exists()


def test_too_many_uploads_are_refused(trainee):
    files = [SimpleUploadedFile(f"{n}.dcm", b"x") for n in range(services.MAX_UPLOADS + 1)]
    with pytest.raises(ValidationError):
        services.entry_create(trainee=trainee, data=data(), uploads=files)
    assert not CineLoop.objects.exists()


def test_loops_of_an_entry_are_visible_to_those_who_see_the_entry(
    trainee, director, hospital, other_instructor
):
    loop = ReadyLoopFactory(institution=hospital)
    pending(trainee).loops.add(loop)
    classmate = TraineeFactory(institution=hospital)

    assert CineLoop.objects.for_user(trainee).filter(pk=loop.pk).exists()
    assert CineLoop.objects.for_user(director).filter(pk=loop.pk).exists()
    assert not CineLoop.objects.for_user(classmate).filter(pk=loop.pk).exists()
    assert not CineLoop.objects.for_user(other_instructor).filter(pk=loop.pk).exists()


# --- Sign-off ------------------------------------------------------------------------------


def test_approval_needs_an_adequacy_grade_and_rejection_a_comment(trainee, instructor):
    entry = pending(trainee)
    with pytest.raises(ValidationError) as caught:
        services.entry_review(entry=entry, by=instructor, decision="approve")
    assert "adequacy" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.entry_review(entry=entry, by=instructor, decision="reject", comment="  ")
    assert "comment" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.entry_review(entry=entry, by=instructor, decision="maybe", adequacy="good")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING


def test_an_approval_is_recorded_and_the_trainee_told_on_commit(
    trainee, instructor, django_capture_on_commit_callbacks
):
    entry = pending(trainee)
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_review(
            entry=entry, by=instructor, decision="approve", adequacy=Adequacy.ADEQUATE
        )
        assert mail.outbox == []  # not before the commit

    entry.refresh_from_db()
    assert (entry.status, entry.adequacy, entry.reviewed_by) == (
        EntryStatus.APPROVED,
        Adequacy.ADEQUATE,
        instructor,
    )
    assert entry.reviewed_at is not None
    assert [message.to for message in mail.outbox] == [[trainee.email]]


def test_a_rejection_keeps_the_comment(trainee, instructor, django_capture_on_commit_callbacks):
    entry = pending(trainee)
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_review(
            entry=entry, by=instructor, decision="reject", comment="Arterial phase missing."
        )
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REJECTED
    assert entry.review_comment == "Arterial phase missing."
    assert len(mail.outbox) == 1


def test_who_may_sign_off(trainee, instructor, other_instructor, director, hospital):
    entry = pending(trainee)
    colleague = TraineeFactory(institution=hospital)
    for person in (trainee, colleague, other_instructor, director):
        assert not services.can_review(person, entry)
        with pytest.raises(PermissionDenied):
            services.entry_review(entry=entry, by=person, decision="approve", adequacy="good")
    assert services.can_review(instructor, entry)
    assert services.can_review(SiteAdminFactory(), entry)


def test_an_instructor_cannot_sign_off_their_own_entry(hospital):
    instructor = InstructorFactory(institution=hospital)
    entry = pending(instructor)
    with pytest.raises(PermissionDenied):
        services.entry_review(entry=entry, by=instructor, decision="approve", adequacy="good")


def test_an_entry_is_signed_off_once(trainee, instructor):
    entry = pending(trainee)
    services.entry_review(entry=entry, by=instructor, decision="approve", adequacy="good")
    with pytest.raises(ValidationError) as caught:
        services.entry_review(entry=entry, by=instructor, decision="reject", comment="No.")
    assert caught.value.code == "not_pending"
    entry.refresh_from_db()
    assert entry.status == EntryStatus.APPROVED


# --- Editing, immutability, corrections ----------------------------------------------------


def test_a_pending_entry_is_edited_by_its_trainee_only(trainee, hospital):
    entry = pending(trainee)
    services.entry_update(entry=entry, by=trainee, data=data(impression="LR-4."))
    entry.refresh_from_db()
    assert entry.impression == "LR-4."

    with pytest.raises(PermissionDenied):
        services.entry_update(entry=entry, by=TraineeFactory(institution=hospital), data=data())


def test_an_edit_is_checked_for_identifiers_again(trainee):
    entry = pending(trainee)
    with pytest.raises(services.UnconfirmedIdentifiers):
        services.entry_update(entry=entry, by=trainee, data=data(impression="王女士，LR-5"))
    entry.refresh_from_db()
    assert entry.phi_warnings == []


@pytest.mark.parametrize("status", [EntryStatus.APPROVED, EntryStatus.REJECTED])
def test_a_signed_off_entry_never_changes(trainee, status):
    entry = LogbookEntryFactory(trainee=trainee, status=status)
    before = entry.findings
    with pytest.raises(ValidationError) as caught:
        services.entry_update(entry=entry, by=trainee, data=data(findings="Rewritten."))
    assert caught.value.code == "not_pending"
    entry.refresh_from_db()
    assert entry.findings == before


@pytest.mark.parametrize("status", [EntryStatus.APPROVED, EntryStatus.REJECTED])
def test_a_correction_is_a_new_entry_naming_the_old_one(trainee, hospital, status):
    loop = ReadyLoopFactory(institution=hospital, status=CineLoop.Status.NEEDS_REVIEW)
    old = LogbookEntryFactory(trainee=trainee, status=status)
    old.loops.add(loop)  # the old entry's loops may be carried over, even not-ready ones

    result = services.entry_correct(
        entry=old, by=trainee, data=data(exam_type="ceus_kidney"), loops=[loop]
    )

    assert result.entry.pk != old.pk
    assert result.entry.corrects == old
    assert result.entry.status == EntryStatus.PENDING
    assert list(result.entry.loops.all()) == [loop]
    old.refresh_from_db()
    assert old.status == status  # untouched


def test_corrections_one_at_a_time(trainee, instructor):
    old = LogbookEntryFactory(trainee=trainee)
    first = services.entry_correct(entry=old, by=trainee, data=data()).entry
    with pytest.raises(ValidationError) as caught:
        services.entry_correct(entry=old, by=trainee, data=data())
    assert caught.value.code == "already_corrected"
    assert not services.can_correct(trainee, old)

    services.entry_review(entry=first, by=instructor, decision="reject", comment="Still wrong.")
    assert services.can_correct(trainee, old)  # a rejected correction may be redone
    services.entry_correct(entry=old, by=trainee, data=data())
    assert old.corrections.count() == 2


def test_a_pending_entry_is_edited_not_corrected(trainee):
    entry = pending(trainee)
    with pytest.raises(ValidationError) as caught:
        services.entry_correct(entry=entry, by=trainee, data=data())
    assert caught.value.code == "still_pending"


def test_only_the_trainee_corrects_their_entry(trainee, instructor):
    old = LogbookEntryFactory(trainee=trainee)
    with pytest.raises(PermissionDenied):
        services.entry_correct(entry=old, by=instructor, data=data())


# --- Who sees what -------------------------------------------------------------------------


def test_entries_are_seen_by_their_trainee_and_institution_only(
    trainee, instructor, director, other_instructor, hospital
):
    entry = pending(trainee)
    classmate = TraineeFactory(institution=hospital)
    assert list(services.entries_visible_to(trainee)) == [entry]
    assert list(services.entries_visible_to(instructor)) == [entry]
    assert list(services.entries_visible_to(director)) == [entry]
    assert list(services.entries_visible_to(SiteAdminFactory())) == [entry]
    assert not services.entries_visible_to(classmate).exists()
    assert not services.entries_visible_to(other_instructor).exists()


def test_the_sign_off_queue_holds_pending_entries_oldest_first(
    trainee, instructor, director, other_instructor
):
    first = pending(trainee)
    second = pending(trainee)
    LogbookEntryFactory(trainee=trainee)  # approved: not waiting
    assert list(services.entries_to_sign_off(instructor)) == [first, second]
    assert list(services.entries_to_sign_off(director)) == [first, second]
    assert not services.entries_to_sign_off(other_instructor).exists()
    assert not services.entries_to_sign_off(trainee).exists()


def test_counts_per_exam_type(trainee):
    LogbookEntryFactory(trainee=trainee)
    LogbookEntryFactory(trainee=trainee, status=EntryStatus.REJECTED)
    pending(trainee, exam_type="ceus_kidney")
    rows = services.counts_by_exam_type(LogbookEntry.objects.filter(trainee=trainee))
    assert [(r["exam_type"], r["approved"], r["pending"], r["rejected"]) for r in rows] == [
        ("ceus_liver", 1, 0, 1),
        ("ceus_kidney", 0, 1, 0),
    ]
