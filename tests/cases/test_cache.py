"""The cached parts of the library pages (``cases.cache``): nobody is ever served a stale page,
another scope's cases, another user's badges or another language."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from kombu.exceptions import OperationalError as BrokerError

from cases import cache as case_cache
from cases.models import Annotation, Bookmark, CaseWatch
from cineloops.models import CineLoop
from cineloops.processing import loop_abandon
from cineloops.recovery import loops_recover_dead_claims
from cineloops.services import loop_enqueue
from cineloops.tasks import loop_process_task
from core.scoping import PublicationStatus, Visibility
from tests.cases.factories import CaseFactory
from tests.factories import InstructorFactory, TraineeFactory

pytestmark = pytest.mark.django_db


def page(user, url: str, language: str = "en") -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def status(user, url: str) -> int:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client.get(url).status_code


LIBRARY = "/cases/"


def test_unpublishing_a_case_removes_it_from_cached_pages(hospital, trainee, instructor):
    case = CaseFactory(institution=hospital, title="Soon a draft")
    url = reverse("cases:detail", kwargs={"pk": case.pk})
    assert "Soon a draft" in page(trainee, LIBRARY)
    assert "Soon a draft" in page(trainee, url)
    case.status = PublicationStatus.DRAFT
    case.save()
    assert "Soon a draft" not in page(trainee, LIBRARY)
    assert status(trainee, url) == 404
    assert "Soon a draft" in page(instructor, LIBRARY)  # its editors still see it


def test_institutions_never_share_cached_grids(hospital, other_hospital, trainee):
    CaseFactory(institution=hospital, title="Ours only", visibility=Visibility.INSTITUTION)
    CaseFactory(institution=other_hospital, title="Shared", visibility=Visibility.NETWORK)
    outsider = TraineeFactory(institution=other_hospital)
    assert "Ours only" in page(trainee, LIBRARY)
    outside = page(outsider, LIBRARY)
    assert "Ours only" not in outside and "Shared" in outside


def test_drafts_cached_for_authors_are_not_shown_to_trainees(hospital, trainee, instructor):
    CaseFactory(institution=hospital, title="Work in progress", status=PublicationStatus.DRAFT)
    assert "Work in progress" in page(instructor, LIBRARY)
    assert "Work in progress" not in page(trainee, LIBRARY)
    assert "Work in progress" in page(InstructorFactory(institution=hospital), LIBRARY)


def test_language_switch_is_never_served_from_the_other_language(hospital, trainee, case):
    url = reverse("cases:detail", kwargs={"pk": case.pk})
    for target in (LIBRARY, url):
        english = page(trainee, target, "en")
        chinese = page(trainee, target, "zh-hans")
        assert english != chinese
        assert "收藏" in chinese and "收藏" not in english  # "Bookmark"
        assert "收藏" not in page(trainee, target, "en")  # after the Chinese one was cached


def test_badges_are_each_users_own(hospital, trainee, case, monkeypatch):
    """One cached grid for the whole scope, and each reader's own bookmark and "reviewed"
    badges on it: nobody's leak into another's page, nor into what is cached."""
    from django.core.cache import cache

    from cases import listing

    built = []
    real_cards = listing.cards
    monkeypatch.setattr(listing, "cards", lambda *a, **k: built.append(1) or real_cards(*a, **k))
    other = TraineeFactory(institution=hospital)
    Bookmark.objects.create(user=trainee, case=case)
    CaseWatch.objects.create(user=trainee, case=case, reviewed_at=case.created_at)

    mine = page(trainee, LIBRARY)
    assert 'aria-pressed="true">★ Bookmarked' in mine and ">Reviewed</span>" in mine
    theirs = page(other, LIBRARY)
    assert 'aria-pressed="true"' not in theirs and ">Reviewed</span>" not in theirs
    assert 'aria-pressed="false">☆ Bookmark' in theirs
    assert len(built) == 1  # the second reader was served the grid cached for the first
    with translation.override("en"):
        shared = cache.get(case_cache.grid_key(trainee, ""))
    assert [card.pk for card in shared.cards] == [case.pk]
    assert not any(card.is_bookmarked or card.is_reviewed for card in shared.cards)
    assert not any(
        'aria-pressed="true"' in html or "Reviewed" in html for html in shared.cards_html
    )

    # A bookmark is not content (no new version): the cached grid is read again, with the
    # reader's flags as they are now.
    Bookmark.objects.filter(user=trainee).delete()
    assert 'aria-pressed="false">☆ Bookmark' in page(trainee, LIBRARY)
    assert len(built) == 1


def test_grids_of_a_readers_own_bookmarks_are_never_shared(hospital, trainee, case):
    other = TraineeFactory(institution=hospital)
    Bookmark.objects.create(user=trainee, case=case)

    mine = page(trainee, f"{LIBRARY}?bookmarked=1")
    assert case.title in mine and 'aria-pressed="true">★ Bookmarked' in mine
    theirs = page(other, f"{LIBRARY}?bookmarked=1")
    assert case.title not in theirs and "No case matches" in theirs


def test_a_changed_title_is_shown_at_once(hospital, trainee, case):
    assert case.title in page(trainee, LIBRARY)
    case.title = "A title written after the page was cached"
    case.save()
    assert "A title written after the page was cached" in page(trainee, LIBRARY)


def test_case_page_shows_changes_to_annotations_and_tags(hospital, trainee, case):
    url = reverse("cases:detail", kwargs={"pk": case.pk})
    assert "Cached no more" not in page(trainee, url)
    Annotation.objects.create(
        case=case,
        loop=case.case_loops.first().loop,
        kind="arrow",
        geometry={"x1": 0.1, "y1": 0.1, "x2": 0.2, "y2": 0.2},
        label="Cached no more",
    )
    assert "Cached no more" in page(trainee, url)
    case.tags.create(name="fresh-tag")
    assert "fresh-tag" in page(trainee, url)
    assert "fresh-tag" in page(trainee, LIBRARY)


def test_edit_rights_are_per_user_on_a_cached_case_page(hospital, trainee, instructor, case):
    url = reverse("cases:detail", kwargs={"pk": case.pk})
    edit = reverse("cases:edit", kwargs={"pk": case.pk})
    assert edit in page(instructor, url)
    assert edit not in page(trainee, url)


def test_the_version_is_shared_by_processes_through_a_file(settings, tmp_path):
    settings.CASES_CACHE_VERSION_FILE = tmp_path / "cache" / "cases-content-version"
    first = case_cache.version()
    assert case_cache.bump() != first
    # Another worker bumps: this one sees it at once (its own memory is not consulted).
    (tmp_path / "cache" / "cases-content-version").write_text("from-another-process")
    assert case_cache.version() == "from-another-process"


def test_a_computed_curve_bumps_the_version(case, instructor, celery_eager):
    """The TIC task writes its curve with update() (no signal): it bumps the version itself."""
    from cases.models import RoiCurve
    from cases.services.tic import tic_compute
    from tests.factories import api_for

    loop = case.case_loops.first().loop
    roi = {"loop": loop.pk, "kind": "ellipse", "roi_role": "lesion", "label": "Lesion",
           "geometry": {"cx": 0.5, "cy": 0.5, "rx": 0.1, "ry": 0.1}}  # fmt: skip
    saved = api_for(instructor).put(
        f"/api/v1/cases/{case.pk}/annotations/",
        {"annotations": [roi], "phase_markers": []},
        format="json",
    )
    assert saved.status_code == 200, saved.content
    annotation_pk = saved.json()["annotations"][0]["id"]
    RoiCurve.objects.filter(annotation_id=annotation_pk).update(status="pending")
    before = case_cache.version()
    tic_compute(annotation_pk=annotation_pk)
    assert case_cache.version() != before


def test_the_version_changes_again_when_the_change_commits(
    hospital, case, django_capture_on_commit_callbacks
):
    """A page rendered between a save and its commit reads the old rows: whatever version it
    was cached under must not be the one after the commit."""
    seen = [case_cache.version()]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        case.title = "Renamed"
        case.save()
        seen.append(case_cache.version())  # what another request would cache the old page under
        case.tags.create(name="committed-later")
        seen.append(case_cache.version())

    assert case_cache.version() not in seen


def loop_of(case):
    return case.case_loops.first().loop


def queue(loop, monkeypatch):
    CineLoop.objects.filter(pk=loop.pk).update(status=CineLoop.Status.UPLOADED)
    assert loop_enqueue(loop_pk=loop.pk)


def abandon(loop, monkeypatch):
    CineLoop.objects.filter(pk=loop.pk).update(status=CineLoop.Status.PROCESSING, task_id="run")
    assert loop_abandon(loop_pk=loop.pk, task_id="run", code="worker_lost")


def sweep(loop, monkeypatch):
    CineLoop.objects.filter(pk=loop.pk).update(
        status=CineLoop.Status.PROCESSING,
        heartbeat_at=timezone.now() - timedelta(hours=1),
        recoveries=loop_process_task.max_retries,  # recovered too often: failed by the sweep
    )
    assert loops_recover_dead_claims()["failed"] == 1


def queue_with_the_broker_down(loop, monkeypatch):
    CineLoop.objects.filter(pk=loop.pk).update(status=CineLoop.Status.UPLOADED)

    def unreachable(**kwargs):
        raise BrokerError("Connection refused.")

    monkeypatch.setattr(loop_process_task, "delay", unreachable)
    assert not loop_enqueue(loop_pk=loop.pk)  # queued, then back to uploaded


@pytest.mark.parametrize("change", [queue, abandon, sweep, queue_with_the_broker_down])
def test_loop_statuses_written_with_update_bump_the_version(
    case, queued_messages, monkeypatch, change
):
    """cineloops writes these with QuerySet.update() (no post_save) and sends
    ``loops_updated``, which the library listens to."""
    loop = loop_of(case)
    before = case_cache.version()
    change(loop, monkeypatch)
    assert case_cache.version() != before


def test_an_update_that_changes_no_loop_does_not_bump(case, queued_messages):
    loop = loop_of(case)  # ready: neither queued nor claimed by the run
    before = case_cache.version()
    assert not loop_abandon(loop_pk=loop.pk, task_id="run", code="worker_lost")
    assert case_cache.version() == before
