"""Creating and editing cases: fields, tags, loops, search text, history and PHI warnings.

Keyword-only arguments; rights are checked here (views narrow their querysets too) with
``PermissionDenied`` / ``ValidationError``. Saving never fails for text that looks like a
patient identifier: the result carries warnings for the author instead.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import Institution, User
from cases import phi
from cases.models import Case, CaseLoop, CaseRevision, Tag, category_error
from cases.search import search_document
from cases.snapshot import CASE_TEXTS, SNAPSHOT_FIELDS, case_snapshot
from cineloops.models import CineLoop
from core.authoring import apply_fields
from core.content_language import localized
from core.locking import lock
from core.scoping import acts_for

# The texts a trainee reads, in English and Chinese (``CASE_TEXTS``); the authoring form sets
# them per language.
CASE_FIELDS = frozenset({*SNAPSHOT_FIELDS, *localized(*CASE_TEXTS)})
# Changing these changes every time-intensity curve of the case.
CURVE_FIELDS = frozenset({"injection_time_s", "dynamic_range_db"})
MAX_TAGS = 20


@dataclass(frozen=True)
class LoopSpec:
    """A loop of the case, in order: the first one carries the case's injection time."""

    loop: int
    caption: str = ""
    starts_after_injection_s: float | None = None


@dataclass
class CaseResult:
    case: Case
    warnings: list[phi.PhiWarning] = field(default_factory=list)


def require_editor(case: Case, by: User) -> None:
    if not case.is_editable_by(by):
        raise PermissionDenied(_("You cannot edit this case."))


def _check_category(case: Case) -> None:
    error = category_error(case.organ, case.category)
    if error:
        raise ValidationError({"category": error})


def _validate(case: Case) -> None:
    case.full_clean(exclude=["search_text"])
    _check_category(case)


def normalise_tags(names: Iterable[str]) -> list[str]:
    """Trimmed, de-duplicated (ignoring case) tag names, in the order given."""
    seen, out = set(), []
    for raw in names:
        name = " ".join(str(raw).split())[:50]
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    if len(out) > MAX_TAGS:
        raise ValidationError({"tags": _("A case takes at most %(max)s tags.") % {"max": MAX_TAGS}})
    return out


def _tag_objects(names: list[str]) -> list[Tag]:
    tags = []
    for name in names:
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            try:
                with transaction.atomic():
                    tag = Tag.objects.create(name=name)
            except IntegrityError:  # created meanwhile by another request
                tag = Tag.objects.get(name__iexact=name)
        tags.append(tag)
    return tags


def _loop_specs(loops: Sequence[LoopSpec | Mapping[str, Any] | int]) -> list[LoopSpec]:
    specs = []
    for item in loops:
        if isinstance(item, LoopSpec):
            specs.append(item)
        elif isinstance(item, Mapping):
            specs.append(LoopSpec(**item))
        else:
            specs.append(LoopSpec(int(item)))
    ids = [spec.loop for spec in specs]
    if len(ids) != len(set(ids)):
        raise ValidationError({"loops": _("A loop can be added to a case only once.")})
    return specs


def _set_loops(
    case: Case, by: User, specs: list[LoopSpec], lent: Collection[int] = frozenset()
) -> None:
    ids = [spec.loop for spec in specs]
    current = set(case.case_loops.values_list("loop_id", flat=True))
    allowed = (
        set(CineLoop.objects.editable_by(by).filter(pk__in=ids).values_list("pk", flat=True))
        | (current & set(ids))
        | (set(lent) & set(ids))
    )
    unknown = [pk for pk in ids if pk not in allowed]
    if unknown:
        raise ValidationError({"loops": _("Unknown cine loop: %(ids)s.") % {"ids": unknown}})
    links = {link.loop_id: link for link in case.case_loops.all()}
    for order, spec in enumerate(specs):
        link = links.pop(spec.loop, None) or CaseLoop(case=case, loop_id=spec.loop)
        link.order = order
        link.caption = spec.caption[:200]
        link.starts_after_injection_s = spec.starts_after_injection_s
        link.save()
    gone = list(links)
    if gone:
        CaseLoop.objects.filter(case=case, loop_id__in=gone).delete()
        # Shapes and markers drawn on a loop that left the case go with it.
        case.annotations.filter(loop_id__in=gone).delete()
        case.phase_markers.filter(loop_id__in=gone).delete()


