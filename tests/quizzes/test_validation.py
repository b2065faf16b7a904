"""What a trainee may send, and what a question needs before it is asked."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cases.geometry import MAX_POLYGON_POINTS
from cineloops.models import CineLoop
from quizzes.models import Option, Question
from quizzes.validation import (
    MAX_TEXT_LENGTH,
    clean_answer_key,
    clean_certainty,
    clean_response,
    vocabulary_choices,
)


def loop(**fields) -> CineLoop:
    return CineLoop(**{"columns": 320, "rows": 240, "duration_s": 30.0, **fields})


def question(kind: str, **fields) -> Question:
    return Question(kind=kind, title="q", prompt="?", **fields)


def clean(kind, response, option_ids=(), **fields):
    return clean_response(question(kind, **fields), response, option_ids=list(option_ids))


def refused(kind, response, option_ids=(), **fields) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        clean(kind, response, option_ids, **fields)
    return caught.value


# --- responses: the accepted shapes, normalised -------------------------------------------


def test_valid_responses_come_back_normalised():
    assert clean("single", {"option": 3}, [3, 4]) == {"option": 3}
    assert clean("true_false", {"option": 4}, [3, 4]) == {"option": 4}
    assert clean("multiple", {"options": [5, 3]}, [3, 4, 5]) == {"options": [3, 5]}
    assert clean("multiple", {"options": []}, [3, 4]) == {"options": []}
    assert clean("ordering", {"order": [4, 3, 5]}, [3, 4, 5]) == {"order": [4, 3, 5]}
    assert clean("numeric", {"value": 12}, []) == {"value": 12.0}
    assert clean("hotspot", {"x": 10.12345, "y": 0}, loop=loop()) == {"x": 10.123, "y": 0.0}
    assert clean("drawn", {"points": [[0, 0], [320, 0], [320, 240]]}, loop=loop()) == {
        "points": [[0.0, 0.0], [320.0, 0.0], [320.0, 240.0]]
    }
    assert clean("time_point", {"time_s": 30}, loop=loop()) == {"time_s": 30.0}
    assert clean("category", {"value": "LR-5"}, vocabulary="lirads") == {"value": "LR-5"}
    assert clean("free_text", {"text": "Wash-out < 60 s."}) == {"text": "Wash-out < 60 s."}


def test_without_a_loop_size_coordinates_are_only_checked_as_numbers():
    assert clean("hotspot", {"x": 5000, "y": 1}) == {"x": 5000.0, "y": 1.0}
    assert clean("hotspot", {"x": 5000, "y": 1}, loop=loop(columns=None)) == {"x": 5000.0, "y": 1.0}


# --- responses: refused --------------------------------------------------------------------

MALICIOUS = [
    # wrong container / keys
    ("single", [], [1]),
    ("single", "1", [1]),
    ("single", None, [1]),
    ("single", {"option": 1, "is_correct": True}, [1]),
    ("single", {"options": [1]}, [1]),
    # ids: strings, bools, floats, not on the paper, duplicates
    ("single", {"option": "1"}, [1]),
    ("single", {"option": True}, [1]),
    ("single", {"option": 1.0}, [1]),
    ("single", {"option": 2}, [1]),
    ("true_false", {"option": None}, [1, 2]),
    ("multiple", {"options": 1}, [1, 2]),
    ("multiple", {"options": [1, 1]}, [1, 2]),
    ("multiple", {"options": [1, 3]}, [1, 2]),
    ("multiple", {"options": ["1"]}, [1, 2]),
    ("ordering", {"order": [1, 2]}, [1, 2, 3]),
    ("ordering", {"order": [1, 2, 2]}, [1, 2, 3]),
    ("ordering", {"order": [1, 2, 4]}, [1, 2, 3]),
    # numbers: bools, strings, NaN, infinity, null
    ("numeric", {"value": True}, []),
    ("numeric", {"value": "12"}, []),
    ("numeric", {"value": float("nan")}, []),
    ("numeric", {"value": float("inf")}, []),
    ("numeric", {"value": -float("inf")}, []),
    ("numeric", {"value": None}, []),
    ("numeric", {"value": 1, "unit": "s"}, []),
    ("time_point", {"time_s": float("nan")}, []),
    ("time_point", {"time_s": False}, []),
    ("time_point", {"time_s": -0.1}, []),
    ("time_point", {"time_s": 30.01}, []),  # beyond the 30 s loop
    # clicks and outlines
    ("hotspot", {"x": 1}, []),
    ("hotspot", {"x": 1, "y": 2, "z": 3}, []),
    ("hotspot", {"x": "1", "y": 2}, []),
    ("hotspot", {"x": True, "y": 2}, []),
    ("hotspot", {"x": float("nan"), "y": 2}, []),
    ("hotspot", {"x": 320.5, "y": 2}, []),  # off the 320-column image
    ("hotspot", {"x": 1, "y": -1}, []),
    ("drawn", {"points": [[0, 0], [1, 1]]}, []),
    ("drawn", {"points": [[0, 0], [1, 1], [2, "2"]]}, []),
    ("drawn", {"points": [[0, 0], [1, 1], [2, 2, 2]]}, []),
    ("drawn", {"points": [[0, 0], [10, 0], [10, 241]]}, []),
    ("drawn", {"points": [[0, 0], [10, 0], [10, float("inf")]]}, []),
    ("drawn", {"points": "0,0 1,0 1,1"}, []),
    ("drawn", {"points": [[0, 0], [10, 0], [10, 10]], "closed": True}, []),
    # category and text
    ("category", {"value": "LR-6"}, []),
    ("category", {"value": 5}, []),
    ("category", {"value": ["LR-5"]}, []),
    ("free_text", {"text": 5}, []),
    ("free_text", {"text": "x" * (MAX_TEXT_LENGTH + 1)}, []),
    ("free_text", {"text": "nul\x00byte"}, []),
    ("free_text", {"text": "a", "html": "<b>"}, []),
]


@pytest.mark.parametrize(("kind", "response", "option_ids"), MALICIOUS)
def test_malicious_or_malformed_responses_are_refused(kind, response, option_ids):
    error = refused(kind, response, option_ids, loop=loop(), vocabulary="lirads")
    assert error.messages and all(message for message in error.messages)


def test_too_many_polygon_points():
    points = [[i % 300, (i * 7) % 200] for i in range(MAX_POLYGON_POINTS)] + [[1, 1]]
    error = refused("drawn", {"points": points}, loop=loop())
    assert str(MAX_POLYGON_POINTS) in error.messages[0]
    ok = [[0, 0], [300, 0]] + [[300 - i * 0.5, 1 + i * 0.4] for i in range(498)]
    assert len(clean("drawn", {"points": ok}, loop=loop())["points"]) == MAX_POLYGON_POINTS


def test_text_at_the_limit_is_accepted():
    text = "é" * MAX_TEXT_LENGTH
    assert clean("free_text", {"text": text}) == {"text": text}


def test_messages_are_translated():
    with translation.override("zh-hans"):
        error = refused("single", {"option": 9}, [1])
    # The catalogue may not hold this string yet; the message must still go through gettext.
    assert isinstance(error.messages[0], str)
    with translation.override("en"):
        assert refused("single", {"option": 9}, [1]).messages == [
            "This option is not part of the question."
        ]


def test_certainty():
    assert clean_certainty("high", certainty_based=True) == "high"
    assert clean_certainty("", certainty_based=True) == ""
    assert clean_certainty(None, certainty_based=True) == ""
    assert clean_certainty("high", certainty_based=False) == ""
    for bad in ("certain", 3, True, ["high"]):
        with pytest.raises(ValidationError):
            clean_certainty(bad, certainty_based=True)


# --- vocabularies --------------------------------------------------------------------------


def test_vocabulary_choices_come_from_the_case_library():
    lirads = dict(vocabulary_choices("lirads"))
    assert "LR-5" in lirads and "LR-TIV" in lirads and len(lirads) == 8
    assert [v for v, _ in vocabulary_choices("washout")] == ["none", "mild", "marked"]
    assert [v for v, _ in vocabulary_choices("enhancement")] == ["hypo", "iso", "hyper"]
    assert [v for v, _ in vocabulary_choices("arterial_pattern")] == ["none", "rim", "non_rim"]
    assert "liver" in dict(vocabulary_choices("organ"))
    assert vocabulary_choices("") == [] and vocabulary_choices("nonsense") == []
    assert all(isinstance(label, str) for _, label in vocabulary_choices("organ"))


# --- answer keys ---------------------------------------------------------------------------


def options(*flags, orders=None) -> list[Option]:
    orders = orders or range(len(flags))
    return [
        Option(text=f"o{i}", is_correct=f, order=o)
        for i, (f, o) in enumerate(zip(flags, orders, strict=True))
    ]


def key_refused(q: Question, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        clean_answer_key(q, **kwargs)
    return caught.value.messages[0]


ELLIPSE = {"kind": "ellipse", "geometry": {"cx": 100.0, "cy": 100.0, "rx": 20.0, "ry": 10.0}}


@pytest.mark.parametrize(
    ("q", "opts"),
    [
        (question("single"), options(True, False, False)),
        (question("true_false"), options(False, True)),
        (question("multiple"), options(True, True, False)),
        (question("multiple"), options(True, False)),
        (question("ordering"), options(False, False, orders=[2, 5])),
        (question("numeric", answer={"value": 12.5}, tolerance=0), None),
        (question("numeric", answer={"value": -3}), None),
        (question("hotspot", loop=loop(), answer=ELLIPSE), None),
        (question("drawn", loop=loop(), answer=ELLIPSE, overlap_threshold=1.0), None),
        (
            question(
                "drawn",
                loop=loop(),
                overlap_metric="dice",
                answer={"kind": "polygon", "geometry": {"points": [[0, 0], [320, 0], [0, 240]]}},
            ),
            None,
        ),
        (question("time_point", loop=loop(), answer={"time_s": 30.0}, tolerance=1), None),
        (question("time_point", loop=loop(duration_s=None), answer={"time_s": 99.0}), None),
        (question("category", vocabulary="washout", answer={"value": "marked"}), None),
        (question("free_text", rubric="..."), None),
    ],
)
def test_complete_keys_pass(q, opts):
    assert clean_answer_key(q, options=opts) is None


@pytest.mark.parametrize(
    ("q", "opts"),
    [
        (question("single"), options(True, True)),
        (question("single"), options(False, False)),
        (question("single"), options(True)),
        (question("true_false"), options(True, False, False)),
        (question("multiple"), options(False, False)),
        (question("multiple"), []),
        (question("ordering"), options(False)),
        (question("ordering"), options(False, False, orders=[1, 1])),
        (question("numeric", answer={}), None),
        (question("numeric", answer={"value": "12"}), None),
        (question("numeric", answer={"value": float("nan")}), None),
        (question("numeric", answer={"value": 1}, tolerance=-0.5), None),
        (question("numeric", answer={"value": 1}, points=0), None),
        (question("hotspot", answer=ELLIPSE), None),  # no loop
        (question("hotspot", loop=loop(), answer={}), None),
        (question("hotspot", loop=loop(), answer={"kind": "point", "geometry": {}}), None),
        (
            question(
                "hotspot",
                loop=loop(),
                answer={"kind": "ellipse", "geometry": {"cx": 310, "cy": 100, "rx": 20, "ry": 5}},
            ),
            None,
        ),  # reaches past the 320-column image
        (question("hotspot", loop=loop(), answer=ELLIPSE, frame_time_s=31), None),
        (question("drawn", loop=loop(), answer=ELLIPSE, overlap_threshold=0), None),
        (question("drawn", loop=loop(), answer=ELLIPSE, overlap_threshold=1.2), None),
        (question("drawn", loop=loop(), answer=ELLIPSE, overlap_metric="jaccard"), None),
        (question("time_point", answer={"time_s": 3.0}), None),  # no loop
        (question("time_point", loop=loop(), answer={"time_s": 30.5}), None),
        (question("time_point", loop=loop(), answer={"time_s": -1}), None),
        (question("time_point", loop=loop(), answer={"time_s": 3}, tolerance=-1), None),
        (question("category", vocabulary="lirads", answer={"value": "marked"}), None),
        (question("category", vocabulary="", answer={"value": "LR-5"}), None),
        (question("category", vocabulary="lirads", answer={}), None),
        (question("mystery"), None),
    ],
)
def test_incomplete_keys_are_refused(q, opts):
    assert key_refused(q, options=opts)


def test_an_empty_option_text_is_refused():
    opts = options(True, False)
    opts[1].text = "  "
    assert "text" in key_refused(question("single"), options=opts)


@pytest.mark.django_db
def test_saved_options_are_read_from_the_database(hospital):
    q = Question.objects.create(institution=hospital, kind="single", title="q", prompt="?")
    assert "at least two" in key_refused(q)
    Option.objects.create(question=q, text="A", is_correct=False, order=0)
    Option.objects.create(question=q, text="B", is_correct=False, order=1)
    assert "exactly one" in key_refused(q)
    Option.objects.filter(text="B").update(is_correct=True)
    clean_answer_key(q)
