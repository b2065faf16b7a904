"""Playwright (sync API) driving the system Chromium against pytest-django's live server.

Never downloads a browser: it uses /usr/bin/chromium (or $CHROMIUM_PATH) and skips the
``browser`` tests with the reason when it is missing. Chromium is started with the flags that
keep it off the network: the pages under test are on loopback.
"""

import os
import re
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started

# The renditions tests' loop and case (test_renditions*.py), found by name.
from tests.browser.ladder import ladder_case, ladder_loop  # noqa: F401

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _missing_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"browser test: no Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser test: the playwright package is not installed (pip install -e '.[dev]')"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _missing_reason()
    if reason is None:
        return
    wanted = [item for item in items if item.get_closest_marker("browser")]
    if wanted and os.environ.get("CEUS_REQUIRE_BROWSER") == "1":
        # CI installs Chromium: a skip there would hide a broken set-up.
        raise pytest.UsageError(f"CEUS_REQUIRE_BROWSER=1, but {reason}")
    for item in wanted:
        item.add_marker(pytest.mark.skip(reason=reason))


# Every page of every browser test reports Content-Security-Policy violations to the console,
# where the guard below collects them (with Chromium's own "Refused to …" errors).
CSP_RECORDER = """document.addEventListener("securitypolicyviolation", (event) => {
  console.error("CSP violation: " + event.violatedDirective + " blocked "
    + (event.blockedURI || "inline") + " at " + (event.sourceFile || location.href)
    + ":" + event.lineNumber + " on " + location.pathname);
});"""


class CspViolations(list):
    """The CSP violations reported by every page of one browser since the last ``clear()``."""

    def watch(self, context) -> None:
        context.add_init_script(CSP_RECORDER)
        context.on("console", self._on_console)

    def _on_console(self, message) -> None:
        text = message.text
        if message.type == "error" and (text.startswith("CSP violation") or "Refused to" in text):
            self.append(text)


# Playwright polls a bare-expression predicate of wait_for_function with eval(), which the
# policy (no 'unsafe-eval') refuses; a function predicate runs without eval. Tests keep writing
# expressions: they are wrapped into arrow functions here, once.
_FUNCTION = re.compile(r"^\s*(async\s+)?(function\b|\([^)]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)")


def _as_function(expression):
    if isinstance(expression, str) and not _FUNCTION.match(expression):
        return f"() => ({expression})"
    return expression


@pytest.fixture(scope="package")
def browser() -> Iterator:
    """One Chromium for the browser tests (a test process starts it once for this folder).

    Playwright's sync API keeps an asyncio loop running in this thread, and Django refuses
    ORM calls while a loop runs; the tests are synchronous, so the check is lifted — only for
    as long as the browser lives, not for the rest of the suite.
    """
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            # Every context a test opens, with whatever options, watches for CSP violations.
            instance.csp_violations = CspViolations()
            new_context = instance.new_context

            def watched_context(*args, **kwargs):
                context = new_context(*args, **kwargs)
                instance.csp_violations.watch(context)
                return context

            patch.setattr(instance, "new_context", watched_context)
            from playwright.sync_api import Frame, Page

            for cls in (Page, Frame):
                original = cls.wait_for_function

                def wait_for_function(self, expression, *args, _original=original, **kwargs):
                    return _original(self, _as_function(expression), *args, **kwargs)

                patch.setattr(cls, "wait_for_function", wait_for_function)
            yield instance
            instance.close()


@contextmanager
def fresh_tab(browser, live_server, **options) -> Iterator:
    """A tab of a fresh browser context (no cookies) on the live server, in English, 1280 by
    800 unless ``options`` (``new_context``'s) say otherwise; left quietly and closed after."""
    defaults = {"locale": "en-GB", "viewport": {"width": 1280, "height": 800}}
    context = browser.new_context(base_url=live_server.url, **(defaults | options))
    context.set_default_timeout(15_000)
    yield context.new_page()
    leave_quietly(context)
    context.close()


