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
from registrations.models import CONSENT_VERSION, AuditEntry, Mailing, Registration
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


class OverCapacity(RegistrationError):
    message = _("The event is full. Confirm that you want to go over the capacity.")


class NotWaitlisted(RegistrationError):
    message = _("This person is no longer on the waiting list.")


class CheckInNotPossible(RegistrationError):
    message = _("Only confirmed participants can be checked in.")


class SensitiveConsentMissing(RegistrationError):
    message = _("Dietary and accessibility needs are stored only with your explicit consent.")


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


def register(
    user,
    event,
    *,
    organisation="",
    dietary_needs="",
    accessibility_needs="",
    sensitive_consent=False,
    answers=None,
    now=None,
):
    """Register ``user`` for ``event``: confirmed while seats are left, else waitlisted.

    The person consents by registering (the consent time and ``CONSENT_VERSION`` are stored);
    dietary or accessibility needs also need ``sensitive_consent`` (GDPR article 9).

    Raises RegistrationClosed, AlreadyRegistered, EventFull or SensitiveConsentMissing. A
    participant who cancelled earlier may register again; their old registration is reused.
    """
    now = now or timezone.now()
    has_sensitive = bool(dietary_needs.strip() or accessibility_needs.strip())
    if has_sensitive and not sensitive_consent:
        raise SensitiveConsentMissing
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
            registration.consent_version = CONSENT_VERSION
            registration.sensitive_consent_at = now if has_sensitive else None
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


