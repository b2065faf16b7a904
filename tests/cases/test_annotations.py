"""PUT /api/v1/cases/{id}/annotations/: validation, all-or-nothing replacement, ids, phase
markers, calibrated measurements, and curves for ROIs."""

import pytest

from cases.models import Annotation, PhaseMarker, RoiCurve
from tests.cases.factories import REGION, CaseFactory, ReadyLoopFactory
from tests.factories import api_for

pytestmark = pytest.mark.django_db

ELLIPSE = {
    "loop": None,
    "kind": "ellipse",
    "geometry": {"cx": 100, "cy": 120, "rx": 20, "ry": 15},
    "label": "Lesion",
    "roi_role": "lesion",
}


def url(case) -> str:
    return f"/api/v1/cases/{case.pk}/annotations/"


def item(loop, **fields) -> dict:
    return {**ELLIPSE, "loop": loop.pk, **fields}


def put(user, case, annotations, markers=()):
    body = {"annotations": list(annotations), "phase_markers": list(markers)}
    return api_for(user).put(url(case), body, format="json")


def test_a_full_set_is_saved_and_returned(instructor, case, loop):
    annotations = [
        item(loop),
        item(
            loop,
            kind="polygon",
            geometry={"points": [[200, 100], [240, 100], [240, 140]]},
            roi_role="reference",
            label="Liver",
        ),
        item(loop, kind="point", geometry={"x": 30.5, "y": 40}, roi_role="", label="Vessel"),
        item(loop, kind="arrow", geometry={"x1": 10, "y1": 10, "x2": 60, "y2": 70}, roi_role=""),
        item(
            loop,
            kind="text",
            geometry={"x": 5, "y": 5},
            roi_role="",
            label="Arterial phase",
            t_start=12.0,
            t_end=25.5,
        ),
        item(
            loop, kind="measure", geometry={"x1": 40, "y1": 100, "x2": 100, "y2": 180}, roi_role=""
        ),
    ]
    markers = [
        {"loop": loop.pk, "kind": "arrival", "time_s": 12.0},
        {"loop": loop.pk, "kind": "peak", "time_s": 22.5},
    ]

    response = put(instructor, case, annotations, markers)

    assert response.status_code == 200, response.json()
    data = response.json()
    assert [a["kind"] for a in data["annotations"]] == [
        "ellipse",
        "polygon",
        "point",
        "arrow",
        "text",
        "measure",
    ]
    assert data["annotations"][4]["t_start"] == 12.0 and data["annotations"][4]["t_end"] == 25.5
    # 60 x 80 px at 0.05 cm/px: 3 x 4 cm → 5 cm = 50 mm.
    assert data["annotations"][5]["length_mm"] == pytest.approx(50.0)
    assert data["annotations"][0]["tic_status"] == "pending"
    assert data["annotations"][2]["tic_status"] is None
    assert [(m["kind"], m["time_s"]) for m in data["phase_markers"]] == [
        ("arrival", 12.0),
        ("peak", 22.5),
    ]
    assert api_for(instructor).get(url(case)).json()["annotations"] == data["annotations"]
    assert RoiCurve.objects.filter(annotation__case=case).count() == 2


def test_ids_are_kept_for_unchanged_items_and_the_rest_replaced(
    instructor, case, loop, queued_messages
):
    first = put(
        instructor,
        case,
        [item(loop), item(loop, kind="point", roi_role="", geometry={"x": 1, "y": 2})],
    ).json()
    lesion, point = first["annotations"]
    queued_messages.clear()

    second = put(
        instructor,
        case,
        [
            {**lesion, "label": "Renamed lesion"},  # same geometry: no new curve
            item(loop, kind="text", roi_role="", geometry={"x": 3, "y": 4}, label="New"),
        ],
    ).json()

    assert second["annotations"][0]["id"] == lesion["id"]
    assert second["annotations"][0]["label"] == "Renamed lesion"
    assert second["annotations"][1]["id"] not in (lesion["id"], point["id"])
    assert not Annotation.objects.filter(pk=point["id"]).exists()
    assert queued_messages == []  # only a label changed: the curve stays

    third = put(
        instructor, case, [{**lesion, "geometry": {"cx": 90, "cy": 120, "rx": 20, "ry": 15}}]
    ).json()
    assert third["annotations"][0]["tic_status"] == "pending"


