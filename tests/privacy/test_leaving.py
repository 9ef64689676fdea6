"""However a person leaves (an admin deletes the account, they cancel, the event is cancelled),
nothing personal is left behind and the waiting list still works."""

import datetime

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from events import services as event_services
from registrations import services
from registrations.models import Registration
from tests.factories import make_registration, make_user

pytestmark = pytest.mark.django_db


def needs(**overrides):
    fields = {"dietary_needs": "Celiaki", "accessibility_needs": "Rullstol", "organisation": "Vera AB"}
    return fields | overrides


def test_an_account_deleted_in_the_admin_gives_its_seat_to_the_waiting_list(client, event):
    event.capacity = 1
    event.save()
    vera = make_user(email="vera@example.org", first_name="Vera", last_name="Victim")
    seat = make_registration(event, vera, **needs())
    waiting = make_registration(event, status=Registration.Status.WAITLISTED)
    admin = make_user(email="admin@example.org", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(reverse("admin:portal_user_delete", args=[vera.pk]), {"post": "yes"})
    assert response.status_code == 302

    seat.refresh_from_db()
    waiting.refresh_from_db()
    assert seat.user is None and seat.anonymised_at is not None
    assert (seat.organisation, seat.dietary_needs, seat.accessibility_needs) == ("", "", "")
    assert seat.status == Registration.Status.CANCELLED
    assert waiting.status == Registration.Status.CONFIRMED
    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(type(vera)))
    assert entries.filter(action_flag=DELETION).exists()
    assert all("Vera" not in entry.object_repr and "vera@" not in entry.object_repr for entry in entries)


def test_a_seat_freed_after_the_first_in_line_left_goes_to_the_next_real_person(event):
    event.capacity = 1
    event.save()
    seat = make_registration(event)
    gone = make_user()
    make_registration(event, gone, status=Registration.Status.WAITLISTED, waitlist_position=1)
    next_person = make_registration(event, status=Registration.Status.WAITLISTED, waitlist_position=2)
    gone.delete()
    services.cancel(seat)
    next_person.refresh_from_db()
    assert next_person.status == Registration.Status.CONFIRMED
    assert not Registration.objects.filter(user__isnull=True, status=Registration.Status.CONFIRMED).exists()


def test_leaving_during_the_event_withdraws_a_place_in_the_queue(event):
    person = make_user()
    waiting = make_registration(event, person, status=Registration.Status.WAITLISTED)
    from registrations.privacy import release_registrations

    release_registrations(person, now=event.start + datetime.timedelta(minutes=10))
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CANCELLED and waiting.user is None


def test_cancelling_erases_the_needs(event, participant):
    registration = make_registration(event, participant, **needs(), sensitive_consent_at=event.start)
    services.cancel(registration)
    registration.refresh_from_db()
    assert (registration.dietary_needs, registration.accessibility_needs) == ("", "")
    assert registration.sensitive_consent_at is None


def test_cancelling_the_event_erases_everyones_needs(event, organiser, participant):
    registration = make_registration(event, participant, **needs())
    event_services.cancel_event(event, by=organiser, notify=False)
    registration.refresh_from_db()
    assert (registration.dietary_needs, registration.accessibility_needs) == ("", "")


def test_no_reminder_is_claimed_for_an_anonymised_seat(event, participant):
    registration = make_registration(event, participant)
    Registration.objects.filter(pk=registration.pk).update(user=None)
    assert services.send_reminders(now=event.start - datetime.timedelta(days=1)) == 0


def test_password_guesses_on_the_delete_page_are_limited(participant_client, participant, settings):
    settings.RATELIMIT_ENABLE = True
    statuses = [
        participant_client.post(reverse("delete_account"), {"password": f"fel-{n}"}).status_code for n in range(7)
    ]
    assert statuses[:5] == [400] * 5
    assert statuses[5:] == [429, 429]
    assert type(participant).objects.filter(pk=participant.pk).exists()
