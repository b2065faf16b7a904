# ruff: noqa: RUF001 -- Chinese sample text with full-width punctuation
"""Logbook pages through the Django client: the trainee's logbook and forms, the supervisor's
queue and review, and what other people get (404/403)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.models import EntryStatus, LogbookEntry
from tests.cases.factories import ReadyLoopFactory, with_files
from tests.certification.factories import LogbookEntryFactory, pending_entry

pytestmark = pytest.mark.django_db


def form_data(**changes):
    return {
        "performed_on": timezone.localdate().isoformat(),
        "exam_type": "ceus_liver",
        "organ": "liver",
        "contrast_agent": "SonoVue",
        "indication": "Surveillance nodule.",
        "findings": "LR-5 nodule in segment VIII.",
        "impression": "LR-5.",
        **changes,
    }


def test_the_logbook_lists_entries_with_feedback_and_counts(client, trainee):
    LogbookEntryFactory(trainee=trainee, review_comment="Nice wash-out timing.")
    pending_entry(trainee, exam_type="ceus_kidney")
    client.force_login(trainee)
    response = client.get(reverse("certification:logbook"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nice wash-out timing." in body
    assert "Waiting for sign-off" in body
    assert [(r["exam_type"], r["approved"], r["pending"]) for r in response.context["counts"]] == [
        ("ceus_liver", 1, 0),
        ("ceus_kidney", 0, 1),
    ]


def test_logging_a_scan_from_the_form(client, trainee, instructor):
    client.force_login(trainee)
    page = client.get(reverse("certification:logbook_new"))
    assert "No patient identifiers." in page.content.decode()

    response = client.post(
        reverse("certification:logbook_new"), form_data(supervisor=instructor.pk)
    )
    entry = LogbookEntry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("certification:logbook_entry", args=[entry.pk])
    assert entry.supervisor == instructor


def test_identifier_warnings_need_the_checkbox(client, trainee):
    client.force_login(trainee)
    text = form_data(findings="姓名：张伟，肝S8结节")
    response = client.post(reverse("certification:logbook_new"), text)
    assert response.status_code == 200
    assert not LogbookEntry.objects.exists()
    body = response.content.decode()
    assert "a name" in body
    assert 'name="confirm_no_identifiers"' in body

    response = client.post(
        reverse("certification:logbook_new"), {**text, "confirm_no_identifiers": "on"}
    )
    assert response.status_code == 302
    assert LogbookEntry.objects.get().phi_warnings == [{"field": "findings", "kinds": ["name"]}]


def test_a_future_date_is_refused_on_the_form(client, trainee):
    client.force_login(trainee)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(reverse("certification:logbook_new"), form_data(performed_on=tomorrow))
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    assert not LogbookEntry.objects.exists()


def test_html_in_text_is_escaped(client, trainee, instructor):
    entry = pending_entry(trainee, findings="<script>alert('x')</script> LR-5")
    for user, url in (
        (trainee, reverse("certification:logbook_entry", args=[entry.pk])),
        (instructor, reverse("certification:signoff_entry", args=[entry.pk])),
    ):
        client.force_login(user)
        body = client.get(url).content.decode()
        assert "<script>alert" not in body
        assert "&lt;script&gt;alert" in body


def test_the_entry_shows_posters_of_visible_loops(client, trainee, hospital):
    loop = with_files(ReadyLoopFactory(institution=hospital))
    entry = pending_entry(trainee)
    entry.loops.add(loop)
    client.force_login(trainee)
    body = client.get(reverse("certification:logbook_entry", args=[entry.pk])).content.decode()
    poster = reverse("cineloops:media", kwargs={"pk": loop.pk, "kind": "poster"})
    assert poster in body
    assert client.get(poster).status_code == 200


def test_editing_and_correcting(client, trainee):
    entry = pending_entry(trainee)
    client.force_login(trainee)
    response = client.post(
        reverse("certification:logbook_edit", args=[entry.pk]), form_data(impression="LR-4.")
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.impression == "LR-4."

    approved = LogbookEntryFactory(trainee=trainee)
    response = client.get(reverse("certification:logbook_edit", args=[approved.pk]))
    assert response.status_code == 302  # refused: back to the entry
    response = client.post(
        reverse("certification:logbook_correct", args=[approved.pk]), form_data()
    )
    correction = LogbookEntry.objects.get(corrects=approved)
    assert response["Location"] == reverse("certification:logbook_entry", args=[correction.pk])


def test_the_supervisor_signs_off_from_the_queue(client, trainee, instructor, mailoutbox):
    entry = pending_entry(trainee)
    client.force_login(instructor)
    queue = client.get(reverse("certification:signoff"))
    assert list(queue.context["entries"]) == [entry]

    url = reverse("certification:signoff_entry", args=[entry.pk])
    response = client.post(url, {"decision": "reject", "comment": ""})
    assert response.status_code == 200
    assert "Say why the entry is rejected." in response.content.decode()

    response = client.post(url, {"decision": "approve", "adequacy": "good", "comment": "OK"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.adequacy, entry.reviewed_by) == ("approved", "good", instructor)


def test_queue_filters(client, trainee, instructor, hospital):
    from tests.factories import TraineeFactory

    other = TraineeFactory(institution=hospital)
    liver = pending_entry(trainee)
    kidney = pending_entry(other, exam_type="ceus_kidney")
    client.force_login(instructor)
    url = reverse("certification:signoff")
    assert list(client.get(url, {"trainee": other.pk}).context["entries"]) == [kidney]
    assert list(client.get(url, {"exam_type": "ceus_liver"}).context["entries"]) == [liver]


def test_directors_read_the_queue_but_do_not_sign_off(client, trainee, director):
    entry = pending_entry(trainee)
    client.force_login(director)
    assert list(client.get(reverse("certification:signoff")).context["entries"]) == [entry]
    assert client.get(reverse("certification:logbook_entry", args=[entry.pk])).status_code == 200
    url = reverse("certification:signoff_entry", args=[entry.pk])
    assert client.post(url, {"decision": "approve", "adequacy": "good"}).status_code == 403


def test_outsiders_see_nothing(client, trainee, other_instructor, hospital):
    from tests.factories import TraineeFactory

    entry = pending_entry(trainee)
    client.force_login(other_instructor)
    assert client.get(reverse("certification:logbook_entry", args=[entry.pk])).status_code == 404
    assert client.get(reverse("certification:signoff_entry", args=[entry.pk])).status_code == 404
    assert not client.get(reverse("certification:signoff")).context["entries"]

    client.force_login(TraineeFactory(institution=hospital))
    assert client.get(reverse("certification:logbook_entry", args=[entry.pk])).status_code == 404
    assert client.get(reverse("certification:signoff")).status_code == 403
    assert client.get(reverse("certification:logbook_edit", args=[entry.pk])).status_code == 404


def test_a_trainee_cannot_sign_off(client, trainee):
    entry = pending_entry(trainee)
    client.force_login(trainee)
    url = reverse("certification:signoff_entry", args=[entry.pk])
    assert client.post(url, {"decision": "approve", "adequacy": "good"}).status_code == 403
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING
