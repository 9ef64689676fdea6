"""Crafted requests: registrations only through the rules, organiser actions only by POST and
only on the event's own registrations."""

import datetime

import pytest
from django.urls import reverse

from events.models import Event
from registrations.models import Registration
from tests.factories import NOW, make_event, make_registration
from tests.security.conftest import client_for, verified_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

FORM = {"consent": "on", "sensitive_consent": "on", "organisation": "Region"}


@pytest.fixture
def person(world):
    return client_for(world, "participant"), world["users"]["participant"]


def register(client, event, data=FORM):
    return client.post(reverse("registrations:register", kwargs={"slug": event.slug}), data)


def test_a_draft_cannot_be_registered_for(world, person):
    client = person[0]
    event = make_event(organiser=world["team_a"], status=Event.Status.DRAFT, published_at=None)
    assert register(client, event).status_code == 404
    assert not Registration.objects.filter(event=event).exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Event.Status.CANCELLED, "cancelled_at": NOW},
        {"registration_opens": NOW + datetime.timedelta(days=1)},
        {"registration_closes": NOW - datetime.timedelta(hours=1)},
        {"start": NOW - datetime.timedelta(hours=1)},  # started (and still going on)
        {"start": NOW - datetime.timedelta(days=2)},  # over
    ],
    ids=["cancelled", "not-open-yet", "closed", "started", "past"],
)
def test_closed_events_cannot_be_registered_for(world, person, fields):
    client = person[0]
    event = make_event(organiser=world["team_a"], place=world["place"], **fields)
    response = register(client, event)
    assert response.status_code == 409
    assert not Registration.objects.filter(event=event).exists()


def test_one_registration_per_person(world, person):
    client, user = person
    event = make_event(organiser=world["team_a"], place=world["place"])
    assert register(client, event).status_code == 302
    assert register(client, event).status_code == 302  # "already registered"
    assert Registration.objects.filter(event=event, user=user).count() == 1


def test_a_registration_cannot_be_made_for_someone_else(world, person):
    client, user = person
    victim = verified_user()
    event = make_event(organiser=world["team_a"], place=world["place"])
    data = {**FORM, "user": victim.pk, "user_id": victim.pk, "email": victim.email, "status": "confirmed"}
    register(client, event, data)
    assert not Registration.objects.filter(event=event, user=victim).exists()
    assert Registration.objects.get(event=event).user == user


def test_someone_elses_registration_cannot_be_cancelled(world):
    client = client_for(world, "anonymous")
    client.force_login(world["waiting"].user)
    response = client.post(reverse("registrations:cancel", kwargs={"pk": world["seat"].pk}))
    assert response.status_code == 404
    world["seat"].refresh_from_db()
    assert world["seat"].status == Registration.Status.CONFIRMED


def test_a_full_event_without_waiting_list_refuses_by_post(world):
    event = make_event(organiser=world["team_a"], place=world["place"], capacity=1, waitlist_enabled=False)
    make_registration(event)
    client = client_for(world, "participant")
    assert register(client, event).status_code == 409
    assert Registration.objects.filter(event=event).count() == 1


def test_check_in_refuses_get(world):
    client = client_for(world, "organiser_a")
    url = reverse("organise:attendee_check_in", args=[world["event"].pk, world["seat"].pk])
    assert client.get(url).status_code == 405
    assert client.head(url).status_code == 405
    world["seat"].refresh_from_db()
    assert world["seat"].checked_in_at is None


@pytest.mark.parametrize("name", ["attendee_cancel", "attendee_confirm"])
def test_cancel_and_confirm_only_ask_on_get(world, name):
    """GET shows the question; only POST changes anything."""
    client = client_for(world, "organiser_a")
    waiting = world["waiting"]
    response = client.get(reverse(f"organise:{name}", args=[world["event"].pk, waiting.pk]))
    assert response.status_code == 200
    assert b'method="post"' in response.content
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.WAITLISTED


@pytest.mark.parametrize("name", ["event_publish", "event_unpublish"])
def test_publishing_refuses_get(world, name):
    client = client_for(world, "organiser_a")
    assert client.get(reverse(f"organise:{name}", args=[world["event"].pk])).status_code == 405


@pytest.mark.parametrize("name", ["attendee_check_in", "attendee_cancel", "attendee_confirm"])
def test_another_events_registration_under_this_event_is_not_found(world, name):
    """Ids are guessable: a registration of another event (of the same team, or another) is a 404."""
    client = client_for(world, "organiser_a")
    own_other = make_registration(make_event(organiser=world["team_a"], place=world["place"]))
    for registration in (own_other, world["other_seat"]):
        url = reverse(f"organise:{name}", args=[world["event"].pk, registration.pk])
        assert client.get(url).status_code in (404, 405)
        assert client.post(url).status_code == 404
        registration.refresh_from_db()
        assert registration.status == Registration.Status.CONFIRMED and registration.checked_in_at is None


def test_another_events_mailing_is_not_found(world):
    client = client_for(world, "organiser_a")
    other_event = make_event(organiser=world["team_a"], place=world["place"])
    url = reverse("organise:message_detail", args=[other_event.pk, world["mailing"].pk])
    assert client.get(url).status_code == 404


def test_an_organiser_cannot_move_an_event_to_another_team(world):
    client = client_for(world, "organiser_a")
    event = world["event"]
    response = client.post(
        reverse("organise:event_edit", args=[event.pk]),
        {"title": "Flyttad", "summary": "S", "organiser": world["team_b"].pk, "place": world["place"].pk},
    )
    assert response.status_code == 400
    assert "organiser" in response.context["form"].errors
    event.refresh_from_db()
    assert event.organiser == world["team_a"]
