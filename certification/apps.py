from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = _("Certification")

    def ready(self) -> None:
        from certification import signals
        from certification.hooks import loops_in_visible_entries
        from cineloops.visibility import LOOP_VISIBILITY

        # Records that can complete a requirement queue an evaluation after commit.
        signals.connect()
        # A logbook entry's loops are seen by those who may see the entry (once ready).
        LOOP_VISIBILITY.register(loops_in_visible_entries)
