"""Load test of the case library: 10,000 cases, gunicorn with 2 workers, 20 concurrent users.

    .venv/bin/python bench/library_bench.py                 # throwaway SQLite database
    DATABASE_URL=postgres://… .venv/bin/python bench/library_bench.py   # an EMPTY database
    .venv/bin/python bench/library_bench.py --cases 2000 --seconds 10   # a quicker look

1. Creates the cases (with tags, loops, a signed-in trainee) in a throwaway SQLite database
   under a temporary folder, or in the PostgreSQL database of DATABASE_URL (give an empty,
   throwaway one: it is migrated and filled).
2. Starts gunicorn (2 sync workers) on a free port of 127.0.0.1 with ``bench.library_settings``:
   the platform plus one minimal view, the yardstick, that only the bench serves.
3. From a second process (this script with ``--drive``), 20 threads act as signed-in trainees,
   each sending requests one after another (no think time), with the standard library only
   (threading + http.client), in two ways:
   * ``phases``: 30 s on each page in turn — the yardstick, the library list, a search, a case
     page, the yardstick again (to see that the machine stayed steady). The server is
     saturated, so each p95 is mostly the queue: the p95 ratio is close to the ratio of the
     pages' own service times.
   * ``mixed``: 30 s in which every user cycles through the four pages, so that the yardstick
     is measured under the same load as the pages; a page's p95 over the yardstick's is then
     what the page adds on top of waiting its turn.
4. Prints p50 / p95 latency and requests/s for each, and each page's p95 over the yardstick's
   p95 of the same run (target ≤ 3). Every request must answer 200.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from web_server import free_port, start_gunicorn  # bench/ is on sys.path: run as a script

REPO = Path(__file__).resolve().parents[1]
TARGET_RATIO = 3.0

ORGANS = {
    "liver": ["Hepatocellular carcinoma", "Haemangioma", "Focal nodular hyperplasia",
              "Metastasis from colorectal cancer", "Intrahepatic cholangiocarcinoma",
              "Hepatic abscess", "Focal fatty sparing"],
    "kidney": ["Clear cell renal cell carcinoma", "Angiomyolipoma", "Complex cyst, Bosniak IIF",
               "Renal infarction"],
    "thyroid": ["Papillary thyroid carcinoma 甲状腺乳头状癌", "Nodular goitre",
                "Follicular adenoma"],
    "breast": ["Invasive ductal carcinoma", "Fibroadenoma"],
    "lymph_node": ["Reactive lymph node", "Lymphoma", "Metastatic lymph node"],
    "vascular": ["Carotid plaque with neovascularisation", "Endoleak type II"],
}  # fmt: skip
TITLES = ["Lesion found on surveillance", "Incidental finding", "Nodule in a patient at risk",
          "Follow-up after treatment", "Mass with atypical enhancement", "Teaching classic",
          "病灶待定性", "Second opinion requested"]  # fmt: skip
TAGS = ["cirrhosis", "HBV", "benign", "malignant", "LI-RADS", "wash-out", "rim", "fill-in",
        "paediatric", "follow-up", "biopsy", "classic", "pitfall", "exam", "疑难病例"]  # fmt: skip
ENHANCEMENT = ["hypo", "iso", "hyper", ""]
HISTORY = (
    "A patient under surveillance for chronic liver disease. The lesion was found on routine "
    "ultrasound; laboratory values are within the reference range except a mildly raised AFP. "
) * 3


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--mode", choices=["both", "phases", "mixed"], default="both")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--drive", help=argparse.SUPPRESS)  # internal: the load process
    return parser.parse_args()


# --- Data ----------------------------------------------------------------------------------------


def populate(count: int) -> dict[str, object]:
    """Fill the database; returns the trainee's session key and the pages to load."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Institution, User
    from cases.models import Annotation, Case, CaseLoop, PhaseMarker, Tag
    from cases.search import search_document
    from cineloops.models import CineLoop

    call_command("migrate", verbosity=0)
    if Case.objects.exists():
        raise SystemExit("The database already holds cases: give the bench an empty one.")
    rng = random.Random(20261126)
    started = time.monotonic()
    with transaction.atomic():
        hospitals = [
            Institution.objects.create(
                name=f"Bench hospital {n}", short_name=f"B{n}", level="county", region="Zhejiang"
            )
            for n in range(5)
        ]
        trainee = User.objects.create_user(
            "bench-trainee", password="bench", role="trainee", institution=hospitals[0]
        )
        region = {"bounds": [16, 22, 303, 233], "spatial_format": "2D", "data_type": "tissue",
                  "units_x": "cm", "units_y": "cm", "delta_x": 0.07, "delta_y": 0.07,
                  "cm_per_pixel_x": 0.07, "cm_per_pixel_y": 0.07, "fits_image": True}  # fmt: skip
        loops = CineLoop.objects.bulk_create(
            CineLoop(institution=hospitals[n % 5], source="upload", status="ready", progress=100,
                     frames=750, fps=15.0, duration_s=50.0, rows=240, columns=320,
                     regions=[region], poster_file="poster.jpg", video_file="video.mp4",
                     metadata_file="metadata.json", processed_at=timezone.now())
            for n in range(60)
        )  # fmt: skip
        tags = Tag.objects.bulk_create(Tag(name=name) for name in TAGS)
        cases = []
        for n in range(count):
            organ = rng.choice(list(ORGANS))
            case = Case(
                institution=hospitals[n % 5],
                status="published" if rng.random() < 0.9 else rng.choice(["draft", "in_review"]),
                visibility="network" if rng.random() < 0.6 else "institution",
                title=f"{rng.choice(TITLES)} #{n}",
                organ=organ,
                contrast_agent="SonoVue",
                contrast_dose="2.4 mL",
                injection_time_s=3.0,
                clinical_history=HISTORY,
                arterial_enhancement=rng.choice(ENHANCEMENT),
                portal_venous_enhancement=rng.choice(ENHANCEMENT),
                late_enhancement=rng.choice(ENHANCEMENT),
                washout_degree=rng.choice(["none", "mild", "marked", ""]),
                category=f"LR-{rng.randint(1, 5)}" if organ == "liver" else "",
                final_diagnosis=rng.choice(ORGANS[organ]),
                teaching_points=HISTORY,
                difficulty=rng.randint(1, 3),
            )
            case.tag_names = rng.sample(TAGS, 3)
            case.search_text = search_document(case, case.tag_names)
            cases.append(case)
        Case.objects.bulk_create(cases, batch_size=1000)
        by_name = {tag.name: tag for tag in tags}
        Case.tags.through.objects.bulk_create(
            (Case.tags.through(case=case, tag=by_name[name]) for case in cases
             for name in case.tag_names), batch_size=5000
        )  # fmt: skip
        CaseLoop.objects.bulk_create(
            (CaseLoop(case=case, loop=loops[n % len(loops)], order=0)
             for n, case in enumerate(cases)), batch_size=5000
        )  # fmt: skip
        # The case page: a published network case with two loops, shapes and markers.
        shown = next(c for c in cases if c.status == "published" and c.visibility == "network")
        CaseLoop.objects.create(case=shown, loop=loops[1], order=1, starts_after_injection_s=150)
        first = shown.case_loops.order_by("order").first().loop
        Annotation.objects.bulk_create(
            [Annotation(case=shown, loop=first, kind="ellipse", roi_role="lesion", order=0,
                        geometry={"cx": 175, "cy": 120, "rx": 16, "ry": 16}, label="Lesion"),
             Annotation(case=shown, loop=first, kind="measure", order=1, length_mm=28.0,
                        geometry={"x1": 155, "y1": 120, "x2": 195, "y2": 120}),
             Annotation(case=shown, loop=first, kind="arrow", order=2, label="APHE",
                        geometry={"x1": 250, "y1": 55, "x2": 191, "y2": 106})]
        )  # fmt: skip
        PhaseMarker.objects.bulk_create(
            PhaseMarker(case=shown, loop=first, kind=kind, time_s=t)
            for kind, t in (("arrival", 14.0), ("peak", 24.0), ("portal_venous", 36.0))
        )
    session = SessionStore()
    session[SESSION_KEY] = str(trainee.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = trainee.get_session_auth_hash()
    session.create()
    visible = Case.objects.for_user(trainee).count()
    print(f"{count} cases created in {time.monotonic() - started:.1f} s "
          f"({visible} visible to the trainee)")  # fmt: skip
    return {
        "session": session.session_key,
        "targets": [
            ["yardstick", "/bench/yardstick/"],
            ["list", "/cases/"],
            ["search", "/cases/?q=hepatocellular+carcinoma"],
            ["case page", f"/cases/{shown.pk}/"],
            ["yardstick (again)", "/bench/yardstick/"],
        ],
    }


# --- Server --------------------------------------------------------------------------------------


def get(port: int, path: str, cookie: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Cookie": cookie, "Accept-Language": "en"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_until_up(port: int, cookie: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited during start-up")
        try:
            if get(port, "/bench/yardstick/", cookie)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 60 s")


# --- Load (the second process) ---------------------------------------------------------------


def _summary(path: str, latencies: list[float], failures: int, wall: float) -> dict:
    ordered = sorted(latencies)
    return {
        "path": path,
        "requests": len(ordered),
        "failures": failures,
        "rps": len(ordered) / wall,
        "p50_ms": 1000 * statistics.median(ordered) if ordered else None,
        "p95_ms": 1000 * ordered[int(0.95 * (len(ordered) - 1))] if ordered else None,
    }


def _run(config: dict, paths_for_user) -> tuple[dict[str, list[float]], dict[str, int], float]:
    """``users`` threads for ``seconds``; thread n requests ``paths_for_user(n)`` in a cycle."""
    port, cookie = config["port"], config["cookie"]
    latencies: dict[str, list[float]] = {}
    failures: dict[str, int] = {}
    stop_at = time.monotonic() + config["seconds"]

    def user(paths: list[str]) -> None:
        n = 0
        while time.monotonic() < stop_at:
            path = paths[n % len(paths)]
            n += 1
            started = time.perf_counter()
            try:
                status = get(port, path, cookie)[0]
            except OSError:
                status = 0
            elapsed = time.perf_counter() - started
            if status == 200:
                latencies.setdefault(path, []).append(elapsed)
            else:
                failures[path] = failures.get(path, 0) + 1

    threads = [
        threading.Thread(target=user, args=(paths_for_user(n),)) for n in range(config["users"])
    ]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, failures, time.monotonic() - began


def drive(config: dict) -> None:
    """Run the load of ``config["mode"]``; JSON results on stdout."""
    targets = config["targets"]
    results = {}
    if config["mode"] == "phases":
        for name, path in targets:
            latencies, failures, wall = _run(config, lambda n, path=path: [path])
            results[name] = _summary(path, latencies.get(path, []), failures.get(path, 0), wall)
    else:  # mixed: the four distinct pages, each user starting at a different one
        names: dict[str, str] = {}
        for name, path in targets:
            names.setdefault(path, name)
        distinct = list(names.items())
        paths = [path for path, _name in distinct]
        latencies, failures, wall = _run(
            config, lambda n: paths[n % len(paths) :] + paths[: n % len(paths)]
        )
        for path, name in distinct:
            results[name] = _summary(path, latencies.get(path, []), failures.get(path, 0), wall)
    print(json.dumps(results))


def report(results: dict, title: str) -> bool:
    yardstick = results["yardstick"]["p95_ms"]
    print(f"\n{title}\n")
    print(f"{'page':<20}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
          f"{'p95/yardstick':>15}{'failed':>8}")  # fmt: skip
    ok = True
    for name, row in results.items():
        ratio = row["p95_ms"] / yardstick if row["p95_ms"] and yardstick else float("nan")
        page = not name.startswith("yardstick")
        ok &= row["failures"] == 0 and (not page or ratio <= TARGET_RATIO)
        print(f"{name:<20}{row['requests']:>9}{row['rps']:>9.1f}{row['p50_ms']:>9.1f}"
              f"{row['p95_ms']:>9.1f}{ratio:>15.2f}{row['failures']:>8}")  # fmt: skip
    print(f"Target: every page's p95 <= {TARGET_RATIO:g} x the yardstick's p95 "
          f"→ {'met' if ok else 'NOT met'}")  # fmt: skip
    return ok


def main() -> int:
    args = parse()
    if args.drive:
        drive(json.loads(args.drive))
        return 0
    folder = Path(tempfile.mkdtemp(prefix="ceus-library-bench-"))
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'bench.sqlite3'}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.library_settings",
        "DJANGO_VAR_DIR": str(folder),  # secret key, media, broker: all throwaway
        "DATABASE_URL": database,
        "DJANGO_DEBUG": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(REPO),
        # No collectstatic here: WhiteNoise's notice about STATIC_ROOT is noise.
        "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
    }
    os.environ.update(env)
    sys.path.insert(0, str(REPO))
    server = None
    try:
        import django

        django.setup()
        data = populate(args.cases)
        cookie = f"sessionid={data['session']}"
        port = free_port()
        server = start_gunicorn(env, port, "--workers", str(args.workers))
        wait_until_up(port, cookie, server)
        for _name, path in data["targets"]:  # warm-up, and every page must answer 200
            for _ in range(5):
                status, _body = get(port, path, cookie)
                if status != 200:
                    raise SystemExit(f"{path} answered {status}")
        engine = "PostgreSQL" if database.startswith("postgres") else "SQLite"
        print(f"{args.cases} cases on {engine}; gunicorn {args.workers} sync workers; "
              f"{args.users} concurrent users; {os.cpu_count()} CPUs, load average "
              f"{os.getloadavg()[0]:.2f} before the run")  # fmt: skip
        ok = True
        modes = ["phases", "mixed"] if args.mode == "both" else [args.mode]
        for mode in modes:
            config = {"port": port, "cookie": cookie, "users": args.users, "mode": mode,
                      "seconds": args.seconds, "targets": data["targets"]}  # fmt: skip
            load = subprocess.run(
                [sys.executable, __file__, "--drive", json.dumps(config)],
                cwd=REPO, env=env, check=True, capture_output=True, text=True,
            )  # fmt: skip
            results = json.loads(load.stdout.strip().splitlines()[-1])
            title = (
                f"Phases: {args.seconds:.0f} s of load on each page in turn"
                if mode == "phases"
                else f"Mixed: {args.seconds:.0f} s, every user cycling through the pages"
            )
            ok &= report(results, title)
        return 0 if ok else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
