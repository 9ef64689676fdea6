"""Small builders with realistic Swedish defaults. Override any field by keyword."""

import datetime
import itertools
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from events.models import Event, MeetingPlace, Organiser, OrganiserMembership, Theme
from registrations.models import Registration

STOCKHOLM = ZoneInfo("Europe/Stockholm")
#: The tests' "now": a Thursday in late autumn, wall clock in Stockholm.
NOW = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=STOCKHOLM)

_counter = itertools.count(1)


def at(days=0, hour=9, minute=0, *, base=NOW):
    """A Stockholm wall-clock time ``days`` after the tests' "now"."""
    day = (base + datetime.timedelta(days=days)).date()
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=STOCKHOLM)


def make_user(**overrides):
    number = next(_counter)
    fields = {"email": f"person{number}@example.org", "first_name": "Anna", "last_name": "Åberg"}
    fields.update(overrides)
    password = fields.pop("password", "korrekt-hast-batteri")
    return get_user_model().objects.create_user(password=password, **fields)


def make_theme(**overrides):
    number = next(_counter)
    fields = {"name": f"Cirkulär ekonomi {number}", "name_en": f"Circular economy {number}", "slug": f"tema-{number}"}
    fields.update(overrides)
    return Theme.objects.create(**fields)


def make_place(**overrides):
    number = next(_counter)
    fields = {
        "name": f"Innovatum {number}",
        "slug": f"innovatum-{number}",
        "street_address": "Nohabgatan 18",
        "postal_code": "461 53",
        "city": "Trollhättan",
        "municipality": "trollhattan",
        "latitude": "58.282700",
        "longitude": "12.282000",
    }
    fields.update(overrides)
    return MeetingPlace.objects.create(**fields)


def make_digital_place(**overrides):
    number = next(_counter)
    fields = {"name": "Digitalt möte", "slug": f"digitalt-{number}", "is_digital": True}
    fields.update(overrides)
    return MeetingPlace.objects.create(**fields)


def make_organiser(members=(), **overrides):
    number = next(_counter)
    fields = {"name": f"Regional utveckling {number}", "slug": f"regional-utveckling-{number}"}
    fields.update(overrides)
    organiser = Organiser.objects.create(**fields)
    for user in members:
        OrganiserMembership.objects.create(organiser=organiser, user=user)
    return organiser


def make_event(themes=(), **overrides):
    number = next(_counter)
    start = overrides.pop("start", at(days=7, hour=9))
    fields = {
        "title": f"Workshop om återbruk {number}",
        "slug": f"workshop-om-aterbruk-{number}",
        "summary": "Vi delar erfarenheter av återbruk i byggsektorn.",
        "description": "Ett halvdagsmöte för företag, kommuner och forskare.",
        "status": Event.Status.PUBLISHED,
        "published_at": NOW - datetime.timedelta(days=30),
        "capacity": 30,
        "start": start,
        "end": start + datetime.timedelta(hours=3),
    }
    fields.update(overrides)
    if "organiser" not in fields:
        fields["organiser"] = make_organiser()
    if "place" not in fields:
        fields["place"] = make_place()
    event = Event.objects.create(**fields)
    if themes:
        event.themes.set(themes)
    return event


def make_registration(event, user=None, **overrides):
    fields = {"status": Registration.Status.CONFIRMED, "consent_at": NOW}
    fields.update(overrides)
    if fields["status"] == Registration.Status.WAITLISTED:
        fields.setdefault("waitlist_position", 1)
    return Registration.objects.create(event=event, user=user or make_user(), **fields)
