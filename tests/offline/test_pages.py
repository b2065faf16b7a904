"""The pages of offline study: the service worker at the site root, the manifest, the "Saved for
offline" page and the offline paper in both languages, and the buttons — none on an exam."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from courses.models import Enrolment
from tests.factories import TraineeFactory

pytestmark = pytest.mark.django_db


def test_the_service_worker_is_served_from_the_root_with_our_own_workbox(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    source = response.content.decode()
    settings_line = source.splitlines()[0]
    config = json.loads(settings_line.removeprefix("self.CEUS_OFFLINE = ").removesuffix(";"))
    assert config["cache"] == "ceus-offline-v1"
    assert config["fallback"] == reverse("offline:unavailable")
    assert [url.rsplit("/", 1)[1] for url in config["workbox"]] == [
        "workbox-core.prod.js",
        "workbox-routing.prod.js",
        "workbox-strategies.prod.js",
        "workbox-range-requests.prod.js",
    ]
    for url in config["workbox"]:
        assert url.startswith("/static/vendor/workbox-7.4.1/")
        assert finders.find(url.removeprefix("/static/")), url
    assert finders.find("vendor/workbox-7.4.1/LICENSE")
    assert "importScripts(...self.CEUS_OFFLINE.workbox)" in source
    assert not re.search(r"https?://", source)


def test_an_unchanged_service_worker_answers_not_modified(client, monkeypatch):
    """Browsers ask for /sw.js again, as often as at every page: unchanged, it costs a 304."""
    first = client.get("/sw.js")
    again = client.get("/sw.js", HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200 and first["ETag"]
    assert again.status_code == 304 and again.content == b""
    monkeypatch.setattr("offline.views.CACHE_NAME", "ceus-offline-v2")  # a new worker
    changed = client.get("/sw.js", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_the_policy_lets_our_worker_and_manifest_in_and_nothing_else(client):
    header = client.get("/sw.js")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())

    assert directives["worker-src"] == "'self'"
    assert directives["manifest-src"] == "'self'"
    assert directives["script-src"] == "'self'"


@pytest.mark.parametrize(("lang", "name"), [("en", "CEUS Training"), ("zh-hans", "超声造影培训")])
def test_the_manifest_names_the_app_in_the_pages_language(client, lang, name):
    response = client.get(f"/manifest.webmanifest?lang={lang}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["name"] == name and manifest["lang"] == lang
    assert manifest["display"] == "standalone" and manifest["scope"] == "/"
    assert manifest["start_url"] == reverse("courses:dashboard")
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_every_page_links_the_manifest_and_says_who_is_signed_in(client, trainee):
    anonymous = client.get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest?lang=en">' in anonymous
    assert 'data-user=""' in anonymous and "/static/js/offline.js" in anonymous

    client.force_login(trainee)
    page = client.get(reverse("courses:catalogue")).content.decode()
    assert f'data-user="{trainee.pk}"' in page
    assert f'href="{reverse("offline:saved")}"' in page  # the menu's link


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        ("en", ["Saved for offline", "On this device", "Exams always need a connection."]),
        ("zh-hans", ["离线保存", "本设备上", "考试始终需要联网。"]),
    ],
)
def test_the_saved_page_in_both_languages(client, trainee, lang, texts):
    client.force_login(trainee)

    html = client.get(reverse("offline:saved"), HTTP_ACCEPT_LANGUAGE=lang).content.decode()

    for text in texts:
        assert text in html, text
    assert "/static/js/offline-saved.js" in html


def test_the_saved_page_needs_a_sign_in(client):
    response = client.get(reverse("offline:saved"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_not_saved_page(client, trainee):
    client.force_login(trainee)
    html = client.get(reverse("offline:unavailable")).content.decode()
    assert "Not saved on this device" in html and reverse("offline:saved") in html


def test_the_offline_paper_page_shows_the_questions_without_keys(client, trainee, study):
    client.force_login(trainee)

    response = client.get(reverse("offline:quiz_take", kwargs={"pk": study.practice.pk}))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Practice offline" in html and "Finish and send" in html
    assert 'id="offline-paper"' in html and "/static/js/offline-quiz.js" in html
    assert "/static/js/quiz-take.js" not in html  # no autosave to an attempt
    assert "SECRET-" not in html
    assert f'data-question="{study.single.pk}"' in html


def test_an_exam_has_no_offline_paper_and_says_it_needs_a_connection(client, trainee, study):
    client.force_login(trainee)

    refused = client.get(reverse("offline:quiz_take", kwargs={"pk": study.exam.pk}))
    exam_page = client.get(study.exam.get_absolute_url()).content.decode()
    practice_page = client.get(study.practice.get_absolute_url()).content.decode()

    assert refused.status_code == 403
    assert "Exams need a connection" in refused.content.decode()
    assert "data-offline-save" not in exam_page
    assert "Exams need a connection: they cannot be saved for offline study." in exam_page
    assert f'data-offline-save="quiz:{study.practice.pk}"' in practice_page
    assert reverse("offline:quiz_take", kwargs={"pk": study.practice.pk}) in practice_page


def test_the_exam_attempt_page_says_it_needs_a_connection_and_checks_at_once(
    client, trainee, study
):
    client.force_login(trainee)
    started = client.post(reverse("quizzes:start", kwargs={"pk": study.exam.pk}))

    html = client.get(started["Location"]).content.decode()

    assert "keep this device online until you have submitted" in html
    assert "data-offline-sync-now" in html


def test_the_module_and_case_pages_have_save_buttons(client, trainee, study):
    client.force_login(trainee)

    course = client.get(study.course.get_absolute_url()).content.decode()
    case = client.get(study.case.get_absolute_url()).content.decode()

    assert f'data-offline-save="module:{study.module.pk}"' in course
    assert f'data-bundle="/api/v1/offline/bundles/module/{study.module.pk}/"' in course
    assert f'data-offline-save="case:{study.case.pk}"' in case


def test_a_lesson_fetched_to_be_kept_is_not_a_visit(client, trainee, study):
    client.force_login(trainee)
    enrolment = Enrolment.objects.get(user=trainee)

    client.get(study.lesson.get_absolute_url(), HTTP_X_OFFLINE_SAVE="1")
    enrolment.refresh_from_db()
    assert enrolment.last_lesson_id is None

    client.get(study.lesson.get_absolute_url())
    enrolment.refresh_from_db()
    assert enrolment.last_lesson_id == study.lesson.pk


def test_someone_elses_offline_paper_page_is_their_own(client, hospital, study):
    other = TraineeFactory(institution=hospital)
    client.force_login(other)

    response = client.get(reverse("offline:quiz_take", kwargs={"pk": study.practice.pk}))

    assert response.status_code == 200  # a paper of their own
    from offline.models import OfflinePaper

    assert OfflinePaper.objects.get().user == other
