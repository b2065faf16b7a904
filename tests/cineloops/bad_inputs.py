"""The bad-input corpus: hostile or broken files, made by the tests (no committed binaries).

One table, ``CORPUS``: a name, a factory of the file's bytes, and what each route must do
with it. Routes: the web upload page, the API (both take files and ZIPs) and the DICOM
listener (datasets only: ZIPs are not sent over DICOM networking, ``listener=None``).

Outcomes (``Outcome``):

* ``refused`` — at upload, with its code and message (nothing stored); at the listener, a
  C-STORE failure status with a reason (nothing stored).
* ``failed`` — stored, then failed in processing with its code and reason. A failed loop keeps
  its original (so it can be processed again once a decoder or fix exists): it is counted,
  not a leftover; its outputs must not exist.
* ``processed`` — input that looks hostile but is a usable loop (an unknown character set, a
  huge private tag): processed, patient text de-identified as always.

Non-DICOM files reach the listener as what a peer could send: a valid file meta (ultrasound,
Explicit VR Little Endian) followed by the file's bytes as the dataset.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydicom.uid import ExplicitVRLittleEndian

from tests.cineloops.bad_input_bytes import (
    US_MULTIFRAME,
    cine_bytes,
    element,
    encapsulated,
    good,
    insert,
    jpeg_bomb,
    jpeg_cine,
    listener_bytes,
    nested,
    other_class,
    pixel_less,
    png,
    rle_bomb,
    small_jpeg,
    truncate,
    with_meta_ts,
    zip_bomb,
    zip_bytes,
    zip_encrypted,
    zip_lying_size,
    zip_symlink,
    zip_unknown_method,
)

REFUSED, FAILED, PROCESSED = "refused", "failed", "processed"
# PS3.4 Table B.2-1 / pynetdicom: C-STORE failure statuses.
CANNOT_UNDERSTAND, DOES_NOT_MATCH = 0xC000, 0xA900


@dataclass(frozen=True)
class Outcome:
    kind: str  # refused | failed | processed
    code: str = ""  # upload: rejection code; processing: CineLoop.error_code
    text: str = ""  # part of the message the user sees
    status: int | None = None  # listener refusals: the C-STORE status


@dataclass(frozen=True)
class BadInput:
    name: str
    make: Callable[[Path], bytes]  # scratch folder -> the file's bytes
    upload: Outcome  # web page and API
    listener: Outcome | None  # None: the route does not apply (ZIPs)


# --- the table -------------------------------------------------------------------------------

NOT_DICOM = Outcome(REFUSED, "not_dicom", "not a DICOM file")
EMPTY = Outcome(REFUSED, "empty_file", "The file is empty")
# Garbage parsed as a dataset fails in ways that depend on the bytes: the status is the code,
# and the comment must be one of the reader's reasons (non-empty, no header value).
LISTENER_GARBAGE = Outcome(REFUSED, "", "", CANNOT_UNDERSTAND)
LISTENER_EMPTY = Outcome(REFUSED, "", "ends before", CANNOT_UNDERSTAND)
NOT_US = "not an ultrasound"  # what fits in a C-STORE Error Comment (64 characters) too


def failed(code: str, text: str) -> Outcome:
    return Outcome(FAILED, code, text)


def dicom(
    name: str, make: Callable[[Path], bytes], outcome: Outcome, listener: Outcome | None = None
) -> BadInput:
    """A DICOM (or DICOM-looking) input: the listener does what processing does unless told."""
    return BadInput(name, make, outcome, listener or outcome)


def non_dicom(name: str, make: Callable[[Path], bytes]) -> BadInput:
    return BadInput(name, make, NOT_DICOM, LISTENER_GARBAGE)


def zipped(name: str, make: Callable[[Path], bytes], outcome: Outcome) -> BadInput:
    return BadInput(name, make, outcome, None)


def not_us(name: str, make: Callable[[Path], bytes]) -> BadInput:
    return dicom(
        name,
        make,
        failed("unsupported_sop_class", NOT_US),
        Outcome(REFUSED, "", NOT_US, DOES_NOT_MATCH),
    )


_random = random.Random(11)
CORPUS: list[BadInput] = [
    # Not DICOM at all: refused at upload (the listener cannot parse them as a dataset).
    BadInput("zero_byte", lambda tmp: b"", EMPTY, LISTENER_EMPTY),
    non_dicom("text", lambda tmp: b"Patient list exported from the ward computer\n" * 20),
    non_dicom("png", png),
    non_dicom("pdf", lambda tmp: b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n" * 4),
    non_dicom("random", lambda tmp: _random.randbytes(4096)),
    non_dicom("html", lambda tmp: b"<!doctype html><html><body>report</body></html>" * 8),
    non_dicom("jpeg_photo", lambda tmp: small_jpeg(64, 64)),
    non_dicom("gzip", lambda tmp: b"\x1f\x8b\x08\x00" + _random.randbytes(300)),
    non_dicom("wrong_magic", lambda tmp: bytes(128) + b"DICX" + good(tmp)[132:]),
    non_dicom("truncated_in_preamble", truncate(at=100)),
    # Truncated DICOM: stored, fails in processing (several cut points).
    dicom(
        "truncated_after_magic", truncate(at=132), failed("truncated_file", "ends"), LISTENER_EMPTY
    ),
    dicom("truncated_in_meta", truncate(at=170), failed("truncated_file", "ends"), LISTENER_EMPTY),
    dicom(
        "truncated_in_header",
        truncate(at=400),
        failed("truncated_file", "ends inside its DICOM header"),
        Outcome(REFUSED, "", "ends inside its DICOM header", CANNOT_UNDERSTAND),
    ),
    dicom("truncated_in_pixels", truncate(0.6), failed("truncated_file", "ends before")),
    dicom("truncated_last_byte", truncate(at=-1), failed("truncated_file", "ends before")),
    dicom("truncated_jpeg", truncate(0.7, jpeg=True), failed("truncated_file", "ends inside")),
    # Lying dimensions.
    dicom(
        "rows_lie",
        lambda tmp: cine_bytes(tmp, extra={"Rows": 96}),
        failed("inconsistent_image", "fewer bytes"),
    ),
    dicom(
        "frames_lie_native",
        lambda tmp: cine_bytes(tmp, declared_frames=10),
        failed("inconsistent_image", "fewer bytes"),
    ),
    dicom(
        "too_many_bytes",
        lambda tmp: cine_bytes(tmp, declared_frames=3),
        failed("inconsistent_image", "more bytes"),
    ),
    dicom(
        "frames_lie_jpeg",
        lambda tmp: jpeg_cine(tmp, frames=4, declared_frames=10),
        failed("inconsistent_image", "NumberOfFrames is larger"),
    ),
    dicom(
        "jpeg_size_lie",
        lambda tmp: jpeg_cine(tmp, extra={"Columns": 65}),
        failed("inconsistent_image", "compressed frame size"),
    ),
    dicom(
        "zero_frames",
        lambda tmp: cine_bytes(tmp, declared_frames=0),
        failed("inconsistent_image", "NumberOfFrames is 0"),
    ),
    dicom(
        "zero_rows",
        lambda tmp: cine_bytes(tmp, extra={"Rows": 0}),
        failed("inconsistent_image", "invalid"),
    ),
    dicom(
        "frames_not_a_number",
        lambda tmp: cine_bytes(tmp).replace(
            b"(\x00\x08\x00IS\x02\x006 ", b"(\x00\x08\x00IS\x02\x00X "
        ),
        failed("inconsistent_image", "not a number"),
    ),
    dicom(
        "bits_allocated_12",
        lambda tmp: cine_bytes(tmp, extra={"BitsAllocated": 12}),
        failed("inconsistent_image", "invalid"),
    ),
    dicom(
        "photometric_missing",
        lambda tmp: cine_bytes(tmp, extra={"PhotometricInterpretation": ""}),
        failed("inconsistent_image", "PhotometricInterpretation is missing"),
    ),
    dicom(
        "photometric_unknown",
        lambda tmp: cine_bytes(tmp, extra={"PhotometricInterpretation": "CMYK"}),
        failed("unsupported_image", "PhotometricInterpretation"),
    ),
    # Decompression bombs and huge frame counts.
    dicom("rle_bomb", rle_bomb, failed("frame_too_large", "megapixel")),
    dicom("jpeg_bomb", jpeg_bomb, failed("frame_too_large", "megapixel")),
    dicom(
        "huge_frame_count_native",
        lambda tmp: cine_bytes(tmp, declared_frames=2**31 - 1),
        failed("inconsistent_image", "fewer bytes"),
    ),
    dicom(
        "huge_frame_count_jpeg",
        lambda tmp: jpeg_cine(tmp, frames=2, declared_frames=10**9),
        failed("inconsistent_image", "NumberOfFrames is larger"),
    ),
    # Structure.
    dicom(
        "nested_1000_deep",
        lambda tmp: insert(good(tmp), nested(1000)),
        failed("nesting_too_deep", "nested"),
        Outcome(REFUSED, "", "nested", CANNOT_UNDERSTAND),
    ),
    dicom(
        "nested_100_deep",
        lambda tmp: insert(good(tmp), nested(100)),
        failed("nesting_too_deep", "nested"),
        Outcome(REFUSED, "", "nested", CANNOT_UNDERSTAND),
    ),
    dicom(
        "no_pixel_data",
        lambda tmp: pixel_less(tmp, US_MULTIFRAME),
        failed("no_pixel_data", "no pixel data"),
    ),
    dicom(
        "float_pixel_data",
        lambda tmp: pixel_less(tmp, US_MULTIFRAME) + element(0x7FE0, 0x0008, b"OF", bytes(256)),
        failed("no_pixel_data", "float pixel data"),
    ),
    dicom(
        "unknown_transfer_syntax",
        lambda tmp: with_meta_ts(tmp, "1.2.3.4.5.6"),
        failed("unsupported_transfer_syntax", "unknown transfer syntax"),
        # No presentation context offers it: refused at association, before any data.
        Outcome(REFUSED, "", "no accepted presentation context"),
    ),
    dicom(
        "encapsulated_no_fragments",
        lambda tmp: encapsulated(
            tmp, [], ts="1.2.840.10008.1.2.4.50", rows=16, columns=16, frames=1
        ),
        failed("inconsistent_image", "holds no frames"),
    ),
    dicom(
        "encapsulated_no_items",
        lambda tmp: encapsulated(
            tmp, [], ts="1.2.840.10008.1.2.4.50", rows=16, columns=16, frames=1, items=False
        ),
        failed("inconsistent_image", "no basic offset table"),
    ),
    dicom(
        "encapsulated_in_native_syntax",
        lambda tmp: encapsulated(
            tmp, [small_jpeg()], ts=ExplicitVRLittleEndian, rows=16, columns=16, frames=1
        ),
        failed("inconsistent_image", "does not match the transfer syntax"),
    ),
    dicom(
        "corrupt_jpeg_fragment",
        lambda tmp: encapsulated(
            tmp,
            [small_jpeg()[:40] + bytes(200)],
            ts="1.2.840.10008.1.2.4.50",
            rows=16,
            columns=16,
            frames=1,
        ),
        failed("pixel_decode", "could not be decoded"),
    ),
    # Character sets and private tags: hostile-looking, yet a usable loop.
    dicom(
        "unknown_character_set",
        lambda tmp: cine_bytes(tmp, extra={"SpecificCharacterSet": "ISO_IR 999"}),
        Outcome(PROCESSED),
    ),
    dicom(
        "invalid_utf8_bytes",
        lambda tmp: insert(good(tmp), element(0x0010, 0x1001, b"PN", b"\xff\xfe\xc3\x28Zhang")),
        Outcome(PROCESSED),
    ),
    dicom(
        "broken_iso2022_escape",
        lambda tmp: insert(
            cine_bytes(tmp, extra={"SpecificCharacterSet": ["", "ISO 2022 IR 87"]}),
            element(0x0010, 0x1001, b"PN", b"\x1b$B\xff\xff\x1b("),
        ),
        Outcome(PROCESSED),
    ),
    dicom(
        "huge_private_tag",
        lambda tmp: insert(
            good(tmp),
            element(0x0009, 0x0010, b"LO", b"HOSTILE")
            + element(0x0009, 0x1000, b"OB", bytes(8 << 20)),
        ),
        Outcome(PROCESSED),
    ),
    # Other SOP classes: not ultrasound.
    not_us("ct_image", lambda tmp: other_class(tmp, "1.2.840.10008.5.1.4.1.1.2", "CT")),
    not_us("mr_image", lambda tmp: other_class(tmp, "1.2.840.10008.5.1.4.1.1.4", "MR")),
    not_us("secondary_capture", lambda tmp: other_class(tmp, "1.2.840.10008.5.1.4.1.1.7", "US")),
    not_us(
        "structured_report",
        lambda tmp: pixel_less(tmp, "1.2.840.10008.5.1.4.1.1.88.11", Modality="SR"),
    ),
    not_us("dicomdir", lambda tmp: pixel_less(tmp, "1.2.840.10008.1.3.10")),
    # ZIPs (web and API only).
    zipped(
        "zip_traversal",
        lambda tmp: zip_bytes({"../../etc/cron.d/IM0001": good(tmp)}),
        Outcome(REFUSED, "zip_entry_unsafe_name", "unsafe name"),
    ),
    zipped(
        "zip_absolute_name",
        lambda tmp: zip_bytes({"/tmp/IM0001": good(tmp)}),
        Outcome(REFUSED, "zip_entry_unsafe_name", "unsafe name"),
    ),
    zipped("zip_symlink", zip_symlink, Outcome(REFUSED, "zip_entry_symlink", "symbolic link")),
    zipped("zip_bomb", zip_bomb, Outcome(REFUSED, "zip_too_large", "would expand")),
    zipped("zip_lying_size", zip_lying_size, Outcome(REFUSED, "zip_entry_damaged", "damaged")),
    zipped(
        "zip_too_many_entries",
        lambda tmp: zip_bytes({f"s/IM{n:05}": b"x" for n in range(60)}),
        Outcome(REFUSED, "zip_too_many", "more than"),
    ),
    zipped(
        "zip_only_dicomdir",
        lambda tmp: zip_bytes({"DICOMDIR": pixel_less(tmp, "1.2.840.10008.1.3.10")}),
        Outcome(REFUSED, "zip_empty", "holds no files"),
    ),
    zipped(
        "zip_of_text",
        lambda tmp: zip_bytes({"study/IM0001": b"not an image\n" * 50}),
        Outcome(REFUSED, "not_dicom", "not a DICOM file"),
    ),
    zipped(
        "zip_empty_member",
        lambda tmp: zip_bytes({"study/IM0001": b""}),
        Outcome(REFUSED, "empty_file", "The file is empty"),
    ),
    zipped(
        "zip_in_zip",
        lambda tmp: zip_bytes({"inner.zip": zip_bytes({"IM0001": good(tmp)})}),
        Outcome(REFUSED, "not_dicom", "not a DICOM file"),
    ),
    zipped(
        "zip_damaged",
        lambda tmp: b"PK\x03\x04" + bytes(300),
        Outcome(REFUSED, "bad_zip", "damaged"),
    ),
    zipped(
        "zip_unknown_method",
        zip_unknown_method,
        Outcome(REFUSED, "zip_entry_compression", "compression method"),
    ),
    zipped("zip_encrypted", zip_encrypted, Outcome(REFUSED, "zip_entry_encrypted", "encrypted")),
]

# The limits the corpus test runs with (the bombs are sized against them).
TEST_LIMITS = {
    "CINE_MAX_UPLOAD_BYTES": 24 << 20,
    "CINE_MAX_ZIP_MEMBERS": 50,
    "CINE_MAX_ZIP_EXPANDED_BYTES": 32 << 20,
}


def _work(folder: Path) -> None:
    """The corpus worker: process every ``*.in`` file in ``folder`` one after the other, as
    the task does (``cine.pipeline.process`` with the de-identifying DICOM writer), then a
    good loop; print one JSON line per file and the peak RSS. Run in a fresh interpreter by
    the test, so that its memory is the processing's alone."""
    import json
    import shutil

    from cine.errors import CineError
    from cine.pipeline import deidentified_dicom_writer, process

    writer = deidentified_dicom_writer(b"corpus-worker-secret-0123456789")
    (folder / "good.in").write_bytes(good(folder))
    for path in sorted(folder.glob("*.in"), key=lambda p: p.name == "good.in"):
        out = folder / "out" / path.stem / "derived"
        try:
            process(path, out, dicom_writer=writer)
            line = {"name": path.stem, "outcome": PROCESSED}
        except CineError as exc:
            line = {"name": path.stem, "outcome": FAILED, "error": type(exc).__name__}
        shutil.rmtree(folder / "out", ignore_errors=True)
        print(json.dumps(line), flush=True)
    print(json.dumps({"peak_rss_bytes": _peak_rss_bytes()}), flush=True)


def _peak_rss_bytes() -> int:
    """This process's peak resident memory. Not ``ru_maxrss``: Linux carries it over ``exec``
    from the forking parent, so a child of a large pytest process reported the parent's size
    (420 MiB in a full run, 200 MiB alone). VmHWM belongs to the new address space."""
    import resource

    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kB


if __name__ == "__main__":
    import sys

    _work(Path(sys.argv[1]))


__all__ = ["CORPUS", "TEST_LIMITS", "BadInput", "Outcome", "good", "listener_bytes"]
