"""Review across the network: a hospital names its expert centre as reviewer; the centre's
instructors and the hospital's programme director may review its cases, never their authors;
an outside reviewer reads the case and plays its loops while it is in review, without editing
it, and the centre's trainees never see it before publication."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import User
from cases import services
from cases.models import Case, CaseStatus
from cases.reviewers import case_reviewers
from cases.services.workflow import is_independent_reviewer
from tests.factories import (
    DirectorFactory,
    InstitutionFactory,
    InstructorFactory,
    TraineeFactory,
    api_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(hospital):
    centre = InstitutionFactory(name="Expert Centre", level="expert_centre")
    hospital.reviewed_by.add(centre)
    return centre


@pytest.fixture
def expert(centre):
    return InstructorFactory(institution=centre, first_name="Jie", last_name="Chen")


@pytest.fixture
def in_review(instructor, loop, centre) -> Case:
    case = services.case_create(
        by=instructor,
        title="Rim enhancement",
        organ="liver",
        category="LR-M",
        final_diagnosis="Cholangiocarcinoma",
        loops=[loop.pk],
    ).case
    return services.case_submit_for_review(case=case, by=instructor)


def media(loop, kind: str = "poster") -> str:
    return reverse("cineloops:media", kwargs={"pk": loop.pk, "kind": kind})


# --- The rule, in the service --------------------------------------------------------------


def test_an_instructor_of_the_named_centre_approves(in_review, expert):
    services.case_review(case=in_review, by=expert, approve=True)

    in_review.refresh_from_db()
    assert in_review.status == CaseStatus.PUBLISHED and in_review.reviewed_by == expert


def test_the_programme_director_of_the_cases_institution_may_review(in_review, director):
    services.case_review(case=in_review, by=director, approve=False, comment="Add the late phase.")

    in_review.refresh_from_db()
    assert in_review.status == CaseStatus.DRAFT and in_review.reviewed_by == director


@pytest.mark.parametrize("who", ["author", "trainee", "unrelated", "centre_trainee", "other_dir"])
def test_others_may_not_review(in_review, instructor, trainee, centre, who):
    user = {
        "author": instructor,
        "trainee": trainee,
        "unrelated": InstructorFactory(institution=InstitutionFactory(name="Unrelated")),
        "centre_trainee": TraineeFactory(institution=centre),
        "other_dir": DirectorFactory(institution=centre),  # the centre's director: not its own
    }[who]

    with pytest.raises(PermissionDenied):
        services.case_review(case=in_review, by=user, approve=True)
    in_review.refresh_from_db()
    assert in_review.status == CaseStatus.IN_REVIEW


def test_a_centre_not_named_by_the_hospital_may_not_review(in_review, other_instructor):
    with pytest.raises(PermissionDenied):
        services.case_review(case=in_review, by=other_instructor, approve=True)


def test_the_naming_is_one_way(in_review, centre, hospital, instructor):
    """The hospital reviews nothing of the centre's because the centre is its reviewer."""
    centre_case = services.case_create(
        by=InstructorFactory(institution=centre),
        title="Centre case",
        organ="liver",
        final_diagnosis="FNH",
    ).case
    centre_case.status = CaseStatus.IN_REVIEW
    centre_case.save(update_fields=["status"])

    assert not is_independent_reviewer(centre_case, instructor)


def test_the_two_directions_of_the_rule_agree(in_review, instructor, director, expert, centre):
    others = [
        instructor,
        director,
        expert,
        TraineeFactory(institution=centre),
        DirectorFactory(institution=centre),
        InstructorFactory(institution=InstitutionFactory(name="Unrelated")),
    ]
    may = {user.pk for user in others if is_independent_reviewer(in_review, user)}

    assert set(case_reviewers(in_review).values_list("pk", flat=True)) == may
    assert may == {director.pk, expert.pk}
    assert set(Case.objects.awaiting_review_by(expert)) == {in_review}
    assert not Case.objects.awaiting_review_by(instructor).exists()


# --- Seeing the case and its loops ---------------------------------------------------------


def test_the_outside_reviewer_opens_the_case_and_plays_its_loops(client, in_review, expert, loop):
    client.force_login(expert)

    page = client.get(in_review.get_absolute_url())
    assert page.status_code == 200
    assert client.get(media(loop)).status_code == 200
    assert client.get(media(loop, "video")).status_code == 200
    api = api_for(expert).get(reverse("api-case-detail", args=[in_review.pk]))
    assert api.status_code == 200 and api.json()["can_edit"] is False
    assert page.context["can_edit"] is False
    assert client.get(reverse("cases:edit", args=[in_review.pk])).status_code == 404


