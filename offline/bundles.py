"""What "Save for offline" keeps on a device — the one place that decides it, for the save
endpoint and for the sync that checks again what a device holds.

A *bundle* names a case, a practice quiz or a course module by its ``key`` (``case:12``,
``quiz:7``, ``module:3``) and lists the addresses of ours that the device fetches and keeps:
the pages, the API reads those pages make (a case's payload and curves) and the loops' files
through the permission-checked media view (with an object store the device keeps the bytes
under our address, never the signed one it was redirected to). Every bundle also lists the two
pages the device needs to find its way offline: "Saved for offline" and the page shown for what
is not saved. The scripts and styles of the pages are found by the device in the pages.

Only published content the user may open now, de-identified and checked like every request:
- a case the user may read now (``cases.access``: not assessment-only, not locked by an exam
  in progress): its page (also in "test yourself" mode), its payload, the poster, thumbnails and
  offline rendition (``offline_video_url``) of its ready loops, the curves of its ROIs;
- a practice quiz that may be taken offline (``offline.rules``; never an exam): its page, the
  offline paper's page (``offline.papers``) and the loops its questions show;
- a module of a published course, unlocked for the user: the course page, the module's live
  lessons, the cases they link to and the module's practice quizzes, each as above — those that
  may not be kept are left out.

A key the user may not see raises ``NotVisible`` (404, or "gone" at a sync); one they see but
may not keep raises ``NotSaveable`` with the reason (403).

Public functions:
    parse_key(key) -> tuple[str, int]
    bundle_for(user, key) -> Bundle
    sync(user, keys) -> dict[str, Bundle | str]     (each key's bundle, or why it is gone)
    offline_video_url(loop) -> str | None
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from cases import access
from cases.models import Annotation, Case, CaseStatus
from cases.payload import TICS_URL_TEMPLATE
from cineloops.models import CineLoop
from cineloops.playback import lowest_rendition_url
from core.content_language import localized
from core.markdown import render_markdown
from courses.models import Lesson, Module
from courses.selectors import course_state
from offline.papers import paper_for
from offline.rules import quiz_refusal, unpublished_message
from quizzes.models import Question, Quiz, QuizKind
from quizzes.selectors import module_quizzes

KINDS = ("case", "module", "quiz")
_KEY = re.compile(r"^(case|module|quiz):([1-9][0-9]{0,17})$")
_HREF = re.compile(r'href="([^"]*)"')


class NotVisible(Exception):
    def __init__(self) -> None:
        self.message = _("This is not available to you any more.")
        super().__init__(self.message)


class NotSaveable(Exception):
    def __init__(self, message: str) -> None:
        self.message = str(message)
        super().__init__(self.message)


@dataclass(frozen=True)
class Bundle:
    key: str
    kind: str
    title: str
    context: str  # where it belongs ("" or the course of a module)
    url: str  # where it opens
    urls: tuple[str, ...] = field(default=())


def offline_video_url(loop: CineLoop) -> str | None:
    """The rendition of a loop that a device keeps: the lowest of the loop's renditions (every
    one has all the frames at the same timestamps, ``cineloops.playback``); the loop's one
    video when it has no lower ones."""
    return lowest_rendition_url(loop)


def parse_key(key: str) -> tuple[str, int]:
    """``("case", 12)`` from ``"case:12"``; ``ValueError`` for anything else."""
    match = _KEY.match(key or "")
    if match is None:
        raise ValueError(key)
    return match.group(1), int(match.group(2))


def bundle_for(user, key: str) -> Bundle:
    kind, pk = parse_key(key)
    builder = {"case": _case, "module": _module, "quiz": _quiz}[kind]
    return _with_shell(builder(user, pk))


def sync(user, keys: list[str]) -> dict[str, Bundle | str]:
    """What each key the device holds stands for now: its bundle (what to keep), or the reason
    it is gone (what to delete)."""
    found: dict[str, Bundle | str] = {}
    for key in dict.fromkeys(keys):
        try:
            found[key] = bundle_for(user, key)
        except (NotVisible, NotSaveable) as exc:
            found[key] = exc.message
    return found


def _with_shell(bundle: Bundle) -> Bundle:
    shell = (reverse("offline:saved"), reverse("offline:unavailable"))
    urls = tuple(dict.fromkeys((*bundle.urls, *shell)))
    return Bundle(bundle.key, bundle.kind, bundle.title, bundle.context, bundle.url, urls)


def _loop_urls(loops) -> list[str]:
    urls = []
    for loop in loops:
        kept = (loop.media_url("poster"), loop.media_url("thumbnails"), offline_video_url(loop))
        urls += [url for url in kept if url]
    return urls


def _ready_loops(user, loop_ids) -> list[CineLoop]:
    return list(
        CineLoop.objects.for_user(user)
        .filter(pk__in=list(loop_ids), status=CineLoop.Status.READY)
        .order_by("pk")
    )


# --- Cases ---------------------------------------------------------------------------------


def _case(user, pk: int) -> Bundle:
    case = Case.objects.for_user(user).filter(pk=pk).first()
    if case is None:
        raise NotVisible()
    if case.status != CaseStatus.PUBLISHED:
        raise NotSaveable(unpublished_message())
    refusal = access.case_refusal(user, case)
    if refusal:
        raise NotSaveable(refusal)
    page = case.get_absolute_url()
    loops = _ready_loops(user, case.case_loops.values_list("loop_id", flat=True))
    curves = [
        TICS_URL_TEMPLATE.format(loop=roi.loop_id, annotation=roi.pk)
        for roi in Annotation.objects.filter(case=case, loop__in=loops).order_by("pk")
        if roi.is_roi
    ]
    urls = [
        page,
        f"{page}?mode=test",
        reverse("api-case-detail", kwargs={"pk": case.pk}),
        *_loop_urls(loops),
        *curves,
    ]
    return Bundle(f"case:{case.pk}", "case", case.title, "", page, tuple(urls))


# --- Practice quizzes ----------------------------------------------------------------------


def _quiz(user, pk: int) -> Bundle:
    quiz = Quiz.objects.for_user(user).filter(pk=pk).first()
    if quiz is None:
        raise NotVisible()
    refusal = quiz_refusal(user, quiz)
    if refusal:
        raise NotSaveable(refusal)
    paper = paper_for(user=user, quiz=quiz)
    question_ids = [entry["question"] for entry in paper.paper]
    loop_ids = Question.objects.filter(pk__in=question_ids, loop__isnull=False).values_list(
        "loop_id", flat=True
    )
    urls = [
        quiz.get_absolute_url(),
        reverse("offline:quiz_take", kwargs={"pk": quiz.pk}),
        *_loop_urls(_ready_loops(user, loop_ids)),
    ]
    return Bundle(f"quiz:{quiz.pk}", "quiz", quiz.title, "", quiz.get_absolute_url(), tuple(urls))


# --- Modules -------------------------------------------------------------------------------


def _module(user, pk: int) -> Bundle:
    module = Module.objects.for_user(user).select_related("course").filter(pk=pk).first()
    if module is None:
        raise NotVisible()
    course = module.course
    if not (module.is_published and course.is_published):
        raise NotSaveable(unpublished_message())
    state = course_state(user, course).module_state(module.pk)
    if state is None or not state.unlocked:
        raise NotSaveable(_("This module is locked: finish its prerequisite modules first."))
    lessons = list(Lesson.objects.for_user(user).live().filter(module=module).in_course_order())
    urls = [course.get_absolute_url(), *(lesson.get_absolute_url() for lesson in lessons)]
    lesson_module = {lesson.pk: module.pk for lesson in lessons}
    parts = [
        (_quiz, item.quiz.pk)
        for item in module_quizzes(user, [module.pk], lesson_module)
        if item.quiz.kind == QuizKind.PRACTICE
    ] + [(_case, case_pk) for case_pk in _linked_cases(lessons)]
    for builder, part_pk in parts:
        try:
            urls += builder(user, part_pk).urls
        except (NotVisible, NotSaveable):
            continue  # kept without it: the lesson's link says so when followed offline
    page = f"{course.get_absolute_url()}#module-{module.pk}"
    return Bundle(f"module:{module.pk}", "module", module.title, course.title, page, tuple(urls))


def _linked_cases(lessons: list[Lesson]) -> list[int]:
    """The cases the lessons' texts link to (in any language), in order of appearance."""
    ours = urlsplit(settings.PLATFORM_BASE_URL).netloc
    found: list[int] = []
    for lesson in lessons:
        for name in localized("body"):
            for href in _HREF.findall(render_markdown(getattr(lesson, name, "") or "")):
                parts = urlsplit(unescape(href))
                if parts.netloc and parts.netloc != ours:
                    continue
                try:
                    match = resolve(parts.path)
                except Resolver404:
                    continue
                if match.view_name == "cases:detail":
                    found.append(int(match.kwargs["pk"]))
    return list(dict.fromkeys(found))
