"""The Content Security Policy in a real browser: enforced, and nothing of ours breaks it.

Every browser test already fails on console errors, which include CSP violations; these tests
prove that the watch would see one (an injected inline script is refused and reported), and
that the event page's JSON-LD data block, htmx and the organiser's scripts cause none.
"""

import re

import pytest
from playwright.sync_api import expect

from events.models import OrganiserMembership
from tests.browser.conftest import _log_in
from tests.factories import make_registration, make_user

pytestmark = pytest.mark.browser

# Added before any page script runs (through the DevTools protocol, which CSP does not govern):
# collects every violation the page reports, whether or not it reaches the console.
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def violations(page):
    return page.evaluate("window.__cspViolations")


def test_inline_script_is_refused_and_reported(browser, browser_context_args, catalogue):
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    page.add_init_script(COLLECT_VIOLATIONS)
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.goto("/events/")
    page.evaluate(
        """() => {
          window.inlineRan = false;
          const script = document.createElement("script");
          script.textContent = "window.inlineRan = true";
          document.body.append(script);
          const div = document.createElement("div");
          div.setAttribute("style", "color: red");
          document.body.append(div);
        }"""
    )
    page.wait_for_function("window.__cspViolations.length >= 2")
    assert page.evaluate("window.inlineRan") is False
    found = violations(page)
    assert any(v.startswith("script-src") for v in found), found
    assert any(v.startswith("style-src") for v in found), found
    assert any("Content Security Policy" in text for text in console), console
    context.close()


def test_event_page_with_structured_data_and_htmx_has_no_violations(page, catalogue):
    page.add_init_script(COLLECT_VIOLATIONS)
    page.goto(catalogue.first_event.get_absolute_url())
    # The JSON-LD block is data: the browser neither runs nor blocks it, and it is still there.
    assert page.locator('script[type="application/ld+json"]').count() == 1
    page.goto("/events/")
    page.get_by_label("Sök", exact=True).fill("vätgas")
    expect(page.locator("#results-count")).to_have_text("1 evenemang hittades")
    # htmx ran (an external script from our origin) and swapped the results without inline styles.
    assert page.evaluate("typeof window.htmx") == "object"
    assert violations(page) == []


def test_organiser_workspace_has_no_violations(page, catalogue, live_server):
    organiser = make_user(email="team@example.org")
    OrganiserMembership.objects.create(organiser=catalogue.first_event.organiser, user=organiser)
    _log_in(page, live_server, organiser)
    page.add_init_script(COLLECT_VIOLATIONS)
    event = catalogue.first_event
    make_registration(event, make_user(first_name="Åsa", last_name="Öberg"))
    for path in ("/organise/", f"/organise/events/{event.pk}/attendees/", f"/organise/events/{event.pk}/edit/"):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert violations(page) == [], path
    # door.js and htmx at work: search as you type, then check someone in.
    page.goto(f"/organise/events/{event.pk}/check-in/")
    page.get_by_role("searchbox").fill("öberg")
    page.get_by_role("button", name=re.compile("Åsa Öberg")).first.click()
    expect(page.get_by_text(re.compile("1 av 1|1 of 1"))).to_be_visible()
    assert violations(page) == []
