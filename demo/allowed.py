"""Demo data is for a laptop or a training session, never for production: every loader calls
``ensure_allowed()`` before it writes anything (``settings.DEMO_DATA_ALLOWED``, off when
``PRODUCTION``)."""

from django.conf import settings


class DemoDataRefused(RuntimeError):
    """Raised when demo data would be loaded where it is not allowed (production)."""


def ensure_allowed() -> None:
    if not settings.DEMO_DATA_ALLOWED:
        raise DemoDataRefused("Demo data is not allowed here (DEMO_DATA_ALLOWED is False).")
