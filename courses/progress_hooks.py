"""Items other apps add to a module's progress, without courses importing them.

An app registers ``fn(user, modules, lessons) -> {module id: [done?, ...]}`` on
``PROGRESS_ITEMS`` from its ``AppConfig.ready()`` (``core.plugins``); ``modules`` are the
published modules being counted and ``lessons`` their live lessons. Each returned boolean is one
more item of that module's progress (the assessment app: one per published quiz on the module
or its lessons, done when passed). A provider must answer for any number of modules in a
constant number of queries: the dashboard's query count must not grow with the courses shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from core.plugins import HookPoint

ProgressItems = Callable[[object, Sequence, Sequence], dict[int, list[bool]]]
PROGRESS_ITEMS: HookPoint[ProgressItems] = HookPoint("courses.progress_items")


def extra_items(user, modules: Sequence, lessons: Sequence) -> dict[int, list[bool]]:
    """Every provider's items per module id (no query when there is no module)."""
    items: dict[int, list[bool]] = {}
    if not modules:
        return items
    for fn in PROGRESS_ITEMS:
        for module_id, done in fn(user, modules, lessons).items():
            items.setdefault(module_id, []).extend(done)
    return items
