"""Calendar files. The subscribable feeds (with conditional GET and caching) build on these."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from events.calendar import event_component, new_calendar, to_ics
from events.models import Event


@require_safe
def event_ics(request, slug):
    """One public event as an .ics file to download (a one-off copy, not a subscription)."""
    event = get_object_or_404(Event.objects.public().select_related("place", "organiser"), slug=slug)
    calendar = new_calendar("PUBLISH")
    calendar.add_component(event_component(event))
    response = HttpResponse(to_ics(calendar), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response
