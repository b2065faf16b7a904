"""The expected score of bench/quiz_bench.py: a response to each kind of question and the
credit it deserves, computed with the bench's own arithmetic from the key it seeded — never
with ``quizzes.scoring``, so that the bench checks the server rather than agreeing with it.

Responses stay clear of the boundaries (tolerance edges, ROI outlines, the IoU threshold):
those are the scoring tests' job; here a boundary case would only make the check ambiguous.
"""

from __future__ import annotations

import math
import random


def rectangle_iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """IoU of two axis-aligned rectangles (x0, y0, x1, y1)."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    area = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1])
    return inter / (area - inter)


def answer(key: dict, option_ids: list[int], rng: random.Random) -> tuple[dict, float]:
    """A response to one question — right with probability 0.6, else a plausible mistake —
    and the credit (0 to 1) it deserves, computed here from the seeded key."""
    kind, good = key["kind"], rng.random() < 0.6
    if kind in ("single", "true_false"):
        right = key["correct"][0]
        chosen = right if good else rng.choice([o for o in option_ids if o != right])
        return {"option": chosen}, float(chosen == right)
    if kind == "multiple":
        right_set = set(key["correct"])
        chosen = set(right_set) if good else set(rng.sample(option_ids, rng.randint(1, 3)))
        hits, misses = len(chosen & right_set), len(chosen - right_set)
        if chosen == right_set:
            credit = 1.0
        elif key["partial_credit"]:
            credit = max(0.0, (hits - misses) / len(right_set))
        else:
            credit = 0.0
        return {"options": sorted(chosen)}, credit
    if kind == "ordering":
        order = list(key["order"])
        if not good:
            order = rng.sample(order, len(order))
        rank = {pk: i for i, pk in enumerate(key["order"])}
        n = len(order)
        pairs = sum(rank[order[i]] < rank[order[j]] for i in range(n) for j in range(i + 1, n))
        fraction = pairs / (n * (n - 1) / 2)
        credit = 1.0 if fraction == 1 else (fraction if key["partial_credit"] else 0.0)
        return {"order": order}, credit
    if kind in ("numeric", "time_point"):
        field_name = "value" if kind == "numeric" else "time_s"
        target, tolerance = key["answer"][field_name], key["tolerance"]
        # Clear of the boundary either way: the boundary itself is the scoring tests' job.
        offset = rng.uniform(0, 0.8) * tolerance if good else rng.uniform(1.3, 3) * tolerance
        value = round(target + rng.choice((-1, 1)) * offset, 3)
        return {field_name: value}, float(abs(value - target) <= tolerance)
    if kind == "category":
        value = key["answer"]["value"] if good else rng.choice(["LR-3", "LR-4", "LR-M"])
        return {"value": value}, float(value == key["answer"]["value"])
    if kind == "hotspot":
        g = key["answer"]["geometry"]
        radius = rng.uniform(0, 0.9) if good else rng.uniform(1.15, 2.0)  # near misses too
        angle = rng.uniform(0, 2 * math.pi)
        x = round(g["cx"] + radius * g["rx"] * math.cos(angle), 2)
        y = round(g["cy"] + radius * g["ry"] * math.sin(angle), 2)
        inside = ((x - g["cx"]) / g["rx"]) ** 2 + ((y - g["cy"]) / g["ry"]) ** 2 <= 1
        return {"x": x, "y": y}, float(inside)
    if kind == "drawn":
        (x0, y0), (x1, y1) = (
            key["answer"]["geometry"]["points"][0],
            key["answer"]["geometry"]["points"][2],
        )
        threshold = key["threshold"] if key["threshold"] is not None else 0.5
        while True:
            shift = rng.uniform(0, 6) if good else rng.uniform(8, 30)
            dx, dy = shift * rng.choice((-1, 1)), shift * rng.uniform(-1, 1)
            grow = rng.uniform(-4, 4)
            drawn = (x0 + dx - grow, y0 + dy - grow, x1 + dx + grow, y1 + dy + grow)
            iou = rectangle_iou((x0, y0, x1, y1), drawn)
            if abs(iou - threshold) > 0.02:  # clear of the threshold
                break
        points = [[drawn[0], drawn[1]], [drawn[2], drawn[1]], [drawn[2], drawn[3]],
                  [drawn[0], drawn[3]]]  # fmt: skip
        return {"points": [[round(x, 3), round(y, 3)] for x, y in points]}, float(iou >= threshold)
    raise ValueError(f"the bench does not answer {kind!r} questions")
