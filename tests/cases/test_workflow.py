"""Draft → in review → published by another instructor; loops must be ready; published
cases keep a history of every change."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases import services
from cases.models import Case, CaseRevision, CaseStatus
from tests.cases.factories import ReadyLoopFactory, with_files
from tests.factories import InstructorFactory, api_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(hospital):
    return InstructorFactory(institution=hospital)


@pytest.fixture
def draft(instructor, loop) -> Case:
    result = services.case_create(
        by=instructor,
        title="Arterial hyperenhancement in cirrhosis",
        organ="liver",
        category="LR-5",
        final_diagnosis="Hepatocellular carcinoma",
        tags=["HCC", "cirrhosis"],
        loops=[loop.pk],
    )
    return result.case


def test_a_new_case_is_a_draft_by_its_author(draft, instructor, loop):
    assert draft.status == CaseStatus.DRAFT
    assert list(draft.authors.all()) == [instructor]
    assert [link.loop for link in draft.case_loops.all()] == [loop]
    assert sorted(draft.tags.values_list("name", flat=True)) == ["HCC", "cirrhosis"]
    assert "hepatocellular carcinoma" in draft.search_text


def test_review_publishes_and_records_the_first_revision(draft, instructor, reviewer):
    services.case_submit_for_review(case=draft, by=instructor)
    draft.refresh_from_db()
    assert draft.status == CaseStatus.IN_REVIEW and draft.submitted_by == instructor

    services.case_review(case=draft, by=reviewer, approve=True, comment="Clear teaching case.")

    draft.refresh_from_db()
    assert draft.status == CaseStatus.PUBLISHED and draft.published_at is not None
    assert draft.reviewed_by == reviewer
    revision = draft.revisions.get()
    assert (revision.number, revision.event, revision.author) == (1, "published", reviewer)
    assert revision.snapshot["final_diagnosis"] == "Hepatocellular carcinoma"


def test_authors_cannot_review_their_own_case(draft, instructor):
    services.case_submit_for_review(case=draft, by=instructor)
    with pytest.raises(PermissionDenied):
        services.case_review(case=draft, by=instructor, approve=True)
    draft.refresh_from_db()
    assert draft.status == CaseStatus.IN_REVIEW


def test_a_co_author_cannot_review_either(draft, instructor, reviewer):
    draft.authors.add(reviewer)
    services.case_submit_for_review(case=draft, by=instructor)
    with pytest.raises(PermissionDenied):
        services.case_review(case=draft, by=reviewer, approve=True)


def test_another_institutions_instructor_cannot_review(draft, instructor, other_instructor):
    services.case_submit_for_review(case=draft, by=instructor)
    with pytest.raises(PermissionDenied):
        services.case_review(case=draft, by=other_instructor, approve=True)


@pytest.mark.parametrize("status", ["needs_review", "processing", "failed"])
def test_a_case_with_a_loop_that_is_not_ready_cannot_be_published(
    draft, instructor, reviewer, hospital, status
):
    draft.case_loops.create(loop=ReadyLoopFactory(institution=hospital, status=status), order=1)
    services.case_submit_for_review(case=draft, by=instructor)

    with pytest.raises(ValidationError) as error:
        services.case_review(case=draft, by=reviewer, approve=True)

    assert error.value.code == "loops_not_ready"
    draft.refresh_from_db()
    assert draft.status == CaseStatus.IN_REVIEW
    assert not draft.revisions.exists()


def test_a_published_case_cannot_take_a_loop_that_needs_review(draft, instructor, reviewer, loop):
    services.case_submit_for_review(case=draft, by=instructor)
    services.case_review(case=draft, by=reviewer, approve=True)
    pending = ReadyLoopFactory(institution=draft.institution, status="needs_review")

    with pytest.raises(ValidationError):
        services.case_update(case=draft, by=instructor, loops=[loop.pk, pending.pk])

    assert list(draft.case_loops.values_list("loop_id", flat=True)) == [loop.pk]


def test_returning_needs_a_comment_and_gives_a_draft(draft, instructor, reviewer):
    services.case_submit_for_review(case=draft, by=instructor)
    with pytest.raises(ValidationError):
        services.case_review(case=draft, by=reviewer, approve=False, comment="  ")

    services.case_review(case=draft, by=reviewer, approve=False, comment="Add the B-mode loop.")

    draft.refresh_from_db()
    assert draft.status == CaseStatus.DRAFT
    assert draft.review_comment == "Add the B-mode loop."


def test_a_case_needs_a_loop_and_a_diagnosis_before_review(instructor):
    case = services.case_create(by=instructor, title="Unfinished", organ="kidney").case
    with pytest.raises(ValidationError) as error:
        services.case_submit_for_review(case=case, by=instructor)
    assert "cine loop" in str(error.value) and "diagnosis" in str(error.value)


def test_edits_to_a_published_case_keep_a_history(draft, instructor, reviewer, client):
    services.case_submit_for_review(case=draft, by=instructor)
    services.case_review(case=draft, by=reviewer, approve=True)

    services.case_update(case=draft, by=instructor, final_diagnosis="Well-differentiated HCC")
    services.case_update(case=draft, by=reviewer, tags=["HCC"])

    revisions = list(CaseRevision.objects.filter(case=draft).order_by("number"))
    assert [(r.number, r.event, r.author) for r in revisions] == [
        (1, "published", reviewer),
        (2, "edited", instructor),
        (3, "edited", reviewer),
    ]
    assert revisions[0].snapshot["final_diagnosis"] == "Hepatocellular carcinoma"
    assert revisions[1].snapshot["final_diagnosis"] == "Well-differentiated HCC"
    assert revisions[2].snapshot["tags"] == ["HCC"]
    client.force_login(instructor)
    page = client.get(reverse("cases:history", kwargs={"pk": draft.pk}))
    assert page.status_code == 200 and "final_diagnosis" in page.text
    history = api_for(instructor).get(f"/api/v1/cases/{draft.pk}/history/").json()
    assert [row["number"] for row in history] == [3, 2, 1]
    assert history[0]["changed"] == ["tags"] and history[1]["changed"] == ["final_diagnosis"]


def test_edits_to_a_draft_keep_no_history(draft, instructor):
    services.case_update(case=draft, by=instructor, title="Renamed")
    assert not draft.revisions.exists()


def test_a_liver_case_takes_only_li_rads_categories(instructor):
    with pytest.raises(ValidationError):
        services.case_create(by=instructor, title="x", organ="liver", category="TR5")
    thyroid = services.case_create(by=instructor, title="x", organ="thyroid", category="TR5")
    assert thyroid.case.category == "TR5"


def test_review_pages(client, draft, instructor, reviewer):
    client.force_login(instructor)
    response = client.post(reverse("cases:submit_review", kwargs={"pk": draft.pk}))
    assert response.status_code == 302
    own = client.get(reverse("cases:review", kwargs={"pk": draft.pk}))
    assert "another instructor must review it" in own.text

    client.force_login(reviewer)
    assert draft.title in client.get(reverse("cases:to_review")).text
    response = client.post(
        reverse("cases:review", kwargs={"pk": draft.pk}), {"decision": "approve", "comment": ""}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == CaseStatus.PUBLISHED

    client.post(reverse("cases:unpublish", kwargs={"pk": draft.pk}))
    draft.refresh_from_db()
    assert draft.status == CaseStatus.DRAFT


def test_review_api(draft, instructor, reviewer):
    base = f"/api/v1/cases/{draft.pk}"
    assert api_for(instructor).post(f"{base}/submit/").status_code == 200
    own = api_for(instructor).post(f"{base}/review/", {"decision": "approve"}, format="json")
    assert own.status_code == 403

    response = api_for(reviewer).post(f"{base}/review/", {"decision": "approve"}, format="json")

    assert response.status_code == 200 and response.json()["status"] == "published"


def test_review_page_lists_the_loops_that_block_publication(client, draft, instructor, reviewer):
    pending = with_files(ReadyLoopFactory(institution=draft.institution, status="needs_review"))
    draft.case_loops.create(loop=pending, order=1)
    services.case_submit_for_review(case=draft, by=instructor)
    client.force_login(reviewer)

    page = client.get(reverse("cases:review", kwargs={"pk": draft.pk}))
    assert pending.display_label in page.text
    response = client.post(
        reverse("cases:review", kwargs={"pk": draft.pk}), {"decision": "approve"}
    )
    assert response.status_code == 200
    assert "Every loop must be ready" in response.text
