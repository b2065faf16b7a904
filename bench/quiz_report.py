"""The quiz bench's verdict: its own record of every submission compared with the database
(lost, duplicated, wrong scores, lost answers), and the printed figures."""

from __future__ import annotations

import statistics
from typing import Any

# Scores compared with the bench's own arithmetic: equal up to float rounding.
EPS = 1e-6


def verify(stats: Any, usernames: list[str]) -> dict[str, int]:
    """Compare the bench's own record with the database."""
    from quizzes.models import Answer, Attempt, AttemptStatus

    records = {s.attempt: s for s in stats.submitted}
    stored = {a.pk: a for a in Attempt.objects.filter(pk__in=records)}
    lost = [pk for pk in records if pk not in stored or stored[pk].status != "submitted"]
    wrong = []
    for pk, record in records.items():
        attempt = stored.get(pk)
        if attempt is None or record.answered is None:
            continue  # lost (counted above), or its answers are unknown
        if abs((attempt.score or 0) - record.expected) > EPS or (
            record.response_score is not None and abs(record.response_score - record.expected) > EPS
        ):
            wrong.append(pk)
    answers: dict[int, set[int]] = {}
    for attempt_id, question_id in Answer.objects.filter(
        attempt_id__in=records, response__isnull=False
    ).values_list("attempt_id", "question_id"):
        answers.setdefault(attempt_id, set()).add(question_id)
    lost_answers = sum(
        len(r.answered - answers.get(pk, set())) for pk, r in records.items() if r.answered
    )
    submitted_in_db = Attempt.objects.filter(
        user__username__in=usernames, status=AttemptStatus.SUBMITTED
    ).values_list("pk", flat=True)
    extra = [pk for pk in submitted_in_db if pk not in records and pk not in stats.unsubmitted]
    duplicated = len(extra) + sum(r.disagreement for r in records.values())
    return {
        "lost": len(lost),
        "duplicated": duplicated,
        "wrong": len(wrong),
        "lost_answers": lost_answers,
        "open": Attempt.objects.filter(
            user__username__in=usernames, status=AttemptStatus.IN_PROGRESS
        ).count(),
    }


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(stats: Any, wall: float, checks: dict[str, int]) -> bool:
    print(f"\n{'endpoint':<16}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'failed':>8}")
    total = 0
    for name in ("login", "start attempt", "save answer", "submit"):
        values = stats.latencies.get(name, [])
        failed = stats.failures.get(name, 0)
        if name != "login":
            total += len(values)
        # Logins happen before the clock starts: no rate for them.
        rate = f"{len(values) / wall:.1f}" if name != "login" else "-"
        p50 = f"{1000 * statistics.median(values):.1f}" if values else "-"
        p95 = f"{_percentile(values, 0.95):.1f}" if values else "-"
        print(f"{name:<16}{len(values):>9}{rate:>9}{p50:>9}{p95:>9}{failed:>8}")
    kinds = {how: sum(s.how == how for s in stats.submitted) for how in ("double", "retried")}
    print(f"\nthroughput: {total / wall:.1f} requests/s, {len(stats.submitted) / wall:.2f} "
          f"submits/s over {wall:.1f} s (logins before the clock, not counted)")  # fmt: skip
    print(f"attempts submitted: {len(stats.submitted)} ({kinds['double']} double-clicked, "
          f"{kinds['retried']} retried after a client time-out, {stats.timeouts} of which "
          f"timed out); submit never answered 200: {len(stats.unsubmitted)}; "
          f"left open at the end: {checks['open']}")  # fmt: skip
    if stats.uncertain:
        print(f"attempts with a failed answer save (answers not checked): {stats.uncertain}")
    print(f"lost answers: {checks['lost_answers']}")
    print(f"lost attempts: {checks['lost']}, duplicated attempts: {checks['duplicated']}, "
          f"wrong scores: {checks['wrong']}")  # fmt: skip
    return not (checks["lost"] or checks["duplicated"] or checks["wrong"] or checks["lost_answers"])
