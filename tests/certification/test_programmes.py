"""Programme authoring: programmes, versions and requirements; a published version is frozen,
publishing is audited, and only the programme's managers may write."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from certification.models import (
    AuditAction,
    AuditEvent,
    ExamType,
    Programme,
    Requirement,
    RequirementKind,
)
from certification.services import programmes as authoring
from tests.certification.factories import RequirementFactory
from tests.courses.factories import CourseFactory
from tests.factories import DirectorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(director):
    """A new programme of the director's hospital: version 1 is an empty draft."""
    programme = authoring.programme_create(by=director, title="CEUS Kidney — Level 1")
    return programme, programme.versions.get()


def add_scans(version, by, count=25):
    return authoring.requirement_add(
        version=version,
        by=by,
        kind=RequirementKind.SCANS,
        count=count,
        exam_types=[ExamType.CEUS_KIDNEY],
    )


# --- Service ---------------------------------------------------------------------------------


def test_director_creates_a_draft_programme_with_an_empty_draft_version(director, hospital):
    programme = authoring.programme_create(by=director, title="CEUS Liver — Level 1")
    assert programme.institution == hospital
    assert programme.status == "draft"
    assert programme.slug == "ceus-liver-level-1"
    version = programme.versions.get()
    assert (version.number, version.published_at, version.requirements.count()) == (1, None, 0)


def test_a_programme_never_gets_the_slug_of_the_new_page(director):
    assert authoring.programme_create(by=director, title="New").slug == "new-2"


@pytest.mark.parametrize("role", ["trainee", "instructor"])
def test_only_directors_and_site_admins_create_programmes(request, role):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        authoring.programme_create(by=user, title="Mine")
    assert not Programme.objects.exists()


def test_a_director_cannot_create_for_another_hospital_but_a_site_admin_can(
    director, site_admin, other_hospital
):
    with pytest.raises(PermissionDenied):
        authoring.programme_create(by=director, title="Theirs", institution=other_hospital)
    made = authoring.programme_create(by=site_admin, title="Theirs", institution=other_hospital)
    assert made.institution == other_hospital


def test_requirements_are_added_updated_and_removed_on_a_draft(draft, director):
    _programme, version = draft
    scans = add_scans(version, director)
    cme = authoring.requirement_add(version=version, by=director, kind="cme", hours=4.5)
    assert [r.order for r in version.requirements.all()] == [0, 1]
    authoring.requirement_update(requirement=scans, by=director, count=30, title="Kidney scans")
    scans.refresh_from_db()
    assert (scans.count, scans.title, scans.exam_types) == (30, "Kidney scans", ["ceus_kidney"])
    authoring.requirement_remove(requirement=cme, by=director)
    assert list(version.requirements.all()) == [scans]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "scans"}, "count"),
        ({"kind": "cases", "count": 0}, "count"),
        ({"kind": "cme"}, "hours"),
        ({"kind": "quiz"}, "quiz"),
        ({"kind": "courses"}, "courses"),
        ({"kind": "prerequisite"}, "prerequisite"),
    ],
)
def test_a_requirement_needs_the_fields_of_its_kind(draft, director, fields, field):
    _programme, version = draft
    with pytest.raises(ValidationError) as caught:
        authoring.requirement_add(version=version, by=director, **fields)
    assert field in caught.value.message_dict
    assert not version.requirements.exists()


def test_a_programme_cannot_require_itself(draft, director):
    programme, version = draft
    with pytest.raises(ValidationError) as caught:
        authoring.requirement_add(
            version=version, by=director, kind="prerequisite", prerequisite=programme
        )
    assert "prerequisite" in caught.value.message_dict


def test_publishing_freezes_the_version_and_is_audited(draft, director, now):
    programme, version = draft
    add_scans(version, director)
    authoring.version_publish(version=version, by=director, notes="First rules", now=now)
    version.refresh_from_db()
    assert version.published_at == now
    assert version.counts_from == now  # by default, evidence counts from publication
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.REQUIREMENTS_CHANGED
    assert (event.actor, event.programme, event.reason) == (director, programme, "First rules")
    assert event.data["version"] == 1
    assert event.data["requirements"][0]["kind"] == "scans"
    assert event.data["requirements"][0]["count"] == 25


