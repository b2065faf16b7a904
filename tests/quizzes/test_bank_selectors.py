"""The question bank's reads (``quizzes.selectors``): a case filter that is not an id is
ignored, as every other unknown filter value is, instead of failing the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quizzes import selectors
from quizzes.models import QuestionKind
from tests.cases.factories import CaseFactory
from tests.quizzes.factories import QuizFactory, make_question

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["²", "99999999999999999999999", "0", "12a"])
def test_a_case_filter_that_is_no_id_lists_every_question(client, instructor, hospital, typed):
    """ "²" passed ``str.isdigit`` and then failed ``int()``; a number past 64 bits failed the
    query (both were 500s)."""
    question = make_question(QuestionKind.SINGLE, institution=hospital)
    client.force_login(instructor)

    response = client.get(reverse("quizzes:bank"), {"case": typed})

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [question]


def test_the_bank_lists_only_what_the_user_may_edit(instructor, hospital, other_hospital):
    case = CaseFactory(institution=hospital)
    ours = make_question(QuestionKind.SINGLE, institution=hospital, case=case, tags=["liver"])
    make_question(QuestionKind.SINGLE, institution=other_hospital, tags=["theirs"])
    quiz = QuizFactory(institution=hospital, questions=[ours])
    QuizFactory(institution=other_hospital)

    listed = list(selectors.bank_questions(instructor, selectors.BankFilters()))

    assert listed == [ours] and listed[0].quiz_count == 1
    assert list(selectors.bank_cases(instructor)) == [case]
    assert list(selectors.bank_tags(instructor)) == ["liver"]
    assert [(q, q.item_count) for q in selectors.bank_quizzes(instructor)] == [(quiz, 1)]
