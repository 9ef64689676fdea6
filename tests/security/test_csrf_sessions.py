"""Session fixation and CSRF: a new session key at sign-in and sign-out; POSTs without a CSRF
token are refused on the participant's and the organiser's forms."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from registrations.models import Mailing, Registration
from tests.factories import make_event
from tests.security.conftest import client_for, verified_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

PASSWORD = "korrekt-hast-batteri"  # tests.factories.make_user's default


def session_key(client):
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_signing_in_gives_a_new_session_key(db):
    user = verified_user(email="sara@example.org")
    client = Client()
    session = client.session  # an anonymous session, as an attacker could plant one
    session["planted"] = "yes"
    session.save()
    before = session_key(client)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    after = session_key(client)
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signing_out_gives_a_new_session_key_and_ends_the_old_one(db):
    user = verified_user()
    client = Client()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    signed_in = session_key(client)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=signed_in).exists()
    assert session_key(client) != signed_in
    # The old cookie no longer opens the signed-in pages.
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = signed_in
    assert thief.get(reverse("registrations:my_registrations")).status_code == 302


def post_targets(world):
    event, seat = world["event"], world["seat"]
    open_event = make_event(organiser=world["team_a"], place=world["place"])
    return [
        ("participant", reverse("registrations:register", kwargs={"slug": open_event.slug}), {"consent": "on"}),
        ("participant", reverse("registrations:cancel", kwargs={"pk": seat.pk}), {}),
        ("participant", reverse("profile"), {"first_name": "X", "last_name": "Y", "language": "sv"}),
        ("participant", reverse("registrations:my_calendar"), {"action": "revoke"}),
        ("organiser_a", reverse("organise:event_create"), {"title": "Nytt"}),
        ("organiser_a", reverse("organise:event_edit", args=[event.pk]), {"title": "Nytt"}),
        ("organiser_a", reverse("organise:event_publish", args=[event.pk]), {}),
        ("organiser_a", reverse("organise:event_cancel", args=[event.pk]), {}),
        ("organiser_a", reverse("organise:event_questions", args=[event.pk]), {}),
        ("organiser_a", reverse("organise:place_create"), {"name": "Ny plats"}),
        ("organiser_a", reverse("organise:attendee_check_in", args=[event.pk, seat.pk]), {}),
        ("organiser_a", reverse("organise:attendee_add", args=[event.pk]), {"email": "ny@example.org"}),
        ("organiser_a", reverse("organise:attendee_cancel", args=[event.pk, seat.pk]), {}),
        ("organiser_a", reverse("organise:attendee_confirm", args=[event.pk, world["waiting"].pk]), {}),
        (
            "organiser_a",
            reverse("organise:message_create", args=[event.pk]),
            {"audience": "confirmed", "subject": "Hej", "body": "Text", "send": "1"},
        ),
    ]


def test_posts_without_a_csrf_token_are_refused(world):
    before = (
        Registration.objects.count(),
        Registration.objects.filter(status="cancelled").count(),
        Mailing.objects.count(),
        world["seat"].checked_in_at,
    )
    for kind, url, data in post_targets(world):
        client = client_for(world, kind, enforce_csrf_checks=True)
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert b"CSRF" in response.content or response.templates, url
    world["seat"].refresh_from_db()
    after = (
        Registration.objects.count(),
        Registration.objects.filter(status="cancelled").count(),
        Mailing.objects.count(),
        world["seat"].checked_in_at,
    )
    assert after == before


def test_a_valid_csrf_token_lets_the_same_post_through(world):
    """The positive case: the refusals above are the CSRF check, not something else."""
    client = client_for(world, "participant", enforce_csrf_checks=True)
    client.get(reverse("profile"))  # sets the CSRF cookie
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        reverse("profile"), {"first_name": "X", "last_name": "Y", "language": "sv", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_a_token_from_another_session_is_refused(world):
    other = client_for(world, "participant", enforce_csrf_checks=True)
    other.get(reverse("profile"))
    foreign = other.cookies[settings.CSRF_COOKIE_NAME].value
    client = client_for(world, "organiser_a", enforce_csrf_checks=True)
    response = client.post(reverse("organise:event_create"), {"title": "X", "csrfmiddlewaretoken": foreign})
    assert response.status_code == 403
