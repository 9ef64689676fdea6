import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from events.models import Event
from events.queries import with_seat_counts
from registrations.models import Registration
from tests.factories import NOW, at, make_event, make_place, make_registration, make_theme, make_user

pytestmark = pytest.mark.django_db


def test_event_must_end_after_start():
    start = at(days=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_event(start=start, end=start)


def test_event_end_after_start_is_validated_with_a_clear_message():
    event = make_event()
    event.end = event.start - datetime.timedelta(hours=1)
    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()
    assert "Evenemanget måste sluta senare än det börjar." in str(excinfo.value)


def test_capacity_cannot_be_negative():
    event = make_event()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(capacity=-1)


def test_slug_is_unique():
    make_event(slug="frukostseminarium")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_event(slug="frukostseminarium")


def test_registration_must_close_after_it_opens():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_event(registration_opens=at(days=2), registration_closes=at(days=1))


def test_physical_place_needs_a_municipality_but_a_digital_one_does_not():
    make_place(slug="digital", is_digital=True, municipality="", street_address="")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_place(municipality="")


def test_place_coordinates_must_be_in_range_and_given_together():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_place(latitude="91.0", longitude="12.0")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_place(latitude="58.0", longitude=None)


def test_one_registration_per_participant_and_event():
    event, user = make_event(), make_user()
    make_registration(event, user)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_registration(event, user)


def test_waitlist_position_only_for_waitlisted_registrations():
    event = make_event()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_registration(event, status=Registration.Status.CONFIRMED, waitlist_position=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(event=event, user=make_user(), status=Registration.Status.WAITLISTED)


def test_seats_left_counts_only_confirmed_registrations():
    event = make_event(capacity=3)
    make_registration(event)
    make_registration(event, status=Registration.Status.WAITLISTED)
    make_registration(event, status=Registration.Status.CANCELLED)
    event = with_seat_counts(Event.objects.filter(pk=event.pk)).get()
    assert event.seats_left == 2
    assert not event.is_full


def test_full_event_and_unlimited_event():
    full = make_event(capacity=1)
    make_registration(full)
    unlimited = make_event(capacity=None)
    make_registration(unlimited)
    events = {e.pk: e for e in with_seat_counts(Event.objects.all())}
    assert events[full.pk].is_full and events[full.pk].seats_left == 0
    assert events[unlimited.pk].seats_left is None and not events[unlimited.pk].is_full


@pytest.mark.parametrize(
    ("opens", "closes", "status", "expected"),
    [
        (None, None, Event.Status.PUBLISHED, "open"),
        (at(days=2), None, Event.Status.PUBLISHED, "not_open_yet"),
        (None, at(days=-1), Event.Status.PUBLISHED, "closed"),
        (None, None, Event.Status.CANCELLED, "closed"),
        (None, None, Event.Status.DRAFT, "closed"),
    ],
)
def test_registration_state(frozen_now, opens, closes, status, expected):
    event = make_event(registration_opens=opens, registration_closes=closes, status=status)
    assert event.registration_state == expected


def test_registration_closes_at_start_by_default(frozen_now):
    event = make_event(start=NOW + datetime.timedelta(hours=1))
    assert event.registration_is_open()
    assert not event.registration_is_open(now=event.start)


def test_search_text_is_kept_lower_case_with_swedish_letters():
    event = make_event(title="Återbruk i ÖSTRA Göteborg", summary="Ängar", description="")
    assert "återbruk i östra göteborg" in event.search_text
    event.title = "Nytt ÅÄÖ"
    event.save(update_fields=["title"])
    event.refresh_from_db()
    assert "nytt åäö" in event.search_text


def test_theme_name_follows_the_language():
    theme = make_theme(name="Cirkulär ekonomi", name_en="Circular economy")
    with translation.override("en"):
        assert theme.display_name == "Circular economy"
    with translation.override("sv"):
        assert theme.display_name == "Cirkulär ekonomi"
    theme.name_en = ""
    with translation.override("en"):
        assert theme.display_name == "Cirkulär ekonomi"


def test_place_accessibility_features_and_map_link():
    place = make_place(step_free_access=True, hearing_loop=True, quiet_room=False)
    with translation.override("en"):
        assert [str(label) for label in place.accessibility_features] == ["step-free entrance", "hearing loop"]
    assert place.map_url.startswith("https://www.openstreetmap.org/?mlat=58.282700&mlon=12.282000")
    assert make_place(latitude=None, longitude=None).map_url is None
