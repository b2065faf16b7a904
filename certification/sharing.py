"""What a programme version requires that some of the programme's trainees cannot see, and the
version page's next-action bar (``core.next_action``).

A network programme that requires an institution-only course or quiz, or a certificate of an
institution-only programme, asks other hospitals' trainees for something they cannot open.

Public functions:

    version_hidden_dependencies(version, *, user=None) -> list[HiddenDependency]
    version_next_action(version, *, user, hidden) -> NextAction
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from certification.models import Programme, ProgrammeVersion
from certification.services.certificates import can_manage
from core.next_action import NextAction, Step, audience_sentence
from core.scoping import HiddenDependency, PublicationStatus, hidden_message, hidden_reason


def _editable(obj, user) -> bool:
    if user is None:
        return False
    if isinstance(obj, Programme):
        return can_manage(user, obj)
    return obj.is_editable_by(user)


def version_hidden_dependencies(version: ProgrammeVersion, *, user=None) -> list[HiddenDependency]:
    """The courses, quizzes and prerequisite programmes of ``version``'s requirements that
    are shared less widely than its programme."""
    programme = version.programme
    noun = _("programme")
    found: dict[tuple[str, int], HiddenDependency] = {}
    requirements = version.requirements.select_related(
        "quiz__institution", "prerequisite__institution"
    ).prefetch_related("courses__institution")
    for req in requirements.order_by("order", "pk"):
        used = [(course, _("course")) for course in req.courses.all()]
        if req.quiz is not None:
            used.append((req.quiz, _("quiz")))
        if req.prerequisite is not None:
            used.append((req.prerequisite, _("programme")))
        for obj, kind in used:
            reason = hidden_reason(programme, obj)
            if not reason:
                continue
            dep = HiddenDependency(
                obj=obj,
                kind=kind,
                reason=reason,
                message=hidden_message(
                    owner=programme, noun=noun, kind=kind, dependency=obj, reason=reason
                ),
                editable=_editable(obj, user),
            )
            found.setdefault(dep.key, dep)
    return list(found.values())


def version_next_action(
    version: ProgrammeVersion, *, user, hidden: list[HiddenDependency]
) -> NextAction:
    """``hidden``: :func:`version_hidden_dependencies` for ``user``."""
    programme = version.programme
    missing = []
    if not version.requirements.exists():
        missing.append(_("No requirements yet: add one below."))
    for dep in hidden:
        why = "" if dep.editable else " " + _("You cannot change it: ask its authors.")
        missing.append(dep.message + why)
    if programme.status != PublicationStatus.PUBLISHED:
        missing.append(_("The programme itself is a draft: publish it on its settings page."))
    kwargs = {"slug": programme.slug, "number": version.number}
    steps = []
    shareable = any(dep.shareable for dep in hidden)
    if shareable and can_manage(user, programme):
        steps.append(
            Step(
                label=_("Share them with the network too"),
                url=reverse("certification:version_share", kwargs=kwargs),
            )
        )
    if not version.is_frozen and can_manage(user, programme):
        steps.append(
            Step(
                label=_("Publish"),
                url=reverse("certification:version_publish", kwargs=kwargs),
                primary=not shareable,
            )
        )
    return NextAction(
        state=_("Published") if version.is_frozen else _("Draft"),
        audience=audience_sentence(
            status=programme.status,
            visibility=programme.visibility,
            institution_name=str(programme.institution),
        ),
        missing=tuple(missing),
        steps=tuple(steps),
        tone="done" if version.is_frozen else "draft",
    )