def test_counts_from_may_be_set_before_publication(draft, director, now):
    _programme, version = draft
    add_scans(version, director)
    earlier = now - timedelta(days=90)
    authoring.version_publish(version=version, by=director, counts_from=earlier, now=now)
    version.refresh_from_db()
    assert (version.published_at, version.counts_from) == (now, earlier)


def test_an_empty_version_cannot_be_published(draft, director):
    _programme, version = draft
    with pytest.raises(ValidationError):
        authoring.version_publish(version=version, by=director)
    version.refresh_from_db()
    assert version.published_at is None
    assert not AuditEvent.objects.exists()


def test_a_published_version_refuses_every_change(draft, director, now):
    _programme, version = draft
    scans = add_scans(version, director)
    authoring.version_publish(version=version, by=director, now=now)
    attempts = [
        lambda: add_scans(version, director),
        lambda: authoring.requirement_update(requirement=scans, by=director, count=1),
        lambda: authoring.requirement_remove(requirement=scans, by=director),
        lambda: authoring.version_publish(version=version, by=director),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as caught:
            attempt()
        assert caught.value.code == "frozen"
    scans.refresh_from_db()
    assert scans.count == 25
    assert version.requirements.count() == 1
    assert AuditEvent.objects.count() == 1


def test_a_new_version_copies_the_latest_requirements(draft, director, hospital, now):
    programme, version = draft
    course = CourseFactory(institution=hospital)
    first = authoring.requirement_add(
        version=version, by=director, kind="courses", courses=[course], stage="initial"
    )
    add_scans(version, director)
    authoring.version_publish(version=version, by=director, now=now)

    second = authoring.version_create(programme=programme, by=director, notes="More scans")
    assert (second.number, second.published_at, second.notes) == (2, None, "More scans")
    copies = list(second.requirements.order_by("order"))
    assert [(r.kind, r.stage) for r in copies] == [("courses", "initial"), ("scans", "both")]
    assert list(copies[0].courses.all()) == [course]
    assert {r.pk for r in copies}.isdisjoint({first.pk})

    # Editing the copy leaves the version in force alone.
    authoring.requirement_update(requirement=copies[1], by=director, count=50)
    assert version.requirements.get(kind="scans").count == 25


def test_only_one_draft_version_at_a_time(draft, director):
    programme, _version = draft
    with pytest.raises(ValidationError):
        authoring.version_create(programme=programme, by=director)
    assert programme.versions.count() == 1


@pytest.mark.parametrize("role", ["trainee", "instructor", "other_director"])
def test_only_managers_change_a_programme(request, draft, other_hospital, role):
    programme, version = draft
    if role == "other_director":
        user = DirectorFactory(institution=other_hospital)
    else:
        user = request.getfixturevalue(role)
    scans = RequirementFactory(version=version, kind="scans", count=3)
    refused = [
        lambda: authoring.programme_update(programme=programme, by=user, title="Hijacked"),
        lambda: add_scans(version, user),
        lambda: authoring.requirement_update(requirement=scans, by=user, count=1),
        lambda: authoring.requirement_remove(requirement=scans, by=user),
        lambda: authoring.version_publish(version=version, by=user),
        lambda: authoring.version_create(programme=programme, by=user),
    ]
    for attempt in refused:
        with pytest.raises(PermissionDenied):
            attempt()
    programme.refresh_from_db()
    assert programme.title == "CEUS Kidney — Level 1"
    assert version.requirements.get().count == 3


def test_a_site_admin_manages_any_programme(draft, site_admin):
    programme, _version = draft
    authoring.programme_update(programme=programme, by=site_admin, status="published")
    programme.refresh_from_db()
    assert programme.status == "published"


# --- Pages -----------------------------------------------------------------------------------


def test_a_director_authors_and_publishes_a_programme_in_the_browser_forms(client, director):
    client.force_login(director)
    response = client.post(
        reverse("certification:programme_new"),
        {"title_en": "CEUS Breast", "validity_months": 24, "visibility": "institution"},
    )
    programme = Programme.objects.get()
    version_url = reverse("certification:version", args=[programme.slug, 1])
    assert response.status_code == 302 and response.url == version_url

    response = client.post(version_url, {"kind": "scans", "stage": "both", "count": 10, "order": 0})
    assert response.status_code == 302
    requirement = Requirement.objects.get()
    assert (requirement.kind, requirement.count) == ("scans", 10)

    # A kind without its fields is refused on the form, next to the field.
    response = client.post(version_url, {"kind": "cme", "stage": "both", "order": 1})
    assert response.status_code == 200
    assert "hours" in response.context["form"].errors
    assert Requirement.objects.count() == 1

    publish = reverse("certification:version_publish", args=[programme.slug, 1])
    assert client.post(publish, {"notes": "v1", "counts_from": ""}).status_code == 302
    assert programme.versions.get().published_at is not None

    # Frozen: no add form, and the edit page sends the director back untouched.
    page = client.get(version_url)
    assert page.context["form"] is None
    edit = reverse("certification:requirement_edit", args=[programme.slug, 1, requirement.pk])
    response = client.post(edit, {"kind": "scans", "stage": "both", "count": 1, "order": 0})
    assert response.status_code == 302
    requirement.refresh_from_db()
    assert requirement.count == 10


def test_programme_and_requirement_forms_take_both_languages(client, director):
    client.force_login(director)
    new = reverse("certification:programme_new")
    page = client.get(new)
    assert {"title_en", "title_zh_hans", "description_en", "description_zh_hans"} <= set(
        page.context["form"].fields
    )
    assert page.context["form"].fields["title_zh_hans"].label == "Title (中文)"
    # Neither language: refused next to the English title.
    response = client.post(new, {"validity_months": 24, "visibility": "institution"})
    assert "title_en" in response.context["form"].errors
    # Chinese only: accepted, and the slug falls back to "programme".
    response = client.post(
        new,
        {
            "title_zh_hans": "乳腺超声造影",
            "description_zh_hans": "乳腺病灶的超声造影诊断。",
            "validity_months": 24,
            "visibility": "institution",
        },
    )
    programme = Programme.objects.get()
    assert (programme.title_en, programme.title_zh_hans) == ("", "乳腺超声造影")
    assert programme.description_zh_hans == "乳腺病灶的超声造影诊断。"
    assert programme.slug == "programme"
    edit = reverse("certification:programme_edit", args=[programme.slug])
    response = client.post(
        edit,
        {
            "title_en": "CEUS Breast",
            "title_zh_hans": "乳腺超声造影",
            "validity_months": 24,
            "visibility": "institution",
            "status": "draft",
        },
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.title_en, programme.title_zh_hans) == ("CEUS Breast", "乳腺超声造影")

    version_url = reverse("certification:version", args=[programme.slug, 1])
    data = {"kind": "scans", "stage": "both", "count": 10, "order": 0}
    data |= {"title_en": "Supervised scans", "title_zh_hans": "督导下扫查"}
    assert client.post(version_url, data).status_code == 302
    requirement = Requirement.objects.get()
    assert (requirement.title_en, requirement.title_zh_hans) == ("Supervised scans", "督导下扫查")


def test_a_new_version_from_the_edit_page(client, director, draft, now):
    programme, version = draft
    add_scans(version, director)
    authoring.version_publish(version=version, by=director, now=now)
    client.force_login(director)
    response = client.post(reverse("certification:version_new", args=[programme.slug]))
    assert response.status_code == 302
    assert response.url == reverse("certification:version", args=[programme.slug, 2])
    assert programme.versions.get(number=2).requirements.count() == 1


def test_trainees_get_403_and_other_directors_404_on_authoring_pages(
    client, draft, trainee, other_hospital
):
    programme, _version = draft
    urls = [
        reverse("certification:programme_new"),
        reverse("certification:programme_edit", args=[programme.slug]),
        reverse("certification:version", args=[programme.slug, 1]),
    ]
    client.force_login(trainee)
    assert [client.get(url).status_code for url in urls] == [403, 403, 403]
    client.force_login(DirectorFactory(institution=other_hospital))
    assert [client.get(url).status_code for url in urls[1:]] == [404, 404]
