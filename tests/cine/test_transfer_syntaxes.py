"""Newer and unknown transfer syntaxes: decoded frame by frame, or refused with exit 2 and
one line that names the transfer syntax (its name when known, else its UID).

JPEG XL and HTJ2K here; H.264 and HEVC in ``test_video_syntaxes.py``, which uses the helpers
(``encapsulated_cine_from``, ``cli_process``, ``assert_one_line_refusal``).
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import av
import imagecodecs
import numpy as np
import pytest
from PIL import Image
from pydicom import dcmread
from pydicom._uid_dict import UID_dictionary
from pydicom.encaps import encapsulate, generate_fragments
from pydicom.uid import UID

from cine.cli import main
from cine.pipeline import process
from cine.reader import iter_frames, read_header

from .cine_factory import MARKER, base_dataset, frames_pattern, psnr, write
from .facts_roundtrip import assert_facts_round_trip
from .test_samples_process import at_source_size

SECRET = "tsyntax-secret-0123456789abcdef"
# Known to pydicom 3.0 and as long as the UIDs below, so the file meta can be patched in place.
_PLACEHOLDER = "1.2.840.10008.1.2.4.100"  # MPEG2 Main Profile / Main Level


def encapsulated_cine(path: Path, transfer_syntax: str, fragments: list[bytes]) -> Path:
    """An encapsulated cine whose file meta names ``transfer_syntax``, even one pydicom cannot
    write (it refuses unknown public UIDs such as JPEG XL's in pydicom 3.0)."""
    ds = base_dataset(frames=len(fragments), rows=16, columns=16, photometric="MONOCHROME2")
    ds.PixelData = encapsulate(fragments)
    ds["PixelData"].VR = "OB"
    return encapsulated_cine_from(ds, path, transfer_syntax)


def encapsulated_cine_from(ds, path: Path, transfer_syntax: str) -> Path:
    write(ds, path, _PLACEHOLDER)
    old, new = (uid.encode() + b"\0" for uid in (_PLACEHOLDER, transfer_syntax))
    assert len(old) == len(new)  # same padded length: group length and offsets unchanged
    data = path.read_bytes()
    assert data.count(old) == 1
    path.write_bytes(data.replace(old, new))
    return path


@pytest.mark.parametrize("command", ["info", "process", "deidentify"])
def test_unknown_transfer_syntax_exits_2_naming_the_uid(
    command: str, tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("CINE_DEID_SECRET", SECRET)
    uid = "1.2.840.10008.9.9.9.999"  # made up
    path = encapsulated_cine(tmp_path / "loop.dcm", uid, [b"\xff\x0a" + bytes(30)] * 2)
    args = {
        "info": ["info", str(path)],
        "process": ["process", str(path), str(tmp_path / "out")],
        "deidentify": ["deidentify", str(path), str(tmp_path / "deid.dcm")],
    }[command]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert uid in err
    assert not (tmp_path / "deid.dcm").exists()


def test_a_known_transfer_syntax_is_named_not_numbered(tmp_path: Path, capsys) -> None:
    # MPEG-2 is known to pydicom, which has no decoder for it: the name, not the UID.
    path = encapsulated_cine(tmp_path / "mpeg2.dcm", _PLACEHOLDER, [bytes(32)])
    assert main(["info", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "MPEG2" in err and _PLACEHOLDER not in err


def video_frames(path: Path) -> tuple[list[np.ndarray], list[float]]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        decoded = [
            (f.to_ndarray(format="rgb24"), float(f.pts * f.time_base))
            for f in container.decode(stream)
        ]
    return [f for f, _ in decoded], [t for _, t in decoded]


def codec_cine(
    path: Path,
    transfer_syntax: str,
    encode,
    colour: bool,
    frames: int = 5,
    photometric: str | None = None,
) -> np.ndarray:
    """A 40 ms/frame cine whose frames ``encode`` compressed; returns the original frames.
    ``photometric``: what the header says of colour frames (RGB by default)."""
    pixels = frames_pattern(frames, 48, 64, colour)
    ds = base_dataset(
        frames=frames,
        rows=48,
        columns=64,
        photometric=(photometric or "RGB") if colour else "MONOCHROME2",
        burned_in="NO",  # no blanking: the whole frame is compared
    )
    ds.FrameTime, ds.FrameIncrementPointer = 40.0, 0x00181063
    ds.PixelData = encapsulate([encode(f) for f in pixels])
    ds["PixelData"].VR = "OB"
    ds.LossyImageCompression = "00"
    if UID(transfer_syntax).is_transfer_syntax:
        write(ds, path, transfer_syntax)
    else:
        ds.NumberOfFrames = frames
        encapsulated_cine_from(ds, path, transfer_syntax)
    return pixels


def assert_video_matches(src: Path, pixels: np.ndarray, tmp_path: Path) -> None:
    result = process(src, tmp_path / "out")
    frames, times = video_frames(result.out_dir / "video.mp4")
    assert len(frames) == len(pixels)
    assert times == pytest.approx([i * 0.04 for i in range(len(pixels))], abs=1e-4)
    for ours, original in zip(frames, pixels, strict=True):
        expected = original if original.ndim == 3 else np.repeat(original[..., None], 3, axis=-1)
        scale = ours.shape[0] // original.shape[0]  # 2: a small colour loop's video is enlarged
        assert psnr(at_source_size(ours, *original.shape[:2], scale), expected) >= 30


HTJ2K = ["1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203"]


@pytest.mark.parametrize("colour", [False, True], ids=["grey", "rgb"])
@pytest.mark.parametrize("uid", HTJ2K)
def test_htj2k_frames_reach_the_video(uid: str, colour: bool, tmp_path: Path) -> None:
    lossy = uid.endswith(".203")

    def encode(frame: np.ndarray) -> bytes:
        return imagecodecs.htj2k_encode(frame, reversible=not lossy, rgb=False)

    pixels = codec_cine(tmp_path / "htj2k.dcm", uid, encode, colour)
    header = read_header(tmp_path / "htj2k.dcm")
    decoded = np.stack(list(iter_frames(tmp_path / "htj2k.dcm", header)))
    if not lossy:
        assert np.array_equal(decoded, pixels)
    assert_video_matches(tmp_path / "htj2k.dcm", pixels, tmp_path)


def cli_process(src: Path, tmp_path: Path, monkeypatch, capsys) -> tuple[Path, dict]:
    """``python -m cine process`` with the DICOM writer: exit 0; the outputs and metadata
    (which ``cine.facts`` reads back: see ``assert_facts_round_trip``)."""
    monkeypatch.setenv("CINE_DEID_SECRET", SECRET)
    out = tmp_path / "out"
    assert main(["process", str(src), str(out)]) == 0, capsys.readouterr().err
    capsys.readouterr()
    assert_facts_round_trip(out, tmp_path)
    return out, json.loads((out / "metadata.json").read_text("utf-8"))


def assert_outputs_match(out: Path, pixels: np.ndarray, frame_time_s: float = 0.04) -> None:
    """Video: every frame, at its exact time, >= 30 dB against the source; DICOM: every frame."""
    frames, times = video_frames(out / "video.mp4")
    assert len(frames) == len(pixels)
    assert times == pytest.approx([i * frame_time_s for i in range(len(pixels))], abs=1e-4)
    for ours, original in zip(frames, pixels, strict=True):
        expected = original if original.ndim == 3 else np.repeat(original[..., None], 3, axis=-1)
        scale = ours.shape[0] // original.shape[0]  # 2: a small colour loop's video is enlarged
        assert psnr(at_source_size(ours, *original.shape[:2], scale), expected) >= 30
    deid = dcmread(out / "deidentified.dcm")
    assert int(deid.NumberOfFrames) == len(pixels)
    assert float(deid.FrameTime) == pytest.approx(frame_time_s * 1000)
    assert MARKER not in str(deid.PatientName)


def lossy_methods(out: Path) -> list[str]:
    deid = dcmread(out / "deidentified.dcm", stop_before_pixels=True)
    return [str(m) for m in np.atleast_1d(deid.get("LossyImageCompressionMethod") or [])]


def assert_one_line_refusal(code: int, capfd, *names: str) -> None:
    """Exit 2 and exactly one line on the real stderr (FFmpeg and libjxl write there too)."""
    captured = capfd.readouterr()
    assert code == 2
    assert captured.err.startswith("error: ") and captured.err.count("\n") == 1, captured.err
    for name in names:
        assert name in captured.err


@pytest.fixture(params=[False, True], ids=["pydicom-alone", "pynetdicom-registered"])
def jxl_registered(request, monkeypatch) -> bool:
    """pynetdicom, once imported, adds the JPEG XL UIDs to pydicom's dictionary (as it does
    for other tests and the web app); the command line never imports it. Same results both
    ways."""
    for uid, (name, keyword) in JPEG_XL_KEYWORDS.items():
        if request.param:
            monkeypatch.setitem(UID_dictionary, uid, (name, "Transfer Syntax", "", "", keyword))
        else:
            monkeypatch.delitem(UID_dictionary, uid, raising=False)
    return request.param


JXL_LOSSLESS, JXL_RECOMPRESSION, JXL = (f"1.2.840.10008.1.2.4.11{i}" for i in range(3))
JPEG_XL_KEYWORDS = {
    JXL_LOSSLESS: ("JPEG XL Lossless", "JPEGXLLossless"),
    JXL_RECOMPRESSION: ("JPEG XL JPEG Recompression", "JPEGXLJPEGRecompression"),
    JXL: ("JPEG XL", "JPEGXL"),
}


def _jpeg(frame: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    options = {"subsampling": 1} if frame.ndim == 3 else {}  # 4:2:2, as DICOM JPEG usually is
    Image.fromarray(frame).save(buffer, "JPEG", quality=90, **options)
    return buffer.getvalue()


# Per syntax: the encoder, the colour photometric the header states (PS3.5 Table 8.2.15-1)
# and the lossy method the de-identified copy must name for the source.
JXL_CASES = {
    JXL_LOSSLESS: (lambda f: imagecodecs.jpegxl_encode(f, lossless=True), "RGB", None),
    JXL_RECOMPRESSION: (
        lambda f: imagecodecs.jpegxl_encode_jpeg(_jpeg(f)),
        "YBR_FULL_422",
        "ISO_10918_1",
    ),
    JXL: (lambda f: imagecodecs.jpegxl_encode(f, distance=1.0), "XYB", "ISO_18181_1"),
}


def jxl_cine(path: Path, uid: str, colour: bool, frames: int = 5) -> np.ndarray:
    encode, photometric, _ = JXL_CASES[uid]
    return codec_cine(path, uid, encode, colour, frames, photometric)


@pytest.mark.parametrize("colour", [False, True], ids=["grey", "colour"])
@pytest.mark.parametrize("uid", list(JXL_CASES))
def test_jpeg_xl_frames_reach_every_output(
    uid: str, colour: bool, jxl_registered: bool, tmp_path: Path, monkeypatch, capsys
) -> None:
    src = tmp_path / "jxl.dcm"
    pixels = jxl_cine(src, uid, colour)
    header = read_header(src)
    assert header.decoder == "jpegxl"
    decoded = np.stack(list(iter_frames(src, header)))
    assert decoded.shape == pixels.shape and decoded.dtype == np.uint8
    if uid == JXL_LOSSLESS:
        assert np.array_equal(decoded, pixels)
    if uid == JXL_RECOMPRESSION:  # the JPEG's own pixels, converted to RGB once (not twice)
        jpeg = np.stack([np.asarray(Image.open(io.BytesIO(_jpeg(f)))) for f in pixels])
        assert psnr(decoded, jpeg) >= 45
    out, meta = cli_process(src, tmp_path, monkeypatch, capsys)
    assert meta["transfer_syntax_name"] == JPEG_XL_KEYWORDS[uid][0]
    assert meta["frames"] == len(pixels) and meta["decoder"] == "jpegxl"
    assert_outputs_match(out, pixels)
    source_method = JXL_CASES[uid][2]
    methods = lossy_methods(out)
    if source_method is None:
        assert "ISO_18181_1" not in methods
    else:
        assert methods[0] == source_method


def test_jpeg_xl_info_and_deidentify_are_the_same_with_or_without_pynetdicom(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    src = tmp_path / "jxl.dcm"
    jxl_cine(src, JXL_RECOMPRESSION, colour=True)
    monkeypatch.setenv("CINE_DEID_SECRET", SECRET)
    results = []
    for registered in (False, True):
        name, keyword = JPEG_XL_KEYWORDS[JXL_RECOMPRESSION]
        if registered:
            monkeypatch.setitem(
                UID_dictionary, JXL_RECOMPRESSION, (name, "Transfer Syntax", "", "", keyword)
            )
        else:
            monkeypatch.delitem(UID_dictionary, JXL_RECOMPRESSION, raising=False)
        target = tmp_path / f"deid-{registered}.dcm"
        assert main(["info", str(src)]) == 0
        info = json.loads(capsys.readouterr().out)
        assert main(["deidentify", str(src), str(target)]) == 0
        capsys.readouterr()
        results.append((info, target.read_bytes()))
    assert results[0] == results[1]
    info, written = results[0]
    assert info["transfer_syntax_name"] == "JPEG XL JPEG Recompression"
    assert JXL_RECOMPRESSION.encode() in written and MARKER.encode() not in written
    # The pixel data is copied byte for byte: the frames decode to the source's.
    ours = dcmread(tmp_path / "deid-False.dcm")
    theirs = dcmread(src)
    assert list(generate_fragments(ours.PixelData)) == list(generate_fragments(theirs.PixelData))


@pytest.mark.parametrize("command", ["info", "process"])
@pytest.mark.parametrize("uid", list(JXL_CASES))
def test_garbage_labelled_jpeg_xl_exits_2_with_one_line(
    uid: str, command: str, jxl_registered: bool, tmp_path: Path, capfd, monkeypatch
) -> None:
    monkeypatch.setenv("CINE_DEID_SECRET", SECRET)
    path = encapsulated_cine(tmp_path / "loop.dcm", uid, [b"\xff\x0a" + bytes(30)] * 2)
    out = tmp_path / "out"
    args = ["info", str(path)] if command == "info" else ["process", str(path), str(out)]
    assert_one_line_refusal(main(args), capfd)
    assert not out.exists() and list(tmp_path.iterdir()) == [path]


def test_jpeg_xl_that_contradicts_the_header_exits_2(tmp_path: Path, capfd) -> None:
    frame = imagecodecs.jpegxl_encode(np.zeros((40, 64), np.uint8), lossless=True)
    wrong_size = encapsulated_cine(tmp_path / "size.dcm", JXL_LOSSLESS, [frame] * 2)
    assert_one_line_refusal(main(["info", str(wrong_size)]), capfd, "Rows and Columns")
    rgb = imagecodecs.jpegxl_encode(np.zeros((16, 16, 3), np.uint8), lossless=True)
    wrong_samples = encapsulated_cine(tmp_path / "spp.dcm", JXL_LOSSLESS, [rgb] * 2)
    assert_one_line_refusal(main(["info", str(wrong_samples)]), capfd, "SamplesPerPixel")


def test_jpeg_xl_without_a_decoder_is_refused_by_name(
    jxl_registered: bool, tmp_path: Path, capfd, monkeypatch
) -> None:
    path = tmp_path / "jxl.dcm"
    jxl_cine(path, JXL, colour=True)
    monkeypatch.setitem(sys.modules, "imagecodecs", None)  # as if not installed
    assert_one_line_refusal(main(["info", str(path)]), capfd, "no installed decoder", "JPEG XL")
