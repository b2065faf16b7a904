from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultsConfig(AppConfig):
    name = "consults"
    verbose_name = _("Remote consultations")

    def ready(self) -> None:
        from cineloops.visibility import LOOP_VISIBILITY
        from consults.hooks import loops_in_inbox, loops_in_visible_consults

        # The centre's experts see a consult's loops through it; the institution's staff see
        # what its scanners sent in their inbox (cineloops adds: only ready ones).
        LOOP_VISIBILITY.register(loops_in_visible_consults)
        LOOP_VISIBILITY.register(loops_in_inbox)
