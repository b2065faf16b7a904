from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = _("Certification")

    def ready(self) -> None:
        from certification import signals
        from certification.hooks import loops_in_visible_entries
        from cineloops.visibility import LOOP_VISIBILITY
        from courses.demo import DEMO_LOADERS

        # Records that can complete a requirement queue an evaluation after commit.
        signals.connect()
        # A logbook entry's loops are seen by those who may see the entry (once ready).
        LOOP_VISIBILITY.register(loops_in_visible_entries)
        # The demo programme runs after the course, cases and quizzes loaders (INSTALLED_APPS).
        DEMO_LOADERS.register(_load_demo_certification)


def _load_demo_certification() -> str:
    from certification.demo import load_demo_certification

    return load_demo_certification()
