"""Queue ``certification.evaluate_user`` after commit when a record that can complete a
requirement changes (connected in ``CertificationConfig.ready``):

- a quiz attempt saved as submitted, or rescored (graded) after submission;
- a lesson completion created (courses, CME);
- a case watch whose ``reviewed_at`` was just set;
- a logbook entry whose review (status, adequacy) changed;
- a certificate issued by hand (it may be another programme's prerequisite; automatic issues
  already chain inside ``automation.issue_all_due``);
- an expert's answer to a consultation (the requester's "consultations answered" evidence);
- a live session that ended (its participants' "live teaching hours").

Receivers only queue; the task evaluates. Nothing is queued for a rolled-back transaction or
for fixture loading (``raw``). Two saves in one transaction queue two evaluations: each is
cheap and idempotent, so no bookkeeping is spent on removing the duplicate.
"""

from __future__ import annotations

from django.db.models.signals import post_init, post_save

from cases.models import CaseWatch
from certification.models import Certificate, EntryStatus, LogbookEntry
from certification.tasks import evaluate_user
from consults.models import ExpertAnswer
from courses.models import LessonCompletion
from live.models import LiveSession, SessionStatus
from quizzes.models import Attempt, AttemptStatus
from training.tasks import dispatch_on_commit

# Attempt fields whose change can change a grade.
GRADE_FIELDS = frozenset({"status", "percent", "passed", "needs_grading", "submitted_at"})
REVIEWED = (EntryStatus.APPROVED, EntryStatus.REJECTED)


def evaluate_after_commit(user_pk: int | None) -> None:
    if user_pk is not None:
        dispatch_on_commit(evaluate_user, user_pk=user_pk)


def attempt_saved(sender, instance: Attempt, update_fields=None, raw=False, **kwargs) -> None:
    if raw or instance.status != AttemptStatus.SUBMITTED:
        return
    if update_fields is not None and not GRADE_FIELDS & set(update_fields):
        return
    evaluate_after_commit(instance.user_id)


def completion_saved(sender, instance: LessonCompletion, created=False, raw=False, **kwargs):
    if created and not raw:
        evaluate_after_commit(instance.user_id)


# Remember what a row looked like when loaded, to see what a save changed. Read through
# __dict__: a deferred field must not cost a query per instance.
def remember_watch(sender, instance: CaseWatch, **kwargs) -> None:
    instance._certification_reviewed_at = instance.__dict__.get("reviewed_at")


def watch_saved(sender, instance: CaseWatch, created=False, raw=False, **kwargs) -> None:
    reviewed_at = instance.__dict__.get("reviewed_at")
    before = None if created else instance._certification_reviewed_at
    if not raw and reviewed_at and reviewed_at != before:
        evaluate_after_commit(instance.user_id)
    instance._certification_reviewed_at = reviewed_at


def _review_state(entry: LogbookEntry) -> tuple:
    return (entry.__dict__.get("status"), entry.__dict__.get("adequacy"))


def remember_entry(sender, instance: LogbookEntry, **kwargs) -> None:
    instance._certification_review = _review_state(instance)


def entry_saved(sender, instance: LogbookEntry, created=False, raw=False, **kwargs) -> None:
    state = _review_state(instance)
    before = None if created else instance._certification_review
    if not raw and state[0] in REVIEWED and state != before:
        evaluate_after_commit(instance.trainee_id)
    instance._certification_review = state


def certificate_saved(sender, instance: Certificate, created=False, raw=False, **kwargs):
    if created and not raw and instance.issued_by_id is not None:
        evaluate_after_commit(instance.holder_id)


def answer_saved(sender, instance: ExpertAnswer, created=False, raw=False, **kwargs) -> None:
    # An answer is written once (``consults`` refuses a second save): created is the event.
    if created and not raw:
        evaluate_after_commit(instance.consult.requester_id)


def live_session_saved(
    sender, instance: LiveSession, update_fields=None, raw=False, **kwargs
) -> None:
    # ``live.services.room.session_end`` saves the status alone: the attendance is final then.
    if raw or instance.status != SessionStatus.ENDED:
        return
    if update_fields is not None and "status" not in update_fields:
        return
    for user_pk in instance.attendance.values_list("user_id", flat=True):
        evaluate_after_commit(user_pk)


def connect() -> None:
    uid = "certification-evaluate-"
    post_save.connect(attempt_saved, sender=Attempt, dispatch_uid=uid + "attempt")
    post_save.connect(completion_saved, sender=LessonCompletion, dispatch_uid=uid + "completion")
    post_init.connect(remember_watch, sender=CaseWatch, dispatch_uid=uid + "watch-init")
    post_save.connect(watch_saved, sender=CaseWatch, dispatch_uid=uid + "watch")
    post_init.connect(remember_entry, sender=LogbookEntry, dispatch_uid=uid + "entry-init")
    post_save.connect(entry_saved, sender=LogbookEntry, dispatch_uid=uid + "entry")
    post_save.connect(certificate_saved, sender=Certificate, dispatch_uid=uid + "certificate")
    post_save.connect(answer_saved, sender=ExpertAnswer, dispatch_uid=uid + "consult-answer")
    post_save.connect(live_session_saved, sender=LiveSession, dispatch_uid=uid + "live-session")
