"""Scoring of every question type, at the edges: ROI borders, tolerance and threshold
boundaries, partial credit, certainty-based marking and grading methods."""

from __future__ import annotations

import math

import pytest

from cine.tic import Ellipse, Polygon
from quizzes.models import Option, Question, QuestionKind
from quizzes.roi_geometry import closest_on_outline, overlap
from quizzes.scoring import (
    Scored,
    score_response,
)


def question(kind: str, **fields) -> Question:
    """An unsaved question: scoring reads only its fields (and options, saved ones)."""
    return Question(kind=kind, title="q", prompt="?", **fields)


def region(bounds, delta_x, delta_y, **extra) -> dict:
    """A region exactly as ``CineLoop.regions`` stores it (``Region.as_dict`` + fits_image)."""
    return {
        "bounds": list(bounds),
        "spatial_format": "2D",
        "data_type": "tissue",
        "units_x": "cm",
        "units_y": "cm",
        "delta_x": delta_x,
        "delta_y": delta_y,
        "cm_per_pixel_x": delta_x,
        "cm_per_pixel_y": delta_y,
        "fits_image": True,
        **extra,
    }


ELLIPSE = {"kind": "ellipse", "geometry": {"cx": 50.0, "cy": 50.0, "rx": 20.0, "ry": 10.0}}
SQUARE = {
    "kind": "polygon",
    "geometry": {"points": [[10.0, 10.0], [30.0, 10.0], [30.0, 30.0], [10.0, 30.0]]},
}
# 0.02 cm/px across, 0.05 cm/px down: 0.2 mm and 0.5 mm per pixel.
ANISOTROPIC = [region([0, 0, 299, 229], 0.02, 0.05)]


def hotspot(answer, x, y, regions=None) -> Scored:
    return score_response(question("hotspot", answer=answer), {"x": x, "y": y}, regions=regions)


# --- hotspot ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "y"),
    [
        (50, 50),  # centre
        (70, 50),  # end of the major axis, exactly on the outline
        (50, 40),  # end of the minor axis
        (30, 50),
        # On the outline at 30°, as floats compute it (may land 1e-15 outside).
        (50 + 20 * math.cos(math.pi / 6), 50 + 10 * math.sin(math.pi / 6)),
        (50 + 20 * math.cos(2.0), 50 + 10 * math.sin(2.0)),
    ],
)
def test_hotspot_inside_or_on_the_ellipse_outline_is_correct(x, y):
    scored = hotspot(ELLIPSE, x, y)
    assert (scored.credit, scored.correct) == (1.0, True)
    assert scored.detail["distance_px"] == 0.0


@pytest.mark.parametrize(
    ("x", "y"),
    [(70 + 1e-6, 50), (50, 40 - 1e-6), (50, 60 + 1e-6)],
)
def test_hotspot_a_millionth_of_a_pixel_outside_the_ellipse_is_wrong(x, y):
    scored = hotspot(ELLIPSE, x, y)
    assert (scored.credit, scored.correct) == (0.0, False)
    assert scored.detail["distance_px"] == pytest.approx(1e-6, rel=1e-3)


def test_hotspot_distance_to_an_ellipse():
    assert hotspot(ELLIPSE, 80, 50).detail == {"distance_px": 10.0}
    assert hotspot(ELLIPSE, 50, 65).detail == {"distance_px": 5.0}
    # Off the axes: the numeric closest point agrees with a dense sampling of the outline.
    scored = hotspot(ELLIPSE, 75, 68)
    sampled = min(
        math.hypot(50 + 20 * math.cos(t) - 75, 50 + 10 * math.sin(t) - 68)
        for t in (2 * math.pi * i / 200_000 for i in range(200_000))
    )
    assert scored.detail["distance_px"] == pytest.approx(sampled, abs=1e-5)


@pytest.mark.parametrize(
    ("x", "y"),
    [(20, 20), (20, 10), (30, 25), (10, 10), (30, 30), (10, 30)],
    ids=["inside", "top-edge", "right-edge", "vertex", "opposite-vertex", "last-vertex"],
)
def test_hotspot_on_a_polygon_edge_or_vertex_is_correct(x, y):
    scored = hotspot(SQUARE, x, y)
    assert scored.correct is True and scored.detail["distance_px"] == 0.0


