"""Accounts through django-allauth, in the portal's look: sign-up, verification, login, reset."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def link_in(message):
    return re.search(r"http://testserver(/\S+)", message.body).group(1)


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/en/accounts/login/",
        "/en/accounts/signup/",
    ],
)
def test_account_pages_use_the_portals_layout(client, url):
    response = client.get(url)
    content = response.content.decode()
    assert response.status_code == 200
    assert '<a class="skip-link" href="#main">' in content
    assert content.count("<h1") == 1
    assert 'class="form"' in content


@pytest.mark.parametrize("url", ["/accounts/email/", "/accounts/password/change/", "/me/profile/"])
def test_account_management_pages(client, url):
    user = make_user()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    assert 'class="account-nav"' in response.content.decode()


def test_sign_up_verify_and_land_logged_in(client, mailoutbox):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "ny@example.org",
            "password1": "Hallonbåt-Kanal-42",
            "password2": "Hallonbåt-Kanal-42",
            "first_name": "Nils",
            "last_name": "Ek",
            "organisation": "Vara kommun",
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(email="ny@example.org")
    assert (user.first_name, user.organisation, user.language) == ("Nils", "Vara kommun", "sv")
    assert not EmailAddress.objects.get(user=user).verified
    (message,) = mailoutbox
    confirm_url = link_in(message)
    assert client.get(confirm_url).status_code == 200  # a page with a button, not a change on GET
    assert client.post(confirm_url).status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.get("/me/registrations/").status_code == 200  # logged in after confirming


def test_unverified_account_cannot_log_in(client, mailoutbox):
    user = make_user(email="ovrifierad@example.org", password="Hallonbåt-Kanal-42")
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    client.post("/accounts/login/", {"login": user.email, "password": "Hallonbåt-Kanal-42"})
    assert client.get("/me/registrations/").status_code == 302


def test_weak_password_is_refused_with_a_message(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "svag@example.org",
            "password1": "12345678",
            "password2": "12345678",
            "first_name": "A",
            "last_name": "B",
        },
    )
    assert response.status_code == 200
    assert not get_user_model().objects.filter(email="svag@example.org").exists()
    assert "field-error" in response.content.decode()


def test_password_reset_does_not_reveal_whether_an_account_exists(client, mailoutbox):
    make_user(email="finns@example.org")
    known = client.post("/accounts/password/reset/", {"email": "finns@example.org"})
    unknown = client.post("/accounts/password/reset/", {"email": "finns-inte@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_sign_up_with_a_taken_address_does_not_reveal_it(client, mailoutbox):
    make_user(email="tagen@example.org")
    response = client.post(
        "/accounts/signup/",
        {
            "email": "tagen@example.org",
            "password1": "Hallonbåt-Kanal-42",
            "password2": "Hallonbåt-Kanal-42",
            "first_name": "A",
            "last_name": "B",
        },
    )
    # The same answer as for a new address: "check your e-mail"; the owner gets a notice.
    assert response.status_code == 302
    assert get_user_model().objects.filter(email="tagen@example.org").count() == 1


def test_two_factor_setup_page_is_available_to_everyone(client):
    user = make_user()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)
    response = client.get("/accounts/2fa/")
    assert response.status_code == 200
    assert 'class="account-nav"' in response.content.decode()


@pytest.mark.parametrize(("required", "expected"), [(True, True), (False, False)])
def test_organisers_must_set_up_two_factor_when_required(settings, required, expected):
    from allauth.mfa.models import Authenticator

    from portal.mfa import must_set_up_two_factor
    from tests.factories import make_organiser

    settings.ORGANISER_MFA_REQUIRED = required
    organiser, participant = make_user(), make_user()
    make_organiser(members=[organiser])
    assert must_set_up_two_factor(organiser) is expected
    assert must_set_up_two_factor(participant) is False
    Authenticator.objects.create(user=organiser, type=Authenticator.Type.TOTP, data={})
    assert must_set_up_two_factor(organiser) is False


def test_rate_limits_are_on_in_the_real_settings():
    import portal.settings

    assert not hasattr(portal.settings, "ACCOUNT_RATE_LIMITS")  # allauth's defaults apply


def test_repeated_failed_logins_are_rate_limited(client, settings):
    from django.core.cache import cache

    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip,3/5m/key"}
    cache.clear()
    make_user(email="mal@example.org", password="Hallonbåt-Kanal-42")
    for _ in range(3):
        client.post("/accounts/login/", {"login": "mal@example.org", "password": "fel"})
    # Even the right password is now refused for a while, with a message.
    response = client.post("/accounts/login/", {"login": "mal@example.org", "password": "Hallonbåt-Kanal-42"})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)
    assert "För många misslyckade inloggningsförsök" in response.content.decode()


def test_admin_signs_in_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    client.force_login(make_user())  # not staff
    assert client.get("/admin/login/").status_code == 403


def test_login_page_points_newcomers_to_sign_up_in_swedish(client):
    content = client.get("/accounts/login/").content.decode()
    assert "Har du inget konto än?" in content and 'href="/accounts/signup/"' in content


def test_personal_fields_declare_their_purpose_for_autofill(client):
    content = client.get("/accounts/signup/").content.decode()
    for purpose in ("given-name", "family-name", "organization", "email", "new-password"):
        assert f'autocomplete="{purpose}"' in content
