"""axe-core (WCAG 2.0/2.1 A and AA) finds nothing on any page, in Swedish and English.

Pages are found by crawling the links of the portal from its start pages, so a new page joins
the scan as soon as something links to it; a test below fails when a public URL pattern was
never reached, so nothing slips through unlinked. States that no link leads to (form errors,
empty results, a 404) are listed in EXTRA_URLS.
"""

from urllib.parse import urldefrag, urlsplit

import pytest
from allauth.account.models import EmailAddress
from axe_playwright_python.sync_playwright import Axe
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils import translation
from playwright.sync_api import expect

from registrations.models import Registration
from tests.browser.conftest import DESKTOP, PHONE, _log_in
from tests.factories import make_registration, make_user

pytestmark = pytest.mark.browser

START_URLS = ["/", "/en/events/"]
EXTRA_URLS = [
    "/events/?theme=finns-inte&from=2026-13-45&to=igår",  # every kind of filter error
    "/en/events/?municipality=stockholm",
    "/events/?q=finns+inte+alls",  # no results
    "/finns-inte/",  # 404 in both languages
    "/en/finns-inte/",
]
# Pages a signed-in participant reaches without a link, such as a registration form with errors.
SIGNED_IN_EXTRA_URLS = ["/events/{slug}/register/", "/en/events/{slug}/register/"]
# Not pages for people: the admin, machine endpoints, static files.
NOT_CRAWLED = ("/admin/", "/static/", "/healthz")
# URL pattern names that only redirect or serve files.
NOT_PAGES = {
    "home",
    "events:event_ics",
    "feed_all",
    "feed_theme",
    "feed_place",
    "personal_feed",
    "organise:export_csv",
    "organise:export_xlsx",
    # POST only: buttons on other pages, not pages themselves.
    "organise:event_publish",
    "organise:event_unpublish",
    "organise:attendee_check_in",
}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}

_axe = Axe()


def axe_violations(page):
    """axe-core's violations on the page, as readable lines (rule, impact, help, where)."""
    results = _axe.run(page, options=AXE_OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes']][:5]}"
        for v in results.response["violations"]
    ]


def page_key(path):
    """(language, view name) of a path: the crawl visits each kind of page once per language."""
    language = "en" if path == "/en" or path.startswith("/en/") else "sv"
    try:
        with translation.override(language):  # the /en/ prefix only resolves in English
            match = resolve(path)
    except Resolver404:
        return None
    return language, match.view_name


def check_page(page, url):
    """Every check a page must pass, at desktop and phone width."""
    problems = []
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto(url)
        where = f"{url} at {viewport['width']} px"
        problems += [f"{where}: {line}" for line in axe_violations(page)]
        if page.locator("h1").count() != 1:
            problems.append(f"{where}: {page.locator('h1').count()} h1 elements, expected one")
        if page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"):
            problems.append(f"{where}: scrolls horizontally")
    page.set_viewport_size(DESKTOP)
    return problems


def crawl(page, base_url, start_urls=START_URLS, seen_keys=None, within="/"):
    """Visit every kind of page reachable by links, once per language; yield the URLs.

    Only paths that contain ``within`` are followed."""
    queue, seen_keys, seen_urls = list(start_urls), seen_keys if seen_keys is not None else set(), set()
    while queue:
        url = queue.pop(0)
        if url in seen_urls:
            continue
        seen_urls.add(url)
        response = page.goto(url)
        path = urlsplit(page.url).path
        key = page_key(path)
        if key is None or key in seen_keys:
            continue
        seen_keys.add(key)
        assert response.status == 200, f"{url} answered {response.status}"
        yield key, page.url
        for href in page.eval_on_selector_all("a[href]:not([download])", "links => links.map(a => a.href)"):
            href = urldefrag(href).url
            parts = urlsplit(href)
            if href.startswith(base_url) and not parts.path.startswith(NOT_CRAWLED) and within in parts.path:
                candidate = page_key(parts.path)
                if candidate and candidate not in seen_keys and candidate[1] not in NOT_PAGES:
                    queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))


def public_page_names():
    """Names of the URL patterns that serve pages to people (not admin, allauth, endpoints)."""
    names = set()

    def walk(patterns, namespace, prefix):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if route.startswith(("admin/", "accounts/")) or "healthz" in route:
                continue
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, entry.namespace or namespace, route)
            elif isinstance(entry, URLPattern) and entry.name:
                names.add(f"{namespace}:{entry.name}" if namespace else entry.name)

    walk(get_resolver().url_patterns, None, "")
    return names - NOT_PAGES


