"""Who sees what: unpublished cases and their loops' media are invisible to trainees, another
institution's private case to everyone outside it, and anonymous users get nothing."""

import pytest
from django.urls import reverse

from cases.models import CaseStatus
from core.scoping import Visibility
from tests.cases.factories import CaseFactory, ReadyLoopFactory, with_files
from tests.factories import api_for

pytestmark = pytest.mark.django_db


def page(case) -> str:
    return reverse("cases:detail", kwargs={"pk": case.pk})


def api(case) -> str:
    return f"/api/v1/cases/{case.pk}/"


def media(loop, kind: str = "poster") -> str:
    return reverse("cineloops:media", kwargs={"pk": loop.pk, "kind": kind})


def tic(loop) -> str:
    return f"/api/v1/cineloops/{loop.pk}/tic/?roi=ellipse:100,100,10,10"


@pytest.fixture
def unpublished(hospital, instructor):
    """One draft and one in-review case of the trainee's own hospital, each with a loop."""
    made = []
    for status in (CaseStatus.DRAFT, CaseStatus.IN_REVIEW):
        loop = with_files(ReadyLoopFactory(institution=hospital))
        made.append(CaseFactory(institution=hospital, status=status, loops=[loop]))
    return made


def test_a_trainee_sees_a_published_case_of_the_hospital_and_its_media(client, trainee, case, loop):
    client.force_login(trainee)

    assert client.get(page(case)).status_code == 200
    assert api_for(trainee).get(api(case)).status_code == 200
    response = client.get(media(loop))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\xff\xd8poster"
    assert client.get(media(loop, "video")).status_code == 200


@pytest.mark.parametrize("which", [0, 1], ids=["draft", "in_review"])
def test_unpublished_cases_and_their_media_are_invisible_to_trainees(
    client, trainee, unpublished, which
):
    case = unpublished[which]
    loop = case.case_loops.get().loop
    client.force_login(trainee)
    trainee_api = api_for(trainee)

    assert client.get(page(case)).status_code == 404
    assert trainee_api.get(api(case)).status_code == 404
    assert trainee_api.get(f"{api(case)}annotations/").status_code == 404
    assert (
        trainee_api.post(
            f"{api(case)}watch/", {"loop": loop.pk, "played_s": 1, "position_s": 1}
        ).status_code
        == 404
    )
    assert client.get(media(loop)).status_code == 404
    assert client.get(media(loop, "video")).status_code == 404
    assert trainee_api.get(tic(loop)).status_code == 404
    listed = trainee_api.get("/api/v1/cases/").json()["results"]
    assert case.pk not in [row["id"] for row in listed]
    assert case.title not in client.get(reverse("cases:library")).text


def test_editors_see_their_drafts(client, instructor, unpublished):
    client.force_login(instructor)
    for case in unpublished:
        loop = case.case_loops.get().loop
        assert client.get(page(case)).status_code == 200
        assert client.get(media(loop)).status_code == 200


def test_a_loop_still_needing_review_stays_hidden_even_in_a_visible_case(client, trainee, case):
    """Registered rules only reach ready loops: burned-in text may still be on the frames."""
    pending = with_files(ReadyLoopFactory(institution=case.institution, status="needs_review"))
    case.case_loops.create(loop=pending, order=1)
    client.force_login(trainee)

    assert client.get(media(pending)).status_code == 404


def test_another_institutions_private_case_is_invisible(
    client, other_instructor, case, loop, trainee
):
    client.force_login(other_instructor)
    other_api = api_for(other_instructor)

    assert client.get(page(case)).status_code == 404
    assert other_api.get(api(case)).status_code == 404
    assert client.get(media(loop)).status_code == 404
    assert other_api.get(tic(loop)).status_code == 404
    assert other_api.patch(api(case), {"title": "Mine now"}, format="json").status_code == 404
    assert case.pk not in [row["id"] for row in other_api.get("/api/v1/cases/").json()["results"]]


def test_a_network_case_is_seen_by_other_institutions_but_not_edited(
    client, other_instructor, case, loop
):
    case.visibility = Visibility.NETWORK
    case.save()
    client.force_login(other_instructor)
    other_api = api_for(other_instructor)

    assert client.get(page(case)).status_code == 200
    assert client.get(media(loop)).status_code == 200
    assert other_api.get(api(case)).json()["can_edit"] is False
    assert other_api.patch(api(case), {"title": "Mine now"}, format="json").status_code == 403
    assert client.get(reverse("cases:edit", kwargs={"pk": case.pk})).status_code == 404


def test_anonymous_users_get_nothing(client, case, loop):
    assert client.get(reverse("cases:library")).status_code == 302
    assert client.get(page(case)).status_code == 302
    assert client.get(media(loop)).status_code in (401, 403, 404)
    assert client.get(api(case)).status_code in (401, 403)
    assert client.get("/api/v1/cases/").status_code in (401, 403)
    assert client.get(tic(loop)).status_code in (401, 403)


def test_trainees_cannot_author(client, trainee, case):
    client.force_login(trainee)
    trainee_api = api_for(trainee)

    assert client.get(reverse("cases:create")).status_code == 403
    assert client.get(reverse("cases:edit", kwargs={"pk": case.pk})).status_code == 403
    assert trainee_api.post("/api/v1/cases/", {"title": "x", "organ": "liver"}).status_code == 403
    assert trainee_api.patch(api(case), {"title": "x"}, format="json").status_code == 403
    body = {"annotations": [], "phase_markers": []}
    assert trainee_api.put(f"{api(case)}annotations/", body, format="json").status_code == 403
    assert api_for(trainee).get(api(case)).json()["can_edit"] is False


@pytest.mark.parametrize("status", list(CaseStatus), ids=lambda status: status.value)
def test_a_site_admin_opens_every_case(client, hospital, status):
    """``Case.objects.open_to``: a site admin's "every row" must survive the OR with the
    cases in review (``Q() | x`` is ``x``): published and draft pages were 404s."""
    from tests.factories import SiteAdminFactory

    case = CaseFactory(institution=hospital, status=status)
    client.force_login(SiteAdminFactory())
    assert client.get(page(case)).status_code == 200
