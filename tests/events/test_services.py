import pytest

from events import services
from events.models import Event
from tests.factories import NOW, at, make_event, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def test_publishing_records_when():
    event = make_event(status=Event.Status.DRAFT, published_at=None)
    event.status = Event.Status.PUBLISHED
    services.record_changes(event, ["status"])
    assert event.published_at == NOW


def test_changes_calendars_must_see_raise_the_sequence():
    event = make_event()
    event.start = at(days=9)
    services.record_changes(event, ["start", "end"])
    assert event.sequence == 1
    services.record_changes(event, ["description"])
    assert event.sequence == 1


def test_cancelling_records_when_and_raises_the_sequence():
    event = make_event()
    event.status = Event.Status.CANCELLED
    services.record_changes(event, ["status"])
    assert event.cancelled_at == NOW and event.sequence == 1


def test_admin_edits_go_through_the_rules(client):
    admin = make_user(is_staff=True, is_superuser=True)
    client.force_login(admin)
    event = make_event(status=Event.Status.DRAFT, published_at=None)
    data = {
        "title": event.title,
        "slug": event.slug,
        "summary": event.summary,
        "description": "",
        "status": "published",
        "organiser": event.organiser.pk,
        "place": event.place.pk,
        "format": "on_site",
        "start_0": "2026-12-10",
        "start_1": "09:00",
        "end_0": "2026-12-10",
        "end_1": "12:00",
        "capacity": "30",
        "waitlist_enabled": "on",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
    }
    response = client.post(f"/admin/events/event/{event.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event.refresh_from_db()
    assert event.status == "published" and event.published_at == NOW and event.sequence == 1
