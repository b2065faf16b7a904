"""``make test`` runs the suite with pytest-xdist's ``--dist loadgroup``: the tests of one
``xdist_group`` go to one worker, so a module fixture that costs seconds (the certification
demo, the processed pipeline outputs, the served platform) is made once per run, not once per
worker. pytest 9.2 made ``nodeid`` read-only and xdist 3.8 still groups by rewriting it: the
marks were silently ignored and every group ran on both workers (pyproject pins pytest below
9.2 for that). This runs a tiny suite of its own the way the Makefile does."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

GROUPED = """
import os

import pytest

pytestmark = pytest.mark.xdist_group("together")


@pytest.mark.parametrize("n", range(8))
def test_where(n):
    with open("ran.txt", "a") as ran:
        ran.write(f"RAN {n} ON {os.environ['PYTEST_XDIST_WORKER']}\\n")
"""


def test_an_xdist_group_runs_on_one_worker(tmp_path: Path) -> None:
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # not this repository's options
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "xdist.plugin", "-p", "no:cacheprovider",
         "-n", "2", "--dist", "loadgroup", "test_grouped.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env=os.environ | {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},  # xdist alone: quicker
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    ran = (tmp_path / "ran.txt").read_text()
    workers = set(re.findall(r"RAN \d ON (gw\d)", ran))
    assert len(re.findall(r"RAN \d ON", ran)) == 8, ran
    assert len(workers) == 1, f"the group was split across {sorted(workers)}"
