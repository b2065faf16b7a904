"""Resolving a loop that needs review (no usable ultrasound regions): an instructor confirms
there is no burned-in text, or draws keep-rectangles and the task cleans every frame again.
The original stays until then; an unresolved loop is only ever served to its editors."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q

from cineloops import review, services, storage
from cineloops.models import CineLoop
from cineloops.tasks import loop_process_task
from cineloops.visibility import LOOP_VISIBILITY
from tests.cineloops.masks import COLUMNS, ROWS, assert_blank_outside, cine_without_regions
from tests.cineloops.stored import outputs_of

pytestmark = pytest.mark.django_db
Status = CineLoop.Status
RECTANGLE = [24, 16, 95, 79]


def upload(path, by) -> CineLoop:
    uploaded = SimpleUploadedFile("upload.dcm", path.read_bytes())
    loop = services.loop_create_from_upload(uploaded_file=uploaded, by=by)
    loop.refresh_from_db()
    return loop


def review_loop(institution, **fields) -> CineLoop:
    """A row that needs review, without files (for the checks made before any processing)."""
    return CineLoop.objects.create(
        institution=institution,
        source=CineLoop.Source.UPLOAD,
        status=Status.NEEDS_REVIEW,
        rows=ROWS,
        columns=COLUMNS,
        **fields,
    )


@pytest.mark.django_db(transaction=True)
def test_a_loop_without_regions_needs_review_and_keeps_its_original(
    celery_eager, instructor, tmp_path
):
    loop = upload(cine_without_regions(tmp_path / "in.dcm"), instructor)

    assert loop.status == Status.NEEDS_REVIEW
    assert (loop.pixel_cleaning, loop.pixel_cleaning_code) == ("review_required", "no_regions")
    # The mask is applied to the original's pixels: it must outlive the first run.
    assert loop.original_name and storage.original_exists(loop.original_name)


@pytest.mark.django_db(transaction=True)
def test_keep_rectangles_clean_every_frame_and_the_loop_becomes_ready(
    celery_eager, instructor, tmp_path, cine_dirs
):
    source = cine_without_regions(tmp_path / "in.dcm")
    loop = upload(source, instructor)

    review.loop_apply_keep_mask(loop=loop, by=instructor, rectangles=[RECTANGLE])

    loop.refresh_from_db()
    assert loop.status == Status.READY, loop.error
    assert (loop.pixel_cleaning, loop.pixel_cleaning_code) == ("manual_mask", "manual_mask")
    assert loop.keep_mask == [RECTANGLE]
    assert (loop.review_resolution, loop.reviewed_by) == ("keep_mask", instructor)
    assert loop.reviewed_at is not None
    assert_blank_outside(loop, [RECTANGLE], source)
    # Resolved: the original goes, as for any loop cleaned automatically.
    assert loop.original_name == ""
    assert not any(p.is_file() for p in cine_dirs.uploads.rglob("*"))


@pytest.mark.django_db(transaction=True)
def test_the_cleaning_task_run_twice_changes_nothing(celery_eager, instructor, tmp_path):
    loop = upload(cine_without_regions(tmp_path / "in.dcm"), instructor)
    review.loop_apply_keep_mask(loop=loop, by=instructor, rectangles=[RECTANGLE])
    before = {name: storage.media().get_modified_time(name) for name in outputs_of(loop.pk)}

    assert loop_process_task.apply(kwargs={"loop_pk": loop.pk}).get() == "skipped: already ready"
    after = {name: storage.media().get_modified_time(name) for name in outputs_of(loop.pk)}
    assert after == before
    assert CineLoop.objects.get(pk=loop.pk).output_name("dicom") in after


@pytest.mark.django_db(transaction=True)
def test_confirming_no_burned_in_text_makes_the_loop_ready_with_who_and_when(
    celery_eager, client, instructor, tmp_path, cine_dirs
):
    instructor.first_name, instructor.last_name = "Min", "Zhao"
    instructor.save()
    loop = upload(cine_without_regions(tmp_path / "in.dcm"), instructor)
    client.force_login(instructor)

    response = client.post(f"/cineloops/{loop.pk}/review/no-text/", follow=True)

    loop.refresh_from_db()
    assert loop.status == Status.READY
    assert (loop.review_resolution, loop.reviewed_by) == ("no_burned_in_text", instructor)
    assert loop.reviewed_at is not None
    assert loop.original_name == ""
    assert not any(p.is_file() for p in cine_dirs.uploads.rglob("*"))
    page = response.content.decode()
    assert "Confirmed: no burned-in text" in page and "By Min Zhao" in page
    assert "data-mask-editor" not in page  # nothing left to resolve


@pytest.mark.django_db(transaction=True)
def test_the_page_posts_the_drawn_rectangles(celery_eager, client, instructor, tmp_path):
    loop = upload(cine_without_regions(tmp_path / "in.dcm"), instructor)
    client.force_login(instructor)
    page = client.get(f"/cineloops/{loop.pk}/").content.decode()
    assert f'action="/cineloops/{loop.pk}/review/keep-mask/"' in page
    assert f'data-columns="{COLUMNS}" data-rows="{ROWS}"' in page
    assert 'data-count="8"' in page  # the frame stepper knows the strip

    client.post(f"/cineloops/{loop.pk}/review/keep-mask/", {"rectangles": json.dumps([RECTANGLE])})

    assert CineLoop.objects.get(pk=loop.pk).status == Status.READY


@pytest.mark.parametrize(
    ("rectangles", "code"),
    [
        ([], "no_rectangles"),
        ("0,0,10,10", "no_rectangles"),
        ([[0, 0, COLUMNS, 10]], "outside"),  # inclusive: the last column is COLUMNS - 1
        ([[0, 0, 10, ROWS]], "outside"),
        ([[-1, 0, 10, 10]], "outside"),
        ([[0, 0, 10]], "malformed"),
        ([[0, 0, 10.5, 10]], "malformed"),
        ([[True, 0, 10, 10]], "malformed"),
        ([[0, 0, 1, 1]] * (review.MAX_RECTANGLES + 1), "too_many"),
    ],
)
def test_rectangles_are_checked(instructor, rectangles, code):
    loop = review_loop(instructor.institution)

    with pytest.raises(ValidationError) as refused:
        review.loop_apply_keep_mask(loop=loop, by=instructor, rectangles=rectangles)

    assert refused.value.code == code
    loop.refresh_from_db()
    assert (loop.status, loop.keep_mask, loop.review_resolution) == (Status.NEEDS_REVIEW, [], "")


def test_corners_in_any_order_and_the_last_pixel_are_accepted():
    cleaned = review.clean_rectangles([[COLUMNS - 1, ROWS - 1, 0, 0]], rows=ROWS, columns=COLUMNS)
    assert cleaned == [[0, 0, COLUMNS - 1, ROWS - 1]]


def test_only_a_loop_that_needs_review_can_be_resolved(instructor):
    loop = review_loop(instructor.institution)
    CineLoop.objects.filter(pk=loop.pk).update(status=Status.READY)

    for resolve in (
        lambda: review.loop_confirm_no_burned_in_text(loop=loop, by=instructor),
        lambda: review.loop_apply_keep_mask(loop=loop, by=instructor, rectangles=[[0, 0, 9, 9]]),
    ):
        with pytest.raises(ValidationError) as refused:
            resolve()
        assert refused.value.code == "not_needs_review"


def test_a_mask_needs_the_original(instructor):
    loop = review_loop(instructor.institution, original_name="")

    with pytest.raises(ValidationError) as refused:
        review.loop_apply_keep_mask(loop=loop, by=instructor, rectangles=[[0, 0, 9, 9]])

    assert refused.value.code == "original_missing"
    assert CineLoop.objects.get(pk=loop.pk).keep_mask == []


def test_only_editors_of_the_loop_s_institution_resolve_it(
    client, instructor, trainee, other_instructor
):
    loop = review_loop(instructor.institution)
    for user in (trainee, other_instructor):
        with pytest.raises(PermissionDenied):
            review.loop_confirm_no_burned_in_text(loop=loop, by=user)
        with pytest.raises(PermissionDenied):
            review.loop_apply_keep_mask(loop=loop, by=user, rectangles=[[0, 0, 9, 9]])
        client.force_login(user)
        for action in ("no-text", "keep-mask"):
            response = client.post(
                f"/cineloops/{loop.pk}/review/{action}/", {"rectangles": "[[0, 0, 9, 9]]"}
            )
            assert response.status_code in (403, 404), (user, action)
    assert CineLoop.objects.get(pk=loop.pk).status == Status.NEEDS_REVIEW


@pytest.mark.django_db(transaction=True)
def test_an_unresolved_loop_is_served_to_its_editors_only(
    celery_eager, client, instructor, trainee, tmp_path
):
    """Its pixels were not cleaned: even a rule that opens every loop to the trainee (as an
    attached case does) reaches it only once it is ready."""
    loop = upload(cine_without_regions(tmp_path / "in.dcm"), instructor)

    def everyone(user):
        return Q(institution_id=user.institution_id)

    with LOOP_VISIBILITY.registered(everyone):
        client.force_login(trainee)
        assert client.get(f"/cineloops/{loop.pk}/media/poster/").status_code == 404
        assert client.get(f"/cineloops/{loop.pk}/").status_code == 404
        client.force_login(instructor)
        assert client.get(f"/cineloops/{loop.pk}/media/poster/").status_code == 200
        review.loop_confirm_no_burned_in_text(loop=loop, by=instructor)
        client.force_login(trainee)
        assert client.get(f"/cineloops/{loop.pk}/media/poster/").status_code == 200
        assert "data-mask-editor" not in client.get(f"/cineloops/{loop.pk}/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_chinese_page_shows_the_cleaning_reason_translated(
    celery_eager, client, instructor, tmp_path
):
    loop = upload(cine_without_regions(tmp_path / "in.dcm"), instructor)
    assert "no ultrasound regions" in loop.pixel_cleaning_reason  # the English note cine wrote
    client.force_login(instructor)

    page = client.get(f"/cineloops/{loop.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "文件中未标明超声图像所在的区域。" in page
    assert "no ultrasound regions" not in page and "burned-in text possible" not in page
    assert "所有帧均无嵌入文字" in page and "保留这些矩形并清除每一帧" in page


def test_loops_processed_before_reason_codes_get_theirs_from_the_english_note(hospital):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("cineloops.migrations.0002_loop_review_resolution")
    old = review_loop(
        hospital, pixel_cleaning_reason="no ultrasound regions; burned-in text possible"
    )
    other = review_loop(hospital, pixel_cleaning_reason="something else")

    migration.codes_from_notes(apps, None)

    assert CineLoop.objects.get(pk=old.pk).pixel_cleaning_code == "no_regions"
    assert CineLoop.objects.get(pk=other.pk).pixel_cleaning_code == ""
