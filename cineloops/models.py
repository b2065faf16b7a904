"""A cine loop: one uploaded DICOM file and the de-identified teaching material made from it.

What is stored is chosen for patient privacy. The original file name is never kept (names of
exported files often are patient names); a loop is called by a neutral label. The original
file is stored under a random name (``cineloops.storage``) until de-identification succeeds. Only
technical header facts (frames, timing, regions) are copied into the row, never a free-text
header value.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cine.renditions import LADDER
from cineloops import storage
from cineloops.messages import cleaning_label, cleaning_reason_text, error_text
from cineloops.visibility import visible_loops_q
from core.scoping import editable_q, may_edit

# Media kinds of the video's lower renditions -> their name ("video" itself is "high").
RENDITION_KINDS = {f"video-{rung.name}": rung.name for rung in LADDER}


class CineLoopQuerySet(models.QuerySet):
    def for_user(self, user) -> CineLoopQuerySet:
        return self.filter(visible_loops_q(user))

    def editable_by(self, user) -> CineLoopQuerySet:
        return self.filter(editable_q(user))


class LoopStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    QUEUED = "queued", _("Waiting to be processed")
    PROCESSING = "processing", _("Processing")
    READY = "ready", _("Ready")
    NEEDS_REVIEW = "needs_review", _("Needs review")
    FAILED = "failed", _("Failed")


class LoopSource(models.TextChoices):
    UPLOAD = "upload", _("Upload")
    ZIP = "zip", _("ZIP archive")
    IMPORT = "import", _("Imported from disk")
    DICOM_NETWORK = "dicom_network", _("Received over DICOM")


class ReviewResolution(models.TextChoices):
    """How an instructor resolved a loop that needed review (see ``cineloops.review``)."""

    NONE = "", _("Not reviewed")
    NO_TEXT = "no_burned_in_text", _("Confirmed: no burned-in text")
    KEEP_MASK = "keep_mask", _("Cleaned with a mask drawn by an instructor")


class CineLoop(models.Model):
    Status = LoopStatus
    Source = LoopSource
    Resolution = ReviewResolution

    DONE = frozenset({LoopStatus.READY, LoopStatus.NEEDS_REVIEW, LoopStatus.FAILED})
    # Done without a clean result: may be processed again while the original is stored.
    REPROCESSABLE = frozenset({LoopStatus.FAILED, LoopStatus.NEEDS_REVIEW})
    # Derived file kinds (URL names of the media view) -> model field with the file name; the
    # video's lower renditions are kinds of their own, named in ``renditions``.
    FILE_FIELDS = {
        "video": "video_file",
        "poster": "poster_file",
        "thumbnails": "thumbnails_file",
        "dicom": "dicom_file",
        "intensity": "intensity_file",
        "metadata": "metadata_file",
    }

    institution = models.ForeignKey(
        "accounts.Institution",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    label = models.CharField(
        _("label"),
        max_length=200,
        blank=True,
        help_text=_("A neutral name, never a patient's. Empty shows “Loop <number>”."),
    )
    source = models.CharField(_("source"), max_length=20, choices=LoopSource.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=LoopStatus.choices, default=LoopStatus.UPLOADED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    error_code = models.CharField(_("error code"), max_length=50, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    # The original: a random name in the originals' storage; emptied once the file is deleted.
    original_name = models.CharField(_("stored original"), max_length=100, blank=True)
    original_size = models.BigIntegerField(_("original size (bytes)"), default=0)

    # Which Celery task is processing the loop, and since when: a retry of the same task (its
    # worker process killed) may take over; a duplicate message may not.
    task_id = models.CharField(_("processing task"), max_length=255, blank=True)
    processing_started_at = models.DateTimeField(_("processing started"), null=True, blank=True)
    # Stamped by the run while it makes progress: a claim that stopped beating for longer than
    # CINE_HEARTBEAT_TIMEOUT_SECONDS is dead and the loop is queued again (``recoveries`` counts
    # those times, capped like the task's own retries).
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    recoveries = models.PositiveSmallIntegerField(_("recovered from a dead run"), default=0)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    # Derived, de-identified files: names inside the loop's output folder, empty when absent.
    # The folder is the processing run that made them (``loops/<pk>/<run>/`` in the media
    # storage), set with them: a new run's files are stored aside until the row points there.
    output_run = models.CharField(_("processing run of the files"), max_length=40, blank=True)
    video_file = models.CharField(_("video"), max_length=100, blank=True)
    poster_file = models.CharField(_("poster"), max_length=100, blank=True)
    thumbnails_file = models.CharField(_("thumbnails"), max_length=100, blank=True)
    dicom_file = models.CharField(_("de-identified DICOM"), max_length=100, blank=True)
    intensity_file = models.CharField(_("intensity stack"), max_length=100, blank=True)
    metadata_file = models.CharField(_("metadata"), max_length=100, blank=True)
    # The video at every quality there is, highest first: [{"name", "file", "width", "height",
    # "kbps"}], "high" being ``video_file`` (``cineloops.renditions``). Empty for a loop
    # processed before renditions existed, until ``manage.py make_renditions``.
    renditions = models.JSONField(_("video renditions"), default=list, blank=True)

    # Technical facts from the pipeline's metadata (no patient fields exist there).
    frames = models.PositiveIntegerField(_("frames"), null=True, blank=True)
    fps = models.FloatField(_("frames per second"), null=True, blank=True)
    duration_s = models.FloatField(_("duration (s)"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    columns = models.PositiveIntegerField(_("columns"), null=True, blank=True)
    regions = models.JSONField(_("ultrasound regions"), default=list, blank=True)
    pixel_cleaning = models.CharField(_("pixel cleaning"), max_length=30, blank=True)
    pixel_cleaning_reason = models.CharField(_("pixel cleaning note"), max_length=300, blank=True)
    # ``cine.cleaning.CleaningReason``: what the page shows, translated (the note is English).
    pixel_cleaning_code = models.CharField(_("pixel cleaning reason"), max_length=40, blank=True)

    # A needs-review loop resolved by an instructor: who, when, how; the rectangles they drew
    # ([x0, y0, x1, y1], inclusive original pixels) are applied on every later processing run.
    review_resolution = models.CharField(
        _("review"), max_length=20, choices=ReviewResolution.choices, blank=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    keep_mask = models.JSONField(_("keep rectangles"), default=list, blank=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CineLoopQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("cine loop")
        verbose_name_plural = _("cine loops")
        indexes = [models.Index(fields=["institution", "status"])]

    def __str__(self) -> str:
        return self.display_label

    def get_absolute_url(self) -> str:
        return reverse("cineloops:detail", kwargs={"pk": self.pk})

    @property
    def display_label(self) -> str:
        return self.label or gettext("Loop %(number)s") % {"number": self.pk}

    @property
    def is_done(self) -> bool:
        return self.status in self.DONE

    @property
    def has_outputs(self) -> bool:
        return self.status in (self.Status.READY, self.Status.NEEDS_REVIEW)

    @property
    def can_reprocess(self) -> bool:
        """Done without a clean result, and its original still stored (checked again, with
        the file itself, by ``cineloops.services.loop_reprocess``)."""
        return self.status in self.REPROCESSABLE and bool(self.original_name)

    @property
    def error_message(self) -> str:
        """The reason a loop failed, in the reader's language ('' unless failed)."""
        if self.status != self.Status.FAILED:
            return ""
        return error_text(self.error_code, self.error)

    @property
    def pixel_cleaning_display(self) -> str:
        return cleaning_label(self.pixel_cleaning) if self.pixel_cleaning else ""

    @property
    def pixel_cleaning_reason_display(self) -> str:
        """Why, in the reader's language; '' for an unknown code (never the English note)."""
        return cleaning_reason_text(self.pixel_cleaning_code)

    def file_name(self, kind: str) -> str:
        """The stored name of a derived file kind ('' when absent or not a known kind)."""
        field = self.FILE_FIELDS.get(kind)
        if field:
            return getattr(self, field)
        name = RENDITION_KINDS.get(kind)
        entry = next((r for r in self.renditions or () if r.get("name") == name), None)
        return str(entry.get("file") or "") if name and entry else ""

    def output_name(self, kind: str) -> str | None:
        """The storage name (``cineloops.storage.media``) of a derived file kind, or None."""
        name = self.file_name(kind)
        if not name or not self.output_run:
            return None
        return storage.output_name(self.pk, self.output_run, name)

    def media_url(self, kind: str) -> str | None:
        if not self.has_outputs or not self.file_name(kind):
            return None
        return reverse("cineloops:media", kwargs={"pk": self.pk, "kind": kind})

    def is_editable_by(self, user) -> bool:
        return may_edit(user, self)


