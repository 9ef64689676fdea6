"""A small catalogue for browser tests: enough events for two pages, two languages of themes,
places with different accessibility, a digital place, a full event and a cancelled one."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from events.models import Event
from tests.factories import make_digital_place, make_event, make_organiser, make_place, make_registration, make_theme


@dataclass
class Catalogue:
    climate: object
    circular: object
    innovatum: object
    vara: object
    digital: object
    first_event: object
    full_event: object
    cancelled_event: object


def build():
    now = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    climate = make_theme(name="Klimat och energi", name_en="Climate and energy", slug="klimat-och-energi")
    circular = make_theme(name="Cirkulär ekonomi", name_en="Circular economy", slug="cirkular-ekonomi")
    innovatum = make_place(
        name="Innovatum",
        slug="innovatum",
        municipality="trollhattan",
        city="Trollhättan",
        step_free_access=True,
        hearing_loop=True,
        public_transport_stop="Trollhättan Innovatum",
    )
    vara = make_place(
        name="Vara Konserthus",
        slug="vara-konserthus",
        municipality="vara",
        city="Vara",
        street_address="Allégatan 1",
        postal_code="534 31",
        latitude="58.261000",
        longitude="12.956000",
    )
    digital = make_digital_place(slug="digitalt")
    organiser = make_organiser(name="Innovationsplattformen", slug="innovationsplattformen")
    first = make_event(
        title="Frukostseminarium om vätgas",
        slug="frukostseminarium-om-vatgas",
        themes=[climate],
        place=innovatum,
        organiser=organiser,
        start=now + datetime.timedelta(days=1),
    )
    for day in range(2, 24):
        make_event(
            title=f"Workshop om återbruk {day}",
            slug=f"workshop-om-aterbruk-{day}",
            themes=[circular],
            place=vara,
            organiser=organiser,
            start=now + datetime.timedelta(days=day),
        )
    full = make_event(
        title="Webbinarium om laddinfrastruktur",
        slug="webbinarium-om-laddinfrastruktur",
        themes=[climate],
        place=digital,
        organiser=organiser,
        format=Event.Format.ONLINE,
        capacity=1,
        online_url="https://meet.example.org/hemlig",
        start=now + datetime.timedelta(days=3, hours=5),
    )
    make_registration(full)
    cancelled = make_event(
        title="Inställd nätverksträff",
        slug="installd-natverkstraff",
        status=Event.Status.CANCELLED,
        place=vara,
        organiser=organiser,
        start=now + datetime.timedelta(days=4),
    )
    return Catalogue(climate, circular, innovatum, vara, digital, first, full, cancelled)
