"""Playback of a case's loop on emulated slow links, as a trainee in Chromium sees it.

    .venv/bin/python bench/rural_bench.py                       # both loops, both links
    .venv/bin/python bench/rural_bench.py --loop scanner --profile slow
    .venv/bin/python bench/rural_bench.py --keep                # keep (and reuse) the data

1. A throwaway SQLite database and var/ folder (``--keep``: bench/out/rural/, reused by the
   next ``--keep`` run), settings ``bench.rural_settings`` (Celery eager; static files
   collected, hashed and compressed as in a deployment). The demo data (``load_demo_data``,
   which processes the demo loops) gives the demo's longest loop and its case; the 60 s
   800x600 20 fps loop of bench/cine_bench.py (generated once into bench/out/) goes through the
   same pipeline into a published case of its own: the demo loops are 320x240 and hide what a
   scanner-size loop does on a slow link (DOMAIN.md §9).
2. gunicorn on a free port (threaded workers, see ``serving``); media through the
   application's Range-aware view, as a deployment without a bucket serves them.
3. For each loop and link: Chromium (/usr/bin/chromium, never downloaded) logs in as the demo
   trainee through the login page, emulates the link and disables the cache (DevTools
   protocol), opens the case page, presses its play button once the page has loaded, and waits
   for the end of the loop (at most 4 x its length). Service workers are blocked: the offline
   app's worker would fetch the video outside the emulated link. See bench/rural_play.py.

Printed for each run:
* first frame: from the start of the navigation to the first video frame presented
  (``requestVideoFrameCallback``'s presentationTime; the ``playing`` event where the callback
  is missing; the detail line says which), and from pressing play;
* stalls: ``waiting`` -> ``playing`` intervals after playback started, their number and total
  (``--trace`` prints every media event; a stall of 0.0 s is a decoder hiccup on a busy
  machine, with the data already there);
* the renditions played: the media kind of the element's currentSrc (or its path), its
  decoded size, and the player's ``data-rendition`` when it sets one; a change is a switch;
* bytes (``encodedDataLength``): all, the video's, and the page's before the video: every
  request but the video's sent before the first frame (HTML, CSS, JS, poster, API calls).
Targets at 1 Mbit/s (issue 16): first frame <= 2 s, 0 stalls, page <= 300 KB.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rural_play import Profile, Result, Target, play  # bench/ is on sys.path: run as a script
from web_server import free_port, start_gunicorn

REPO = Path(__file__).resolve().parents[1]

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
KEPT = REPO / "bench" / "out" / "rural"
PROFILES = {
    "slow": Profile("slow", "1 Mbit/s down, 256 kbit/s up, 150 ms RTT", 1_000_000, 256_000, 150),
    # The issue gives no upload rate for this link: 1 Mbit/s, which playback hardly uses.
    "fast": Profile("fast", "4 Mbit/s down, 1 Mbit/s up, 40 ms RTT", 4_000_000, 1_000_000, 40),
}
SCANNER_SECONDS = 60  # bench/cine_bench.py's 60 s loop: 800x600, 20 fps
PAGE_TARGET_BYTES = 300_000
# Static files of pages the bench never opens (API docs, the admin): most of collectstatic's
# time (compressing megabytes), none of the case page's bytes.
UNUSED_STATIC = ["drf_spectacular_sidecar", "rest_framework", "admin"]


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=["slow", "fast", "both"], default="both")
    parser.add_argument("--loop", choices=["demo", "scanner", "both"], default="both")
    parser.add_argument("--keep", action="store_true", help=f"keep and reuse {KEPT}")
    parser.add_argument("--trace", action="store_true", help="print each run's media events")
    return parser.parse_args()


# --- Data ----------------------------------------------------------------------------------------


def prepare(state_file: Path) -> dict[str, dict]:
    """The database ready, the two cases published; their pages and loops (kept in
    ``state_file`` for the next ``--keep`` run)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if state_file.exists():
        print(f"reusing the data of {state_file.parent}")
        return json.loads(state_file.read_text())
    started = time.perf_counter()
    call_command("load_demo_data", stdout=io.StringIO())
    print(f"demo data loaded in {time.perf_counter() - started:.0f} s")
    state = {"demo": longest_demo_loop()}
    started = time.perf_counter()
    state["scanner"] = scanner_case()
    print(f"scanner-size case made in {time.perf_counter() - started:.0f} s")
    state_file.write_text(json.dumps(state))
    return state


