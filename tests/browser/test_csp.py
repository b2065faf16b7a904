"""The Content-Security-Policy header on every page, and the browser guard (conftest's
``_no_csp_violation``) that fails any browser test whose pages break it."""

import pytest

pytestmark = pytest.mark.django_db

EXPECTED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "media-src": "'self' blob:",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}


def _directives(header: str) -> dict[str, str]:
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: value for name, value in parts}


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/verify/unknown/"])
def test_every_page_carries_the_policy(client, path):
    directives = _directives(client.get(path)["Content-Security-Policy"])
    for name, value in EXPECTED.items():
        assert directives[name] == value, name
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_guard_sees_an_inline_script_and_an_inline_handler(browser, page):
    page.goto("/accounts/login/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.ranInline = true";
          document.body.append(script);
          document.body.insertAdjacentHTML("beforeend", '<img src="data:," onerror="1">');
        }"""
    )
    page.wait_for_timeout(200)  # let the violation events arrive; not a timing assertion
    assert page.evaluate("window.ranInline") is None
    found = list(browser.csp_violations)
    browser.csp_violations.clear()  # seen on purpose: the guard must not fail this test
    assert any("script-src" in text for text in found), found
    assert any("on /accounts/login/" in text for text in found), found
