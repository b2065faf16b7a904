"""The consultation pages a user reaches from the menu's *Consultations* entry and the tabs of
those pages: one list, so that the menu and the pages never disagree about who may open what.
The first is where the menu entry leads: the centre's queue for its staff, the requester's own
consultations for everyone else."""

from __future__ import annotations

from django.utils.translation import gettext as _

from consults import rights


def menu_links(user) -> list[tuple[str, str]]:
    """(URL name, label) of the consultation pages ``user`` may open, the menu's first."""
    links: list[tuple[str, str]] = []
    if rights.may_see_queue(user):
        links.append(("consults:queue", _("Centre queue")))
    if rights.may_ask(user):
        links += [
            ("consults:mine", _("My consultations")),
            ("consults:inbox", _("Inbox")),
            ("consults:new", _("Ask an expert centre")),
        ]
    if rights.may_read_report(user):
        links.append(("consults:report", _("Consultation report")))
    return links
