"""Who gets what on every URL of the portal, for six kinds of user.

The URL patterns come from the resolver itself: a new pattern fails
``test_every_url_pattern_is_in_the_matrix`` until it is given its expected answers here.
Expected answers: an HTTP status, ``LOGIN`` (redirect to the sign-in page with ``next``),
``ADMIN_LOGIN`` (redirect to the admin's sign-in) or ``REDIRECT`` (any other redirect).
"""

import secrets

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.conftest import USER_KINDS, client_for

pytestmark = pytest.mark.django_db

LOGIN, ADMIN_LOGIN, REDIRECT = "login", "admin-login", "redirect"
ANON, PART, ORG_A, ORG_B, STAFF, SUPER = USER_KINDS


def everyone(status):
    return dict.fromkeys(USER_KINDS, status)


def signed_in(status, anonymous=LOGIN):
    return {**everyone(status), ANON: anonymous}


def organiser_page(*, team_free=False, ok=200):
    """The workspace (see tests/organise/test_access.py): participants and staff outside a team
    get 403; another team's organiser a 404 for the event's pages."""
    return {ANON: LOGIN, PART: 403, STAFF: 403, ORG_A: ok, ORG_B: ok if team_free else 404, SUPER: ok}


PUBLIC = everyone(200)
# allauth sends signed-in people away from the pages for signing in or up.
ANONYMOUS_ONLY = {**everyone(REDIRECT), ANON: 200}

#: Every URL pattern by name: (HTTP method, expected answer per kind of user).
MATRIX = {
    "healthz": ("get", PUBLIC),
    "home": ("get", everyone(REDIRECT)),
    "accessibility": ("get", PUBLIC),
    "privacy": ("get", PUBLIC),
    # Feeds: public, and the personal feed opens with its token alone (the token is the key).
    "feed_all": ("get", PUBLIC),
    "feed_theme": ("get", PUBLIC),
    "feed_place": ("get", PUBLIC),
    "personal_feed": ("get", PUBLIC),
    "events:event_list": ("get", PUBLIC),
    "events:event_detail": ("get", PUBLIC),
    "events:event_ics": ("get", PUBLIC),
    "events:place_list": ("get", PUBLIC),
    "events:place_detail": ("get", PUBLIC),
    # The participant's pages.
    # The participant is registered already and is sent to the event page.
    "registrations:register": ("get", signed_in(200) | {PART: REDIRECT}),
    "registrations:my_registrations": ("get", signed_in(200)),
    # The participant's own registration: everybody else's is a 404.
    "registrations:cancel": ("get", signed_in(404) | {PART: 200}),
    "registrations:my_calendar": ("get", signed_in(200)),
    "profile": ("get", signed_in(200)),
    # A person's own data (GDPR): the download and the deletion are POSTs from these pages.
    "my_data": ("get", signed_in(200)),
    "delete_account": ("get", signed_in(200)),
    # The organiser workspace.
    "organise:dashboard": ("get", organiser_page(team_free=True)),
    "organise:event_create": ("get", organiser_page(team_free=True)),
    "organise:event_edit": ("get", organiser_page()),
    "organise:event_duplicate": ("get", organiser_page()),
    "organise:event_publish": ("post", organiser_page(ok=REDIRECT)),
    "organise:event_unpublish": ("post", organiser_page(ok=REDIRECT)),
    "organise:event_cancel": ("get", organiser_page()),
    "organise:event_questions": ("get", organiser_page()),
    "organise:place_list": ("get", organiser_page(team_free=True)),
    "organise:place_create": ("get", organiser_page(team_free=True)),
    "organise:place_edit": ("get", organiser_page(team_free=True)),
    "organise:attendees": ("get", organiser_page()),
    "organise:attendee_add": ("get", organiser_page()),
    "organise:attendee_check_in": ("post", organiser_page(ok=REDIRECT)),
    "organise:attendee_cancel": ("get", organiser_page()),
    "organise:attendee_confirm": ("get", organiser_page()),
    "organise:door": ("get", organiser_page()),
    "organise:export_csv": ("get", organiser_page()),
    "organise:export_xlsx": ("get", organiser_page()),
    "organise:print_list": ("get", organiser_page()),
    "organise:catering": ("get", organiser_page()),
    "organise:message_create": ("get", organiser_page()),
    "organise:message_detail": ("get", organiser_page()),
    # allauth.
    "account_login": ("get", ANONYMOUS_ONLY),
    "account_signup": ("get", ANONYMOUS_ONLY),
    "account_logout": ("get", signed_in(200, anonymous=REDIRECT)),
    "account_inactive": ("get", PUBLIC),
    "account_reauthenticate": ("get", signed_in(200)),
    "account_request_reauthentication_code": ("get", signed_in(200)),
    "account_confirm_reauthentication_code": ("get", signed_in(REDIRECT, anonymous=LOGIN)),
    "account_email": ("get", signed_in(200)),
    "account_email_verification_sent": ("get", PUBLIC),
    "account_change_password": ("get", signed_in(200)),
    "account_set_password": ("get", signed_in(REDIRECT)),
    "account_reset_password": ("get", PUBLIC),
    "account_reset_password_done": ("get", PUBLIC),
    "account_reset_password_from_key": ("get", PUBLIC),
    "account_reset_password_from_key_done": ("get", PUBLIC),
    "account_confirm_login_code": ("get", everyone(REDIRECT)),
    "account_confirm_email": ("get", PUBLIC),
    "mfa_index": ("get", signed_in(200)),
    "mfa_authenticate": ("get", everyone(REDIRECT)),
    "mfa_reauthenticate": ("get", signed_in(REDIRECT)),
    # Setting up two-factor asks for the password again first.
    "mfa_activate_totp": ("get", signed_in(REDIRECT)),
    "mfa_deactivate_totp": ("get", signed_in(404)),
    "mfa_view_recovery_codes": ("get", signed_in(404)),
    "mfa_generate_recovery_codes": ("get", signed_in(REDIRECT)),
    "mfa_download_recovery_codes": ("get", signed_in(404)),
}

