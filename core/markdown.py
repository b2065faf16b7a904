"""Markdown authored by instructors, rendered to HTML that is safe to show to anyone.

Markdown passes raw HTML through, so the rendered HTML is always cleaned by an allow-list
sanitiser (nh3): scripts, event handlers, ``javascript:`` links and styles are dropped.
"""

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol",
    "p", "pre", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
    "code": {"class"},
    "div": {"class"},
    "span": {"class"},
}
# Authored images load when they come near the viewport and decode off the main thread: a
# lesson's pictures below the fold cost nothing on a slow link until the reader gets there.
_SET_ATTRIBUTES = {"img": {"loading": "lazy", "decoding": "async"}}
# No "toc": the sanitiser drops heading ids (they could clobber page globals), so it adds nothing.
_EXTENSIONS = ["extra", "sane_lists"]


def render_markdown(text: str) -> SafeString:
    """Render instructor Markdown to sanitised HTML."""
    html = md.markdown(text or "", extensions=_EXTENSIONS, output_format="html")
    cleaned = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        set_tag_attribute_values=_SET_ATTRIBUTES,
    )
    return mark_safe(cleaned)  # safe: sanitised by nh3 just above
