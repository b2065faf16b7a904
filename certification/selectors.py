"""Reads for the certification pages and API: which programmes a user sees or manages, the
director's cohort table (a row per trainee, a column per requirement), the sign-off backlog,
certificates about to expire and the latest audit events; the certificates a list shows; the
logbook entries, their loops and the sign-off queue.

The cohort table evaluates everyone at once (``evaluation.evaluate_many``): its cost does not
grow in queries with the number of trainees.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Institution, User
from certification.models import (
    AuditEvent,
    Certificate,
    CertificateStatus,
    EntryStatus,
    ExamType,
    LogbookEntry,
    Programme,
    ProgrammeVersion,
    Requirement,
    RequirementKind,
)
from certification.services import logbook
from certification.services.evaluation import (
    ProgrammeProgress,
    RequirementProgress,
    current_version,
    evaluate_many,
)
from cineloops.models import CineLoop
from core.scoping import Visibility, managed_q, visible_q
from courses.models import Cohort

EXPIRY_WINDOW_DAYS = 90
NEXT_STEPS = 3


# --- Which programmes ------------------------------------------------------------------------


def manageable_programmes(user: User) -> QuerySet[Programme]:
    """Programmes the user manages: all for site admins, their institution's for directors
    (``core.scoping.manage_rule``, as ``certificates.can_manage`` reads it in Python)."""
    return Programme.objects.filter(managed_q(user))


def published_programmes_for(user: User) -> QuerySet[Programme]:
    """Published programmes the user may see that have a version in force."""
    in_force = ProgrammeVersion.objects.filter(programme=OuterRef("pk"), published_at__isnull=False)
    return (
        Programme.objects.for_user(user)
        .published()
        .filter(Exists(in_force))
        .select_related("institution")
    )


# --- The director's cohort table -------------------------------------------------------------


@dataclass
class CohortRow:
    trainee: User
    progress: ProgrammeProgress
    # One per column of the table; None where the requirement does not apply to the
    # trainee's stage (initial certification or recertification).
    cells: list[RequirementProgress | None]
    certificate: Certificate | None = None


@dataclass
class CohortTable:
    programme: Programme
    version: ProgrammeVersion | None
    requirements: list[Requirement]
    rows: list[CohortRow] = field(default_factory=list)


def institution_choices(programme: Programme, viewer: User) -> QuerySet[Institution]:
    """Institutions whose trainees may follow the programme and the viewer may look at: every
    hospital for a programme shared with the network (or for site admins), else its own."""
    if viewer.is_site_admin or programme.visibility == Visibility.NETWORK:
        return Institution.objects.all()
    return Institution.objects.filter(pk=programme.institution_id)


def cohort_choices(programme: Programme, viewer: User) -> QuerySet[Cohort]:
    cohorts = Cohort.objects.manageable_by(viewer).select_related("institution")
    return cohorts.filter(institution__in=institution_choices(programme, viewer))


def cohort_trainees(
    programme: Programme,
    *,
    viewer: User,
    institution: Institution | None = None,
    cohort: Cohort | None = None,
) -> QuerySet[User]:
    """Active trainees who can follow the programme, narrowed by institution and cohort."""
    trainees = get_user_model().objects.filter(
        role=User.Role.TRAINEE,
        is_active=True,
        institution__in=institution_choices(programme, viewer),
    )
    if institution is not None:
        trainees = trainees.filter(institution=institution)
    if cohort is not None:
        trainees = trainees.filter(cohorts=cohort)
    return trainees.select_related("institution").order_by("last_name", "first_name", "pk")


def _sort_key(row: CohortRow) -> tuple:
    name = (row.trainee.get_full_name() or row.trainee.username).casefold()
    return (-row.progress.percent, not row.progress.met, name)


def cohort_table(
    programme: Programme, trainees: QuerySet[User], *, now: datetime | None = None
) -> CohortTable:
    """Every trainee's progress on the version in force, highest overall progress first."""
    now = now or timezone.now()
    version = current_version(programme)
    if version is None:
        return CohortTable(programme=programme, version=None, requirements=[])
    requirements = list(version.requirements.order_by("order", "pk"))
    people = list(trainees)
    progress = evaluate_many(people, programme, now=now)
    valid = {
        c.holder_id: c
        for c in Certificate.objects.filter(
            programme=programme, holder__in=[p.pk for p in people], status=CertificateStatus.ISSUED
        )
    }
    rows = []
    for person in people:
        result = progress[person.pk]
        by_requirement = {rp.requirement.pk: rp for rp in result.requirements}
        cells = [by_requirement.get(req.pk) for req in requirements]
        rows.append(CohortRow(person, result, cells, valid.get(person.pk)))
    rows.sort(key=_sort_key)
    return CohortTable(programme=programme, version=version, requirements=requirements, rows=rows)


def amount(value: float) -> str:
    """12.0 → "12", 2.5 → "2.5": counts read as whole numbers, hours keep a decimal."""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def cohort_csv_rows(table: CohortTable) -> list[list]:
    """The cohort table as CSV rows: who, overall progress, then "done/needed" per requirement
    (with "✓" when met, "—" when it does not apply)."""
    header = [_("Trainee"), _("Username"), _("Institution"), _("Progress (%)"), _("All met")]
    header += [str(req) for req in table.requirements]
    header.append(_("Certificate valid until"))
    rows: list[list] = [header]
    for row in table.rows:
        trainee = row.trainee
        line = [
            trainee.get_full_name(),
            trainee.username,
            str(trainee.institution or ""),
            row.progress.percent,
            _("yes") if row.progress.met else _("no"),
        ]
        for cell in row.cells:
            if cell is None:
                line.append("—")
            else:
                mark = " ✓" if cell.met else ""
                line.append(f"{amount(cell.done)}/{amount(cell.needed)}{mark}")
        expires = row.certificate.expires_at if row.certificate else None
        line.append(expires.date().isoformat() if expires else "")
        rows.append(line)
    return rows


# --- Director's side panels ------------------------------------------------------------------


def pending_signoffs(trainees: QuerySet[User]) -> int:
    """Logbook entries of these trainees waiting for a supervisor's sign-off."""
    return LogbookEntry.objects.filter(
        status=EntryStatus.PENDING, trainee__in=trainees.values("pk")
    ).count()


def expiring_certificates(
    programme: Programme, *, now: datetime | None = None, days: int = EXPIRY_WINDOW_DAYS
) -> QuerySet[Certificate]:
    now = now or timezone.now()
    return (
        Certificate.objects.filter(
            programme=programme,
            status=CertificateStatus.ISSUED,
            expires_at__gt=now,
            expires_at__lte=now + timedelta(days=days),
        )
        .select_related("holder")
        .order_by("expires_at", "pk")
    )


def recent_audit(programme: Programme, limit: int = 10) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(programme=programme).select_related(
            "actor", "subject", "certificate"
        )[:limit]
    )


# --- The trainee's dashboard -----------------------------------------------------------------


@dataclass
class Step:
    text: str
    links: list[tuple[str, str]]  # (label, url)


def next_steps(progress: ProgrammeProgress, limit: int = NEXT_STEPS) -> list[Step]:
    """What to do next: the first unmet requirements, each with where to do it."""
    steps = []
    for rp in progress.requirements:
        if rp.met:
            continue
        steps.append(Step(text=rp.left or rp.summary, links=_links(rp.requirement)))
        if len(steps) == limit:
            break
    return steps


def _links(req: Requirement) -> list[tuple[str, str]]:
    kind = req.kind
    if kind == RequirementKind.COURSES:
        return [(course.title, course.get_absolute_url()) for course in req.courses.all()]
    if kind == RequirementKind.QUIZ and req.quiz_id:
        return [(req.quiz.title, reverse("quizzes:detail", kwargs={"pk": req.quiz_id}))]
    if kind == RequirementKind.CASES:
        query = {k: v for k, v in (("organ", req.organ), ("category", req.category)) if v}
        url = reverse("cases:library") + (f"?{urlencode(query)}" if query else "")
        return [(_("Case library"), url)]
    if kind == RequirementKind.SCANS:
        return [(_("Log a scan"), reverse("certification:logbook_new"))]
    if kind == RequirementKind.CME:
        return [(_("Courses"), reverse("courses:catalogue"))]
    if kind == RequirementKind.CONSULTS:
        return [(_("Ask an expert centre"), reverse("consults:new"))]
    if kind == RequirementKind.PREREQUISITE and req.prerequisite_id:
        return [(req.prerequisite.title, req.prerequisite.get_absolute_url())]
    return []


def certificates_held(user: User) -> QuerySet[Certificate]:
    return (
        Certificate.objects.filter(holder=user)
        .select_related("programme", "version")
        .order_by("-issued_at", "-pk")
    )


def version_requirements(version: ProgrammeVersion) -> QuerySet[Requirement]:
    return version.requirements.select_related("quiz", "prerequisite").prefetch_related("courses")


def manages_any_programme(user: User) -> bool:
    return manageable_programmes(user).exists()


def programmes_to_direct(user: User) -> QuerySet[Programme]:
    """The programmes the director's view offers: those the user manages, by title."""
    return manageable_programmes(user).order_by("title", "pk")


def programmes_listed_for(user: User) -> QuerySet[Programme]:
    """What the programme API lists: published programmes (with a version in force) the user
    may follow, and those they manage (drafts included), by title."""
    published = published_programmes_for(user).values("pk")
    managed = manageable_programmes(user).values("pk")
    return (
        Programme.objects.filter(Q(pk__in=published) | Q(pk__in=managed))
        .select_related("institution")
        .order_by("title", "pk")
    )


