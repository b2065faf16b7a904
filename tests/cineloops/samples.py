"""Test inputs: small cines made on the fly, pydicom's bundled JPEG cine, and the reference
table of bad inputs with the error each must give (the shared sample folder: see
``tests.cine.sample_files``)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydicom.data import get_testdata_file

from tests.cine.cine_factory import make_cine, region_item


def ybr_cine() -> Path:
    """pydicom's 30-frame JPEG Baseline YBR cine; its regions do not fit, so: needs review."""
    return Path(get_testdata_file("examples_ybr_color.dcm"))


def good_cine(path: Path, *, frames: int = 6) -> Path:
    """A small cine whose ultrasound region fits: cleaned automatically, so: ready."""
    return make_cine(path, frames=frames, regions=[region_item((4, 8, 59, 43))])


def dicom_head(body: bytes = b"") -> bytes:
    """Bytes that start like a DICOM file (preamble and magic), so that upload checks pass."""
    return bytes(128) + b"DICM" + body


def not_dicom(path: Path) -> Path:
    path.write_bytes(b"Patient list exported from the ward computer\n" * 20)
    return path


def truncated(path: Path) -> Path:
    data = ybr_cine().read_bytes()
    path.write_bytes(data[: len(data) * 6 // 10])
    return path


def zero_frames(path: Path) -> Path:
    return make_cine(path, declared_frames=0)


def lying_frames(path: Path) -> Path:
    return make_cine(path, declared_frames=10, encoding="jpeg", frames=4)


@dataclass(frozen=True)
class BadInput:
    name: str
    make: Callable[[Path], Path]
    error_code: str  # CineLoop.error_code after processing
    detail: str  # part of the CineError text shown to the instructor


# Not-DICOM files are refused at upload: see bad_inputs.CORPUS for those and many more.
BAD_INPUTS = [
    BadInput("truncated", truncated, "truncated_file", "ends inside"),
    BadInput("zero_frames", zero_frames, "inconsistent_image", "NumberOfFrames is 0"),
    BadInput("lying_frames", lying_frames, "inconsistent_image", "NumberOfFrames is larger"),
]


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()
