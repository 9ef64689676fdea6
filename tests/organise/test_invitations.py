"""A person an organiser adds without an account is invited: the e-mail link lets them choose
a password, which also verifies their address, and they find the registration waiting."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from registrations import services
from registrations.models import AuditEntry, Registration

pytestmark = pytest.mark.django_db


def test_an_invited_person_chooses_a_password_and_finds_the_registration(
    client, event_a, organiser_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.add_participant(
            event_a, email="Ny.Person@Example.org", first_name="Nora", last_name="Ny", by=organiser_a
        )
    user = registration.user
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.added_by == organiser_a and registration.consent_at is None
    assert not user.has_usable_password()
    assert not EmailAddress.objects.get(user=user).verified
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ADDED)
    assert (entry.actor, entry.registration, entry.detail) == (organiser_a, registration, "invited")

    (message,) = mailoutbox
    assert message.to == ["ny.person@example.org"]
    assert event_a.title in message.subject
    assert "text/calendar" in message.attachments[0][2]  # a calendar invitation for the seat
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"password1": "Lingonris-Fjäll-731", "password2": "Lingonris-Fjäll-731"},
    )
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    client.logout()
    client.post("/accounts/login/", {"login": "ny.person@example.org", "password": "Lingonris-Fjäll-731"})
    page = client.get("/me/registrations/")
    assert page.status_code == 200
    assert event_a.title in page.content.decode()


def test_an_existing_account_is_not_invited_again(event_a, organiser_a, participant, mailoutbox, settings):
    EmailAddress.objects.create(user=participant, email=participant.email, verified=True, primary=True)
    registration = services.add_participant(event_a, email=participant.email.upper(), by=organiser_a)
    assert registration.user == participant
    assert get_user_model().objects.filter(email__iexact=participant.email).count() == 1
    assert all("/accounts/password/reset/key/" not in m.body for m in mailoutbox)


def test_a_password_reset_does_not_verify_someone_elses_address(client, participant):
    """Only accounts without any verified address get theirs verified by the reset link."""
    EmailAddress.objects.create(user=participant, email=participant.email, verified=True, primary=True)
    EmailAddress.objects.create(user=participant, email="annan@example.org", verified=False)
    from allauth.account.signals import password_reset

    password_reset.send(sender=type(participant), request=None, user=participant)
    assert not EmailAddress.objects.get(email="annan@example.org").verified


def test_a_check_in_does_not_empty_the_public_page_cache(event_a, organiser_a, participant):
    from events.cache import catalogue_version

    registration = Registration.objects.create(event=event_a, user=participant)
    before = catalogue_version()
    services.check_in(registration, by=organiser_a)
    assert catalogue_version() == before
