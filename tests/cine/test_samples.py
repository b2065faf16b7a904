"""Every sample file against the reference table: header facts, decoding, colours, errors."""

from __future__ import annotations

import numpy as np
import pytest

from cine.cleaning import plan_cleaning
from cine.frames import display_converter
from cine.reader import iter_frames, read_header
from cine.regions import parse_regions
from cine.timing import frame_timing

from .cine_factory import psnr
from .sample_files import CASES, bundled_path, reference_display
from .samples_reference import BROKEN, Broken, Sample


@pytest.mark.parametrize(("sample", "locate"), CASES)
def test_header_matches_the_table(sample: Sample, locate) -> None:
    header = read_header(locate(sample.name))
    layout = header.layout
    assert (layout.frames, layout.rows, layout.columns) == (
        sample.frames,
        sample.rows,
        sample.columns,
    )
    assert layout.photometric == sample.photometric
    assert layout.transfer_syntax == sample.transfer_syntax
    assert header.decoder == sample.decoder
    regions = parse_regions(header.dataset)
    assert len(regions) == sample.regions
    timing = frame_timing(header.dataset, layout.frames)
    if sample.fps is None:
        assert timing.frames == 1
    else:
        assert timing.fps == pytest.approx(sample.fps, abs=1e-3)
    burned_in = header.dataset.get("BurnedInAnnotation")
    plan = plan_cleaning(regions, layout.rows, layout.columns, burned_in)
    assert plan.decision == sample.cleaning


@pytest.mark.parametrize(("sample", "locate"), CASES)
def test_frames_match_pydicoms_own_decode(sample: Sample, locate) -> None:
    path = locate(sample.name)
    header = read_header(path)
    reference = reference_display(path, sample)
    frames = iter_frames(path, header)
    first = next(frames)
    convert = display_converter(header.dataset, header.layout, first)
    decoded = [convert(first), *(convert(f) for f in frames)]
    assert len(decoded) == sample.frames
    shape = (sample.rows, sample.columns, 3) if sample.colour else (sample.rows, sample.columns)
    for ours, theirs in zip(decoded, reference, strict=True):
        assert ours.dtype == np.uint8
        assert ours.shape == theirs.shape == shape
        # Lossless paths are identical; Pillow's and pydicom's YCbCr->RGB differ by rounding.
        assert psnr(ours, theirs) >= (40 if sample.decoder == "pillow-jpeg" else 50)


@pytest.mark.parametrize("broken", BROKEN, ids=lambda b: b.name)
def test_broken_files_raise_the_expected_error(broken: Broken) -> None:
    path = bundled_path(broken.name)
    with pytest.raises(broken.error) as caught:
        header = read_header(path)
        for _ in iter_frames(path, header):
            pass
    assert path.name not in str(caught.value)
