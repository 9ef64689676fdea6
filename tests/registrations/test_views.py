import pytest
from allauth.account.models import EmailAddress

from events.models import Event
from registrations.models import Question, Registration
from tests.factories import at, make_event, make_registration, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def participant(client):
    user = make_user(email="sara@example.org", first_name="Sara", last_name="Öberg", organisation="Borås Stad")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)
    return user


def register_url(event):
    return f"/events/{event.slug}/register/"


def valid_data(**extra):
    return {"organisation": "Borås Stad", "dietary_needs": "", "accessibility_needs": "", "consent": "on", **extra}


def test_registration_requires_login(client):
    event = make_event()
    response = client.get(register_url(event))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_unverified_email_must_be_verified_first(client):
    event = make_event()
    client.force_login(make_user())
    response = client.get(register_url(event))
    assert response.status_code == 403
    assert "Bekräfta din e-postadress" in response.content.decode() or "e-post" in response.content.decode()


def test_form_is_prefilled_and_asks_the_events_questions(client, participant):
    event = make_event()
    Question.objects.create(event=event, label="Vilken workshop?", kind="single_choice", choices="A\nB", required=True)
    Question.objects.create(event=event, label="Vill du ha intyg?", kind="yes_no")
    content = client.get(register_url(event)).content.decode()
    assert 'value="Borås Stad"' in content
    assert "Vilken workshop?" in content and "Vill du ha intyg?" in content
    assert 'name="consent"' in content


def test_successful_registration_confirms_and_shows_status(
    client, participant, mailoutbox, django_capture_on_commit_callbacks
):
    event = make_event(capacity=10, format=Event.Format.HYBRID, online_url="https://meet.example.org/abc")
    question = Question.objects.create(event=event, label="Vilken workshop?", kind="single_choice", choices="A\nB")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            register_url(event), valid_data(**{question.key: "B", "dietary_needs": "Vegan", "sensitive_consent": "on"})
        )
    assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    registration = Registration.objects.get(event=event, user=participant)
    assert registration.is_confirmed and registration.answers == {question.key: "B"}
    assert registration.dietary_needs == "Vegan"
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Du är anmäld" in page
    assert "https://meet.example.org/abc" in page  # the online link, for confirmed participants only
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [participant.email]


def test_validation_errors_keep_what_was_typed(client, participant):
    event = make_event()
    question = Question.objects.create(event=event, label="Förväntningar", kind="long_text", required=True)
    response = client.post(register_url(event), {"organisation": "Min org", "dietary_needs": "Laktosfri"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Laktosfri" in content and 'value="Min org"' in content
    assert "Du behöver godkänna" in content  # consent missing
    assert question.label in content
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("organisation", "x" * 201), ("dietary_needs", "x" * 501), ("accessibility_needs", "x" * 501)],
)
def test_over_long_answers_are_refused(client, participant, field, value):
    event = make_event()
    response = client.post(register_url(event), valid_data(**{field: value}))
    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_invalid_choice_is_refused(client, participant):
    event = make_event()
    question = Question.objects.create(event=event, label="Val", kind="multiple_choice", choices="A\nB")
    response = client.post(register_url(event), valid_data(**{question.key: ["A", "Z"]}))
    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_full_event_puts_participant_on_the_waiting_list(client, participant):
    event = make_event(capacity=1)
    make_registration(event)
    response = client.post(register_url(event), valid_data(), follow=True)
    assert "nummer 1 på väntelistan" in response.content.decode()
    assert Registration.objects.get(user=participant).is_waitlisted


def test_full_event_without_waiting_list_says_so(client, participant):
    event = make_event(capacity=1, waitlist_enabled=False)
    make_registration(event)
    response = client.post(register_url(event), valid_data())
    assert response.status_code == 409
    assert "Evenemanget är fullt och har ingen väntelista" in response.content.decode()


def test_registering_twice_redirects_to_the_event(client, participant):
    event = make_event()
    make_registration(event, participant)
    response = client.post(register_url(event), valid_data())
    assert response.status_code == 302
    assert Registration.objects.filter(user=participant).count() == 1


@pytest.mark.parametrize("status", [Event.Status.CANCELLED])
def test_closed_event_shows_why_and_refuses_a_crafted_post(client, participant, status):
    event = make_event(status=status)
    assert client.get(register_url(event)).status_code == 409
    assert client.post(register_url(event), valid_data()).status_code == 409
    assert not Registration.objects.exists()


