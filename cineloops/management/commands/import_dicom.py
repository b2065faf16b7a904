"""``manage.py import_dicom PATH…``: DICOM files, folders of them and ZIPs become loops.

Each file is stored like an upload and queued for processing by the workers. Files are named
in the output by number only, unless ``--show-paths``: exported file and folder names are
often patient names, and command output ends up in logs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from cineloops.management.options import resolve_institution, resolve_user
from cineloops.services import Batch, Rejected, loops_create_from_path

BAR_WIDTH = 30


def _files(paths: list[str]) -> Iterator[Path]:
    """The files to import, folders walked in sorted order (hidden files and DICOMDIR out)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                if child.is_file() and not hidden and child.name.upper() != "DICOMDIR":
                    yield child
        else:
            yield path  # missing ones are reported as failures


def progress_bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    filled = width * done // total if total else width
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"


class Command(BaseCommand):
    help = "Import DICOM cine files, folders and ZIPs as loops, queued for processing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="file, folder or ZIP")
        parser.add_argument("--institution", help="owner: id, name or short name")
        parser.add_argument("--user", help="username recorded as the uploader (an instructor)")
        parser.add_argument(
            "--show-paths",
            action="store_true",
            help="name failed files by path (paths may hold patient names)",
        )

    def handle(self, *args, **options) -> None:
        user = resolve_user(options["user"])
        institution = resolve_institution(options["institution"], user)
        files = list(_files(options["paths"]))
        if not files:
            raise CommandError("No files found.")
        total, batch = len(files), Batch()
        labels: list[str] = []
        interactive = self.stdout.isatty()  # redraw one line; in a log, one line each
        for index, path in enumerate(files):
            labels.append(str(path) if options["show_paths"] else f"file {index + 1}")
            if not path.is_file():
                batch.rejected.append(Rejected(index, "no such file"))
            else:
                try:
                    batch.extend(
                        loops_create_from_path(
                            path=path, by=user, institution=institution, file_index=index
                        )
                    )
                except PermissionDenied as exc:
                    raise CommandError(str(exc)) from exc
            bar = progress_bar(index + 1, total)
            if interactive:
                self.stdout.write(f"\r{bar}", ending="")
            else:
                self.stdout.write(bar)
        if interactive:
            self.stdout.write("")
        self._summary(batch, total, labels)

    def _summary(self, batch: Batch, total: int, labels: list[str]) -> None:
        self.stdout.write(
            f"Imported {len(batch.accepted)} loops from {total} files; processing is queued."
        )
        for item in batch.rejected:
            where = labels[item.file] + (f", ZIP entry {item.entry}" if item.entry else "")
            self.stderr.write(f"  failed: {where}: {item.message}")
        failed_files = len({item.file for item in batch.rejected})
        if failed_files:
            raise CommandError(f"{failed_files} of {total} files could not be fully imported.")