def programmes_open_to(user: User) -> QuerySet[Programme]:
    """Programmes whose page the user may open: those visible to them, and those they manage."""
    managed = manageable_programmes(user).values("pk")
    return Programme.objects.filter(visible_q(user) | Q(pk__in=managed)).select_related(
        "institution"
    )


def programme_versions(programme: Programme) -> QuerySet[ProgrammeVersion]:
    """Every version of the programme, newest first."""
    return programme.versions.order_by("-number")


def requirements_in_order(version: ProgrammeVersion) -> QuerySet[Requirement]:
    return version.requirements.order_by("order", "pk")


# --- Certificates ------------------------------------------------------------------------------


def narrow_certificates(
    certificates: QuerySet[Certificate], *, holder: int | None, programme: int | None
) -> QuerySet[Certificate]:
    """``certificates`` (those a user may see: ``access.certificates_for``) of one holder
    and/or one programme when given, newest first."""
    if holder is not None:
        certificates = certificates.filter(holder_id=holder)
    if programme is not None:
        certificates = certificates.filter(programme_id=programme)
    return certificates.order_by("-issued_at", "-pk")


def revocable_certificates(user: User) -> QuerySet[Certificate]:
    """Certificates of the programmes the user manages, with programme and holder."""
    return Certificate.objects.filter(programme__in=manageable_programmes(user)).select_related(
        "programme", "holder"
    )


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate with this verification code, whoever asks (the public page)."""
    return Certificate.objects.select_related("programme", "version").filter(code=code).first()


# --- Logbook -----------------------------------------------------------------------------------


def own_entries(trainee: User) -> QuerySet[LogbookEntry]:
    """The trainee's own entries (only they edit or correct them)."""
    return LogbookEntry.objects.filter(trainee=trainee)


def own_entry(trainee: User, pk: int) -> LogbookEntry | None:
    return own_entries(trainee).filter(pk=pk).first()


def own_logbook(user: User) -> list[LogbookEntry]:
    """The user's own entries with their review and corrections."""
    return list(
        own_entries(user).select_related("reviewed_by", "corrects").prefetch_related("corrections")
    )


def logbook_entries(
    user: User, *, status: str = "", exam_type: str = "", trainee: int | None = None
) -> QuerySet[LogbookEntry]:
    """Entries the user may see (``logbook.entries_visible_to``) with their loops and
    corrections; of one status, exam type or trainee when given (unknown values ignored)."""
    entries = logbook.entries_visible_to(user).prefetch_related("loops", "corrections")
    if status in EntryStatus.values:
        entries = entries.filter(status=status)
    if exam_type in ExamType.values:
        entries = entries.filter(exam_type=exam_type)
    if trainee is not None:
        entries = entries.filter(trainee_id=trainee)
    return entries


def entry_corrections(entry: LogbookEntry) -> list[LogbookEntry]:
    return list(entry.corrections.order_by("pk"))


def visible_loop_ids(viewer: User, loops: Iterable[CineLoop]) -> set[int]:
    """Which of ``loops`` (an entry's) the viewer may see: the others show their status only."""
    return set(
        CineLoop.objects.for_user(viewer)
        .filter(pk__in=[loop.pk for loop in loops])
        .values_list("pk", flat=True)
    )


def loops_by_ids(ids: Iterable[int]) -> list[CineLoop]:
    """The loops of ``ids`` that exist (the logbook service decides which may be attached)."""
    return list(CineLoop.objects.filter(pk__in=list(ids)))


def supervisor_for(trainee: User, pk: int) -> User | None:
    """Instructor ``pk`` when the trainee may ask them to sign off, else None."""
    return logbook.supervisors_for(trainee).filter(pk=pk).first()


def signoff_trainees(user: User) -> QuerySet[User]:
    """The trainees with entries in the user's sign-off queue, by name."""
    queue = logbook.entries_to_sign_off(user)
    return User.objects.filter(pk__in=queue.values("trainee")).order_by(
        "last_name", "first_name", "username"
    )


def signoff_queue(
    user: User, *, trainee: int | None = None, exam_type: str = "", supervised: bool = False
) -> QuerySet[LogbookEntry]:
    """The user's sign-off queue (``logbook.entries_to_sign_off``), of one trainee or exam
    type when given, or only the entries naming the user as supervisor."""
    queue = logbook.entries_to_sign_off(user)
    if trainee is not None:
        queue = queue.filter(trainee_id=trainee)
    if exam_type in ExamType.values:
        queue = queue.filter(exam_type=exam_type)
    if supervised:
        queue = queue.filter(supervisor=user)
    return queue


def version_requirements_to_edit(version: ProgrammeVersion) -> QuerySet[Requirement]:
    """The version's requirements with their version and programme (the requirement form)."""
    return Requirement.objects.select_related("version__programme").filter(version=version)
