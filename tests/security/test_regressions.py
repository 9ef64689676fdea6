"""Inputs the fuzz tests found that answered 500, each pinned down."""

import pytest
from django.urls import reverse

from events.models import Event, MeetingPlace
from tests.security.conftest import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.mark.parametrize("theme", [str(10**30), str(2**63), "-1", "0"])
def test_a_theme_id_beyond_the_integer_range_is_a_form_error(world, theme):
    """pk__in with a huge number: OverflowError on SQLite, "bigint out of range" on PostgreSQL."""
    client = client_for(world, "organiser_a")
    before = Event.objects.count()
    response = client.post(reverse("organise:event_create"), {"title": "T", "themes": [theme]})
    assert response.status_code == 400
    assert "themes" in response.context["form"].errors
    assert Event.objects.count() == before
    event = world["event"]
    response = client.post(reverse("organise:event_edit", args=[event.pk]), {"title": "T", "themes": [theme]})
    assert response.status_code == 400


@pytest.mark.parametrize("value", ["sNaN", "-sNaN", "NaN", "Infinity", "-inf"])
def test_a_coordinate_that_is_not_a_number_is_a_form_error(world, value):
    """A signalling NaN raised InvalidOperation when editing a place (in has_changed)."""
    client = client_for(world, "organiser_a")
    place = world["place"]
    for url in (reverse("organise:place_edit", args=[place.pk]), reverse("organise:place_create")):
        response = client.post(url, {"name": "Plats", "municipality": "goteborg", "latitude": "58", "longitude": value})
        assert response.status_code == 400
        assert "longitude" in response.context["form"].errors
    place.refresh_from_db()
    assert place.longitude is not None and place.longitude.is_finite()


def test_a_nul_byte_in_the_place_search_is_dropped(world):
    """PostgreSQL refuses NUL in text parameters: the workspace's place search drops it."""
    MeetingPlace.objects.filter(pk=world["place"].pk).update(name="Innovatum")
    response = client_for(world, "organiser_a").get(reverse("organise:place_list"), {"q": "Inno\x00vatum"})
    assert response.status_code == 200
    assert response.context["query"] == "Innovatum"
    assert [place.name for place in response.context["page"]] == ["Innovatum"]
