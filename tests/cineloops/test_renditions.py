"""A loop's lower renditions on the platform: stored with its run's outputs, served like its
video to those who may see the loop, listed by the payloads highest first; made later for
loops processed before they existed (``manage.py make_renditions``), on folders or an object
store.

The loop is a real sample (orthanc-Issue16, 34 frames 480 x 430) processed once per session
(``processed_sample``): everything around the pixel work runs as in production."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from cine.renditions import video_timing
from cineloops import renditions as renditions_service
from cineloops import storage
from cineloops.models import CineLoop
from cineloops.playback import rendition_entries, renditions_payload
from cineloops.selectors import loop_facts
from quizzes.models import QuestionKind
from tests.cases.factories import CaseFactory, ReadyLoopFactory, with_files
from tests.cases.loops import processed
from tests.cine.sample_files import real_path
from tests.cine.samples_reference import REAL
from tests.cineloops.stored import fetch, output_bytes, outputs_of
from tests.factories import api_for
from tests.processed_outputs import SAMPLES_SECRET
from tests.quizzes.factories import QuizFactory, make_question

pytestmark = pytest.mark.django_db

SAMPLE = next(s for s in REAL if s.name == "orthanc-Issue16.dcm")
NAMES = ["high", "medium", "low"]


@pytest.fixture
def loop(hospital, settings, processed_sample, reuse_processed_outputs) -> CineLoop:
    assert processed_sample(SAMPLE)[0] == 0
    settings.CINE_DEID_SECRET = SAMPLES_SECRET
    loop = processed(real_path(SAMPLE.name), hospital)
    assert loop.status == CineLoop.Status.READY
    return loop


def media(loop: CineLoop, kind: str) -> str:
    return f"/cineloops/{loop.pk}/media/{kind}/"


def made_before_renditions(loop: CineLoop) -> CineLoop:
    """The loop as a run of an earlier release left it: no rendition files, none recorded."""
    for entry in loop.renditions[1:]:
        storage.media().delete(storage.output_name(loop.pk, loop.output_run, entry["file"]))
    CineLoop.objects.filter(pk=loop.pk).update(renditions=[])
    loop.refresh_from_db()
    return loop


def test_processing_records_every_rendition_of_the_run(loop) -> None:
    facts = loop_facts(loop)
    assert facts is not None and facts.video is not None
    assert loop.renditions == rendition_entries(facts.video)
    assert [entry["name"] for entry in loop.renditions] == NAMES
    high = loop.renditions[0]
    assert (high["file"], high["width"], high["height"]) == ("video.mp4", 960, 860)  # enlarged
    kbps = [entry["kbps"] for entry in loop.renditions]
    assert kbps[0] == facts.video.kbps and kbps == sorted(kbps, reverse=True)
    stored = outputs_of(loop.pk)
    for entry in loop.renditions:
        assert storage.output_name(loop.pk, loop.output_run, entry["file"]) in stored


def test_renditions_are_served_to_those_who_see_the_loop_only(
    loop, client, instructor, other_instructor, trainee
) -> None:
    client.force_login(instructor)
    for name in ("medium", "low"):
        data = output_bytes(loop, f"video-{name}")
        response = fetch(client, media(loop, f"video-{name}"), HTTP_RANGE="bytes=0-99")
        assert response.status == 206 and response.headers["Content-Type"] == "video/mp4"
        assert response.body == data[:100]
    assert client.get(media(loop, "video-high")).status_code == 404  # "high" is "video"
    for user in (other_instructor, trainee):
        client.force_login(user)
        assert client.get(media(loop, "video-low")).status_code == 404


def test_the_case_payload_lists_the_renditions_highest_first(loop, trainee) -> None:
    case = CaseFactory(institution=loop.institution, loops=[loop])
    entry = api_for(trainee).get(f"/api/v1/cases/{case.pk}/").json()["loops"][0]
    assert [r["name"] for r in entry["renditions"]] == NAMES
    assert entry["renditions"][0]["url"] == entry["video_url"] == media(loop, "video")
    for listed, kept in zip(entry["renditions"], loop.renditions, strict=True):
        kind = "video" if kept["name"] == "high" else f"video-{kept['name']}"
        assert listed == {
            "name": kept["name"],
            "url": media(loop, kind),
            "width": kept["width"],
            "height": kept["height"],
            "kbps": kept["kbps"],
        }


def test_the_quiz_payload_lists_them_too(loop, trainee) -> None:
    question = make_question(
        QuestionKind.HOTSPOT, institution=loop.institution, loop=loop, frame_time_s=0.5
    )
    quiz = QuizFactory(institution=loop.institution, questions=[question])
    attempt = api_for(trainee).post(f"/api/v1/quizzes/{quiz.pk}/attempts/").json()
    shown = attempt["questions"][0]["loop"]
    assert shown["renditions"] == renditions_payload(loop)
    assert [r["name"] for r in shown["renditions"]] == NAMES
    assert shown["video_url"] == shown["renditions"][0]["url"]


def test_a_loop_made_before_renditions_lists_its_video_alone(hospital, cine_dirs) -> None:
    old = with_files(ReadyLoopFactory(institution=hospital))
    assert old.renditions == []
    assert renditions_payload(old) == [
        {"name": "high", "url": media(old, "video"), "width": 320, "height": 240, "kbps": 0}
    ]
    assert renditions_payload(ReadyLoopFactory(institution=hospital, video_file="")) == []


@pytest.fixture(params=["folders", "object store"])
def stored_in(request) -> str:
    if request.param == "object store":
        request.getfixturevalue("s3_mock")
    return request.param


def test_make_renditions_for_loops_processed_before_them(
    stored_in, loop, celery_eager, client, instructor, capsys
) -> None:
    old = made_before_renditions(loop)
    before = outputs_of(old.pk)

    call_command("make_renditions")

    assert f"1 loops queued for renditions: {old.pk}" in capsys.readouterr().out
    old.refresh_from_db()
    assert [entry["name"] for entry in old.renditions] == NAMES
    added = sorted(set(outputs_of(old.pk)) - set(before))
    run = storage.run_prefix(old.pk, old.output_run)
    assert [re.sub(r"-[0-9a-f]{8}\.", "-*.", name) for name in added] == [
        f"{run}/video-low-*.mp4",
        f"{run}/video-medium-*.mp4",
    ]
    # Every frame at the full video's timestamps, served like the video.
    client.force_login(instructor)
    full = output_bytes(old, "video")
    for name in ("medium", "low"):
        response = client.get(media(old, f"video-{name}"))
        if stored_in == "object store":  # a signed address of the object (moto is in-process)
            assert response.status_code == 302
            assert urlsplit(response["Location"]).path.endswith(old.output_name(f"video-{name}"))
        else:
            assert fetch(client, media(old, f"video-{name}")).body == output_bytes(
                old, f"video-{name}"
            )
    with (
        storage.local_file(storage.media(), old.output_name("video-low")) as low,
        storage.local_file(storage.media(), old.output_name("video")) as video,
    ):
        assert video_timing(low) == video_timing(video)
        assert video.read_bytes() == full
    # Once made, never again.
    call_command("make_renditions")
    assert "0 loops queued for renditions: none" in capsys.readouterr().out


def test_a_loop_processed_again_meanwhile_keeps_the_new_runs_files(
    loop, monkeypatch, cine_dirs
) -> None:
    old = made_before_renditions(loop)
    before = outputs_of(old.pk)
    real_make = renditions_service._make

    def processed_again_meanwhile(loop, work):
        made = real_make(loop, work)
        CineLoop.objects.filter(pk=loop.pk).update(output_run="a-newer-run")
        return made

    monkeypatch.setattr(renditions_service, "_make", processed_again_meanwhile)

    assert renditions_service.loop_make_renditions(loop_pk=old.pk) == (
        "skipped: processed again meanwhile"
    )
    assert outputs_of(old.pk) == before  # what this attempt stored is gone again
    assert CineLoop.objects.get(pk=old.pk).renditions == []


def test_loops_without_what_renditions_are_made_from_are_left_alone(hospital, cine_dirs) -> None:
    single = ReadyLoopFactory(institution=hospital, video_file="", dicom_file="deidentified.dcm")
    unprocessed = ReadyLoopFactory(institution=hospital, status=CineLoop.Status.PROCESSING)
    assert list(renditions_service.loops_without_renditions()) == []
    assert renditions_service.loop_make_renditions(loop_pk=single.pk).startswith("skipped")
    assert renditions_service.loop_make_renditions(loop_pk=unprocessed.pk).startswith("skipped")
