"""Write-side operations of the case library, called by views, the API, tasks and demo data.

Every function takes keyword-only arguments and checks the caller's rights itself (views
narrow their querysets first), raising ``PermissionDenied`` or ``ValidationError``.
"""

from cases.services.annotations import AnnotationSet, annotations_replace
from cases.services.authoring import CaseResult, LoopSpec, case_create, case_update
from cases.services.learning import WatchState, bookmark_toggle, watch_heartbeat, watch_state
from cases.services.tic import refresh_case_curves, tic_compute
from cases.services.workflow import case_review, case_submit_for_review, case_unpublish

__all__ = [
    "AnnotationSet",
    "CaseResult",
    "LoopSpec",
    "WatchState",
    "annotations_replace",
    "bookmark_toggle",
    "case_create",
    "case_review",
    "case_submit_for_review",
    "case_unpublish",
    "case_update",
    "refresh_case_curves",
    "tic_compute",
    "watch_heartbeat",
    "watch_state",
]
