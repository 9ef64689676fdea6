import datetime

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command

from events.models import Event, MeetingPlace, Organiser, Theme
from events.municipalities import Municipality
from registrations.models import Registration

pytestmark = pytest.mark.django_db

ANCHOR = "2026-11-26"


def seed(*extra, events=200, registrations=1500, seed=7):
    call_command(
        "seed_demo",
        "--events",
        str(events),
        "--registrations",
        str(registrations),
        "--seed",
        str(seed),
        "--anchor",
        ANCHOR,
        "--password",
        "demo-losenord-123",
        *extra,
    )


def snapshot():
    return list(
        Event.objects.order_by("slug").values_list(
            "slug", "title", "start", "capacity", "status", "format", "place__slug", "organiser__slug"
        )
    ), sorted(Registration.objects.values_list("event__slug", "user__email", "status", "waitlist_position"))


def test_seed_is_deterministic():
    seed()
    first = snapshot()
    seed("--replace")
    assert snapshot() == first
    seed("--replace", seed=8)
    assert snapshot() != first


def test_seed_creates_realistic_varied_data():
    seed(events=300, registrations=3000)
    assert Event.objects.count() == 300
    assert Theme.objects.count() >= 6 and Organiser.objects.count() >= 3
    assert MeetingPlace.objects.filter(is_digital=True).exists()
    municipalities = set(MeetingPlace.objects.exclude(municipality="").values_list("municipality", flat=True))
    assert municipalities <= set(Municipality.values) and len(municipalities) >= 10
    statuses = set(Event.objects.values_list("status", flat=True))
    assert statuses == {"draft", "published", "cancelled"}
    assert set(Event.objects.values_list("format", flat=True)) == {"on_site", "online", "hybrid"}
    anchor = datetime.date.fromisoformat(ANCHOR)
    assert (
        Event.objects.filter(start__date__lt=anchor).exists() and Event.objects.filter(start__date__gt=anchor).exists()
    )
    assert any(not c.isascii() for c in "".join(Event.objects.values_list("title", flat=True)))  # Swedish letters
    # Some events are full, none is over capacity, and drafts have no registrations.
    for event in Event.objects.exclude(capacity=None):
        confirmed = event.registrations.filter(status=Registration.Status.CONFIRMED).count()
        assert confirmed <= event.capacity
    assert Registration.objects.filter(status=Registration.Status.WAITLISTED).exists()
    assert not Registration.objects.filter(event__status=Event.Status.DRAFT).exists()


def test_seed_creates_demo_accounts_that_can_log_in():
    seed(events=20, registrations=50)
    admin = authenticate(email="admin@example.org", password="demo-losenord-123")
    assert admin is not None and admin.is_superuser
    organiser = authenticate(email="regional-utveckling@example.org", password="demo-losenord-123")
    assert organiser.organiser_teams.exists()
    assert get_user_model().objects.filter(email="deltagare1@example.org").exists()
    assert EmailAddress.objects.filter(email="deltagare1@example.org", verified=True, primary=True).exists()


def test_seed_refuses_to_mix_with_existing_data_unless_asked():
    seed(events=10, registrations=10)
    with pytest.raises(CommandError, match="already has events"):
        seed(events=10, registrations=10)
    seed("--if-empty", events=99)
    assert Event.objects.count() == 10


def test_seed_rejects_negative_counts():
    with pytest.raises(CommandError):
        seed(events=-1)
