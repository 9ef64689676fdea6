"""iCalendar (RFC 5545) for events, built with the icalendar library.

Every event has one UID for ever, so that calendar clients recognise it in feeds,
downloads and e-mailed invitations alike, and a SEQUENCE that grows with changes.
"""

import datetime
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone

PRODID = "-//Västra Götalandsregionen//Mötesplatser//SV"


def event_uid(event):
    return f"event-{event.pk}@{urlsplit(settings.SITE_URL).hostname or 'motesplatser'}"


def new_calendar(method=None):
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    return calendar


def event_component(event, *, sequence=None, status=None):
    """A VEVENT for ``event``: times in Europe/Stockholm, place, link, organiser."""
    component = icalendar.Event()
    component.add("uid", event_uid(event))
    component.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    component.add("dtstart", timezone.localtime(event.start))
    component.add("dtend", timezone.localtime(event.end))
    component.add("created", event.created_at.astimezone(datetime.UTC))
    component.add("last-modified", event.updated_at.astimezone(datetime.UTC))
    component.add("sequence", event.sequence if sequence is None else sequence)
    component.add("summary", event.title)
    url = settings.SITE_URL + event.get_absolute_url()
    component.add("description", f"{event.summary}\n\n{url}")
    component.add("url", url)
    place = event.place
    component.add(
        "location", place.name if place.is_digital else ", ".join(filter(None, [place.name, place.address_line]))
    )
    if place.has_coordinates:
        component.add("geo", (float(place.latitude), float(place.longitude)))
    component.add("status", status or ("CANCELLED" if event.is_cancelled else "CONFIRMED"))
    organiser = icalendar.vCalAddress(f"mailto:{event.organiser.email or settings.DEFAULT_FROM_ADDRESS}")
    organiser.params["cn"] = icalendar.vText(event.organiser.name)
    component.add("organizer", organiser)
    return component


def to_ics(calendar):
    calendar.add_missing_timezones()
    return calendar.to_ical()
