"""Starting attempts: visibility, dates, attempts allowed, one open attempt, the paper."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from core.scoping import PublicationStatus, Visibility
from quizzes.models import Attempt, AttemptStatus, QuestionKind
from quizzes.services import attempts as attempt_services
from quizzes.services.attempts import (
    answer_save,
    attempt_for_user,
    attempt_start,
    attempt_submit,
)
from quizzes.services.errors import AttemptClosed, NotYourAttempt, QuizUnavailable
from quizzes.services.paper import build_paper
from quizzes.services.results import quiz_grade
from tests.factories import TraineeFactory
from tests.quizzes.factories import (
    QuizFactory,
    TagFactory,
    correct_response,
    make_question,
    wrong_response,
)

pytestmark = pytest.mark.django_db


def test_start_makes_an_attempt_with_the_quiz_paper(quiz, trainee, choice_questions, now):
    attempt = attempt_start(quiz=quiz, user=trainee, now=now)
    assert attempt.number == 1
    assert attempt.status == AttemptStatus.IN_PROGRESS
    assert attempt.started_at == now
    assert attempt.deadline is None
    assert [e["question"] for e in attempt.paper] == [q.pk for q in choice_questions]
    first = choice_questions[0]
    assert attempt.paper[0]["options"] == list(
        first.options.order_by("order", "pk").values_list("pk", flat=True)
    )
    assert attempt.paper[0]["points"] == 1.0


def test_start_returns_the_open_attempt(quiz, trainee, now, later):
    first = attempt_start(quiz=quiz, user=trainee, now=now)
    again = attempt_start(quiz=quiz, user=trainee, now=later(minutes=3))
    assert again.pk == first.pk
    assert Attempt.objects.count() == 1


def test_second_open_attempt_is_refused_by_the_database(quiz, trainee, now):
    first = attempt_start(quiz=quiz, user=trainee, now=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(quiz=quiz, user=trainee, number=2, seed=1, paper=[])
    assert Attempt.objects.get().pk == first.pk


def test_a_lost_race_for_the_open_attempt_returns_the_winner(quiz, trainee, now, monkeypatch):
    """The other request inserted its attempt between our look-up and our insert."""
    winner = attempt_start(quiz=quiz, user=trainee, now=now)
    real_open = attempt_services._open_attempt
    calls = []

    def not_yet_seen(*args):
        calls.append(args)
        return None if len(calls) == 1 else real_open(*args)

    monkeypatch.setattr(attempt_services, "_open_attempt", not_yet_seen)
    assert attempt_start(quiz=quiz, user=trainee, now=now).pk == winner.pk
    assert Attempt.objects.count() == 1


def test_attempts_allowed(quiz, trainee, now):
    quiz.max_attempts = 2
    quiz.save()
    for _ in range(2):
        attempt = attempt_start(quiz=quiz, user=trainee, now=now)
        attempt_submit(attempt_id=attempt.pk, user=trainee, now=now)
    with pytest.raises(QuizUnavailable) as error:
        attempt_start(quiz=quiz, user=trainee, now=now)
    assert "no attempts left" in error.value.message
    grade = quiz_grade(quiz, trainee)
    assert (grade.attempts_used, grade.attempts_left) == (2, 0)


def test_numbers_count_up(quiz, trainee, now):
    numbers = []
    for _ in range(3):
        attempt = attempt_start(quiz=quiz, user=trainee, now=now)
        numbers.append(attempt.number)
        attempt_submit(attempt_id=attempt.pk, user=trainee, now=now)
    assert numbers == [1, 2, 3]
    assert quiz_grade(quiz, trainee).attempts_left is None  # unlimited


def test_not_open_yet_and_closed(quiz, trainee, now):
    quiz.opens_at = now + timedelta(hours=1)
    quiz.save()
    with pytest.raises(QuizUnavailable, match="not open yet"):
        attempt_start(quiz=quiz, user=trainee, now=now)
    assert attempt_start(quiz=quiz, user=trainee, now=now + timedelta(hours=1)).pk
    quiz.closes_at = now + timedelta(hours=2)
    quiz.save()
    Attempt.objects.all().delete()
    with pytest.raises(QuizUnavailable, match="closed"):
        attempt_start(quiz=quiz, user=trainee, now=now + timedelta(hours=2))


def test_deadline_is_the_time_limit_or_the_close_whichever_first(quiz, trainee, now):
    quiz.time_limit_minutes = 30
    quiz.closes_at = now + timedelta(minutes=10)
    quiz.save()
    assert attempt_start(quiz=quiz, user=trainee, now=now).deadline == quiz.closes_at
    Attempt.objects.all().delete()
    quiz.closes_at = now + timedelta(hours=2)
    quiz.save()
    assert attempt_start(quiz=quiz, user=trainee, now=now).deadline == now + timedelta(minutes=30)


@pytest.mark.parametrize(
    "change",
    [
        {"status": PublicationStatus.DRAFT},
        {"institution": "other"},
    ],
)
def test_only_published_visible_quizzes_start(quiz, trainee, other_hospital, now, change):
    if change.get("institution"):
        quiz.institution = other_hospital
    else:
        quiz.status = change["status"]
    quiz.save()
    with pytest.raises(QuizUnavailable):
        attempt_start(quiz=quiz, user=trainee, now=now)


def test_network_quiz_of_another_institution_starts(quiz, trainee, other_hospital, now):
    quiz.institution = other_hospital
    quiz.visibility = Visibility.NETWORK
    quiz.save()
    assert attempt_start(quiz=quiz, user=trainee, now=now).user == trainee


def test_an_instructor_cannot_start_their_draft(quiz, instructor, now):
    quiz.status = PublicationStatus.DRAFT
    quiz.save()
    with pytest.raises(QuizUnavailable):
        attempt_start(quiz=quiz, user=instructor, now=now)


def test_a_trainee_sees_and_changes_only_their_own_attempts(quiz, trainee, hospital, now):
    attempt = attempt_start(quiz=quiz, user=trainee, now=now)
    other = TraineeFactory(institution=hospital)
    question_id = attempt.paper[0]["question"]
    with pytest.raises(NotYourAttempt):
        attempt_for_user(attempt.pk, other, now=now)
    with pytest.raises(NotYourAttempt):
        answer_save(attempt=attempt, user=other, question_id=question_id, response={}, now=now)
    with pytest.raises(NotYourAttempt):
        attempt_submit(attempt_id=attempt.pk, user=other, now=now)
    attempt.refresh_from_db()
    assert attempt.is_open and not attempt.answers.exists()
    assert attempt_for_user(attempt.pk, trainee, now=now).pk == attempt.pk


def test_answers_are_refused_after_submission(quiz, trainee, now):
    attempt = attempt_start(quiz=quiz, user=trainee, now=now)
    attempt_submit(attempt_id=attempt.pk, user=trainee, now=now)
    question = quiz.items.first().question
    with pytest.raises(AttemptClosed, match="submitted"):
        answer_save(
            attempt=attempt,
            user=trainee,
            question_id=question.pk,
            response=correct_response(question),
            now=now,
        )


def test_autosave_replaces_the_answer(quiz, trainee, now):
    attempt = attempt_start(quiz=quiz, user=trainee, now=now)
    question = quiz.items.first().question
    for response in (wrong_response(question), correct_response(question)):
        answer_save(
            attempt=attempt, user=trainee, question_id=question.pk, response=response, now=now
        )
    assert attempt.answers.count() == 1
    assert attempt.answers.get().response == correct_response(question)


# --- the paper -------------------------------------------------------------------------------


@pytest.fixture
def shuffled_quiz(hospital):
    questions = [make_question(QuestionKind.MULTIPLE, institution=hospital) for _ in range(8)]
    return QuizFactory(
        institution=hospital, questions=questions, shuffle_questions=True, shuffle_options=True
    )


def _order(paper):
    return [(e["question"], tuple(e["options"])) for e in paper]


def test_shuffle_is_reproducible_from_the_seed(shuffled_quiz):
    assert _order(build_paper(shuffled_quiz, 1234)) == _order(build_paper(shuffled_quiz, 1234))


def test_shuffle_differs_between_seeds(shuffled_quiz):
    papers = {tuple(_order(build_paper(shuffled_quiz, seed))) for seed in range(5)}
    assert len(papers) == 5  # 8! orders x 6^8 option orders: equal papers would be a bug


def test_each_attempt_keeps_its_own_stored_paper(shuffled_quiz, hospital, now):
    trainee = TraineeFactory(institution=hospital)
    attempts = []
    for _ in range(3):
        attempt = attempt_start(quiz=shuffled_quiz, user=trainee, now=now)
        attempts.append(attempt)
        assert _order(attempt.paper) == _order(build_paper(shuffled_quiz, attempt.seed))
        attempt_submit(attempt_id=attempt.pk, user=trainee, now=now)
    assert len({tuple(_order(a.paper)) for a in attempts}) == 3
    stored = attempt_for_user(attempts[0].pk, trainee, now=now)
    assert stored.paper == attempts[0].paper
    for attempt in attempts:  # same questions, every option of each
        assert {e["question"] for e in attempt.paper} == {
            item.question_id for item in shuffled_quiz.items.all()
        }


def test_without_shuffle_the_order_is_the_authors(quiz, choice_questions):
    for seed in (1, 2, 3):
        assert [e["question"] for e in build_paper(quiz, seed)] == [q.pk for q in choice_questions]


def test_ordering_options_are_always_shuffled_and_true_false_never(hospital):
    ordering = [make_question(QuestionKind.ORDERING, institution=hospital) for _ in range(6)]
    true_false = make_question(QuestionKind.TRUE_FALSE, institution=hospital)
    quiz = QuizFactory(
        institution=hospital, questions=[*ordering, true_false], shuffle_options=True
    )
    paper = build_paper(quiz, 99)
    by_question = {e["question"]: e["options"] for e in paper}
    stored = {
        q.pk: list(q.options.order_by("order", "pk").values_list("pk", flat=True)) for q in ordering
    }
    assert any(by_question[pk] != stored[pk] for pk in stored)
    assert by_question[true_false.pk] == list(
        true_false.options.order_by("order", "pk").values_list("pk", flat=True)
    )


# --- random draws ----------------------------------------------------------------------------


def test_draws_pick_published_usable_questions_not_fixed_and_without_duplicates(
    hospital, other_hospital
):
    tag = TagFactory(name="phases")
    fixed = make_question(QuestionKind.SINGLE, institution=hospital, tags=[tag])
    bank = [make_question(QuestionKind.SINGLE, institution=hospital, tags=[tag]) for _ in range(4)]
    shared = make_question(
        QuestionKind.SINGLE, institution=other_hospital, visibility=Visibility.NETWORK, tags=[tag]
    )
    draft = make_question(
        QuestionKind.SINGLE, institution=hospital, status=PublicationStatus.DRAFT, tags=[tag]
    )
    private = make_question(QuestionKind.SINGLE, institution=other_hospital, tags=[tag])
    untagged = make_question(QuestionKind.SINGLE, institution=hospital)
    quiz = QuizFactory(institution=hospital, questions=[fixed], draws=[(tag, 3), (tag, 1)])
    usable = {q.pk for q in bank} | {shared.pk}
    seen = set()
    for seed in range(30):
        ids = [e["question"] for e in build_paper(quiz, seed)]
        assert ids[0] == fixed.pk
        drawn = ids[1:]
        assert len(drawn) == 4 and len(set(drawn)) == 4
        assert set(drawn) <= usable
        seen.update(drawn)
    assert seen == usable  # every usable question is drawn sometimes
    assert not seen & {draft.pk, private.pk, untagged.pk, fixed.pk}


def test_a_draw_takes_what_exists_when_the_bank_is_short(hospital):
    tag = TagFactory(name="rare")
    bank = [make_question(QuestionKind.SINGLE, institution=hospital, tags=[tag]) for _ in range(2)]
    quiz = QuizFactory(institution=hospital, draws=[(tag, 5)])
    assert sorted(e["question"] for e in build_paper(quiz, 7)) == sorted(q.pk for q in bank)


def test_drawn_questions_differ_between_attempts_but_stay_within_one(hospital, now):
    tag = TagFactory(name="bank")
    for _ in range(10):
        make_question(QuestionKind.SINGLE, institution=hospital, tags=[tag])
    quiz = QuizFactory(institution=hospital, draws=[(tag, 3)])
    trainee = TraineeFactory(institution=hospital)
    papers = []
    for _ in range(4):
        attempt = attempt_start(quiz=quiz, user=trainee, now=now)
        assert attempt_start(quiz=quiz, user=trainee, now=now).paper == attempt.paper
        papers.append(tuple(e["question"] for e in attempt.paper))
        attempt_submit(attempt_id=attempt.pk, user=trainee, now=now)
    assert len(set(papers)) > 1
