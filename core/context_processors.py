"""Template context for every page: the menu's badges of work waiting for the current user."""

from __future__ import annotations

from functools import cached_property

from django.http import HttpRequest


class MenuCounts:
    """Counts read only when a template shows them: one query each, none for anonymous users
    or for people who could not act on them."""

    def __init__(self, user) -> None:
        self.user = user

    @cached_property
    def may_review(self) -> bool:
        from cases.reviewers import may_review

        return may_review(self.user)

    @cached_property
    def may_sign_off(self) -> bool:
        from certification.services.logbook_access import may_sign_off

        return may_sign_off(self.user)

    @cached_property
    def reviews(self) -> int:
        """Cases in review that the user may approve or return."""
        if not self.may_review:
            return 0
        from cases.models import Case

        return Case.objects.awaiting_review_by(self.user).count()

    @cached_property
    def consults(self) -> int:
        """Consultations with news for the user: new requests for an expert, a claim, an
        answer or a message for the requester (``consults.selectors.badge_count``)."""
        if not getattr(self.user, "is_authenticated", False):
            return 0
        from consults.selectors import badge_count

        return badge_count(self.user)

    @cached_property
    def consult_links(self) -> list[tuple[str, str]]:
        """The consultation pages the user may open (``consults.menu``)."""
        if not getattr(self.user, "is_authenticated", False):
            return []
        from consults.menu import menu_links

        return menu_links(self.user)

    @cached_property
    def signoffs(self) -> int:
        """Logbook entries waiting for the user's sign-off (the certification queue)."""
        if not self.may_sign_off:
            return 0
        from certification.services.logbook_access import entries_to_sign_off

        return entries_to_sign_off(self.user).count()


def menu_counts(request: HttpRequest) -> dict[str, MenuCounts]:
    return {"menu_counts": MenuCounts(getattr(request, "user", None))}
