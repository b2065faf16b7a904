"""Blocks other apps add to the learner's dashboard, without courses importing them.

An app registers ``fn(request) -> str`` on ``DASHBOARD_BLOCKS`` from its
``AppConfig.ready()`` (``core.plugins``): the block's HTML, rendered by the app's own template
(an empty string shows nothing). Blocks appear above the courses, in the order of
``INSTALLED_APPS``. A block reads a constant number of rows: the dashboard's query count must
not grow with what it shows.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from core.plugins import HookPoint

DashboardBlock = Callable[[HttpRequest], str]
DASHBOARD_BLOCKS: HookPoint[DashboardBlock] = HookPoint("courses.dashboard_blocks")


def dashboard_blocks(request: HttpRequest) -> list[SafeString]:
    """Every provider's block that has something to show (templates escaped their values)."""
    blocks = (fn(request) for fn in DASHBOARD_BLOCKS)
    return [mark_safe(html) for html in blocks if html.strip()]
