import datetime

import pytest

from events.models import Event
from registrations import services
from registrations.models import Registration
from tests.factories import NOW, at, make_event, make_registration, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def statuses(event):
    return list(event.registrations.order_by("pk").values_list("status", "waitlist_position"))


def test_seats_left_confirm_then_waitlist_in_order():
    event = make_event(capacity=2, waitlist_enabled=True)
    people = [make_user() for _ in range(4)]
    results = [services.register(person, event) for person in people]
    assert [r.status for r in results] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [r.waitlist_position for r in results] == [None, None, 1, 2]


def test_full_event_without_waiting_list_refuses():
    event = make_event(capacity=1, waitlist_enabled=False)
    services.register(make_user(), event)
    with pytest.raises(services.EventFull):
        services.register(make_user(), event)
    assert event.registrations.count() == 1


def test_unlimited_event_always_confirms():
    event = make_event(capacity=None)
    assert all(services.register(make_user(), event).is_confirmed for _ in range(5))


def test_capacity_zero_puts_everyone_on_the_waiting_list():
    event = make_event(capacity=0)
    assert services.register(make_user(), event).is_waitlisted


@pytest.mark.parametrize(
    "overrides",
    [
        {"status": "draft"},
        {"status": "cancelled"},
        {"registration_opens": at(days=1)},
        {"registration_closes": NOW - datetime.timedelta(minutes=1)},
        {"start": NOW - datetime.timedelta(minutes=5)},
    ],
)
def test_registration_only_while_open(overrides):
    event = make_event(**overrides)
    with pytest.raises(services.RegistrationClosed):
        services.register(make_user(), event)
    assert not event.registrations.exists()


def test_registering_twice_is_refused():
    event, person = make_event(), make_user()
    services.register(person, event)
    with pytest.raises(services.AlreadyRegistered):
        services.register(person, event)
    assert event.registrations.count() == 1


def test_registration_stores_answers_and_consent_time():
    event, person = make_event(), make_user()
    registration = services.register(
        person,
        event,
        organisation="Borås Stad",
        dietary_needs="Vegan",
        accessibility_needs="Hörslinga",
        sensitive_consent=True,
        answers={"q1": "Ja"},
    )
    registration.refresh_from_db()
    assert registration.organisation == "Borås Stad"
    assert registration.dietary_needs == "Vegan" and registration.accessibility_needs == "Hörslinga"
    assert registration.answers == {"q1": "Ja"}
    assert registration.consent_at == NOW
    assert registration.sensitive_consent_at == NOW  # the separate consent to the needs (article 9)


def test_cancelling_a_seat_promotes_the_first_in_line_once():
    event = make_event(capacity=1)
    first, second, third = make_user(), make_user(), make_user()
    seat = services.register(first, event)
    services.register(second, event)
    services.register(third, event)
    services.cancel(seat)
    assert statuses(event) == [("cancelled", None), ("confirmed", None), ("waitlisted", 2)]
    promoted = event.registrations.get(user=second)
    assert promoted.promoted_at == NOW
    # Cancelling again changes nothing and promotes nobody else.
    services.cancel(seat)
    assert statuses(event) == [("cancelled", None), ("confirmed", None), ("waitlisted", 2)]


def test_leaving_the_waiting_list_promotes_nobody():
    event = make_event(capacity=1)
    services.register(make_user(), event)
    waiting = services.register(make_user(), event)
    services.cancel(waiting)
    assert statuses(event) == [("confirmed", None), ("cancelled", None)]


def test_cannot_cancel_after_the_event_started():
    event = make_event(start=NOW + datetime.timedelta(hours=1))
    registration = services.register(make_user(), event)
    with pytest.raises(services.CancellationClosed):
        services.cancel(registration, now=event.start + datetime.timedelta(minutes=1))
    registration.refresh_from_db()
    assert registration.is_confirmed


def test_register_again_after_cancelling_reuses_the_registration():
    event, person = make_event(capacity=5), make_user()
    first = services.register(person, event)
    services.cancel(first)
    again = services.register(person, event)
    assert again.pk == first.pk and again.is_confirmed and again.cancelled_at is None
    assert again.ical_sequence == 2  # the cancellation and the new invitation each supersede


def test_promotion_fills_every_free_seat_when_capacity_allows():
    event = make_event(capacity=1)
    services.register(make_user(), event)
    waiting = [services.register(make_user(), event) for _ in range(3)]
    event.capacity = 3
    event.save()
    with services.transaction.atomic():
        promoted = services.promote_waitlisted(services._lock_event(event.pk))
    assert [r.pk for r in promoted] == [waiting[0].pk, waiting[1].pk]


def test_reminders_go_once_to_confirmed_participants_of_tomorrows_events(
    mailoutbox, django_capture_on_commit_callbacks
):
    tomorrow = make_event(start=at(days=1, hour=9))
    later = make_event(start=at(days=3, hour=9))
    confirmed = make_registration(tomorrow)
    make_registration(tomorrow, status=Registration.Status.WAITLISTED)
    make_registration(later)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders() == 1
        assert services.send_reminders() == 0
    assert [m.to for m in mailoutbox] == [[confirmed.user.email]]


def test_a_raised_capacity_goes_to_the_queue_not_to_newcomers():
    event = make_event(capacity=1)
    services.register(make_user(), event)
    first_waiting = services.register(make_user(), event)
    event.capacity = 2
    event.save()
    newcomer = services.register(make_user(), event)
    first_waiting.refresh_from_db()
    assert first_waiting.is_confirmed and newcomer.is_waitlisted


def test_apply_capacity_promotes_after_an_admin_change():
    event = make_event(capacity=1)
    services.register(make_user(), event)
    waiting = services.register(make_user(), event)
    event.capacity = 5
    event.save()
    assert [r.pk for r in services.apply_capacity(event)] == [waiting.pk]


def test_cancelling_in_a_cancelled_event_promotes_nobody():
    event = make_event(capacity=1)
    seat = services.register(make_user(), event)
    waiting = services.register(make_user(), event)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    services.cancel(seat)
    waiting.refresh_from_db()
    assert waiting.is_waitlisted


def test_a_promotion_supersedes_the_tentative_calendar_entry():
    event = make_event(capacity=1)
    seat = services.register(make_user(), event)
    waiting = services.register(make_user(), event)
    services.cancel(seat)
    waiting.refresh_from_db()
    assert waiting.ical_sequence == 1


def test_new_feed_token_replaces_the_old_one():
    user = make_user()
    first = services.new_feed_token(user)
    second = services.new_feed_token(user)
    first.refresh_from_db()
    assert first.revoked_at is not None and second.revoked_at is None
    assert services.new_feed_token(user, revoke_only=True) is None
    assert not user.feed_tokens.filter(revoked_at=None).exists()
