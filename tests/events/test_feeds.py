"""Calendar feeds, parsed as real clients parse them: icalendar, vobject (CalDAV servers)
and ical.js (Thunderbird, Nextcloud). Times must agree in UTC, summer and winter alike."""

import datetime
import json
import os
import shutil
import subprocess
from pathlib import Path

import icalendar
import pytest
import vobject
from django.conf import settings
from django.utils.http import http_date

from events import services as event_services
from events.models import Event
from tests.factories import STOCKHOLM, make_digital_place, make_event, make_place, make_theme

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=STOCKHOLM)
PARSER = Path(settings.BASE_DIR) / "tests" / "js" / "parse_ical.mjs"


@pytest.fixture(autouse=True)
def _frozen(frozen_now):
    return frozen_now


def parse_with_icaljs(body):
    if not shutil.which("node") or not (Path(settings.BASE_DIR) / "node_modules" / "ical.js").exists():
        reason = "node and ical.js are needed (make test runs npm ci)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    completed = subprocess.run(
        ["node", str(PARSER)], input=body, capture_output=True, cwd=settings.BASE_DIR, timeout=60, check=True
    )
    return {event["uid"]: event for event in json.loads(completed.stdout)}


def utc(moment):
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S")


@pytest.fixture
def events():
    theme = make_theme(slug="klimat", name="Klimat och energi")
    place = make_place(name="Vara Konserthus, stora salen", street_address="Allégatan 1")
    summer = make_event(
        title="Sommarmöte: sol, vind; och vatten",
        summary="Rad ett\nRad två med åäö och komma, semikolon; klart",
        start=datetime.datetime(2027, 7, 1, 9, 0, tzinfo=STOCKHOLM),
        end=datetime.datetime(2027, 7, 1, 12, 30, tzinfo=STOCKHOLM),
        place=place,
        themes=[theme],
    )
    winter = make_event(
        title="Vintermöte om överskottsvärme " + "långt " * 20,
        start=datetime.datetime(2027, 1, 14, 8, 0, tzinfo=STOCKHOLM),
        end=datetime.datetime(2027, 1, 14, 9, 30, tzinfo=STOCKHOLM),
        themes=[theme],
    )
    night_of_change = make_event(  # spans the switch to summer time
        title="Nattseminarium",
        start=datetime.datetime(2027, 3, 27, 22, 0, tzinfo=STOCKHOLM),
        end=datetime.datetime(2027, 3, 28, 4, 0, tzinfo=STOCKHOLM),
    )
    cancelled = make_event(
        title="Inställt nyligen", status=Event.Status.CANCELLED, cancelled_at=NOW - datetime.timedelta(days=3)
    )
    make_event(
        title="Inställt för länge sedan", status=Event.Status.CANCELLED, cancelled_at=NOW - datetime.timedelta(days=40)
    )
    make_event(title="Utkast", status=Event.Status.DRAFT)
    make_event(title="Gammalt", start=NOW - datetime.timedelta(days=60))
    return {"summer": summer, "winter": winter, "night": night_of_change, "cancelled": cancelled}


