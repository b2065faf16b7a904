"""Real scanner files and pydicom's broken ones, end to end through the service, driven by the
cine library's reference table: each becomes a loop with the expected frames and status (a
video exactly when it is a cine), or fails with the code of the expected error.

A real sample's pixel work is done once per session (``processed_sample``, whose outputs
tests/cine/test_samples_process.py checks against pydicom's decode): its loop here gets those
outputs, and everything else — claim, database update, media — runs as in production."""

import pytest
from django.core.exceptions import ValidationError
from pydicom import dcmread
from pydicom.data import get_testdata_file

from cine.cleaning import CleaningDecision
from cine.dataset_checks import US_SOP_CLASSES, looks_like_dicom
from cine.errors import NotDicomError
from cineloops.messages import error_code
from cineloops.models import CineLoop
from cineloops.services import loop_create_from_path, loop_process
from tests.cine.sample_files import real_path
from tests.cine.samples_reference import BROKEN, REAL
from tests.processed_outputs import SAMPLES_SECRET

pytestmark = pytest.mark.django_db


def processed(path, institution) -> CineLoop:
    loop = loop_create_from_path(path=path, institution=institution)
    loop_process(loop_pk=loop.pk, task_id="t")  # what the task runs once the row is committed
    loop.refresh_from_db()
    return loop


@pytest.mark.parametrize("sample", REAL, ids=lambda sample: sample.name)
def test_real_sample_becomes_a_loop(
    sample, hospital, client, instructor, settings, processed_sample, reuse_processed_outputs
):
    assert processed_sample(sample)[0] == 0  # the pipeline's outputs for this file, made once
    settings.CINE_DEID_SECRET = SAMPLES_SECRET
    copies = reuse_processed_outputs.copies
    loop = processed(real_path(sample.name), hospital)

    assert reuse_processed_outputs.copies == copies + 1  # not processed a second time

    publishable = CleaningDecision(sample.cleaning).publishable
    expected = CineLoop.Status.READY if publishable else CineLoop.Status.NEEDS_REVIEW
    assert (loop.frames, loop.rows, loop.columns) == (sample.frames, sample.rows, sample.columns)
    assert loop.status == expected, loop.error_message
    assert bool(loop.video_file) == (sample.frames > 1)
    client.force_login(instructor)
    for kind in ("poster", "thumbnails", "dicom", "metadata"):
        assert client.get(loop.media_url(kind)).status_code == 200, kind


@pytest.mark.parametrize("broken", BROKEN, ids=lambda broken: broken.name)
def test_broken_file_fails_with_its_reason(broken, hospital):
    path = get_testdata_file(broken.name)
    with open(path, "rb") as src:
        if not looks_like_dicom(src.read(132)):  # refused at the door, as an upload would be
            with pytest.raises(ValidationError) as refused:
                processed(path, hospital)
            assert (broken.error, refused.value.code) == (NotDicomError, "not_dicom")
            return
    loop = processed(path, hospital)

    assert loop.status == CineLoop.Status.FAILED
    # The platform keeps ultrasound only: another class fails for that before its defects.
    sop_class = dcmread(path, stop_before_pixels=True, force=True).get("SOPClassUID")
    expected = error_code(broken.error("x")) if sop_class in US_SOP_CLASSES else None
    assert loop.error_code == (expected or "unsupported_sop_class")
    assert loop.error and loop.error in loop.error_message
    assert not loop.video_file
