from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "live"
    verbose_name = _("Live teaching")

    def ready(self) -> None:
        from cineloops.visibility import LOOP_VISIBILITY
        from courses.dashboard_hooks import DASHBOARD_BLOCKS
        from live.hooks import loops_on_joinable_agendas, upcoming_block

        # A session's audience sees the loops on its agenda (cineloops adds: only ready ones).
        LOOP_VISIBILITY.register(loops_on_joinable_agendas)
        # The learner's dashboard shows the next sessions.
        DASHBOARD_BLOCKS.register(upcoming_block)
