"""Streaming uploads: written straight into the private upload folder, refused past the limit.

Django's default handlers keep small files in memory and big ones in the system temp folder;
ours writes every file to ``CINE_UPLOAD_DIR/incoming`` (owner-only), so an accepted upload is
moved into the originals' folder instead of copied (or streamed from there to the object
store), and an original never lands in a shared folder. The
handler counts bytes as they stream in and stops reading the request once a file passes
``CINE_MAX_UPLOAD_BYTES``: a 50 GB upload costs the server no more than the limit.
``dicom_refusal`` is the check of a file's first bytes that every way in applies;
``MultipleFileField`` the form field of the pages that take several files at once.
"""

from __future__ import annotations

import contextlib
import tempfile

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from cine.dataset_checks import looks_like_dicom
from cineloops.storage import incoming_dir

_REFUSED_ATTR = "cine_upload_refused_limit"


def dicom_refusal(head: bytes) -> ValidationError | None:
    """Why a file whose first 132 bytes are ``head`` is refused at upload, or None.

    Only the start is checked (the DICOM preamble, or a dataset without it): the rest is
    processing's to judge, with its own reasons.
    """
    if not head:
        return ValidationError(_("The file is empty."), "empty_file")
    if not looks_like_dicom(head):
        return ValidationError(
            _(
                "The file is not a DICOM file: it starts with neither the DICOM preamble nor a "
                "DICOM dataset."
            ),
            "not_dicom",
        )
    return None


def too_large_message(limit: int) -> str:
    return _("The file is larger than the upload limit of %(limit)s.") % {
        "limit": filesizeformat(limit)
    }


class PrivateUploadedFile(UploadedFile):
    """An upload on disk in the private incoming folder; deleted when closed unless a service
    has renamed it into place first."""

    def __init__(self, name, content_type, size, charset, content_type_extra=None):
        # Mode 0600; closed (and so deleted) by close() below, like Django's temporary uploads.
        file = tempfile.NamedTemporaryFile(dir=incoming_dir(), prefix=".upload-")  # noqa: SIM115
        super().__init__(file, name, content_type, size, charset, content_type_extra)

    def temporary_file_path(self) -> str:
        return self.file.name

    def close(self) -> None:
        with contextlib.suppress(FileNotFoundError):  # renamed into place: nothing to delete
            self.file.close()


class CineUploadHandler(FileUploadHandler):
    """Streams each file of a multipart request to disk, and stops the whole request as soon
    as one file is larger than the limit (``upload_refused`` then says so)."""

    def __init__(self, request: HttpRequest | None = None, limit: int | None = None) -> None:
        super().__init__(request)
        self.limit = settings.CINE_MAX_UPLOAD_BYTES if limit is None else limit

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        # A per-part Content-Length is rare, but when present it lets us refuse before reading.
        if self.content_length is not None and self.content_length > self.limit:
            self._refuse()
        self.file = PrivateUploadedFile(
            self.file_name, self.content_type, 0, self.charset, self.content_type_extra
        )

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if start + len(raw_data) > self.limit:
            self._refuse()
        self.file.write(raw_data)

    def file_complete(self, file_size: int) -> UploadedFile:
        self.file.seek(0)
        self.file.size = file_size
        return self.file

    def upload_interrupted(self) -> None:
        if hasattr(self, "file"):
            self.file.close()

    def _refuse(self) -> None:
        if self.request is not None:
            setattr(self.request, _REFUSED_ATTR, self.limit)
        # connection_reset: do not read (and throw away) the rest of the body.
        raise StopUpload(connection_reset=True)


def install_upload_handler(request: HttpRequest) -> None:
    """Use the cine handler for this request; call before anything reads ``request.POST``."""
    request.upload_handlers = [CineUploadHandler(request)]


def upload_refused(request: HttpRequest) -> int | None:
    """The limit that stopped this request's upload, or None."""
    return getattr(request, _REFUSED_ATTR, None)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".dcm,.zip,application/dicom"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []
