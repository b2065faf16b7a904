"""``core.locking.lock``: the row read afresh under ``FOR UPDATE``; which row, and what waiting,
``nowait`` and ``skip_locked`` do against another transaction's lock (PostgreSQL: SQLite
serialises writers and Django leaves the ``FOR UPDATE`` out there)."""

import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from core.locking import is_lock_conflict, lock
from core.models import Heartbeat


def on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite locks the whole database)")


@pytest.fixture
def row(db):
    return Heartbeat.objects.create(token="row", worker="first")


# --- which row, read how -----------------------------------------------------------------------


def test_the_row_is_read_afresh_not_taken_from_the_callers_copy(row):
    Heartbeat.objects.filter(pk=row.pk).update(worker="changed meanwhile")

    with transaction.atomic():
        locked = lock(row)

    assert locked is not row
    assert (locked.pk, locked.worker) == (row.pk, "changed meanwhile")
    assert row.worker == "first"


def test_a_model_and_a_pk_a_lookup_or_a_condition_name_the_row(row):
    other = Heartbeat.objects.create(token="other", worker="second")
    with transaction.atomic():
        assert lock(Heartbeat, other.pk) == other
        assert lock(Heartbeat, token="row") == row
        assert lock(Heartbeat, other.pk, where=Q(worker="second")) == other
        assert lock(Heartbeat, other.pk, where=Q(worker="first"), missing_ok=True) is None


def test_a_missing_row_raises_or_is_none_when_allowed(row):
    with transaction.atomic():
        with pytest.raises(Heartbeat.DoesNotExist):
            lock(Heartbeat, row.pk + 1000)
        assert lock(Heartbeat, row.pk + 1000, missing_ok=True) is None


def test_a_pk_of_none_matches_no_row_rather_than_every_row(row):
    with transaction.atomic():
        assert lock(Heartbeat, None, missing_ok=True) is None


def test_only_the_fields_asked_for_are_read(row):
    with transaction.atomic():
        locked = lock(row, only=("worker",))
    assert locked.get_deferred_fields() == {"token", "created_at"}
    assert locked.worker == "first"


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((Heartbeat,), {}, "never locks a whole table"),
        ((Heartbeat(pk=1), 1), {}, "takes no pk"),
    ],
)
def test_a_call_that_would_lock_the_wrong_rows_is_refused(db, args, kwargs, message):
    with pytest.raises(TypeError, match=message):
        lock(*args, **kwargs)


def test_the_select_asks_for_the_lock_the_caller_chose(row):
    on_postgresql()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        lock(row)
        lock(row, nowait=True)
        lock(row, skip_locked=True, missing_ok=True)
        lock(row, of=("self",))
    endings = [query["sql"].rsplit(" FOR UPDATE", 1)[1] for query in queries.captured_queries]
    assert endings == ["", " NOWAIT", " SKIP LOCKED", ' OF "core_heartbeat"']


# --- against another transaction's lock (PostgreSQL) ------------------------------------------


class OtherTransaction:
    """Holds the row's lock in another thread (another connection) until ``release``, after
    writing ``worker`` to it."""

    def __init__(self, pk: int, worker: str) -> None:
        self.locked, self.released = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run, args=(pk, worker))

    def _run(self, pk: int, worker: str) -> None:
        from django.db import connection as thread_connection

        try:
            with transaction.atomic():
                lock(Heartbeat, pk)
                Heartbeat.objects.filter(pk=pk).update(worker=worker)
                self.locked.set()
                self.released.wait(10)
        finally:
            thread_connection.close()

    def __enter__(self) -> "OtherTransaction":
        self.thread.start()
        assert self.locked.wait(10)
        return self

    def release(self) -> None:
        self.released.set()

    def __exit__(self, *exc: object) -> None:
        self.release()
        self.thread.join(10)


@pytest.mark.django_db(transaction=True)
def test_nowait_fails_at_once_with_an_error_seen_as_a_lock_conflict():
    on_postgresql()
    row = Heartbeat.objects.create(token="contended", worker="first")
    with (
        OtherTransaction(row.pk, "second"),
        pytest.raises(OperationalError) as raised,
        transaction.atomic(),
    ):
        lock(row, nowait=True)
    assert is_lock_conflict(raised.value)


@pytest.mark.django_db(transaction=True)
def test_skip_locked_passes_over_a_row_another_transaction_holds():
    on_postgresql()
    row = Heartbeat.objects.create(token="contended", worker="first")
    with OtherTransaction(row.pk, "second"), transaction.atomic():
        assert lock(row, skip_locked=True, missing_ok=True) is None


@pytest.mark.django_db(transaction=True)
def test_a_plain_lock_waits_for_the_other_transaction_and_reads_what_it_wrote():
    on_postgresql()
    row = Heartbeat.objects.create(token="contended", worker="first")
    with OtherTransaction(row.pk, "second") as other:
        threading.Timer(0.3, other.release).start()
        with transaction.atomic():
            locked = lock(row)
    assert locked.worker == "second"  # read after the other committed, not before


def test_other_operational_errors_are_not_lock_conflicts():
    assert not is_lock_conflict(OperationalError("server closed the connection unexpectedly"))
