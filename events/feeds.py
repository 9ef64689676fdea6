"""What goes into the calendar feeds, and how a feed is built and served.

A feed holds published events from some weeks back onwards, plus recently cancelled ones
with STATUS:CANCELLED, so that subscribed calendars learn of the cancellation.
"""

import datetime
import gzip
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, urlencode

from events.cache import catalogue_version
from events.calendar import assemble, new_calendar, vevent_lines
from events.models import Event, Theme
from events.queries import filter_events

PAST_WINDOW = datetime.timedelta(weeks=4)
FILTER_PARAMS = {"q", "theme", "place", "municipality", "format", "access", "from", "to"}
CANCELLED_KEPT = datetime.timedelta(days=30)
REFRESH_HOURS = 1
EMPTY_FEED_MODIFIED = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
# Calendar clients poll; let them (and proxies, for public feeds) reuse a copy for a while.
MAX_AGE = 15 * 60


def feed_events(filters=None, *, now=None):
    """Events for a public feed: published ones, and ones cancelled within the last 30 days."""
    now = now or timezone.now()
    events = Event.objects.filter(
        Q(status=Event.Status.PUBLISHED) | Q(status=Event.Status.CANCELLED, cancelled_at__gte=now - CANCELLED_KEPT),
        end__gte=now - PAST_WINDOW,
    )
    events = filter_events(events, filters or {})
    return (
        events.select_related("place", "organiser")
        .prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("name")))
        .order_by("start", "pk")
    )


def event_items(events):
    """(VEVENT lines, time of last change) for each event of a public feed."""
    for event in events:
        yield vevent_lines(event), max(filter(None, [event.updated_at, event.cancelled_at]))


def build(items, *, name, description):
    """The feed body and its Last-Modified time from (VEVENT lines, changed at) pairs."""
    calendar = new_calendar("PUBLISH", name=name, description=description, refresh_hours=REFRESH_HOURS)
    blocks, last_modified = [], EMPTY_FEED_MODIFIED
    for lines, changed in items:
        blocks.append(lines)
        last_modified = max(last_modified, changed)
    return assemble(calendar, blocks), last_modified


def serve(request, key_parts, make, *, private=False):
    """Serve a feed with ETag and Last-Modified, from the cache when it is current.

    ``make()`` returns (body, last_modified); it runs only when the cache has no copy for
    the current catalogue version. The body is also kept gzipped, for the clients that
    accept it (feeds compress about tenfold). The validators are cached on their own, so a
    conditional request is answered 304 without reading the body from the cache.
    """
    raw = "|".join(str(part) for part in key_parts)
    key = f"feed:{catalogue_version()}:{hashlib.sha256(raw.encode()).hexdigest()}"
    use_gzip = _accepts_gzip(request)
    validators = cache.get(f"{key}:validators")
    content = None
    if validators is None:
        validators, content = _build_and_store(key, make, use_gzip)
    digest, last_modified_ts = validators
    # Each representation has its own strong ETag (RFC 9110, 8.8.3).
    etag = f'"{digest}-gzip"' if use_gzip else f'"{digest}"'
    response = get_conditional_response(request, etag=etag, last_modified=last_modified_ts)
    if response is None:
        content = content or cache.get(f"{key}:{'gzip' if use_gzip else 'body'}")
        if content is None:  # evicted meanwhile
            _validators, content = _build_and_store(key, make, use_gzip)
        response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
        if use_gzip:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified_ts)
    response["Cache-Control"] = f"{'private' if private else 'public'}, max-age={MAX_AGE}"
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def _build_and_store(key, make, use_gzip):
    body, last_modified = make()
    # mtime=0: the same body always compresses to the same bytes.
    compressed = gzip.compress(body, compresslevel=6, mtime=0)
    validators = (hashlib.sha256(body).hexdigest()[:32], int(last_modified.timestamp()))
    cache.set_many(
        {f"{key}:validators": validators, f"{key}:body": body, f"{key}:gzip": compressed},
        settings.PUBLIC_CACHE_SECONDS,
    )
    return validators, compressed if use_gzip else body


def _accepts_gzip(request):
    """Whether the client accepts gzip; "gzip;q=0" means it does not (RFC 9110, 12.5.3)."""
    for coding in request.headers.get("Accept-Encoding", "").split(","):
        name, *parameters = (part.strip().lower() for part in coding.split(";"))
        if name in ("gzip", "x-gzip"):
            quality = next((p[2:] for p in parameters if p.startswith("q=")), "1")
            try:
                return float(quality) > 0
            except ValueError:
                return False
    return False


def serve_events(request, key_parts, filters, *, name, description):
    """Serve the public feed of the events that match ``filters``."""

    def make():
        return build(event_items(feed_events(filters)), name=name, description=description)

    return serve(request, key_parts, make)


def subscription_links(path, query=""):
    """Addresses for subscribing to a feed: https, webcal:// (Apple, Outlook) and Google's add-by-URL."""
    url = settings.SITE_URL + path + (f"?{query}" if query else "")
    webcal = "webcal://" + url.split("://", 1)[1]
    return {
        "url": url,
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/r?" + urlencode({"cid": webcal}),
    }


def google_calendar_url(event):
    """Google Calendar's "add this event" address (a copy; it does not follow changes)."""
    fmt = "%Y%m%dT%H%M%SZ"
    dates = f"{event.start.astimezone(datetime.UTC):{fmt}}/{event.end.astimezone(datetime.UTC):{fmt}}"
    details = f"{event.summary}\n\n{settings.SITE_URL}{event.get_absolute_url()}"
    location = event.place.name if event.place.is_digital else f"{event.place.name}, {event.place.address_line}"
    query = urlencode(
        {"action": "TEMPLATE", "text": event.title, "dates": dates, "details": details, "location": location}
    )
    return f"https://calendar.google.com/calendar/render?{query}"


def shaping_query(request):
    """The query parameters that change a feed, in a fixed order, for its cache key.

    Made-up parameters change nothing, so they must not create new cache entries.
    """
    return sorted((key, value) for key, values in request.GET.lists() if key in FILTER_PARAMS for value in values)
