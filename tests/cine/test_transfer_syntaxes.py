"""Newer and unknown transfer syntaxes: decoded frame by frame, or refused with exit 2 and
one line that names the transfer syntax (its name when pydicom knows it, else its UID)."""

from __future__ import annotations

from pathlib import Path

import av
import imagecodecs
import numpy as np
import pytest
from pydicom._uid_dict import UID_dictionary
from pydicom.encaps import encapsulate
from pydicom.uid import UID

from cine.cli import main
from cine.pipeline import process
from cine.reader import iter_frames, read_header

from .cine_factory import base_dataset, frames_pattern, psnr, write
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


@pytest.mark.parametrize(
    "uid",
    [
        "1.2.840.10008.1.2.4.111",  # JPEG XL (not in pydicom 3.0's dictionary)
        "1.2.840.10008.9.9.9.999",  # made up
    ],
)
@pytest.mark.parametrize("command", ["info", "process", "deidentify"])
def test_unknown_transfer_syntax_exits_2_naming_the_uid(
    uid: str, command: str, tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("CINE_DEID_SECRET", SECRET)
    # As the CLI sees it: pynetdicom, once imported by another test, adds the JPEG XL UIDs to
    # pydicom's dictionary; the command line never imports it.
    monkeypatch.delitem(UID_dictionary, uid, raising=False)
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
    path: Path, transfer_syntax: str, encode, colour: bool, frames: int = 5
) -> np.ndarray:
    """A 40 ms/frame cine whose frames ``encode`` compressed; returns the original frames."""
    pixels = frames_pattern(frames, 48, 64, colour)
    ds = base_dataset(
        frames=frames,
        rows=48,
        columns=64,
        photometric="RGB" if colour else "MONOCHROME2",
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
