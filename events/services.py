"""State changes of events that have rules: the admin and the organiser workspace use these.

Every change that a calendar must see raises the event's SEQUENCE (RFC 5545). Changes that
touch registrations take the event's row lock, as the registration rules do.
"""

import datetime
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from events.cache import bump_catalogue_version
from events.models import Event

#: Changes that calendar clients must see: they raise the event's SEQUENCE (RFC 5545).
CALENDAR_FIELDS = {"title", "start", "end", "place", "status", "format", "summary", "online_url"}
#: Changes that participants are offered an e-mail about.
MOVE_FIELDS = {"start", "end", "place", "format", "online_url"}
#: Fields copied when an event is duplicated.
COPIED_FIELDS = (
    "title",
    "summary",
    "description",
    "organiser",
    "place",
    "format",
    "online_url",
    "capacity",
    "waitlist_enabled",
)


class EventRuleError(Exception):
    """A rule stopped the change; ``message`` says why, in the user's language."""

    message = _("The event could not be changed.")

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


def record_changes(event, changed_fields, *, now=None):
    """Keep an event's lifecycle fields right after ``changed_fields`` were edited.

    Sets when it was published or cancelled, and raises the sequence when something a
    calendar shows has changed. Call before saving; returns the event.
    """
    now = now or timezone.now()
    changed = set(changed_fields)
    if "status" in changed:
        if event.status == Event.Status.PUBLISHED and event.published_at is None:
            event.published_at = now
        if event.status == Event.Status.CANCELLED:
            event.cancelled_at = event.cancelled_at or now
        else:
            event.cancelled_at = None
    if event.pk and changed & CALENDAR_FIELDS:
        event.sequence += 1
    return event


class CapacityBelowConfirmed(EventRuleError):
    """The capacity asked for is below the number of confirmed seats."""


def _confirmed_count(event):
    from registrations.services import _confirmed_count

    return _confirmed_count(event)


