"""Who may open which page of the organiser workspace: every URL, every kind of user.

The matrix is built from portal/organise_urls.py itself, so a new organiser URL is tested
as soon as it exists (and fails here until it is listed with its method).
"""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from portal import organise_urls
from registrations.models import Mailing, Registration
from tests.factories import make_registration, make_user

pytestmark = pytest.mark.django_db

#: The method each organiser URL is checked with: state changes are POST only.
POST_ONLY = {"event_publish", "event_unpublish", "attendee_check_in"}
#: Pages not tied to one event: every organiser may open them.
TEAM_FREE = {"dashboard", "event_create", "place_list", "place_create", "place_edit"}


@pytest.fixture
def objects(event_a, event_b, participant, place, organiser_a):
    waiting = make_registration(event_a, status=Registration.Status.WAITLISTED, waitlist_position=1)
    seat = make_registration(event_a, participant)
    mailing = Mailing.objects.create(event=event_a, sender=organiser_a, subject="Hej", body="Text")
    return {"event": event_a, "waiting": waiting, "seat": seat, "mailing": mailing, "place": place}


def url_for(name, objects):
    kwargs = {}
    pattern = next(p for p in organise_urls.urlpatterns if p.name == name)
    for key in pattern.pattern.converters:
        kwargs[key] = {
            "pk": objects["place"].pk if name.startswith("place_") else objects["event"].pk,
            # Only a confirmed person can be checked in; only a waiting one confirmed.
            "registration_pk": objects["seat" if name == "attendee_check_in" else "waiting"].pk,
            "mailing_pk": objects["mailing"].pk,
        }[key]
    return reverse(f"organise:{name}", kwargs=kwargs)


NAMES = [pattern.name for pattern in organise_urls.urlpatterns]


def request(client, name, objects):
    url = url_for(name, objects)
    return client.post(url) if name in POST_ONLY else client.get(url)


@pytest.mark.parametrize("name", NAMES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, objects, name):
    response = request(client, name, objects)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("name", NAMES)
def test_participants_are_refused(client, objects, participant, name):
    client.force_login(participant)
    assert request(client, name, objects).status_code == 403


@pytest.mark.parametrize("name", NAMES)
def test_another_teams_organiser_gets_not_found(client_b, objects, name):
    response = request(client_b, name, objects)
    if name in TEAM_FREE:
        assert response.status_code == 200
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("name", NAMES)
def test_the_events_own_team_gets_the_page(client_a, objects, name):
    response = request(client_a, name, objects)
    assert response.status_code in ({302, 200} if name in POST_ONLY else {200})


@pytest.mark.parametrize("name", ["dashboard", "attendees", "event_edit"])
def test_superusers_see_every_team(client, objects, name):
    client.force_login(make_user(is_superuser=True, is_staff=True))
    assert request(client, name, objects).status_code == 200


@pytest.mark.parametrize("name", ["dashboard", "attendees"])
def test_organisers_without_two_factor_must_set_it_up_when_required(client_a, objects, settings, name):
    settings.ORGANISER_MFA_REQUIRED = True
    response = request(client_a, name, objects)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_organisers_with_two_factor_get_in_when_required(client_a, objects, organiser_a, settings):
    settings.ORGANISER_MFA_REQUIRED = True
    Authenticator.objects.create(user=organiser_a, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert request(client_a, "dashboard", objects).status_code == 200


def test_the_main_menu_links_to_the_workspace_for_organisers_only(client, organiser_a, team_a, participant):
    client.force_login(participant)
    assert reverse("organise:dashboard") not in client.get("/events/").content.decode()
    client.force_login(organiser_a)
    assert reverse("organise:dashboard") in client.get("/events/").content.decode()


def test_the_workspace_is_in_english_under_en(client_a):
    assert reverse("organise:dashboard") == "/organise/"
    response = client_a.get("/en/organise/")
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()


def test_the_public_event_page_leads_its_own_team_to_the_workspace(client, event_a, organiser_a, organiser_b, team_b):
    attendees = reverse("organise:attendees", kwargs={"pk": event_a.pk})
    assert attendees not in client.get(event_a.get_absolute_url()).content.decode()
    client.force_login(organiser_b)
    assert attendees not in client.get(event_a.get_absolute_url()).content.decode()
    client.force_login(organiser_a)
    assert attendees in client.get(event_a.get_absolute_url()).content.decode()
