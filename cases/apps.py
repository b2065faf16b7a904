from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Case library")

    def ready(self) -> None:
        from cases import cache
        from cases.hooks import loops_in_visible_cases
        from cineloops.visibility import LOOP_VISIBILITY

        # Trainees see a loop only through a case they may see (and only once it is ready).
        LOOP_VISIBILITY.register(loops_in_visible_cases)
        cache.connect()  # cached library parts: a new content version on every change
