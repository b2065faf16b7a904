"""The sample files as tests use them: where they are, and pydicom's own decode of them.

The real scanner files live beside the repository, in ../shared/dicom-samples (read-only,
never copied in). Where that folder is absent a test that needs it is skipped — except when
``CEUS_REQUIRE_SAMPLES=1`` (CI sets it), where it fails: a skip there would hide a broken
set-up, as for ``CEUS_REQUIRE_BROWSER`` and ``CEUS_REQUIRE_SERVICES``. Every test that needs
../shared goes through ``shared_missing`` (``real_path`` for a sample file).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import NoReturn

import numpy as np
import pytest
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.pixels import apply_color_lut, apply_modality_lut

from .cine_factory import SAMPLES
from .samples_reference import BUNDLED, REAL, Sample

REQUIRE_SAMPLES = "CEUS_REQUIRE_SAMPLES"


def shared_missing(reason: str) -> NoReturn:
    """Stop a test whose file from ../shared is absent: a skip, or a failure when
    ``CEUS_REQUIRE_SAMPLES=1``."""
    if os.environ.get(REQUIRE_SAMPLES) == "1":
        pytest.fail(f"{REQUIRE_SAMPLES}=1, but {reason}", pytrace=False)
    pytest.skip(reason)


def real_path(name: str) -> Path:
    """The sample file ``name`` of ../shared/dicom-samples (see ``shared_missing``)."""
    path = SAMPLES / name
    if not path.is_file():
        shared_missing(f"{name} not found in the shared sample set {SAMPLES.resolve()}")
    return path


def bundled_path(name: str) -> Path:
    path = get_testdata_file(name)
    if path is None:
        pytest.skip(f"pydicom test file {name} is not installed")
    return Path(path)


CASES = [pytest.param(s, real_path, id=s.name) for s in REAL] + [
    pytest.param(s, bundled_path, id=f"pydicom:{s.name}") for s in BUNDLED
]


def reference_display(path: Path, sample: Sample) -> np.ndarray:
    """pydicom's own decode of every frame, brought to 8-bit display values independently."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = dcmread(path)
        arr = ds.pixel_array  # YBR_* arrive as RGB (pydicom's default)
    if sample.frames == 1:
        arr = arr[None]
    if sample.photometric == "PALETTE COLOR":
        rgb = apply_color_lut(arr, ds)
        return rgb.astype(np.uint8) if rgb.max() <= 255 else np.rint(rgb / 257).astype(np.uint8)
    if arr.ndim == 4:
        return arr if arr.dtype == np.uint8 else (arr >> (ds.BitsStored - 8)).astype(np.uint8)
    if ds.BitsStored == 1:
        return arr * 255
    if arr.dtype == np.uint8 and "WindowWidth" not in ds:
        return 255 - arr if sample.photometric == "MONOCHROME1" else arr
    values = apply_modality_lut(arr, ds).astype(np.float64)
    if "WindowWidth" in ds:
        centre, width = float(np.ravel(ds.WindowCenter)[0]), float(np.ravel(ds.WindowWidth)[0])
        low, high = centre - 0.5 - (width - 1) / 2, centre - 0.5 + (width - 1) / 2
    else:
        low, high = values[0].min(), values[0].max()
    return np.clip(np.rint((values - low) / (high - low) * 255), 0, 255).astype(np.uint8)
