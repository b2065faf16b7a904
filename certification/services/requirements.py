"""One check per kind of requirement, on evidence already loaded (no queries here).

Every check answers ``(done, needed, met)`` and two translated sentences: what is done and what
is left. ``since`` is the start of the user's evidence window: the version's ``counts_from``,
or for recertification the later of that and the previous certificate's issue (None: no limit).

The rules, kind by kind:

- courses: each listed course is complete as on the course page (``courses.progress``): the
  course is visible to the user, has something to do, every live lesson is completed and every
  published quiz the user may see on its live modules and lessons is passed. Completion is
  permanent (a lesson is completed once), so no window applies.
- quiz: the user's attempts SUBMITTED in the window, not waiting for grading; the best percent
  must reach ``min_score`` (the quiz's pass mark when empty).
- cases: published cases the user reviewed (``CaseWatch.reviewed_at``) in the window, of
  ``organ`` and ``category`` when set.
- scans: approved logbook entries, not judged inadequate, of ``exam_types`` (any when empty)
  and ``organ`` when set, performed on or after the window's first day (local date), and not
  superseded by an approved correction.
- cme: ``estimated_minutes`` / 60 of live lessons completed in the window (of the listed
  courses when there are any).
- prerequisite: a certificate of the required programme with status issued and not past its
  expiry at ``now``.
- consults: consultations the user asked that an expert centre answered in the window
  (``consults.selectors.answered_consults``: the expert's report beside their own reading),
  of ``organ`` when set.
- live_hours: hours of live teaching sessions that ended in the window, counted as the time
  the user had the room in view (``live.selectors.live_hours``: active time, capped by the time
  connected, between the session's start and end).

A requirement missing its parameter (no quiz, no course, no count …) is never met: a mistake
in authoring must not hand out certificates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.models import Organ
from certification.models import Adequacy, ExamType, Requirement, RequirementKind
from certification.services.evidence import Evidence
from core.scoping import may_see
from quizzes.models import AttemptStatus
from quizzes.services.results import grade_from_attempts


@dataclass(frozen=True)
class Check:
    done: float
    needed: float
    met: bool
    summary: str
    left: str


def _not_set_up() -> Check:
    message = _("This requirement is not set up yet.")
    return Check(0, 0, False, message, message)


def _in_window(moment: datetime | None, since: datetime | None) -> bool:
    return moment is not None and (since is None or moment >= since)


def check_courses(req: Requirement, user, ev: Evidence, since, now) -> Check:
    courses = sorted(req.courses.all(), key=lambda c: (c.title, c.pk))
    if not courses:
        return _not_set_up()
    missing = [course.title for course in courses if not course_complete(user, ev, course.pk)]
    needed = len(courses)
    done = needed - len(missing)
    summary = ngettext(
        "%(done)d of %(needed)d course completed",
        "%(done)d of %(needed)d courses completed",
        needed,
    ) % {"done": done, "needed": needed}
    left = _("Complete: %(courses)s") % {"courses": ", ".join(missing)} if missing else ""
    return Check(done, needed, not missing, summary, left)


def course_complete(user, ev: Evidence, course_id: int) -> bool:
    content = ev.courses.get(course_id)
    if content is None or not may_see(user, content.course):
        return False
    completed = ev.completions.get(user.pk, {})
    quizzes = [quiz for quiz in content.quizzes if may_see(user, quiz)]
    if not content.lesson_ids and not quizzes:
        return False
    if any(lesson_id not in completed for lesson_id in content.lesson_ids):
        return False
    return all(
        grade_from_attempts(quiz, ev.attempts.get((user.pk, quiz.pk), [])).passed
        for quiz in quizzes
    )


def check_quiz(req: Requirement, user, ev: Evidence, since, now) -> Check:
    quiz = req.quiz
    if quiz is None:
        return _not_set_up()
    threshold = float(req.min_score if req.min_score is not None else quiz.pass_mark)
    percents = [
        attempt.percent
        for attempt in ev.attempts.get((user.pk, quiz.pk), [])
        if attempt.status == AttemptStatus.SUBMITTED
        and not attempt.needs_grading
        and attempt.percent is not None
        and _in_window(attempt.submitted_at, since)
    ]
    best = max(percents) if percents else None
    met = best is not None and best >= threshold
    values = {"quiz": quiz.title, "needed": threshold}
    if best is None:
        summary = _("“%(quiz)s”: no graded attempt yet (%(needed).0f %% needed)") % values
    else:
        summary = _("“%(quiz)s”: best score %(best).0f %% (%(needed).0f %% needed)") % {
            **values,
            "best": best,
        }
    left = "" if met else _("Pass “%(quiz)s” with at least %(needed).0f %%") % values
    return Check(best or 0.0, threshold, met, summary, left)


def check_cases(req: Requirement, user, ev: Evidence, since, now) -> Check:
    if req.count is None:
        return _not_set_up()
    done = sum(
        1
        for at, organ, category in ev.cases.get(user.pk, [])
        if _in_window(at, since)
        and (not req.organ or organ == req.organ)
        and (not req.category or category == req.category)
    )
    what = " ".join(part for part in (_organ(req.organ), req.category) if part)
    summary = ngettext(
        "%(done)d of %(needed)d published %(what)s case reviewed",
        "%(done)d of %(needed)d published %(what)s cases reviewed",
        req.count,
    ) % {"done": done, "needed": req.count, "what": what}
    return Check(done, req.count, done >= req.count, " ".join(summary.split()), _left(req, done))


def _organ(value: str) -> str:
    return str(dict(Organ.choices).get(value, value)) if value else ""


def _left(req: Requirement, done: float) -> str:
    missing = int(req.count or 0) - int(done)
    if missing <= 0:
        return ""
    if req.kind == RequirementKind.SCANS:
        return ngettext("%(n)d more signed-off scan", "%(n)d more signed-off scans", missing) % {
            "n": missing
        }
    if req.kind == RequirementKind.CONSULTS:
        return ngettext(
            "%(n)d more consultation answered by an expert",
            "%(n)d more consultations answered by an expert",
            missing,
        ) % {"n": missing}
    return ngettext("%(n)d more case to review", "%(n)d more cases to review", missing) % {
        "n": missing
    }


def check_scans(req: Requirement, user, ev: Evidence, since, now) -> Check:
    if req.count is None:
        return _not_set_up()
    first_day = timezone.localdate(since) if since is not None else None
    exam_types = set(req.exam_types or [])
    done = sum(
        1
        for entry in ev.entries.get(user.pk, [])
        if entry.adequacy != Adequacy.INADEQUATE
        and entry.pk not in ev.superseded
        and (not exam_types or entry.exam_type in exam_types)
        and (not req.organ or entry.organ == req.organ)
        # Performed in the window, and signed off in it: a scan approved before a certificate
        # was issued was evidence for that certificate, never again for its renewal (a date
        # alone cannot tell the scans of the issue day apart).
        and (first_day is None or entry.performed_on >= first_day)
        and _in_window(entry.reviewed_at, since)
    )
    labels = ", ".join(str(dict(ExamType.choices).get(t, t)) for t in req.exam_types or [])
    labels = labels or _organ(req.organ)
    summary = ngettext(
        "%(done)d of %(needed)d supervised %(what)s scan",
        "%(done)d of %(needed)d supervised %(what)s scans",
        req.count,
    ) % {"done": done, "needed": req.count, "what": labels}
    return Check(done, req.count, done >= req.count, " ".join(summary.split()), _left(req, done))


def check_consults(req: Requirement, user, ev: Evidence, since, now) -> Check:
    if req.count is None:
        return _not_set_up()
    done = sum(
        1
        for at, organ in ev.consults.get(user.pk, [])
        if _in_window(at, since) and (not req.organ or organ == req.organ)
    )
    summary = ngettext(
        "%(done)d of %(needed)d %(what)s consultation answered by an expert",
        "%(done)d of %(needed)d %(what)s consultations answered by an expert",
        req.count,
    ) % {"done": done, "needed": req.count, "what": _organ(req.organ)}
    return Check(done, req.count, done >= req.count, " ".join(summary.split()), _left(req, done))


def check_cme(req: Requirement, user, ev: Evidence, since, now) -> Check:
    if req.hours is None:
        return _not_set_up()
    course_ids = {course.pk for course in req.courses.all()}
    minutes = sum(
        mins
        for at, mins, course_id in ev.cme.get(user.pk, [])
        if _in_window(at, since) and (not course_ids or course_id in course_ids)
    )
    done = round(minutes / 60, 2)
    met = done >= req.hours
    summary = _("%(done)s of %(needed)s CME hours") % {
        "done": _hours(done),
        "needed": _hours(req.hours),
    }
    left = "" if met else _("%(n)s more CME hours") % {"n": _hours(req.hours - done)}
    return Check(done, float(req.hours), met, summary, left)


def check_live_hours(req: Requirement, user, ev: Evidence, since, now) -> Check:
    if req.hours is None:
        return _not_set_up()
    hours = sum(h for at, h in ev.live.get(user.pk, []) if _in_window(at, since))
    done = round(hours, 2)
    met = done >= req.hours
    summary = _("%(done)s of %(needed)s hours of live teaching") % {
        "done": _hours(done),
        "needed": _hours(req.hours),
    }
    left = "" if met else _("%(n)s more hours of live teaching") % {"n": _hours(req.hours - done)}
    return Check(done, float(req.hours), met, summary, left)


def _hours(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def check_prerequisite(req: Requirement, user, ev: Evidence, since, now) -> Check:
    programme = req.prerequisite
    if programme is None:
        return _not_set_up()
    held = any(
        certificate.expires_at is None or certificate.expires_at > now
        for certificate in ev.certificates.get((user.pk, programme.pk), [])
    )
    values = {"programme": programme.title}
    if held:
        return Check(1, 1, True, _("Holds a valid “%(programme)s” certificate") % values, "")
    return Check(
        0,
        1,
        False,
        _("No valid “%(programme)s” certificate") % values,
        _("Obtain the “%(programme)s” certificate") % values,
    )


CHECKS: dict[str, Callable[..., Check]] = {
    RequirementKind.COURSES: check_courses,
    RequirementKind.QUIZ: check_quiz,
    RequirementKind.CASES: check_cases,
    RequirementKind.SCANS: check_scans,
    RequirementKind.CME: check_cme,
    RequirementKind.PREREQUISITE: check_prerequisite,
    RequirementKind.CONSULTS: check_consults,
    RequirementKind.LIVE_HOURS: check_live_hours,
}


def check(req: Requirement, user, ev: Evidence, since: datetime | None, now: datetime) -> Check:
    fn = CHECKS.get(req.kind)
    return fn(req, user, ev, since, now) if fn else _not_set_up()
