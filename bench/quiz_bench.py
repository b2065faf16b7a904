"""Load test of quiz taking: concurrent trainees answering and submitting against gunicorn.

    .venv/bin/python bench/quiz_bench.py                       # throwaway SQLite database
    DATABASE_URL=postgres://… .venv/bin/python bench/quiz_bench.py   # an EMPTY database
    .venv/bin/python bench/quiz_bench.py --duration 15 --users 20     # a quicker look

1. Creates, in a throwaway SQLite database under a temporary folder (or in the PostgreSQL
   database of DATABASE_URL: give an empty, throwaway one), a case with a calibrated loop, a
   practice quiz with unlimited attempts holding one question of every automatically scored
   kind (single, multiple with partial credit, true/false, numeric, hotspot, drawn outline,
   time point, category, ordering with partial credit) through the authoring service, and
   ``--users`` trainees.
2. Starts gunicorn (``--workers`` sync workers) on a free port with ``bench.quiz_settings``.
3. ``--users`` threads (standard library only: threading + http.client) each log in
   (``POST /api/v1/auth/token/``, before the clock starts: password hashing is not what is
   measured), then for ``--duration`` seconds: start an attempt, PUT an answer to every
   question (some changed once, some left out), and submit — normally, or twice at once (a
   double click), or after a simulated client time-out followed by a retry — then start the
   next attempt. Each thread computes the score it expects from the answers the server
   accepted and the key it seeded, with its own arithmetic (``bench/quiz_answers.py``, not
   ``quizzes.scoring``).
4. Afterwards checks in the database that every attempt whose submission answered 200 is
   stored once, submitted, with its answers and the expected score, and that no other
   attempt was submitted; prints requests/s, submits/s, p50/p95 per endpoint and
   ``lost attempts: N, duplicated attempts: N, wrong scores: N``. Exits 1 if any is not 0.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from quiz_answers import answer  # bench/ is on sys.path: this file runs as a script
from quiz_report import report, verify
from web_server import free_port, start_gunicorn

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "bench-password"
TIMEOUT_S = 120  # a normal client waits this long
IMPATIENT_S = 0.01  # the simulated client that gives up before the answer arrives


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return parser.parse_args()


# --- Data ----------------------------------------------------------------------------------------

REGION = {"bounds": [16, 22, 303, 233], "spatial_format": "2D", "data_type": "tissue",
          "units_x": "cm", "units_y": "cm", "delta_x": 0.07, "delta_y": 0.07,
          "cm_per_pixel_x": 0.07, "cm_per_pixel_y": 0.07, "fits_image": True}  # fmt: skip
LESION = {"cx": 175.0, "cy": 120.0, "rx": 20.0, "ry": 16.0}  # the hotspot's answer ellipse
OUTLINE = (150.0, 100.0, 200.0, 140.0)  # the drawn question's answer: a rectangle x0 y0 x1 y1


def populate(users: int) -> dict:
    """Fill the database through the platform's services; returns what the load needs: the
    quiz id, the usernames and every question's key (as seeded, read back once)."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from accounts.models import Institution, User
    from cases.models import Case, CaseLoop
    from cineloops.models import CineLoop
    from quizzes.models import Question, Quiz

    call_command("migrate", verbosity=0)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # persistent in the file: every process gets WAL
            cursor.execute("PRAGMA journal_mode=WAL")
    if Quiz.objects.exists() or Case.objects.exists():
        raise SystemExit("The database already holds content: give the bench an empty one.")
    started = time.monotonic()
    hospital = Institution.objects.create(
        name="Bench hospital", short_name="Bench", level="county", region="Zhejiang"
    )
    author = User.objects.create_user(
        "bench-instructor", password=PASSWORD, role="instructor", institution=hospital
    )
    names = [f"bench-trainee-{n}" for n in range(users)]
    User.objects.bulk_create(
        User(username=name, role="trainee", institution=hospital) for name in names
    )
    hashed = User.objects.get(username="bench-instructor").password
    User.objects.filter(username__in=names).update(password=hashed)  # same password, one hash
    # Loop and case rows only (no files): the questions need a loop to be answered on, the
    # load never fetches its media.
    loop = CineLoop.objects.create(
        institution=hospital, source="upload", status="ready", progress=100, frames=750,
        fps=15.0, duration_s=50.0, rows=240, columns=320, regions=[REGION],
        poster_file="poster.jpg", video_file="video.mp4", metadata_file="metadata.json",
        processed_at=timezone.now(),
    )  # fmt: skip
    case = Case.objects.create(
        institution=hospital, status="published", visibility="institution", title="Bench case",
        organ="liver", injection_time_s=3.0, category="LR-5", created_by=author,
    )  # fmt: skip
    CaseLoop.objects.create(case=case, loop=loop, order=0)
    quiz = _seed_quiz(author, case, loop)
    keys = {}
    for question in Question.objects.filter(quiz_items__quiz=quiz).prefetch_related("options"):
        keys[str(question.pk)] = _key_of(question)
    print(f"{users} trainees and a quiz of {len(keys)} questions created in "
          f"{time.monotonic() - started:.1f} s")  # fmt: skip
    return {"quiz": quiz.pk, "usernames": names, "keys": keys}


