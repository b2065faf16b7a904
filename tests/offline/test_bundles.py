"""What "Save for offline" may keep (``offline.bundles``), through its endpoint: published
content the user may open now, never an exam, never what another hospital keeps to itself; and
the sync that tells a device what to delete when access is withdrawn."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import CaseStatus
from core.scoping import PublicationStatus, Visibility
from offline.bundles import offline_video_url
from quizzes.services.attempts import attempt_start
from tests.factories import TraineeFactory, api_for
from tests.quizzes.factories import QuizFactory

pytestmark = pytest.mark.django_db

SYNC = "/api/v1/offline/sync/"


def bundle_url(kind: str, pk: int) -> str:
    return reverse("api-offline-bundle", kwargs={"kind": kind, "pk": pk})


def media(loop, kind: str) -> str:
    return reverse("cineloops:media", kwargs={"pk": loop.pk, "kind": kind})


def tic(annotation) -> str:
    return f"/api/v1/cineloops/{annotation.loop_id}/tic/?roi={annotation.pk}"


def test_a_module_keeps_its_lessons_linked_cases_and_practice_quiz(trainee, study):
    response = api_for(trainee).get(bundle_url("module", study.module.pk))

    assert response.status_code == 200, response.json()
    bundle = response.json()
    urls = bundle["urls"]
    assert bundle["key"] == f"module:{study.module.pk}"
    assert (bundle["title"], bundle["context"]) == ("Wash-out", "Liver CEUS")
    assert bundle["url"] == f"{study.course.get_absolute_url()}#module-{study.module.pk}"
    expected = [
        study.course.get_absolute_url(),
        study.lesson.get_absolute_url(),
        # the practice quiz: its page, its offline paper, the loop its hotspot question shows
        study.practice.get_absolute_url(),
        reverse("offline:quiz_take", kwargs={"pk": study.practice.pk}),
        # the case the lesson links to: both modes, payload, poster, video, the ROI's curve
        study.case.get_absolute_url(),
        f"{study.case.get_absolute_url()}?mode=test",
        f"/api/v1/cases/{study.case.pk}/",
        media(study.loop, "poster"),
        offline_video_url(study.loop),
        tic(study.roi),
        # the way around offline
        reverse("offline:saved"),
        reverse("offline:unavailable"),
    ]
    assert [url for url in expected if url not in urls] == []
    assert len(urls) == len(set(urls))
    # never: a draft lesson, the exam, curves of what is not a region of interest
    assert study.draft.get_absolute_url() not in urls
    assert study.exam.get_absolute_url() not in urls
    assert not [url for url in urls if str(study.exam.pk) in url and "quiz" in url]
    assert tic(study.arrow) not in urls


def test_the_rendition_kept_offline_is_the_lowest(trainee, study):
    assert offline_video_url(study.loop) == media(study.loop, "video")  # made before renditions
    study.loop.renditions = [
        {"name": name, "file": file, "width": width, "height": width * 3 // 4, "kbps": kbps}
        for name, file, width, kbps in (
            ("high", "video.mp4", 320, 900),
            ("medium", "video-medium.mp4", 320, 480),
            ("low", "video-low.mp4", 256, 190),
        )
    ]
    study.loop.save(update_fields=["renditions"])

    urls = api_for(trainee).get(bundle_url("case", study.case.pk)).json()["urls"]

    assert offline_video_url(study.loop) == media(study.loop, "video-low")
    assert media(study.loop, "video-low") in urls
    assert media(study.loop, "video") not in urls and media(study.loop, "video-medium") not in urls


def test_an_exam_cannot_be_saved(trainee, study):
    response = api_for(trainee).get(bundle_url("quiz", study.exam.pk))

    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Exams need a connection: they cannot be saved for offline study."
    )


def test_a_practice_quiz_keeps_its_page_paper_and_loops(trainee, study):
    response = api_for(trainee).get(bundle_url("quiz", study.practice.pk))

    assert response.status_code == 200
    urls = response.json()["urls"]
    assert reverse("offline:quiz_take", kwargs={"pk": study.practice.pk}) in urls
    assert offline_video_url(study.loop) in urls and media(study.loop, "poster") in urls


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"time_limit_minutes": 10}, "time limit"),
        ({"max_attempts": 2}, "limits your attempts"),
    ],
)
def test_a_practice_quiz_whose_clock_or_count_the_server_keeps_stays_online(
    trainee, study, change, reason
):
    for name, value in change.items():
        setattr(study.practice, name, value)
    study.practice.save()

    response = api_for(trainee).get(bundle_url("quiz", study.practice.pk))

    assert response.status_code == 403
    assert reason in response.json()["detail"]
    module = api_for(trainee).get(bundle_url("module", study.module.pk)).json()
    assert study.practice.get_absolute_url() not in module["urls"]


def test_what_the_user_may_not_see_is_not_found(other_hospital, study):
    stranger = TraineeFactory(institution=other_hospital)  # the content is the hospital's own
    client = api_for(stranger)

    for kind, pk in (
        ("case", study.case.pk),
        ("module", study.module.pk),
        ("quiz", study.practice.pk),
        ("quiz", study.exam.pk),
    ):
        assert client.get(bundle_url(kind, pk)).status_code == 404, kind


def test_a_draft_is_refused_even_to_its_author(instructor, study):
    study.case.status = CaseStatus.DRAFT
    study.case.save()

    response = api_for(instructor).get(bundle_url("case", study.case.pk))

    assert response.status_code == 403
    assert response.json()["detail"] == "Only published content can be saved for offline study."


def test_a_locked_module_is_refused(trainee, study):
    from tests.courses.factories import LessonFactory, ModuleFactory

    first = ModuleFactory(course=study.course, order=0)
    LessonFactory(module=first)
    study.module.order = 5
    study.module.save()
    study.module.prerequisites.set([first])

    response = api_for(trainee).get(bundle_url("module", study.module.pk))

    assert response.status_code == 403
    assert "locked" in response.json()["detail"]


def test_a_case_of_an_exam_in_progress_is_refused_then_dropped(trainee, study, now):
    client = api_for(trainee)
    assert client.get(bundle_url("case", study.case.pk)).status_code == 200

    attempt_start(quiz=study.exam, user=trainee, now=now)

    response = client.get(bundle_url("case", study.case.pk))
    assert response.status_code == 403
    assert "exam in progress" in response.json()["detail"]
    item = client.post(SYNC, {"keys": [f"case:{study.case.pk}"]}, format="json").json()["items"][0]
    assert item["bundle"] is None and "exam in progress" in item["gone"]
    # the module is still kept, without the case
    module = client.post(SYNC, {"keys": [f"module:{study.module.pk}"]}, format="json")
    urls = module.json()["items"][0]["bundle"]["urls"]
    assert study.lesson.get_absolute_url() in urls
    assert study.case.get_absolute_url() not in urls


def test_sync_keeps_what_is_still_visible_and_drops_what_was_withdrawn(
    trainee, other_hospital, study
):
    # a network quiz of another hospital, visible to the trainee until it is made private
    shared = QuizFactory(institution=other_hospital, visibility=Visibility.NETWORK)
    client = api_for(trainee)
    keys = [
        f"module:{study.module.pk}",
        f"case:{study.case.pk}",
        f"quiz:{study.practice.pk}",
        f"quiz:{shared.pk}",
    ]
    first = {
        item["key"]: item
        for item in client.post(SYNC, {"keys": keys}, format="json").json()["items"]
    }
    assert all(first[key]["bundle"] for key in keys), first

    study.case.status = CaseStatus.DRAFT  # unpublished
    study.case.save()
    shared.visibility = Visibility.INSTITUTION  # access withdrawn
    shared.save()
    study.lesson.status = PublicationStatus.DRAFT  # a lesson of the module unpublished
    study.lesson.save()

    response = client.post(SYNC, {"keys": keys}, format="json")

    assert response.status_code == 200
    now = {item["key"]: item for item in response.json()["items"]}
    assert now[f"case:{study.case.pk}"]["bundle"] is None
    assert now[f"case:{study.case.pk}"]["gone"] == "This is not available to you any more."
    assert now[f"quiz:{shared.pk}"]["bundle"] is None
    assert now[f"quiz:{study.practice.pk}"]["bundle"] is not None
    module_urls = now[f"module:{study.module.pk}"]["bundle"]["urls"]
    assert study.lesson.get_absolute_url() not in module_urls
    assert study.case.get_absolute_url() not in module_urls


def test_sync_refuses_what_is_not_a_key(trainee):
    client = api_for(trainee)

    assert client.post(SYNC, {"keys": ["case:1", "exam:2"]}, format="json").status_code == 400
    assert (
        client.post(SYNC, {"keys": ["case:99999999999999999999"]}, format="json").status_code == 400
    )
    assert (
        client.post(SYNC, {"keys": [f"case:{n}" for n in range(1, 502)]}, format="json").status_code
        == 400
    )
    assert client.post(SYNC, {"keys": []}, format="json").json() == {"items": []}


def test_signed_out_requests_are_refused(client, study):
    assert client.get(bundle_url("case", study.case.pk)).status_code == 403
    assert client.post(SYNC, {"keys": []}, content_type="application/json").status_code == 403
