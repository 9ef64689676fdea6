import datetime

import icalendar
import pytest
from allauth.account.models import EmailAddress

from registrations import services
from registrations.models import FeedToken, Registration
from tests.factories import NOW, make_digital_place, make_event, make_registration, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def participant(client):
    user = make_user(email="sara@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)
    return user


def feed(client, token):
    response = client.get(f"/feeds/personal/{token.token}.ics")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    return {str(e["SUMMARY"]): e for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")}


def test_token_is_long_and_random():
    tokens = {FeedToken.objects.create(user=make_user()).token for _ in range(20)}
    assert len(tokens) == 20
    assert all(len(token) >= 43 for token in tokens)  # 32 random bytes, base64: 256 bits


def test_personal_feed_shows_own_registrations_with_their_status(client, participant):
    online = make_event(
        title="Bekräftat", format="online", place=make_digital_place(), online_url="https://meet.example.org/x"
    )
    make_registration(online, participant)
    full = make_event(title="Väntar", capacity=1)
    make_registration(full)
    make_registration(full, participant, status=Registration.Status.WAITLISTED)
    left = make_registration(make_event(title="Avbokat"), participant)
    services.cancel(left)
    make_registration(make_event(title="Någon annans"))
    token = FeedToken.objects.create(user=participant)

    events = feed(client, token)
    assert set(events) == {"Bekräftat", "Väntar", "Avbokat"}
    assert events["Bekräftat"]["STATUS"] == "CONFIRMED"
    assert "https://meet.example.org/x" in str(events["Bekräftat"]["DESCRIPTION"])
    assert events["Väntar"]["STATUS"] == "TENTATIVE"
    assert events["Avbokat"]["STATUS"] == "CANCELLED"
    body = client.get(f"/feeds/personal/{token.token}.ics").content
    assert b"ATTENDEE" not in body and b"person" not in body  # nothing about other people


def test_unknown_and_revoked_tokens_are_404(client, participant):
    assert client.get("/feeds/personal/gissning.ics").status_code == 404
    token = FeedToken.objects.create(user=participant)
    token.revoked_at = NOW
    token.save()
    assert client.get(f"/feeds/personal/{token.token}.ics").status_code == 404


def test_my_calendar_creates_regenerates_and_revokes(client, participant):
    assert client.get("/me/calendar/").status_code == 200
    client.post("/me/calendar/", {"action": "create"})
    first = FeedToken.objects.get(user=participant, revoked_at=None)
    page = client.get("/me/calendar/").content.decode()
    assert f"/feeds/personal/{first.token}.ics" in page and "webcal://" in page
    client.post("/me/calendar/", {"action": "regenerate"})
    second = FeedToken.objects.get(user=participant, revoked_at=None)
    assert second.token != first.token
    assert client.get(f"/feeds/personal/{first.token}.ics").status_code == 404
    assert client.get(f"/feeds/personal/{second.token}.ics").status_code == 200
    client.post("/me/calendar/", {"action": "revoke"})
    assert not FeedToken.objects.filter(user=participant, revoked_at=None).exists()
    assert client.post("/me/calendar/", {"action": "hack"}).status_code == 400


def test_my_calendar_needs_login(client):
    assert client.get("/me/calendar/").status_code == 302


def test_event_list_subscription_carries_the_filters(client):
    make_event()
    content = client.get("/events/", {"theme": "", "format": "online", "page": "1"}).content.decode()
    assert 'value="http://127.0.0.1:8000/feeds/events.ics?format=online"' in content
    assert 'href="webcal://127.0.0.1:8000/feeds/events.ics?format=online"' in content


def test_cancelled_event_stays_in_personal_feed_as_cancelled(client, participant):
    event = make_event(title="Ställs in")
    make_registration(event, participant)
    event.status, event.cancelled_at = "cancelled", NOW - datetime.timedelta(days=1)
    event.save()
    token = FeedToken.objects.create(user=participant)
    assert feed(client, token)["Ställs in"]["STATUS"] == "CANCELLED"
