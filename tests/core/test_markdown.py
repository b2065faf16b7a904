"""Instructor Markdown is rendered, then sanitised: nothing in it can run in a reader's browser."""

import pytest

from core.markdown import render_markdown


def test_renders_markdown():
    html = render_markdown("## Arterial phase\n\n*Rim* enhancement, see [LI-RADS](https://x.org)")

    assert "<h2>Arterial phase</h2>" in html
    assert "<em>Rim</em>" in html
    assert 'href="https://x.org"' in html
    assert 'rel="noopener noreferrer"' in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src="x.png" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">click</a>',
        '<p style="background:url(javascript:alert(1))">x</p>',
        '<iframe src="https://evil.example"></iframe>',
    ],
)
def test_drops_scripts_handlers_and_javascript_urls(hostile):
    html = render_markdown(hostile).lower()

    for needle in ("<script", "onerror", "javascript:", "style=", "<iframe"):
        assert needle not in html


def test_empty_text_renders_empty():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""


@pytest.mark.parametrize(
    "text", ["![Arterial phase](/static/img/x.png)", '<img src="/x.png" alt="" loading="eager">']
)
def test_authored_images_load_lazily_and_decode_off_the_main_thread(text):
    """A lesson's pictures below the fold cost nothing on a slow link until the reader is there."""
    html = render_markdown(text)

    assert 'loading="lazy"' in html
    assert 'decoding="async"' in html
    assert "eager" not in html
