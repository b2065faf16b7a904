"""Pipeline outputs made once per test session, copied for later runs on the same input.

The pixel work of ``cine.pipeline.process`` is most of the suite's time: five test modules load
the whole demo (six generated loops through the real pipeline each time), and the shared
samples were processed by two modules. The pipeline is a function of its input — the source's
bytes, the de-identification secret, the manual mask, the options — so its outputs for the
same input can be copied instead of made again.

Within ``ProcessedOutputs.reused()`` (the ``reuse_processed_outputs`` fixture, or the
session's ``processed_outputs`` in a wider-scoped fixture):

- ``write_loop`` (the demo's loop generator) writes each distinct loop once; later calls with
  the same arguments get a byte-identical copy of that file (and its facts);
- the first ``process`` of such a source runs the real pipeline and keeps its outputs; later
  ones copy them into place, as the pipeline publishes them, and return its result. Everything
  around the pixel work runs as in production: the claim, the progress beat, ``_finish``'s
  database update, the original's deletion. The same holds for the shared samples, whose
  outputs ``processed_sample`` makes once through ``python -m cine process``.

Nothing else is reused: any other source (every cine a test builds) goes through the real
pipeline, and nothing here is active outside these fixtures. ``tests/cases/test_demo.py``
runs the demo through the real pipeline end to end, without reuse;
``tests/cineloops/test_processed_outputs.py`` checks that a copy is what the pipeline writes.
"""

from __future__ import annotations

import copy
import dataclasses
import fcntl
import functools
import hashlib
import json
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.cine.sample_files import real_path
from tests.cine.samples_reference import Sample

# The de-identification secret the shared samples are processed with, wherever they are.
SAMPLES_SECRET = "samples-process-secret-0123456789"

# Where the names patched below are looked up at call time.
PROCESS_USERS = ("cine.pipeline", "cineloops.processing")
WRITE_LOOP_USERS = ("demo.loops", "demo.cases", "demo.review", "demo.consults")


class ProcessedOutputs:
    """The session's store: outputs by input key, demo loop files by ``write_loop`` arguments.

    Kept on disk under ``root`` (outputs folder + pickled result per key, each made under a
    file lock), so the parallel workers of one ``pytest -n`` run share it: what one worker
    processed, the others copy."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.recordable: set[str] = set()  # digests of sources whose outputs are kept
        self.pipeline_runs = 0  # real runs of a recordable source (in this process)
        self.copies = 0  # runs answered by a copy (in this process)
        self._active = 0
        self._seeding = False  # run the real pipeline and loop writer, keep what they made

    @property
    def results(self) -> dict[str, Any]:
        """Input key -> the pipeline's result, for every source processed so far."""
        return {path.stem: pickle.loads(path.read_bytes()) for path in self.root.glob("*.result")}

    @contextmanager
    def _locked(self, name: str) -> Iterator[None]:
        """One process at a time makes (or reads) the entry ``name``."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / f"{name}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    @contextmanager
    def reused(self) -> Iterator[ProcessedOutputs]:
        """Reuse outputs and demo loops while inside (re-entrant)."""
        if self._active:
            self._active += 1
            try:
                yield self
            finally:
                self._active -= 1
            return
        import cine.pipeline
        import demo.loops

        real_process, real_writer = cine.pipeline.process, cine.pipeline.deidentified_dicom_writer
        real_write_loop = demo.loops.write_loop
        with pytest.MonkeyPatch.context() as patch:
            for name in PROCESS_USERS:
                patch.setattr(f"{name}.process", self._process(real_process))
                patch.setattr(f"{name}.deidentified_dicom_writer", _tagged(real_writer))
            for name in WRITE_LOOP_USERS:
                patch.setattr(f"{name}.write_loop", self._write_loop(real_write_loop))
            self._active = 1
            try:
                yield self
            finally:
                self._active = 0

    @contextmanager
    def seeding(self) -> Iterator[ProcessedOutputs]:
        """Inside, every ``write_loop`` and ``process`` runs for real (nothing is copied), and
        what they make is kept for the later ``reused()`` runs that have the same input: the
        one end-to-end demo test pays for the demo's pixels, the others copy them."""
        with self.reused():
            self._seeding = True
            try:
                yield self
            finally:
                self._seeding = False

    @contextmanager
    def recording(self, src: Path) -> Iterator[ProcessedOutputs]:
        """Keep the outputs of pipeline runs on ``src`` from now on (see ``processed_sample``)."""
        self.recordable.add(_digest(src))
        with self.reused():
            yield self

    def _process(self, real: Callable) -> Callable:
        def process(src, out_dir, *, manual_mask=None, progress=None, dicom_writer=None, **kw):
            key = self._key(src, manual_mask, dicom_writer, kw)
            run = functools.partial(
                real, src, out_dir, manual_mask=manual_mask, progress=progress,
                dicom_writer=dicom_writer, **kw,
            )  # fmt: skip
            if key is None:
                return run()
            with self._locked(key):
                kept = (self.root / f"{key}.result").exists()
                if kept and not self._seeding:
                    self.copies += 1
                    return self._copy(key, Path(out_dir), progress)
                result = run()
                if not kept and _digest(src) in self.recordable:
                    shutil.copytree(out_dir, self.root / key)
                    (self.root / f"{key}.result").write_bytes(pickle.dumps(result))
                    self.pipeline_runs += 1
                return result

        return process

    def _key(self, src, manual_mask, dicom_writer, others: dict) -> str | None:
        """What the outputs depend on; None when that cannot be told (never reused): a
        writer made elsewhere, a mask given as an array, options."""
        secret, lossy = None, False
        if dicom_writer is not None:
            secret = getattr(dicom_writer, "deid_secret", None)
            lossy = getattr(dicom_writer, "deid_lossy", None)
            if secret is None or lossy is None:
                return None
        if not (manual_mask is None or isinstance(manual_mask, list)):
            return None
        if any(value is not None for value in others.values()):
            return None
        try:
            inputs = json.dumps([secret.hex() if secret else None, lossy, manual_mask])
        except TypeError:  # mask values JSON cannot spell
            return None
        return hashlib.sha256(f"{_digest(src)} {inputs}".encode()).hexdigest()

    def _copy(self, key: str, out_dir: Path, progress: Callable | None) -> Any:
        # As the pipeline publishes: built aside in the parent folder, then renamed into place.
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".cine-", suffix=".partial", dir=out_dir.parent))
        shutil.copytree(self.root / key, work, dirs_exist_ok=True)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        work.rename(out_dir)
        if progress is not None:
            progress(100)  # the run's last beat
        result = pickle.loads((self.root / f"{key}.result").read_bytes())
        return dataclasses.replace(result, out_dir=out_dir)

    def _write_loop(self, real: Callable) -> Callable:
        def write_loop(path: Path, **arguments: Any) -> Any:
            name = hashlib.sha256(json.dumps(arguments, sort_keys=True).encode()).hexdigest()
            kept, kept_facts = self.root / "loops" / f"{name}.dcm", self.root / "loops" / name
            with self._locked(f"loop-{name}"):
                if kept_facts.exists() and not self._seeding:
                    facts = pickle.loads(kept_facts.read_bytes())
                    shutil.copyfile(kept, path)
                else:
                    facts = real(path, **arguments)
                if not kept_facts.exists():
                    kept.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, kept)
                    kept_facts.write_bytes(pickle.dumps(facts))
            self.recordable.add(_digest(kept))
            return copy.deepcopy(facts)

        return write_loop


