from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CineLoopsConfig(AppConfig):
    name = "cineloops"
    verbose_name = _("Cine loops")

    def ready(self) -> None:
        from cineloops import checks  # noqa: F401 (registers the system checks)
