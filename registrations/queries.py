"""Read side of registrations: what the participant's pages need, in fixed numbers of queries."""

import bisect

from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from registrations.models import AuditEntry, Registration


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


# The organiser's attendee list (also used by the exports, with the same filters).

#: The attendee list's ``status`` filter: value -> condition. No status means everyone not cancelled.
ATTENDEE_STATUSES = {
    "all": Q(),
    "confirmed": Q(status=Registration.Status.CONFIRMED),
    "not_checked_in": Q(status=Registration.Status.CONFIRMED, checked_in_at__isnull=True),
    "checked_in": Q(status=Registration.Status.CONFIRMED, checked_in_at__isnull=False),
    "waitlisted": Q(status=Registration.Status.WAITLISTED),
    "cancelled": Q(status=Registration.Status.CANCELLED),
}


def _search_variants(word):
    # SQLite's LIKE folds the case of ASCII letters only, so "åberg" would miss "Åberg":
    # also try the word as typed in lower case, upper case and capitalised.
    return sorted({word, word.lower(), word.upper(), word.capitalize()})


def search_registrations(registrations, query):
    """Registrations whose person matches every word of ``query`` in name, e-mail or organisation."""
    for word in query.split():
        condition = Q()
        for variant in _search_variants(word):
            condition |= (
                Q(user__first_name__icontains=variant)
                | Q(user__last_name__icontains=variant)
                | Q(user__email__icontains=variant)
                | Q(organisation__icontains=variant)
            )
        registrations = registrations.filter(condition)
    return registrations


def attendee_list(event, filters=None):
    """The event's registrations for the organiser, filtered by the cleaned ``AttendeeFilterForm``.

    ``filters`` may hold ``q`` (words matched against name, e-mail and organisation) and
    ``status`` (a key of ``ATTENDEE_STATUSES``; without it, everyone not cancelled). Each row
    has its ``user``. Ordered stably: confirmed, then
    the waiting list in queue order, then cancelled; by name within each, then by id.

    Ranks on the waiting list are added by ``add_waitlist_ranks`` for the rows shown.
    """
    filters = filters or {}
    registrations = Registration.objects.filter(event=event)
    status = filters.get("status")
    registrations = registrations.filter(ATTENDEE_STATUSES[status]) if status else registrations.active()
    if query := filters.get("q"):
        registrations = search_registrations(registrations, query)
    status_order = Case(
        When(status=Registration.Status.CONFIRMED, then=Value(0)),
        When(status=Registration.Status.WAITLISTED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    registrations = registrations.select_related("user").order_by(
        status_order, "waitlist_position", "user__last_name", "user__first_name", "pk"
    )
    return registrations


def add_waitlist_ranks(registrations):
    """Set ``rank`` on each of these registrations (a page of one event's
    ``attendee_list``): the place in the queue on the waiting list, else None.

    One query whenever there are rows, whatever their statuses (so that a page runs the same
    queries whatever it shows): the queue numbers up to the last one on the page, counted here
    instead of a subquery per row, which costs more to build than to run.
    """
    registrations = list(registrations)
    if not registrations:
        return registrations
    waiting = [r.waitlist_position for r in registrations if r.status == Registration.Status.WAITLISTED]
    queue = list(
        Registration.objects.filter(
            event_id=registrations[0].event_id,
            status=Registration.Status.WAITLISTED,
            waitlist_position__lte=max(waiting, default=0),
        )
        .order_by("waitlist_position")
        .values_list("waitlist_position", flat=True)
    )
    for registration in registrations:
        registration.rank = (
            bisect.bisect_right(queue, registration.waitlist_position)
            if registration.status == Registration.Status.WAITLISTED
            else None
        )
    return registrations


def attendance_counts(event):
    """The event's figures at a glance, in one query: a dict of confirmed, waitlisted,
    cancelled, checked_in, plus capacity, seats_left (None when unlimited) and is_full."""
    # Grouped by status (a simpler query to build than four filtered counts): per status, how
    # many, and how many of them checked in (COUNT of a column skips NULLs).
    by_status = {
        status: (total, checked_in)
        for status, total, checked_in in Registration.objects.filter(event=event)
        .order_by()
        .values_list("status")
        .annotate(total=Count("pk"), checked_in=Count("checked_in_at"))
    }
    confirmed, confirmed_checked_in = by_status.get(Registration.Status.CONFIRMED, (0, 0))
    counts = {
        "confirmed": confirmed,
        "waitlisted": by_status.get(Registration.Status.WAITLISTED, (0, 0))[0],
        "cancelled": by_status.get(Registration.Status.CANCELLED, (0, 0))[0],
        "checked_in": confirmed_checked_in,
    }
    capacity = event.capacity
    counts["capacity"] = capacity
    counts["seats_left"] = None if capacity is None else max(capacity - counts["confirmed"], 0)
    counts["is_full"] = capacity is not None and counts["confirmed"] >= capacity
    return counts


def audit_log(event):
    """The event's audit log, newest first, with who did it and to whom."""
    return (
        AuditEntry.objects.filter(event=event)
        .select_related("actor", "registration__user")
        .order_by("-created_at", "-pk")
    )
