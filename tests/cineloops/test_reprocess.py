"""Processing a loop again from its stored original: the service, the detail page's button and
``POST /api/v1/cineloops/{id}/reprocess/``."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cineloops import processing, services, storage
from cineloops.models import CineLoop
from cineloops.visibility import LOOP_VISIBILITY
from tests.cineloops.samples import good_cine
from tests.cineloops.stored import output_bytes
from tests.factories import api_for

pytestmark = pytest.mark.django_db
Status = CineLoop.Status
GONE = "The original file is no longer stored, so this loop cannot be processed again"


def stored_loop(institution, path, **fields) -> CineLoop:
    """A loop as processing left it, with its original stored (as a failed loop keeps it)."""
    name, size = storage.write_original(storage.file_chunks(path), limit=1 << 30)
    fields.setdefault("status", Status.FAILED)
    fields.setdefault("error_code", "worker_lost")
    return CineLoop.objects.create(
        institution=institution,
        source=CineLoop.Source.UPLOAD,
        original_name=name,
        original_size=size,
        task_id="the-old-message",
        progress=40,
        **fields,
    )


@pytest.fixture
def failed(instructor, tmp_path) -> CineLoop:
    return stored_loop(instructor.institution, good_cine(tmp_path / "in.dcm"))


def test_a_failed_loop_is_queued_again(
    failed, instructor, queued_messages, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.loop_reprocess(loop=failed, by=instructor)

    failed.refresh_from_db()
    assert failed.status == Status.QUEUED
    assert (failed.error_code, failed.error_message, failed.progress) == ("", "", 0)
    assert failed.task_id == ""  # any message may claim it now
    assert failed.processed_at is None
    assert queued_messages == [{"loop_pk": failed.pk}]


@pytest.mark.django_db(transaction=True)
def test_a_loop_that_failed_is_made_ready_when_processed_again(
    celery_eager, instructor, tmp_path, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug fixed since")  # not a CineError: fails as internal

    monkeypatch.setattr(processing, "process", broken)
    uploaded = SimpleUploadedFile("upload.dcm", good_cine(tmp_path / "in.dcm").read_bytes())
    loop = services.loop_create_from_upload(uploaded_file=uploaded, by=instructor)
    loop.refresh_from_db()
    assert loop.status == Status.FAILED
    assert storage.original_exists(loop.original_name)  # failed loops keep it
    monkeypatch.undo()

    services.loop_reprocess(loop=loop, by=instructor)

    loop.refresh_from_db()
    assert loop.status == Status.READY
    assert output_bytes(loop, "video")
    assert loop.original_name == ""  # deleted once de-identified, as after an upload


def test_a_loop_that_needs_review_is_processed_again_when_its_original_was_kept(
    instructor, tmp_path, settings
):
    settings.CINE_KEEP_ORIGINALS = True
    loop = stored_loop(
        instructor.institution, good_cine(tmp_path / "in.dcm"), status=Status.NEEDS_REVIEW
    )

    services.loop_reprocess(loop=loop, by=instructor)

    assert CineLoop.objects.get(pk=loop.pk).status == Status.UPLOADED  # queued on commit


@pytest.mark.parametrize("status", [Status.READY, Status.PROCESSING, Status.QUEUED])
def test_only_failed_and_needs_review_loops_are_processed_again(
    status, instructor, tmp_path, queued_messages
):
    loop = stored_loop(instructor.institution, good_cine(tmp_path / "in.dcm"), status=status)

    with pytest.raises(ValidationError) as refused:
        services.loop_reprocess(loop=loop, by=instructor)

    assert refused.value.code == "not_reprocessable"
    assert CineLoop.objects.get(pk=loop.pk).status == status
    assert queued_messages == []


def test_it_is_refused_when_the_original_is_gone(failed, instructor, queued_messages):
    storage.delete_original(failed.original_name)  # a volume not mounted, a hand deletion

    with pytest.raises(ValidationError) as refused:
        services.loop_reprocess(loop=failed, by=instructor)

    assert refused.value.code == "original_missing"
    assert GONE in " ".join(refused.value.messages)
    CineLoop.objects.filter(pk=failed.pk).update(original_name="")  # deleted after processing
    with pytest.raises(ValidationError, match=GONE):
        services.loop_reprocess(loop=CineLoop.objects.get(pk=failed.pk), by=instructor)
    assert CineLoop.objects.get(pk=failed.pk).status == Status.FAILED
    assert queued_messages == []


def test_only_editors_may_process_a_loop_again(failed, other_instructor, trainee):
    for user in (other_instructor, trainee):
        with pytest.raises(PermissionDenied):
            services.loop_reprocess(loop=failed, by=user)
    assert CineLoop.objects.get(pk=failed.pk).status == Status.FAILED


# --- The detail page -------------------------------------------------------------------------


def test_the_detail_page_offers_to_process_a_failed_loop_again(client, failed, instructor):
    client.force_login(instructor)

    page = client.get(f"/cineloops/{failed.pk}/").content.decode()

    assert f'action="/cineloops/{failed.pk}/reprocess/"' in page
    assert "Process again" in page
    assert "several times" in page  # why it failed
    assert GONE not in page


def test_the_button_is_in_chinese(client, failed, instructor):
    client.force_login(instructor)

    page = client.get(f"/cineloops/{failed.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "重新处理" in page
    assert "Process again" not in page


def test_without_the_original_the_page_says_why_instead(client, failed, instructor):
    CineLoop.objects.filter(pk=failed.pk).update(original_name="")
    client.force_login(instructor)

    page = client.get(f"/cineloops/{failed.pk}/").content.decode()

    assert "/reprocess/" not in page
    assert GONE in page


def test_processing_again_from_the_page(client, failed, instructor, queued_messages):
    client.force_login(instructor)

    response = client.post(f"/cineloops/{failed.pk}/reprocess/", follow=True)

    assert response.redirect_chain[-1][0] == f"/cineloops/{failed.pk}/"
    page = response.content.decode()
    assert f"Loop {failed.pk} will be processed again." in page
    assert "data-cine-poll" in page  # the page follows the new run
    assert CineLoop.objects.get(pk=failed.pk).status in (Status.UPLOADED, Status.QUEUED)


def test_the_page_shows_the_refusal(client, failed, instructor):
    storage.delete_original(failed.original_name)
    client.force_login(instructor)

    response = client.post(f"/cineloops/{failed.pk}/reprocess/", follow=True)

    assert GONE in response.content.decode()
    assert CineLoop.objects.get(pk=failed.pk).status == Status.FAILED


def test_the_page_action_is_post_only_and_for_editors(client, failed, other_instructor, trainee):
    client.force_login(other_instructor)
    assert client.post(f"/cineloops/{failed.pk}/reprocess/").status_code == 404
    client.force_login(trainee)
    assert client.post(f"/cineloops/{failed.pk}/reprocess/").status_code == 403
    assert client.get(f"/cineloops/{failed.pk}/reprocess/").status_code == 403
    assert CineLoop.objects.get(pk=failed.pk).status == Status.FAILED


# --- The API ---------------------------------------------------------------------------------


def api_url(loop: CineLoop) -> str:
    return f"/api/v1/cineloops/{loop.pk}/reprocess/"


def test_the_api_queues_the_loop_again(
    api, failed, queued_messages, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(api_url(failed))

    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["id"], body["error_code"], body["files"]) == (failed.pk, "", None)
    assert body["status"] in ("uploaded", "queued")  # queued once the commit dispatched it
    assert queued_messages == [{"loop_pk": failed.pk}]


def test_the_api_refuses_with_the_reason(api, failed):
    storage.delete_original(failed.original_name)

    response = api.post(api_url(failed))

    assert response.status_code == 400
    assert GONE in response.json()["detail"]


def test_the_api_hides_other_institutions_loops_and_refuses_readers(
    failed, other_instructor, trainee, instructor
):
    assert api_for(other_instructor).post(api_url(failed)).status_code == 404

    def everyone_at_the_hospital(user):
        from django.db.models import Q

        return Q(institution_id=user.institution_id)

    CineLoop.objects.filter(pk=failed.pk).update(status=Status.READY)
    with LOOP_VISIBILITY.registered(everyone_at_the_hospital):
        response = api_for(trainee).post(api_url(failed))  # sees the ready loop, may not edit
    assert response.status_code == 403
