"""Read side of registrations: what the participant's pages need, in fixed numbers of queries."""

from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from registrations.models import Registration


def _rank_subquery():
    """A waitlisted registration's place in the queue: 1 + those waiting ahead of it."""
    ahead = (
        Registration.objects.filter(
            event=OuterRef("event"),
            status=Registration.Status.WAITLISTED,
            waitlist_position__lt=OuterRef("waitlist_position"),
        )
        .order_by()
        .values("event")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(ahead), Value(0)) + 1


def waitlist_rank(registration):
    """The visible waiting-list position of a waitlisted registration (1 is next in line)."""
    return (
        Registration.objects.filter(
            event_id=registration.event_id,
            status=Registration.Status.WAITLISTED,
            waitlist_position__lt=registration.waitlist_position,
        ).count()
        + 1
    )


def my_registrations(user, *, now=None):
    """The user's registrations: (upcoming, past), each with event, place and queue rank."""
    now = now or timezone.now()
    registrations = (
        Registration.objects.filter(user=user)
        .select_related("event__place", "event__organiser")
        .annotate(rank=_rank_subquery())
        .order_by("event__start", "pk")
    )
    upcoming = [r for r in registrations if r.event.end > now]
    past = [r for r in registrations if r.event.end <= now]
    past.reverse()
    return upcoming, past


def registration_for(user, event):
    """The user's registration for an event (any status) with its queue rank, or None."""
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(user=user, event=event).annotate(rank=_rank_subquery()).first()
