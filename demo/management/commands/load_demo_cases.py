from django.core.management.base import BaseCommand, CommandError

from demo.allowed import DemoDataRefused
from demo.cases import load_demo_cases


class Command(BaseCommand):
    help = (
        "Create three published demo CEUS cases from generated DICOM loops (needs the demo "
        "accounts of load_demo_data; refused in production)."
    )

    def handle(self, *args, **options) -> None:
        try:
            created = load_demo_cases()
        except DemoDataRefused as exc:
            raise CommandError(str(exc)) from exc
        if created:
            self.stdout.write(self.style.SUCCESS("Demo cases loaded."))
        else:
            self.stdout.write("Cases exist, or the demo accounts are missing: nothing loaded.")
