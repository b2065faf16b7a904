"""The bad-input corpus (``bad_inputs.CORPUS``) through every route it applies to.

Web upload page, API and DICOM listener: each input is refused or failed with its own message
(or, where it is a usable loop after all, processed); a good loop still processes after the
corpus; nothing of a refused input is left on disk, and a failed one keeps only its original
(kept so an instructor can process it again) and no outputs. The corpus' processing also runs
in a fresh worker process whose peak RSS must stay under 300 MiB. A summary table is printed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pydicom.uid import UID
from pynetdicom import AE, ALL_TRANSFER_SYNTAXES, _config
from pynetdicom.sop_class import UltrasoundMultiFrameImageStorage

from cineloops import dicom_scp, storage
from cineloops.models import CineLoop, DicomSender
from cineloops.processing import loop_process
from tests.cineloops.bad_inputs import (
    CORPUS,
    FAILED,
    PROCESSED,
    REFUSED,
    TEST_LIMITS,
    BadInput,
    Outcome,
    good,
    listener_bytes,
)
from tests.cineloops.stored import outputs_of

# One worker runs this module under pytest -n: its module fixture is made once.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("bad-inputs")]
REPO = Path(__file__).resolve().parents[2]
API_URL = "/api/v1/cineloops/"
MAX_RSS = 300 * 1024 * 1024
Status = CineLoop.Status
SUMMARY: dict[str, Counter] = {}


def test_the_corpus_is_large_and_named_uniquely():
    names = [bad.name for bad in CORPUS]
    assert len(names) == len(set(names))
    assert len(CORPUS) >= 40


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, bytes]:
    tmp = tmp_path_factory.mktemp("corpus")
    made = {}
    for bad in CORPUS:
        scratch = tmp / bad.name
        scratch.mkdir()
        made[bad.name] = bad.make(scratch)
    return made


@pytest.fixture
def limits(settings):
    for name, value in TEST_LIMITS.items():
        setattr(settings, name, value)


def _upload(bad: BadInput, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{bad.name}.bin", data, content_type="application/octet-stream")


def _check_loop(bad: BadInput, loop: CineLoop, expected: Outcome) -> str | None:
    """A mismatch description, or None when the loop did what the table says."""
    if expected.kind == PROCESSED:
        if loop.status in (Status.READY, Status.NEEDS_REVIEW):
            return None
        return f"{bad.name}: expected processed, got {loop.status} {loop.error_code}"
    if expected.kind != FAILED:
        return f"{bad.name}: expected refused, got a loop ({loop.status} {loop.error_code})"
    if loop.status != Status.FAILED or loop.error_code != expected.code:
        return f"{bad.name}: expected failed {expected.code}, got {loop.status} {loop.error_code}"
    if expected.text not in loop.error_message or "internal error" in loop.error_message:
        return f"{bad.name}: message {loop.error_message!r} lacks {expected.text!r}"
    return None


def _record(route: str, outcome: str) -> None:
    SUMMARY.setdefault(route, Counter())[outcome] += 1


def _leftovers(cine_dirs) -> list[str]:
    """Files on disk that no loop accounts for: stray uploads, originals of refused or
    processed inputs, outputs of failed loops."""
    problems = [f"incoming: {p.name}" for p in storage.incoming_dir().iterdir()]
    keeps_original = {Status.FAILED, Status.NEEDS_REVIEW}
    expected = {
        loop.original_name for loop in CineLoop.objects.all() if loop.status in keeps_original
    }
    problems += [f"work folder: {p.name}" for p in storage.work_dir().iterdir()]
    stored = set(storage.original_names())
    problems += [f"original without a loop that keeps it: {n[:6]}…" for n in stored - expected]
    problems += [f"original missing: {n[:6]}…" for n in expected - stored]
    for loop in CineLoop.objects.filter(status=Status.FAILED):
        files = outputs_of(loop.pk)
        problems += [f"output of failed loop {loop.pk}: {name}" for name in files]
    known = {str(pk) for pk in CineLoop.objects.values_list("pk", flat=True)}
    stored_loops = {name.split("/")[1] for name in storage.list_files(storage.media(), "loops")}
    problems += [f"outputs of no loop: {name}" for name in stored_loops - known]
    return problems


def _good_still_processes(post) -> None:
    scratch = Path(storage.upload_dir().parent) / "good"
    scratch.mkdir(exist_ok=True)
    loop = post(good(scratch))
    assert loop is not None and loop.status == Status.READY, "a good loop after the corpus"


# --- the web upload page and the API ---------------------------------------------------------


def _web_post(client, bad: BadInput, data: bytes) -> tuple[list[str], list[CineLoop]]:
    before = set(CineLoop.objects.values_list("pk", flat=True))
    response = client.post(reverse("cineloops:upload"), {"file": _upload(bad, data)}, follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    loops = list(CineLoop.objects.exclude(pk__in=before))
    return messages, loops


def test_every_input_through_the_web_upload(
    celery_eager, client, instructor, corpus, limits, cine_dirs
):
    client.force_login(instructor)
    mismatches = []
    for bad in CORPUS:
        messages, loops = _web_post(client, bad, corpus[bad.name])
        expected = bad.upload
        if expected.kind == REFUSED:
            if loops or not any(expected.text in m for m in messages):
                mismatches.append(f"{bad.name}: not refused with {expected.text!r}: {messages}")
            _record("web", "refused")
            continue
        if len(loops) != 1:
            mismatches.append(f"{bad.name}: expected one loop, got {len(loops)}: {messages}")
            continue
        loops[0].refresh_from_db()
        mismatch = _check_loop(bad, loops[0], expected)
        if mismatch:
            mismatches.append(mismatch)
        _record("web", expected.kind)
    assert not mismatches, "\n".join(mismatches)
    assert _leftovers(cine_dirs) == []

    def post(data: bytes):
        _messages, loops = _web_post(client, CORPUS[0], data)
        return loops[0] if loops else None

    _good_still_processes(post)


def test_every_input_through_the_api(celery_eager, api, corpus, limits, cine_dirs):
    mismatches = []
    for bad in CORPUS:
        response = api.post(API_URL, {"file": _upload(bad, corpus[bad.name])})
        body = response.json()
        expected = bad.upload
        if expected.kind == REFUSED:
            codes = [(r["code"], r["error"]) for r in body.get("rejected", [])]
            if (
                response.status_code != 400
                or body["accepted"]
                or not any(code == expected.code and expected.text in text for code, text in codes)
            ):
                mismatches.append(f"{bad.name}: {response.status_code} {codes}")
            _record("api", "refused")
            continue
        if response.status_code != 202 or len(body["accepted"]) != 1:
            mismatches.append(f"{bad.name}: {response.status_code} {body}")
            continue
        loop = CineLoop.objects.get(pk=body["accepted"][0]["loop"]["id"])
        mismatch = _check_loop(bad, loop, expected)
        if mismatch:
            mismatches.append(mismatch)
        elif expected.kind == FAILED:
            shown = body["accepted"][0]["loop"]
            assert (shown["error_code"], expected.text in shown["error"]) == (expected.code, True)
        _record("api", expected.kind)
    assert not mismatches, "\n".join(mismatches)
    assert _leftovers(cine_dirs) == []

    def post(data: bytes):
        body = api.post(API_URL, {"file": _upload(CORPUS[0], data)}).json()
        return CineLoop.objects.get(pk=body["accepted"][0]["loop"]["id"])

    _good_still_processes(post)


# --- the DICOM listener ----------------------------------------------------------------------


@pytest.fixture
def listener(hospital, monkeypatch):
    # Send files as they are (what a broken or hostile peer does), never re-encoded by pydicom.
    monkeypatch.setattr(_config, "STORE_SEND_CHUNKED_DATASET", True)
    # A registered scanner: the corpus is refused for what it is, not for who sent it.
    DicomSender.objects.create(institution=hospital, ae_title="SCANNER")
    server = dicom_scp.start_listener(
        ae_title="CEUS_TRAINING",
        bind="127.0.0.1",
        port=0,
        receive=dicom_scp.loop_receiver(),
        block=False,
    )
    yield server.server_address[1]
    server.shutdown()


def _send(port: int, path: Path, transfer_syntax: str):
    """C-STORE the file at ``path``; None when no presentation context was accepted."""
    scu = AE(ae_title="SCANNER")
    scu.add_requested_context(UltrasoundMultiFrameImageStorage, [transfer_syntax])
    association = scu.associate("127.0.0.1", port, ae_title="CEUS_TRAINING")
    if not association.is_established:  # pynetdicom aborts when no context is accepted
        return None
    try:
        return association.send_c_store(path)
    finally:
        association.release()


def test_every_dataset_through_the_listener(
    listener, queued_messages, corpus, limits, cine_dirs, tmp_path
):
    mismatches = []
    for bad in CORPUS:
        expected = bad.listener
        if expected is None:  # ZIPs are not sent over DICOM networking
            continue
        data, transfer_syntax = listener_bytes(corpus[bad.name])
        path = tmp_path / f"{bad.name}.dcm"
        path.write_bytes(data)
        before = set(CineLoop.objects.values_list("pk", flat=True))
        answer = _send(listener, path, transfer_syntax)
        loops = list(CineLoop.objects.exclude(pk__in=before))
        if expected.kind == REFUSED:
            if expected.status is None:  # refused at association
                ok = answer is None and UID(transfer_syntax) not in ALL_TRANSFER_SYNTAXES
            else:
                comment = str(answer.get("ErrorComment", "")) if answer else ""
                ok = (
                    answer is not None
                    and answer.Status == expected.status
                    and comment
                    and expected.text in comment
                )
            if not ok or loops:
                mismatches.append(f"{bad.name}: not refused as expected: {answer}")
            _record("listener", "refused")
            continue
        if answer is None or answer.Status != 0x0000 or len(loops) != 1:
            mismatches.append(f"{bad.name}: not stored: {answer}")
            continue
        loop_process(loop_pk=loops[0].pk, task_id=f"corpus-{bad.name}")
        loops[0].refresh_from_db()
        mismatch = _check_loop(bad, loops[0], expected)
        if mismatch:
            mismatches.append(mismatch)
        _record("listener", expected.kind)
    assert not mismatches, "\n".join(mismatches)
    assert _leftovers(cine_dirs) == []

    def post(data: bytes):
        data, transfer_syntax = listener_bytes(data)
        path = tmp_path / "good.dcm"
        path.write_bytes(data)
        before = set(CineLoop.objects.values_list("pk", flat=True))
        assert _send(listener, path, transfer_syntax).Status == 0x0000
        [loop] = CineLoop.objects.exclude(pk__in=before)
        loop_process(loop_pk=loop.pk, task_id="after-corpus")
        loop.refresh_from_db()
        return loop

    _good_still_processes(post)


# --- the worker's memory ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=False)
def test_the_worker_processes_the_corpus_within_300_mib(corpus, tmp_path, capsys):
    for bad in CORPUS:
        if bad.listener is not None:  # every file that can reach processing
            (tmp_path / f"{bad.name}.in").write_bytes(corpus[bad.name])
    done = subprocess.run(
        [sys.executable, "-m", "tests.cineloops.bad_inputs", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]  # alive to the end: no crash
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    peak = lines.pop()["peak_rss_bytes"]
    results = {line["name"]: line for line in lines}
    assert results.pop("good")["outcome"] == PROCESSED  # still works after the corpus
    for bad in CORPUS:
        if bad.listener is None:
            continue
        wanted = PROCESSED if bad.upload.kind == PROCESSED else FAILED
        assert results[bad.name]["outcome"] == wanted, bad.name
    assert peak < MAX_RSS
    SUMMARY["worker"] = Counter({"inputs": len(results), "peak_rss_mib": peak // (1 << 20)})


def test_print_the_summary(capsys):
    """The figures of the run (printed even under -q)."""
    if not {"web", "api", "listener"} <= SUMMARY.keys():
        pytest.skip("run with the route tests to get the summary")
    rows = []
    for route in ("web", "api", "listener"):
        counts = SUMMARY[route]
        rows.append(
            f"{route:9} {sum(counts.values()):4} inputs: {counts['refused']:3} refused, "
            f"{counts['failed']:3} failed with their reason, {counts['processed']:2} processed"
            ", 0 crashes, 0 leftovers"
        )
    worker = SUMMARY.get("worker", Counter())
    rows.append(
        f"worker    {worker['inputs']:4} inputs processed in one process, "
        f"peak RSS {worker['peak_rss_mib']} MiB (limit 300)"
    )
    with capsys.disabled():
        print("\nbad-input corpus:", len(CORPUS), "inputs\n" + "\n".join(rows))
    assert len(CORPUS) >= 40
