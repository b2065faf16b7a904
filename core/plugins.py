"""Hook points: how an app lets later apps add to what it computes, without importing them.

An app that wants contributions declares a ``HookPoint`` in its own module, typed by the
signature of the functions it accepts, and reads it in order::

    LOOP_VISIBILITY: HookPoint[Callable[[User], Q]] = HookPoint("cineloops.loop_visibility")
    for rule in LOOP_VISIBILITY: ...

Apps that contribute register from their ``AppConfig.ready()``, so the order of contributions
is the order of ``INSTALLED_APPS`` and the dependency points from the contributor to the hook's
owner, never back::

    LOOP_VISIBILITY.register(loops_in_visible_cases)

Registering once the app registry is ready is refused, and production code cannot take a hook
away: what a hook point holds is fixed at start-up. Tests that need a hook of their own use
``registered`` (a context manager that restores the hook point as it found it).

Why not Django signals: a signal is a notification whose receivers' answers are an afterthought
(``send`` returns ``(receiver, response)`` pairs, untyped), receivers are held by weak reference
(a local function silently disappears) and can be connected from anywhere at any time. Here
every hook *answers* — a ``Q`` to OR, items to count, a line for the console — the answers
are combined by the owner, their order matters, and the set must not change while the site
runs. Signals stay what the project uses for "something happened" (``cases.cache``,
``certification.signals``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

from django.apps import apps

F = TypeVar("F", bound=Callable[..., object])


class HookPoint(Generic[F]):
    """An ordered set of functions of one signature, filled from ``AppConfig.ready()``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._hooks: list[F] = []

    def __repr__(self) -> str:
        return f"<HookPoint {self.name}: {len(self._hooks)} registered>"

    def register(self, fn: F) -> F:
        """Add ``fn`` after those already registered (again: no change); returns ``fn``.
        Only while apps load: a hook registered later would apply to some requests only."""
        if apps.ready:
            raise RuntimeError(
                f"{self.name}: register {fn!r} from an AppConfig.ready(), not once apps are loaded"
            )
        self._add(fn)
        return fn

    def __iter__(self) -> Iterator[F]:
        # A copy: a test's ``registered`` block may change the list while a caller iterates.
        return iter(tuple(self._hooks))

    def __len__(self) -> int:
        return len(self._hooks)

    def __contains__(self, fn: object) -> bool:
        return fn in self._hooks

    @contextmanager
    def registered(self, fn: F) -> Iterator[F]:
        """For tests: ``fn`` registered (last) for the duration of the block; afterwards the
        hook point holds exactly what it held before."""
        before = list(self._hooks)
        self._add(fn)
        try:
            yield fn
        finally:
            self._hooks[:] = before

    def _add(self, fn: F) -> None:
        if fn not in self._hooks:
            self._hooks.append(fn)
