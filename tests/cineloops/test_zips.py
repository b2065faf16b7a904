"""ZIP expansion: zip bombs are refused from their declared sizes, and extraction never
writes more than the limit even when the archive lies."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from cineloops.zips import expand_zip, is_zip
from tests.cineloops.samples import dicom_head, ybr_cine, zip_of

LIMITS = {"limit": 1_000_000, "max_entries": 10, "max_total": 5_000_000}


def write(tmp_path, members: dict[str, bytes]):
    path = tmp_path / "upload.zip"
    path.write_bytes(zip_of(members))
    return path


def test_a_bomb_is_refused_before_anything_is_written(tmp_path, cine_dirs):
    path = write(tmp_path, {f"IM{n:04}": b"\0" * 900_000 for n in range(7)})  # 6.3 MB

    with pytest.raises(ValidationError, match=r"would expand to more than 4\.8"):
        list(expand_zip(path, **LIMITS))
    assert not cine_dirs.uploads.exists() or not any(cine_dirs.uploads.rglob("*"))


def test_too_many_entries(tmp_path):
    path = write(tmp_path, {f"IM{n:04}": b"x" for n in range(11)})

    with pytest.raises(ValidationError, match="more than 10 files"):
        list(expand_zip(path, **LIMITS))


def test_an_entry_over_the_limit_is_refused_alone(tmp_path, cine_dirs):
    path = write(tmp_path, {"a": b"\0" * 1_000_001, "b": dicom_head(b"small")})

    entries = list(expand_zip(path, **LIMITS))

    assert "upload limit" in entries[0].error and not entries[0].original_name
    assert entries[1].size == 137 and not entries[1].error
    assert len([p for p in cine_dirs.uploads.rglob("*") if p.is_file()]) == 1


def test_an_entry_that_lies_about_its_size_stops_at_the_declared_size(tmp_path, cine_dirs):
    """A forged header declaring 10 bytes for 600 kB of content."""
    data = bytearray(zip_of({"a": b"\0" * 600_000}))
    central = data.find(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")  # uncompressed size
    path = tmp_path / "liar.zip"
    path.write_bytes(bytes(data))

    [entry] = list(expand_zip(path, **LIMITS))

    stored = [p for p in cine_dirs.uploads.rglob("*") if p.is_file()]
    assert entry.error or entry.size <= 10
    assert sum(p.stat().st_size for p in stored) <= 10


def test_encrypted_entries_are_refused(tmp_path):
    data = bytearray(zip_of({"a": b"secret"}))
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature) + flag_at
        data[at] |= 0x1
    path = tmp_path / "locked.zip"
    path.write_bytes(bytes(data))

    [entry] = list(expand_zip(path, **LIMITS))

    assert entry.error == "The ZIP entry is encrypted."


def test_folders_dicomdir_and_hidden_files_are_skipped(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("study/", b"")
        archive.writestr("DICOMDIR", b"names")
        archive.writestr("study/dicomdir", b"names")
        archive.writestr("__MACOSX/study/._IM1", b"fork")
        archive.writestr(".DS_Store", b"finder")
        archive.writestr("study\\IM1", dicom_head(b"one"))  # Windows separators
        archive.writestr("study/IM2", dicom_head(b"two"))
    path = tmp_path / "upload.zip"
    path.write_bytes(buffer.getvalue())

    entries = list(expand_zip(path, **LIMITS))

    assert [(e.number, e.size) for e in entries] == [(1, 135), (2, 135)]


def test_an_empty_archive_is_refused(tmp_path):
    with pytest.raises(ValidationError, match="holds no files"):
        list(expand_zip(write(tmp_path, {"DICOMDIR": b"x"}), **LIMITS))


def test_is_zip_reads_the_content_not_the_name(tmp_path):
    assert is_zip(write(tmp_path, {"a": b"x"}))
    assert not is_zip(ybr_cine())
    dicom_with_zip_preamble = tmp_path / "odd.dcm"
    data = bytearray(ybr_cine().read_bytes())
    data[:4] = b"PK\x03\x04"
    dicom_with_zip_preamble.write_bytes(bytes(data))
    assert not is_zip(dicom_with_zip_preamble)