@pytest.mark.parametrize(
    ("x", "y"),
    [(30 + 1e-6, 20), (20, 10 - 1e-6), (30 + 1e-6, 30 + 1e-6), (10 - 1e-6, 10)],
)
def test_hotspot_a_millionth_outside_a_polygon_is_wrong(x, y):
    scored = hotspot(SQUARE, x, y)
    assert scored.correct is False and scored.credit == 0.0
    assert 0 < scored.detail["distance_px"] < 2e-6


def test_hotspot_on_a_slanted_polygon_edge():
    triangle = {"kind": "polygon", "geometry": {"points": [[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]]}}
    # A third of the way along the hypotenuse: 10/3 and 20/3 are not exact in binary.
    assert hotspot(triangle, 10 / 3, 20 / 3).correct is True
    assert hotspot(triangle, 5, 5).correct is True
    outside = hotspot(triangle, 5 + 1e-6, 5 + 1e-6)
    assert outside.correct is False
    assert outside.detail["distance_px"] == pytest.approx(math.sqrt(2) * 1e-6, rel=1e-3)


def test_hotspot_in_the_notch_of_a_concave_polygon_is_wrong():
    notched = {  # a "U": the notch x in (4, 6), y in (0, 8) is outside
        "kind": "polygon",
        "geometry": {
            "points": [[0, 0], [4, 0], [4, 8], [6, 8], [6, 0], [10, 0], [10, 10], [0, 10]]
        },
    }
    scored = hotspot(notched, 5, 3)
    assert scored.correct is False and scored.detail["distance_px"] == 1.0
    assert hotspot(notched, 5, 9).correct is True
    assert hotspot(notched, 2, 3).correct is True


def test_hotspot_distance_in_mm_uses_each_axis_calibration():
    # 5 px right of the square: 5 x 0.2 mm; 5 px below it: 5 x 0.5 mm.
    assert hotspot(SQUARE, 35, 20, ANISOTROPIC).detail == {"distance_px": 5.0, "distance_mm": 1.0}
    assert hotspot(SQUARE, 20, 35, ANISOTROPIC).detail == {"distance_px": 5.0, "distance_mm": 2.5}
    # Inside: 0 in both units.
    assert hotspot(SQUARE, 20, 20, ANISOTROPIC).detail == {"distance_px": 0.0, "distance_mm": 0.0}


def test_hotspot_mm_closest_point_is_searched_in_physical_space():
    """Worked by hand. Triangle (100,100) (200,100) (100,200) px, click at (160, 160).

    In pixels the closest point is (150, 150), 10·√2 px away; scaling that offset (10, 10) px
    to mm would give hypot(2, 5) = 5.385 mm, which is NOT the physical distance. In mm
    (0.2 across, 0.5 down, origin at the first vertex) the hypotenuse joins (20, 0) and
    (0, 50): 50x + 20y = 1000; the click is at (12, 30) mm, at |600 + 600 - 1000| / √2900 mm.
    """
    triangle = {
        "kind": "polygon",
        "geometry": {"points": [[100.0, 100.0], [200.0, 100.0], [100.0, 200.0]]},
    }
    scored = hotspot(triangle, 160, 160, ANISOTROPIC)
    assert scored.correct is False
    assert scored.detail["distance_px"] == pytest.approx(10 * math.sqrt(2), abs=1e-6)
    assert scored.detail["distance_mm"] == pytest.approx(200 / math.sqrt(2900), abs=1e-6)
    assert scored.detail["distance_mm"] != pytest.approx(math.hypot(2, 5), abs=0.1)


def test_hotspot_mm_to_an_ellipse_under_anisotropic_pixels():
    ellipse = {"kind": "ellipse", "geometry": {"cx": 150.0, "cy": 120.0, "rx": 40.0, "ry": 20.0}}
    x, y = 190.0, 150.0
    scored = hotspot(ellipse, x, y, ANISOTROPIC)
    # Independent check: the outline sampled densely, every sample converted to mm.
    sampled = min(
        math.hypot((40 * math.cos(t) - 40) * 2.0, (20 * math.sin(t) - 30) * 5.0) / 10
        for t in (2 * math.pi * i / 400_000 for i in range(400_000))
    )
    assert scored.detail["distance_mm"] == pytest.approx(sampled, abs=1e-5)
    # The pixel-space closest point is a different point of the outline.
    (qx, qy), d_px = closest_on_outline(Ellipse(150, 120, 40, 20), x, y)
    assert scored.detail["distance_px"] == pytest.approx(d_px, abs=1e-6)
    naive_mm = math.hypot((x - qx) * 0.2, (y - qy) * 0.5)
    assert naive_mm > scored.detail["distance_mm"] + 0.01


