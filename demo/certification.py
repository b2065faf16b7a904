"""Demo certification: the programme "CEUS Liver — Level 1" on the demo course and CEUS exam,
one trainee who earned its certificate, one halfway there with scans waiting for sign-off, and
one whose certificate has expired.

Run by ``manage.py load_demo_data`` after the demo cases and quizzes (the order of
``demo.loaders``), and only through the real services: the director authors and publishes two
versions of the programme; trainees complete lessons, watch cases until they count as reviewed
and log scans; a supervisor of their hospital signs the scans off; the certificate is issued by
``issue_if_eligible`` once the evaluation says every requirement is met — never forced. The
expired certificate is a director's manual issue with a recorded reason 25 months ago (the
services' ``now=``), then ``expire_due``. The quiz demo's exam attempts are the exam evidence.

Who is who (password ``demo``): ``demo-trainee-1`` holds the certificate; ``trainee`` (the
account the demo advertises) is halfway; ``demo-trainee-2``'s certificate expired; the new
instructor ``supervisor`` of the county hospital signs logbooks off (the demo ``instructor``
works at the expert centre, and only a trainee's own hospital signs their scans off).

No e-mail is sent while loading: the demo's history is not news. Never in production: refused
unless ``settings.DEMO_DATA_ALLOWED``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cases.models import Case, Organ
from cases.services.learning import watch_heartbeat
from certification.models import (
    ExamType,
    LogbookEntry,
    Programme,
    RequirementKind,
    RequirementStage,
)
from certification.services import notifications
from certification.services.certificates import (
    add_months,
    expire_due,
    issue_if_eligible,
    issue_manually,
)
from certification.services.evaluation import evaluate
from certification.services.logbook import Decision, entry_create, entry_review
from certification.services.programmes import (
    draft_version,
    programme_create,
    programme_update,
    requirement_add,
    requirement_update,
    version_create,
    version_publish,
)
from core.content_language import in_both_languages
from core.scoping import PublicationStatus, Visibility
from courses.models import Course, Lesson
from courses.services import complete_lesson
from demo import cases_content as case_text
from demo import certification_content as text
from demo import quizzes_content as quiz_text
from demo.accounts import DEMO_PASSWORD
from demo.allowed import ensure_allowed
from quizzes.models import Quiz

COURSE = "Liver CEUS fundamentals"  # demo.courses
CERTIFIED = "demo-trainee-1"  # passed the exam and the module quiz in the quiz demo
EXPIRED = "demo-trainee-2"
HALFWAY = "trainee"
SUPERVISOR = "supervisor"
HEARTBEAT_S = 5.0  # the player's heartbeat


@dataclass(frozen=True)
class Cast:
    director: User
    certified: User
    expired: User
    halfway: User
    course: Course
    exam: Quiz
    hcc: Case
    haemangioma: Case


class NotEarned(Exception):
    """The certified trainee's records do not meet the requirements: nothing is forced."""


def _cast() -> Cast | None:
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["director", CERTIFIED, EXPIRED, HALFWAY])
    }
    course = Course.objects.filter(title_en=COURSE, status=PublicationStatus.PUBLISHED).first()
    exam = Quiz.objects.filter(title_en=quiz_text.EXAM["title"]).first()
    cases = {
        case.title_en: case
        for case in Case.objects.filter(
            title_en__in=[case_text.HCC["title"], case_text.HAEMANGIOMA["title"]],
            status=PublicationStatus.PUBLISHED,
        )
    }
    if len(users) < 4 or course is None or exam is None or len(cases) < 2:
        return None
    return Cast(
        director=users["director"],
        certified=users[CERTIFIED],
        expired=users[EXPIRED],
        halfway=users[HALFWAY],
        course=course,
        exam=exam,
        hcc=cases[case_text.HCC["title"]],
        haemangioma=cases[case_text.HAEMANGIOMA["title"]],
    )


