import pytest

from events.models import Event
from tests.factories import at, make_digital_place, make_event, make_place

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def test_place_list_shows_places_with_upcoming_counts(client):
    place = make_place(name="Vara Konserthus")
    make_event(place=place)
    make_event(place=place, start=at(days=-5))
    make_event(place=place, status=Event.Status.DRAFT)
    make_digital_place(name="Digitalt möte")
    response = client.get("/places/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "Vara Konserthus" in content and "Digitalt möte" in content
    assert "1 kommande evenemang" in content


def test_place_page_lists_its_upcoming_published_events_only(client):
    place = make_place(step_free_access=True, public_transport_stop="Vara station")
    coming = make_event(title="Kommande", place=place)
    make_event(title="Passerat", place=place, start=at(days=-5))
    make_event(title="Utkast", place=place, status=Event.Status.DRAFT)
    make_event(title="Annan plats")
    response = client.get(place.get_absolute_url())
    assert [e.title for e in response.context["events"]] == [coming.title]
    content = response.content.decode()
    assert "Vara station" in content
    assert "entré utan trappsteg" in content.lower()


def test_digital_place_has_no_address_or_map(client):
    place = make_digital_place()
    content = client.get(place.get_absolute_url()).content.decode()
    assert "openstreetmap" not in content


def test_unknown_place_is_404(client):
    assert client.get("/places/finns-inte/").status_code == 404