#: The admin: staff only. Staff without permissions see the index but no model.
ADMIN_INDEX = {ANON: ADMIN_LOGIN, PART: ADMIN_LOGIN, ORG_A: ADMIN_LOGIN, ORG_B: ADMIN_LOGIN, STAFF: 200, SUPER: 200}
ADMIN_MODEL = {**ADMIN_INDEX, STAFF: 403}
ADMIN_MATRIX = {
    "admin:index": ("get", ADMIN_INDEX),
    "admin:events_event_changelist": ("get", ADMIN_MODEL),
    "admin:registrations_registration_changelist": ("get", ADMIN_MODEL),
    "admin:events_event_change": ("get", ADMIN_MODEL),
    "admin:portal_user_changelist": ("get", ADMIN_MODEL),
}


def pattern_names(patterns=None, namespace=""):
    """Every named URL pattern of the portal, with its namespace."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from pattern_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


def url_for(name, world):
    """The URL of ``name`` with its arguments filled from the world."""
    event, seat, waiting = world["event"], world["seat"], world["waiting"]
    by_name = {
        "events:event_detail": {"slug": event.slug},
        "events:event_ics": {"slug": event.slug},
        "events:place_detail": {"slug": world["place"].slug},
        "registrations:register": {"slug": event.slug},
        "registrations:cancel": {"pk": seat.pk},
        "feed_theme": {"slug": world["theme"].slug},
        "feed_place": {"slug": world["place"].slug},
        "personal_feed": {"token": world["token"].token},
        "organise:place_edit": {"pk": world["place"].pk},
        # Only a confirmed person can be checked in; only a waiting one confirmed.
        "organise:attendee_check_in": {"pk": event.pk, "registration_pk": seat.pk},
        "organise:attendee_cancel": {"pk": event.pk, "registration_pk": waiting.pk},
        "organise:attendee_confirm": {"pk": event.pk, "registration_pk": waiting.pk},
        "organise:message_detail": {"pk": event.pk, "mailing_pk": world["mailing"].pk},
        "account_confirm_email": {"key": secrets.token_urlsafe(20)},
        "account_reset_password_from_key": {"uidb36": "1", "key": "set-" + secrets.token_hex(8)},
        "admin:events_event_change": {"object_id": event.pk},
    }
    if name in by_name:
        kwargs = by_name[name]
    elif name.startswith("organise:") and "<int:pk>" in _route(name):
        kwargs = {"pk": event.pk}
    else:
        kwargs = {}
    return reverse(name, kwargs=kwargs)


def _route(name):
    namespace, _, short = name.rpartition(":")
    resolver = get_resolver()
    if namespace:
        resolver = resolver.namespace_dict[namespace][1]
    for pattern in resolver.url_patterns:
        if getattr(pattern, "name", None) == short:
            return str(pattern.pattern)
    return ""


def outcome(response):
    """The answer as the matrix names it."""
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        if location.startswith(reverse("account_login") + "?next="):
            return LOGIN
        return REDIRECT
    return response.status_code


def check(world, name, method, expected):
    url = url_for(name, world)
    actual = {}
    for kind in USER_KINDS:
        response = getattr(client_for(world, kind), method)(url)
        actual[kind] = outcome(response)
    assert actual == expected, f"{name} ({url})"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_portal_url(world, name):
    check(world, name, *MATRIX[name])


@pytest.mark.parametrize("name", sorted(ADMIN_MATRIX))
def test_admin_url(world, name):
    check(world, name, *ADMIN_MATRIX[name])


def test_every_url_pattern_is_in_the_matrix():
    """A new URL must be added to MATRIX with the answer each kind of user should get."""
    names = {name for name in pattern_names() if not name.startswith("admin:")}
    assert names - set(MATRIX) == set(), "URL patterns missing from the authorisation matrix"
    assert set(MATRIX) - names == set(), "the matrix names URL patterns that no longer exist"


def test_every_admin_model_is_closed_to_non_staff(world):
    """Every model in the admin: its list sends participants and organisers to the admin's sign-in."""
    changelists = sorted(name for name in pattern_names() if name.startswith("admin:") and name.endswith("_changelist"))
    assert len(changelists) >= 8
    for kind in (ANON, PART, ORG_A):
        client = client_for(world, kind)
        for name in changelists:
            assert outcome(client.get(reverse(name))) == ADMIN_LOGIN, (kind, name)
    staff = client_for(world, STAFF)
    for name in changelists:
        assert staff.get(reverse(name)).status_code == 403, name
