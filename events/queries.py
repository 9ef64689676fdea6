"""Read side of the catalogue: the querysets that the public pages need.

Every join lives here, so that templates never trigger a query.
"""

import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from events.models import Event, MeetingPlace, Theme


def with_seat_counts(events):
    """Annotate ``confirmed_count`` and ``waitlisted_count``: for single events and small sets."""
    from registrations.models import Registration

    return events.annotate(
        confirmed_count=Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)),
        waitlisted_count=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)),
    )


def attach_seat_counts(events):
    """Set ``confirmed_count`` and ``waitlisted_count`` on a page of events with one query.

    Counting in a separate query keeps the GROUP BY off the list and paginator queries,
    which would otherwise count registrations for every matching event, not just the page.
    """
    from registrations.models import Registration

    events = list(events)
    counts = {
        row["event_id"]: row
        for row in Registration.objects.filter(event__in=[event.pk for event in events])
        .values("event_id")
        .annotate(
            confirmed=Count("pk", filter=Q(status=Registration.Status.CONFIRMED)),
            waitlisted=Count("pk", filter=Q(status=Registration.Status.WAITLISTED)),
        )
        .order_by()
    }
    for event in events:
        row = counts.get(event.pk, {})
        event.confirmed_count = row.get("confirmed", 0)
        event.waitlisted_count = row.get("waitlisted", 0)
    return events


def _for_display(events):
    """Events with the place, organiser and themes that an event card shows."""
    return events.select_related("place", "organiser").prefetch_related(
        Prefetch("themes", queryset=Theme.objects.order_by("name"))
    )


def _local_midnight(date):
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time.min))


def filter_events(events, filters):
    """Apply the cleaned filters of ``EventFilterForm`` to an event queryset."""
    if query := filters.get("q"):
        for word in query.lower().split():
            events = events.filter(search_text__contains=word)
    if theme := filters.get("theme"):
        events = events.filter(Exists(Theme.events.through.objects.filter(event=OuterRef("pk"), theme__slug=theme)))
    if place := filters.get("place"):
        events = events.filter(place__slug=place)
    if municipality := filters.get("municipality"):
        events = events.filter(place__municipality=municipality)
    if event_format := filters.get("format"):
        events = events.filter(format=event_format)
    for feature in filters.get("access", ()):
        events = events.filter(**{f"place__{feature}": True})
    if start := filters.get("from_date"):
        # Everything still going on from that day: a conference that began earlier counts.
        events = events.filter(end__gt=_local_midnight(start))
    if end := filters.get("to_date"):
        events = events.filter(start__lt=_local_midnight(end + datetime.timedelta(days=1)))
    return events


def upcoming_events(filters=None, *, now=None):
    """Published events that have not ended, soonest first, filtered."""
    events = Event.objects.published().upcoming(now)
    return _for_display(filter_events(events, filters or {})).order_by("start", "pk")


def filter_choices():
    """Themes and meeting places for the filter form, as two small lists."""
    themes = sorted(Theme.objects.only("name", "name_en", "slug"), key=lambda theme: theme.display_name)
    places = list(MeetingPlace.objects.only("name", "slug"))
    return themes, places


def event_page(slug):
    """A public event (published or cancelled) by slug, or 404. Drafts are never public."""
    return get_object_or_404(with_seat_counts(_for_display(Event.objects.public())), slug=slug)


def place_page(slug, *, now=None):
    """A meeting place, or 404, and a queryset of its upcoming published events."""
    place = get_object_or_404(MeetingPlace, slug=slug)
    return place, upcoming_events({"place": place.slug}, now=now)


def place_list():
    """All meeting places with the number of upcoming published events at each."""
    upcoming = Q(events__status=Event.Status.PUBLISHED, events__end__gt=timezone.now())
    return MeetingPlace.objects.annotate(upcoming_count=Count("events", filter=upcoming)).order_by("is_digital", "name")