def cancel(registration, *, by=None, now=None):
    """Cancel a registration or leave the waiting list; a freed seat goes to the next in line.

    Cancelling twice is harmless. A participant cannot cancel once the event has started;
    an organiser (``by``) can until it ends. Raises CancellationClosed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock_event(registration.event_id)
        registration = Registration.objects.select_related("user").get(pk=registration.pk)
        if registration.status == Registration.Status.CANCELLED:
            return registration
        if now >= (event.end if by else event.start):
            raise CancellationClosed
        freed_seat = registration.status == Registration.Status.CONFIRMED
        registration.status = Registration.Status.CANCELLED
        registration.waitlist_position = None
        registration.cancelled_at = now
        registration.ical_sequence += 1
        # Needs about diet and accessibility were given for attending: not kept once that is off.
        registration.dietary_needs = registration.accessibility_needs = ""
        registration.sensitive_consent_at = None
        registration.save(
            update_fields=[
                "status",
                "waitlist_position",
                "cancelled_at",
                "ical_sequence",
                "dietary_needs",
                "accessibility_needs",
                "sensitive_consent_at",
                "updated_at",
            ]
        )
        # Only a confirmed seat had a calendar invitation to withdraw.
        kind = emails.CANCELLED_BY_ORGANISER if by else emails.CANCELLED
        emails.send_on_commit(registration, kind, with_invitation=freed_seat)
        if by:
            _audit(registration, by, AuditEntry.Action.CANCELLED)
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
    # Once the event has begun, a free seat is no use to someone in the queue (an organiser
    # can still confirm a person at the door with ``confirm_waitlisted``).
    if event.status != Event.Status.PUBLISHED or now >= event.start:
        return promoted
    while _has_free_seat(event):
        registration = (
            # An anonymised place (the person is gone) is no one to give a seat to.
            event.registrations.filter(status=Registration.Status.WAITLISTED, user__isnull=False)
            .order_by("waitlist_position")
            .first()
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
        user__isnull=False,
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


# The organiser's actions. Each is recorded in the event's audit log.


def _audit(registration, by, action, detail=""):
    AuditEntry.objects.create(
        event_id=registration.event_id, actor=by, action=action, registration=registration, detail=detail
    )


def check_in(registration, *, by, undo=False, now=None):
    """Check a confirmed participant in (or undo it). Repeating either is harmless."""
    now = now or timezone.now()
    with transaction.atomic():
        # The event's lock first, as cancelling takes it: a check-in and a cancellation of the
        # same person cannot interleave.
        event = _lock_event(registration.event_id)
        registration = Registration.objects.select_related("user").get(pk=registration.pk)
        if registration.status != Registration.Status.CONFIRMED:
            raise CheckInNotPossible
        if event.status != Event.Status.PUBLISHED:
            raise CheckInNotPossible(_("The event is not published, so nobody can be checked in."))
        if undo == (registration.checked_in_at is None):
            return registration  # already in the state asked for
        registration.checked_in_at = None if undo else now
        registration.save(update_fields=["checked_in_at", "updated_at"])
        _audit(registration, by, AuditEntry.Action.CHECK_IN_UNDONE if undo else AuditEntry.Action.CHECKED_IN)
    return registration


def confirm_waitlisted(registration, *, by, over_capacity=False, now=None):
    """Move one person from the waiting list to confirmed, ahead of the queue if need be.

    When no seat is free this needs ``over_capacity``, the organiser's explicit yes.
    """
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock_event(registration.event_id)
        registration = Registration.objects.select_related("user").get(pk=registration.pk)
        if registration.status != Registration.Status.WAITLISTED:
            raise NotWaitlisted
        if event.status != Event.Status.PUBLISHED or now >= event.end:
            raise RegistrationClosed(_("The event is cancelled or over; nobody can be confirmed."))
        free = _has_free_seat(event)
        if not free and not over_capacity:
            raise OverCapacity
        registration.status = Registration.Status.CONFIRMED
        registration.waitlist_position = None
        registration.promoted_at = now
        registration.ical_sequence += 1
        registration.save(update_fields=["status", "waitlist_position", "promoted_at", "ical_sequence", "updated_at"])
        emails.send_on_commit(registration, emails.PROMOTED)
        _audit(registration, by, AuditEntry.Action.CONFIRMED, "" if free else "over capacity")
    return registration


def find_or_invite_user(email, *, first_name="", last_name="", language=""):
    """The account with this e-mail address, or a new one without a password (an invitation).

    Returns ``(user, invited)``. An invited person sets a password through the link in their
    e-mail, which also verifies the address.
    """
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    User = get_user_model()
    email = email.strip().lower()  # as allauth stores addresses
    # Only a verified address proves whose it is: anyone can add an unverified one to their
    # account, and must not receive someone else's registration that way.
    address = EmailAddress.objects.filter(email__iexact=email, verified=True).select_related("user").first()
    if address is not None:
        return address.user, False
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    user = User(email=email, first_name=first_name, last_name=last_name)
    if language:
        user.language = language
    user.set_unusable_password()
    user.save()
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    return user, True


def add_participant(event, *, email, by, first_name="", last_name="", organisation="", over_capacity=False, now=None):
    """Register someone on the organiser's behalf, inviting them when they have no account.

    Confirmed while seats are left (or over the capacity with ``over_capacity``), otherwise
    on the waiting list. Possible until the event ends, also after registration closed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock_event(event.pk)
        if event.status != Event.Status.PUBLISHED or now >= event.end:
            raise RegistrationClosed(_("Only a published event that has not ended can take participants."))
        promote_waitlisted(event, now=now)
        user, invited = find_or_invite_user(email, first_name=first_name, last_name=last_name)
        # Someone invited earlier who never chose a password still has no way in: invite again.
        invited = invited or not user.has_usable_password()
        registration = Registration.objects.filter(event=event, user=user).first()
        if registration is not None and registration.status != Registration.Status.CANCELLED:
            raise AlreadyRegistered(_("%(email)s is already registered for this event.") % {"email": user.email})
        free = _has_free_seat(event)
        if free or over_capacity:
            status, position = Registration.Status.CONFIRMED, None
        elif event.waitlist_enabled:
            status, position = Registration.Status.WAITLISTED, _next_waitlist_position(event)
        else:
            raise OverCapacity
        if registration is None:
            registration = Registration(event=event, user=user)
        else:
            registration.ical_sequence += 1
        registration.status = status
        registration.waitlist_position = position
        registration.organisation = organisation or user.organisation
        registration.dietary_needs = registration.accessibility_needs = ""
        registration.answers = {}
        registration.consent_at = registration.sensitive_consent_at = None
        registration.consent_version = ""
        registration.cancelled_at = registration.promoted_at = registration.checked_in_at = None
        registration.added_by = by
        registration.save()
        emails.send_on_commit(
            registration,
            emails.ADDED,
            position=waitlist_rank(registration) if position else None,
            with_invitation=status == Registration.Status.CONFIRMED,
            invited=invited,
        )
        detail = "invited" if invited else ""
        if status == Registration.Status.CONFIRMED and not free:
            detail = " ".join(filter(None, [detail, "over capacity"]))
        _audit(registration, by, AuditEntry.Action.ADDED, detail)
    return registration