@pytest.mark.parametrize(
    "regions",
    [
        None,
        [],
        [region([0, 0, 299, 229], None, None, units_x="none", units_y="none")],
        [region([0, 0, 299, 229], 0.02, 0.05, units_y="s")],  # a time axis, not cm
        [region([0, 0, 299, 229], 0.02, 0.05, fits_image=False)],  # another pixel grid
        [region([0, 0, 32, 229], 0.02, 0.05)],  # the click is outside the region
        [region([33, 0, 299, 229], 0.02, 0.05)],  # the click is in, the outline point not
    ],
    ids=["none", "empty", "uncalibrated", "seconds", "not-fitting", "click-out", "outline-out"],
)
def test_hotspot_without_a_common_calibrated_region_gives_no_mm(regions):
    scored = hotspot(SQUARE, 35, 20, regions)
    assert scored.detail == {"distance_px": 5.0}  # no "distance_mm" at all, not 0


def test_hotspot_closest_point_on_a_polygon_vertex():
    (q, d) = closest_on_outline(Polygon(((10, 10), (30, 10), (30, 30), (10, 30))), 33, 34)
    assert q == pytest.approx((30, 30)) and d == pytest.approx(5.0)


# --- drawn outline ------------------------------------------------------------------------

SQUARE_10 = {
    "kind": "polygon",
    "geometry": {"points": [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]]},
}


def drawn(answer, points, **fields) -> Scored:
    q = question("drawn", answer=answer, **fields)
    return score_response(q, {"points": points}, regions=None)


def rect(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def test_drawn_iou_and_dice_by_hand():
    # Half-overlapping squares: intersection 50, union 150, areas 100 + 100.
    iou = drawn(SQUARE_10, rect(5, 0, 15, 10), overlap_metric="iou")
    assert iou.detail == {"overlap": pytest.approx(1 / 3, abs=1e-4), "metric": "iou"}
    assert iou.correct is False and iou.credit == 0.0
    dice = drawn(SQUARE_10, rect(5, 0, 15, 10), overlap_metric="dice")
    assert dice.detail == {"overlap": 0.5, "metric": "dice"}
    assert dice.correct is True and dice.credit == 1.0  # 0.5 >= default 0.5, inclusive


def test_drawn_threshold_is_inclusive():
    # Half the square: IoU exactly 0.5.
    assert drawn(SQUARE_10, rect(0, 0, 10, 5), overlap_threshold=0.5).correct is True
    assert drawn(SQUARE_10, rect(0, 0, 10, 5), overlap_threshold=None).correct is True
    assert drawn(SQUARE_10, rect(0, 0, 10, 4.99), overlap_threshold=0.5).correct is False
    assert drawn(SQUARE_10, rect(0, 0, 10, 8), overlap_threshold=0.8).correct is True
    assert drawn(SQUARE_10, rect(0, 0, 10, 8), overlap_threshold=0.81).correct is False


def test_drawn_identical_disjoint_and_degenerate_outlines():
    assert drawn(SQUARE_10, rect(0, 0, 10, 10)).detail["overlap"] == 1.0
    assert drawn(SQUARE_10, rect(20, 20, 30, 30)).detail["overlap"] == 0.0
    flat = drawn(SQUARE_10, [[0, 0], [5, 5], [10, 10]])  # zero area
    assert (flat.credit, flat.correct, flat.detail["overlap"]) == (0.0, False, 0.0)


def test_a_self_intersecting_outline_is_repaired_not_cancelled():
    # A bow tie over the square: two triangles of 25 px² each. Its signed shoelace area is 0,
    # but make_valid keeps both lobes, so the overlap is 50 / 100.
    bow_tie = [[0, 0], [10, 10], [10, 0], [0, 10]]
    scored = drawn(SQUARE_10, bow_tie, overlap_threshold=0.5)
    assert scored.detail["overlap"] == pytest.approx(0.5, abs=1e-9)
    assert scored.correct is True


def test_drawn_against_an_ellipse_answer():
    circle = Ellipse(50, 50, 10, 10)
    # The circle's bounding square: IoU = pi r² / (2r)² = pi / 4.
    assert overlap(rect(40, 40, 60, 60), circle, "iou") == pytest.approx(math.pi / 4, abs=1e-5)
    # Dice = 2 pi r² / (pi r² + 4 r²).
    assert overlap(rect(40, 40, 60, 60), circle, "dice") == pytest.approx(
        2 * math.pi / (math.pi + 4), abs=1e-5
    )
    answer = {"kind": "ellipse", "geometry": {"cx": 50.0, "cy": 50.0, "rx": 10.0, "ry": 10.0}}
    assert drawn(answer, rect(40, 40, 60, 60), overlap_threshold=0.78).correct is True
    assert drawn(answer, rect(40, 40, 60, 60), overlap_threshold=0.79).correct is False


# --- numbers and time ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "correct"),
    [(12.0, True), (14.0, True), (10.0, True), (14.000001, False), (9.999999, False), (13, True)],
)
def test_numeric_tolerance_is_inclusive(value, correct):
    q = question("numeric", answer={"value": 12.0}, tolerance=2.0)
    scored = score_response(q, {"value": value}, regions=None)
    assert scored.correct is correct and scored.credit == (1.0 if correct else 0.0)
    assert scored.detail["error"] == pytest.approx(value - 12.0)