def test_draft_event_is_404(client, participant):
    event = make_event(status=Event.Status.DRAFT)
    assert client.post(register_url(event), valid_data()).status_code == 404


def test_my_registrations_lists_status_and_queue_rank(client, participant):
    soon = make_event(title="Snart", start=at(days=2))
    full = make_event(title="Fullt", capacity=1, start=at(days=3))
    make_registration(full)
    ahead = make_registration(full, status=Registration.Status.WAITLISTED, waitlist_position=3)
    make_registration(soon, participant)
    make_registration(full, participant, status=Registration.Status.WAITLISTED, waitlist_position=7)
    make_registration(make_event(title="Förr", start=at(days=-20)), participant)
    ahead.status, ahead.waitlist_position = Registration.Status.CANCELLED, None
    ahead.save()
    content = client.get("/me/registrations/").content.decode()
    assert "Snart" in content and "Förr" in content
    assert "Väntelista, nummer 1" in content  # the one ahead left: rank, not queue number


def test_cancel_asks_for_confirmation_then_cancels_and_promotes(client, participant):
    event = make_event(capacity=1)
    mine = make_registration(event, participant)
    waiting = make_registration(event, status=Registration.Status.WAITLISTED)
    url = f"/me/registrations/{mine.pk}/cancel/"
    confirm = client.get(url)
    assert confirm.status_code == 200 and 'method="post"' in confirm.content.decode()
    mine.refresh_from_db()
    assert mine.is_confirmed  # GET changes nothing
    response = client.post(url)
    assert response.status_code == 302
    mine.refresh_from_db()
    waiting.refresh_from_db()
    assert mine.status == Registration.Status.CANCELLED and waiting.is_confirmed


def test_cancel_confirmation_is_an_htmx_fragment(client, participant):
    mine = make_registration(make_event(), participant)
    content = client.get(f"/me/registrations/{mine.pk}/cancel/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in content and 'method="post"' in content


def test_someone_elses_registration_cannot_be_cancelled(client, participant):
    other = make_registration(make_event())
    assert client.get(f"/me/registrations/{other.pk}/cancel/").status_code == 404
    assert client.post(f"/me/registrations/{other.pk}/cancel/").status_code == 404
    other.refresh_from_db()
    assert other.is_confirmed


def test_online_link_is_hidden_from_waitlisted_and_anonymous(client, participant):
    event = make_event(capacity=0, format=Event.Format.ONLINE, online_url="https://meet.example.org/hemlig")
    make_registration(event, participant, status=Registration.Status.WAITLISTED)
    assert "hemlig" not in client.get(event.get_absolute_url()).content.decode()
    client.logout()
    assert "hemlig" not in client.get(event.get_absolute_url()).content.decode()


def test_profile_edits_name_and_organisation(client, participant):
    response = client.post(
        "/me/profile/", {"first_name": "Sara", "last_name": "Åberg", "organisation": "RISE", "language": "en"}
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.organisation == "RISE" and participant.language == "en"
    assert client.post("/me/profile/", {"first_name": "x" * 200, "language": "fr"}).status_code == 400


def test_upcoming_registrations_can_be_cancelled_even_with_past_ones(client, participant):
    upcoming = make_registration(make_event(start=at(days=2)), participant)
    past = make_registration(make_event(start=at(days=-20)), participant)
    content = client.get("/me/registrations/").content.decode()
    assert f"/me/registrations/{upcoming.pk}/cancel/" in content
    assert f"/me/registrations/{past.pk}/cancel/" not in content


def test_no_cancel_link_once_the_event_has_started(client, participant):
    import datetime

    from tests.factories import NOW

    ongoing = make_registration(make_event(start=NOW - datetime.timedelta(hours=1)), participant)
    content = client.get("/me/registrations/").content.decode()
    assert ongoing.event.title in content
    assert f"/me/registrations/{ongoing.pk}/cancel/" not in content


def test_cancel_page_of_a_started_event_explains_instead_of_offering(client, participant):
    import datetime

    from tests.factories import NOW

    ongoing = make_registration(make_event(start=NOW - datetime.timedelta(hours=1)), participant)
    response = client.get(f"/me/registrations/{ongoing.pk}/cancel/")
    assert response.status_code == 409
    content = response.content.decode()
    assert "har redan börjat" in content
    assert f'action="/me/registrations/{ongoing.pk}/cancel/"' not in content
