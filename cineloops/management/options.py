"""Options shared by the cine loop management commands."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db.models import Q

from accounts.models import Institution, User
from core.content_language import in_any_language


def resolve_user(value: str | None) -> User | None:
    if not value:
        return None
    try:
        return User.objects.get(username=value)
    except User.DoesNotExist:
        raise CommandError(f"No user named {value!r}.") from None


def resolve_institution(value: str | None, user: User | None = None) -> Institution:
    """By id, name or short name (in either language, whatever the active one); else the
    user's; else the only one there is."""
    if value:
        match = in_any_language("name", "iexact", value) | in_any_language(
            "short_name", "iexact", value
        )
        if value.isdigit():
            match |= Q(pk=int(value))
        found = list(Institution.objects.filter(match)[:2])
        if len(found) != 1:
            count = len(found) or "no"
            raise CommandError(f"--institution {value!r} matches {count} institutions.")
        return found[0]
    if user is not None and user.institution_id:
        return user.institution
    only = list(Institution.objects.all()[:2])
    if len(only) != 1:
        raise CommandError("Say which institution owns the loops: --institution NAME|ID.")
    return only[0]
