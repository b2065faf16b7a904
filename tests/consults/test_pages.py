"""Every consultation page and button, as every role of three hospitals: the county hospital
that asks (A), the expert centre asked (B), another county hospital (C), and a site admin.

A consult's page is read by A's staff, B's instructors and director, and site admins; C gets a
404 for every route of it, as for a consult that does not exist. The buttons follow
``consults.rights`` (a 403 for a reader without the right). The local reference reaches A's
staff only: never a page of B's, a site admin's, or the CSV report.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import Institution
from cases.models import Case
from consults import services
from consults.models import Consultation, ConsultStatus
from tests.consults.factories import (
    ANSWER,
    LOCAL_REFERENCE,
    THREAD_MARKER,
    answered,
    network,
    submit,
)
from tests.consults.test_api_permissions import CENTRE_READERS, READERS, REQUESTING, ROLES
from tests.factories import InstitutionFactory, InstructorFactory

pytestmark = pytest.mark.django_db

MEMBERS = set(ROLES) - {"site_admin"}
DIRECTORS = {"county_director", "centre_director", "other_director", "site_admin"}
QUEUE_READERS = CENTRE_READERS | {"site_admin"}


@pytest.fixture
def net():
    return network()


def _get(client, user, url: str):
    client.force_login(user)
    return client.get(url)


def _post(client, user, url: str, data: dict | None = None):
    client.force_login(user)
    return client.post(url, data or {})


# --- The lists ---------------------------------------------------------------------------


LISTS = {
    "consults:inbox": MEMBERS,
    "consults:new": MEMBERS,
    "consults:mine": MEMBERS,
    "consults:queue": QUEUE_READERS,
    "consults:report": DIRECTORS,
    "consults:report_csv": DIRECTORS,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(LISTS))
def test_the_lists_open_to_whom_they_concern(net, client, role, name):
    answered(net)
    submit(net)
    response = _get(client, net[role], reverse(name))
    assert response.status_code == (200 if role in LISTS[name] else 403)
    if role not in REQUESTING:
        assert LOCAL_REFERENCE not in response.content.decode()


def test_the_menu_entry_and_the_tabs_lead_to_the_pages_each_reader_may_open(net, client):
    submit(net)
    expected = {
        "county_trainee": ["mine", "inbox", "new"],
        "county_director": ["mine", "inbox", "new", "report"],
        "expert": ["queue", "mine", "inbox", "new"],
        "centre_director": ["queue", "mine", "inbox", "new", "report"],
        "site_admin": ["queue", "report"],
    }
    for role, names in expected.items():
        html = _get(client, net[role], reverse("courses:dashboard")).content.decode()
        entry = re.search(r'<a href="([^"]+)" data-menu="consults">', html)
        assert entry and entry.group(1) == reverse(f"consults:{names[0]}"), role
        page = client.get(entry.group(1)).content.decode()
        tabs = page[
            page.index('class="consult-tabs"') : page.index(
                "</nav>", page.index('class="consult-tabs"')
            )
        ]
        assert re.findall(r'href="/consults/(\w+)/"', tabs) == names, role


def test_the_inbox_lists_the_scanners_loops_with_a_button_to_ask(net, client):
    html = _get(client, net["county_trainee"], reverse("consults:inbox")).content.decode()
    for loop in net.loops:
        assert f"{reverse('consults:new')}?loop={loop.pk}" in html
    other = _get(client, net["other_trainee"], reverse("consults:inbox")).content.decode()
    assert f"?loop={net.loops[0].pk}" not in other


def test_the_request_form_starts_with_the_inbox_loop_picked(net, client):
    loop = net.loops[1]
    response = _get(client, net["county_trainee"], f"{reverse('consults:new')}?loop={loop.pk}")
    form = response.context["form"]
    assert list(form["loops"].initial) == [loop.pk]
    assert f'value="{loop.pk}" id="id_loops_' in response.content.decode()
    assert "checked" in response.content.decode()


# --- The request form ---------------------------------------------------------------------


def _request_data(net, **overrides) -> dict:
    return {
        "target": net.centre.pk,
        "organ": "liver",
        "urgency": "urgent",
        "clinical_question": "Cirrhosis, new 25 mm nodule: HCC?",
        "loops": [net.loops[0].pk],
        "arterial_enhancement": "hyper",
        "arterial_pattern": "non_rim",
        "category": "LR-4",
        "impression": "Probably HCC.",
        "local_reference": LOCAL_REFERENCE,
        **overrides,
    }


def test_a_request_is_sent_with_the_reading_and_opens_its_page(net, client):
    response = _post(client, net["county_trainee"], reverse("consults:new"), _request_data(net))
    consult = Consultation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("consults:detail", args=[consult.pk])
    assert (consult.urgency, consult.reading.category, consult.local_reference) == (
        "urgent",
        "LR-4",
        LOCAL_REFERENCE,
    )
    assert [link.loop_id for link in consult.consult_loops.all()] == [net.loops[0].pk]


def test_a_request_without_a_reading_or_loop_is_refused_field_by_field(net, client):
    data = _request_data(net, loops=[], arterial_enhancement="", arterial_pattern="")
    data.update(category="", impression="")
    response = _post(client, net["county_trainee"], reverse("consults:new"), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["loops"]
    assert "Give your own reading first" in " ".join(form.non_field_errors())
    assert not Consultation.objects.exists()


def test_an_expert_of_another_centre_is_refused_on_the_field(net, client):
    """The form offers every expert centre's instructors; the one named must belong to the
    centre asked (the service's rule, shown under the field)."""
    elsewhere = InstructorFactory(
        institution=InstitutionFactory(level=Institution.Level.EXPERT_CENTRE)
    )
    data = _request_data(net, expert=elsewhere.pk)
    response = _post(client, net["county_trainee"], reverse("consults:new"), data)
    assert response.status_code == 400
    assert response.context["form"].errors["expert"] == [
        "Choose an instructor of that expert centre."
    ]
    assert not Consultation.objects.exists()
    sent = _post(
        client, net["county_trainee"], reverse("consults:new"), {**data, "expert": net["expert"].pk}
    )
    assert sent.status_code == 302
    assert Consultation.objects.get().expert == net["expert"]


def test_a_local_reference_that_looks_like_a_name_needs_the_confirmation(net, client):
    data = _request_data(net, local_reference="Zhang Wei 13812345678")
    refused = _post(client, net["county_trainee"], reverse("consults:new"), data)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "This text looks like it may identify a patient" in html
    assert 'name="confirm_no_identifiers"' in html
    assert not Consultation.objects.exists()
    sent = _post(
        client,
        net["county_trainee"],
        reverse("consults:new"),
        {**data, "confirm_no_identifiers": "on"},
    )
    assert sent.status_code == 302
    assert Consultation.objects.get().phi_warnings


def test_a_third_hospital_cannot_send_another_hospitals_loops(net, client):
    response = _post(client, net["other_trainee"], reverse("consults:new"), _request_data(net))
    assert response.status_code == 400
    assert not Consultation.objects.exists()


# --- The consult page ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_consult_page_and_the_local_reference(net, client, role):
    consult = answered(net)
    services.message_post(consult=consult, by=net["county_trainee"], body=THREAD_MARKER)
    response = _get(client, net[role], reverse("consults:detail", args=[consult.pk]))
    assert response.status_code == (200 if role in READERS else 404)
    html = response.content.decode()
    assert (LOCAL_REFERENCE in html) == (role in REQUESTING)
    if response.status_code == 200:
        assert THREAD_MARKER in html
        assert 'id="case-data"' in html  # the loops in the case viewer


def _form_data(name: str, net) -> dict:
    return {
        "decline": {"reason": "Not a CEUS loop."},
        "withdraw": {"reason": ""},
        "answer": {key: ("" if value is None else value) for key, value in ANSWER.items()},
        "message": {"body": "A question."},
        "second_opinion_ask": {"expert": net["second_expert"].pk},
        "second_opinion_give": {"opinion": "I agree: LR-5."},
        "consent": {"agreed": "on"},
        "teaching_case": {"include_reading": "on"},
    }.get(name, {})


def _claimed(net):
    consult = submit(net)
    services.consult_claim(consult=consult, by=net["expert"])
    return consult


def _asked(net):
    consult = _claimed(net)
    services.second_opinion_ask(consult=consult, by=net["expert"], expert=net["second_expert"])
    return consult


def _consented(net):
    consult = answered(net)
    services.consent_record(consult=consult, by=net["county_trainee"])
    return consult


def _all(roles) -> dict[str, int]:
    """302 (done, back to the page) for ``roles``, 403 for the other readers, 404 for the rest."""
    return {role: 302 if role in roles else 403 if role in READERS else 404 for role in ROLES}


EXPERTS = {"expert", "second_expert"}
MANAGERS = {"county_trainee", "county_instructor", "county_director"}  # the requester's side
# action: (the consult it acts on, who may, the status it leaves when done)
BUTTONS = {
    "claim": (submit, _all(EXPERTS), ConsultStatus.CLAIMED),
    "release": (_claimed, _all({"expert"}), ConsultStatus.SUBMITTED),
    "decline": (submit, _all(EXPERTS), ConsultStatus.DECLINED),
    "answer": (_claimed, _all({"expert"}), ConsultStatus.ANSWERED),
    "second_opinion_ask": (_claimed, _all({"expert"}), ConsultStatus.CLAIMED),
    "second_opinion_give": (_asked, _all({"second_expert"}), ConsultStatus.CLAIMED),
    "withdraw": (submit, _all(MANAGERS), ConsultStatus.WITHDRAWN),
    "close": (answered, _all(MANAGERS | {"expert"}), ConsultStatus.CLOSED),
    "consent": (answered, _all(REQUESTING), ConsultStatus.ANSWERED),
    "teaching_case": (_consented, _all(EXPERTS | {"county_instructor"}), ConsultStatus.ANSWERED),
    "message": (submit, _all(REQUESTING | CENTRE_READERS), ConsultStatus.SUBMITTED),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(BUTTONS))
def test_every_button_as_every_role(net, client, role, action):
    make, expected, done = BUTTONS[action]
    consult = make(net)
    before = Consultation.objects.get(pk=consult.pk).status
    url = reverse(f"consults:{action}", args=[consult.pk])
    response = _post(client, net[role], url, _form_data(action, net))
    assert response.status_code == expected[role], response.content.decode()[:2000]
    after = Consultation.objects.get(pk=consult.pk)
    assert after.status == (done if expected[role] == 302 else before)
    if expected[role] == 302 and action == "teaching_case":
        assert response["Location"] == reverse("cases:detail", args=[after.teaching_case_id])
    if expected[role] != 302:
        assert after.teaching_case_id is None and after.messages.count() == 0


def test_the_buttons_shown_are_the_readers_rights(net, client):
    consult = submit(net)
    url = reverse("consults:detail", args=[consult.pk])
    claim = reverse("consults:claim", args=[consult.pk])
    withdraw = reverse("consults:withdraw", args=[consult.pk])
    for role, shown in [
        ("expert", {claim}),
        ("centre_director", set()),
        ("county_trainee", {withdraw}),
        ("site_admin", set()),
    ]:
        html = _get(client, net[role], url).content.decode()
        assert {u for u in (claim, withdraw) if f'action="{u}"' in html} == shown, role


def test_a_claim_taken_meanwhile_goes_back_to_the_page_naming_the_claimer(net, client):
    consult = _claimed(net)
    response = _post(client, net["second_expert"], reverse("consults:claim", args=[consult.pk]))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "has already claimed this consultation" in page


def test_the_answer_beside_the_reading_highlights_the_differences(net, client):
    consult = answered(net)
    html = _get(
        client, net["county_trainee"], reverse("consults:detail", args=[consult.pk])
    ).content.decode()
    assert "Your reading and the expert's answer" in html
    # READING says LR-4 and wash-out at 75 s; the answer LR-5 at 80 s (within the tolerance).
    assert 'class="is-different" data-field="category"' in html
    assert 'class="is-same" data-field="washout_onset_s"' in html


def test_a_message_that_looks_like_an_identifier_waits_for_the_confirmation(net, client):
    consult = submit(net)
    url = reverse("consults:message", args=[consult.pk])
    refused = _post(client, net["county_trainee"], url, {"body": "Patient Zhang Wei, 13812345678"})
    assert refused.status_code == 400
    assert 'name="confirm_no_identifiers"' in refused.content.decode()
    assert consult.messages.count() == 0
    sent = client.post(
        url, {"body": "Patient Zhang Wei, 13812345678", "confirm_no_identifiers": "on"}
    )
    assert sent.status_code == 302
    assert consult.messages.count() == 1


def test_the_teaching_case_links_back_to_its_consult_for_those_who_see_both(net, client):
    consult = _consented(net)
    services.teaching_case_make(consult=consult, by=net["expert"])
    case = Case.objects.get()
    page = _get(client, net["expert"], reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("consults:detail", args=[consult.pk]) in page
    # Another instructor of the centre sees the draft and the consult; the county hospital's
    # trainee sees neither link nor case.
    page = _get(
        client, net["second_expert"], reverse("cases:detail", args=[case.pk])
    ).content.decode()
    assert reverse("consults:detail", args=[consult.pk]) in page


def test_the_report_and_its_csv_never_hold_the_local_reference(net, client):
    answered(net)
    consult = submit(net, urgency="urgent")
    services.consult_claim(consult=consult, by=net["expert"])
    for role in ("centre_director", "county_director", "site_admin"):
        page = _get(client, net[role], reverse("consults:report"))
        csv = client.get(reverse("consults:report_csv"))
        assert page.status_code == csv.status_code == 200
        assert csv["Content-Type"].startswith("text/csv")
        text = csv.content.decode("utf-8-sig")
        assert LOCAL_REFERENCE not in page.content.decode() + text
        assert "Provincial Expert Centre,urgent,1," in text
        assert "Qingxi County Hospital,0,1,1,0,0,0,2" in text


# --- Query counts ---------------------------------------------------------------------------


def _grow(net, count: int) -> None:
    for index in range(count):
        consult = submit(net, urgency="urgent" if index % 2 else "routine")
        if index % 3:
            services.consult_claim(consult=consult, by=net["expert"])
        if index % 3 == 2:
            services.consult_answer(consult=consult, by=net["expert"], answer=dict(ANSWER))
        services.message_post(consult=consult, by=net["county_trainee"], body="Any news?")


@pytest.mark.parametrize(
    ("reader", "name"),
    [("expert", "consults:queue"), ("county_trainee", "consults:mine")],
    ids=["queue", "my-consultations"],
)
def test_the_pages_query_count_does_not_grow_with_the_consults(
    net, client, reader, name, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _grow(net, 2)
    client.force_login(net[reader])
    url = reverse(name)
    client.get(url)  # the session's first read, the catalogues
    with CaptureQueriesContext(connection) as few:
        small = client.get(url)
    _grow(net, 9)
    with django_assert_num_queries(len(few.captured_queries)):
        large = client.get(url)
    rows = [response.content.decode().count("data-consult=") for response in (small, large)]
    assert rows[1] >= rows[0] + 6


def test_the_menu_badge_counts_the_news_until_the_page_is_opened(net, client):
    consult = submit(net)
    badge = '<span class="menu-badge" title="Consultations with news for you">1</span>'
    assert badge in _get(client, net["expert"], reverse("consults:queue")).content.decode()
    page = client.get(reverse("consults:detail", args=[consult.pk])).content.decode()
    assert badge not in page  # the page it opens is no news any more
    services.message_post(consult=consult, by=net["county_trainee"], body="Any news?")
    assert badge in client.get(reverse("consults:queue")).content.decode()
