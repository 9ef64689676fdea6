"""Rate limits per client: registrations, feeds, exports; and allauth's on failed sign-ins."""

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from portal.ratelimits import client_ip
from tests.security.conftest import client_for, verified_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def limits(settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_REGISTER_PER_USER = "3/m"
    settings.RATELIMIT_REGISTER_PER_IP = "5/m"
    settings.RATELIMIT_FEEDS_PER_IP = "4/m"
    settings.RATELIMIT_EXPORTS_PER_USER = "2/m"
    cache.clear()
    return settings


def feed(client, ip, **headers):
    return client.get(reverse("feed_all"), REMOTE_ADDR=ip, headers=headers)


def test_the_feeds_answer_429_in_plain_text_with_retry_after(limits, client):
    for _ in range(4):
        assert feed(client, "10.0.0.1").status_code == 200
    response = feed(client, "10.0.0.1")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/plain")
    assert 1 <= int(response["Retry-After"]) <= 60
    # Every feed shares the budget, the personal one too.
    assert client.get("/feeds/personal/" + "x" * 43 + ".ics", REMOTE_ADDR="10.0.0.1").status_code == 429


def test_another_client_is_not_affected(limits, client):
    for _ in range(5):
        feed(client, "10.0.0.1")
    assert feed(client, "10.0.0.1").status_code == 429
    assert feed(client, "10.0.0.2").status_code == 200


def test_registration_posts_are_limited_per_user_with_a_friendly_page(limits, world):
    client = client_for(world, "participant")  # already registered for world's event: POST redirects
    url = reverse("registrations:register", kwargs={"slug": world["event"].slug})
    for _ in range(3):
        assert client.post(url, {"consent": "on"}, REMOTE_ADDR="10.0.0.1").status_code == 302
    response = client.post(url, {"consent": "on"}, REMOTE_ADDR="10.0.0.2")  # a new address does not help
    assert response.status_code == 429
    assert "Retry-After" in response
    assert "429.html" in [template.name for template in response.templates]
    assert '<html lang="sv">' in response.content.decode()
    # Reading the form is not counted; another participant has their own budget.
    assert client.get(url, REMOTE_ADDR="10.0.0.3").status_code in (200, 302)
    other = client_for(world, "organiser_a")
    assert other.post(url, {"consent": "on"}, REMOTE_ADDR="10.0.0.3").status_code in (200, 302, 400)


def test_registration_posts_are_limited_per_address(limits, world):
    url = reverse("registrations:register", kwargs={"slug": world["event"].slug})
    answers = []
    for _ in range(6):  # six people behind one address, one POST each
        client = Client()
        client.force_login(verified_user())
        answers.append(client.post(url, {"consent": "on"}, REMOTE_ADDR="10.0.0.9").status_code)
    assert answers[:5] == [302] * 5 or 429 not in answers[:5]
    assert answers[5] == 429


def test_the_429_page_is_in_english_under_en(limits, world):
    client = client_for(world, "participant")
    url = "/en" + reverse("registrations:register", kwargs={"slug": world["event"].slug})
    for _ in range(3):
        client.post(url, {"consent": "on"})
    response = client.post(url, {"consent": "on"})
    assert response.status_code == 429
    content = response.content.decode()
    assert '<html lang="en">' in content and "Too many requests" in content


def test_exports_are_limited_per_organiser(limits, world):
    client = client_for(world, "organiser_a")
    url = reverse("organise:export_csv", args=[world["event"].pk])
    assert client.get(url).status_code == 200
    assert client.get(reverse("organise:print_list", args=[world["event"].pk])).status_code == 200
    response = client.get(reverse("organise:export_xlsx", args=[world["event"].pk]))
    assert response.status_code == 429
    assert "Retry-After" in response
    # Other organisers are not affected.
    assert client_for(world, "superuser").get(url).status_code == 200


def test_limits_can_be_switched_off(settings, client):
    settings.RATELIMIT_ENABLE = False
    settings.RATELIMIT_FEEDS_PER_IP = "1/m"
    assert all(feed(client, "10.0.0.1").status_code == 200 for _ in range(3))


# The client's address behind proxies


def request_with(remote, forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers)


def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert client_ip(None, request_with("10.0.0.1", "1.2.3.4")) == "10.0.0.1"


def test_behind_one_proxy_the_last_entry_counts(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert client_ip(None, request_with("10.0.0.1", "1.2.3.4")) == "1.2.3.4"
    # A spoofed entry written by the client is left of the one our proxy appended.
    assert client_ip(None, request_with("10.0.0.1", "6.6.6.6, 1.2.3.4")) == "1.2.3.4"
    assert client_ip(None, request_with("10.0.0.1", "1.2.3.4 , ")) == "10.0.0.1"  # garbage: the proxy's address
    assert client_ip(None, request_with("10.0.0.1")) == "10.0.0.1"


def test_behind_two_proxies_the_second_entry_from_the_right_counts(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    assert client_ip(None, request_with("10.0.0.1", "6.6.6.6, 1.2.3.4, 10.0.0.7")) == "1.2.3.4"
    assert client_ip(None, request_with("10.0.0.1", "1.2.3.4")) == "10.0.0.1"  # too few entries


def test_ipv6_clients_are_counted_per_64_network():
    first = client_ip(None, request_with("2001:db8:1:2:aaaa::1"))
    second = client_ip(None, request_with("2001:db8:1:2:bbbb::2"))
    assert first == second == "2001:db8:1:2::"
    assert client_ip(None, request_with("2001:db8:1:3::1")) != first


def test_behind_a_proxy_clients_are_counted_apart_and_spoofing_does_not_help(limits, client):
    limits.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.100"
    for _ in range(4):
        assert feed(client, proxy, **{"X-Forwarded-For": "1.1.1.1"}).status_code == 200
    assert feed(client, proxy, **{"X-Forwarded-For": "1.1.1.1"}).status_code == 429
    # A made-up first entry: the proxy still appends the real address last.
    assert feed(client, proxy, **{"X-Forwarded-For": "9.9.9.9, 1.1.1.1"}).status_code == 429
    # Another client behind the same proxy has its own budget.
    assert feed(client, proxy, **{"X-Forwarded-For": "2.2.2.2"}).status_code == 200


def test_allauth_limits_failed_sign_ins(settings, db):
    """allauth's default limits, switched back on: after 5 failures for an address even the right
    password is refused; after 30 sign-in attempts a minute from one client, a 429."""
    settings.ACCOUNT_RATE_LIMITS = {}  # allauth's defaults (tests/settings.py turns them off)
    user = verified_user()
    client = Client()
    url = reverse("account_login")
    for _ in range(5):
        assert client.post(url, {"login": user.email, "password": "fel-losenord"}).status_code == 200
    response = client.post(url, {"login": user.email, "password": "korrekt-hast-batteri"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session  # refused although right
    statuses = [client.post(url, {"login": user.email, "password": "fel-losenord"}).status_code for _ in range(30)]
    assert statuses[-1] == 429
    response = client.post(url, {"login": user.email, "password": "fel-losenord"})
    assert response.status_code == 429
    # The same friendly page as the portal's own limits.
    assert "429.html" in [template.name for template in response.templates]
    # Another client is not affected.
    assert Client().post(url, {"login": user.email, "password": "x"}, REMOTE_ADDR="10.9.9.9").status_code == 200