def _seed_quiz(author, case, loop):
    """One question of each automatically scored kind, through the authoring service."""
    from quizzes.services.authoring import create_question, create_quiz

    def options(*texts: str, right: int = 1) -> list[dict]:
        return [{"text": t, "is_correct": i < right} for i, t in enumerate(texts)]

    x0, y0, x1, y1 = OUTLINE
    common = {"by": author, "status": "published", "prompt": "Bench question."}
    on_loop = {"case": case, "loop": loop, "frame_time_s": 20.0}
    questions = [
        create_question(kind="single", title="single", options=options("a", "b", "c", "d"),
                        **common),
        create_question(kind="multiple", title="multiple", partial_credit=True, points=2,
                        options=options("a", "b", "c", "d", "e", right=3), **common),
        create_question(kind="true_false", title="true/false", true_is_correct=False, **common),
        create_question(kind="numeric", title="numeric", answer={"value": 11.0},
                        tolerance=2.0, unit="s", **common),
        create_question(kind="hotspot", title="hotspot",
                        answer={"kind": "ellipse", "geometry": LESION}, **on_loop, **common),
        create_question(kind="drawn", title="drawn", overlap_threshold=0.5, points=2,
                        answer={"kind": "polygon", "geometry": {"points": [
                            [x0, y0], [x1, y0], [x1, y1], [x0, y1]]}},
                        **on_loop, **common),
        create_question(kind="time_point", title="time point", answer={"time_s": 32.0},
                        tolerance=3.0, case=case, loop=loop, **common),
        create_question(kind="category", title="category", vocabulary="lirads",
                        answer={"value": "LR-5"}, **common),
        create_question(kind="ordering", title="ordering", partial_credit=True,
                        options=options("1", "2", "3", "4", right=4), **common),
    ]  # fmt: skip
    return create_quiz(
        by=author,
        title="Bench quiz",
        items=questions,
        status="published",
        kind="practice",
        max_attempts=0,
        feedback_policy="after_submit",
        shuffle_questions=True,
        shuffle_options=True,
    )


def _key_of(question) -> dict:
    """What the load needs to answer and to compute its expected score: read once, here."""
    options = list(question.options.all())
    return {
        "kind": question.kind,
        "points": question.points,
        "answer": question.answer,
        "tolerance": question.tolerance,
        "partial_credit": question.partial_credit,
        "threshold": question.overlap_threshold,
        "correct": [o.pk for o in options if o.is_correct],
        "order": [o.pk for o in options],  # Option ordering ("order", "pk") is the key
    }


# --- Server --------------------------------------------------------------------------------------


def request(
    port: int, method: str, path: str, body=None, token: str = "", timeout: float = TIMEOUT_S
) -> tuple[int, dict | None]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Accept": "application/json", "Accept-Language": "en"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, None
    finally:
        conn.close()


def wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited during start-up")
        try:
            status, _body = request(port, "GET", "/api/v1/quizzes/", timeout=5)
            if status in (401, 403):  # up, and asking for credentials as it should
                return
            raise SystemExit(f"GET /api/v1/quizzes/ answered {status} without credentials")
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 60 s")


# --- Load ----------------------------------------------------------------------------------------


@dataclass
class Submitted:
    attempt: int
    user: str
    expected: float
    answered: set[int] | None  # None: a save failed on the server, the answers are unknown
    response_score: float | None
    how: str  # "once", "double", "retried"
    disagreement: bool = False  # a repeated submit answered differently


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    submitted: list[Submitted] = field(default_factory=list)
    timeouts: int = 0
    unsubmitted: list[int] = field(default_factory=list)
    uncertain: int = 0  # attempts with an answer whose save failed: not score-checked
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, name: str, port: int, method: str, path: str, body=None, token=""):
        started = time.perf_counter()
        try:
            status, data = request(port, method, path, body, token)
        except OSError:
            status, data = 0, None
        elapsed = time.perf_counter() - started
        with self.lock:
            if 200 <= status < 300:
                self.latencies.setdefault(name, []).append(elapsed)
            else:
                self.failures[name] = self.failures.get(name, 0) + 1
        return status, data