def _target(case, loop) -> dict:
    return {
        "case": case.pk,
        "loop": loop.pk,
        "duration_s": loop.duration_s,
        "description": f"{loop.duration_s:.0f} s, {loop.columns}x{loop.rows}, {loop.fps:g} fps",
    }


def longest_demo_loop() -> dict:
    from cases.models import CaseLoop
    from cases.models.choices import CaseStatus

    link = (
        CaseLoop.objects.filter(case__status=CaseStatus.PUBLISHED, loop__duration_s__isnull=False)
        .select_related("case", "loop")
        .order_by("-loop__duration_s", "case_id", "order")
        .first()
    )
    if link is None:
        raise SystemExit("the demo data made no published case with a loop")
    return _target(link.case, link.loop)


def scanner_case() -> dict:
    """bench/cine_bench.py's 60 s loop, processed and published in a case of its own."""
    import cine_bench
    from django.utils import translation

    from accounts.models import User
    from cases import services
    from cineloops import services as loop_services
    from cineloops.models import CineLoop
    from cineloops.processing import loop_process
    from core.scoping import Visibility

    fps = cine_bench.LOOPS[SCANNER_SECONDS]
    source = cine_bench.OUT / f"ceus_{SCANNER_SECONDS}s_{fps}fps.dcm"  # cine_bench's cache
    if not source.exists():
        cine_bench.OUT.mkdir(exist_ok=True)
        print(f"generating {source.name} (once) …", flush=True)
        cine_bench.generate(source, SCANNER_SECONDS, fps)
    author = User.objects.get(username="instructor")
    reviewer = User.objects.get(username="admin")
    loop = loop_services.loop_create_from_path(path=source, by=author)  # a copy: cache stays
    CineLoop.objects.filter(pk=loop.pk).update(label="Bench: scanner-size CEUS loop")
    loop_process(loop_pk=loop.pk)  # nothing to do when the eager task ran it on commit
    loop.refresh_from_db()
    if loop.status != CineLoop.Status.READY:
        raise SystemExit(f"the scanner-size loop ended {loop.status}: {loop.error_message}")
    with translation.override("en"):
        case = services.case_create(
            by=author,
            organ="liver",
            title="Bench: a scanner-size loop on a slow link",
            final_diagnosis="Hepatocellular carcinoma (synthetic loop)",
            visibility=Visibility.NETWORK,
            loops=[services.LoopSpec(loop.pk, "800 x 600, 20 fps")],
        ).case
        services.case_submit_for_review(case=case, by=author)
        services.case_review(case=case, by=reviewer, approve=True, comment="Bench case.")
    return _target(case, loop)


def collect_static(stamp: Path) -> None:
    """collectstatic, unless the kept folder holds what the finders have now."""
    import hashlib

    from django.contrib.staticfiles.finders import get_finders
    from django.core.management import call_command

    listed = sorted(
        (path, storage.path(path), os.stat(storage.path(path)).st_mtime_ns)
        for finder in get_finders()
        for path, storage in finder.list(UNUSED_STATIC)
    )
    fingerprint = hashlib.sha256(repr(listed).encode()).hexdigest()
    if stamp.exists() and stamp.read_text() == fingerprint:
        return
    started = time.perf_counter()
    call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=UNUSED_STATIC)
    stamp.write_text(fingerprint)
    print(f"static files collected in {time.perf_counter() - started:.0f} s")


# --- Server --------------------------------------------------------------------------------------


@contextmanager
def serving(env: dict[str, str]) -> Iterator[str]:
    """gunicorn, 2 workers of 8 threads: the video streams for minutes to a slow client, which
    no proxy buffers here (a sync worker would be killed by its time-out meanwhile, and hold
    up every other request). Yields its address."""
    port = free_port()
    server = start_gunicorn(
        env, port, "--workers", "2", "--worker-class", "gthread", "--threads", "8"
    )
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_until_up(base_url, server)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=30)


