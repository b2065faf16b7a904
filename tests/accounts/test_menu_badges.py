"""The menu's badges: cases waiting for the user's review and logbook entries waiting for their
sign-off, in a constant number of queries, none for anonymous users."""

import re

import pytest
from django.urls import reverse

from cases.models import CaseStatus
from core.context_processors import MenuCounts
from tests.cases.factories import CaseFactory
from tests.certification.factories import pending_entry
from tests.factories import InstitutionFactory, InstructorFactory

pytestmark = pytest.mark.django_db


def badge(html: str, menu: str) -> str | None:
    link = re.search(rf'<a [^>]*data-menu="{menu}"[^>]*>(.*?)</a>', html, re.S)
    if link is None:
        return None
    count = re.search(r'class="menu-badge"[^>]*>(\d+)<', link.group(1))
    return count.group(1) if count else ""


@pytest.fixture
def partner_cases(hospital):
    """Three cases of a county hospital that names ``hospital`` as its reviewer, in review."""
    county = InstitutionFactory(name="Partner County")
    county.reviewed_by.add(hospital)
    author = InstructorFactory(institution=county)
    return [
        CaseFactory(institution=county, status=CaseStatus.IN_REVIEW, created_by=author)
        for _ in range(3)
    ]


def test_an_instructor_sees_counts_of_reviews_and_sign_offs(
    client, instructor, trainee, partner_cases
):
    pending_entry(trainee)
    pending_entry(trainee)
    CaseFactory(institution=instructor.institution, status=CaseStatus.IN_REVIEW)
    CaseFactory(institution=instructor.institution, status=CaseStatus.DRAFT)
    mine = CaseFactory(institution=instructor.institution, status=CaseStatus.IN_REVIEW)
    mine.authors.add(instructor)  # their own: not theirs to review
    client.force_login(instructor)

    html = client.get(reverse("courses:dashboard")).content.decode()

    assert badge(html, "reviews") == "4"
    assert badge(html, "signoff") == "2"


def test_no_badge_when_nothing_waits(client, instructor):
    client.force_login(instructor)
    html = client.get(reverse("courses:dashboard")).content.decode()
    assert badge(html, "reviews") == "" and badge(html, "signoff") == ""


def test_a_director_has_reviews_but_no_sign_off_link(client, director, hospital):
    CaseFactory(institution=hospital, status=CaseStatus.IN_REVIEW)
    client.force_login(director)
    html = client.get(reverse("courses:dashboard")).content.decode()
    assert badge(html, "reviews") == "1" and badge(html, "signoff") is None


def test_a_trainee_has_neither_link(client, trainee):
    client.force_login(trainee)
    html = client.get(reverse("courses:dashboard")).content.decode()
    assert badge(html, "reviews") is None and badge(html, "signoff") is None


def test_two_queries_whatever_the_counts(
    instructor, trainee, partner_cases, django_assert_num_queries
):
    pending_entry(trainee)
    counts = MenuCounts(instructor)
    with django_assert_num_queries(2):
        assert (counts.reviews, counts.signoffs) == (3, 1)
        assert (counts.reviews, counts.signoffs) == (3, 1)  # read once a page


def test_anonymous_users_cost_no_query(django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    counts = MenuCounts(AnonymousUser())
    with django_assert_num_queries(0):
        assert (counts.may_review, counts.reviews, counts.signoffs) == (False, 0, 0)
