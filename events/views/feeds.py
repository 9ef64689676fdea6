"""Calendar files and the subscribable feeds (conditional GET, cached)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from events import feeds, queries
from events.calendar import event_component, new_calendar, to_ics
from events.forms import EventFilterForm
from events.models import Event, MeetingPlace, Theme
from portal.ratelimits import limit_feeds


@limit_feeds
@require_safe
def event_ics(request, slug):
    """One public event as an .ics file to download (a one-off copy, not a subscription)."""
    event = get_object_or_404(Event.objects.public().select_related("place", "organiser"), slug=slug)
    calendar = new_calendar("PUBLISH")
    calendar.add_component(event_component(event))
    response = HttpResponse(to_ics(calendar), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


@limit_feeds
@require_safe
def all_events(request):
    """All published events; takes the same filters as /events/ (invalid ones are ignored)."""

    def make():
        themes, places = queries.filter_choices()
        form = EventFilterForm(request.GET, themes=themes, places=places)
        return feeds.build(
            feeds.event_items(feeds.feed_events(form.filters)),
            name="Mötesplatser Västra Götaland",
            description=_("Meetings and events on sustainable regional development in Västra Götaland."),
        )

    return feeds.serve(request, ("all", feeds.shaping_query(request)), make)


@limit_feeds
@require_safe
def theme_events(request, slug):
    theme = get_object_or_404(Theme, slug=slug)
    name, description = f"Mötesplatser: {theme.name}", theme.description or theme.name
    return feeds.serve_events(request, ("theme", theme.pk), {"theme": theme.slug}, name=name, description=description)


@limit_feeds
@require_safe
def place_events(request, slug):
    place = get_object_or_404(MeetingPlace, slug=slug)
    name, description = f"Mötesplatser: {place.name}", place.address_line or place.name
    return feeds.serve_events(request, ("place", place.pk), {"place": place.slug}, name=name, description=description)