def record_export(event, *, by, detail):
    """Log that the attendee list left the portal (an export or a print)."""
    action = AuditEntry.Action.PRINTED if detail == "print" else AuditEntry.Action.EXPORTED
    AuditEntry.objects.create(event=event, actor=by, action=action, detail=detail)


# Mailings: one e-mail to many participants, sent in the background.


def mailing_recipients(mailing):
    """The registrations a mailing goes to, in the order they are sent."""
    statuses = {
        Mailing.Audience.CONFIRMED: [Registration.Status.CONFIRMED],
        Mailing.Audience.WAITLISTED: [Registration.Status.WAITLISTED],
        Mailing.Audience.ALL: [Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
    }[mailing.audience]
    # Registrations made after the mailing was written did not see it and are left out.
    # Anonymised registrations (user is NULL) have nobody to write to.
    return Registration.objects.filter(
        event_id=mailing.event_id, status__in=statuses, created_at__lte=mailing.created_at, user__isnull=False
    ).order_by("pk")


def start_mailing(
    event, *, by, kind=Mailing.Kind.MESSAGE, audience=Mailing.Audience.CONFIRMED, subject="", body="", form_token=""
):
    """Queue a mailing to the event's participants; the task framework sends it.

    A ``form_token`` already used for this event returns the mailing made with it instead
    of sending again (a double click on "Send").
    """
    if form_token:
        try:
            with transaction.atomic():
                return _start_mailing(event, by, kind, audience, subject, body, form_token)
        except IntegrityError:
            return Mailing.objects.get(event=event, form_token=form_token)
    return _start_mailing(event, by, kind, audience, subject, body, form_token)


def _start_mailing(event, by, kind, audience, subject, body, form_token):
    from registrations.tasks import send_mailing

    if not subject:
        subject = {
            Mailing.Kind.EVENT_CHANGED: _("Changed: %(title)s"),
            Mailing.Kind.EVENT_CANCELLED: _("Cancelled: %(title)s"),
        }.get(kind, "%(title)s") % {"title": event.title}
    with transaction.atomic():
        mailing = Mailing.objects.create(
            event=event,
            sender=by,
            kind=kind,
            audience=audience,
            subject=str(subject)[:200],
            body=body,
            form_token=form_token,
        )
        mailing.recipient_count = mailing_recipients(mailing).count()
        mailing.save(update_fields=["recipient_count"])
        if kind == Mailing.Kind.MESSAGE:
            AuditEntry.objects.create(
                event=event,
                actor=by,
                action=AuditEntry.Action.MESSAGED,
                detail=f"{mailing.get_audience_display()}: {mailing.recipient_count}",
            )
        transaction.on_commit(lambda: send_mailing.enqueue(mailing.pk))
    return mailing


def deliver_mailing(mailing_id, *, batch=50):
    """Send a mailing to the recipients not reached yet; called by the task.

    Progress is saved after each batch, so a restarted worker carries on where it stopped
    instead of sending twice (at most one batch is repeated after a crash).
    """
    from django.core.mail import mailers

    mailing = Mailing.objects.select_related("event__place", "event__organiser").filter(pk=mailing_id).first()
    if mailing is None or mailing.status == Mailing.Status.SENT:
        return mailing
    Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.SENDING)
    recipients = mailing_recipients(mailing).filter(pk__gt=mailing.cursor).select_related("user")
    with mailers.default as connection:  # one connection for the whole mailing
        while True:
            chunk = list(recipients.filter(pk__gt=mailing.cursor)[:batch])
            if not chunk:
                break
            messages = []
            for registration in chunk:
                registration.event = mailing.event
                messages.append(emails.mailing_message(mailing, registration))
            connection.send_messages(messages)
            mailing.cursor = chunk[-1].pk
            mailing.sent_count += len(chunk)
            Mailing.objects.filter(pk=mailing.pk).update(cursor=mailing.cursor, sent_count=mailing.sent_count)
    mailing.status = Mailing.Status.SENT
    mailing.finished_at = timezone.now()
    Mailing.objects.filter(pk=mailing.pk).update(status=mailing.status, finished_at=mailing.finished_at)
    return mailing
