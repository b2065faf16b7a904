"""Resumable uploads behind the API: parts cut off on the way, the expiry sweep (fake clock),
joins made exactly once, and parts that reach different web hosts through the object store."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from cineloops import resumable, services, storage
from cineloops.models import CineLoop, ResumableUpload, UploadPart
from cineloops.resumable import UploadRefused, upload_append, upload_create, upload_finish
from cineloops.tasks import upload_finish_task
from tests.cineloops.samples import dicom_head, good_cine
from tests.cineloops.tus import address, create, patch

pytestmark = pytest.mark.django_db
Status = ResumableUpload.Status
DATA = dicom_head(bytes(range(256)) * 16)  # 4228 bytes that start like DICOM


class CutOff:
    """A request body whose client goes away after ``after`` bytes (the socket errors)."""

    def __init__(self, data: bytes, after: int) -> None:
        self.data, self.after, self.position = data, after, 0

    def read(self, size: int = -1) -> bytes:
        if self.position >= self.after:
            raise OSError("connection reset by peer")
        end = min(self.after, self.position + (size if size >= 0 else len(self.data)))
        chunk, self.position = self.data[self.position : end], end
        return chunk


class Body(CutOff):
    def __init__(self, data: bytes) -> None:
        super().__init__(data, len(data) + 1)

    def read(self, size: int = -1) -> bytes:
        return super().read(size) if self.position < len(self.data) else b""


@pytest.fixture
def joins(monkeypatch) -> list[dict]:
    """Joins queued (not run): no message may reach the session's real broker."""
    sent: list[dict] = []
    monkeypatch.setattr(upload_finish_task, "delay", lambda **kwargs: sent.append(kwargs))
    return sent


def stored_parts(upload: ResumableUpload | None = None) -> list[str]:
    prefix = storage.partial_prefix(str(upload.pk)) if upload else storage.PARTIAL
    return storage.list_files(storage.originals(), prefix)


def append(upload, offset: int, data: bytes, now=None, **kwargs) -> ResumableUpload:
    return upload_append(upload=upload, offset=offset, body=Body(data), now=now, **kwargs)


def test_a_part_cut_off_without_a_checksum_is_kept_as_far_as_it_arrived(instructor):
    upload = upload_create(by=instructor, length=len(DATA))

    upload = upload_append(upload=upload, offset=0, body=CutOff(DATA, 1500), declared=len(DATA))

    assert upload.offset == 1500
    assert [(p.offset, p.size) for p in UploadPart.objects.all()] == [(0, 1500)]
    # The client asks where to resume (HEAD) and sends the rest from there.
    upload = append(upload, 1500, DATA[1500:], declared=len(DATA) - 1500)
    assert (upload.offset, upload.status) == (len(DATA), Status.ASSEMBLING)
    joined = b"".join(storage.partial_chunks(p.name for p in UploadPart.objects.all()))
    assert joined == DATA


def test_a_part_cut_off_with_a_checksum_is_dropped_whole(instructor):
    upload = upload_create(by=instructor, length=len(DATA))
    digest = ("sha1", hashlib.sha1(DATA).digest())

    with pytest.raises(UploadRefused) as refused:
        upload_append(
            upload=upload, offset=0, body=CutOff(DATA, 1500), declared=len(DATA), checksum=digest
        )

    assert refused.value.code == "checksum_mismatch"
    upload.refresh_from_db()
    assert upload.offset == 0
    assert stored_parts() == []
    assert list(storage.incoming_dir().iterdir()) == []


def test_a_part_past_the_length_is_refused_while_it_streams_in(instructor):
    """No Content-Length to refuse it by: the bytes are counted as they arrive."""
    upload = upload_create(by=instructor, length=len(DATA))

    with pytest.raises(UploadRefused) as refused:
        append(upload, 0, DATA + b"x" * 5000, declared=None)

    assert refused.value.code == "beyond_length"
    assert stored_parts() == []
    assert list(storage.incoming_dir().iterdir()) == []


