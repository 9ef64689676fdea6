"""A small world for the security tests: two organiser teams, a participant, staff, a superuser.

Team A owns the event (with one question of each kind, an online link and registrations);
team B's organiser must get 404 for it. Every user has a verified e-mail address, so that
only the permission rules decide what they see.
"""

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from events.models import Event
from registrations.models import FeedToken, Mailing, Question, Registration
from tests.factories import make_digital_place, make_event, make_organiser, make_place, make_registration, make_user

ONLINE_URL = "https://meet.example.org/hemlig-mote-4711"
USER_KINDS = ("anonymous", "participant", "organiser_a", "organiser_b", "staff", "superuser")


def verified_user(**fields):
    user = make_user(**fields)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def world(db):
    users = {
        "participant": verified_user(email="deltagare@example.org", first_name="Dana", last_name="Deltagare"),
        "organiser_a": verified_user(email="arrangor-a@example.org", first_name="Alva", last_name="Arrangör"),
        "organiser_b": verified_user(email="arrangor-b@example.org", first_name="Bo", last_name="Björk"),
        "staff": verified_user(email="personal@example.org", is_staff=True),
        "superuser": verified_user(email="admin@example.org", is_staff=True, is_superuser=True),
    }
    team_a = make_organiser(members=[users["organiser_a"]], name="Team A", slug="team-a")
    team_b = make_organiser(members=[users["organiser_b"]], name="Team B", slug="team-b")
    place = make_place()
    digital = make_digital_place()
    event = make_event(
        organiser=team_a,
        place=place,
        capacity=2,
        format=Event.Format.HYBRID,
        online_url=ONLINE_URL,
    )
    event_b = make_event(organiser=team_b, place=digital, format=Event.Format.ONLINE, online_url=ONLINE_URL + "-b")
    theme = event.themes.create(name="Klimat och energi", name_en="Climate and energy", slug="klimat")
    seat = make_registration(event, users["participant"])
    waiting = make_registration(event, status=Registration.Status.WAITLISTED, waitlist_position=1)
    other_seat = make_registration(event_b)
    for kind, label, choices in (
        (Question.Kind.SHORT_TEXT, "Roll", ""),
        (Question.Kind.LONG_TEXT, "Förväntningar", ""),
        (Question.Kind.SINGLE_CHOICE, "Lunch", "Kött\nVegetarisk"),
        (Question.Kind.MULTIPLE_CHOICE, "Pass", "Förmiddag\nEftermiddag"),
        (Question.Kind.YES_NO, "Foto", ""),
    ):
        Question.objects.create(event=event, kind=kind, label=label, choices=choices)
    mailing = Mailing.objects.create(event=event, sender=users["organiser_a"], subject="Hej", body="Text")
    token = FeedToken.objects.create(user=users["participant"])
    return {
        "users": users,
        "team_a": team_a,
        "team_b": team_b,
        "place": place,
        "event": event,
        "event_b": event_b,
        "theme": theme,
        "seat": seat,
        "waiting": waiting,
        "other_seat": other_seat,
        "mailing": mailing,
        "token": token,
    }


def client_for(world, kind, **client_kwargs):
    client = Client(**client_kwargs)
    if kind != "anonymous":
        client.force_login(world["users"][kind])
    return client
