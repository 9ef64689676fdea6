"""A participant's own data: download it all (/me/data/) and delete the account (/me/delete/)."""

import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from events.models import OrganiserMembership
from registrations import queries
from registrations.models import CONSENT_VERSION, AuditEntry, FeedToken, Question, Registration
from tests.factories import NOW, at, make_event, make_organiser, make_registration, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

PASSWORD = "korrekt-hast-batteri"  # tests.factories.make_user's default


def test_both_pages_need_a_login(client):
    for name in ("my_data", "delete_account"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        assert client.post(reverse(name)).status_code == 302


def test_the_account_menu_links_to_both_pages(participant_client):
    html = participant_client.get(reverse("profile")).content.decode()
    assert f'href="{reverse("my_data")}"' in html and f'href="{reverse("delete_account")}"' in html


def test_the_data_page_explains_and_offers_a_download(participant_client):
    response = participant_client.get(reverse("my_data"))
    html = response.content.decode()
    assert response.status_code == 200 and html.count("<h1") == 1
    assert f'<form method="post" action="{reverse("my_data")}">' in html
    assert "csrfmiddlewaretoken" in html


@pytest.fixture
def history(participant, event, organiser):
    question = Question.objects.create(event=event, label="Vad vill du diskutera?")
    registration = make_registration(
        event,
        participant,
        organisation="Borås Stad",
        dietary_needs="Vegansk",
        accessibility_needs="Hörslinga",
        sensitive_consent_at=NOW,
        consent_version=CONSENT_VERSION,
        answers={question.key: "Återbruk"},
    )
    FeedToken.objects.create(user=participant)
    Authenticator.objects.create(user=participant, type=Authenticator.Type.TOTP, data={"secret": "HEMLIGHEMLIG"})
    return registration


def test_the_download_holds_everything_and_no_secrets(participant_client, participant, event, history):
    response = participant_client.post(reverse("my_data"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="motesplatser-data-')
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "sara@example.org"
    assert data["account"]["first_name"] == "Sara" and data["account"]["organisation"] == "Borås Stad"
    assert data["account"]["two_factor_authentication"]["enabled"] is True
    assert data["email_addresses"] == [{"email": "sara@example.org", "verified": True, "primary": True}]
    [registration] = data["registrations"]
    assert registration["event"]["title"] == event.title
    assert registration["answers"] == [{"question": "Vad vill du diskutera?", "answer": "Återbruk"}]
    assert registration["dietary_needs"] == "Vegansk" and registration["accessibility_needs"] == "Hörslinga"
    assert registration["consent_version"] == CONSENT_VERSION
    assert registration["consent_at"] and registration["sensitive_consent_at"]
    assert len(data["calendar_feeds"]) == 1 and data["calendar_feeds"][0]["revoked_at"] is None
    text = response.content.decode()
    token = FeedToken.objects.get(user=participant).token
    for secret in (participant.password, "HEMLIGHEMLIG", token, "pbkdf2"):
        assert secret not in text


def test_the_download_is_only_ones_own(participant_client, event):
    make_registration(event, make_user(email="annan@example.org"))
    text = participant_client.post(reverse("my_data")).content.decode()
    assert "annan@example.org" not in text


def test_a_post_without_the_csrf_token_is_refused(participant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)
    assert client.post(reverse("my_data")).status_code == 403
    assert client.post(reverse("delete_account"), {"password": PASSWORD}).status_code == 403
    assert get_user_model().objects.filter(pk=participant.pk).exists()


def test_the_delete_page_asks_for_the_password(participant_client):
    response = participant_client.get(reverse("delete_account"))
    html = response.content.decode()
    assert response.status_code == 200 and html.count("<h1") == 1
    assert 'type="password"' in html and '<label for="id_password">' in html


def test_a_wrong_password_deletes_nothing(participant_client, participant):
    response = participant_client.post(reverse("delete_account"), {"password": "fel"})
    assert response.status_code == 400
    assert 'id="id_password_error"' in response.content.decode()
    assert get_user_model().objects.filter(pk=participant.pk).exists()


@pytest.fixture
def full_event(team):
    """Full, with a waiting list: a seat freed moves the first in line up."""
    return make_event(organiser=team, capacity=1, waitlist_enabled=True)


def test_deleting_the_account_erases_the_person_and_keeps_the_figures(
    participant_client, participant, team, full_event, organiser
):
    past = make_event(organiser=team, start=at(days=-10))
    past_seat = make_registration(past, participant, organisation="Borås Stad", checked_in_at=at(days=-10, hour=9))
    AuditEntry.objects.create(event=past, actor=organiser, action=AuditEntry.Action.CHECKED_IN, registration=past_seat)
    seat = make_registration(full_event, participant, dietary_needs="Vegansk", sensitive_consent_at=NOW)
    waiting = make_registration(
        full_event, make_user(email="vantar@example.org"), status=Registration.Status.WAITLISTED
    )
    token = FeedToken.objects.create(user=participant)
    Authenticator.objects.create(user=participant, type=Authenticator.Type.TOTP, data={"secret": "x"})
    other_session = Client()
    other_session.force_login(participant)
    past_counts = queries.attendance_counts(past)

    response = participant_client.post(reverse("delete_account"), {"password": PASSWORD})

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1 and "1" in html
    assert not get_user_model().objects.filter(pk=participant.pk).exists()
    assert not EmailAddress.objects.filter(email="sara@example.org").exists()
    assert not Authenticator.objects.exists() and not FeedToken.objects.exists()
    # Upcoming: cancelled properly, the waiting list moved up.
    seat.refresh_from_db()
    assert seat.status == Registration.Status.CANCELLED and seat.cancelled_at == NOW
    assert seat.user is None and seat.dietary_needs == "" and seat.anonymised_at == NOW
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
    assert queries.attendance_counts(full_event)["confirmed"] == 1
    # Past: anonymised, the figures unchanged.
    past_seat.refresh_from_db()
    assert past_seat.user is None and past_seat.organisation == "" and past_seat.checked_in_at is not None
    assert queries.attendance_counts(past) == past_counts
    assert AuditEntry.objects.get(registration=past_seat).registration.user is None
    # Logged out everywhere; the feed is gone.
    assert participant_client.get(reverse("profile")).status_code == 302
    assert other_session.get(reverse("profile")).status_code == 302
    assert not Session.objects.exists()
    assert participant_client.get(reverse("personal_feed", kwargs={"token": token.token})).status_code == 404


def test_the_organisers_list_shows_the_deleted_person_as_anonymised(participant_client, participant, event, organiser):
    make_registration(event, participant)
    participant_client.post(reverse("delete_account"), {"password": PASSWORD})
    client = Client()
    client.force_login(organiser)
    html = client.get(reverse("organise:attendees", args=[event.pk]) + "?status=all").content.decode()
    assert "Anonymiserad" in html or "Anonymised" in html
    assert "sara@example.org" not in html and "Öberg" not in html


def test_an_account_without_a_password_confirms_with_its_e_mail_address(client, event):
    user = make_user(email="inbjuden@example.org")
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    html = client.get(reverse("delete_account")).content.decode()
    assert 'type="password"' not in html and 'name="email"' in html
    assert client.post(reverse("delete_account"), {"email": "fel@example.org"}).status_code == 400
    assert get_user_model().objects.filter(pk=user.pk).exists()
    assert client.post(reverse("delete_account"), {"email": "Inbjuden@example.org "}).status_code == 200
    assert not get_user_model().objects.filter(pk=user.pk).exists()


def test_the_last_member_of_a_team_cannot_delete_the_account(organiser_client, organiser, team):
    response = organiser_client.get(reverse("delete_account"))
    assert team.name in response.content.decode()
    assert 'type="password"' not in response.content.decode()
    assert organiser_client.post(reverse("delete_account"), {"password": PASSWORD}).status_code == 409
    assert get_user_model().objects.filter(pk=organiser.pk).exists()


def test_an_organiser_with_a_colleague_can_delete_the_account(organiser_client, organiser, team, event):
    colleague = make_user()
    OrganiserMembership.objects.create(organiser=team, user=colleague)
    AuditEntry.objects.create(event=event, actor=organiser, action=AuditEntry.Action.EDITED)
    assert organiser_client.post(reverse("delete_account"), {"password": PASSWORD}).status_code == 200
    assert not get_user_model().objects.filter(pk=organiser.pk).exists()
    assert list(team.members.all()) == [colleague]
    assert AuditEntry.objects.get(event=event).actor is None  # shown as "Deleted account"
    assert event.organiser == team  # the team's events stay


def test_an_administrator_cannot_delete_the_own_account_here(client):
    admin = make_user(is_superuser=True, is_staff=True)
    make_organiser(members=[admin, make_user()])
    client.force_login(admin)
    assert client.post(reverse("delete_account"), {"password": PASSWORD}).status_code == 409
    assert get_user_model().objects.filter(pk=admin.pk).exists()
