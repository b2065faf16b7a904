"""Instructor pages: list, upload (with and without JavaScript), detail, delete; EN and ZH."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cineloops import services
from cineloops.models import CineLoop
from cineloops.visibility import LOOP_VISIBILITY
from tests.cineloops.samples import good_cine, not_dicom, truncated, ybr_cine
from tests.cineloops.stored import outputs_of

pytestmark = pytest.mark.django_db


def make_loop(by, path) -> CineLoop:
    uploaded = SimpleUploadedFile("upload.dcm", path.read_bytes())
    loop = services.loop_create_from_upload(uploaded_file=uploaded, by=by)
    loop.refresh_from_db()
    return loop


def test_nav_link_for_instructors_only(client, instructor, trainee):
    client.force_login(instructor)
    assert 'href="/cineloops/"' in client.get("/courses/").content.decode()
    client.force_login(trainee)
    assert 'href="/cineloops/"' not in client.get("/courses/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_list_shows_the_institution_s_loops(celery_eager, client, instructor, tmp_path):
    ready = make_loop(instructor, good_cine(tmp_path / "a.dcm"))
    failed = make_loop(instructor, truncated(tmp_path / "b.dcm"))
    client.force_login(instructor)

    page = client.get("/cineloops/").content.decode()

    assert f"Loop {ready.pk}" in page and f"Loop {failed.pk}" in page
    assert "The file is incomplete." in page
    assert f"/cineloops/{ready.pk}/media/poster/" in page


def test_list_polls_loops_still_in_progress(client, instructor, tmp_path):
    queued = make_loop(instructor, good_cine(tmp_path / "a.dcm"))  # not eager: stays queued
    client.force_login(instructor)

    page = client.get("/cineloops/").content.decode()

    assert f'data-loop-id="{queued.pk}"' in page
    assert 'data-poll-url="/api/v1/cineloops/"' in page


def test_upload_page_has_the_drop_zone_and_its_messages(client, instructor, settings):
    settings.CINE_MAX_UPLOAD_BYTES = 2 * 1024**3
    client.force_login(instructor)

    page = client.get("/cineloops/upload/").content.decode()

    assert "data-drop-zone" in page
    assert 'data-max-bytes="2147483648"' in page
    assert "upload limit of 2.0\xa0GB" in page
    assert "/static/js/cineloops.js" in page


def test_upload_page_in_chinese(client, instructor):
    client.force_login(instructor)

    page = client.get("/cineloops/upload/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "上传" in page
    assert "Upload cine loops" not in page


def test_trainees_cannot_open_the_pages(client, trainee):
    client.force_login(trainee)
    assert client.get("/cineloops/").status_code == 403
    assert client.get("/cineloops/upload/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_upload_without_javascript(celery_eager, client, instructor, tmp_path):
    client.force_login(instructor)
    files = [
        SimpleUploadedFile("a.dcm", good_cine(tmp_path / "a.dcm").read_bytes()),
        SimpleUploadedFile("b.dcm", not_dicom(tmp_path / "b.dcm").read_bytes()),
    ]

    response = client.post("/cineloops/upload/", {"file": files}, follow=True)

    assert response.redirect_chain[-1][0] == "/cineloops/"
    page = response.content.decode()
    assert "1 loops are being processed." in page
    assert "File 2: The file is not a DICOM file" in page  # refused at upload, not stored
    assert list(CineLoop.objects.values_list("status", flat=True)) == ["ready"]


def test_upload_without_javascript_checks_csrf(instructor, tmp_path):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(instructor)
    upload = SimpleUploadedFile("a.dcm", good_cine(tmp_path / "a.dcm").read_bytes())

    assert client.post("/cineloops/upload/", {"file": upload}).status_code == 403
    assert CineLoop.objects.count() == 0


def test_upload_over_the_limit_without_javascript(client, instructor, settings):
    settings.CINE_MAX_UPLOAD_BYTES = 1000
    client.force_login(instructor)

    response = client.post(
        "/cineloops/upload/",
        {"file": SimpleUploadedFile("a.dcm", ybr_cine().read_bytes())},
        follow=True,
    )

    assert "upload limit of 1000\xa0bytes" in response.content.decode()
    assert CineLoop.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_detail_shows_video_thumbnails_and_metadata(celery_eager, client, instructor, tmp_path):
    loop = make_loop(instructor, good_cine(tmp_path / "a.dcm"))
    client.force_login(instructor)

    page = client.get(f"/cineloops/{loop.pk}/").content.decode()

    assert '<video controls preload="none"' in page
    assert f'poster="/cineloops/{loop.pk}/media/poster/"' in page
    assert f'src="/cineloops/{loop.pk}/media/video/"' in page
    assert f"/cineloops/{loop.pk}/media/thumbnails/" in page
    assert "25.00 frames/s" in page
    assert "0.24 s" in page
    assert "64 \u00d7 48 pixels" in page
    assert "0.05000" in page  # cm/px of the region
    assert "2D image" in page and "Tissue" in page
    assert "Everything outside the ultrasound regions was blanked." in page


@pytest.mark.django_db(transaction=True)
def test_detail_in_chinese(celery_eager, client, instructor, tmp_path):
    loop = make_loop(instructor, ybr_cine())
    client.force_login(instructor)

    page = client.get(f"/cineloops/{loop.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "需要审核" in page
    assert "Needs review" not in page


@pytest.mark.django_db(transaction=True)
def test_detail_is_404_for_others(
    celery_eager, client, instructor, trainee, other_instructor, tmp_path
):
    loop = make_loop(instructor, good_cine(tmp_path / "a.dcm"))
    for user in (trainee, other_instructor):
        client.force_login(user)
        assert client.get(f"/cineloops/{loop.pk}/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_delete_removes_the_row_and_every_file(celery_eager, client, instructor, tmp_path):
    loop = make_loop(instructor, good_cine(tmp_path / "a.dcm"))
    client.force_login(instructor)

    response = client.post(f"/cineloops/{loop.pk}/delete/")

    assert response.status_code == 302
    assert not CineLoop.objects.exists()
    assert not outputs_of(loop.pk)


@pytest.mark.django_db(transaction=True)
def test_other_apps_can_widen_visibility_to_ready_loops(
    celery_eager, trainee, instructor, tmp_path
):
    """What the case library will do: loops attached to a case the user sees."""
    from django.db.models import Q

    ready = make_loop(instructor, good_cine(tmp_path / "a.dcm"))
    review = make_loop(instructor, ybr_cine())

    def everyone_at_the_hospital(user):
        return Q(institution_id=user.institution_id)

    with LOOP_VISIBILITY.registered(everyone_at_the_hospital):
        visible = set(CineLoop.objects.for_user(trainee).values_list("pk", flat=True))

    assert visible == {ready.pk}  # never a loop that may still show burned-in text
    assert review.status == CineLoop.Status.NEEDS_REVIEW
    assert not CineLoop.objects.editable_by(trainee).exists()


def test_a_visibility_rule_never_narrows_what_a_site_admin_sees(site_admin, hospital):
    """``Q()`` (every loop) ORed with a rule would be just the rule: site admins keep all."""
    from django.db.models import Q

    review = CineLoop.objects.create(
        institution=hospital, source=CineLoop.Source.UPLOAD, status=CineLoop.Status.NEEDS_REVIEW
    )

    def nothing(user):
        return Q(pk__in=[])

    with LOOP_VISIBILITY.registered(nothing):
        visible = list(CineLoop.objects.for_user(site_admin).values_list("pk", flat=True))

    assert visible == [review.pk]
