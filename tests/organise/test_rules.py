"""Rules found in review: each test is a way the workspace could go wrong for real."""

import datetime
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from events import services as event_services
from events.forms import EventForm
from events.models import Event
from registrations import services
from registrations.models import Mailing, Registration
from tests.factories import at, make_digital_place, make_event, make_registration, make_user
from tests.organise.test_events import edit_data, event_data, local

pytestmark = pytest.mark.django_db


def test_an_unverified_address_on_someone_elses_account_does_not_capture_a_registration(event_a, organiser_a):
    attacker = make_user(email="angripare@example.org")
    EmailAddress.objects.create(user=attacker, email="offer@example.org", verified=False)
    registration = services.add_participant(event_a, email="offer@example.org", by=organiser_a)
    assert registration.user != attacker
    assert registration.user.email == "offer@example.org"


def test_superusers_must_also_set_up_two_factor_when_required(client, settings):
    settings.ORGANISER_MFA_REQUIRED = True
    client.force_login(make_user(is_superuser=True, is_staff=True))
    response = client.get(reverse("organise:dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


def test_a_capacity_made_too_low_by_a_registration_meanwhile_is_refused(client_a, event_a):
    """The form counted two seats; a third person registered before the save: 409, kept as typed."""
    for _ in range(3):
        make_registration(event_a)
    original_init = EventForm.__init__

    def init_with_stale_count(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.confirmed_count = 2

    with mock.patch.object(EventForm, "__init__", init_with_stale_count):
        response = client_a.post(f"/organise/events/{event_a.pk}/edit/", edit_data(event_a, capacity=2))
    assert response.status_code == 409
    assert "capacity" in response.context["form"].errors
    assert 'value="2"' in response.content.decode()
    event_a.refresh_from_db()
    assert event_a.capacity == 10


def test_the_service_rechecks_the_capacity_under_the_lock(event_a, organiser_a):
    for _ in range(3):
        make_registration(event_a)
    stale = Event.objects.get(pk=event_a.pk)
    stale.capacity = 2
    with pytest.raises(event_services.CapacityBelowConfirmed):
        event_services.save_event(stale, ["capacity"], by=organiser_a)
    event_a.refresh_from_db()
    assert event_a.capacity == 10


@pytest.mark.parametrize("value", ["0001-01-01T00:10", "9999-12-31T22:00", "1899-06-01T10:00"])
def test_dates_far_out_of_range_are_a_message_not_a_500(client_a, team_a, place, event_a, value):
    response = client_a.post("/organise/events/new/", event_data(team_a, place, registration_opens=value))
    assert response.status_code == 400
    assert "registration_opens" in response.context["form"].errors
    response = client_a.post(f"/organise/events/{event_a.pk}/edit/", edit_data(event_a, start=value))
    assert response.status_code == 400


def test_an_event_at_the_end_of_time_can_still_be_duplicated(client_a, team_a, place):
    event = make_event(organiser=team_a, place=place, start=at(days=20), status=Event.Status.DRAFT)
    Event.objects.filter(pk=event.pk).update(
        start=datetime.datetime(9999, 12, 30, tzinfo=datetime.UTC),
        end=datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC),
    )
    assert client_a.get(f"/organise/events/{event.pk}/duplicate/").status_code == 200


def test_a_double_click_on_send_sends_the_message_once(
    client_a, event_a, mailoutbox, django_capture_on_commit_callbacks
):
    make_registration(event_a)
    page = client_a.get(f"/organise/events/{event_a.pk}/messages/new/")
    token = page.context["form"]["token"].value()
    data = {"audience": "confirmed", "subject": "Hej", "body": "Välkomna", "token": token, "send": "1"}
    with django_capture_on_commit_callbacks(execute=True):
        first = client_a.post(f"/organise/events/{event_a.pk}/messages/new/", data)
        second = client_a.post(f"/organise/events/{event_a.pk}/messages/new/", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Mailing.objects.count() == 1
    assert len(mailoutbox) == 1


def test_an_event_that_is_over_cannot_be_cancelled(event_a, organiser_a):
    make_registration(event_a)
    with pytest.raises(event_services.EventRuleError):
        event_services.cancel_event(event_a, by=organiser_a, now=event_a.end + datetime.timedelta(days=1))
    event_a.refresh_from_db()
    assert event_a.status == Event.Status.PUBLISHED


def test_nobody_moves_up_automatically_once_the_event_has_begun(event_a, organiser_a):
    event_a.capacity = 1
    event_a.save()
    seat = make_registration(event_a)
    waiting = make_registration(event_a, status=Registration.Status.WAITLISTED)
    services.cancel(seat, by=organiser_a, now=event_a.start + datetime.timedelta(minutes=30))
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.WAITLISTED
    # The organiser can still let the person in at the door.
    services.confirm_waitlisted(waiting, by=organiser_a, now=event_a.start + datetime.timedelta(minutes=31))
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED


def test_a_place_cannot_turn_digital_under_coming_on_site_events(client_a, event_a, place):
    data = {"name": place.name, "is_digital": "on", "municipality": ""}
    response = client_a.post(f"/organise/places/{place.pk}/edit/", data)
    assert response.status_code == 400
    assert "is_digital" in response.context["form"].errors
    place.refresh_from_db()
    assert not place.is_digital


def test_a_new_address_reaches_the_calendars_of_coming_events(client_a, event_a, place):
    data = {
        "name": place.name,
        "street_address": "Ny gata 1",
        "postal_code": place.postal_code,
        "city": place.city,
        "municipality": place.municipality,
        "latitude": place.latitude,
        "longitude": place.longitude,
    }
    response = client_a.post(f"/organise/places/{place.pk}/edit/", data)
    assert response.status_code == 302
    event_a.refresh_from_db()
    assert event_a.sequence == 1


def test_seconds_stored_by_the_admin_are_not_a_change_of_time(client_a, event_a):
    Event.objects.filter(pk=event_a.pk).update(start=event_a.start + datetime.timedelta(seconds=30))
    event_a.refresh_from_db()
    make_registration(event_a)
    response = client_a.post(f"/organise/events/{event_a.pk}/edit/", edit_data(event_a, title="Ny titel"))
    assert response.status_code == 302  # no question about e-mailing participants
    event_a.refresh_from_db()
    assert event_a.title == "Ny titel"


def test_nobody_is_checked_in_at_a_cancelled_event(event_a, organiser_a):
    registration = make_registration(event_a)
    Event.objects.filter(pk=event_a.pk).update(status=Event.Status.CANCELLED)
    with pytest.raises(services.CheckInNotPossible):
        services.check_in(registration, by=organiser_a)


def test_the_dashboard_pages_its_upcoming_events(client_a, team_a, place):
    now = timezone.now()
    for day in range(25):
        make_event(organiser=team_a, place=place, start=now + datetime.timedelta(days=day + 1))
    first = client_a.get("/organise/").context["dashboard"].upcoming
    second = client_a.get("/organise/?upcoming=2").context["dashboard"].upcoming
    assert (len(first.object_list), len(second.object_list)) == (20, 5)
    assert "?upcoming=2#upcoming" in client_a.get("/organise/").content.decode()


def test_a_digital_place_is_offered_for_online_events(client_a, team_a):
    digital = make_digital_place()
    data = event_data(team_a, digital, format="online", online_url="https://meet.example.org/x")
    assert client_a.post("/organise/events/new/", data).status_code == 302
    assert Event.objects.get(place=digital).format == "online"
    assert local(at(days=1))  # the helpers format wall-clock time