class DicomSender(models.Model):
    """A scanner or PACS allowed to send to the DICOM listener (``manage.py dicom_listener``):
    its calling AE title, optionally the one address it must call from. What it sends becomes
    loops of its institution; anyone else is refused at association (``cineloops.dicom_scp``).
    """

    institution = models.ForeignKey(
        "accounts.Institution",
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    ae_title = models.CharField(
        _("calling AE title"), max_length=16, help_text=_("As configured on the scanner or PACS.")
    )
    address = models.GenericIPAddressField(
        _("address"),
        null=True,
        blank=True,
        help_text=_("Accept this AE title only from this IP address. Empty: from any address."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["ae_title", "address"]
        verbose_name = _("DICOM sender")
        verbose_name_plural = _("DICOM senders")
        constraints = [
            # One owner per (AE title, address): received files go to exactly one institution.
            models.UniqueConstraint(fields=["ae_title", "address"], name="dicom_sender_unique"),
            models.UniqueConstraint(
                fields=["ae_title"],
                condition=models.Q(address__isnull=True),
                name="dicom_sender_unique_any_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ae_title} @ {self.address or '*'}"

    def save(self, *args, **kwargs) -> None:
        self.ae_title = self.ae_title.strip()  # DICOM pads AE titles with spaces
        super().save(*args, **kwargs)


class UploadStatus(models.TextChoices):
    RECEIVING = "receiving", _("Receiving")
    ASSEMBLING = "assembling", _("Joining the parts")
    COMPLETE = "complete", _("Complete")


class ResumableUpload(models.Model):
    """A file being uploaded in parts (``cineloops.resumable``): how far it got, whose it is,
    and, once complete, the loops made from it. The id is the upload's address: random, and
    only its creator may use it. The parts are stored files (``cineloops.storage.PARTIAL``),
    one ``UploadPart`` row each; no row, no parts (the expiry sweep deletes both)."""

    Status = UploadStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    institution = models.ForeignKey(
        "accounts.Institution",
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    length = models.BigIntegerField(_("length (bytes)"))
    offset = models.BigIntegerField(_("received (bytes)"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=UploadStatus.choices, default=UploadStatus.RECEIVING
    )
    # What became of the file: {"accepted": [{file, entry, loop}], "rejected": [{file, entry,
    # error, code}]}, as ``cineloops.services.Batch`` (loop ids, never names).
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Pushed back by every part received: an upload in progress does not expire under way.
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("resumable upload")
        verbose_name_plural = _("resumable uploads")

    def __str__(self) -> str:
        return f"{self.pk} ({self.offset}/{self.length})"


class UploadPart(models.Model):
    """One stored part of a resumable upload: bytes ``offset`` to ``offset + size``."""

    upload = models.ForeignKey(
        ResumableUpload, verbose_name=_("upload"), on_delete=models.CASCADE, related_name="parts"
    )
    offset = models.BigIntegerField(_("offset"))
    size = models.BigIntegerField(_("size (bytes)"))
    name = models.CharField(_("stored part"), max_length=200)

    class Meta:
        ordering = ["upload", "offset"]
        verbose_name = _("upload part")
        verbose_name_plural = _("upload parts")
        constraints = [
            models.UniqueConstraint(fields=["upload", "offset"], name="upload_part_unique_offset")
        ]

    def __str__(self) -> str:
        return f"{self.upload_id} @ {self.offset} (+{self.size})"