def test_feed_is_valid_and_every_parser_agrees_on_the_times(client, events):
    response = client.get("/feeds/events.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content

    calendar = icalendar.Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0" and calendar["METHOD"] == "PUBLISH" and calendar["PRODID"]
    assert str(calendar["X-WR-CALNAME"]) == str(calendar["NAME"]) == "Mötesplatser Västra Götaland"
    assert calendar["REFRESH-INTERVAL"] and calendar["X-PUBLISHED-TTL"]
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert vtimezone["TZID"] == "Europe/Stockholm"

    by_uid = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    titles = {str(e["SUMMARY"]) for e in by_uid.values()}
    assert "Inställt nyligen" in titles and "Inställt för länge sedan" not in titles
    assert "Utkast" not in titles and "Gammalt" not in titles

    vobject_events = {e.uid.value: e for e in vobject.readOne(body.decode()).vevent_list}
    icaljs_events = parse_with_icaljs(body)
    for key, event in events.items():
        uid = f"event-{event.pk}@127.0.0.1"
        ours = by_uid[uid]
        assert ours["DTSTART"].params["TZID"] == "Europe/Stockholm", key
        assert utc(ours.decoded("DTSTART")) == utc(event.start), key
        assert utc(vobject_events[uid].dtstart.value) == utc(event.start), key
        assert utc(vobject_events[uid].dtend.value) == utc(event.end), key
        assert icaljs_events[uid]["start"].startswith(utc(event.start)), key
        assert icaljs_events[uid]["end"].startswith(utc(event.end)), key
        assert icaljs_events[uid]["summary"] == event.title, key
    summer = by_uid[f"event-{events['summer'].pk}@127.0.0.1"]
    assert str(summer["DESCRIPTION"]).startswith("Rad ett\nRad två med åäö och komma, semikolon; klart")
    assert icaljs_events[f"event-{events['summer'].pk}@127.0.0.1"]["description"].startswith("Rad ett\nRad två")
    assert summer["CATEGORIES"].cats == ["Klimat och energi"]
    assert "Vara Konserthus, stora salen" in str(summer["LOCATION"])
    assert summer["GEO"] and str(summer["URL"]).endswith(events["summer"].get_absolute_url())
    assert str(summer["ORGANIZER"]).startswith("mailto:")
    assert by_uid[f"event-{events['cancelled'].pk}@127.0.0.1"]["STATUS"] == "CANCELLED"
    assert icaljs_events[f"event-{events['cancelled'].pk}@127.0.0.1"]["status"] == "CANCELLED"


def test_lines_are_folded_and_text_escaped(client, events):
    body = client.get("/feeds/events.ics").content
    assert all(len(line) <= 75 for line in body.split(b"\r\n")), "lines longer than 75 octets"
    assert b"SUMMARY:Sommarm\xc3\xb6te: sol\\, vind\\; och vatten" in body
    assert b"\\n" in body  # newlines in text are escaped


def test_uid_is_stable_and_sequence_grows_when_the_event_moves(client, events):
    def vevent():
        calendar = icalendar.Calendar.from_ical(client.get("/feeds/events.ics").content)
        return next(e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == "Nattseminarium")

    before = vevent()
    assert vevent()["UID"] == before["UID"]
    event = events["night"]
    event.start += datetime.timedelta(days=1)
    event.end += datetime.timedelta(days=1)
    event_services.record_changes(event, ["start", "end"])
    event.save()
    after = vevent()
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after["LAST-MODIFIED"].dt >= before["LAST-MODIFIED"].dt


def test_conditional_get_answers_304(client, events):
    first = client.get("/feeds/events.ics")
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert "max-age" in first["Cache-Control"]
    assert client.get("/feeds/events.ics", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/feeds/events.ics", headers={"If-Modified-Since": last_modified}).status_code == 304
    assert client.get("/feeds/events.ics", headers={"If-None-Match": '"annat"'}).status_code == 200
    events["winter"].title = "Ändrad titel"
    events["winter"].save()
    changed = client.get("/feeds/events.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    old = http_date((NOW - datetime.timedelta(days=365)).timestamp())
    assert client.get("/feeds/events.ics", headers={"If-Modified-Since": old}).status_code == 200


def test_filters_themes_and_places(client, events):
    def titles(url):
        return {str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(client.get(url).content).walk("VEVENT")}

    assert titles("/feeds/events.ics?theme=klimat") == {events["summer"].title, events["winter"].title}
    assert titles("/feeds/themes/klimat.ics") == {events["summer"].title, events["winter"].title}
    assert titles(f"/feeds/places/{events['summer'].place.slug}.ics") == {events["summer"].title}
    for bad in ("?theme=finns-inte", "?from=2026-13-45", "?page=x&format=teleport", "?q=" + "x" * 500):
        assert client.get("/feeds/events.ics" + bad).status_code == 200
    assert client.get("/feeds/themes/finns-inte.ics").status_code == 404
    assert client.get("/feeds/places/finns-inte.ics").status_code == 404


def test_online_link_never_in_public_feeds(client):
    make_event(format="online", place=make_digital_place(), online_url="https://meet.example.org/hemlig")
    assert b"hemlig" not in client.get("/feeds/events.ics").content


@pytest.mark.parametrize("count", [10, 2000])
def test_feed_query_budget(client, django_assert_num_queries, count):
    place, theme = make_place(), make_theme()
    organiser = make_event(place=place).organiser
    for number in range(count):
        make_event(
            place=place, organiser=organiser, themes=[theme], start=NOW + datetime.timedelta(days=1 + number % 100)
        )
    # 1 themes and 2 places for the filter form, 3 the events with place and organiser, 4 their themes.
    with django_assert_num_queries(4):
        assert client.get("/feeds/events.ics").status_code == 200
    # Served from the cache afterwards.
    with django_assert_num_queries(0):
        assert client.get("/feeds/events.ics").status_code == 200


def test_feed_lines_say_the_same_as_the_icalendar_component(events):
    """The fast writer for feeds and icalendar's component model agree on every property."""
    from events.calendar import assemble, event_component, new_calendar, vevent_lines
    from events.feeds import feed_events

    for event in feed_events():
        fast = icalendar.Calendar.from_ical(assemble(new_calendar(), [vevent_lines(event)])).walk("VEVENT")[0]
        model = event_component(event)
        assert set(fast) == set(model), event.title
        for name in model:
            if name == "CATEGORIES":
                assert fast[name].cats == model[name].cats
            elif name == "ORGANIZER":
                assert str(fast[name]) == str(model[name]) and fast[name].params["CN"] == model[name].params["CN"]
            else:
                assert fast.decoded(name) == model.decoded(name), (event.title, name)


def test_feeds_are_served_gzipped_to_clients_that_accept_it(client, events):
    import gzip

    plain = client.get("/feeds/events.ics")
    zipped = client.get("/feeds/events.ics", headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped["Vary"]
    assert gzip.decompress(zipped.content) == plain.content
    assert len(zipped.content) < len(plain.content) / 3
    assert zipped["ETag"] != plain["ETag"]
    not_modified = client.get("/feeds/events.ics", headers={"Accept-Encoding": "gzip", "If-None-Match": zipped["ETag"]})
    assert not_modified.status_code == 304
    for refused in ("br", "gzip;q=0", "gzip; q=0.0", "deflate, gzip;q=x"):
        assert "Content-Encoding" not in client.get("/feeds/events.ics", headers={"Accept-Encoding": refused})
    assert client.get("/feeds/events.ics", headers={"Accept-Encoding": "br, gzip;q=0.5"})["Content-Encoding"] == "gzip"


def test_made_up_parameters_share_the_feed_cache_entry(client, events):
    from django.core.cache import cache

    client.get("/feeds/events.ics?theme=klimat")
    keys_before = len(cache._cache)
    client.get("/feeds/events.ics?theme=klimat&utm_source=nyhetsbrev")
    assert len(cache._cache) == keys_before


def test_odd_personal_tokens_are_404_without_a_query(client, django_assert_num_queries):
    for token in ("%00", "a%00b", "x" * 10, "ä" * 30):
        with django_assert_num_queries(0):
            assert client.get(f"/feeds/personal/{token}.ics").status_code == 404


def test_organiser_names_are_quoted_as_parameters_not_escaped_as_text(client):
    from tests.factories import make_organiser

    make_event(organiser=make_organiser(name="Miljö, klimat; energi"))
    body = client.get("/feeds/events.ics").content.decode()
    assert 'ORGANIZER;CN="Miljö, klimat; energi":mailto:' in body.replace("\r\n ", "")
