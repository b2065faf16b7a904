"""The next-action bar shown on every draft or in-review object (case, quiz, programme version).

A service of the object's app builds a :class:`NextAction` — its state in words, what is still
missing, the one control that moves it on, and who sees it — and the page includes
``core/_next_action.html`` with it as ``next_action``. The bar never decides anything itself:
its buttons post to the same views and services the rest of the app uses, which check again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.scoping import PublicationStatus, Visibility


@dataclass(frozen=True)
class Step:
    """One control of the bar: a link (``method="get"``) or a form that posts to ``url``."""

    label: str
    url: str
    method: str = "post"
    primary: bool = True
    # Extra hidden inputs of the posted form, e.g. {"approve": "1"}.
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Missing:
    """An item of ``NextAction.missing`` that links to where it is done (a plain ``str`` is
    an item without a link)."""

    text: str
    url: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class NextAction:
    state: str  # "Draft", "In review", … (translated)
    audience: str  # who sees it, in plain words (see :func:`audience_sentence`)
    # What must still be done before ``steps`` can succeed: ``str`` or :class:`Missing`.
    missing: tuple[str | Missing, ...] = ()
    steps: tuple[Step, ...] = ()  # the controls that move it on; empty when the user can't
    waiting_for: str = ""  # "Waiting for review by …" when the move is someone else's
    tone: str = "draft"  # css modifier: "draft", "review", "done"
    note: str = ""  # e.g. the reviewer's comment on a draft sent back to its authors


def audience_sentence(
    *, status: str, visibility: str, institution_name: str, in_review: bool = False
) -> str:
    """Who can see a piece of scoped content, now or once published, in plain words.
    ``in_review``: its reviewers (perhaps at another institution) see it too meanwhile."""
    shared = visibility == Visibility.NETWORK
    if in_review:
        if shared:
            return _(
                "In review: its editors and reviewers see it now. Once published, everyone in "
                "the teaching network will see it."
            )
        return _(
            "In review: its editors and reviewers see it now. Once published, only people at "
            "%(institution)s will see it."
        ) % {"institution": institution_name}
    if status == PublicationStatus.PUBLISHED:
        if shared:
            return _("Published: everyone in the teaching network can see it.")
        return _("Published: only people at %(institution)s can see it.") % {
            "institution": institution_name
        }
    if shared:
        return _(
            "Not published: only its editors see it now. Once published, everyone in the "
            "teaching network will see it."
        )
    return _(
        "Not published: only its editors see it now. Once published, only people at "
        "%(institution)s will see it."
    ) % {"institution": institution_name}
