"""What a "share those too" action tells its author (quiz builder, question form, programme
version page): what was shared, and what stays hidden with why."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from core.scoping import SharingResult


def report_sharing(request: HttpRequest, result: SharingResult) -> None:
    if result.shared:
        names = ", ".join(f"“{dep.obj}”" for dep in result.shared)
        messages.success(request, _("Shared with the whole network: %(names)s.") % {"names": names})
    for dep in result.left:
        why = "" if dep.editable else " " + _("You cannot change it: ask its authors.")
        messages.warning(request, dep.message + why)
