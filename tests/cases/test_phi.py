# ruff: noqa: RUF001 -- Chinese sample text with full-width punctuation
"""Free text that looks like a patient identifier warns the author (saving still works)."""

import pytest
from django.urls import reverse
from django.utils import translation

from cases import services
from cases.phi import identifier_kinds
from cases.snapshot import case_snapshot
from tests.factories import api_for


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("ID 110105194912310021 on the request form", ["id_number"]),
        ("身份证号：44030419850612123X", ["id_number"]),
        ("Call 13812345678 for the report", ["phone"]),
        ("mobile +86 138 1234 5678", ["phone"]),
        ("电话 0571-87654321", ["phone"]),
        ("Tel: (010) 6512-3456 ext 2", ["phone"]),
        ("DOB: 1961-03-04, male", ["birth_date"]),
        ("D.O.B. 04/03/1961", ["birth_date"]),
        ("date of birth 4 March 1961", ["birth_date"]),
        ("出生日期：1961年3月4日", ["birth_date"]),
        ("MRN: A1234567", ["record_number"]),
        ("住院号 20230012345", ["record_number"]),
        ("patient ID 00123456", ["record_number"]),
    ],
)
def test_identifiers_are_recognised(text, kinds):
    assert identifier_kinds(text) == kinds


@pytest.mark.parametrize(
    "text",
    [
        "A 62-year-old man with HBV cirrhosis, AFP 412 ng/mL, Child-Pugh A.",
        "Lesion 28 mm in segment VIII; wash-out began at 75 s (mild).",
        "Claudon M, et al. Ultraschall Med 2013;34:11-29. doi:10.1055/s-0032-1325499",
        "Kono Y, et al. Hepatology 2017;66:2109-2115. PMID 28805952",
        "Follow-up CT on 2023-05-02 showed a stable lesion.",
        "SonoVue 2.4 mL, MI 0.08, 15 fps",
        "",
    ],
)
def test_ordinary_clinical_text_passes(text):
    assert identifier_kinds(text) == []


@pytest.mark.django_db
def test_saving_warns_about_each_field_but_saves(instructor):
    result = services.case_create(
        by=instructor,
        title="Liver lesion",
        organ="liver",
        clinical_history="Referred by Dr Li, phone 13812345678. DOB 1961-03-04.",
        teaching_points="Wash-out after 60 s.",
        references="MRN: A1234567",
    )

    assert result.case.pk is not None
    assert [(w.field, w.kinds) for w in result.warnings] == [
        ("clinical_history", ("phone", "birth_date")),
        ("references", ("record_number",)),
    ]
    assert "Clinical history" in result.warnings[0].message
    assert "a phone number, a date of birth" in result.warnings[0].message


@pytest.mark.django_db
def test_both_languages_are_checked_whichever_is_read(instructor):
    with translation.override("en"):
        result = services.case_create(
            by=instructor,
            organ="liver",
            title_en="Liver lesion",
            title_zh_hans="肝脏病灶",
            clinical_history_en="Cirrhosis.",
            clinical_history_zh_hans="患者王芳，电话 13812345678。",
        )
    assert [(w.field, w.kinds) for w in result.warnings] == [
        ("clinical_history", ("phone", "name")),
    ]
    assert "Clinical history (中文)" in result.warnings[0].message


@pytest.mark.django_db
def test_the_revision_history_records_both_languages(instructor):
    case = services.case_create(
        by=instructor, organ="liver", title_en="Liver lesion", title_zh_hans="肝脏病灶"
    ).case
    snapshot = case_snapshot(case)
    assert (snapshot["title_en"], snapshot["title_zh_hans"]) == ("Liver lesion", "肝脏病灶")
    assert "clinical_history_zh_hans" in snapshot


@pytest.mark.django_db
def test_the_edit_page_shows_a_warning_message(client, instructor, case):
    client.force_login(instructor)
    data = {
        "title_en": case.title,
        "organ": "liver",
        "modality": "ceus",
        "difficulty": 2,
        "visibility": "institution",
        "dynamic_range_db": 60,
        "clinical_history_en": "身份证 110105194912310021",
        "loops-TOTAL_FORMS": 0,
        "loops-INITIAL_FORMS": 0,
    }

    response = client.post(reverse("cases:edit", kwargs={"pk": case.pk}), data, follow=True)

    assert response.status_code == 200
    messages = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert ("success", "Case saved.") in messages
    assert any(tag == "warning" and "an ID card number" in text for tag, text in messages)
    case.refresh_from_db()
    assert case.clinical_history == "身份证 110105194912310021"


@pytest.mark.django_db
def test_the_api_returns_warnings_and_checks_annotation_labels(instructor, case, loop):
    api = api_for(instructor)
    response = api.patch(
        f"/api/v1/cases/{case.pk}/", {"final_diagnosis": "HCC, tel 13812345678"}, format="json"
    )
    assert response.status_code == 200
    assert [w["field"] for w in response.json()["warnings"]] == ["final_diagnosis"]

    body = {
        "annotations": [
            {
                "loop": loop.pk,
                "kind": "text",
                "geometry": {"x": 50, "y": 60},
                "label": "Wang Wei DOB 1961-03-04",
            },
        ],
        "phase_markers": [],
    }
    response = api.put(f"/api/v1/cases/{case.pk}/annotations/", body, format="json")
    assert response.status_code == 200
    assert response.json()["warnings"][0]["kinds"] == ["birth_date"]


@pytest.mark.parametrize(
    "text",
    [
        "Patient: Zhang Wei, 62 y",
        "Name: Wang",
        "Patient name: ZHANG WEI",
        "Findings below.\nName: 李娜",
        "Mr. Li's liver was cirrhotic",
        "Mrs Wang returned for follow-up",
        "患者王芳，女，45岁",
        "病人：李建国，男",
        "姓名：张伟",
        "患者欧阳娜娜。",
        "张先生诉右上腹痛",
        "王女士复查CEUS",
    ],
)
def test_labelled_names_are_recognised(text):
    assert identifier_kinds(text) == ["name"]


@pytest.mark.parametrize(
    "text",
    [
        "LR-5 nodule in segment VIII: APHE, mild wash-out after 60 s.",
        "Patient: Male, 62 years, HBV cirrhosis",
        "Patient: 62-year-old man",
        "Patient: Known HBV carrier",
        "Drug name: SonoVue; exam name: CEUS liver",
        "MR imaging and MS history; miss rate is low.",
        "Name: N/A",
        "Referred by Dr Li for CEUS.",
        "Wang Wei was the sonographer",  # unlabelled: not looked for
        "患者男性，62岁，乙肝肝硬化",
        "患者女，45岁",
        "患者高血压，肝硬化",
        "患者黄疸，周身乏力，",
        "患者周期性腹痛",
        "患者肝内多发结节",
        "患者王某，男",
        "姓名：某某",
        "姓名：匿名",
        "该女士无不适",
    ],
)
def test_clinical_text_is_not_taken_for_a_name(text):
    assert "name" not in identifier_kinds(text)
