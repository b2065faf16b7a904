"""``GET /api/v1/cineloops/{id}/tic/?roi=…``: the time-intensity curve of an ROI on a loop.

``roi`` is an annotation id (its stored curve, computed in the background) or an ad-hoc
``ellipse:cx,cy,rx,ry`` / ``polygon:x,y;x,y;…`` computed right away (well under a second: only
the ROI's bounding box of the memory-mapped stack is read). The loop must be visible to the
user (``CineLoop.objects.for_user``), and an annotation's case too; a loop or case whose key
the user may not read now (``cases.access``: their exam in progress) is refused (403).
"""

from __future__ import annotations

from dataclasses import replace

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import access, conf, selectors
from cases.api.inputs import AdHocTic, TicSerializer
from cases.geometry import clean_geometry, parse_roi_parameter, to_roi
from cases.services.tic import CurveError, compute_curve, error_text
from cases.timeline import injection_on_loop
from cineloops.models import CineLoop
from core.api import id_param, parse_id


class LoopTicView(APIView):
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        summary="Time-intensity curve of an ROI on a loop (linearised echo power)",
        parameters=[
            OpenApiParameter(
                "roi",
                OpenApiTypes.STR,
                required=True,
                description="An annotation id, or ellipse:cx,cy,rx,ry, or polygon:x,y;x,y;…",
            ),
            OpenApiParameter(
                "case",
                OpenApiTypes.INT,
                description="Ad-hoc ROI: the case whose injection time and dynamic range apply.",
            ),
        ],
        responses={
            200: TicSerializer,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="A malformed roi or case."),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        loop = get_object_or_404(CineLoop.objects.for_user(request.user), pk=pk)
        refusal = access.loop_refusal(request.user, loop.pk)
        if refusal:
            raise PermissionDenied(refusal)
        roi = request.query_params.get("roi", "").strip()
        annotation_pk = parse_id(roi)
        if annotation_pk is not None:
            return self._stored(request, loop, annotation_pk)
        return Response(TicSerializer(self._ad_hoc(request, loop, roi)).data)

    def _stored(self, request: Request, loop: CineLoop, annotation_pk: int) -> Response:
        annotation = get_object_or_404(
            selectors.readable_annotations(request.user, loop), pk=annotation_pk
        )
        curve = selectors.roi_curve(annotation)
        if not annotation.is_roi or curve is None:
            raise ValidationError({"roi": [_("This annotation has no time-intensity curve.")]})
        return Response(TicSerializer(curve, context={"annotation": annotation}).data)

    def _ad_hoc(self, request: Request, loop: CineLoop, roi: str) -> AdHocTic:
        try:
            kind, geometry = parse_roi_parameter(roi)
            size = (loop.columns, loop.rows) if loop.columns and loop.rows else None
            geometry = clean_geometry(kind, geometry, size)
        except DjangoValidationError as exc:
            raise ValidationError({"roi": exc.messages}) from exc
        injection_s, dr = None, conf.dynamic_range_db()
        case_pk = id_param(request.query_params, "case")
        if case_pk is not None:
            case = get_object_or_404(
                selectors.readable_cases_showing(request.user, loop), pk=case_pk
            )
            links = selectors.case_loop_links(case)
            index = next(i for i, link in enumerate(links) if link.loop_id == loop.pk)
            injection_s, dr = injection_on_loop(case, links[index], index), case.dynamic_range_db
        adhoc = AdHocTic(roi, dr, from_injection=injection_s is not None, curve=None)
        try:
            curve = compute_curve(
                loop, to_roi(kind, geometry), injection_s=injection_s, dynamic_range_db=dr
            )
        except CurveError as exc:
            return replace(adhoc, error=error_text(exc.code))
        return replace(adhoc, curve=curve)