def test_every_page_in_both_languages_passes_axe(page, catalogue, live_server):
    visited, problems = set(), []
    for key, url in list(crawl(page, live_server.url)):
        visited.add(key)
        problems += check_page(page, url)
    for url in EXTRA_URLS:
        problems += check_page(page, url)

    # Then as a signed-in participant with a seat and a place in a queue, which adds the
    # participant's own pages; pages already scanned as a visitor are scanned again.
    participant = make_user(email="skanning@example.org")
    EmailAddress.objects.create(user=participant, email=participant.email, verified=True, primary=True)
    make_registration(catalogue.first_event, participant)
    make_registration(catalogue.full_event, participant, status=Registration.Status.WAITLISTED)
    _log_in(page, live_server, participant)
    signed_in = set()
    for key, url in list(crawl(page, live_server.url, ["/me/registrations/", "/en/me/registrations/"], signed_in)):
        visited.add(key)
        problems += check_page(page, url)
    for url in SIGNED_IN_EXTRA_URLS:
        url = url.format(slug=catalogue.vara.events.first().slug)
        visited.add(page_key(urlsplit(url).path))
        problems += check_page(page, url)

    names = {name for name in public_page_names() if not name.startswith("organise:")}
    missing = {(language, name) for name in names for language in ("sv", "en")} - visited
    assert not missing, f"Pages never reached by the crawl (link them, or add them to EXTRA_URLS): {missing}"
    assert not problems, "\n".join(problems)


def test_every_organiser_page_in_both_languages_passes_axe(page, catalogue, live_server):
    """The workspace, crawled as an organiser of the catalogue's team, with a waiting list,
    check-ins and a message sent, so that every kind of row and page is there."""
    from registrations import services
    from registrations.models import Registration

    organiser = make_user(email="arrangor-skanning@example.org", first_name="Karin", last_name="Lindqvist")
    team = catalogue.first_event.organiser
    team.members.add(organiser)
    waiting = make_registration(catalogue.full_event, status=Registration.Status.WAITLISTED)
    seat = Registration.objects.filter(event=catalogue.full_event, status=Registration.Status.CONFIRMED).first()
    services.check_in(seat, by=organiser)
    mailing = services.start_mailing(catalogue.full_event, by=organiser, subject="Välkomna", body="Hej!")
    full = catalogue.full_event.pk
    extra = [
        f"/organise/events/{full}/attendees/",
        f"/organise/events/{full}/attendees/{waiting.pk}/confirm/",
        f"/organise/events/{full}/attendees/{waiting.pk}/cancel/",
        f"/organise/events/{full}/messages/{mailing.pk}/",
        f"/organise/events/{full}/attendees/?status=finns-inte&page=x",
        f"/organise/events/{full}/check-in/?q=finns+inte",
    ]
    _log_in(page, live_server, organiser)
    visited, problems = set(), []
    for key, url in list(crawl(page, live_server.url, ["/organise/", "/en/organise/"], within="/organise/")):
        visited.add(key)
        problems += check_page(page, url)
    for url in extra + ["/en" + url for url in extra]:
        visited.add(page_key(urlsplit(url).path))
        problems += check_page(page, url)

    names = {name for name in public_page_names() if name.startswith("organise:")}
    missing = {(language, name) for name in names for language in ("sv", "en")} - visited
    assert not missing, f"Organiser pages never reached (link them, or add them above): {missing}"
    assert not problems, "\n".join(problems)


def test_htmx_results_and_keyboard_focus_pass_axe(page, catalogue):
    page.goto("/events/")
    page.get_by_label("Kommun", exact=True).select_option(label="Vara")
    expect(page.locator("#results-count")).to_have_text("22 evenemang hittades")
    page.get_by_role("link", name="Nästa sida").click()
    expect(page.locator("#results-heading")).to_be_focused()
    assert axe_violations(page) == []


def test_cancelled_and_full_events_pass_axe(page, catalogue):
    for event in (catalogue.cancelled_event, catalogue.full_event):
        for prefix in ("", "/en"):
            page.goto(prefix + event.get_absolute_url())
            assert axe_violations(page) == [], page.url


def test_the_scan_catches_known_violations(page):
    """Guards the guard: a page with known faults must fail the scan."""
    page.set_content("<html><body><main><input type='text'><p style='color:#bbb'>Ljusgrå text</p></main></body></html>")
    found = " ".join(axe_violations(page))
    for rule in ("html-has-lang", "label", "color-contrast"):
        assert rule in found
