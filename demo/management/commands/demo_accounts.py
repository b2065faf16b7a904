from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from demo.accounts import DEMO_ACCOUNTS, banner_lines


class Command(BaseCommand):
    help = (
        "List the demo accounts present in the database with their role, institution and what "
        "to try (the start banner of serve prints it)."
    )

    def handle(self, *args, **options) -> None:
        usernames = [account.username for account in DEMO_ACCOUNTS]
        existing = set(
            get_user_model()
            .objects.filter(username__in=usernames)
            .values_list("username", flat=True)
        )
        for line in banner_lines(existing):
            self.stdout.write(line)
