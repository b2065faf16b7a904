"""``cine.facts``: metadata.json is the serialised ``LoopFacts``, read back by ``load``.

Every real sample's file is checked in ``test_samples_process``, every transfer syntax's in
``test_transfer_syntaxes`` / ``test_video_syntaxes``; here the shapes of older files and what
``load`` refuses.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from cine.cleaning import CleaningDecision, CleaningReason
from cine.facts import SCHEMA_VERSION, LoopFacts, MetadataError, load, loads
from cine.pipeline import deidentified_dicom_writer, process

from .cine_factory import make_cine, region_item
from .facts_roundtrip import assert_facts_round_trip

REGIONS = (region_item((8, 6, 55, 41)), region_item((0, 44, 63, 47), spatial_format=4, units=4))


# One worker runs this module under pytest -n: its module fixture is made once.
pytestmark = pytest.mark.xdist_group("facts")


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Path, LoopFacts]:
    """A processed cine with regions and a de-identified DICOM: its folder and facts."""
    tmp = tmp_path_factory.mktemp("facts")
    src = make_cine(tmp / "in.dcm", frames=4, regions=REGIONS)
    writer = deidentified_dicom_writer(b"facts-secret-0123456789")
    result = process(src, tmp / "out", dicom_writer=writer)
    return result.out_dir, result.facts


def test_the_file_is_the_returned_facts(written, tmp_path: Path) -> None:
    out, facts = written
    assert assert_facts_round_trip(out, tmp_path) == facts
    assert facts.cleaning.decision is CleaningDecision.OUTSIDE_REGIONS
    assert facts.cleaning.reason_code is CleaningReason.REGIONS and facts.cleaning.publishable
    assert facts.calibrated and facts.regions[0].region.cm_per_pixel == (0.05, 0.05)
    assert facts.video is not None and facts.video.frames == 4 and not facts.video.remuxed
    assert facts.dicom is not None and facts.dicom.file == "deidentified.dcm"
    assert facts.intensity.shape == (4, 48, 64) and facts.intensity.scale == (1, 1)
    assert len(facts.timing.frame_times_s) == facts.thumbnails.count == 4


def test_single_frame_without_dicom_round_trips(tmp_path: Path) -> None:
    src = make_cine(tmp_path / "one.dcm", frames=1, frame_time=None)
    facts = process(src, tmp_path / "out").facts
    assert facts.video is None and facts.dicom is None and facts.timing.fps is None
    assert assert_facts_round_trip(tmp_path / "out", tmp_path) == facts


def test_the_first_files_of_schema_1_still_load(written) -> None:
    """Written before the cleaning reason code, the source stream, the video's scale and
    re-mux flag, its measured size and its renditions existed: those read as their defaults."""
    out, facts = written
    old = json.loads((out / "metadata.json").read_text())
    for key in ("pixel_cleaning_reason_code", "video_stream"):
        del old[key]
    for key in ("scale", "remuxed", "bytes", "kbps", "renditions"):
        del old["video"][key]
    loaded = loads(json.dumps(old))
    assert loaded.cleaning.reason_code is None and loaded.source.video_stream is None
    assert loaded.video is not None and (loaded.video.scale, loaded.video.remuxed) == (1, False)
    assert (loaded.video.bytes, loaded.video.kbps, loaded.video.renditions) == (None, None, ())
    assert loaded.poster == facts.poster and loaded.timing == facts.timing


def _broken(data: dict, change) -> dict:
    data = copy.deepcopy(data)
    change(data)
    return data


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(schema=SCHEMA_VERSION + 1),
        lambda d: d.pop("frames"),
        lambda d: d.update(frames="4"),
        lambda d: d.update(frames=True),  # JSON true is no number
        lambda d: d.update(pixel_cleaning="scrubbed"),
        lambda d: d["poster"].update(file="../../etc/passwd"),
        lambda d: d["video"].update(file="sub/video.mp4"),
        lambda d: d.update(intensity_scale=[2]),
        lambda d: d.update(frame_times_s=["0.0"]),
        lambda d: d.update(regions=[{"bounds": [1, 2]}]),
        lambda d: d.update(frame_timing="sometimes"),
    ],
    ids=[
        "future-schema",
        "missing-key",
        "string-number",
        "bool-number",
        "unknown-decision",
        "path-as-file",
        "folder-in-file",
        "short-scale",
        "string-times",
        "bad-region",
        "bad-timing-kind",
    ],
)
def test_anything_else_is_refused(written, change) -> None:
    out, _ = written
    data = _broken(json.loads((out / "metadata.json").read_text()), change)
    with pytest.raises(MetadataError):
        loads(json.dumps(data))


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    (tmp_path / "metadata.json").write_bytes(b"\xff{not json")
    with pytest.raises(MetadataError):
        load(tmp_path / "metadata.json")
    with pytest.raises(MetadataError):
        loads("[1, 2]")
    with pytest.raises(OSError):
        load(tmp_path / "missing.json")
