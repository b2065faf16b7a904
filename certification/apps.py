from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = _("Certification")

    def ready(self) -> None:
        from certification import signals
        from certification.services.logbook_access import loops_in_visible_entries
        from cineloops.visibility import register_visibility_rule

        # Records that can complete a requirement queue an evaluation after commit.
        signals.connect()
        # A logbook entry's loops are seen by those who may see the entry (once ready).
        register_visibility_rule(loops_in_visible_entries)
        # The demo programme runs after the course, cases and quizzes loaders (INSTALLED_APPS).
        from courses.demo import register_demo_loader

        register_demo_loader(_load_demo_certification)


def _load_demo_certification() -> str:
    from certification.demo import load_demo_certification

    return load_demo_certification()
