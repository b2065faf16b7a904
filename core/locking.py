"""Claim a row: ``lock`` reads it afresh under ``SELECT … FOR UPDATE``, the one way to do so.

Call it inside ``transaction.atomic()``; the lock is held until that transaction ends. What
the caller holds may be stale (another request published the case, a worker claimed the loop
meanwhile): decide on the instance ``lock`` returns, never on the one passed in. On SQLite,
which serialises writers anyway, Django leaves the ``FOR UPDATE`` out.

``nowait=True`` fails at once instead of waiting for another transaction's lock; on PostgreSQL
that failure is an ``OperationalError`` that ``is_lock_conflict`` recognises (SQLSTATE 55P03),
so that a task can retry it in a moment while other database errors stay what they are.
Modelled on grand-challenge's ``lock_model_instance``.
"""

from collections.abc import Sequence
from typing import Any, Literal, TypeVar, overload

from django.db import OperationalError
from django.db.models import Model, Q

M = TypeVar("M", bound=Model)


class _Unset:
    pass


_UNSET: Any = _Unset()


@overload
def lock(
    target: M | type[M],
    pk: Any = ...,
    /,
    *,
    where: Q | None = ...,
    nowait: bool = ...,
    skip_locked: bool = ...,
    of: Sequence[str] = ...,
    select_related: Sequence[str] = ...,
    only: Sequence[str] = ...,
    missing_ok: Literal[False] = ...,
    **lookup: Any,
) -> M: ...


@overload
def lock(
    target: M | type[M],
    pk: Any = ...,
    /,
    *,
    where: Q | None = ...,
    nowait: bool = ...,
    skip_locked: bool = ...,
    of: Sequence[str] = ...,
    select_related: Sequence[str] = ...,
    only: Sequence[str] = ...,
    missing_ok: Literal[True],
    **lookup: Any,
) -> M | None: ...


def lock(
    target: M | type[M],
    pk: Any = _UNSET,
    /,
    *,
    where: Q | None = None,
    nowait: bool = False,
    skip_locked: bool = False,
    of: Sequence[str] = (),
    select_related: Sequence[str] = (),
    only: Sequence[str] = (),
    missing_ok: bool = False,
    **lookup: Any,
) -> M | None:
    """The row of ``target`` (an instance, or a model with ``pk``), locked, read afresh.

    ``where`` and ``lookup`` narrow the row further (a claim that only holds while a condition
    does); ``select_related`` rows are locked too unless ``of`` names which to lock (``"self"``
    for this one). Raises ``DoesNotExist`` when no row matches, or returns None with
    ``missing_ok``.
    """
    if isinstance(target, Model):
        if pk is not _UNSET:
            raise TypeError("lock(instance) takes no pk: it locks the instance's own row")
        model: type[M] = target._meta.model  # not type(): request.user is a lazy proxy
        pk = target.pk
    else:
        model = target
    if pk is not _UNSET:
        lookup["pk"] = pk
    if not lookup and where is None:
        raise TypeError("lock() needs a pk or a lookup: it never locks a whole table")
    rows = model._default_manager.filter(*([where] if where is not None else []), **lookup)
    if select_related:
        rows = rows.select_related(*select_related)
    if only:
        rows = rows.only(*only)
    rows = rows.select_for_update(nowait=nowait, skip_locked=skip_locked, of=tuple(of))
    return rows.first() if missing_ok else rows.get()


def is_lock_conflict(exc: OperationalError) -> bool:
    """Whether ``exc`` is a ``nowait`` lock that another transaction holds (PostgreSQL's
    lock_not_available); other operational errors (a connection lost) are not."""
    return getattr(exc.__cause__, "sqlstate", None) == "55P03"
