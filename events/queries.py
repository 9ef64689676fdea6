"""Read side of the catalogue: the querysets that the public pages need.

Every join lives here, so that templates never trigger a query.
"""

import collections
import dataclasses
import datetime

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.db.models.functions import TruncDate
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
    """Events with the place, organiser and themes that the event page shows."""
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


# The fields that templates/events/includes/event_card.html shows: a field missing here would
# cost one query per card (the query budget tests catch it).
CARD_FIELDS = (
    *("slug", "title", "summary", "start", "end", "status", "format", "capacity", "waitlist_enabled"),
    *("place__name", "place__is_digital", "place__municipality"),
)


def upcoming_events(filters=None, *, now=None):
    """Published events that have not ended, soonest first, filtered, with what an event card
    shows (``CARD_FIELDS``) and its themes by name as the list ``theme_list``.

    A plain list is much cheaper than a prefetched ``themes`` manager, which builds a queryset
    for every event, and the fields left out (long texts, coordinates) cost time to convert.
    """
    events = filter_events(Event.objects.published().upcoming(now), filters or {})
    themes = Prefetch("themes", queryset=Theme.objects.order_by("name"), to_attr="theme_list")
    return events.select_related("place").only(*CARD_FIELDS).prefetch_related(themes).order_by("start", "pk")


def filter_choices():
    """Themes and meeting places for the filter form: themes, and places as (slug, name) pairs."""
    themes = sorted(Theme.objects.only("name", "name_en", "slug"), key=lambda theme: theme.display_name)
    places = list(MeetingPlace.objects.values_list("slug", "name"))
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


# The organiser workspace.

DASHBOARD_PER_PAGE = 20
CHART_DAYS = 30


@dataclasses.dataclass
class Dashboard:
    teams: list
    upcoming: object  # a Page of upcoming events, soonest first
    drafts: object  # a Page of drafts
    past: object  # a Page of past events, most recent first

    @property
    def several_teams(self):
        return len(self.teams) > 1


def workspace_events(user):
    """The user's teams' events with their seat, waiting-list and check-in counts."""
    from events.permissions import events_for
    from registrations.models import Registration

    confirmed = Q(registrations__status=Registration.Status.CONFIRMED)
    return events_for(user, Event.objects.select_related("organiser", "place")).annotate(
        confirmed_count=Count("registrations", filter=confirmed),
        waitlisted_count=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)),
        checked_in_count=Count("registrations", filter=confirmed & Q(registrations__checked_in_at__isnull=False)),
    )


def team_dashboard(user, *, pages=None, now=None):
    """The organiser's dashboard: a page each of upcoming events, drafts and past events
    (``pages`` maps "upcoming", "drafts" and "past" to the page numbers asked for).

    A fixed number of queries whatever the number of events: counts are annotated and the
    registrations per day of every listed event come from one grouped query.
    """
    from events.permissions import teams_for

    now = now or timezone.now()
    events = workspace_events(user)
    not_draft = ~Q(status=Event.Status.DRAFT)
    pages = pages or {}

    def page(name, queryset):
        return Paginator(queryset, DASHBOARD_PER_PAGE).get_page(pages.get(name))

    upcoming = page("upcoming", events.filter(not_draft, end__gt=now).order_by("start", "pk"))
    drafts = page("drafts", events.filter(status=Event.Status.DRAFT).order_by("start", "pk"))
    past = page("past", events.filter(not_draft, end__lte=now).order_by("-start", "-pk"))
    attach_registration_series([*upcoming.object_list, *past.object_list], now=now)
    return Dashboard(teams=list(teams_for(user)), upcoming=upcoming, drafts=drafts, past=past)


def attach_registration_series(events, *, now=None):
    """Set ``registration_series`` on each event: cumulative registrations per Stockholm day over
    the last 30 days (up to the event's end) or since publication, whichever is shorter. One query."""
    from events.charts import registration_series
    from registrations.models import Registration

    events = list(events)
    tz = timezone.get_default_timezone()
    rows = (
        Registration.objects.active()
        .filter(event_id__in=[event.pk for event in events])
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("event_id", "day")
        .annotate(count=Count("pk"))
        .order_by()
    )
    daily = collections.defaultdict(dict)
    for row in rows:
        daily[row["event_id"]][row["day"]] = row["count"]
    today = timezone.localdate(now or timezone.now(), tz)
    for event in events:
        last = min(today, timezone.localdate(event.end, tz))
        first = last - datetime.timedelta(days=CHART_DAYS - 1)
        if event.published_at:
            first = max(first, timezone.localdate(event.published_at, tz))
        event.registration_series = registration_series(daily[event.pk], first=first, last=last)
    return events


def workspace_places(query=""):
    """Meeting places for the workspace list, searched by name, town or street."""
    places = MeetingPlace.objects.order_by("is_digital", "name")
    for word in query.split():
        places = places.filter(Q(name__icontains=word) | Q(city__icontains=word) | Q(street_address__icontains=word))
    return places
