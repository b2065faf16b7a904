# ruff: noqa: RUF001 -- Chinese UI text: its full-width colon is intended
"""The next-action bar's audience sentence says who sees an object, now and once published."""

from django.template.loader import render_to_string
from django.utils import translation

from core.next_action import NextAction, Step, audience_sentence
from core.scoping import PublicationStatus, Visibility


def test_audience_sentence_names_the_institution_only_when_private():
    private = audience_sentence(
        status=PublicationStatus.DRAFT, visibility=Visibility.INSTITUTION, institution_name="Lin'an"
    )
    shared = audience_sentence(
        status=PublicationStatus.PUBLISHED, visibility=Visibility.NETWORK, institution_name="Lin'an"
    )

    assert "Lin'an" in private and "only its editors" in private
    assert "Lin'an" not in shared and "everyone in the teaching network" in shared


def test_audience_sentence_is_translated():
    with translation.override("zh-hans"):
        text = audience_sentence(
            status=PublicationStatus.PUBLISHED,
            visibility=Visibility.INSTITUTION,
            institution_name="县医院",
        )
    assert text == "已发布：只有县医院的人员能看到。"


def test_bar_renders_posting_steps_with_their_fields_and_links():
    bar = NextAction(
        state="In review",
        audience="Not published.",
        missing=("the final diagnosis",),
        steps=(
            Step("Approve", "/cases/1/review/", fields={"approve": "1"}),
            Step("Edit", "/cases/1/edit/", method="get", primary=False),
        ),
    )
    html = render_to_string("core/_next_action.html", {"next_action": bar})

    assert 'action="/cases/1/review/"' in html and 'name="approve" value="1"' in html
    assert '<a class="button secondary" href="/cases/1/edit/">Edit</a>' in html
    assert "the final diagnosis" in html
    assert render_to_string("core/_next_action.html", {"next_action": None}).strip() == ""


def test_in_review_the_sentence_names_the_reviewers_too():
    text = audience_sentence(
        status=PublicationStatus.DRAFT,
        visibility=Visibility.INSTITUTION,
        institution_name="Songyang",
        in_review=True,
    )
    assert "editors and reviewers see it now" in text and "only people at Songyang" in text
