"""State changes of events that have rules. The organiser workspace builds on these."""

from django.utils import timezone

from events.models import Event

#: Changes that calendar clients must see: they raise the event's SEQUENCE (RFC 5545).
CALENDAR_FIELDS = {"title", "start", "end", "place", "status", "format", "summary"}


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
