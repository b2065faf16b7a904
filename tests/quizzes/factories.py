"""factory_boy factories for the assessment app (published content unless told otherwise).

``make_question(kind, **kw)`` makes a valid question of every kind with its key. Keys, titles,
explanations and option feedback use distinctive values (``SECRETS``) so the no-leak tests can
look for them in what leaves the server.
"""

from __future__ import annotations

import factory

from core.scoping import PublicationStatus, Visibility
from quizzes.models import (
    CategoryVocabulary,
    Option,
    Question,
    QuestionKind,
    QuestionTag,
    Quiz,
    QuizDraw,
    QuizItem,
)
from quizzes.validation import clean_answer_key
from tests.cases.factories import CaseFactory, ReadyLoopFactory
from tests.factories import InstitutionFactory

PUBLISHED = PublicationStatus.PUBLISHED

# Key values nothing else on a payload contains (loop sizes, regions, points, tolerances).
NUMERIC_KEY = 47.25
TIME_KEY = 17.35
ELLIPSE_KEY = {"cx": 151.5, "cy": 117.25, "rx": 33.5, "ry": 21.75}
POLYGON_KEY = {"points": [[101.5, 83.5], [219.5, 83.5], [219.5, 161.5], [101.5, 161.5]]}
CATEGORY_KEY = "LR-5"
# Every number of the keys above: none may appear in what an open attempt shows.
KEY_NUMBERS = {
    NUMERIC_KEY,
    TIME_KEY,
    *ELLIPSE_KEY.values(),
    *(value for point in POLYGON_KEY["points"] for value in point),
}
SECRETS = {
    "title": "SECRET-TITLE",
    "explanation": "SECRET-EXPLANATION",
    "feedback": "SECRET-FEEDBACK",
    "rubric": "SECRET-RUBRIC",
}


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionTag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag-{n}")


class QuestionFactory(factory.django.DjangoModelFactory):
    """A published single-choice question without options (add them, or use make_question)."""

    class Meta:
        model = Question
        skip_postgeneration_save = True

    institution = factory.SubFactory(InstitutionFactory)
    visibility = Visibility.INSTITUTION
    status = PUBLISHED
    kind = QuestionKind.SINGLE
    title = factory.Sequence(lambda n: f"{SECRETS['title']} {n}")
    prompt = factory.Sequence(lambda n: f"Question prompt number {n}?")
    explanation = f"{SECRETS['explanation']} explained."
    points = 1.0

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(
                t if isinstance(t, QuestionTag) else TagFactory(name=t) for t in extracted
            )


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Option

    question = factory.SubFactory(QuestionFactory)
    text = factory.Sequence(lambda n: f"Option {n}")
    is_correct = False
    feedback = ""
    order = factory.Sequence(int)


class QuizFactory(factory.django.DjangoModelFactory):
    """A published quiz; ``questions=[...]`` adds fixed items in order, ``draws=[(tag, n)]``."""

    class Meta:
        model = Quiz
        skip_postgeneration_save = True

    institution = factory.SubFactory(InstitutionFactory)
    visibility = Visibility.INSTITUTION
    status = PUBLISHED
    title = factory.Sequence(lambda n: f"Quiz {n}")
    pass_mark = 60

    @factory.post_generation
    def questions(self, create, extracted, **kwargs):
        for order, question in enumerate(extracted or ()):
            QuizItem.objects.create(quiz=self, question=question, order=order)

    @factory.post_generation
    def draws(self, create, extracted, **kwargs):
        for order, (tag, count) in enumerate(extracted or ()):
            tag = tag if isinstance(tag, QuestionTag) else TagFactory(name=tag)
            QuizDraw.objects.create(quiz=self, tag=tag, count=count, order=order)


def _options(question: Question, specs: list[tuple[str, bool]]) -> None:
    for order, (text, correct) in enumerate(specs):
        OptionFactory(
            question=question,
            text=text,
            is_correct=correct,
            order=order,
            feedback=f"{SECRETS['feedback']} {order}",
        )


