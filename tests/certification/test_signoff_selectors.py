"""The sign-off queue's reads (``certification.selectors.signoff_queue``): a trainee filter
that is not an id is ignored, as an unknown exam type is, instead of failing the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from certification import selectors
from tests.certification.factories import pending_entry
from tests.factories import TraineeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["²", "99999999999999999999999", "abc"])
def test_a_trainee_filter_that_is_no_id_lists_the_whole_queue(client, trainee, instructor, typed):
    """ "²" passed ``str.isdigit`` and then failed ``int()``; a number past 64 bits failed the
    query (both were 500s)."""
    entry = pending_entry(trainee)
    client.force_login(instructor)

    response = client.get(reverse("certification:signoff"), {"trainee": typed})

    assert response.status_code == 200
    assert list(response.context["entries"]) == [entry]


def test_the_queue_narrows_to_a_trainee_an_exam_type_or_the_supervisor(
    trainee, instructor, hospital
):
    other = TraineeFactory(institution=hospital)
    mine = pending_entry(trainee, supervisor=instructor)
    kidney = pending_entry(other, exam_type="ceus_kidney")

    assert set(selectors.signoff_queue(instructor)) == {mine, kidney}
    assert list(selectors.signoff_queue(instructor, trainee=other.pk)) == [kidney]
    assert list(selectors.signoff_queue(instructor, exam_type="ceus_kidney")) == [kidney]
    assert list(selectors.signoff_queue(instructor, supervised=True)) == [mine]
    assert set(selectors.signoff_trainees(instructor)) == {trainee, other}
