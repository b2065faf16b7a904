"""What the DICOM writer needs to stay valid: DS text, lossy history, the current IODs' Type 2.

Plain functions over plain values and pydicom datasets; no pixel handling here.
"""

import math
import re
from collections.abc import Sequence

from pydicom import uid
from pydicom.dataset import Dataset
from pydicom.valuerep import format_number_as_ds

from cine.syntaxes import H264, HEVC, JPEGXL, JPEGXLJPEGRecompression

# PS3.5 6.2: DS is at most 16 characters of digits, sign, point and exponent.
_DS_TEXT = re.compile(r"^ *[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)? *$")

# Source transfer syntax → the method that made its pixels lossy (PS3.3 C.7.6.1.1.5.1).
LOSSY_METHOD_OF_SYNTAX: dict[str, str] = {
    uid.JPEGBaseline8Bit: "ISO_10918_1",
    uid.JPEGExtended12Bit: "ISO_10918_1",
    uid.JPEGLSNearLossless: "ISO_14495_1",
    uid.JPEG2000: "ISO_15444_1",
    uid.JPEG2000MC: "ISO_15444_1",  # JPEG 2000 Part 2 multi-component
    uid.HTJ2K: "ISO_15444_15",
    uid.MPEG2MPML: "ISO_13818_2",
    uid.MPEG2MPHL: "ISO_13818_2",
    **{ts: "ISO_14496_10" for ts in H264},  # MPEG-4 AVC / H.264
    **{ts: "ISO_23008_2" for ts in HEVC},
    # JPEG XL JPEG Recompression keeps a JPEG's coefficients: its pixels are that JPEG's.
    JPEGXLJPEGRecompression: "ISO_10918_1",
    JPEGXL: "ISO_18181_1",
}

# Type 2 elements of the current Ultrasound (Multi-frame) Image IODs' mandatory modules that
# dciodvfy requires present (empty where unknown): Patient, General Study, General Series,
# General Equipment, General Image, US Image. Laterality and PatientOrientation are 2C whose
# condition (paired organ; no image orientation) the file cannot answer, so they are sent.
TYPE2_KEYWORDS = (
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "StudyDate",
    "StudyTime",
    "ReferringPhysicianName",
    "StudyID",
    "AccessionNumber",
    "SeriesNumber",
    "Laterality",
    "Manufacturer",
    "InstanceNumber",
    "PatientOrientation",
    "ImageType",
)


def as_list(value: object) -> list[str]:
    """A DICOM value as strings: empty (None or "") is no value, one string is one value."""
    if value is None or value == "":
        return []
    if isinstance(value, str | bytes):
        return [value.decode("ascii", "replace") if isinstance(value, bytes) else value]
    try:
        return [str(v) for v in value]  # type: ignore[attr-defined]
    except TypeError:
        return [str(value)]


def is_ds_text(text: str) -> bool:
    return len(text) <= 16 and bool(_DS_TEXT.match(text))


def ds_text(value: float) -> str:
    """A number as valid DS text; rounded to 1e-6 first so float noise does not fill 16 chars."""
    if not math.isfinite(value):
        raise ValueError("DS cannot hold a non-finite number")
    return format_number_as_ds(round(float(value), 6))


def ds_values(new: Sequence[float], original: object) -> list[str]:
    """`new` as DS text, keeping the original text of every value it merely re-derives."""
    old = as_list(original)
    out = []
    for i, value in enumerate(new):
        kept = old[i].strip() if i < len(old) and len(old) == len(new) else None
        try:
            same = kept is not None and math.isclose(float(kept), value, abs_tol=1e-6)
        except ValueError:
            same = False
        out.append(kept if kept is not None and same and is_ds_text(kept) else ds_text(value))
    return out


def was_lossy(ds: Dataset, source_syntax: str) -> bool:
    """Whether the pixels went through lossy compression before: the header says so, or the
    transfer syntax they arrive in is a lossy one."""
    flagged = str(ds.get("LossyImageCompression") or "").strip() == "01"
    return flagged or source_syntax in LOSSY_METHOD_OF_SYNTAX


def lossy_history(
    out: Dataset, source_syntax: str, new_step: tuple[str, float] | None
) -> tuple[list[str], list[str]] | None:
    """Methods and ratios, in step, of every lossy stage (None: never lossy).

    The source's own stage is recognised from its transfer syntax when the header does not name
    it. Ratios are written only when every stage's ratio is known, so that the two keep the
    same number of values (PS3.3 C.7.6.1.1.5).
    """
    methods = as_list(out.get("LossyImageCompressionMethod"))
    ratios = as_list(out.get("LossyImageCompressionRatio"))
    source_method = LOSSY_METHOD_OF_SYNTAX.get(source_syntax)
    if source_method and (not methods or methods[-1] != source_method):
        if len(ratios) > len(methods):  # a ratio recorded for the source stage, method lost
            methods = methods + [source_method] * (len(ratios) - len(methods))
        else:
            methods.append(source_method)
    flagged = str(out.get("LossyImageCompression") or "").strip() == "01"
    if not (flagged or methods or new_step):
        return None
    if len(ratios) != len(methods):
        ratios = []  # some stage's ratio is unknown: no ratios rather than misaligned ones
    if new_step is not None:
        had_ratios = bool(ratios) or not methods
        methods.append(new_step[0])
        ratios = [*ratios, ds_text(new_step[1])] if had_ratios else []
    return methods, ratios


def add_type2(out: Dataset) -> None:
    """Add the current IODs' Type 2 elements that are missing, empty (the value is unknown)."""
    for keyword in TYPE2_KEYWORDS:
        if keyword not in out:
            setattr(out, keyword, None)