def make_question(kind: str, *, institution=None, loop=None, case=None, **kw) -> Question:
    """A valid, published question of ``kind`` with its key (checked by clean_answer_key).

    Loop kinds get a ready loop of the institution (or ``loop``) and, with ``case``, that
    case; ``kw`` overrides any Question field.
    """
    institution = institution or (case.institution if case else InstitutionFactory())
    fields: dict = {"institution": institution, "kind": kind}
    if kind in (QuestionKind.HOTSPOT, QuestionKind.DRAWN, QuestionKind.TIME_POINT):
        loop = loop or ReadyLoopFactory(institution=institution)
        fields["loop"] = loop
    if case is not None:
        fields["case"] = case
    if kind == QuestionKind.NUMERIC:
        fields |= {"answer": {"value": NUMERIC_KEY}, "tolerance": 2.5, "unit": "s"}
    elif kind == QuestionKind.HOTSPOT:
        fields |= {"answer": {"kind": "ellipse", "geometry": dict(ELLIPSE_KEY)}}
        fields["frame_time_s"] = 12.0
    elif kind == QuestionKind.DRAWN:
        fields |= {"answer": {"kind": "polygon", "geometry": {"points": POLYGON_KEY["points"]}}}
        fields |= {"frame_time_s": 12.0, "overlap_threshold": 0.5}
    elif kind == QuestionKind.TIME_POINT:
        fields |= {"answer": {"time_s": TIME_KEY}, "tolerance": 1.5}
    elif kind == QuestionKind.CATEGORY:
        fields |= {"answer": {"value": CATEGORY_KEY}, "vocabulary": CategoryVocabulary.LIRADS}
    elif kind == QuestionKind.FREE_TEXT:
        fields["rubric"] = f"{SECRETS['rubric']}: names the arterial phase."
    question = QuestionFactory(**(fields | kw))
    if kind == QuestionKind.SINGLE:
        _options(question, [("Haemangioma", False), ("HCC", True), ("FNH", False)])
    elif kind == QuestionKind.MULTIPLE:
        _options(question, [("Rim APHE", True), ("Early wash-out", True), ("Central scar", False)])
    elif kind == QuestionKind.TRUE_FALSE:
        _options(question, [("True", True), ("False", False)])
    elif kind == QuestionKind.ORDERING:
        _options(question, [("Arterial", False), ("Portal venous", False), ("Late", False)])
    clean_answer_key(question)
    return question


def correct_response(question: Question) -> dict:
    """A response earning full credit (free text: an answer for the grader)."""
    options = list(question.options.order_by("order", "pk"))
    kind = question.kind
    if kind in (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE):
        return {"option": next(o.pk for o in options if o.is_correct)}
    if kind == QuestionKind.MULTIPLE:
        return {"options": [o.pk for o in options if o.is_correct]}
    if kind == QuestionKind.ORDERING:
        return {"order": [o.pk for o in options]}
    if kind == QuestionKind.NUMERIC:
        return {"value": NUMERIC_KEY + 1}
    if kind == QuestionKind.HOTSPOT:
        return {"x": ELLIPSE_KEY["cx"] + 2, "y": ELLIPSE_KEY["cy"] - 2}
    if kind == QuestionKind.DRAWN:
        return {"points": [[100, 82], [220, 82], [220, 162], [100, 162]]}
    if kind == QuestionKind.TIME_POINT:
        return {"time_s": TIME_KEY - 0.5}
    if kind == QuestionKind.CATEGORY:
        return {"value": CATEGORY_KEY}
    return {"text": "Arterial phase hyperenhancement, then wash-out."}


def wrong_response(question: Question) -> dict:
    options = list(question.options.order_by("order", "pk"))
    kind = question.kind
    if kind in (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE):
        return {"option": next(o.pk for o in options if not o.is_correct)}
    if kind == QuestionKind.MULTIPLE:
        return {"options": [o.pk for o in options if not o.is_correct]}
    if kind == QuestionKind.ORDERING:
        return {"order": [o.pk for o in reversed(options)]}
    if kind == QuestionKind.NUMERIC:
        return {"value": NUMERIC_KEY + 10}
    if kind == QuestionKind.HOTSPOT:
        return {"x": 30.0, "y": 40.0}
    if kind == QuestionKind.DRAWN:
        return {"points": [[10, 10], [40, 10], [40, 40]]}
    if kind == QuestionKind.TIME_POINT:
        return {"time_s": TIME_KEY + 5}
    if kind == QuestionKind.CATEGORY:
        return {"value": "LR-1"}
    return {"text": "No idea."}


ALL_KINDS = [k.value for k in QuestionKind]

__all__ = [
    "ALL_KINDS",
    "CaseFactory",
    "OptionFactory",
    "QuestionFactory",
    "QuizFactory",
    "ReadyLoopFactory",
    "TagFactory",
    "correct_response",
    "make_question",
    "wrong_response",
]
