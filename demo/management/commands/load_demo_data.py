from django.core.management.base import BaseCommand, CommandError

from demo.accounts import DEMO_PASSWORD
from demo.allowed import DemoDataRefused
from demo.courses import load_demo_data
from demo.loaders import run_demo_loaders


class Command(BaseCommand):
    help = "Create demo institutions, accounts and courses (refused in production)."

    def handle(self, *args, **options) -> None:
        try:
            created = load_demo_data()
            if created:
                for line in run_demo_loaders():  # cases, quizzes, certification
                    self.stdout.write(line)
        except DemoDataRefused as exc:
            raise CommandError(str(exc)) from exc
        if not created:
            self.stdout.write("Courses already exist: demo data not loaded.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data loaded. Accounts trainee, instructor, director and admin; "
                f"password {DEMO_PASSWORD!r}."
            )
        )
