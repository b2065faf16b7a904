"""Hook points (``core.plugins``): filled in order while apps load, fixed afterwards, and what
each app registers in its ``AppConfig.ready()``."""

from __future__ import annotations

import pytest
from django.apps import apps

from cases.access import KEY_LOCKS
from cineloops.visibility import LOOP_VISIBILITY
from core.plugins import HookPoint
from courses.progress_hooks import PROGRESS_ITEMS


def first() -> str:
    return "first"


def second() -> str:
    return "second"


def names(hook_point: HookPoint) -> list[str]:
    return [f"{fn.__module__}.{fn.__name__}" for fn in hook_point]


def test_hooks_are_listed_in_the_order_apps_registered_them(monkeypatch):
    monkeypatch.setattr(apps, "ready", False)  # as while AppConfig.ready() methods run
    point: HookPoint = HookPoint("test.order")
    assert point.register(second) is second
    point.register(first)
    point.register(second)  # again: no change
    assert list(point) == [second, first]
    assert len(point) == 2 and first in point


def test_registering_once_apps_are_loaded_is_refused():
    point: HookPoint = HookPoint("test.late")
    with pytest.raises(RuntimeError, match=r"AppConfig\.ready"):
        point.register(first)
    assert list(point) == []


def test_a_test_hook_is_gone_after_its_block_and_an_app_hook_stays():
    point: HookPoint = HookPoint("test.isolation")
    with point.registered(first):
        with point.registered(second):
            assert list(point) == [first, second]
        assert list(point) == [first]
    assert list(point) == []
    with pytest.raises(ValueError), point.registered(first):
        raise ValueError  # the block fails: the hook point is restored all the same
    assert list(point) == []

    registered = next(iter(LOOP_VISIBILITY))
    with LOOP_VISIBILITY.registered(registered):  # already there: stays afterwards
        assert len(LOOP_VISIBILITY) == 6
    assert registered in LOOP_VISIBILITY and len(LOOP_VISIBILITY) == 6


def test_what_the_apps_register():
    """Loop visibility lives in each contributing app's ``hooks`` module, listed in the order
    of INSTALLED_APPS."""
    assert names(LOOP_VISIBILITY) == [
        "cases.hooks.loops_in_visible_cases",
        "quizzes.hooks.loops_in_visible_quizzes",
        "certification.hooks.loops_in_visible_entries",
        "consults.hooks.loops_in_visible_consults",
        "consults.hooks.loops_in_inbox",
        "live.hooks.loops_on_joinable_agendas",
    ]
    assert names(PROGRESS_ITEMS) == ["quizzes.hooks.quiz_progress_items"]
    assert names(KEY_LOCKS) == ["quizzes.locks.exam_key_lock"]
