"""The case's next-action bar (``core.next_action``) for its editors and its reviewers.

Draft: what is missing and "Send for review" (its editors). In review: "Approve" and "Ask for
changes" for someone who may review it (``cases.reviewers``), "Waiting for review by …" for
the others. Published: "Withdraw" for its editors. Learners get no bar. The buttons post to the
same views as the rest of the case pages, whose services check again.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from cases.models import Case, CaseStatus
from cases.reviewers import case_reviewers, review_scope_q
from cases.services.authoring import unpublishable_loops
from cases.services.workflow import is_independent_reviewer, missing_for_review
from core.next_action import Missing, NextAction, Step, audience_sentence

_TONES = {CaseStatus.DRAFT: "draft", CaseStatus.IN_REVIEW: "review", CaseStatus.PUBLISHED: "done"}
MAX_NAMED_REVIEWERS = 5


def _missing(case: Case, incomplete: list[str]) -> tuple[str | Missing, ...]:
    items: list[str | Missing] = list(incomplete)
    for loop in unpublishable_loops(case):
        items.append(
            Missing(
                _("%(loop)s is not ready (%(status)s): open the loop to resolve it.")
                % {"loop": loop.display_label, "status": loop.get_status_display()},
                loop.get_absolute_url(),
            )
        )
    return tuple(items)


def waiting_for_sentence(case: Case) -> str:
    """ "Waiting for review by …": the people who may review, with their institutions."""
    people = list(case_reviewers(case)[: MAX_NAMED_REVIEWERS + 1])
    if not people:
        return _("Waiting for review by a site administrator: nobody else may review it.")
    names = [
        _("%(name)s (%(institution)s)")
        % {"name": person.get_full_name() or person.username, "institution": person.institution}
        for person in people[:MAX_NAMED_REVIEWERS]
    ]
    if len(people) > MAX_NAMED_REVIEWERS:
        names.append(_("others"))
    return _("Waiting for review by %(people)s.") % {"people": ", ".join(names)}


def case_next_action(case: Case, user: User) -> NextAction | None:
    """The bar for ``user`` on ``case``, or None when they neither edit nor review it."""
    editor = case.is_editable_by(user)
    in_scope = (
        case.status == CaseStatus.IN_REVIEW
        and Case.objects.filter(pk=case.pk).filter(review_scope_q(user)).exists()
    )
    if not (editor or in_scope):
        return None
    state, tone = case.get_status_display(), _TONES.get(case.status, "draft")
    audience = audience_sentence(
        status=case.status,
        visibility=case.visibility,
        institution_name=str(case.institution),
        in_review=case.status == CaseStatus.IN_REVIEW,
    )
    bar = {"state": state, "tone": tone, "audience": audience}
    if case.status == CaseStatus.DRAFT:
        incomplete = missing_for_review(case)
        missing = _missing(case, incomplete)
        steps = ()
        if editor and not incomplete:
            steps = (Step(_("Send for review"), reverse("cases:submit_review", args=[case.pk])),)
        note = ""
        if case.review_comment and case.reviewed_by_id:
            note = _("Sent back by %(reviewer)s: %(comment)s") % {
                "reviewer": case.reviewed_by.get_full_name() or case.reviewed_by.username,
                "comment": case.review_comment,
            }
        return NextAction(**bar, missing=missing, steps=steps, note=note)
    if case.status == CaseStatus.IN_REVIEW:
        if is_independent_reviewer(case, user):
            review_url = reverse("cases:review", args=[case.pk])
            steps = (
                Step(_("Approve and publish"), review_url, fields={"decision": "approve"}),
                Step(_("Ask for changes"), review_url, method="get", primary=False),
            )
            return NextAction(**bar, missing=_missing(case, []), steps=steps)
        return NextAction(**bar, missing=_missing(case, []), waiting_for=waiting_for_sentence(case))
    if editor:
        withdraw = Step(_("Withdraw"), reverse("cases:unpublish", args=[case.pk]), primary=False)
        return NextAction(**bar, steps=(withdraw,))
    return None