def load_demo_certification(*, now: datetime.datetime | None = None) -> str:
    """Create the demo programme and its trainees' records; returns a line for the console.

    Adds nothing when any programme exists or the demo course, exam, cases or trainees are
    missing."""
    ensure_allowed()
    if Programme.objects.exists():
        return "Certification programmes already exist: demo certification not loaded."
    cast = _cast()
    if cast is None:
        return "Demo course, exam or trainees missing: demo certification not loaded."
    now = now or timezone.now()
    try:
        # The sign-off and certificate e-mails go out on commit: inside the override.
        with notifications.muted(), transaction.atomic():
            supervisor = county_supervisor(cast.director)
            programme = _programme(cast, now)
            _expired(cast, programme, supervisor, now)
            certificate = _certified(cast, programme, supervisor, now)
            _halfway(cast, supervisor, now)
    except NotEarned as exc:  # rolled back: a second run starts cleanly
        return f"Demo certification not loaded: {exc}"
    pending = LogbookEntry.objects.filter(status="pending").count()
    return (
        f"Demo certification loaded: “{programme.title}” (2 versions); {CERTIFIED} holds "
        f"certificate {certificate.code}, {EXPIRED}'s has expired, {HALFWAY} is halfway with "
        f"{pending} scans waiting for sign-off by {SUPERVISOR} (password {DEMO_PASSWORD!r})."
    )


# --- The programme ---------------------------------------------------------------------------


def _programme(cast: Cast, now: datetime.datetime) -> Programme:
    """Version 1 in force three years ago; version 2 (stricter exam, a recertification
    requirement) six months ago, its evidence counting from then."""
    director = cast.director
    programme = programme_create(
        by=director,
        **in_both_languages(
            text.ZH, title=text.PROGRAMME_TITLE, description=text.PROGRAMME_DESCRIPTION
        ),
        validity_months=text.VALIDITY_MONTHS,
        visibility=Visibility.NETWORK,
    )
    first = draft_version(programme)
    liver_scans = [ExamType.CEUS_LIVER.value]
    for fields in (
        {
            "kind": RequirementKind.COURSES,
            **in_both_languages(text.ZH, title=text.COURSE_TITLE),
            "courses": [cast.course],
        },
        {
            "kind": RequirementKind.QUIZ,
            "stage": RequirementStage.INITIAL,
            **in_both_languages(text.ZH, title=text.EXAM_TITLE),
            "quiz": cast.exam,
            "min_score": text.EXAM_MIN_SCORE_V1,
        },
        {
            "kind": RequirementKind.CASES,
            "stage": RequirementStage.INITIAL,
            **in_both_languages(text.ZH, title=text.CASES_TITLE),
            "count": text.CASES_COUNT,
            "organ": Organ.LIVER.value,
        },
        {
            "kind": RequirementKind.SCANS,
            "stage": RequirementStage.INITIAL,
            **in_both_languages(text.ZH, title=text.SCANS_TITLE),
            "count": text.SCANS_COUNT,
            "exam_types": liver_scans,
        },
        {
            "kind": RequirementKind.CME,
            **in_both_languages(text.ZH, title=text.CME_TITLE),
            "hours": text.CME_HOURS,
        },
    ):
        requirement_add(version=first, by=director, **fields)
    version_publish(
        version=first, by=director, notes=text.VERSION_1_NOTES, now=add_months(now, -36)
    )
    programme_update(programme=programme, by=director, status=PublicationStatus.PUBLISHED)

    second = version_create(programme=programme, by=director, notes=text.VERSION_2_NOTES)
    exam = second.requirements.get(kind=RequirementKind.QUIZ)
    requirement_update(requirement=exam, by=director, min_score=text.EXAM_MIN_SCORE)
    requirement_add(
        version=second,
        by=director,
        kind=RequirementKind.SCANS,
        stage=RequirementStage.RECERTIFICATION,
        **in_both_languages(text.ZH, title=text.RECERT_SCANS_TITLE),
        count=text.RECERT_SCANS_COUNT,
        exam_types=liver_scans,
    )
    version_publish(version=second, by=director, now=add_months(now, -6))
    return programme


# --- People and their records ----------------------------------------------------------------


