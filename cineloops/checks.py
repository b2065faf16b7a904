"""System checks: patient files must never sit where a web server serves files directly, and
hosts that share an object store share everything else they need too."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from training.env import env_str


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


# What web and workers on separate hosts must share besides the object store, and where the
# embedded defaults keep it instead: on one host.
_HOST_LOCAL = {
    "DATABASE_URL": lambda: settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    "CELERY_BROKER_URL": lambda: settings.CELERY_BROKER_URL.startswith("filesystem://"),
    "CACHE_URL": lambda: "locmem" in settings.CACHES["default"]["BACKEND"],
    "DJANGO_SECRET_KEY": lambda: not env_str("DJANGO_SECRET_KEY"),
    "CINE_DEID_SECRET": lambda: not env_str("CINE_DEID_SECRET"),
    "CERT_SIGNING_SECRET": lambda: not env_str("CERT_SIGNING_SECRET"),
}


@register(Tags.security, deploy=True)
def hosts_share_more_than_the_object_store(app_configs=None, **kwargs) -> list[Warning]:
    """With cine files in an object store, web and workers may run on separate hosts with
    separate var/ folders: what they share must then not come from var/ either."""
    if not settings.CEUS_S3_BUCKET:
        return []
    unset = [name for name, host_local in _HOST_LOCAL.items() if host_local()]
    if not unset:
        return []
    return [
        Warning(
            "Cine files are in an object store, but these still come from this host's var/ "
            f"folder (or this process): {', '.join(unset)}.",
            hint="Hosts that do not share a var/ folder need each of them set, the same "
            "everywhere (README: Deployment).",
            id="cineloops.W001",
        )
    ]
