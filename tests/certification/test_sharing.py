"""A network programme whose requirements use institution-only courses, quizzes or
prerequisite programmes: the version page warns, shares what the director may, and publishing
is refused while something stays hidden."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from certification.models import RequirementKind
from certification.services import programmes as authoring
from certification.sharing import version_hidden_dependencies
from core.scoping import HiddenReason, PublicationStatus, Visibility
from tests.certification.factories import ProgrammeFactory, RequirementFactory, VersionFactory
from tests.factories import DirectorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def network_programme(hospital):
    return ProgrammeFactory(
        institution=hospital, title="Liver network", visibility=Visibility.NETWORK
    )


@pytest.fixture
def draft(network_programme):
    return VersionFactory(programme=network_programme, number=1, published_at=None)


def test_each_kind_of_dependency_is_listed(draft, course, exam, basic):
    RequirementFactory(version=draft, kind=RequirementKind.COURSES, courses=[course])
    RequirementFactory(version=draft, kind=RequirementKind.QUIZ, quiz=exam)
    RequirementFactory(version=draft, kind=RequirementKind.PREREQUISITE, prerequisite=basic)
    found = {dep.obj: dep for dep in version_hidden_dependencies(draft)}
    assert set(found) == {course, exam, basic}
    assert {dep.reason for dep in found.values()} == {HiddenReason.INSTITUTION}
    assert found[exam].message == (
        "Trainees at other hospitals will see this programme but not the quiz "
        "“CEUS LI-RADS exam”, which only County Hospital can see."
    )


def test_shared_or_same_scope_dependencies_are_not_listed(draft, programme, course, exam):
    RequirementFactory(version=draft, kind=RequirementKind.QUIZ, quiz=exam)
    exam.visibility = Visibility.NETWORK
    exam.save()
    assert version_hidden_dependencies(draft) == []
    local = VersionFactory(programme=programme, number=2, published_at=None)
    RequirementFactory(version=local, kind=RequirementKind.COURSES, courses=[course])
    assert version_hidden_dependencies(local) == []


def test_publishing_is_refused_with_the_list(draft, exam, director):
    RequirementFactory(version=draft, kind=RequirementKind.QUIZ, quiz=exam)
    with pytest.raises(ValidationError) as refused:
        authoring.version_publish(version=draft, by=director)
    assert any("CEUS LI-RADS exam" in m for m in refused.value.messages)
    draft.refresh_from_db()
    assert draft.published_at is None


def test_publishing_the_programme_is_refused_while_its_version_hides(hospital, exam, director):
    programme = ProgrammeFactory(
        institution=hospital, visibility=Visibility.NETWORK, status=PublicationStatus.DRAFT
    )
    version = VersionFactory(programme=programme, number=1)
    RequirementFactory(version=version, kind=RequirementKind.QUIZ, quiz=exam)
    with pytest.raises(ValidationError):
        authoring.programme_update(
            programme=programme, by=director, status=PublicationStatus.PUBLISHED
        )


def test_share_changes_only_what_the_director_may_edit(draft, course, basic, director):
    RequirementFactory(version=draft, kind=RequirementKind.COURSES, courses=[course])
    RequirementFactory(version=draft, kind=RequirementKind.PREREQUISITE, prerequisite=basic)
    result = authoring.share_version_dependencies(version=draft, by=director)
    basic.refresh_from_db()
    course.refresh_from_db()
    # A director manages programmes, not courses (instructors write those).
    assert basic.visibility == Visibility.NETWORK
    assert course.visibility == Visibility.INSTITUTION
    assert [dep.obj for dep in result.shared] == [basic]
    assert [(dep.obj, dep.editable) for dep in result.left] == [(course, False)]


def test_version_page_bar_warns_and_the_button_shares(draft, basic, director):
    RequirementFactory(version=draft, kind=RequirementKind.PREREQUISITE, prerequisite=basic)
    client = Client()
    client.force_login(director)
    url = reverse("certification:version", args=[draft.programme.slug, 1])
    page = client.get(url).content.decode()
    assert "data-next-action" in page
    assert "Trainees at other hospitals will see this programme but not the programme" in page
    assert "Published: everyone in the teaching network can see it." in page
    share = reverse("certification:version_share", args=[draft.programme.slug, 1])
    assert share in page
    response = client.post(share, follow=True)
    assert "Shared with the whole network: “CEUS basics certificate”." in (
        response.content.decode()
    )
    assert "Trainees at other hospitals" not in client.get(url).content.decode()


def test_bar_per_state(hospital, director):
    programme = ProgrammeFactory(institution=hospital, status=PublicationStatus.DRAFT)
    empty = VersionFactory(programme=programme, number=1, published_at=None)
    client = Client()
    client.force_login(director)
    page = client.get(reverse("certification:version", args=[programme.slug, 1])).content
    text = page.decode()
    assert "No requirements yet" in text
    assert "The programme itself is a draft" in text
    assert reverse("certification:version_publish", args=[programme.slug, 1]) in text
    empty.published_at = empty.created_at
    empty.save()
    programme.status = PublicationStatus.PUBLISHED
    programme.save()
    RequirementFactory(version=empty, kind=RequirementKind.SCANS, count=5)
    text = client.get(reverse("certification:version", args=[programme.slug, 1])).content
    text = text.decode()
    assert "Published: only people at County Hospital can see it." in text
    assert "Still missing" not in text


def test_another_director_cannot_share(draft, basic, other_hospital):
    RequirementFactory(version=draft, kind=RequirementKind.PREREQUISITE, prerequisite=basic)
    client = Client()
    client.force_login(DirectorFactory(institution=other_hospital))
    share = reverse("certification:version_share", args=[draft.programme.slug, 1])
    assert client.post(share).status_code == 404
    basic.refresh_from_db()
    assert basic.visibility == Visibility.INSTITUTION
