import pytest

from tests.factories import make_event, make_registration, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def test_anonymous_pages_are_served_from_the_cache(client, django_assert_num_queries):
    make_event(title="Första")
    assert client.get("/events/")["X-Cache"] == "miss"
    with django_assert_num_queries(0):
        response = client.get("/events/")
    assert response["X-Cache"] == "hit"
    assert "Första" in response.content.decode()


def test_cache_keys_differ_by_query_language_and_fragment(client):
    make_event()
    client.get("/events/")
    assert client.get("/events/", {"format": "online"})["X-Cache"] == "miss"
    assert client.get("/en/events/")["X-Cache"] == "miss"
    fragment = client.get("/events/", headers={"HX-Request": "true"})
    assert fragment["X-Cache"] == "miss"
    assert "<html" not in fragment.content.decode()
    assert "<html" in client.get("/events/").content.decode()


def test_a_change_to_an_event_is_visible_at_once(client):
    event = make_event(title="Gammal titel")
    client.get("/events/")
    client.get(event.get_absolute_url())
    event.title = "Ny titel"
    event.save()
    assert "Ny titel" in client.get("/events/").content.decode()
    assert "Ny titel" in client.get(event.get_absolute_url()).content.decode()


def test_a_new_registration_updates_the_seats_shown(client):
    event = make_event(capacity=5)
    assert "5 platser kvar" in client.get(event.get_absolute_url()).content.decode()
    make_registration(event)
    assert "4 platser kvar" in client.get(event.get_absolute_url()).content.decode()


def test_signed_in_visitors_are_not_served_cached_pages(client):
    make_event()
    client.force_login(make_user())
    assert "X-Cache" not in client.get("/events/")
    assert "X-Cache" not in client.get("/events/")


def test_not_found_is_not_cached(client):
    client.get("/events/finns-inte/")
    assert "X-Cache" not in client.get("/events/finns-inte/")


def test_hits_vary_like_misses(client):
    make_event()
    miss, hit = client.get("/events/"), client.get("/events/")
    assert hit["X-Cache"] == "hit"
    for header in ("Cookie", "HX-Request"):
        assert header in miss["Vary"] and header in hit["Vary"]


def test_made_up_parameters_are_not_cached(client):
    make_event()
    client.get("/events/", {"utm_source": "nyhetsbrev"})
    assert "X-Cache" not in client.get("/events/", {"utm_source": "nyhetsbrev"})


def test_a_lost_version_key_never_serves_old_pages(client):
    from django.core.cache import cache

    from events.cache import VERSION_KEY

    event = make_event(title="Före")
    client.get("/events/")
    cache.delete(VERSION_KEY)  # evicted, as a full cache may do
    event.title = "Efter"
    event.save()
    cache.delete(VERSION_KEY)
    assert "Efter" in client.get("/events/").content.decode()