def test_two_requests_racing_for_one_offset_append_it_once(instructor, monkeypatch):
    """Both stream their part; the second to take the row lock finds the offset moved on,
    and its stored part is deleted."""
    upload = upload_create(by=instructor, length=len(DATA))
    stale = ResumableUpload.objects.get(pk=upload.pk)  # read before the first part
    append(upload, 0, DATA[:2000])

    with pytest.raises(UploadRefused) as refused:
        # The quick check passes on its stale copy; the locked one refuses.
        append(stale, 0, DATA[:2000])

    assert (refused.value.code, refused.value.offset) == ("offset_mismatch", 2000)
    assert UploadPart.objects.count() == 1
    assert len(stored_parts()) == 1


def test_the_sweep_deletes_an_expired_partial_upload_and_keeps_a_fresh_one(
    instructor, settings, now, later, django_capture_on_commit_callbacks
):
    settings.CINE_PARTIAL_UPLOAD_HOURS = 24
    stale = upload_create(by=instructor, length=len(DATA), now=now)
    fresh = upload_create(by=instructor, length=len(DATA), now=now)
    append(stale, 0, DATA[:1000], now=now)
    fresh = append(fresh, 0, DATA[:1000], now=now)
    append(fresh, 1000, DATA[1000:2000], now=later(hours=20))  # a part pushes expiry back

    with django_capture_on_commit_callbacks(execute=True):
        early = resumable.uploads_delete_expired(now=later(hours=23))
        swept = resumable.uploads_delete_expired(now=later(hours=25))

    assert early == {"expired": 0, "requeued": 0, "orphans": 0}
    assert swept == {"expired": 1, "requeued": 0, "orphans": 0}
    assert list(ResumableUpload.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert stored_parts(stale) == []
    assert len(stored_parts(fresh)) == 2
    assert UploadPart.objects.filter(upload=fresh).count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        assert resumable.uploads_delete_expired(now=later(hours=44, minutes=1))["expired"] == 1
    assert not ResumableUpload.objects.exists()
    assert stored_parts() == []


def test_the_sweep_deletes_parts_no_upload_owns(instructor, django_capture_on_commit_callbacks):
    """A host stopped between storing a part and recording it; a user was deleted."""
    upload = upload_create(by=instructor, length=len(DATA))
    append(upload, 0, DATA[:1000])
    gone = upload_create(by=instructor, length=len(DATA))
    append(gone, 0, DATA[:1000])
    ResumableUpload.objects.filter(pk=gone.pk).delete()  # no on_commit: its parts stay

    with django_capture_on_commit_callbacks(execute=True):
        swept = resumable.uploads_delete_expired()

    assert swept["orphans"] == 1
    assert stored_parts(gone) == []
    assert len(stored_parts(upload)) == 1


def test_a_complete_upload_record_is_deleted_when_it_expires(
    instructor, joins, settings, now, later, django_capture_on_commit_callbacks
):
    upload = upload_create(by=instructor, length=len(DATA), now=now)
    append(upload, 0, DATA, now=now)
    assert upload_finish(upload_pk=upload.pk, now=now)

    with django_capture_on_commit_callbacks(execute=True):
        swept = resumable.uploads_delete_expired(now=later(hours=25))

    assert swept["expired"] == 0  # counted: unfinished uploads only
    assert not ResumableUpload.objects.exists()


def test_the_join_makes_the_loops_once_even_when_cut_off_half_way(
    instructor, joins, queued_messages, monkeypatch, tmp_path, django_capture_on_commit_callbacks
):
    data = good_cine(tmp_path / "a.dcm").read_bytes()
    upload = upload_create(by=instructor, length=len(data))
    with django_capture_on_commit_callbacks(execute=True):
        append(upload, 0, data)
    assert joins == [{"upload_pk": str(upload.pk)}]
    real = services.loops_create_from_files

    def made_a_loop_then_the_store_failed(**kwargs):
        real(**kwargs)
        raise OSError("the store went away")

    monkeypatch.setattr(services, "loops_create_from_files", made_a_loop_then_the_store_failed)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(OSError):
        upload_finish(upload_pk=upload.pk)
    assert not CineLoop.objects.exists()  # rolled back with the row's transaction
    assert ResumableUpload.objects.get().status == Status.ASSEMBLING
    assert queued_messages == []

    monkeypatch.setattr(services, "loops_create_from_files", real)
    with django_capture_on_commit_callbacks(execute=True):
        assert upload_finish(upload_pk=upload.pk) is True
        assert upload_finish(upload_pk=upload.pk) is False  # a duplicate message

    loop = CineLoop.objects.get()
    assert queued_messages == [{"loop_pk": loop.pk}]
    upload.refresh_from_db()
    assert upload.status == Status.COMPLETE
    assert upload.result == {
        "accepted": [{"file": 0, "entry": None, "loop": loop.pk}],
        "rejected": [],
    }
    assert stored_parts() == []


def test_a_join_whose_message_was_lost_is_queued_again_by_the_sweep(
    instructor, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(**kwargs):
        raise BrokerError("connection refused")

    monkeypatch.setattr(upload_finish_task, "delay", broker_down)
    upload = upload_create(by=instructor, length=len(DATA))
    with django_capture_on_commit_callbacks(execute=True):
        append(upload, 0, DATA)  # the send fails (logged): the client is told 204 all the same
    assert ResumableUpload.objects.get().status == Status.ASSEMBLING
    sent: list[dict] = []
    monkeypatch.setattr(upload_finish_task, "delay", lambda **kwargs: sent.append(kwargs))
    soon = timezone.now() + timedelta(minutes=1)
    later = timezone.now() + resumable.JOIN_STALLED_AFTER + timedelta(minutes=1)

    assert resumable.uploads_delete_expired(now=soon)["requeued"] == 0
    assert resumable.uploads_delete_expired(now=later)["requeued"] == 1
    assert resumable.uploads_delete_expired(now=later)["requeued"] == 0  # touched: not twice

    assert sent == [{"upload_pk": str(upload.pk)}]


@pytest.mark.django_db(transaction=True)
def test_parts_received_by_different_web_hosts_are_joined_through_the_object_store(
    s3_mock, celery_eager, api, settings, tmp_path
):
    """Two web hosts behind a load balancer, each with its own var/: the parts meet in the
    bucket; nothing stays on either host."""
    data = good_cine(tmp_path / "a.dcm", frames=12).read_bytes()
    hosts = [tmp_path / "web-a", tmp_path / "web-b"]
    half = len(data) // 2
    settings.CINE_UPLOAD_DIR = hosts[0]
    url = address(create(api, len(data)))
    assert patch(api, url, data[:half], 0).status_code == 204
    assert len(s3_mock.stored("originals/partial/")) == 1

    settings.CINE_UPLOAD_DIR = hosts[1]
    assert patch(api, url, data[half:], half).status_code == 204

    [accepted] = api.get(url).json()["result"]["accepted"]
    assert accepted["loop"]["status"] == "ready"
    assert s3_mock.stored("originals/") == []  # parts joined, original de-identified and gone
    left = [p for host in hosts if host.exists() for p in host.rglob("*") if p.is_file()]
    assert left == []


@pytest.mark.django_db(transaction=True)
def test_a_join_or_sweep_meeting_a_join_in_progress_leaves_it_alone(instructor):
    """The row lock of a join in progress (PostgreSQL): a duplicate message returns at once
    (nowait), and the expiry sweep passes the row by (skip_locked) even once it has expired."""
    import threading

    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite locks the whole database)")
    upload = upload_create(by=instructor, length=len(DATA))
    append(upload, 0, DATA)
    locked, release = threading.Event(), threading.Event()

    def joining():
        from django.db import connection as thread_connection

        with transaction.atomic():
            ResumableUpload.objects.select_for_update().get(pk=upload.pk)
            locked.set()
            release.wait(10)
        thread_connection.close()

    thread = threading.Thread(target=joining)
    thread.start()
    try:
        assert locked.wait(10)
        duplicate = upload_finish(upload_pk=upload.pk)
        swept = resumable.uploads_delete_expired(now=timezone.now() + timedelta(days=2))
    finally:
        release.set()
        thread.join()

    assert duplicate is False
    assert swept["expired"] == 0
    assert ResumableUpload.objects.get().status == Status.ASSEMBLING
    assert len(stored_parts(upload)) == 1
