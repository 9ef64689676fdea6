"""The rules for registering, cancelling and moving up from the waiting list.

Every change takes the event's row lock first (``SELECT ... FOR UPDATE`` on PostgreSQL)
and only then counts seats, so that the capacity holds and a freed seat is given away
exactly once, however many requests arrive at once on however many app servers. On
SQLite, where the lock is a no-op, IMMEDIATE transactions serialise the writers.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event
from registrations import emails
from registrations.models import Registration
from registrations.queries import waitlist_rank


class RegistrationError(Exception):
    """A rule stopped the change; ``message`` says why, in the user's language."""

    message = _("The registration could not be made.")

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class RegistrationClosed(RegistrationError):
    message = _("Registration for this event is not open.")


class AlreadyRegistered(RegistrationError):
    message = _("You are already registered for this event.")


class EventFull(RegistrationError):
    message = _("The event is full and has no waiting list.")


class CancellationClosed(RegistrationError):
    message = _("The event has already started, so the registration can no longer be cancelled.")


def _lock_event(event_id):
    return Event.objects.select_for_update().get(pk=event_id)


def _confirmed_count(event):
    return event.registrations.filter(status=Registration.Status.CONFIRMED).count()


def _has_free_seat(event):
    return event.capacity is None or _confirmed_count(event) < event.capacity


def _next_waitlist_position(event):
    # Positions are queue numbers: they only grow, so nobody is ever renumbered. The
    # position a person sees is their rank among those still waiting (queries.py).
    highest = event.registrations.filter(status=Registration.Status.WAITLISTED).aggregate(top=Max("waitlist_position"))
    return (highest["top"] or 0) + 1


def register(user, event, *, organisation="", dietary_needs="", accessibility_needs="", answers=None, now=None):
    """Register ``user`` for ``event``: confirmed while seats are left, else waitlisted.

    Raises RegistrationClosed, AlreadyRegistered or EventFull. A participant who cancelled
    earlier may register again; their old registration is reused.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            event = _lock_event(event.pk)
            if not event.registration_is_open(now):
                raise RegistrationClosed
            # Seats freed without a cancellation (a raised capacity) go to the queue first.
            promote_waitlisted(event, now=now)
            registration = Registration.objects.filter(event=event, user=user).first()
            if registration is not None and registration.status != Registration.Status.CANCELLED:
                raise AlreadyRegistered
            if _has_free_seat(event):
                status, position = Registration.Status.CONFIRMED, None
            elif event.waitlist_enabled:
                status, position = Registration.Status.WAITLISTED, _next_waitlist_position(event)
            else:
                raise EventFull
            if registration is None:
                registration = Registration(event=event, user=user)
            else:
                registration.ical_sequence += 1  # supersedes the cancellation sent earlier
            registration.status = status
            registration.waitlist_position = position
            registration.organisation = organisation
            registration.dietary_needs = dietary_needs
            registration.accessibility_needs = accessibility_needs
            registration.answers = answers or {}
            registration.consent_at = now
            registration.cancelled_at = None
            registration.promoted_at = None
            registration.checked_in_at = None
            registration.save()
            if status == Registration.Status.CONFIRMED:
                emails.send_on_commit(registration, emails.CONFIRMED)
            else:
                emails.send_on_commit(registration, emails.WAITLISTED, position=waitlist_rank(registration))
    except IntegrityError:
        # The unique constraint is the backstop if two requests of one person race.
        raise AlreadyRegistered from None
    return registration


def cancel(registration, *, now=None):
    """Cancel a registration or leave the waiting list; a freed seat goes to the next in line.

    Cancelling twice is harmless. Raises CancellationClosed once the event has started.
    """
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock_event(registration.event_id)
        registration = Registration.objects.select_related("user").get(pk=registration.pk)
        if registration.status == Registration.Status.CANCELLED:
            return registration
        if now >= event.start:
            raise CancellationClosed
        freed_seat = registration.status == Registration.Status.CONFIRMED
        registration.status = Registration.Status.CANCELLED
        registration.waitlist_position = None
        registration.cancelled_at = now
        registration.ical_sequence += 1
        registration.save(update_fields=["status", "waitlist_position", "cancelled_at", "ical_sequence", "updated_at"])
        # Only a confirmed seat had a calendar invitation to withdraw.
        emails.send_on_commit(registration, emails.CANCELLED, with_invitation=freed_seat)
        if freed_seat and event.status == Event.Status.PUBLISHED:
            promote_waitlisted(event, now=now)
    return registration


def promote_waitlisted(event, *, now=None):
    """Give free seats to the people first in the queue. The caller holds the event's lock.

    Also to be called after the capacity of an event was raised (see ``apply_capacity``).

    Returns the promoted registrations, first in line first.
    """
    now = now or timezone.now()
    promoted = []
    if event.status != Event.Status.PUBLISHED:
        return promoted
    while _has_free_seat(event):
        registration = (
            event.registrations.filter(status=Registration.Status.WAITLISTED).order_by("waitlist_position").first()
        )
        if registration is None:
            break
        registration.status = Registration.Status.CONFIRMED
        registration.waitlist_position = None
        registration.promoted_at = now
        registration.ical_sequence += 1
        registration.save(update_fields=["status", "waitlist_position", "promoted_at", "ical_sequence", "updated_at"])
        emails.send_on_commit(registration, emails.PROMOTED)
        promoted.append(registration)
    return promoted


def send_reminders(*, now=None):
    """E-mail every confirmed participant of events that start tomorrow, once each.

    Meant to run on a schedule (``manage.py send_reminders``, e.g. hourly). Returns the number queued.
    """
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    due = Registration.objects.filter(
        status=Registration.Status.CONFIRMED,
        reminder_sent_at__isnull=True,
        event__status=Event.Status.PUBLISHED,
        event__start__date=tomorrow,
    )
    count = 0
    for registration in due.only("pk", "status", "ical_sequence"):
        with transaction.atomic():
            # Claim the reminder first, so that overlapping runs send it once.
            claimed = Registration.objects.filter(pk=registration.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            )
            if claimed:
                emails.send_on_commit(registration, emails.REMINDER)
                count += 1
    return count


def apply_capacity(event, *, now=None):
    """After an event's capacity or waiting list changed: give newly free seats to the queue."""
    with transaction.atomic():
        return promote_waitlisted(_lock_event(event.pk), now=now)


def new_feed_token(user, *, revoke_only=False):
    """Replace the user's personal feed token (or only revoke it). Safe against double clicks."""
    from django.contrib.auth import get_user_model

    from registrations.models import FeedToken

    with transaction.atomic():
        # One change at a time per person: the partial unique constraint is the backstop.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        FeedToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        return None if revoke_only else FeedToken.objects.create(user=user)
