"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Fixtures here are the harness that later flows build on: ``page`` (fails on server errors,
JavaScript errors and console errors), ``no_js_page``, ``phone_page``, logged-in pages for a
participant and an organiser, and ``mailbox`` for reading the e-mails the portal sends.
"""

import os
import re
import shutil

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from tests.browser import catalogue as demo
from tests.factories import make_organiser, make_user

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# in such a thread unless told that it is safe (it is: the loop is idle while we query).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# The machine is offline: stop Chromium looking up Google's hosts at start-up.
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

expect.set_options(timeout=10_000)


def _require_chromium():
    if os.path.exists(CHROMIUM):
        return
    reason = f"Chromium not found at {CHROMIUM}: install it with `apt-get install chromium` (Debian)."
    if os.environ.get("CI") == "true":
        pytest.fail(f"Browser tests must run in CI. {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    _require_chromium()
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server.url


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": DESKTOP, "locale": "sv-SE", "timezone_id": "Europe/Stockholm"}


def _watch(page):
    """Collect server errors, failed sub-resources, JavaScript errors and console errors (CSP too)."""
    problems = []

    def on_response(response):
        if response.status >= 500 or (response.status >= 400 and response.request.resource_type != "document"):
            problems.append(f"{response.status} {response.url}")

    def on_console(message):
        # Failed loads are judged by on_response, which knows what was asked for.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console: {message.text}")

    page.on("response", on_response)
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on("console", on_console)
    page.set_default_timeout(10_000)
    return problems


@pytest.fixture
def page(page):
    problems = _watch(page)
    yield page
    assert not problems, problems


def _page_in_own_context(browser, **context_args):
    """A watched page in a browser context of its own (other JavaScript or screen settings)."""
    context = browser.new_context(**context_args)
    page = context.new_page()
    problems = _watch(page)
    yield page
    context.close()
    assert not problems, problems


@pytest.fixture
def no_js_page(browser, browser_context_args):
    yield from _page_in_own_context(browser, **browser_context_args, java_script_enabled=False)


@pytest.fixture
def phone_page(browser, browser_context_args):
    args = {**browser_context_args, "viewport": PHONE}
    yield from _page_in_own_context(browser, **args, is_mobile=True, has_touch=True)


@pytest.fixture
def catalogue(transactional_db):
    """A small, realistic catalogue (see tests/browser/catalogue.py)."""
    return demo.build()


def _log_in(page, live_server, user):
    """Give the page's browser a session for ``user`` without going through the login form."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return page


@pytest.fixture
def participant(transactional_db):
    return make_user(email="deltagare@example.org", first_name="Sara", last_name="Öberg", organisation="Borås Stad")


@pytest.fixture
def organiser(transactional_db):
    user = make_user(email="arrangor@example.org", first_name="Karin", last_name="Lindqvist")
    make_organiser(members=[user], name="Regional utveckling", slug="regional-utveckling")
    return user


@pytest.fixture
def participant_page(page, live_server, participant):
    return _log_in(page, live_server, participant)


@pytest.fixture
def organiser_page(page, live_server, organiser):
    return _log_in(page, live_server, organiser)


class Mailbox:
    """The e-mails the live server has sent (it runs in this process, with the locmem backend)."""

    @property
    def messages(self):
        return list(mail.outbox)

    def to(self, address):
        return [message for message in mail.outbox if address in message.to]

    def last_to(self, address):
        messages = self.to(address)
        assert messages, f"No e-mail to {address}; sent: {[m.to for m in mail.outbox]}"
        return messages[-1]

    @staticmethod
    def links(message):
        return re.findall(r"https?://[^\s<>\"]+", message.body)


@pytest.fixture
def mailbox():
    mail.outbox = []
    return Mailbox()
