import json
import re

import pytest

from events.models import Event
from registrations.models import Registration
from tests.factories import at, make_digital_place, make_event, make_place, make_registration, make_theme

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def json_ld(response):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S)
    return json.loads(match.group(1))


def test_event_page_shows_the_details(client):
    place = make_place(
        name="Innovatum", street_address="Nohabgatan 18", hearing_loop=True, public_transport_stop="Innovatum"
    )
    event = make_event(
        title="Workshop om vätgas", place=place, themes=[make_theme(name="Klimat och energi")], capacity=25
    )
    make_registration(event)
    response = client.get(event.get_absolute_url())
    content = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in content and "Workshop om vätgas" in content
    assert "Nohabgatan 18" in content
    assert "openstreetmap.org" in content
    assert "Klimat och energi" in content
    assert event.organiser.name in content
    assert "24 platser kvar" in content
    assert "Innovatum" in content


def test_draft_is_not_public(client):
    event = make_event(status=Event.Status.DRAFT)
    assert client.get(event.get_absolute_url()).status_code == 404


def test_unknown_slug_is_404(client):
    assert client.get("/events/finns-inte/").status_code == 404


def test_cancelled_event_says_so(client):
    event = make_event(status=Event.Status.CANCELLED)
    response = client.get(event.get_absolute_url())
    assert response.status_code == 200
    assert "Det här evenemanget är inställt." in response.content.decode()
    assert json_ld(response)["eventStatus"] == "https://schema.org/EventCancelled"


def test_full_event_with_waiting_list(client):
    event = make_event(capacity=1, waitlist_enabled=True)
    make_registration(event)
    make_registration(event, status=Registration.Status.WAITLISTED)
    assert "Fullbokat – väntelista öppen" in client.get(event.get_absolute_url()).content.decode()


def test_online_link_is_never_shown_on_the_public_page(client):
    event = make_event(
        format=Event.Format.ONLINE, place=make_digital_place(), online_url="https://meet.example.org/hemlig"
    )
    response = client.get(event.get_absolute_url())
    assert "meet.example.org/hemlig" not in response.content.decode()
    assert "hemlig" not in json.dumps(json_ld(response))


def test_json_ld_describes_the_event(client):
    event = make_event(title="Frukostseminarium", start=at(days=3, hour=8), capacity=40, format=Event.Format.HYBRID)
    data = json_ld(client.get(event.get_absolute_url()))
    assert data["@type"] == "Event"
    assert data["name"] == "Frukostseminarium"
    assert data["startDate"] == event.start.isoformat()
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert data["organizer"]["name"] == event.organiser.name
    physical, virtual = data["location"]
    assert physical["address"]["streetAddress"] == event.place.street_address
    assert virtual["@type"] == "VirtualLocation"
    assert data["remainingAttendeeCapacity"] == 40


def test_json_ld_cannot_break_out_of_its_script_element(client):
    event = make_event(title="</script><script>alert(1)</script>")
    content = client.get(event.get_absolute_url()).content.decode()
    assert "</script><script>alert(1)" not in content
    assert json_ld(client.get(event.get_absolute_url()))["name"] == event.title


def test_past_event_page_stays_available(client):
    event = make_event(start=at(days=-10))
    assert client.get(event.get_absolute_url()).status_code == 200


def test_seats_left_refresh_themselves_with_htmx(client):
    event = make_event(capacity=10)
    content = client.get(event.get_absolute_url()).content.decode()
    assert f'<dd id="seats" hx-get="{event.get_absolute_url()}" hx-select="#seats"' in content
    assert 'hx-trigger="every 30s"' in content


def test_single_event_ics_download(client):
    import icalendar

    event = make_event(title="Frukost, vätgas; och mer", online_url="https://meet.example.org/hemlig")
    response = client.get(f"/events/{event.slug}/event.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert f'filename="{event.slug}.ics"' in response["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.content)
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == event.title and vevent.decoded("DTSTART") == event.start
    assert calendar["METHOD"] == "PUBLISH" and calendar.walk("VTIMEZONE")
    assert b"hemlig" not in response.content
    assert client.get("/events/finns-inte/event.ics").status_code == 404
    assert client.get(f"/events/{make_event(status=Event.Status.DRAFT).slug}/event.ics").status_code == 404
