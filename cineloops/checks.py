"""System checks: patient files must never sit where a web server serves files directly."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register


def _inside(child: Path, parent: Path) -> bool:
    child, parent = child.resolve(), parent.resolve()
    return child == parent or parent in child.parents


@register(Tags.security)
def cine_folders_are_private(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    served = {"MEDIA_ROOT": settings.MEDIA_ROOT, "STATIC_ROOT": settings.STATIC_ROOT}
    for name in ("CINE_UPLOAD_DIR", "CINE_MEDIA_DIR"):
        folder = Path(getattr(settings, name))
        for served_name, served_path in served.items():
            if served_path and _inside(folder, Path(served_path)):
                errors.append(
                    Error(
                        f"{name} is inside {served_name}, which may be served without "
                        "permission checks.",
                        hint=f"Move {name} out of {served_name} (default: under var/).",
                        id="cineloops.E001",
                    )
                )
    return errors