def wait_until_up(base_url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited during start-up")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


# --- Report --------------------------------------------------------------------------------------


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def report(results: list[Result], trace: bool = False) -> None:
    print(
        f"\n{'loop':<8}{'link':<6}{'page ready':>11}{'first frame':>12}{'after play':>11}"
        f"{'stalls':>7}{'stalled':>9}{'played':>8}  {'all MB':>7}{'video MB':>9}{'page KB':>8}"
        "  renditions"
    )
    for r in results:
        ended = "" if r.ended else " (time-out: not ended)"
        print(
            f"{r.target.name:<8}{r.profile.name:<6}{_seconds(r.pressed_s):>9} s"
            f"{_seconds(r.first_frame_s):>10} s"
            f"{_seconds(r.startup_s):>9} s{len(r.stalls):>7}{sum(r.stalls):>7.1f} s"
            f"{_seconds(r.played_s):>6} s  {r.all_bytes / 1e6:>7.2f}{r.video_bytes / 1e6:>9.2f}"
            f"{r.page_bytes / 1e3:>8.0f}  {' -> '.join(r.renditions) or '-'}{ended}"
        )
    print(
        "\npage ready: play pressed (page loaded), first frame: both from the navigation "
        "start; after play: from pressing play; played: first frame to end; page KB: every "
        "request but the video's sent before the first frame."
    )
    for r in results:
        kinds = ", ".join(f"{k} {v / 1e3:.0f}" for k, v in sorted(r.page_by_type.items()))
        files = ", ".join(
            f"{name}: {count} requests, {fetched / 1e6:.2f} MB"
            + (f" of {size / 1e6:.2f} MB" if size else "")
            for name, (count, fetched, size) in r.video_files.items()
        )
        frames = ""
        if r.quality:
            frames = f"; frames decoded {r.quality['total']}, dropped {r.quality['dropped']}"
        print(
            f"  {r.target.name}/{r.profile.name}: first frame by {r.first_frame_by or '-'}; "
            f"page {r.page_requests} requests (KB: {kinds}); video {files or '-'}{frames}"
        )
        if trace:
            print("    " + ", ".join(f"{e['type']} {e['t'] / 1000:.2f}" for e in r.events))
    slow = [r for r in results if r.profile.name == "slow"]
    for r in slow:
        met = (
            r.ended
            and r.first_frame_s is not None
            and r.first_frame_s <= 2
            and not r.stalls
            and r.page_bytes <= PAGE_TARGET_BYTES
        )
        print(
            f"targets at 1 Mbit/s ({r.target.name}: first frame <= 2 s, 0 stalls, page <= "
            f"300 KB): {'met' if met else 'NOT met'}"
        )


# --- Main ----------------------------------------------------------------------------------------


def main() -> int:
    args = parse()
    if not CHROMIUM.exists():
        raise SystemExit(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    began = time.perf_counter()
    if args.keep and not (KEPT / "state.json").exists():
        shutil.rmtree(KEPT, ignore_errors=True)  # a run stopped half-way: start again
        KEPT.mkdir(parents=True)
    folder = KEPT if args.keep else Path(tempfile.mkdtemp(prefix="ceus-rural-bench-"))
    for name in ("CACHE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CEUS_S3_BUCKET"):
        os.environ.pop(name, None)  # the embedded defaults, whatever this shell points at
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.rural_settings",
        "DJANGO_VAR_DIR": str(folder),  # secret key, cine files, static, broker: all the bench's
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "DJANGO_DEBUG": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(REPO),
    }
    os.environ.update(env)
    sys.path.insert(0, str(REPO))
    try:
        import django

        django.setup()
        from django.db import connections
        from django.urls import reverse

        from demo.accounts import DEMO_PASSWORD

        state = prepare(folder / "state.json")
        collect_static(folder / "static.fingerprint")
        account = {
            "login_path": reverse("accounts:login"),
            "dashboard_path": reverse("courses:dashboard"),
            "username": "trainee",
            "password": DEMO_PASSWORD,
        }
        targets = [
            Target(name, reverse("cases:detail", args=[t["case"]]), t["loop"], t["duration_s"],
                   t["description"])
            for name, t in state.items() if args.loop in (name, "both")
        ]  # fmt: skip
        connections.close_all()
        profiles = [p for name, p in PROFILES.items() if args.profile in (name, "both")]
        with serving(env) as base_url:
            results = run(base_url, targets, profiles, account)
        report(results, trace=args.trace)
        print(f"\nbench took {time.perf_counter() - began:.0f} s")
        return 0
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def run(base_url: str, targets: list[Target], profiles: list[Profile], account: dict):
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"],
        )  # fmt: skip
        print(
            f"Chromium {browser.version}; {os.cpu_count()} CPUs, load average "
            f"{os.getloadavg()[0]:.2f}"
        )
        for target in targets:
            print(f"{target.name} loop: {target.description}, case {base_url}{target.url}")
        for target in targets:
            for profile in profiles:
                started, load = time.perf_counter(), os.getloadavg()[0]
                result = play(browser, base_url, target, profile, account)
                print(
                    f"  {target.name} on {profile.label}: {time.perf_counter() - started:.0f} s "
                    f"(load average {load:.1f} at the start)",
                    flush=True,
                )
                results.append(result)
        browser.close()
    return results


if __name__ == "__main__":
    sys.exit(main())
