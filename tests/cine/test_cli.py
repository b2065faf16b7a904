"""``python -m cine``: JSON out, exit 2 with one line for input it cannot handle."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydicom import dcmread

from cine.cli import main, parse_roi

from .cine_factory import MARKER, make_cine, region_item

SECRET = "cli-secret-0123456789abcdef"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def cine(tmp_path: Path) -> Path:
    regions = [region_item((4, 4, 59, 43))]
    return make_cine(tmp_path / "张伟 liver.dcm", frames=4, colour=True, regions=regions)


def test_info_prints_header_facts_without_patient_fields(cine: Path, capsys) -> None:
    assert main(["info", str(cine)]) == 0
    out = capsys.readouterr().out
    facts = json.loads(out)
    assert (facts["frames"], facts["rows"], facts["columns"]) == (4, 48, 64)
    assert facts["fps"] == 25.0 and facts["regions"][0]["bounds"] == [4, 4, 59, 43]
    assert MARKER not in out and "ID-" not in out and "Wei" not in out


def test_process_writes_the_outputs(cine: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("CINE_DEID_SECRET", SECRET)
    out = tmp_path / "out"
    assert main(["process", str(cine), str(out), "--roi", "0,0,31,47"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["pixel_cleaning"] == "manual_mask" and summary["frames"] == 4
    names = {p.name for p in out.iterdir()}
    assert names >= {"video.mp4", "poster.jpg", "thumbs.jpg", "deidentified.dcm", "metadata.json"}


def test_process_needs_the_secret_unless_told_not_to_write_dicom(
    cine: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.delenv("CINE_DEID_SECRET", raising=False)
    assert main(["process", str(cine), str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "CINE_DEID_SECRET" in err
    assert main(["process", str(cine), str(tmp_path / "out"), "--no-dicom"]) == 0
    assert not (tmp_path / "out" / "deidentified.dcm").exists()


def test_deidentify_delegates_to_the_header_module(cine: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CINE_DEID_SECRET", SECRET)
    target = tmp_path / "deid.dcm"
    assert main(["deidentify", str(cine), str(target)]) == 0
    assert MARKER.encode() not in target.read_bytes()
    assert dcmread(target).PatientIdentityRemoved == "YES"


@pytest.mark.parametrize("kind", ["not_dicom", "truncated", "lying", "mask"])
def test_bad_input_exits_2_with_one_line(kind: str, cine: Path, tmp_path: Path, capsys) -> None:
    args = ["info", str(cine)]
    if kind == "not_dicom":
        cine.write_text("hello")
    elif kind == "truncated":
        cine.write_bytes(cine.read_bytes()[:-300])
    elif kind == "lying":
        cine = make_cine(cine, frames=2, declared_frames=3)
    else:
        args = ["process", str(cine), str(tmp_path / "out"), "--no-dicom"]
        args += ["--mask-npy", str(tmp_path / "missing.npy")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "Traceback" not in err and cine.name not in err and "张伟" not in err


def test_roi_syntax() -> None:
    assert parse_roi("1,2,30,40") == [(1, 2), (30, 40)]
    assert parse_roi("1,2;30,2;30,40") == [(1, 2), (30, 2), (30, 40)]
    with pytest.raises(Exception, match="expected"):
        parse_roi("1,2,3")


def test_module_entry_point(cine: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "default"}
    ok = subprocess.run(
        [sys.executable, "-m", "cine", "info", str(cine)], capture_output=True, env=env, text=True
    )
    assert ok.returncode == 0 and json.loads(ok.stdout)["frames"] == 4 and ok.stderr == ""
    broken = tmp_path / "broken.dcm"
    broken.write_bytes(cine.read_bytes()[:-500])
    bad = subprocess.run(
        [sys.executable, "-m", "cine", "process", str(broken), str(tmp_path / "o"), "--no-dicom"],
        capture_output=True,
        env=env,
        text=True,
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and bad.stdout == ""
    assert not (tmp_path / "o").exists()
