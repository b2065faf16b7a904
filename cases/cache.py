"""Cached parts of the library pages that are the same for many users.

What is cached, in Django's default cache (``CACHE_URL``; without it a per-process
LocMemCache), is read through ``cases.selectors``; this module holds the keys and the version:

* the case payload (``cases.payload.case_detail``) per case, ``updated_at``, content version
  and language — without ``can_edit``, which the page sets per user;
* the library's grid per query string (filters, search, sort, page), language, visibility
  scope (site admin, or institution + whether the user may author) and content version: each
  card's values and its HTML as a reader without flags sees it. The reader's own flags
  (bookmarked, reviewed) are read per request, and the cards they set rendered again for
  them. Filters on the user's own bookmarks or reviews are never cached;
* the filter bar's choices per content version; its rendering per query, scope and language
  (a template fragment).

Invalidation: one content version, bumped (``changed``) by the ``post_save`` / ``post_delete`` /
``m2m_changed`` signals of every model a library page shows (cases,
their tags, loops, annotations, phase markers, TIC curves, cine loops, institutions), and by
``cineloops.signals.loops_updated`` for loop statuses written with ``QuerySet.update()``. Every
key holds the version, so after a bump nothing cached before is served again. Other writes
through ``QuerySet.update()`` send no signal: code doing so on those models must call
``changed()``. A change bumps the version twice: at once, and again when its transaction
commits (see ``changed``).

The version must be shared by all the processes serving pages: with a shared cache (Redis) it
lives there; with a per-process LocMemCache it lives in a small file under ``VAR_DIR`` (one
host, any number of gunicorn workers).
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import translation

VERSION_KEY = "cases:content-version"
TIMEOUT = 24 * 3600


def _version_file() -> Path:
    return Path(settings.CASES_CACHE_VERSION_FILE)


def _process_local() -> bool:
    return isinstance(caches["default"], LocMemCache)


def version() -> str:
    """The current content version (created on first use)."""
    if not _process_local():
        current = cache.get(VERSION_KEY)
        if current is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, None)
            current = cache.get(VERSION_KEY)
        return str(current)
    try:
        return _version_file().read_text()
    except FileNotFoundError:
        return bump()


def changed(**_signal_kwargs) -> None:
    """Signal receiver, and what code writing with ``QuerySet.update()`` calls: a new version
    now and, inside a transaction, another once it commits.

    The one after the commit is what keeps pages fresh: between the write and the commit,
    other requests still read the old rows, and a page they render then is cached under
    whatever version is current — a version bumped only at save time would serve that old
    page until the next change. The bump at once is kept for reads in the writer's own
    transaction (a view that saves, then renders from the cache before it commits), which
    must not find the page cached before the change. Outside a transaction the write is
    already visible: one bump. The commit-time bump is ``robust``: an unreachable cache then
    is logged instead of failing a request whose change is already committed.
    """
    bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(bump, robust=True)


def bump() -> str:
    """A new content version: everything cached so far is left unused (and expires)."""
    new = uuid.uuid4().hex
    if not _process_local():
        cache.set(VERSION_KEY, new, None)
        return new
    path = _version_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{new}")
    temporary.write_text(new)
    os.replace(temporary, path)  # atomic: readers see the old or the new version
    return new


def scope_of(user) -> str:
    """Who sees the same cases (``core.scoping.visible_q``): site admins all, others by
    institution and by whether they may author (drafts of their institution)."""
    if user.is_site_admin:
        return "admin"
    return f"{user.institution_id or 0}:{int(bool(user.can_author))}"


def _key(*parts) -> str:
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return f"cases:{parts[0]}:{digest}"


def payload_key(case) -> str:
    return _key(
        "payload", case.pk, case.updated_at.isoformat(), version(), translation.get_language()
    )


def grid_key(user, query: str) -> str:
    return _key("grid", scope_of(user), query, version(), translation.get_language())


def filter_bar_key(user, query: str) -> str:
    """The library's filter bar: the query's values, institutions, tags, the editor's extras."""
    return _key("filters", scope_of(user), query, version(), translation.get_language())


def connect() -> None:
    """Bump the version on every change a library page shows (called from ``CasesConfig``)."""
    from accounts.models import Institution
    from cases.models import Annotation, Case, CaseLoop, PhaseMarker, RoiCurve, Tag
    from cineloops.models import CineLoop
    from cineloops.signals import loops_updated

    for model in (Case, CaseLoop, Annotation, PhaseMarker, RoiCurve, Tag, CineLoop, Institution):
        post_save.connect(changed, sender=model, dispatch_uid=f"cases-cache-save-{model.__name__}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"cases-cache-del-{model.__name__}")
    m2m_changed.connect(changed, sender=Case.tags.through, dispatch_uid="cases-cache-case-tags")
    # Loop statuses cineloops writes with update() (queued, failed by the sweep …): no post_save.
    loops_updated.connect(changed, sender=CineLoop, dispatch_uid="cases-cache-loops-updated")