def unique_slug(title, *, exclude_pk=None):
    """A slug made from ``title`` that no other event has (a number is added when needed)."""
    base = slugify(title)[:200].strip("-") or "evenemang"
    taken = set(Event.objects.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug = f"{base}-{number}"
        number += 1
    return slug


def _save_with_unique_slug(event):
    """Insert a new event under a free slug. Two people saving the same title at the same
    moment both pass ``unique_slug``; the unique constraint decides, and the loser retries."""
    for attempt in range(5):
        event.slug = unique_slug(event.title)
        if attempt:
            event.slug = f"{event.slug[:200]}-{secrets.token_hex(3)}"
        try:
            with transaction.atomic():
                event.save()
            return
        except IntegrityError:
            event.pk = None
    raise EventRuleError(_("The event could not be saved. Please try again."))


def _audit(event, by, action, *, registration=None, detail=""):
    from registrations.models import AuditEntry

    AuditEntry.objects.create(event=event, actor=by, action=action, registration=registration, detail=detail)


def _lock(event):
    return Event.objects.select_for_update().get(pk=event.pk)


def active_registration_count(event):
    return event.registrations.active().count()


def save_event(event, changed_fields, *, by, themes=None, notify=False, note="", now=None):
    """Create or update an event from the workspace.

    ``themes`` (when given) replaces the event's themes. With ``notify``, participants are
    e-mailed an updated calendar entry when the time, place or format changed. Returns the
    mailing sent, if any.
    """
    from registrations import services as registration_services
    from registrations.models import AuditEntry, Mailing

    changed = set(changed_fields)
    with transaction.atomic():
        created = event.pk is None
        if created:
            record_changes(event, changed, now=now)
            _save_with_unique_slug(event)
        else:
            # Lifecycle fields come from the locked row, not from the form's possibly old copy.
            current = _lock(event)
            for field in ("status", "sequence", "published_at", "cancelled_at"):
                setattr(event, field, getattr(current, field))
            changed.discard("status")
            # The form counted the seats without the lock; count again now that we hold it.
            confirmed = _confirmed_count(event) if event.capacity is not None else 0
            if event.capacity is not None and event.capacity < confirmed:
                raise CapacityBelowConfirmed(
                    _("%(count)d people have a confirmed seat, so the capacity cannot be lower than that.")
                    % {"count": confirmed}
                )
            record_changes(event, changed, now=now)
            event.save()
        if themes is not None:
            event.themes.set(themes)
        if created:
            _audit(event, by, AuditEntry.Action.CREATED)
            return None
        _audit(event, by, AuditEntry.Action.EDITED, detail=", ".join(sorted(changed))[:300])
        if {"capacity", "waitlist_enabled"} & changed:
            registration_services.apply_capacity(event, now=now)
        if notify and changed & MOVE_FIELDS and event.status == Event.Status.PUBLISHED:
            return registration_services.start_mailing(
                event, by=by, kind=Mailing.Kind.EVENT_CHANGED, audience=Mailing.Audience.ALL, body=note
            )
    return None


#: Changes to a meeting place that calendars show (LOCATION) for the events held there.
PLACE_CALENDAR_FIELDS = {"name", "street_address", "postal_code", "city", "is_digital"}


def save_place(place, changed_fields, *, now=None):
    """Save a meeting place; coming events there get a new SEQUENCE when their calendar
    location changed, so that subscribed calendars pick up the new address."""
    with transaction.atomic():
        place.save()
        if set(changed_fields) & PLACE_CALENDAR_FIELDS:
            Event.objects.filter(place=place, end__gt=now or timezone.now()).exclude(status=Event.Status.DRAFT).update(
                sequence=F("sequence") + 1
            )
            bump_catalogue_version()
    return place


def publish(event, *, by, now=None):
    """Publish a draft. An event that has already ended cannot be published."""
    from registrations.models import AuditEntry

    now = now or timezone.now()
    with transaction.atomic():
        event = _lock(event)
        if event.status == Event.Status.PUBLISHED:
            return event
        if event.status == Event.Status.CANCELLED:
            raise EventRuleError(_("A cancelled event cannot be published again. Duplicate it instead."))
        if event.end <= now:
            raise EventRuleError(_("The event has already ended, so it cannot be published."))
        event.status = Event.Status.PUBLISHED
        record_changes(event, {"status"}, now=now)
        event.save()
        _audit(event, by, AuditEntry.Action.PUBLISHED)
    return event


def unpublish(event, *, by, now=None):
    """Return a published event to draft; only while nobody is registered."""
    from registrations.models import AuditEntry

    with transaction.atomic():
        event = _lock(event)
        if event.status != Event.Status.PUBLISHED:
            raise EventRuleError(_("Only a published event can be returned to draft."))
        if active_registration_count(event):
            raise EventRuleError(
                _("People are registered for this event, so it cannot return to draft. Cancel it instead.")
            )
        event.status = Event.Status.DRAFT
        record_changes(event, {"status"}, now=now)
        event.save()
        _audit(event, by, AuditEntry.Action.UNPUBLISHED)
    return event


def cancel_event(event, *, by, notify=True, message="", now=None):
    """Cancel an event. With ``notify``, everyone registered gets an e-mail (with a calendar
    cancellation for those who had a seat). Returns the mailing, if any."""
    from registrations import services as registration_services
    from registrations.models import AuditEntry, Mailing

    with transaction.atomic():
        event = _lock(event)
        if event.status == Event.Status.CANCELLED:
            raise EventRuleError(_("The event is already cancelled."))
        if event.status == Event.Status.DRAFT:
            raise EventRuleError(_("A draft has not been published; there is nothing to cancel."))
        if event.end <= (now or timezone.now()):
            raise EventRuleError(_("The event is over, so it can no longer be cancelled."))
        event.status = Event.Status.CANCELLED
        record_changes(event, {"status"}, now=now)
        event.save()
        _audit(event, by, AuditEntry.Action.EVENT_CANCELLED)
        # Nobody attends, so dietary and accessibility needs have no purpose left.
        from registrations.privacy import erase_sensitive

        erase_sensitive(event.registrations.all(), now=now)
        if notify and active_registration_count(event):
            return registration_services.start_mailing(
                event, by=by, kind=Mailing.Kind.EVENT_CANCELLED, audience=Mailing.Audience.ALL, body=message
            )
    return None


def duplicate(event, *, by, start):
    """A new draft like ``event``, starting at ``start``: the next occurrence of a series.

    The end and the registration window move by the same amount; themes and the event's
    questions are copied; registrations are not.
    """
    from registrations.models import AuditEntry

    shift = start - event.start
    copy = Event(**{field: getattr(event, field) for field in COPIED_FIELDS})
    copy.start = start
    copy.end = event.end + shift
    copy.registration_opens = event.registration_opens + shift if event.registration_opens else None
    copy.registration_closes = event.registration_closes + shift if event.registration_closes else None
    copy.status = Event.Status.DRAFT
    with transaction.atomic():
        _save_with_unique_slug(copy)
        copy.themes.set(event.themes.all())
        for question in event.questions.all():
            question.pk = None
            question.event = copy
            question.save()
        _audit(copy, by, AuditEntry.Action.CREATED, detail=f"#{event.pk}")
    return copy


def next_occurrence(event, *, weeks=1):
    """A sensible default start for a duplicate: the same weekday and time, a week after."""
    try:
        return event.start + datetime.timedelta(weeks=weeks)
    except OverflowError:
        return event.start
