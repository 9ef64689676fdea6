"""Public catalogue pages: the event list, event pages and meeting places."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url

from events import queries
from events.cache import cache_public_page
from events.feeds import google_calendar_url, subscription_links
from events.forms import EventFilterForm
from events.permissions import events_for
from events.structured_data import event_json_ld
from portal.htmx import url_without_empty_params, wants_fragment
from registrations.queries import registration_for


def _page(request, queryset, per_page=None):
    """The requested page; a malformed or too large page number gives the nearest page."""
    return Paginator(queryset, per_page or settings.EVENTS_PER_PAGE).get_page(request.GET.get("page"))


def _feed_query(request):
    """The list's filters as the feed's query: a saved search becomes a subscription."""
    params = [(key, value) for key, values in request.GET.lists() if key != "page" for value in values if value]
    return urlencode(params)


@require_safe
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
@cache_public_page
def event_list(request):
    themes, places = queries.filter_choices()
    form = EventFilterForm(request.GET, themes=themes, places=places)
    page = _page(request, queries.upcoming_events(form.filters))
    context = {
        "form": form,
        "page": page,
        "events": queries.attach_seat_counts(page.object_list),
        "links": subscription_links(reverse("feed_all"), _feed_query(request)),
        "nav": "events",
    }
    if wants_fragment(request):
        response = render(request, "events/event_list.html#results", {**context, "fragment": True})
        # A tidy address bar: htmx would push every empty field of the form.
        return push_url(response, url_without_empty_params(request))
    return render(request, "events/event_list.html", context)


@require_safe
@cache_public_page
def event_detail(request, slug):
    event = queries.event_page(slug)
    context = {
        "event": event,
        "json_ld": event_json_ld(event),
        "registration": registration_for(request.user, event),
        "google_calendar_url": google_calendar_url(event),
        "nav": "events",
        # The event's own team gets a way into the workspace (signed-in pages are not cached).
        "can_manage": request.user.is_authenticated and events_for(request.user).filter(pk=event.pk).exists(),
    }
    return render(request, "events/event_detail.html", context)


@require_safe
@cache_public_page
def place_list(request):
    return render(request, "events/place_list.html", {"places": queries.place_list(), "nav": "places"})


@require_safe
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
@cache_public_page
def place_detail(request, slug):
    place, events = queries.place_page(slug)
    page = _page(request, events)
    fragment = wants_fragment(request)
    template = "events/place_detail.html#results" if fragment else "events/place_detail.html"
    events = queries.attach_seat_counts(page.object_list)
    context = {
        "place": place,
        "page": page,
        "events": events,
        "links": subscription_links(reverse("feed_place", kwargs={"slug": place.slug})),
        "nav": "places",
        "fragment": fragment,
    }
    return render(request, template, context)
