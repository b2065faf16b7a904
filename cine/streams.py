"""Run one stage of the frame stream in its own thread, with a small bounded queue between.

Decoders (libjpeg-turbo, openjpeg), numpy, Pillow's JPEG encoder and x264 release the GIL, so
decode, encode and DICOM writing overlap on the two cores. Queues hold a few frames only, so
memory never depends on the length of the loop. An exception in any stage reaches the caller;
a stage that fails or is abandoned stops the others instead of blocking them.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_DONE = object()
_POLL_S = 0.1


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


class StageAborted(Exception):
    """Raised inside a consumer stage when the pipeline gives up."""


def _put(q: queue.Queue, item: object, stop: Callable[[], bool]) -> bool:
    """Put unless ``stop()`` becomes true while the queue is full; True if put."""
    while not stop():
        try:
            q.put(item, timeout=_POLL_S)
            return True
        except queue.Full:
            continue
    return False


def background(produce: Callable[[], Iterator[T]], maxsize: int = 4) -> Generator[T, None, None]:
    """Iterate ``produce()`` in a worker thread, yielding its items here in order; ``close()``
    stops the thread."""
    q: queue.Queue = queue.Queue(maxsize)
    stop = threading.Event()

    def run() -> None:
        try:
            for item in produce():
                if not _put(q, item, stop.is_set):
                    return
            _put(q, _DONE, stop.is_set)
        except BaseException as exc:  # handed to the consumer, re-raised there
            _put(q, _Failure(exc), stop.is_set)

    worker = threading.Thread(target=run, name="cine-producer", daemon=True)
    worker.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield item
    finally:
        stop.set()
        worker.join()


class ThreadedConsumer(Generic[T, R]):
    """``consume(items)`` runs in a thread; ``put`` feeds it, ``finish`` returns its result."""

    def __init__(self, consume: Callable[[Iterator[T]], R], maxsize: int = 4) -> None:
        self._consume = consume
        self._q: queue.Queue = queue.Queue(maxsize)
        self._result: R | None = None
        self._error: BaseException | None = None
        self._aborted = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cine-consumer", daemon=True)
        self._thread.start()

    def _items(self) -> Iterator[T]:
        while True:
            item = self._q.get()
            if self._aborted.is_set():
                raise StageAborted("the pipeline stopped")
            if item is _DONE:
                return
            yield item

    def _run(self) -> None:
        try:
            self._result = self._consume(self._items())
        except BaseException as exc:
            self._error = exc

    def _stopped(self) -> bool:
        return self._error is not None or not self._thread.is_alive()

    def put(self, item: T) -> None:
        if not _put(self._q, item, self._stopped) or self._error is not None:
            self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error
        raise RuntimeError("a pipeline stage ended before its input did")

    def finish(self) -> R:
        _put(self._q, _DONE, self._stopped)
        self._thread.join()
        if self._error is not None:
            self._raise()
        return self._result  # type: ignore[return-value]

    def abort(self) -> None:
        self._aborted.set()
        _put(self._q, _DONE, self._stopped)
        self._thread.join()
