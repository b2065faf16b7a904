"""Account operations called by views and the API."""

from django.conf import settings

from accounts.models import User


def set_preferred_language(*, user: User, language: str) -> None:
    """Remember the language a signed-in user chose in the switcher."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unsupported language {language!r}")
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