def test_the_outside_reviewer_cannot_edit_the_case(in_review, expert):
    response = api_for(expert).patch(
        reverse("api-case-detail", args=[in_review.pk]), {"title": "Mine now"}, format="json"
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.case_update(case=in_review, by=expert, title="Mine now")


def test_the_centres_trainee_does_not_see_it_before_publication(client, in_review, centre, loop):
    client.force_login(TraineeFactory(institution=centre))

    assert client.get(in_review.get_absolute_url()).status_code == 404
    assert client.get(media(loop)).status_code == 404


def test_the_reviewer_loses_sight_of_a_draft(client, in_review, expert, loop, instructor):
    services.case_review(case=in_review, by=expert, approve=False, comment="Add the B-mode loop.")
    client.force_login(expert)

    assert client.get(in_review.get_absolute_url()).status_code == 404
    assert client.get(media(loop)).status_code == 404


# --- Pages: the list and the next-action bar -----------------------------------------------


def test_the_to_review_page_lists_a_partner_hospitals_case(client, in_review, expert):
    client.force_login(expert)
    response = client.get(reverse("cases:to_review"))

    assert response.status_code == 200
    assert list(response.context["cases"]) == [in_review]
    assert in_review.get_absolute_url() in response.content.decode()


def test_a_director_may_open_the_to_review_page(client, in_review, director):
    client.force_login(director)
    response = client.get(reverse("cases:to_review"))
    assert list(response.context["cases"]) == [in_review]


def test_trainees_have_no_review_page(client, trainee):
    client.force_login(trainee)
    assert client.get(reverse("cases:to_review")).status_code == 403


def _bar(client, user, case):
    client.force_login(user)
    response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    return response.context["next_action"], response.content.decode()


def test_the_draft_bar_offers_send_for_review_to_its_author(client, instructor, loop):
    draft = services.case_create(
        by=instructor, title="Draft", organ="liver", final_diagnosis="HCC", loops=[loop.pk]
    ).case
    bar, html = _bar(client, instructor, draft)

    assert [step.label for step in bar.steps] == ["Send for review"]
    assert reverse("cases:submit_review", args=[draft.pk]) in html
    assert "only its editors see it now" in bar.audience


def test_the_draft_bar_lists_what_is_missing_and_links_to_loops_not_ready(
    client, instructor, hospital
):
    from tests.cases.factories import ReadyLoopFactory

    pending = ReadyLoopFactory(institution=hospital, status="needs_review")
    draft = services.case_create(by=instructor, title="Draft", organ="liver").case
    bar, html = _bar(client, instructor, draft)
    assert not bar.steps
    assert [str(item) for item in bar.missing] == ["at least one cine loop", "the final diagnosis"]

    draft.case_loops.create(loop=pending, order=0)
    bar, html = _bar(client, instructor, draft)
    assert pending.get_absolute_url() in html


def test_the_author_waits_for_named_reviewers(client, in_review, instructor, expert, director):
    bar, _html = _bar(client, instructor, in_review)

    assert not bar.steps
    assert "Jie Chen (Expert Centre)" in bar.waiting_for
    assert "(County Hospital)" in bar.waiting_for  # the director


def test_the_reviewer_gets_approve_and_ask_for_changes(client, in_review, expert):
    bar, _html = _bar(client, expert, in_review)

    assert [step.label for step in bar.steps] == ["Approve and publish", "Ask for changes"]
    approve = bar.steps[0]
    response = client.post(approve.url, approve.fields)
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.status == CaseStatus.PUBLISHED


def test_ask_for_changes_needs_a_comment_and_shows_it_to_the_author(
    client, in_review, expert, instructor
):
    client.force_login(expert)
    url = reverse("cases:review", args=[in_review.pk])
    refused = client.post(url, {"decision": "return", "comment": ""})
    assert refused.status_code == 200
    in_review.refresh_from_db()
    assert in_review.status == CaseStatus.IN_REVIEW

    client.post(url, {"decision": "return", "comment": "Mark the wash-out onset."})
    bar, html = _bar(client, instructor, in_review)
    assert "Mark the wash-out onset." in bar.note and "Jie Chen" in bar.note
    assert "Mark the wash-out onset." in html


def test_a_published_case_offers_withdraw_to_its_editors_only(client, case, instructor, trainee):
    bar, html = _bar(client, instructor, case)
    assert [step.label for step in bar.steps] == ["Withdraw"]
    assert reverse("cases:unpublish", args=[case.pk]) in html

    bar, html = _bar(client, trainee, case)
    assert bar is None and "data-next-action" not in html


def test_the_edit_page_shows_the_bar(client, in_review, instructor):
    client.force_login(instructor)
    response = client.get(reverse("cases:edit", args=[in_review.pk]))
    assert "data-next-action" in response.content.decode()
    assert response.context["next_action"].waiting_for


def test_the_admin_names_reviewing_institutions(client, hospital, centre):
    admin = User.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    response = client.get(reverse("admin:accounts_institution_change", args=[hospital.pk]))
    assert response.status_code == 200
    assert 'name="reviewed_by"' in response.content.decode()
