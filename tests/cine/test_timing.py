"""Frame timing: FrameIncrementPointer first, then display rates, then a flagged default."""

from __future__ import annotations

import pytest
from pydicom.dataset import Dataset

from cine.timing import frame_timing


def dataset(**values) -> Dataset:
    ds = Dataset()
    for key, value in values.items():
        setattr(ds, key, value)
    return ds


def test_frame_time_gives_uniform_times() -> None:
    timing = frame_timing(dataset(FrameTime=40.0, FrameIncrementPointer=0x00181063), 5)
    assert timing.times_s == pytest.approx((0, 0.04, 0.08, 0.12, 0.16))
    assert timing.duration_s == pytest.approx(0.2)
    assert timing.fps == pytest.approx(25)
    assert (timing.source, timing.assumed, timing.uniform) == ("FrameTime", False, True)


def test_frame_time_vector_with_non_zero_first_value_starts_at_zero() -> None:
    ds = dataset(FrameTimeVector=[33.0, 30.0, 50.0, 40.0], FrameIncrementPointer=0x00181065)
    timing = frame_timing(ds, 4)
    assert timing.times_s == pytest.approx((0, 0.03, 0.08, 0.12))
    assert timing.first_offset_s == pytest.approx(0.033)
    assert timing.last_duration_s == pytest.approx(0.04)  # median interval
    assert timing.duration_s == pytest.approx(0.16)
    assert (timing.source, timing.uniform) == ("FrameTimeVector", False)


def test_frame_time_vector_missing_its_leading_zero_is_accepted() -> None:
    timing = frame_timing(dataset(FrameTimeVector=[20.0, 20.0]), 3)
    assert timing.times_s == pytest.approx((0, 0.02, 0.04))


def test_pointer_decides_between_frame_time_and_vector() -> None:
    ds = dataset(FrameTime=40.0, FrameTimeVector=[0.0, 20.0, 20.0])
    ds.FrameIncrementPointer = 0x00181065
    assert frame_timing(ds, 3).source == "FrameTimeVector"
    ds.FrameIncrementPointer = 0x00181063
    assert frame_timing(ds, 3).source == "FrameTime"


def test_invalid_vector_falls_back_to_cine_rate() -> None:
    ds = dataset(FrameTimeVector=[0.0, -5.0, 20.0], CineRate=30)
    timing = frame_timing(ds, 3)
    assert (timing.source, timing.fps) == ("CineRate", pytest.approx(30))


@pytest.mark.parametrize(
    ("values", "source", "fps"),
    [
        ({"CineRate": 20}, "CineRate", 20),
        ({"RecommendedDisplayFrameRate": 15}, "RecommendedDisplayFrameRate", 15),
        ({"ActualFrameDuration": 50}, "ActualFrameDuration", 20),
        ({"FrameTime": 0}, "default", 25),
        ({}, "default", 25),
    ],
)
def test_fallback_order(values, source: str, fps: float) -> None:
    timing = frame_timing(dataset(**values), 4)
    assert timing.source == source
    assert timing.fps == pytest.approx(fps)
    assert timing.assumed is (source == "default")


def test_frame_delay_is_reported_as_offset() -> None:
    timing = frame_timing(dataset(FrameTime=50.0, FrameDelay=120.0), 2)
    assert timing.first_offset_s == pytest.approx(0.12)
    assert timing.times_s[0] == 0


def test_single_frame_has_no_rate() -> None:
    timing = frame_timing(dataset(FrameTime=40.0), 1)
    assert (timing.source, timing.duration_s, timing.fps) == ("single_frame", 0.0, 0.0)
