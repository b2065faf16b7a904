"""Transfer syntaxes decoded here beyond pydicom's own decoders, by family, with their names.

pydicom 3.0 does not know the JPEG XL UIDs (PS3.5 A.4.11-13); pynetdicom, when something
imports it, adds them to pydicom's dictionary. Their names and encoding are therefore kept
here and always used, so that no answer depends on what else the process imported.
"""

from __future__ import annotations

from pydicom.uid import (
    HEVCM10P51,
    HEVCMP51,
    MPEG4HP41,
    MPEG4HP41BD,
    MPEG4HP42STEREO,
    MPEG4HP422D,
    MPEG4HP423D,
    UID,
)

# Named as pydicom 3.1 names them.
JPEGXLLossless = UID("1.2.840.10008.1.2.4.110")
JPEGXLJPEGRecompression = UID("1.2.840.10008.1.2.4.111")
JPEGXL = UID("1.2.840.10008.1.2.4.112")
JPEG_XL: dict[str, str] = {
    JPEGXLLossless: "JPEG XL Lossless",
    JPEGXLJPEGRecompression: "JPEG XL JPEG Recompression",
    JPEGXL: "JPEG XL",
}
# PS3.5 8.2.7-8.2.9 and 8.2.10: the whole Pixel Data is one video stream.
H264: frozenset[str] = frozenset(
    {MPEG4HP41, MPEG4HP41BD, MPEG4HP422D, MPEG4HP423D, MPEG4HP42STEREO}
)
HEVC: frozenset[str] = frozenset({HEVCMP51, HEVCM10P51})  # Main, Main 10
VIDEO = H264 | HEVC


def syntax_name(ts: str) -> str | None:
    """The registered name of a transfer syntax, None when it is not a known one."""
    if ts in JPEG_XL:
        return JPEG_XL[ts]
    uid = UID(ts)
    return uid.name if uid.is_transfer_syntax and uid.name != ts else None


def transfer_syntax_name(ts: str) -> str:
    """A transfer syntax's name when it is a known one, else its UID (not patient data, and
    what a PACS administrator can look up): for messages."""
    name = syntax_name(ts)
    if name is not None:
        return name
    if not UID(ts).is_valid:
        return "an invalid transfer syntax UID"
    return f"the unknown transfer syntax {ts}"


def is_known(ts: str) -> bool:
    return ts in JPEG_XL or UID(ts).is_transfer_syntax


def is_encapsulated(ts: str) -> bool:
    """Whether Pixel Data is encapsulated (JPEG XL always is: PS3.5 A.4)."""
    return ts in JPEG_XL or UID(ts).is_encapsulated


def encoding(ts: str) -> tuple[bool, bool]:
    """(implicit VR, little endian) of the dataset; every encapsulated syntax is explicit LE."""
    if ts in JPEG_XL:
        return False, True
    uid = UID(ts)
    return uid.is_implicit_VR, uid.is_little_endian
