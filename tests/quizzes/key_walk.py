"""The walk of the exam-key tests: every case and loop page, and every operation of the
OpenAPI schema that takes a case or loop id, called for one case and loop; and the search of
a response body for key material. Shared by ``test_exam_keys`` (factories) and
``test_exam_keys_demo`` (the demo exam).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.urls import URLPattern, reverse
from drf_spectacular.generators import SchemaGenerator

from cases.urls import urlpatterns as case_urls
from cineloops.urls import urlpatterns as loop_urls

# Path parameters naming a case or a loop, by the resource the path is under.
ID_PARAMS = {"id", "pk", "case_id", "loop_id"}
# What a POST of the walk sends (the loop-viewing operations need these fields).
POST_BODY = {"loop": 0, "played_s": 1, "position_s": 1}


TEXT_TYPES = ("text/", "application/json", "application/problem+json", "application/xml")


def body(response) -> str:
    """A response's body as text (streamed or not); "" for pixels and video. A key is text or
    numbers written as text; a loop's video, poster or DICOM is made from the scanner's file
    before any case or question exists, and its random bytes spell "32 s" now and then."""
    raw = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    content_type = response.get("Content-Type", "")
    if content_type and not content_type.startswith(TEXT_TYPES):
        return ""
    return raw.decode("utf-8", "replace")


def number_in(number: float, text: str) -> bool:
    """Whether ``number`` is written in ``text`` as a number of its own (not inside another)."""
    return any(
        re.search(rf"(?<![\d.]){re.escape(written)}(?![\d])", text)
        for written in {f"{number:g}", repr(float(number))}
    )


def found_keys(text: str, *, phrases: Iterable[str], numbers: Iterable[float]) -> list[str]:
    """The key phrases and key numbers written in ``text``."""
    found = [phrase for phrase in phrases if phrase and phrase in text]
    return found + [f"{number:g}" for number in numbers if number_in(number, text)]


def schema_operations(case, loop, lesion) -> list[tuple[str, str, str, dict]]:
    """(method, schema path, url, query) of every schema operation that takes a case or loop
    id, for ``case`` and ``loop`` (``lesion``: the annotation a curve is asked for)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, methods in schema["paths"].items():
        under = "case" if "/cases/{" in path else "loop" if "/cineloops/{" in path else None
        for method, operation in methods.items():
            url, query, takes_id = path, {}, under is not None
            for param in operation.get("parameters", []):
                name, where = param["name"], param["in"]
                if where == "path" and name in ID_PARAMS and under:
                    url = url.replace(f"{{{name}}}", str(case.pk if under == "case" else loop.pk))
                elif where == "path" and name == "kind":
                    url = url.replace("{kind}", "video")
                elif where == "query" and name in ("case", "cases"):
                    query[name], takes_id = case.pk, True
                elif where == "query" and name in ("loop", "loops", "ids"):
                    query[name], takes_id = loop.pk, True
                elif where == "query" and name == "roi" and lesion is not None:
                    query[name] = lesion.pk  # the stored lesion curve
            if takes_id and "{" not in url:
                operations.append((method.upper(), path, url, query))
    return operations


def call(api, method: str, url: str, query: dict):
    """One operation of ``schema_operations`` through an API client."""
    if method == "GET":
        return api.get(url, query)
    return getattr(api, method.lower())(url, POST_BODY)


def html_routes(case, loop) -> list[str]:
    """Every page of the case library and of cine loops that takes the id of one."""
    urls = []
    for namespace, patterns, pk in (
        ("cases", case_urls, case.pk),
        ("cineloops", loop_urls, loop.pk),
    ):
        for pattern in patterns:
            if isinstance(pattern, URLPattern) and "pk" in pattern.pattern.converters:
                kwargs = {"pk": pk} | ({"kind": "video"} if "kind" in str(pattern.pattern) else {})
                urls.append(reverse(f"{namespace}:{pattern.name}", kwargs=kwargs))
    return urls


def _positions(number: float, text: str) -> list[int]:
    written = "|".join(re.escape(w) for w in {f"{number:g}", repr(float(number))})
    return [m.start() for m in re.finditer(rf"(?<![\d.])(?:{written})(?![\d])", text)]


def numbers_together(numbers: Iterable[float], text: str, *, within: int = 120) -> bool:
    """Whether all ``numbers`` are written within ``within`` characters of one of them: an ROI
    geometry given whole, however it is formatted (a lone small number is no key)."""
    first, *others = list(numbers)
    rest = [_positions(number, text) for number in others]
    return any(
        all(any(abs(at - start) <= within for at in found) for found in rest)
        for start in _positions(first, text)
    )


def seconds_in(seconds: float, text: str) -> bool:
    """Whether a time of ``seconds`` is written in ``text`` as a time: with its decimals
    (``32.0``, as JSON writes a float) or a unit (``32 s``) — not a bare ``32`` of a size."""
    whole = re.escape(f"{seconds:g}")
    if "." in whole:
        return number_in(seconds, text)
    return bool(re.search(rf"(?<![\d.]){whole}(?:\.0+(?![\d])|\s?s\b)", text))