def test_one_invalid_item_changes_nothing(instructor, case, loop):
    put(instructor, case, [item(loop)], [{"loop": loop.pk, "kind": "peak", "time_s": 20}])
    before = list(Annotation.objects.values_list("pk", "label"))

    response = put(
        instructor,
        case,
        [
            item(loop, label="Changed"),
            item(loop, geometry={"cx": 310, "cy": 10, "rx": 30, "ry": 5}),
        ],
        [],
    )

    assert response.status_code == 400
    assert response.json()["annotations"] == ["Annotation 2: The shape reaches outside the image."]
    assert list(Annotation.objects.values_list("pk", "label")) == before
    assert PhaseMarker.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"geometry": {"cx": 10, "cy": 10, "rx": 0, "ry": 5}}, "positive radii"),
        ({"geometry": {"cx": 10, "cy": 10}}, "needs exactly these values"),
        ({"geometry": {"cx": "10", "cy": 10, "rx": 2, "ry": 2}}, "must be a number"),
        ({"kind": "polygon", "geometry": {"points": [[1, 1], [2, 2]]}}, "between 3 and"),
        ({"kind": "polygon", "geometry": {"points": [[1, 1], [2, 2], [3, 3]]}}, "no area"),
        ({"kind": "point", "geometry": {"x": 1, "y": 2}}, "Only ellipses and polygons"),
        (
            {"kind": "arrow", "roi_role": "", "geometry": {"x1": 1, "y1": 2, "x2": 1, "y2": 2}},
            "different points",
        ),
        ({"t_start": 10.0, "t_end": 5.0}, "end after it starts"),
        ({"t_start": -1.0}, "cannot be negative"),
    ],
)
def test_geometry_and_times_are_validated(instructor, case, loop, changes, message):
    response = put(instructor, case, [item(loop, **changes)])

    assert response.status_code == 400
    assert message in " ".join(response.json()["annotations"])


def test_unknown_loops_ids_and_duplicate_markers_are_refused(instructor, case, loop, hospital):
    outsider = ReadyLoopFactory(institution=hospital)
    other_case = CaseFactory(institution=hospital, loops=[outsider])
    foreign = put(instructor, other_case, [item(outsider)]).json()["annotations"][0]

    response = put(
        instructor,
        case,
        [item(outsider), {**item(loop), "id": foreign["id"]}],
        [
            {"loop": loop.pk, "kind": "peak", "time_s": 20},
            {"loop": loop.pk, "kind": "peak", "time_s": 21},
            {"loop": loop.pk, "kind": "late", "time_s": 31},
        ],
    )

    errors = response.json()
    assert response.status_code == 400
    assert errors["annotations"] == [
        "Annotation 2: Unknown or repeated id.",
        "Annotation 1: The loop is not part of this case.",
    ]
    assert errors["phase_markers"] == [
        "Phase marker 2: This loop already has a marker of this kind.",
        "Phase marker 3: The time is after the end of the loop.",
    ]
    assert Annotation.objects.get(pk=foreign["id"]).case == other_case


def test_markers_keep_their_id_and_can_swap_kinds(instructor, case, loop):
    markers = [
        {"loop": loop.pk, "kind": "arrival", "time_s": 10},
        {"loop": loop.pk, "kind": "peak", "time_s": 20},
    ]
    saved = put(instructor, case, [], markers).json()["phase_markers"]

    moved = put(
        instructor,
        case,
        [],
        [
            {**saved[0], "time_s": 11},
            {**saved[1], "kind": "arrival", "id": None, "time_s": 5},
            {"loop": loop.pk, "kind": "peak", "time_s": 21},
        ],
    )

    assert moved.status_code == 400  # two arrival markers on one loop
    swapped = put(
        instructor, case, [], [{**saved[0], "kind": "peak"}, {**saved[1], "kind": "arrival"}]
    )
    assert swapped.status_code == 200
    assert {(m["kind"], m["time_s"]) for m in swapped.json()["phase_markers"]} == {
        ("peak", 10.0),
        ("arrival", 20.0),
    }
    kept = put(
        instructor,
        case,
        [],
        [{**m, "time_s": m["time_s"] + 1} for m in swapped.json()["phase_markers"]],
    )
    assert [m["id"] for m in kept.json()["phase_markers"]] == [
        m["id"] for m in swapped.json()["phase_markers"]
    ]


@pytest.mark.parametrize(
    ("regions", "message"),
    [
        ([REGION, {**REGION, "bounds": [0, 0, 19, 239]}], "same calibrated ultrasound region"),
        (
            [
                {
                    **REGION,
                    "units_x": "none",
                    "units_y": "none",
                    "delta_x": None,
                    "delta_y": None,
                    "cm_per_pixel_x": None,
                    "cm_per_pixel_y": None,
                }
            ],
            "not calibrated in cm",
        ),
        ([], "same calibrated ultrasound region"),
    ],
    ids=["across_regions", "uncalibrated", "no_regions"],
)
def test_measurements_are_refused_across_regions_or_without_calibration(
    instructor, hospital, regions, message
):
    loop = ReadyLoopFactory(institution=hospital, regions=regions)
    case = CaseFactory(institution=hospital, loops=[loop])
    across = {"x1": 10, "y1": 100, "x2": 100, "y2": 100} if len(regions) == 2 else None
    geometry = across or {"x1": 40, "y1": 100, "x2": 100, "y2": 100}

    response = put(instructor, case, [item(loop, kind="measure", roi_role="", geometry=geometry)])

    assert response.status_code == 400
    assert message in response.json()["annotations"][0]


def test_removing_a_loop_from_the_case_removes_its_annotations(instructor, case, loop, hospital):
    from cases import services

    second = ReadyLoopFactory(institution=hospital)
    services.case_update(case=case, by=instructor, loops=[loop.pk, second.pk])
    put(
        instructor,
        case,
        [item(loop), item(second)],
        [{"loop": second.pk, "kind": "late", "time_s": 3}],
    )

    services.case_update(case=case, by=instructor, loops=[loop.pk])

    assert list(case.annotations.values_list("loop_id", flat=True)) == [loop.pk]
    assert not case.phase_markers.exists()
