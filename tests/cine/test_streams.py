"""Thread stages: order, errors reaching the caller, nobody left blocked."""

from __future__ import annotations

import threading

import pytest

from cine.streams import StageAborted, ThreadedConsumer, background


def test_background_keeps_order() -> None:
    assert list(background(lambda: iter(range(50)), maxsize=2)) == list(range(50))


def test_background_error_reaches_the_consumer() -> None:
    def produce():
        yield 1
        raise ValueError("bad frame")

    items = background(produce)
    assert next(items) == 1
    with pytest.raises(ValueError, match="bad frame"):
        next(items)


def test_closing_early_stops_the_producer() -> None:
    produced = []

    def produce():
        for i in range(10_000):
            produced.append(i)
            yield i

    items = background(produce, maxsize=2)
    assert next(items) == 0
    producers = [t for t in threading.enumerate() if t.name == "cine-producer"]
    items.close()
    assert len(produced) < 10
    # The producer's own thread is gone (other tests of the process may have threads of theirs).
    assert producers and not any(t.is_alive() for t in producers)


def test_consumer_result_and_error() -> None:
    summer = ThreadedConsumer(sum, maxsize=2)
    for i in range(100):
        summer.put(i)
    assert summer.finish() == 4950

    def fail(items):
        next(items)
        raise OSError("disk full")

    failing = ThreadedConsumer(fail, maxsize=1)
    with pytest.raises(OSError, match="disk full"):
        for i in range(100):
            failing.put(i)


def test_abort_raises_inside_the_consumer() -> None:
    seen: list[BaseException] = []

    def consume(items):
        try:
            for _ in items:
                pass
        except StageAborted as exc:
            seen.append(exc)
            raise

    stage = ThreadedConsumer(consume)
    stage.put(1)
    stage.abort()
    assert seen and isinstance(seen[0], StageAborted)
