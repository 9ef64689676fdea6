"""Consent is recorded with its time and the version of the text agreed to."""

import pytest
from django.urls import reverse
from django.utils import translation

from registrations import services
from registrations.models import CONSENT_VERSION
from tests.factories import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def test_a_registration_in_the_form_stores_consent_time_and_version(participant_client, participant, event):
    data = {"organisation": "Borås Stad", "dietary_needs": "", "accessibility_needs": "", "consent": "on"}
    response = participant_client.post(f"/events/{event.slug}/register/", data)
    assert response.status_code == 302
    registration = event.registrations.get(user=participant)
    assert registration.consent_at == NOW
    assert registration.consent_version == CONSENT_VERSION
    assert registration.sensitive_consent_at is None  # nothing sensitive was given


def test_registering_without_consent_is_refused(participant_client, event):
    data = {"organisation": "Borås Stad", "dietary_needs": "", "accessibility_needs": ""}
    response = participant_client.post(f"/events/{event.slug}/register/", data)
    assert response.status_code == 400
    assert not event.registrations.exists()


def test_a_person_added_by_an_organiser_has_given_no_consent(event, organiser):
    registration = services.add_participant(event, email="ny@example.org", by=organiser)
    assert registration.added_by == organiser
    assert registration.consent_at is None and registration.consent_version == ""
    assert registration.sensitive_consent_at is None


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_privacy_page_names_the_consent_version_retention_rights_and_contact(client, language, settings):
    settings.RETENTION_SENSITIVE_DAYS = 2
    settings.RETENTION_PERSONAL_DAYS = 45
    settings.PRIVACY_CONTACT_EMAIL = "dataskydd@vgregion.example"
    with translation.override(language):
        html = client.get(reverse("privacy")).content.decode()
        links = [reverse(name) for name in ("my_data", "delete_account", "profile", "registrations:my_registrations")]
    assert html.count("<h1") == 1
    assert CONSENT_VERSION in html
    assert ("2 dagar" if language == "sv" else "2 days") in html
    assert ("45 dagar" if language == "sv" else "45 days") in html
    assert "mailto:dataskydd@vgregion.example" in html
    for link in links:
        assert f'href="{link}"' in html
    assert "9.2 a" in html or "9(2)(a)" in html  # explicit consent for article 9 data
    assert "6.1 e" in html or "6(1)(e)" in html  # public task for the anonymous figures


def test_the_privacy_page_is_in_swedish_and_english(client):
    assert "Så hanterar vi personuppgifter" in client.get(reverse("privacy")).content.decode()
    with translation.override("en"):
        assert "How we handle personal data" in client.get(reverse("privacy")).content.decode()
