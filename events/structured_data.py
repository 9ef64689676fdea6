"""schema.org ``Event`` markup so that search engines can list public events."""

import json

from django.conf import settings
from django.utils.html import _json_script_escapes
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime

from events.models import Event

_STATUS = {
    Event.Status.PUBLISHED: "https://schema.org/EventScheduled",
    Event.Status.CANCELLED: "https://schema.org/EventCancelled",
}
_ATTENDANCE = {
    Event.Format.ON_SITE: "https://schema.org/OfflineEventAttendanceMode",
    Event.Format.ONLINE: "https://schema.org/OnlineEventAttendanceMode",
    Event.Format.HYBRID: "https://schema.org/MixedEventAttendanceMode",
}


def _physical_location(place):
    location = {
        "@type": "Place",
        "name": place.name,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": place.street_address,
            "postalCode": place.postal_code,
            "addressLocality": place.city,
            "addressRegion": "Västra Götalands län",
            "addressCountry": "SE",
        },
    }
    if place.has_coordinates:
        location["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(place.latitude),
            "longitude": float(place.longitude),
        }
    return location


def event_json_ld(event):
    """The JSON-LD for an event page, as markup safe to place inside a script element."""
    url = settings.SITE_URL + event.get_absolute_url()
    locations = []
    if event.format != Event.Format.ONLINE and not event.place.is_digital:
        locations.append(_physical_location(event.place))
    if event.is_online:
        # The meeting link itself is for confirmed participants only.
        locations.append({"@type": "VirtualLocation", "url": url})
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": event.summary,
        "startDate": localtime(event.start).isoformat(),
        "endDate": localtime(event.end).isoformat(),
        "eventStatus": _STATUS.get(event.status, _STATUS[Event.Status.PUBLISHED]),
        "eventAttendanceMode": _ATTENDANCE[event.format],
        "location": locations[0] if len(locations) == 1 else locations,
        "organizer": {"@type": "Organization", "name": event.organiser.name},
        "url": url,
        "inLanguage": "sv",
        "isAccessibleForFree": True,
    }
    if event.capacity is not None:
        data["maximumAttendeeCapacity"] = event.capacity
        data["remainingAttendeeCapacity"] = event.seats_left
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_json_script_escapes))