def _tagged(real_writer: Callable) -> Callable:
    """The DICOM writer factory, its writers marked with their secret and codec setting (both
    part of the key)."""

    def deidentified_dicom_writer(secret: bytes, *, lossy: bool = False) -> Callable:
        writer = real_writer(secret, lossy=lossy)
        writer.deid_secret = bytes(secret)
        writer.deid_lossy = lossy
        return writer

    return deidentified_dicom_writer


def _digest(path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as src:
        for chunk in iter(lambda: src.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()


@pytest.fixture(scope="session")
def processed_outputs(tmp_path_factory) -> ProcessedOutputs:
    """The session's store of processed outputs (enter ``.reused()`` to use it). Under
    pytest-xdist, one store for all the workers of the run: their temporary folders share a
    parent that belongs to this run only."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return ProcessedOutputs(tmp_path_factory.getbasetemp().parent / "processed-outputs")
    return ProcessedOutputs(tmp_path_factory.mktemp("processed-outputs"))


@pytest.fixture
def reuse_processed_outputs(processed_outputs) -> Iterator[ProcessedOutputs]:
    """For this test: demo loops and pipeline outputs made once per session (module doc)."""
    with processed_outputs.reused():
        yield processed_outputs


@pytest.fixture(scope="session")
def processed_sample(processed_outputs, tmp_path_factory) -> Callable[[Sample], tuple[int, Path]]:
    """``processed_sample(sample)`` -> (exit code, output folder): the real sample through
    ``python -m cine process`` (with ``SAMPLES_SECRET``), once per session; a loop of the same
    file processed within ``reused()`` with that secret gets these outputs."""
    from cine.cli import main

    done: dict[str, tuple[int, Path]] = {}

    def run(sample: Sample) -> tuple[int, Path]:
        if sample.name not in done:
            src = real_path(sample.name)
            out = tmp_path_factory.mktemp("sample") / "result"
            with processed_outputs.recording(src), pytest.MonkeyPatch.context() as patch:
                patch.setenv("CINE_DEID_SECRET", SAMPLES_SECRET)
                done[sample.name] = (main(["process", str(src), str(out)]), out)
        return done[sample.name]

    return run
