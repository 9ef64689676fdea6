"""Rules of events/services.py that the views cannot easily reach."""

from unittest import mock

import pytest

from events import services
from events.models import Event
from tests.factories import at

pytestmark = pytest.mark.django_db


def test_two_events_saved_with_one_title_at_once_both_get_a_slug(event_a, organiser_a):
    """Both requests compute the same free slug; the second insert retries instead of a 500."""
    new = Event(
        title=event_a.title,
        summary="s",
        organiser=event_a.organiser,
        place=event_a.place,
        start=at(days=20),
        end=at(days=20, hour=12),
    )
    with mock.patch.object(services, "unique_slug", side_effect=[event_a.slug, event_a.slug]):
        services.save_event(new, [], by=organiser_a)
    assert new.pk and new.slug != event_a.slug and new.slug.startswith(event_a.slug)


def test_an_edit_keeps_the_lifecycle_fields_of_the_database(event_a, organiser_a):
    """A form loaded before someone else's change must not roll back the sequence or status."""
    stale = Event.objects.get(pk=event_a.pk)
    Event.objects.filter(pk=event_a.pk).update(sequence=5, status=Event.Status.CANCELLED)
    stale.title = "Ny titel"
    services.save_event(stale, ["title"], by=organiser_a)
    event_a.refresh_from_db()
    assert (event_a.title, event_a.sequence, event_a.status) == ("Ny titel", 6, Event.Status.CANCELLED)
