"""``manage.py dicom_listener``: receive ultrasound cines from scanners and PACS (C-STORE)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from cineloops.dicom_scp import loop_receiver, start_listener
from cineloops.management.options import resolve_institution
from cineloops.models import DicomSender


class Command(BaseCommand):
    help = (
        "Run a DICOM Storage SCP for the registered DICOM senders (admin: DICOM senders); "
        "every received ultrasound object becomes a loop of its sender's institution."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=11112)
        parser.add_argument("--ae-title", default="CEUS_TRAINING", help="at most 16 characters")
        parser.add_argument(
            "--bind",
            default="127.0.0.1",
            help="address to listen on (default loopback; 0.0.0.0 for every interface)",
        )
        parser.add_argument(
            "--institution", help="accept only this institution's senders: id or name"
        )

    def handle(self, *args, **options) -> None:
        institution = None
        if options["institution"]:
            institution = resolve_institution(options["institution"])
        senders = DicomSender.objects.filter(active=True)
        if institution is not None:
            senders = senders.filter(institution=institution)
        title, bind, port = options["ae_title"], options["bind"], options["port"]
        whose = f"senders of {institution}" if institution else "registered senders"
        self.stdout.write(
            f"{title} listening on {bind}:{port} for {whose} ({senders.count()} active); "
            "Ctrl-C stops."
        )
        if not senders.exists():
            self.stderr.write("No active DICOM sender: every association will be refused.")
        try:
            start_listener(
                ae_title=title,
                bind=bind,
                port=port,
                receive=loop_receiver(),
                block=True,
                institution_id=institution.pk if institution else None,
            )
        except (ValueError, OSError) as exc:  # bad AE title, port in use
            raise CommandError(str(exc)) from exc
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
