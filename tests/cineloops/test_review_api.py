"""REST API for resolving a needs-review loop: keep-rectangles (202, then ready) and the
"no burned-in text" confirmation; refusals (400) and rights (404 for other institutions)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cineloops import services
from cineloops.models import CineLoop
from tests.cineloops.masks import COLUMNS, assert_blank_outside, cine_without_regions
from tests.factories import api_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/cineloops/"
RECTANGLE = [24, 16, 95, 79]


def needs_review(instructor, path) -> CineLoop:
    uploaded = SimpleUploadedFile("upload.dcm", path.read_bytes())
    loop = services.loop_create_from_upload(uploaded_file=uploaded, by=instructor)
    loop.refresh_from_db()
    assert loop.status == CineLoop.Status.NEEDS_REVIEW
    return loop


@pytest.mark.django_db(transaction=True)
def test_keep_mask_over_the_api(celery_eager, api, instructor, tmp_path):
    source = cine_without_regions(tmp_path / "in.dcm")
    loop = needs_review(instructor, source)
    before = api.get(f"{URL}{loop.pk}/").json()
    assert before["pixel_cleaning_reason_code"] == "no_regions"
    assert before["pixel_cleaning_reason_display"]

    response = api.post(f"{URL}{loop.pk}/keep-mask/", {"rectangles": [RECTANGLE]}, format="json")

    assert response.status_code == 202
    after = api.get(f"{URL}{loop.pk}/").json()
    assert (after["status"], after["keep_mask"]) == ("ready", [RECTANGLE])
    assert (after["review_resolution"], after["reviewed_by"]) == ("keep_mask", instructor.pk)
    loop.refresh_from_db()
    assert_blank_outside(loop, [RECTANGLE], source)


@pytest.mark.django_db(transaction=True)
def test_confirmation_over_the_api(celery_eager, api, instructor, tmp_path):
    loop = needs_review(instructor, cine_without_regions(tmp_path / "in.dcm"))

    response = api.post(f"{URL}{loop.pk}/confirm-no-burned-in-text/")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["review_resolution"]) == (
        "ready",
        "no_burned_in_text",
    )
    again = api.post(f"{URL}{loop.pk}/confirm-no-burned-in-text/")
    assert again.status_code == 400


@pytest.mark.parametrize(
    "body", [{"rectangles": [[0, 0, COLUMNS, 10]]}, {"rectangles": []}, {"rectangles": [[1, 2]]}]
)
def test_bad_rectangles_are_a_400(api, instructor, body):
    loop = CineLoop.objects.create(
        institution=instructor.institution,
        source=CineLoop.Source.UPLOAD,
        status=CineLoop.Status.NEEDS_REVIEW,
        rows=96,
        columns=COLUMNS,
        original_name="0" * 32,
    )
    response = api.post(f"{URL}{loop.pk}/keep-mask/", body, format="json")
    assert response.status_code == 400
    assert CineLoop.objects.get(pk=loop.pk).status == CineLoop.Status.NEEDS_REVIEW


def test_other_institutions_and_trainees_cannot_resolve(instructor, trainee, other_instructor):
    loop = CineLoop.objects.create(
        institution=instructor.institution,
        source=CineLoop.Source.UPLOAD,
        status=CineLoop.Status.NEEDS_REVIEW,
        rows=96,
        columns=COLUMNS,
    )
    for user in (trainee, other_instructor):
        client = api_for(user)
        assert client.post(f"{URL}{loop.pk}/confirm-no-burned-in-text/").status_code == 404
        response = client.post(
            f"{URL}{loop.pk}/keep-mask/", {"rectangles": [[0, 0, 9, 9]]}, format="json"
        )
        assert response.status_code == 404
    assert CineLoop.objects.get(pk=loop.pk).status == CineLoop.Status.NEEDS_REVIEW