def test_numeric_tolerance_forgives_float_rounding():
    q = question("numeric", answer={"value": 0.3}, tolerance=0.1)
    assert 0.4 - 0.3 > 0.1  # the trap
    assert score_response(q, {"value": 0.4}, regions=None).correct is True
    assert score_response(q, {"value": 0.2}, regions=None).correct is True
    assert score_response(q, {"value": 0.4001}, regions=None).correct is False


def test_numeric_without_tolerance_needs_the_exact_value():
    q = question("numeric", answer={"value": 5}, tolerance=None)
    assert score_response(q, {"value": 5.0}, regions=None).correct is True
    assert score_response(q, {"value": 5.001}, regions=None).correct is False


@pytest.mark.parametrize(
    ("time_s", "correct"),
    [(14.2, True), (14.7, True), (13.7, True), (14.7001, False), (13.6999, False), (0, False)],
)
def test_time_point_tolerance_both_sides(time_s, correct):
    q = question("time_point", answer={"time_s": 14.2}, tolerance=0.5)
    scored = score_response(q, {"time_s": time_s}, regions=None)
    assert scored.correct is correct
    assert scored.detail["error_s"] == pytest.approx(time_s - 14.2)  # signed: + is late


# --- category, free text, unanswered, malformed --------------------------------------------


def test_category_exact_value():
    q = question("category", vocabulary="lirads", answer={"value": "LR-5"})
    assert score_response(q, {"value": "LR-5"}, regions=None) == Scored(1.0, True, {})
    assert score_response(q, {"value": "LR-4"}, regions=None) == Scored(0.0, False, {})
    assert score_response(q, {"value": "lr-5"}, regions=None).correct is False


def test_free_text_waits_for_an_instructor():
    q = question("free_text", rubric="mentions wash-out")
    assert score_response(q, {"text": "Marked wash-out"}, regions=None) == Scored(None, None, {})
    # Nothing written: nothing to grade.
    assert score_response(q, {"text": "  "}, regions=None).credit == 0.0
    assert score_response(q, None, regions=None).correct is False


@pytest.mark.parametrize("response", [None, {}])
def test_unanswered_scores_zero(response):
    q = question("numeric", answer={"value": 1.0}, tolerance=1.0)
    assert score_response(q, response, regions=None) == Scored(0.0, False, {"unanswered": True})


@pytest.mark.parametrize(
    ("kind", "answer", "response"),
    [
        ("numeric", {"value": 1.0}, {"value": "1"}),
        ("numeric", {"value": 1.0}, {"value": float("nan")}),
        ("hotspot", ELLIPSE, {"x": 1}),
        ("time_point", {}, {"time_s": 1.0}),  # key lost since
        ("drawn", SQUARE_10, {"points": "0,0;1,1"}),
    ],
)
def test_malformed_responses_or_keys_score_zero_without_raising(kind, answer, response):
    scored = score_response(question(kind, answer=answer), response, regions=None)
    assert (scored.credit, scored.correct, scored.detail) == (0.0, False, {"invalid": True})


