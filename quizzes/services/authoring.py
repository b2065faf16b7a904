"""Authoring the bank and quizzes. Every key is checked with ``quizzes.validation``.

Public functions (keyword-only; ``by`` is the author, an instructor or a site admin):

    create_question(*, by, kind, title="", prompt="", options=(), tags=(), true_is_correct=None,
                    institution=None, **fields) -> Question
        Each text (title, prompt, explanation) may instead be given per language: ``title_en``,
        ``title_zh_hans`` …; so may an option's (``text_en``, ``feedback_zh_hans`` …).
        ``options``: [{"text", "is_correct"=False, "feedback"="", "order"=index}, ...] for
        single / multiple / ordering (ordering: ``order`` is the right order, defaulting to the
        list order). True/false questions get two options "True" / "False" made here (in
        both languages), the correct one chosen by ``true_is_correct``. ``tags``: tag names
        (created when new). ``fields``: any other Question field (explanation, points, case,
        loop, frame_time_s, answer, tolerance, unit, partial_credit, overlap_metric,
        overlap_threshold, vocabulary, rubric, status, visibility).
    update_question(*, question, by, options=None, tags=None, true_is_correct=None,
                    **fields) -> Question
        ``options`` None keeps them; a list replaces them (an item with "id" updates that
        option, one without is added, options left out are deleted).
    create_quiz(*, by, title="", items=(), draws=(), institution=None, **fields) -> Quiz
        ``items``: questions asked in every attempt, in order; ``draws``: (tag or tag name,
        count) pairs. ``fields``: any other Quiz field, texts also per language
        (``title_en``, ``description_zh_hans`` …).
    update_quiz(*, quiz, by, items=None, draws=None, **fields) -> Quiz
    add_quiz_item(*, quiz, by, question) -> QuizItem
    add_quiz_draw(*, quiz, by, tag, count) -> QuizDraw

Raise ``NotAllowed`` when ``by`` may not author here, ``ValidationError`` for content that
cannot be saved (an incomplete key, a case or loop the author may not see, a lesson or module
of a course they may not edit, a published quiz without questions).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from modeltranslation.utils import build_localized_fieldname

from core.authoring import apply_translations
from core.content_language import localized
from core.scoping import PublicationStatus, Visibility, acts_for, default_visibility
from quizzes.models import Option, Question, QuestionKind, QuestionTag, Quiz, QuizDraw, QuizItem
from quizzes.services.errors import NotAllowed
from quizzes.services.paper import usable_bank_q
from quizzes.sharing import quiz_hidden_dependencies
from quizzes.validation import clean_answer_key

# Stored in both languages at creation; these two strings are in the catalogue.
TRUE_TEXT = gettext_noop("True")
FALSE_TEXT = gettext_noop("False")
# Texts set per language (``title_en``, ``title_zh_hans`` …) as well as through the plain name.
QUIZ_TEXTS = ("title", "description")
QUESTION_TEXTS = ("title", "prompt", "explanation")
OPTION_TEXTS = ("text", "feedback")


def _pop_translations(fields: dict[str, Any], texts: Sequence[str]) -> dict[str, Any]:
    """Take the per-language values of ``texts`` out of ``fields``."""
    names = set(localized(*texts))
    return {name: fields.pop(name) for name in list(fields) if name in names}


def _in_every_language(message: str) -> dict[str, str]:
    """``text_en``, ``text_zh_hans`` …: a catalogue string in each content language."""
    values = {}
    for code in settings.MODELTRANSLATION_LANGUAGES:
        with translation.override(code):
            values[build_localized_fieldname("text", code)] = translation.gettext(message)
    return values


def _require_author(by, institution_id: int | None = None) -> None:
    if not getattr(by, "is_authenticated", False) or not by.can_author:
        raise NotAllowed(_("Only instructors may author quizzes."))
    if institution_id is not None and not acts_for(by, institution_id):
        raise NotAllowed()


def _institution(by, institution):
    institution = institution or by.institution
    if institution is None:
        raise ValidationError(_("Choose the institution that owns this content."))
    _require_author(by, institution.pk)
    return institution


def _check_sources(question: Question, by) -> None:
    """The case and loop shown must be ones the author may see."""
    from cases.models import Case, CaseLoop
    from cineloops.models import CineLoop

    if question.case_id and not Case.objects.for_user(by).filter(pk=question.case_id).exists():
        raise ValidationError(_("You may not use this case."))
    if question.loop_id and not CineLoop.objects.for_user(by).filter(pk=question.loop_id).exists():
        raise ValidationError(_("You may not use this cine loop."))
    if question.case_id and question.loop_id:
        linked = CaseLoop.objects.filter(case_id=question.case_id, loop_id=question.loop_id)
        if not linked.exists():
            raise ValidationError(_("The loop must be one of the case's loops."))


def _option_objects(question: Question, options, true_is_correct) -> list[Option] | None:
    if question.kind == QuestionKind.TRUE_FALSE and true_is_correct is not None:
        return [
            Option(**_in_every_language(TRUE_TEXT), is_correct=bool(true_is_correct), order=0),
            Option(**_in_every_language(FALSE_TEXT), is_correct=not true_is_correct, order=1),
        ]
    if options is None:
        return None
    made = []
    for index, spec in enumerate(options):
        spec = dict(spec) if isinstance(spec, Mapping) else {"text": str(spec)}
        option = Option(
            pk=spec.get("id"),
            is_correct=bool(spec.get("is_correct", False)),
            order=int(spec.get("order", index)),
        )
        per_language = {
            name: str(spec[name] or "").strip() for name in localized(*OPTION_TEXTS) if name in spec
        }
        if per_language:
            apply_translations(option, OPTION_TEXTS, per_language)
        else:
            option.text = str(spec.get("text", "")).strip()
            option.feedback = str(spec.get("feedback", ""))
        made.append(option)
    return made


def _save_options(question: Question, options: list[Option]) -> None:
    keep = [o.pk for o in options if o.pk]
    if keep and question.options.filter(pk__in=keep).count() != len(set(keep)):
        raise ValidationError(_("Unknown option."))
    question.options.exclude(pk__in=keep).delete()
    for option in options:
        option.question = question
        option.save()


def _set_tags(question: Question, tags: Iterable[str | QuestionTag]) -> None:
    objects = []
    for tag in tags:
        if isinstance(tag, QuestionTag):
            objects.append(tag)
        elif str(tag).strip():
            objects.append(QuestionTag.objects.get_or_create(name=str(tag).strip()[:50])[0])
    question.tags.set(objects)


def _validate_question(question: Question, options: list[Option] | None, by) -> None:
    question.full_clean(exclude=["tags"])
    _check_sources(question, by)
    clean_answer_key(question, options=options)


@transaction.atomic
def create_question(
    *,
    by,
    kind: str,
    title: str = "",
    prompt: str = "",
    options: Sequence[Mapping[str, Any]] = (),
    tags: Iterable[str | QuestionTag] = (),
    true_is_correct: bool | None = None,
    institution=None,
    **fields: Any,
) -> Question:
    institution = _institution(by, institution)
    fields.setdefault("visibility", default_visibility(institution))
    translations = _pop_translations(fields, QUESTION_TEXTS)
    question = Question(
        institution=institution,
        created_by=by,
        kind=kind,
        title=title,
        prompt=prompt,
        **fields,
    )
    apply_translations(question, QUESTION_TEXTS, translations)
    if kind == QuestionKind.TRUE_FALSE and true_is_correct is None and not options:
        raise ValidationError(_("Say whether the statement is true or false."))
    made = _option_objects(question, list(options), true_is_correct) or []
    _validate_question(question, made, by)
    question.save()
    _save_options(question, made)
    _set_tags(question, tags)
    return question


@transaction.atomic
def update_question(
    *,
    question: Question,
    by,
    options: Sequence[Mapping[str, Any]] | None = None,
    tags: Iterable[str | QuestionTag] | None = None,
    true_is_correct: bool | None = None,
    **fields: Any,
) -> Question:
    _require_author(by, question.institution_id)
    for name, value in fields.items():
        setattr(question, name, value)
    made = _option_objects(question, options, true_is_correct)
    if (
        made is not None
        and question.kind == QuestionKind.TRUE_FALSE
        and true_is_correct is not None
    ):
        # Keep the two existing rows (answers refer to their ids): only the key changes.
        current = list(question.options.order_by("order", "pk"))
        if len(current) == 2:
            for row, new in zip(current, made, strict=True):
                new.pk = row.pk
    _validate_question(question, made, by)
    question.save()
    if made is not None:
        _save_options(question, made)
    if tags is not None:
        _set_tags(question, tags)
    return question


def _check_attachment(quiz: Quiz, by) -> None:
    for target in (quiz.lesson, quiz.module):
        if target is not None and not target.is_editable_by(by):
            raise ValidationError(_("You may not attach a quiz to this course."))


def _check_publishable(quiz: Quiz) -> None:
    if quiz.status != PublicationStatus.PUBLISHED:
        return
    if not quiz.items.exists() and not quiz.draws.exists():
        raise ValidationError(_("A published quiz needs at least one question."))
    if quiz.visibility == Visibility.NETWORK:
        hidden = quiz_hidden_dependencies(quiz)
        if hidden:
            raise ValidationError(
                [_("Share these too, or keep the quiz to your institution:")]
                + [dep.message for dep in hidden],
                code="hidden_dependencies",
            )
    # Keys are checked when a question is saved; check again here, as a loop or a case may have
    # changed since, so that a published quiz never holds a question it cannot score.
    for item in quiz.items.select_related("question__loop").prefetch_related("question__options"):
        try:
            clean_answer_key(item.question)
        except ValidationError as error:
            raise ValidationError(
                _("“%(title)s” cannot be scored: %(reason)s")
                % {"title": item.question.title, "reason": " ".join(error.messages)}
            ) from error


def _usable_question(quiz: Quiz, question: Question, by) -> None:
    usable = Question.objects.filter(usable_bank_q(quiz)) | Question.objects.editable_by(by)
    if not usable.filter(pk=question.pk).exists():
        raise ValidationError(_("This question cannot be used in this quiz."))


def _set_items(quiz: Quiz, by, questions: Sequence[Question]) -> None:
    if len({q.pk for q in questions}) != len(questions):
        raise ValidationError(_("A question is listed twice."))
    for question in questions:
        _usable_question(quiz, question, by)
    quiz.items.all().delete()
    QuizItem.objects.bulk_create(
        QuizItem(quiz=quiz, question=q, order=i) for i, q in enumerate(questions)
    )


def _tag(tag: str | QuestionTag) -> QuestionTag:
    if isinstance(tag, QuestionTag):
        return tag
    return QuestionTag.objects.get_or_create(name=str(tag).strip()[:50])[0]


def _set_draws(quiz: Quiz, draws: Sequence[tuple[str | QuestionTag, int]]) -> None:
    rows = []
    for i, (tag, count) in enumerate(draws):
        if int(count) < 1:
            raise ValidationError(_("A random draw takes at least one question."))
        rows.append(QuizDraw(quiz=quiz, tag=_tag(tag), count=int(count), order=i))
    quiz.draws.all().delete()
    QuizDraw.objects.bulk_create(rows)


@transaction.atomic
def create_quiz(
    *,
    by,
    title: str = "",
    items: Sequence[Question] = (),
    draws: Sequence[tuple[str | QuestionTag, int]] = (),
    institution=None,
    **fields: Any,
) -> Quiz:
    institution = _institution(by, institution)
    fields.setdefault("visibility", default_visibility(institution))
    translations = _pop_translations(fields, QUIZ_TEXTS)
    quiz = Quiz(institution=institution, created_by=by, title=title, **fields)
    apply_translations(quiz, QUIZ_TEXTS, translations)
    quiz.full_clean()
    _check_attachment(quiz, by)
    quiz.save()
    _set_items(quiz, by, list(items))
    _set_draws(quiz, list(draws))
    _check_publishable(quiz)
    return quiz


@transaction.atomic
def update_quiz(
    *,
    quiz: Quiz,
    by,
    items: Sequence[Question] | None = None,
    draws: Sequence[tuple[str | QuestionTag, int]] | None = None,
    **fields: Any,
) -> Quiz:
    _require_author(by, quiz.institution_id)
    for name, value in fields.items():
        setattr(quiz, name, value)
    quiz.full_clean()
    _check_attachment(quiz, by)
    quiz.save()
    if items is not None:
        _set_items(quiz, by, list(items))
    if draws is not None:
        _set_draws(quiz, list(draws))
    _check_publishable(quiz)
    return quiz


@transaction.atomic
def add_quiz_item(*, quiz: Quiz, by, question: Question) -> QuizItem:
    _require_author(by, quiz.institution_id)
    _usable_question(quiz, question, by)
    if quiz.items.filter(question=question).exists():
        raise ValidationError(_("A question is listed twice."))
    order = quiz.items.count()
    return QuizItem.objects.create(quiz=quiz, question=question, order=order)


@transaction.atomic
def add_quiz_draw(*, quiz: Quiz, by, tag: str | QuestionTag, count: int) -> QuizDraw:
    _require_author(by, quiz.institution_id)
    if int(count) < 1:
        raise ValidationError(_("A random draw takes at least one question."))
    return QuizDraw.objects.create(
        quiz=quiz, tag=_tag(tag), count=int(count), order=quiz.draws.count()
    )