def county_supervisor(director: User) -> User:
    """The instructor of the director's (county) hospital who signs off scans and grades the
    quiz demo's free-text answers; created once."""
    user, created = User.objects.get_or_create(
        username=SUPERVISOR,
        defaults={
            "first_name": "Hong",
            "last_name": "Sun",
            "email": f"{SUPERVISOR}@example.org",
            "role": User.Role.INSTRUCTOR,
            "institution": director.institution,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _complete_lessons(user: User, course: Course, count: int | None = None) -> None:
    lessons = Lesson.objects.filter(module__course=course).order_by("module__order", "order", "pk")
    for lesson in list(lessons)[:count]:
        complete_lesson(user=user, lesson=lesson)


def _watch(user: User, case: Case, *, at: datetime.datetime, fraction: float = 1.0) -> None:
    """Play ``fraction`` of each of the case's loops, one heartbeat every 5 s, from ``at``:
    the whole case makes it count as reviewed (``cases.services.learning``)."""
    moment = at
    for link in case.case_loops.select_related("loop").order_by("order", "pk"):
        target = float(link.loop.duration_s or 0.0) * fraction
        played = 0.0
        while played < target:
            step = min(HEARTBEAT_S, target - played)
            moment += timedelta(seconds=HEARTBEAT_S)
            played += step
            watch_heartbeat(
                case=case,
                user=user,
                loop_id=link.loop_id,
                played_s=step,
                position_s=played,
                now=moment,
            )


def _log(
    trainee: User, scan: str, *, days_ago: int, supervisor: User, now: datetime.datetime
) -> LogbookEntry:
    indication, findings, impression = text.SCANS[scan]
    data = {
        "performed_on": timezone.localdate(now) - timedelta(days=days_ago),
        "exam_type": ExamType.CEUS_LIVER,
        "organ": Organ.LIVER,
        "contrast_agent": text.AGENT,
        "indication": indication,
        "findings": findings,
        "impression": impression,
        "supervisor": supervisor,
    }
    # Not confirmed: a text that looked like an identifier would be refused here.
    return entry_create(trainee=trainee, data=data).entry


def _sign_off(
    entry: LogbookEntry,
    supervisor: User,
    now: datetime.datetime,
    *,
    adequacy: str = "",
    comment: str = "",
) -> LogbookEntry:
    """Approve (with ``adequacy``) or reject (without), two days after the scan."""
    at = min(now, now - timedelta(days=(timezone.localdate(now) - entry.performed_on).days - 2))
    return entry_review(
        entry=entry,
        by=supervisor,
        decision=Decision.APPROVE if adequacy else Decision.REJECT,
        adequacy=adequacy,
        comment=comment,
        now=at,
    )


def _certified(cast: Cast, programme: Programme, supervisor: User, now: datetime.datetime):
    """Every lesson, two liver cases, three signed-off scans; the exam was passed in the
    quiz demo. Then the engine decides."""
    user = cast.certified
    _complete_lessons(user, cast.course)
    _watch(user, cast.hcc, at=now - timedelta(days=45))
    _watch(user, cast.haemangioma, at=now - timedelta(days=44))
    for scan, days_ago, adequacy in (
        ("hcc_surveillance", 40, "good"),
        ("metastasis", 33, "adequate"),
        ("haemangioma", 26, "good"),
    ):
        entry = _log(user, scan, days_ago=days_ago, supervisor=supervisor, now=now)
        comment = text.APPROVAL_COMMENT if scan == "metastasis" else ""
        _sign_off(entry, supervisor, now, adequacy=adequacy, comment=comment)
    # Issued at the real moment, after every record above (a recertification counts only what
    # comes after the issue).
    certificate = issue_if_eligible(user=user, programme=programme)
    if certificate is None:
        left = "; ".join(r.left for r in evaluate(user, programme).requirements if r.left)
        raise NotEarned(f"{user.username} has not met every requirement ({left}).")
    return certificate


def _expired(cast: Cast, programme: Programme, supervisor: User, now: datetime.datetime):
    """Issued by hand 25 months ago on version 1 (24 months' validity), then expired by the
    nightly job's function; one new scan towards recertification."""
    issue_manually(
        user=cast.expired,
        programme=programme,
        by=cast.director,
        reason=text.MANUAL_ISSUE_REASON,
        now=add_months(now, -25),
    )
    expire_due(now)
    entry = _log(cast.expired, "fns", days_ago=10, supervisor=supervisor, now=now)
    _sign_off(entry, supervisor, now, adequacy="good")


def _halfway(cast: Cast, supervisor: User, now: datetime.datetime) -> None:
    """Five of nine lessons, one liver case reviewed and another half-watched, and four
    scans: one approved, one rejected with the supervisor's reason, two waiting."""
    user = cast.halfway
    _complete_lessons(user, cast.course, 5)
    _watch(user, cast.haemangioma, at=now - timedelta(days=21))
    _watch(user, cast.hcc, at=now - timedelta(days=3), fraction=0.4)
    approved = _log(user, "focal_fat", days_ago=20, supervisor=supervisor, now=now)
    _sign_off(approved, supervisor, now, adequacy="adequate")
    rejected = _log(user, "incomplete", days_ago=14, supervisor=supervisor, now=now)
    _sign_off(rejected, supervisor, now, comment=text.REJECTION_COMMENT)
    _log(user, "abscess", days_ago=6, supervisor=supervisor, now=now)
    _log(user, "haemangioma", days_ago=2, supervisor=supervisor, now=now)
