"""The attendee list, adding a person, cancelling and confirming from the waiting list (views)."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from registrations.forms import AttendeeFilterForm
from registrations.models import AuditEntry, Question, Registration
from registrations.queries import ATTENDEE_STATUSES
from tests.factories import NOW, make_event, make_registration, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def url(name, *args, query=""):
    """The English page (the Swedish texts are filled in later by translators)."""
    with translation.override("en"):
        return reverse(f"organise:{name}", args=args) + (f"?{query}" if query else "")


def attendees_url(event, query=""):
    return url("attendees", event.pk, query=query)


def person(first_name, last_name, **extra):
    return make_user(first_name=first_name, last_name=last_name, **extra)


# Who may see the pages -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["attendees", "attendee_add", "door"])
def test_event_pages_require_login(client, event_a, name):
    response = client.get(url(name, event_a.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/?next=")


@pytest.mark.parametrize("name", ["attendee_cancel", "attendee_confirm"])
def test_registration_pages_require_login(client, event_a, participant, name):
    registration = make_registration(event_a, participant)
    response = client.get(url(name, event_a.pk, registration.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")


@pytest.mark.parametrize("name", ["attendees", "attendee_add", "door"])
def test_participants_are_refused(client, event_a, participant, name):
    client.force_login(participant)
    assert client.get(url(name, event_a.pk)).status_code == 403


@pytest.mark.parametrize("name", ["attendee_cancel", "attendee_confirm"])
def test_participants_are_refused_registration_pages(client, event_a, participant, name):
    registration = make_registration(event_a, participant)
    client.force_login(participant)
    assert client.get(url(name, event_a.pk, registration.pk)).status_code == 403
    assert client.post(url(name, event_a.pk, registration.pk)).status_code == 403
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED


@pytest.mark.parametrize("name", ["attendees", "attendee_add", "door"])
def test_another_teams_event_is_not_found(client_b, event_a, name):
    assert client_b.get(url(name, event_a.pk)).status_code == 404


@pytest.mark.parametrize("name", ["attendee_cancel", "attendee_confirm"])
def test_another_teams_registrations_are_not_found(client_b, event_a, participant, name):
    registration = make_registration(event_a, participant, status=Registration.Status.WAITLISTED)
    assert client_b.get(url(name, event_a.pk, registration.pk)).status_code == 404
    assert client_b.post(url(name, event_a.pk, registration.pk), {"over_capacity": "on"}).status_code == 404
    registration.refresh_from_db()
    assert registration.status == Registration.Status.WAITLISTED
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("name", ["attendee_cancel", "attendee_confirm"])
def test_a_registration_of_another_event_is_not_found_through_this_event(client_a, event_a, team_a, name):
    other_event = make_event(organiser=team_a)  # the same team, but not this event
    registration = make_registration(other_event, status=Registration.Status.WAITLISTED)
    assert client_a.get(url(name, event_a.pk, registration.pk)).status_code == 404
    assert client_a.post(url(name, event_a.pk, registration.pk)).status_code == 404


def test_posting_to_the_list_is_not_allowed(client_a, event_a):
    assert client_a.post(attendees_url(event_a)).status_code == 405


# The list ---------------------------------------------------------------------------------


def test_list_shows_figures_people_answers_and_needs(client_a, event_a):
    workshop = Question.objects.create(
        event=event_a, label="Which workshops?", kind="multiple_choice", choices="Solar\nWind\nBiogas"
    )
    certificate = Question.objects.create(event=event_a, label="Certificate?", kind="yes_no")
    make_registration(
        event_a,
        person("Anna", "Åberg", email="anna@example.org"),
        organisation="Borås Stad",
        dietary_needs="Vegan",
        accessibility_needs="Hearing loop",
        answers={workshop.key: ["Solar", "Biogas"], certificate.key: "yes"},
        checked_in_at=NOW,
    )
    make_registration(event_a, person("Bertil", "Öst"), status=Registration.Status.WAITLISTED, waitlist_position=4)
    make_registration(event_a, person("Cecilia", "Ek"), status=Registration.Status.CANCELLED)
    response = client_a.get(attendees_url(event_a))
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count("<h1") == 1
    assert "<caption" in content and '<th scope="col">Which workshops?</th>' in content
    assert "Solar, Biogas" in content and "<td>Yes</td>" in content
    assert "Vegan" in content and "Hearing loop" in content and "Borås Stad" in content
    assert "anna@example.org" in content
    assert "Bertil Öst" in content
    assert "Cecilia Ek" not in content  # cancelled registrations only on request
    figures = content[content.index('id="attendance-counts"') : content.index("</dl>")]
    assert "1 of 10" in figures  # confirmed of capacity
    assert "<dt>On the waiting list</dt><dd>1</dd>" in figures
    assert "<dt>Checked in</dt><dd>1</dd>" in figures
    assert "<dt>Cancelled</dt><dd>1</dd>" in figures


def test_list_links_to_add_door_exports_and_messages_with_the_filters(client_a, event_a):
    content = client_a.get(attendees_url(event_a, "q=Åberg&status=confirmed")).content.decode()
    assert f'href="{url("attendee_add", event_a.pk)}"' in content
    assert f'href="{url("door", event_a.pk)}"' in content
    assert f'href="{url("message_create", event_a.pk)}"' in content
    for name in ("export_csv", "export_xlsx", "print_list"):
        assert f'href="{url(name, event_a.pk)}?q=%C3%85berg&amp;status=confirmed"' in content


def test_waiting_list_is_in_queue_order_with_visible_ranks(client_a, event_a):
    # Positions are queue numbers with gaps; the rank shown counts those still waiting.
    late = make_registration(event_a, person("Zlatan", "Aalto"), status="waitlisted", waitlist_position=9)
    early = make_registration(event_a, person("Örjan", "Zetterberg"), status="waitlisted", waitlist_position=3)
    response = client_a.get(attendees_url(event_a, "status=waitlisted"))
    rows = response.context["registrations"]
    assert [row.pk for row in rows] == [early.pk, late.pk]
    assert [row.rank for row in rows] == [1, 2]


def test_status_filters(client_a, event_a):
    checked_in = make_registration(event_a, person("Ada", "In"), checked_in_at=NOW)
    not_yet = make_registration(event_a, person("Bo", "Ute"))
    waiting = make_registration(event_a, person("Cia", "Kö"), status="waitlisted")
    cancelled = make_registration(event_a, person("Dag", "Bort"), status="cancelled")
    expected = {
        "": {checked_in, not_yet, waiting},
        "confirmed": {checked_in, not_yet},
        "checked_in": {checked_in},
        "not_checked_in": {not_yet},
        "waitlisted": {waiting},
        "cancelled": {cancelled},
        "all": {checked_in, not_yet, waiting, cancelled},
    }
    for status, registrations in expected.items():
        response = client_a.get(attendees_url(event_a, f"status={status}"))
        assert set(response.context["registrations"]) == registrations, status


def test_filter_form_offers_exactly_the_statuses_the_query_knows():
    offered = {value for value, _label in AttendeeFilterForm.STATUS_CHOICES if value}
    assert offered == set(ATTENDEE_STATUSES)


@pytest.mark.parametrize("query", ["åberg", "ÅBERG", "Åberg", "anna åb", "borås", "ANNA@EXAMPLE"])
def test_search_by_name_email_and_organisation_with_swedish_letters(client_a, event_a, query):
    anna = make_registration(event_a, person("Anna", "Åberg", email="anna@example.org"), organisation="Borås Stad")
    make_registration(event_a, person("Anders", "Berg", email="anders@example.org"), organisation="Alingsås")
    response = client_a.get(attendees_url(event_a), {"q": query})
    assert list(response.context["registrations"]) == [anna]


def test_search_words_must_all_match(client_a, event_a):
    make_registration(event_a, person("Anna", "Åberg"))
    response = client_a.get(attendees_url(event_a), {"q": "anna öberg"})
    assert list(response.context["registrations"]) == []
    assert "Nobody matches your search or filter." in response.content.decode()


def test_unknown_status_is_reported_and_ignored(client_a, event_a):
    registration = make_registration(event_a)
    response = client_a.get(attendees_url(event_a, "status=vip"))
    assert response.status_code == 200
    assert "There is no such status. This filter was ignored." in response.content.decode()
    assert list(response.context["registrations"]) == [registration]


def test_overlong_search_is_reported_and_ignored(client_a, event_a):
    registration = make_registration(event_a)
    response = client_a.get(attendees_url(event_a), {"q": "å" * 101})
    assert response.status_code == 200
    assert "Use at most 100 characters. The search was ignored." in response.content.decode()
    assert list(response.context["registrations"]) == [registration]
    response = client_a.get(attendees_url(event_a), {"q": "a b c d e f"})
    assert "Use at most 5 words." in response.content.decode()


def bulk_registrations(event, count, *, start=0, waitlisted=False, **fields):
    """``count`` registrations made fast (bulk_create); waitlisted ones get queue positions 1, 2, …"""
    User = get_user_model()
    users = User.objects.bulk_create(
        User(email=f"p{event.pk}-{number}@example.org", first_name="Person", last_name=f"{number:05d}", password="!")
        for number in range(start, start + count)
    )
    if waitlisted:
        fields["status"] = Registration.Status.WAITLISTED
    return Registration.objects.bulk_create(
        Registration(
            event=event, user=user, consent_at=NOW, waitlist_position=number + 1 if waitlisted else None, **fields
        )
        for number, user in enumerate(users)
    )


@pytest.mark.parametrize("page", ["2", "9999", "x", "-1", "1" * 40])
def test_odd_page_numbers_give_a_page(client_a, event_a, page):
    bulk_registrations(event_a, 60)
    response = client_a.get(attendees_url(event_a), {"page": page})
    assert response.status_code == 200
    assert len(response.context["registrations"]) in (50, 10)


def test_pagination_keeps_the_filters(client_a, event_a):
    bulk_registrations(event_a, 120)
    response = client_a.get(attendees_url(event_a, "q=person&status=confirmed"))
    content = response.content.decode()
    assert len(response.context["registrations"]) == 50
    assert 'href="?q=person&amp;status=confirmed&amp;page=2"' in content
    page_3 = client_a.get(attendees_url(event_a, "q=person&status=confirmed&page=3"))
    assert len(page_3.context["registrations"]) == 20
    assert page_3.context["registrations"][-1].user.last_name == "00119"  # stable order, by name


def test_htmx_gets_the_results_fragment_with_a_clean_address(client_a, event_a):
    make_registration(event_a, person("Anna", "Åberg"))
    response = client_a.get(attendees_url(event_a, "q=anna&status="), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content and "<h1" not in content
    assert "Anna Åberg" in content
    assert 'hx-swap-oob="innerHTML:#results-count"' in content
    assert response["HX-Push-Url"] == url("attendees", event_a.pk) + "?q=anna"
    assert "HX-Request" in response["Vary"]
    full = client_a.get(attendees_url(event_a, "q=anna"))
    assert "<h1" in full.content.decode() and 'hx-get="' in full.content.decode()


def test_list_shows_the_audit_log_newest_first_with_show_all(client_a, event_a, organiser_a):
    registration = make_registration(event_a, person("Anna", "Åberg"))
    for _number in range(25):
        AuditEntry.objects.create(event=event_a, actor=organiser_a, action="checked_in", registration=registration)
    AuditEntry.objects.create(event=event_a, actor=organiser_a, action="exported", detail="csv")
    AuditEntry.objects.create(event=make_event(), actor=organiser_a, action="printed")  # another event
    response = client_a.get(attendees_url(event_a))
    entries = response.context["log_entries"]
    assert len(entries) == 20 and entries[0].action == "exported"
    content = response.content.decode()
    assert "Exported the attendee list" in content and "Alva Arrangör" in content
    assert "?log=all#audit-log" in content
    response = client_a.get(attendees_url(event_a, "log=all"))
    assert len(response.context["log_entries"]) == 26
    assert "Printed" not in response.content.decode()


# Query budget -----------------------------------------------------------------------------


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("status", ["", "all", "waitlisted"])
def test_list_runs_the_same_number_of_queries_for_10_and_2000_registrations(client_a, team_a, organiser_a, status):
    # Per request: session, user, the organiser check, the event, the figures, the questions,
    # the page's count and rows, the audit log, and the header's organiser link.
    small, large = make_event(organiser=team_a, capacity=None), make_event(organiser=team_a, capacity=None)
    for event, count in ((small, 10), (large, 2000)):
        Question.objects.create(event=event, label="Workshop?", kind="short_text")
        bulk_registrations(event, count // 2, checked_in_at=NOW)
        waiting = bulk_registrations(event, count // 2, start=count, waitlisted=True)
        AuditEntry.objects.create(event=event, actor=organiser_a, action="added", registration=waiting[0])
    query = f"status={status}&q=person"
    small_count, small_response = count_queries(client_a, attendees_url(small, query))
    large_count, large_response = count_queries(client_a, attendees_url(large, query))
    assert len(small_response.context["registrations"]) == (5 if status == "waitlisted" else 10)
    assert len(large_response.context["registrations"]) == 50
    assert small_count == large_count
    assert small_count <= 12


# Adding a person --------------------------------------------------------------------------


def test_add_page_explains_the_invitation(client_a, event_a):
    content = client_a.get(url("attendee_add", event_a.pk)).content.decode()
    assert "gets an e-mail invitation to choose a password" in content
    assert 'name="email"' in content and 'name="over_capacity"' in content


def test_adding_a_person_without_an_account_invites_them(
    client_a, event_a, organiser_a, mailoutbox, django_capture_on_commit_callbacks
):
    data = {"email": "Ny.Person@Example.org", "first_name": "Nils", "last_name": "Ängby", "organisation": "Lerum"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(url("attendee_add", event_a.pk), data)
    assert response.status_code == 302 and response["Location"] == attendees_url(event_a)
    registration = Registration.objects.get(event=event_a)
    user = registration.user
    assert (user.email, user.first_name, user.last_name) == ("ny.person@example.org", "Nils", "Ängby")
    assert not user.has_usable_password()
    address = EmailAddress.objects.get(user=user)
    assert address.email == "ny.person@example.org" and not address.verified
    assert registration.status == "confirmed" and registration.organisation == "Lerum"
    assert registration.added_by == organiser_a
    entry = AuditEntry.objects.get(event=event_a)
    assert (entry.action, entry.actor, entry.registration) == ("added", organiser_a, registration)
    assert entry.detail == "invited"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["ny.person@example.org"]
    assert "/accounts/password/reset/key/" in mailoutbox[0].body
    page = client_a.get(attendees_url(event_a)).content.decode()
    assert "Nils Ängby is registered and confirmed." in page


def test_adding_an_existing_participant_uses_their_account(client_a, event_a, participant, mailoutbox):
    response = client_a.post(url("attendee_add", event_a.pk), {"email": participant.email})
    assert response.status_code == 302
    assert Registration.objects.get(event=event_a).user == participant
    assert get_user_model().objects.filter(email=participant.email).count() == 1


def test_adding_someone_already_registered_is_a_conflict_on_the_email_field(client_a, event_a, participant):
    make_registration(event_a, participant)
    response = client_a.post(url("attendee_add", event_a.pk), {"email": participant.email, "first_name": "Dana"})
    assert response.status_code == 409
    assert response.context["form"].errors["email"] == [f"{participant.email} is already registered for this event."]
    assert 'value="Dana"' in response.content.decode()  # nothing typed is lost
    assert Registration.objects.count() == 1


def test_adding_to_a_full_event_goes_to_the_waiting_list(client_a, event_a):
    bulk_registrations(event_a, 10)
    assert "The event is full" in client_a.get(url("attendee_add", event_a.pk)).content.decode()
    response = client_a.post(url("attendee_add", event_a.pk), {"email": "queue@example.org"}, follow=True)
    registration = Registration.objects.get(event=event_a, user__email="queue@example.org")
    assert registration.status == "waitlisted"
    assert "is on the waiting list as number 1" in response.content.decode()


def test_adding_over_the_capacity_when_asked(client_a, event_a):
    bulk_registrations(event_a, 10)
    data = {"email": "extra@example.org", "over_capacity": "on"}
    assert client_a.post(url("attendee_add", event_a.pk), data).status_code == 302
    registration = Registration.objects.get(event=event_a, user__email="extra@example.org")
    assert registration.status == "confirmed"
    assert Registration.objects.filter(event=event_a, status="confirmed").count() == 11
    assert AuditEntry.objects.get(registration=registration).detail == "invited over capacity"


def test_adding_to_a_full_event_without_waiting_list_is_a_conflict_on_the_checkbox(client_a, event_a):
    event_a.waitlist_enabled = False
    event_a.save()
    bulk_registrations(event_a, 10)
    response = client_a.post(url("attendee_add", event_a.pk), {"email": "extra@example.org", "last_name": "Ås"})
    assert response.status_code == 409
    assert "over_capacity" in response.context["form"].errors
    assert 'value="Ås"' in response.content.decode()
    assert not Registration.objects.filter(user__email="extra@example.org").exists()


def test_adding_to_a_draft_event_is_a_conflict(client_a, event_a):
    event_a.status = "draft"
    event_a.save()
    response = client_a.post(url("attendee_add", event_a.pk), {"email": "x@example.org"})
    assert response.status_code == 409
    assert "Only a published event that has not ended can take participants." in response.content.decode()


@pytest.mark.parametrize("data", [{}, {"email": "not an address"}, {"email": "a@example.org", "first_name": "x" * 151}])
def test_adding_with_bad_input_is_a_bad_request(client_a, event_a, data):
    response = client_a.post(url("attendee_add", event_a.pk), data)
    assert response.status_code == 400
    assert "Please correct the following:" in response.content.decode()
    assert not Registration.objects.exists()


# Cancelling -------------------------------------------------------------------------------


def test_cancel_page_asks_and_explains(client_a, event_a):
    registration = make_registration(event_a, person("Anna", "Åberg"))
    make_registration(event_a, status="waitlisted")
    response = client_a.get(url("attendee_cancel", event_a.pk, registration.pk))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Cancel the registration of Anna Åberg?" in content
    assert "gets an e-mail" in content and "the first person on the waiting list moves up" in content
    registration.refresh_from_db()
    assert registration.status == "confirmed"  # a GET changes nothing


def test_cancelling_frees_the_seat_for_the_waiting_list(
    client_a, event_a, organiser_a, mailoutbox, django_capture_on_commit_callbacks
):
    registration = make_registration(event_a, person("Anna", "Åberg"))
    waiting = make_registration(event_a, status="waitlisted")
    back = attendees_url(event_a, "status=all&page=1")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(url("attendee_cancel", event_a.pk, registration.pk), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    registration.refresh_from_db()
    waiting.refresh_from_db()
    assert registration.status == "cancelled" and waiting.status == "confirmed"
    entry = AuditEntry.objects.get(event=event_a)
    assert (entry.action, entry.actor, entry.registration) == ("cancelled", organiser_a, registration)
    assert {message.to[0] for message in mailoutbox} == {registration.user.email, waiting.user.email}


def test_cancel_ignores_a_next_to_another_site(client_a, event_a):
    registration = make_registration(event_a)
    response = client_a.post(url("attendee_cancel", event_a.pk, registration.pk), {"next": "https://evil.example/"})
    assert response["Location"] == attendees_url(event_a)


def test_cancelling_a_cancelled_registration_is_a_conflict(client_a, event_a):
    registration = make_registration(event_a, status="cancelled")
    response = client_a.post(url("attendee_cancel", event_a.pk, registration.pk))
    assert response.status_code == 409
    assert "This registration is already cancelled." in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_cancelling_after_the_event_ended_is_a_conflict(client_a, team_a):
    event = make_event(organiser=team_a, start=NOW - datetime.timedelta(days=2))
    registration = make_registration(event)
    response = client_a.post(url("attendee_cancel", event.pk, registration.pk))
    assert response.status_code == 409
    registration.refresh_from_db()
    assert registration.status == "confirmed"


# Confirming from the waiting list ---------------------------------------------------------


def test_confirm_page_says_who_is_skipped(client_a, event_a):
    make_registration(event_a, status="waitlisted", waitlist_position=1)
    make_registration(event_a, status="waitlisted", waitlist_position=2)
    third = make_registration(event_a, person("Anna", "Åberg"), status="waitlisted", waitlist_position=5)
    content = client_a.get(url("attendee_confirm", event_a.pk, third.pk)).content.decode()
    assert "2 people are ahead of Anna Åberg in the queue." in content
    assert 'name="over_capacity"' not in content  # seats are free


def test_confirm_page_for_the_first_in_line_says_nothing_about_skipping(client_a, event_a):
    first = make_registration(event_a, status="waitlisted", waitlist_position=7)
    content = client_a.get(url("attendee_confirm", event_a.pk, first.pk)).content.decode()
    assert "ahead of" not in content


def test_confirming_with_a_free_seat(client_a, event_a, organiser_a, mailoutbox, django_capture_on_commit_callbacks):
    registration = make_registration(event_a, status="waitlisted")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(url("attendee_confirm", event_a.pk, registration.pk))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "confirmed" and registration.waitlist_position is None
    entry = AuditEntry.objects.get(event=event_a)
    assert (entry.action, entry.actor, entry.detail) == ("confirmed", organiser_a, "")
    assert [message.to for message in mailoutbox] == [[registration.user.email]]


def test_full_event_needs_the_over_capacity_box(client_a, event_a):
    bulk_registrations(event_a, 10)
    registration = make_registration(event_a, status="waitlisted")
    content = client_a.get(url("attendee_confirm", event_a.pk, registration.pk)).content.decode()
    assert "Yes, confirm over the capacity (10 of 10 seats taken)" in content
    assert 'name="over_capacity"' in content and "required" in content
    response = client_a.post(url("attendee_confirm", event_a.pk, registration.pk))
    assert response.status_code == 409
    assert "The event is full. Confirm that you want to go over the capacity." in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == "waitlisted"
    response = client_a.post(url("attendee_confirm", event_a.pk, registration.pk), {"over_capacity": "on"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    assert AuditEntry.objects.get(event=event_a).detail == "over capacity"


def test_confirming_someone_not_on_the_waiting_list_is_a_conflict(client_a, event_a):
    registration = make_registration(event_a)
    assert client_a.get(url("attendee_confirm", event_a.pk, registration.pk)).status_code == 409
    response = client_a.post(url("attendee_confirm", event_a.pk, registration.pk))
    assert response.status_code == 409
    assert "This person is no longer on the waiting list." in response.content.decode()
    assert not AuditEntry.objects.exists()