def _submit(stats: Stats, port: int, attempt: int, token: str, how: str):
    """Submit as ``how`` says; returns the 200 payloads received (the last is final)."""
    path = f"/api/v1/attempts/{attempt}/submit/"
    payloads = []
    if how == "double":  # a double click: two requests at once
        results: list = [None, None]

        def click(i: int) -> None:
            results[i] = stats.timed("submit", port, "POST", path, token=token)

        threads = [threading.Thread(target=click, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        payloads = [data for status, data in results if status == 200]
    elif how == "retried":  # the client gives up before the answer, then tries again
        try:
            request(port, "POST", path, token=token, timeout=IMPATIENT_S)
        except OSError:
            with stats.lock:
                stats.timeouts += 1
    for _ in range(5):  # until one answers 200 (a failure is counted by ``timed``)
        if payloads:
            break
        status, data = stats.timed("submit", port, "POST", path, token=token)
        if status == 200:
            payloads.append(data)
            break
    return payloads


def virtual_trainee(config: dict, username: str, index: int, stats: Stats, go, stop_at) -> None:
    port, keys, quiz = config["port"], config["keys"], config["quiz"]
    rng = random.Random(config["seed"] * 1000 + index)
    status, data = stats.timed(
        "login", port, "POST", "/api/v1/auth/token/",
        {"username": username, "password": PASSWORD},
    )  # fmt: skip
    if status != 200:
        return
    token = data["token"]
    go.wait()
    while time.monotonic() < stop_at[0]:
        status, paper = stats.timed(
            "start attempt", port, "POST", f"/api/v1/quizzes/{quiz}/attempts/", token=token
        )
        if status not in (200, 201):
            time.sleep(0.5)
            continue
        attempt, expected, answered, uncertain = paper["id"], 0.0, set(), False
        for question in paper["questions"]:
            key = keys[str(question["id"])]
            option_ids = [o["id"] for o in question.get("options") or []]
            if rng.random() < 0.05:
                continue  # left unanswered: no credit
            tries = 2 if rng.random() < 0.15 else 1  # sometimes answered, then changed
            for _ in range(tries):
                response, credit = answer(key, option_ids, rng)
                status, _body = stats.timed(
                    "save answer", port, "PUT",
                    f"/api/v1/attempts/{attempt}/answers/{question['id']}/",
                    {"response": response, "certainty": ""}, token,
                )  # fmt: skip
                if status == 200:
                    answered.add(question["id"])
                    points = key["points"]
                    last = credit * points
                elif status >= 500 or status == 0:
                    uncertain = True  # the server may or may not have stored it
            if question["id"] in answered:
                expected += last
        how = rng.choices(["once", "double", "retried"], weights=[0.7, 0.15, 0.15])[0]
        payloads = _submit(stats, port, attempt, token, how)
        with stats.lock:
            if not payloads:
                stats.unsubmitted.append(attempt)
                continue
            if uncertain:
                stats.uncertain += 1
            final = payloads[-1]["result"]
            stats.submitted.append(
                Submitted(
                    attempt=attempt,
                    user=username,
                    expected=round(expected, 9),
                    answered=None if uncertain else answered,
                    response_score=None if final is None else final["score"],
                    how=how,
                    disagreement=any(
                        (p["submitted_at"], p["result"])
                        != (payloads[0]["submitted_at"], payloads[0]["result"])
                        for p in payloads
                    ),
                )
            )


def run_load(config: dict, usernames: list[str], duration: float) -> tuple[Stats, float]:
    stats = Stats()
    go = threading.Event()
    stop_at = [math.inf]
    threads = [
        threading.Thread(target=virtual_trainee, args=(config, name, n, stats, go, stop_at))
        for n, name in enumerate(usernames)
    ]
    for thread in threads:
        thread.start()
    while len(stats.latencies.get("login", [])) + sum(stats.failures.values()) < len(threads):
        time.sleep(0.1)  # every trainee logged in (or failed to) before the clock starts
    began = time.monotonic()
    stop_at[0] = began + duration
    go.set()
    for thread in threads:
        thread.join()
    return stats, time.monotonic() - began


# --- Verification and report ---------------------------------------------------------------------


def main() -> int:
    args = parse()
    folder = Path(tempfile.mkdtemp(prefix="ceus-quiz-bench-"))
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'bench.sqlite3'}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.quiz_settings",
        "DJANGO_VAR_DIR": str(folder),  # secret key, media, broker: all throwaway
        "DATABASE_URL": database,
        "DJANGO_DEBUG": "0",
        "DJANGO_LOG_LEVEL": "ERROR",  # 4xx answers are part of the test; 5xx still show
        "PYTHONPATH": str(REPO),
        "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
    }
    os.environ.update(env)
    sys.path.insert(0, str(REPO))
    server = None
    try:
        import django

        django.setup()
        from django.db import connections

        data = populate(args.users)
        connections.close_all()
        port = free_port()
        server = start_gunicorn(env, port, "--workers", str(args.workers), "--backlog", "512")
        wait_until_up(port, server)
        engine = "PostgreSQL" if database.startswith("postgres") else "SQLite (WAL)"
        print(f"{engine}; gunicorn {args.workers} sync workers; {args.users} concurrent "
              f"trainees for {args.duration:g} s; {os.cpu_count()} CPUs, load average "
              f"{os.getloadavg()[0]:.2f} before the run")  # fmt: skip
        config = {"port": port, "quiz": data["quiz"], "keys": data["keys"], "seed": args.seed}
        stats, wall = run_load(config, data["usernames"], args.duration)
        if stats.failures.get("login") or not stats.submitted:
            print(f"logins failed: {stats.failures.get('login', 0)}; attempts submitted: "
                  f"{len(stats.submitted)} — nothing to check")  # fmt: skip
            return 1
        checks = verify(stats, data["usernames"])
        return 0 if report(stats, wall, checks) else 1
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
