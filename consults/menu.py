"""The consultation pages a user reaches from the menu (and the tabs of those pages): one
list, so that the menu and the pages never disagree about who may open what."""

from __future__ import annotations

from django.utils.translation import gettext as _

from consults import rights


def menu_links(user) -> list[tuple[str, str]]:
    """(URL name, label) of the consultation pages ``user`` may open, in menu order."""
    links: list[tuple[str, str]] = []
    if rights.may_ask(user):
        links += [
            ("consults:inbox", _("Inbox")),
            ("consults:new", _("Ask an expert centre")),
            ("consults:mine", _("My consultations")),
        ]
    if rights.may_see_queue(user):
        links.append(("consults:queue", _("Centre queue")))
    if rights.may_read_report(user):
        links.append(("consults:report", _("Consultation report")))
    return links
