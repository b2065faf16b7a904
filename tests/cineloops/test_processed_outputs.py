"""The suite's reuse of pipeline outputs (tests/processed_outputs.py): a copy is exactly what
the pipeline wrote for the same input, the loop's row is what processing writes, and nothing
made from another input — another file, another secret — is ever reused."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from pydicom import dcmread

import cine.pipeline
import demo.loops
from cineloops import processing, storage
from cineloops.models import CineLoop
from tests.cases.loops import processed
from tests.cineloops.samples import good_cine
from tests.cineloops.stored import output_bytes
from tests.processed_outputs import ProcessedOutputs

pytestmark = pytest.mark.django_db

# A one-second demo loop: the demo's generator and the real pipeline, in a moment.
LOOP = {"scene": "hcc", "duration_s": 1.0, "injection_at_s": 0.5, "seed": 7}
ROW = (
    "status",
    "progress",
    "error_code",
    "frames",
    "fps",
    "duration_s",
    "rows",
    "columns",
    "regions",
    "pixel_cleaning",
    "pixel_cleaning_reason",
    "pixel_cleaning_code",
    *CineLoop.FILE_FIELDS.values(),
    "renditions",
)


@pytest.fixture
def store(tmp_path) -> ProcessedOutputs:
    """A store of this test's own, whatever the session's holds already."""
    return ProcessedOutputs(tmp_path / "store")


def outputs(loop: CineLoop) -> dict[str, bytes]:
    """The loop's stored outputs of its current run, by name within the run."""
    loop.refresh_from_db()
    prefix = storage.run_prefix(loop.pk, loop.output_run) + "/"
    store = storage.media()
    names = storage.list_files(store, prefix.rstrip("/"))
    return {name.removeprefix(prefix): store.open(name, "rb").read() for name in names}


def row(loop: CineLoop) -> dict:
    loop.refresh_from_db()
    return {name: getattr(loop, name) for name in ROW}


def demo_loop(path: Path, hospital) -> CineLoop:
    demo.loops.write_loop(path, **LOOP)  # looked up at call time: the reusing one inside
    return processed(path, hospital)


def test_the_second_run_of_a_demo_loop_is_a_copy_of_the_first(cine_dirs, hospital, tmp_path, store):
    real_process = processing.process
    with store.reused():
        first = demo_loop(tmp_path / "first.dcm", hospital)
        made = outputs(first)
        second = demo_loop(tmp_path / "second.dcm", hospital)

    assert (tmp_path / "first.dcm").read_bytes() == (tmp_path / "second.dcm").read_bytes()
    assert (store.pipeline_runs, store.copies) == (1, 1)
    assert first.status == CineLoop.Status.READY and first.frames == 15
    assert outputs(second) == made and "video.mp4" in made
    assert "video-low.mp4" in made  # the renditions are copied with the rest
    assert row(second) == row(first)
    assert second.original_name == "" and first.original_name == ""  # ready: original gone
    assert processing.process is real_process is cine.pipeline.process  # nothing left patched


def test_seeding_runs_the_pipeline_even_when_kept_and_keeps_it_for_later_copies(
    cine_dirs, hospital, tmp_path, store
):
    with store.seeding():
        first = demo_loop(tmp_path / "first.dcm", hospital)
        again = demo_loop(tmp_path / "again.dcm", hospital)  # kept already: real all the same
    assert (store.pipeline_runs, store.copies) == (1, 0)
    with store.reused():
        copied = demo_loop(tmp_path / "copied.dcm", hospital)
    assert (store.pipeline_runs, store.copies) == (1, 1)
    assert outputs(copied) == outputs(first)  # the kept run, not the later real one
    assert again.status == CineLoop.Status.READY


def test_other_sources_go_through_the_pipeline_every_time(cine_dirs, hospital, tmp_path, store):
    source = good_cine(tmp_path / "made-by-a-test.dcm")
    shutil.copyfile(source, tmp_path / "same-bytes.dcm")
    with store.reused():
        first = processed(source, hospital)
        second = processed(tmp_path / "same-bytes.dcm", hospital)

    assert first.status == second.status == CineLoop.Status.READY
    assert (store.pipeline_runs, store.copies, store.results) == (0, 0, {})


def test_another_secret_is_another_input(cine_dirs, hospital, tmp_path, store, settings):
    with store.reused():
        first = demo_loop(tmp_path / "first.dcm", hospital)
        settings.CINE_DEID_SECRET = "another-de-identification-secret-987654"
        second = demo_loop(tmp_path / "second.dcm", hospital)

    assert (store.pipeline_runs, store.copies) == (2, 0)
    uids = [deidentified(loop).StudyInstanceUID for loop in (first, second)]
    assert uids[0] != uids[1]


def deidentified(loop: CineLoop):
    return dcmread(io.BytesIO(output_bytes(loop, "dicom")))


def test_another_dicom_codec_setting_is_another_input(
    cine_dirs, hospital, tmp_path, store, settings
):
    with store.reused():
        demo_loop(tmp_path / "first.dcm", hospital)
        settings.CINE_DICOM_LOSSY = not settings.CINE_DICOM_LOSSY
        demo_loop(tmp_path / "second.dcm", hospital)

    # The demo's loops are JPEG (lossy) and stay JPEG either way; a lossless source's DICOM
    # would differ (tests/cineloops/test_processing_dicom_codec.py), so never reuse across.
    assert (store.pipeline_runs, store.copies) == (2, 0)
