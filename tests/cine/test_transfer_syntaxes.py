"""Newer and unknown transfer syntaxes: decoded frame by frame, or refused with exit 2 and
one line that names the transfer syntax (its name when pydicom knows it, else its UID)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydicom.encaps import encapsulate

from cine.cli import main

from .cine_factory import base_dataset, write

SECRET = "tsyntax-secret-0123456789abcdef"
# Known to pydicom 3.0 and as long as the UIDs below, so the file meta can be patched in place.
_PLACEHOLDER = "1.2.840.10008.1.2.4.100"  # MPEG2 Main Profile / Main Level


def encapsulated_cine(path: Path, transfer_syntax: str, fragments: list[bytes]) -> Path:
    """An encapsulated cine whose file meta names ``transfer_syntax``, even one pydicom cannot
    write (it refuses unknown public UIDs such as JPEG XL's in pydicom 3.0)."""
    ds = base_dataset(frames=len(fragments), rows=16, columns=16, photometric="MONOCHROME2")
    ds.PixelData = encapsulate(fragments)
    ds["PixelData"].VR = "OB"
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