@pytest.fixture
def page(browser, live_server) -> Iterator:
    """A fresh browser context's tab on the live server, in English, 1280 by 800."""
    with fresh_tab(browser, live_server) as tab:
        yield tab


class InFlight:
    """How many requests the live server is answering (Django's request signals, sent in the
    server's threads): started, and not yet finished — a streamed response finishes when it
    is closed."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()
        request_started.connect(self._started, weak=False)
        request_finished.connect(self._finished, weak=False)

    # Only the servers' threads count: the test client answers in the test's own thread, and
    # a request whose view raises there (the client re-raises it) never finishes.
    def _started(self, **kwargs) -> None:
        if threading.current_thread() is not threading.main_thread():
            with self._lock:
                self.count += 1

    def _finished(self, **kwargs) -> None:
        if threading.current_thread() is not threading.main_thread():
            with self._lock:
                self.count -= 1

    def drain(self, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while self.count > 0:
            if time.monotonic() > deadline:
                warnings.warn(
                    f"the live server still answers {self.count} request(s)", stacklevel=2
                )
                return
            time.sleep(0.01)


IN_FLIGHT = InFlight()


def leave_quietly(context) -> None:
    """Stop every page's videos and leave it, then wait until the live server has finished
    what it was answering: a request still in its transaction when the test's data are flushed
    deadlocks PostgreSQL's TRUNCATE (seen with a playing video posting its watch time)."""
    for tab in context.pages:
        if tab.is_closed():
            continue
        try:
            tab.evaluate("document.querySelectorAll('video').forEach(v => v.pause())")
            tab.goto("about:blank")
        except Exception:  # a page that is gone or navigating: nothing left to stop
            continue
    IN_FLIGHT.drain()


@pytest.fixture(autouse=True)
def _no_csp_violation(request) -> Iterator:
    """Every browser test fails when a page it opened broke the Content-Security-Policy."""
    if request.node.get_closest_marker("browser") is None or _missing_reason() is not None:
        yield
        return
    violations = request.getfixturevalue("browser").csp_violations
    violations.clear()
    yield
    found, violations[:] = list(violations), []
    assert found == [], "Content-Security-Policy violations:\n" + "\n".join(found)


class AsgiServer:
    """The project's ASGI application (pages and the live rooms' websockets) served by uvicorn
    in a thread of the test process; ``url`` like pytest-django's ``live_server``."""

    def __init__(self, server, thread, port: int) -> None:
        self.server = server
        self.thread = thread
        self.url = f"http://127.0.0.1:{port}"

    def __str__(self) -> str:
        return self.url


@pytest.fixture
def asgi_server(transactional_db, settings) -> Iterator[AsgiServer]:
    """pytest-django's ``live_server`` is WSGI only: the live room needs websockets.

    A thread of this process, so it shares the test database (SQLite's in-memory database is
    per process). Every database call of the served application runs in asgiref's one
    thread-sensitive thread (Django's handler would give each request a thread and a
    connection of its own; SQLite's shared cache locks whole tables between connections), and
    static files are served from the finders as ``live_server`` does."""
    import socket
    import threading

    import uvicorn
    from channels.auth import AuthMiddlewareStack
    from channels.routing import ProtocolTypeRouter, URLRouter
    from channels.security.websocket import AllowedHostsOriginValidator
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
    from django.core.handlers.asgi import ASGIHandler

    from live.routing import websocket_urlpatterns

    class OneThreadHandler(ASGIHandler):
        async def __call__(self, scope, receive, send):
            await self.handle(scope, receive, send)

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    application = ProtocolTypeRouter(
        {
            "http": ASGIStaticFilesHandler(OneThreadHandler()),
            "websocket": AllowedHostsOriginValidator(
                AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
            ),
        }
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        application, host="127.0.0.1", port=port, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="asgi-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield AsgiServer(server, thread, port)
    # Sockets closing still write (attendance): let them finish before the data are flushed.
    deadline = time.monotonic() + 10
    while server.server_state.connections and time.monotonic() < deadline:
        time.sleep(0.05)
    server.should_exit = True
    thread.join(timeout=10)
