from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "live"
    verbose_name = _("Live teaching")

    def ready(self) -> None:
        from cineloops.visibility import LOOP_VISIBILITY
        from live.hooks import loops_on_joinable_agendas

        # A session's audience sees the loops on its agenda (cineloops adds: only ready ones).
        LOOP_VISIBILITY.register(loops_on_joinable_agendas)
