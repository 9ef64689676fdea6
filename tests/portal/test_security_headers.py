"""Security headers on real responses of every kind: pages (cached and not), forms, fragments,
feeds, exports, errors, the admin and the organiser workspace.

The Content Security Policy is enforced in the tests too (the browser tests run under it).
"""

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.urls import reverse
from django.utils.csp import CSP

from events.models import OrganiserMembership
from registrations.models import FeedToken
from tests.factories import make_event, make_registration, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

DISABLED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb", "interest-cohort", "browsing-topics")


def parse_csp(header):
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        assert name not in directives, f"{name} twice in {header}"
        directives[name] = values
    return directives


def assert_secure_headers(response):
    """The headers every response of the portal must carry."""
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    permissions = dict(item.strip().split("=", 1) for item in headers["Permissions-Policy"].split(","))
    for feature in DISABLED_FEATURES:
        assert permissions[feature] == "()", feature
    assert "Content-Security-Policy-Report-Only" not in headers
    csp = parse_csp(headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"][0] == "'self'"
    assert all(value == "'self'" or value.startswith("'nonce-") for value in csp["script-src"]), csp
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["font-src"] == ["'self'"]
    assert csp["connect-src"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    for values in csp.values():
        assert "'unsafe-inline'" not in values and "'unsafe-eval'" not in values
    return csp


def nonce_free(response, csp):
    """No nonce anywhere: cached bodies must never carry one (see templates/base.html)."""
    assert csp["script-src"] == ["'self'"]
    if not getattr(response, "streaming", False):
        assert b"nonce=" not in response.content


@pytest.fixture
def event(db):
    return make_event(title="Klimatforum")


@pytest.fixture
def organiser_client(client, event):
    user = make_user(email="arrangor@example.org")
    OrganiserMembership.objects.create(organiser=event.organiser, user=user)
    client.force_login(user)
    return client


def test_public_page_uncached_and_cached(client, event):
    first = client.get("/events/")
    assert first.status_code == 200 and first["X-Cache"] == "miss"
    nonce_free(first, assert_secure_headers(first))
    second = client.get("/events/")
    assert second["X-Cache"] == "hit"
    nonce_free(second, assert_secure_headers(second))
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_event_page_and_its_structured_data(client, event):
    for _ in range(2):  # miss, then hit
        response = client.get(event.get_absolute_url())
        assert response.status_code == 200
        nonce_free(response, assert_secure_headers(response))
        # A data block, not a script: CSP does not apply to it (the browser test checks).
        assert b'<script type="application/ld+json">' in response.content


def test_htmx_fragment(client, event):
    response = client.get("/events/", {"q": "Klimat"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"<html" not in response.content
    nonce_free(response, assert_secure_headers(response))


def test_page_with_a_form_for_a_signed_in_participant(client, event):
    user = make_user()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)
    response = client.get(reverse("registrations:register", args=[event.slug]))
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    nonce_free(response, assert_secure_headers(response))


def test_login_form(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert_secure_headers(response)


def test_public_feed(client, event):
    response = client.get("/feeds/events.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert_secure_headers(response)


def test_personal_feed(client, event):
    user = make_user()
    make_registration(event, user)
    token = FeedToken.objects.create(user=user)
    response = client.get(f"/feeds/personal/{token.token}.ics")
    assert response.status_code == 200
    assert_secure_headers(response)


def test_not_found(client):
    response = client.get("/events/no-such-event/")
    assert response.status_code == 404
    assert_secure_headers(response)


def test_not_found_outside_the_pages(client):
    response = client.get("/feeds/personal/not-a-token.ics")
    assert response.status_code == 404
    assert_secure_headers(response)


def test_admin_login(client):
    response = client.get("/admin/login/", follow=True)
    assert response.status_code == 200
    assert_secure_headers(response)


def test_organiser_workspace_and_exports(organiser_client, event):
    for url in (
        reverse("organise:dashboard"),
        reverse("organise:attendees", args=[event.pk]),
        reverse("organise:door", args=[event.pk]),
        reverse("organise:event_edit", args=[event.pk]),
    ):
        response = organiser_client.get(url)
        assert response.status_code == 200, url
        nonce_free(response, assert_secure_headers(response))
    for url in (reverse("organise:export_csv", args=[event.pk]), reverse("organise:export_xlsx", args=[event.pk])):
        response = organiser_client.get(url)
        assert response.status_code == 200, url
        assert_secure_headers(response)


def test_health_check(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert_secure_headers(response)


def test_post_rejected_by_csrf(client):
    client = type(client)(enforce_csrf_checks=True)
    response = client.post(reverse("account_login"), {"login": "a@example.org", "password": "x"})
    assert response.status_code == 403
    assert_secure_headers(response)


def test_nonce_appears_only_where_a_template_asks_for_it(rf):
    """Django's middleware puts the nonce in the header only once something has used it."""
    from django.http import HttpResponse
    from django.middleware.csp import ContentSecurityPolicyMiddleware, get_nonce

    def unused(request):
        return HttpResponse("no scripts")

    def used(request):
        return HttpResponse(f'<script nonce="{get_nonce(request)}"></script>')

    for view, expect_nonce in ((unused, False), (used, True)):
        response = ContentSecurityPolicyMiddleware(view)(rf.get("/"))
        script_src = parse_csp(response[CSP.HEADER_ENFORCE])["script-src"]
        assert any(value.startswith("'nonce-") for value in script_src) is expect_nonce


def test_report_only_switch(settings, client):
    policy = settings.SECURE_CSP
    settings.SECURE_CSP, settings.SECURE_CSP_REPORT_ONLY = {}, policy
    response = client.get("/healthz")
    assert "Content-Security-Policy" not in response
    assert "default-src 'self'" in response["Content-Security-Policy-Report-Only"]


def test_policy_setting_has_no_unsafe_sources():
    for directive, values in settings.SECURE_CSP.items():
        assert CSP.UNSAFE_INLINE not in values and CSP.UNSAFE_EVAL not in values, directive
    assert settings.SECURE_CSP["script-src"] == [CSP.SELF, CSP.NONCE]


def test_head_answers_carry_the_length_of_get_and_no_body(rf):
    """gunicorn warns about a body on HEAD; the middleware leaves headers only."""
    from django.http import HttpResponse, StreamingHttpResponse

    from portal.middleware import HeadWithoutBodyMiddleware

    page = HeadWithoutBodyMiddleware(lambda request: HttpResponse("hej"))
    response = page(rf.head("/"))
    assert (response.content, response["Content-Length"]) == (b"", "3")
    assert page(rf.get("/")).content == b"hej"
    stream = HeadWithoutBodyMiddleware(lambda request: StreamingHttpResponse(iter([b"a", b"b"])))
    assert b"".join(stream(rf.head("/")).streaming_content) == b""
