"""Dietary and accessibility needs (GDPR article 9): explicit consent, kept apart, counted
without names for the caterer, and not in the files that leave the portal."""

import csv
import io

import pytest
from django.urls import reverse

from registrations import services
from registrations.models import AuditEntry, Registration
from tests.factories import NOW, make_registration, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def form_data(**extra):
    return {"organisation": "Borås Stad", "dietary_needs": "", "accessibility_needs": "", "consent": "on", **extra}


def register_url(event):
    return f"/events/{event.slug}/register/"


def test_the_sensitive_consent_box_is_separate_and_not_ticked(participant_client, event):
    html = participant_client.get(register_url(event)).content.decode()
    assert 'name="sensitive_consent"' in html
    box = html[html.index('name="sensitive_consent"') - 200 : html.index('name="sensitive_consent"') + 200]
    assert "checked" not in box
    assert (
        html.index('name="accessibility_needs"') < html.index('name="sensitive_consent"') < html.index('name="consent"')
    )
    assert html.count("<h1") == 1
    assert '<label for="id_sensitive_consent">' in html


@pytest.mark.parametrize("field", ["dietary_needs", "accessibility_needs"])
def test_needs_without_their_consent_are_refused_at_the_field_and_nothing_is_lost(participant_client, event, field):
    response = participant_client.post(
        register_url(event), form_data(**{field: "Glutenfri", "organisation": "Västtrafik"})
    )
    assert response.status_code == 400
    assert not event.registrations.exists()
    form = response.context["form"]
    assert list(form.errors) == ["sensitive_consent"]
    html = response.content.decode()
    assert 'id="id_sensitive_consent_error"' in html  # the message is at the box
    assert 'href="#id_sensitive_consent"' in html  # and linked from the summary
    assert "Glutenfri" in html and "Västtrafik" in html  # what was typed is still there


def test_needs_with_their_consent_are_stored_with_the_consent_time(participant_client, participant, event):
    data = form_data(dietary_needs="Vegansk", accessibility_needs="Hörslinga", sensitive_consent="on")
    assert participant_client.post(register_url(event), data).status_code == 302
    registration = event.registrations.get(user=participant)
    assert (registration.dietary_needs, registration.accessibility_needs) == ("Vegansk", "Hörslinga")
    assert registration.sensitive_consent_at == NOW
    assert registration.answers == {}  # kept apart from the other answers


def test_the_consent_box_alone_stores_no_consent(participant_client, participant, event):
    assert participant_client.post(register_url(event), form_data(sensitive_consent="on")).status_code == 302
    assert event.registrations.get(user=participant).sensitive_consent_at is None


def test_the_service_refuses_needs_without_consent(event):
    with pytest.raises(services.SensitiveConsentMissing):
        services.register(make_user(), event, dietary_needs="Halal")
    assert not event.registrations.exists()


@pytest.fixture
def needs(event):
    rows = [
        ("Vegansk", "Hörslinga", Registration.Status.CONFIRMED),
        ("vegansk ", "", Registration.Status.CONFIRMED),
        ("Glutenfri", "Rullstolsplats", Registration.Status.CONFIRMED),
        ("", "", Registration.Status.CONFIRMED),
        ("Nötallergi", "", Registration.Status.WAITLISTED),  # not coming (yet): not counted
    ]
    for index, (diet, access, status) in enumerate(rows):
        make_registration(
            event,
            make_user(email=f"person-{index}@example.org", first_name="Namn", last_name=f"Efternamn{index}"),
            dietary_needs=diet,
            accessibility_needs=access,
            sensitive_consent_at=NOW,
            status=status,
        )


def test_the_catering_page_counts_needs_without_names(organiser_client, event, needs):
    response = organiser_client.get(reverse("organise:catering", args=[event.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    summary = response.context["summary"]
    assert summary["confirmed"] == 4
    assert summary["dietary"] == [("Vegansk", 2), ("Glutenfri", 1)]
    assert summary["without_dietary"] == 1
    assert summary["accessibility"] == [("Hörslinga", 1), ("Rullstolsplats", 1)]
    assert "Nötallergi" not in html
    assert "Efternamn" not in html and "@example.org" not in html.replace("arrangor@example.org", "")


def test_the_catering_csv_has_counts_and_no_names(organiser_client, event, needs):
    response = organiser_client.get(reverse("organise:catering", args=[event.pk]) + "?format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert ["Vegansk", "2"] in rows and ["Glutenfri", "1"] in rows and ["Hörslinga", "1"] in rows
    text = response.content.decode("utf-8-sig")
    assert "Efternamn" not in text and "@" not in text
    assert AuditEntry.objects.filter(event=event, action=AuditEntry.Action.EXPORTED, detail="catering").exists()


def test_the_attendee_list_links_to_the_catering_summary_and_shows_needs_per_person(organiser_client, event, needs):
    html = organiser_client.get(reverse("organise:attendees", args=[event.pk])).content.decode()
    assert reverse("organise:catering", args=[event.pk]) in html
    assert "Hörslinga" in html  # organisers meet each person's needs


def test_exported_files_leave_the_needs_out(organiser_client, event, needs):
    response = organiser_client.get(reverse("organise:export_csv", args=[event.pk]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Efternamn0" in text
    for need in ("Vegansk", "Glutenfri", "Hörslinga", "Rullstolsplats"):
        assert need not in text


def test_another_team_cannot_see_the_catering_summary(client, event, needs):
    from tests.factories import make_organiser

    other = make_user()
    make_organiser(members=[other])
    client.force_login(other)
    assert client.get(reverse("organise:catering", args=[event.pk])).status_code == 404
