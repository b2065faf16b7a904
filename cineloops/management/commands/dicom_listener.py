"""``manage.py dicom_listener``: receive ultrasound cines from scanners and PACS (C-STORE)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from cineloops.dicom_scp import loop_receiver, start_listener
from cineloops.management.options import resolve_institution


class Command(BaseCommand):
    help = "Run a DICOM Storage SCP; every received ultrasound object becomes a loop."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=11112)
        parser.add_argument("--ae-title", default="CEUS_TRAINING", help="at most 16 characters")
        parser.add_argument("--host", default="0.0.0.0", help="address to listen on")
        parser.add_argument("--institution", help="owner of received loops: id or name")

    def handle(self, *args, **options) -> None:
        institution = resolve_institution(options["institution"])
        title, host, port = options["ae_title"], options["host"], options["port"]
        self.stdout.write(f"{title} listening on {host}:{port} for {institution}; Ctrl-C stops.")
        try:
            start_listener(
                ae_title=title,
                host=host,
                port=port,
                receive=loop_receiver(institution),
                block=True,
            )
        except (ValueError, OSError) as exc:  # bad AE title, port in use
            raise CommandError(str(exc)) from exc
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