# --- choice kinds (saved options) ---------------------------------------------------------


@pytest.fixture
def choice_question(hospital):
    def make(kind, flags, partial=False):
        q = Question.objects.create(
            institution=hospital, kind=kind, title="q", prompt="?", partial_credit=partial
        )
        options = [
            Option.objects.create(question=q, text=f"o{i}", is_correct=flag, order=i)
            for i, flag in enumerate(flags)
        ]
        return q, [o.pk for o in options]

    return make


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [QuestionKind.SINGLE, QuestionKind.TRUE_FALSE])
def test_single_and_true_false(choice_question, kind):
    q, (right, wrong) = choice_question(kind, [True, False])
    assert score_response(q, {"option": right}, regions=None).correct is True
    assert score_response(q, {"option": wrong}, regions=None) == Scored(0.0, False, {})
    assert score_response(q, {"option": 999_999}, regions=None).credit == 0.0


@pytest.mark.django_db
def test_multiple_all_or_nothing(choice_question):
    q, (a, b, c, d, e) = choice_question("multiple", [True, True, True, False, False])
    assert score_response(q, {"options": [a, b, c]}, regions=None).credit == 1.0
    for chosen in ([a, b], [a, b, c, d], [a, b, c, e], [], [d]):
        scored = score_response(q, {"options": chosen}, regions=None)
        assert (scored.credit, scored.correct) == (0.0, False)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("chosen", "credit"),
    [
        ("abc", 1.0),
        ("ab", 2 / 3),
        ("a", 1 / 3),
        ("abd", 1 / 3),  # (2 right - 1 wrong) / 3
        ("abcde", 1 / 3),  # (3 - 2) / 3
        ("ade", 0.0),  # (1 - 2) / 3 clamped at 0
        ("de", 0.0),
        ("", 0.0),
    ],
)
def test_multiple_partial_credit(choice_question, chosen, credit):
    q, ids = choice_question("multiple", [True, True, True, False, False], partial=True)
    by_letter = dict(zip("abcde", ids, strict=True))
    scored = score_response(q, {"options": [by_letter[c] for c in chosen]}, regions=None)
    assert scored.credit == pytest.approx(credit)
    assert scored.correct is (credit == 1.0)


@pytest.mark.django_db
def test_multiple_partial_all_chosen_with_as_many_wrong_as_right_is_zero(choice_question):
    q, ids = choice_question("multiple", [True, True, False, False], partial=True)
    scored = score_response(q, {"options": ids}, regions=None)
    assert scored.credit == 0.0
    assert scored.detail == {"right_chosen": 2, "wrong_chosen": 2, "right_total": 2}


@pytest.mark.django_db
def test_ordering_all_or_nothing(choice_question):
    q, (a, b, c, d) = choice_question("ordering", [False] * 4)
    assert score_response(q, {"order": [a, b, c, d]}, regions=None).credit == 1.0
    assert score_response(q, {"order": [b, a, c, d]}, regions=None).credit == 0.0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("order", "credit"),
    [
        ("abcd", 1.0),
        ("bacd", 5 / 6),  # one neighbour swap: 5 of the 6 pairs still right
        ("acbd", 5 / 6),
        ("dabc", 3 / 6),  # d before a, b, c: 3 pairs wrong
        ("badc", 4 / 6),
        ("dcba", 0.0),  # reversed
    ],
)
def test_ordering_partial_credit_is_the_fraction_of_pairs_in_order(choice_question, order, credit):
    q, ids = choice_question("ordering", [False] * 4, partial=True)
    by_letter = dict(zip("abcd", ids, strict=True))
    scored = score_response(q, {"order": [by_letter[c] for c in order]}, regions=None)
    assert scored.credit == pytest.approx(credit)
    assert scored.correct is (order == "abcd")


@pytest.mark.django_db
def test_ordering_that_is_not_a_permutation_scores_zero(choice_question):
    q, (a, b, c) = choice_question("ordering", [False] * 3, partial=True)
    for order in ([a, a, b], [a, b], [a, b, c, c], [a, b, 999_999]):
        scored = score_response(q, {"order": order}, regions=None)
        assert (scored.credit, scored.detail) == (0.0, {"invalid": True})
    assert score_response(q, {"order": [c, b, a]}, regions=None).credit == 0.0
