"""Checking people in: from the attendee list and at the door, with and without htmx."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registrations.models import AuditEntry, Registration
from tests.factories import NOW, make_event, make_registration, make_user
from tests.organise.test_attendees import attendees_url, bulk_registrations, url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def anna(event_a):
    user = make_user(first_name="Anna", last_name="Åberg", email="anna@example.org")
    return make_registration(event_a, user, organisation="Borås Stad")


def check_in_url(registration):
    return url("attendee_check_in", registration.event_id, registration.pk)


def door_url(event, query=""):
    return url("door", event.pk, query=query)


# Who may check people in --------------------------------------------------------------


def test_check_in_requires_login(client, anna):
    response = client.post(check_in_url(anna))
    assert response.status_code == 302 and response["Location"].startswith("/en/accounts/login/")
    anna.refresh_from_db()
    assert anna.checked_in_at is None


def test_participants_cannot_check_in(client, participant, anna):
    client.force_login(participant)
    assert client.post(check_in_url(anna)).status_code == 403
    anna.refresh_from_db()
    assert anna.checked_in_at is None


def test_another_team_cannot_check_in(client_b, anna):
    assert client_b.post(check_in_url(anna)).status_code == 404
    anna.refresh_from_db()
    assert anna.checked_in_at is None and not AuditEntry.objects.exists()


def test_a_registration_of_another_event_is_not_found(client_a, event_a, team_a):
    other = make_registration(make_event(organiser=team_a))
    assert client_a.post(url("attendee_check_in", event_a.pk, other.pk)).status_code == 404


def test_check_in_is_post_only(client_a, anna):
    assert client_a.get(check_in_url(anna)).status_code == 405
    anna.refresh_from_db()
    assert anna.checked_in_at is None


# Without JavaScript ---------------------------------------------------------------------


def test_check_in_returns_to_the_page_with_its_filters(client_a, anna, organiser_a):
    back = attendees_url(anna.event, "q=anna&status=not_checked_in&page=1")
    response = client_a.post(check_in_url(anna), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    anna.refresh_from_db()
    assert anna.checked_in_at == NOW
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.registration, entry.event) == (
        "checked_in",
        organiser_a,
        anna,
        anna.event,
    )
    page = client_a.get(back).content.decode()
    assert "Anna Åberg checked in." in page


def test_undo_check_in(client_a, anna):
    anna.checked_in_at = NOW
    anna.save()
    response = client_a.post(check_in_url(anna), {"undo": "1"})
    assert response.status_code == 302 and response["Location"] == attendees_url(anna.event)
    anna.refresh_from_db()
    assert anna.checked_in_at is None
    assert AuditEntry.objects.get().action == "check_in_undone"


def test_checking_in_twice_is_harmless(client_a, anna):
    client_a.post(check_in_url(anna))
    client_a.post(check_in_url(anna))
    assert AuditEntry.objects.count() == 1


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/path", "/\\evil.example", "javascript:alert(1)"]
)
def test_only_a_local_next_is_followed(client_a, anna, next_url):
    response = client_a.post(check_in_url(anna), {"next": next_url})
    assert response["Location"] == attendees_url(anna.event)


def test_from_the_door_goes_back_to_the_door(client_a, anna):
    response = client_a.post(check_in_url(anna), {"view": "door"})
    assert response["Location"] == door_url(anna.event)


@pytest.mark.parametrize("status", ["waitlisted", "cancelled"])
def test_only_confirmed_people_can_be_checked_in(client_a, event_a, status):
    registration = make_registration(event_a, status=status)
    response = client_a.post(check_in_url(registration))
    assert response.status_code == 409
    assert "Only confirmed participants can be checked in." in response.content.decode()
    registration.refresh_from_db()
    assert registration.checked_in_at is None and not AuditEntry.objects.exists()


# With htmx ------------------------------------------------------------------------------


def test_htmx_check_in_swaps_the_row_and_announces_it(client_a, anna):
    make_registration(anna.event)  # a second confirmed participant
    response = client_a.post(check_in_url(anna), {"next": attendees_url(anna.event)}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content
    assert content.lstrip().startswith(f'<tr id="registration-{anna.pk}"')
    assert f'id="check-in-{anna.pk}"' in content  # the same button id, so htmx keeps the focus on it
    assert "Undo check-in" in content and 'name="undo" value="1"' in content
    assert '<span hx-swap-oob="innerHTML:#attendance-announcement">Anna Åberg checked in.</span>' in content
    assert 'hx-swap-oob="innerHTML:#attendance-counts"' in content
    assert "<dt>Checked in</dt><dd>1</dd>" in content
    assert "Borås Stad" in content


def test_htmx_undo_swaps_back(client_a, anna):
    anna.checked_in_at = NOW
    anna.save()
    response = client_a.post(check_in_url(anna), {"undo": "1"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "Check-in of Anna Åberg undone." in content
    assert "<dt>Checked in</dt><dd>0</dd>" in content
    assert 'name="undo"' not in content


def test_htmx_error_is_a_conflict_with_the_row_as_it_is(client_a, event_a):
    registration = make_registration(event_a, status="waitlisted")
    response = client_a.post(check_in_url(registration), HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    content = response.content.decode()
    assert "Only confirmed participants can be checked in." in content
    assert f'<tr id="registration-{registration.pk}"' in content
    assert "check-in-form" not in content


def test_htmx_check_in_at_the_door_swaps_the_list_item_and_the_count(client_a, anna):
    make_registration(anna.event)
    response = client_a.post(check_in_url(anna), {"view": "door"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert content.lstrip().startswith(f'<li id="door-{anna.pk}"')
    assert 'hx-target="closest li"' in content and 'name="view" value="door"' in content
    assert 'hx-swap-oob="innerHTML:#door-count"' in content
    assert "<strong>1</strong> of 2 checked in" in content
    assert "Anna Åberg checked in." in content


def test_check_in_buttons_name_the_person(client_a, anna):
    content = client_a.get(attendees_url(anna.event)).content.decode()
    assert 'Check in<span class="visually-hidden">: Anna Åberg</span></button>' in content
    assert 'hx-post="' in content and 'hx-target="closest tr"' in content and 'hx-swap="outerHTML"' in content


# The door view --------------------------------------------------------------------------


def test_door_lists_confirmed_people_with_the_running_count(client_a, event_a, anna):
    make_registration(event_a, make_user(first_name="Bertil", last_name="Ek"), checked_in_at=NOW)
    make_registration(event_a, make_user(first_name="Cecilia", last_name="Kö"), status="waitlisted")
    response = client_a.get(door_url(event_a))
    content = response.content.decode()
    assert response.status_code == 200
    assert "<strong>1</strong> of 2 checked in" in content
    assert "Anna Åberg" in content and "Borås Stad" in content and "Bertil Ek" in content
    assert "Cecilia Kö" not in content
    assert 'hx-trigger="input changed delay:300ms, search"' in content
    assert 'method="get"' in content and 'type="search"' in content


def test_door_search_without_javascript_and_with_htmx(client_a, event_a, anna):
    make_registration(event_a, make_user(first_name="Bertil", last_name="Ek"))
    page = client_a.get(door_url(event_a, "q=%C3%A5berg"))  # "åberg"
    assert [registration.pk for registration in page.context["registrations"]] == [anna.pk]
    fragment = client_a.get(door_url(event_a, "q=ÅBERG"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="door-results")
    content = fragment.content.decode()
    assert "<html" not in content and "Anna Åberg" in content and "Bertil Ek" not in content
    assert fragment["HX-Push-Url"] == door_url(event_a) + "?q=%C3%85BERG"


def test_door_shows_more_by_appending_the_next_page(client_a, event_a):
    bulk_registrations(event_a, 30)
    first = client_a.get(door_url(event_a))
    assert len(first.context["registrations"]) == 25
    content = first.content.decode()
    assert 'id="door-more"' in content and 'href="?page=2"' in content
    more = client_a.get(door_url(event_a, "page=2"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="door-more")
    content = more.content.decode()
    assert content.count("<li ") == 5 and "door-more" not in content
    assert "data-focus" in content  # the first new participant gets the focus


def test_door_reports_an_overlong_search(client_a, event_a, anna):
    response = client_a.get(door_url(event_a), {"q": "x" * 500})
    assert response.status_code == 200
    assert "Use at most 100 characters. The search was ignored." in response.content.decode()
    assert list(response.context["registrations"]) == [anna]


def test_door_runs_the_same_number_of_queries_for_10_and_2000(client_a, team_a):
    small, large = make_event(organiser=team_a), make_event(organiser=team_a, capacity=None)
    bulk_registrations(small, 10)
    bulk_registrations(large, 2000)
    counts = []
    for event in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client_a.get(door_url(event, "q=person")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_door_is_for_the_team_only(client, participant, organiser_b, team_b, event_a):
    assert client.get(door_url(event_a)).status_code == 302
    client.force_login(participant)
    assert client.get(door_url(event_a)).status_code == 403
    client.force_login(organiser_b)
    assert client.get(door_url(event_a)).status_code == 404
    assert Registration.objects.count() == 0