def unpublishable_loops(case: Case) -> list[CineLoop]:
    """Loops that keep the case from being published: not ready, or still to be reviewed
    for burned-in text."""
    loops = CineLoop.objects.filter(case_links__case=case).order_by("case_links__order")
    return [loop for loop in loops if loop.status != CineLoop.Status.READY]


def check_publishable(case: Case) -> None:
    blocking = unpublishable_loops(case)
    if blocking:
        names = ", ".join(
            f"{loop.display_label} ({loop.get_status_display()})" for loop in blocking
        )
        raise ValidationError(
            _("Every loop must be ready before the case is published: %(loops)s.")
            % {"loops": names},
            "loops_not_ready",
        )


def refresh_search_text(case: Case) -> None:
    case.search_text = search_document(case, case.tags.values_list("name", flat=True))
    Case.objects.filter(pk=case.pk).update(search_text=case.search_text)


def lock_current_status(case: Case) -> str:
    """Lock the case row for this transaction and read its status from the database (the
    caller's instance may be stale: a review may have published it meanwhile)."""
    case.status = lock(case, only=("status",)).status
    return case.status


def record_revision(case: Case, by: User | None, event: str) -> CaseRevision:
    """Snapshot the case as it is now (call inside the transaction that changed it)."""
    lock(case, missing_ok=True)  # serialise the numbering
    last = case.revisions.aggregate(last=Max("number"))["last"] or 0
    return CaseRevision.objects.create(
        case=case, number=last + 1, event=event, author=by, snapshot=case_snapshot(case)
    )


def _warnings(case: Case) -> list[phi.PhiWarning]:
    return phi.check_fields(case, Case.FREE_TEXT_FIELDS)


def case_create(
    *,
    by: User,
    organ: str,
    title: str = "",
    institution: Institution | None = None,
    tags: Iterable[str] = (),
    loops: Sequence[LoopSpec | Mapping[str, Any] | int] = (),
    authors: Iterable[User] | None = None,
    lent_loops: Collection[int] = frozenset(),
    **fields: Any,
) -> CaseResult:
    """A new draft case owned by ``institution`` (default: the author's own).

    ``loops`` are the author's institution's; ``lent_loops`` names others the caller has
    checked the author may use (a consultation's loops, for the centre that answered it:
    ``consults.services.teaching``). Once in the case they stay, like any loop already there.
    """
    if not getattr(by, "can_author", False):
        raise PermissionDenied(_("Only instructors can create cases."))
    institution = institution or by.institution
    if institution is None:
        raise ValidationError(_("Choose the institution that owns the case."), "required")
    if not acts_for(by, institution.pk):
        raise PermissionDenied(_("You can only create cases for your own institution."))
    case = Case(institution=institution, created_by=by, title=title, organ=organ)
    apply_fields(case, CASE_FIELDS, fields)
    _validate(case)
    tag_names = normalise_tags(tags)
    specs = _loop_specs(loops)
    with transaction.atomic():
        case.save()
        case.tags.set(_tag_objects(tag_names))
        case.authors.set(list(authors) if authors is not None else [by])
        _set_loops(case, by, specs, lent_loops)
        refresh_search_text(case)
    return CaseResult(case, _warnings(case))


def case_update(
    *,
    case: Case,
    by: User,
    tags: Iterable[str] | None = None,
    loops: Sequence[LoopSpec | Mapping[str, Any] | int] | None = None,
    authors: Iterable[User] | None = None,
    **fields: Any,
) -> CaseResult:
    """Change a case; a published case keeps a revision of every change."""
    from cases.services.tic import refresh_case_curves

    require_editor(case, by)
    before = {name: getattr(case, name) for name in CURVE_FIELDS}
    names = apply_fields(case, CASE_FIELDS, fields)
    _validate(case)
    tag_names = normalise_tags(tags) if tags is not None else None
    specs = _loop_specs(loops) if loops is not None else None
    with transaction.atomic():
        lock_current_status(case)
        case.save(update_fields=[*names, "updated_at"])
        if tag_names is not None:
            case.tags.set(_tag_objects(tag_names))
        if authors is not None:
            case.authors.set(list(authors))
        if specs is not None:
            _set_loops(case, by, specs)
            if case.is_published:
                check_publishable(case)  # rolls the whole change back
        refresh_search_text(case)
        if specs is not None or any(getattr(case, n) != v for n, v in before.items()):
            refresh_case_curves(case=case)
        if case.is_published:
            record_revision(case, by, "edited")
    return CaseResult(case, _warnings(case))
