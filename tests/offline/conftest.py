"""A course module to study offline: a lesson linking a case (one ready loop with files, an ROI
with a curve), a draft lesson, a practice quiz and an exam on the module, and a trainee of the
hospital enrolled in the course."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from cases.models import Annotation
from core.scoping import PublicationStatus
from courses.models import Enrolment
from quizzes.models import QuestionKind, QuizKind
from tests.cases.factories import CaseFactory, ReadyLoopFactory, with_files
from tests.courses.factories import CourseFactory, LessonFactory, ModuleFactory
from tests.quizzes.factories import QuizFactory, make_question


@pytest.fixture
def study(cine_dirs, hospital, instructor, trainee):
    loop = with_files(ReadyLoopFactory(institution=hospital))
    case = CaseFactory(institution=hospital, loops=[loop], title="Rim nodule")
    roi = Annotation.objects.create(
        case=case,
        loop=loop,
        kind="ellipse",
        geometry={"cx": 100, "cy": 90, "rx": 20, "ry": 15},
        roi_role="lesion",
    )
    arrow = Annotation.objects.create(
        case=case, loop=loop, kind="arrow", geometry={"x1": 1, "y1": 2, "x2": 3, "y2": 4}
    )
    course = CourseFactory(institution=hospital, title="Liver CEUS")
    module = ModuleFactory(course=course, title="Wash-out")
    lesson = LessonFactory(
        module=module,
        title="Reading the late phase",
        body=f"Read [this case]({case.get_absolute_url()}) before the quiz.",
    )
    draft = LessonFactory(module=module, status=PublicationStatus.DRAFT, title="Coming soon")
    single = make_question(QuestionKind.SINGLE, institution=hospital, case=case)
    hotspot = make_question(QuestionKind.HOTSPOT, institution=hospital, loop=loop, case=case)
    practice = QuizFactory(
        institution=hospital, module=module, title="Wash-out practice", questions=[single, hotspot]
    )
    exam_question = make_question(QuestionKind.SINGLE, institution=hospital, case=case)
    exam = QuizFactory(
        institution=hospital,
        module=module,
        kind=QuizKind.EXAM,
        title="Wash-out exam",
        questions=[exam_question],
    )
    Enrolment.objects.create(user=trainee, course=course)
    return SimpleNamespace(
        loop=loop,
        case=case,
        roi=roi,
        arrow=arrow,
        course=course,
        module=module,
        lesson=lesson,
        draft=draft,
        single=single,
        hotspot=hotspot,
        practice=practice,
        exam=exam,
        exam_question=exam_question,
    )
