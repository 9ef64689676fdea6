"""Creating, editing, duplicating, publishing and cancelling events in the organiser workspace."""

import datetime

import pytest

from events.models import Event
from registrations.models import AuditEntry, Mailing, Question, Registration
from tests.factories import at, make_digital_place, make_event, make_organiser, make_registration, make_theme

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def local(value):
    """How a datetime-local input sends a Stockholm wall-clock time."""
    return value.strftime("%Y-%m-%dT%H:%M")


def event_data(team, place, **overrides):
    data = {
        "title": "Klimatforum Fyrbodal",
        "summary": "Hur når vi klimatmålen tillsammans?",
        "description": "",
        "organiser": team.pk,
        "place": place.pk,
        "format": Event.Format.ON_SITE,
        "online_url": "",
        "start": local(at(days=14, hour=9)),
        "end": local(at(days=14, hour=12)),
        "capacity": "40",
        "waitlist_enabled": "on",
        "registration_opens": "",
        "registration_closes": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def edit_data(event, **overrides):
    data = {
        "title": event.title,
        "summary": event.summary,
        "description": event.description,
        "organiser": event.organiser_id,
        "place": event.place_id,
        "format": event.format,
        "online_url": event.online_url,
        "start": local(event.start.astimezone(at().tzinfo)),
        "end": local(event.end.astimezone(at().tzinfo)),
        "capacity": "" if event.capacity is None else str(event.capacity),
        "waitlist_enabled": "on" if event.waitlist_enabled else None,
        "registration_opens": "",
        "registration_closes": "",
        "themes": [theme.pk for theme in event.themes.all()],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# Who may use each view -------------------------------------------------------------------

EVENT_VIEWS = ["event_edit", "event_duplicate", "event_cancel", "event_questions"]
POST_ONLY_VIEWS = ["event_publish", "event_unpublish"]


@pytest.mark.parametrize("name", EVENT_VIEWS + POST_ONLY_VIEWS)
def test_anonymous_visitors_are_sent_to_login(client, event_a, name):
    response = client.post(f"/organise/events/{event_a.pk}/{name.removeprefix('event_')}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_anonymous_visitors_cannot_create(client):
    response = client.get("/organise/events/new/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", EVENT_VIEWS + POST_ONLY_VIEWS)
def test_participants_get_403(client, participant, event_a, name):
    client.force_login(participant)
    assert client.post(f"/organise/events/{event_a.pk}/{name.removeprefix('event_')}/").status_code == 403


def test_participants_cannot_create(client, participant):
    client.force_login(participant)
    assert client.get("/organise/events/new/").status_code == 403


@pytest.mark.parametrize("name", EVENT_VIEWS)
def test_another_teams_event_is_404_on_get(client_b, event_a, name):
    assert client_b.get(f"/organise/events/{event_a.pk}/{name.removeprefix('event_')}/").status_code == 404


@pytest.mark.parametrize("name", EVENT_VIEWS + POST_ONLY_VIEWS)
def test_another_teams_event_is_404_on_post(client_b, event_a, name):
    before = Event.objects.get(pk=event_a.pk)
    assert client_b.post(f"/organise/events/{event_a.pk}/{name.removeprefix('event_')}/").status_code == 404
    after = Event.objects.get(pk=event_a.pk)
    assert (after.status, after.sequence, after.title) == (before.status, before.sequence, before.title)


@pytest.mark.parametrize("name", EVENT_VIEWS)
def test_own_teams_event_pages_open(client_a, event_a, name):
    response = client_a.get(f"/organise/events/{event_a.pk}/{name.removeprefix('event_')}/")
    assert response.status_code == 200
    assert response.content.decode().count("<h1") == 1


@pytest.mark.parametrize("name", POST_ONLY_VIEWS)
def test_publish_and_unpublish_refuse_get(client_a, event_a, name):
    assert client_a.get(f"/organise/events/{event_a.pk}/{name.removeprefix('event_')}/").status_code == 405


# Create ----------------------------------------------------------------------------------


def test_create_form_with_one_team_hides_the_team(client_a, team_a):
    content = client_a.get("/organise/events/new/").content.decode()
    assert f'type="hidden" name="organiser" value="{team_a.pk}"' in content
    assert 'type="datetime-local"' in content


def test_create_form_with_several_teams_offers_only_the_users_teams(client_a, organiser_a, team_a, team_b):
    other = make_organiser(members=[organiser_a], name="Team C", slug="team-c")
    content = client_a.get("/organise/events/new/").content.decode()
    assert "<select" in content and "Team C" in content and str(other) in content
    assert "Team B" not in content


def test_create_saves_a_draft_with_themes(client_a, organiser_a, team_a, place):
    theme = make_theme()
    response = client_a.post("/organise/events/new/", event_data(team_a, place, themes=[theme.pk]))
    event = Event.objects.get(title="Klimatforum Fyrbodal")
    assert response.status_code == 302 and response["Location"] == f"/organise/events/{event.pk}/edit/"
    assert event.status == Event.Status.DRAFT and event.organiser == team_a
    assert event.slug == "klimatforum-fyrbodal"
    assert event.start == at(days=14, hour=9)  # Stockholm wall-clock time
    assert list(event.themes.all()) == [theme]
    assert AuditEntry.objects.filter(event=event, action=AuditEntry.Action.CREATED, actor=organiser_a).exists()


def test_create_in_another_team_is_refused(client_a, team_a, team_b, place):
    response = client_a.post("/organise/events/new/", event_data(team_a, place, organiser=team_b.pk))
    assert response.status_code == 400
    assert not Event.objects.filter(title="Klimatforum Fyrbodal").exists()


def test_unlimited_capacity_when_blank(client_a, team_a, place):
    client_a.post("/organise/events/new/", event_data(team_a, place, capacity=""))
    assert Event.objects.get(title="Klimatforum Fyrbodal").capacity is None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"end": local(at(days=14, hour=8))}, "end", "The event must end after it starts."),
        ({"start": local(at(days=-1)), "end": local(at(days=-1, hour=12))}, "start", "cannot start in the past"),
        (
            {"registration_closes": local(at(days=14, hour=13))},
            "registration_closes",
            "no later than the event ends",
        ),
        (
            {"registration_opens": local(at(days=5)), "registration_closes": local(at(days=4))},
            "registration_closes",
            "Registration must close after it opens.",
        ),
        ({"registration_opens": local(at(days=14, hour=10))}, "registration_opens", "open before the event starts"),
        ({"format": Event.Format.ONLINE}, "place", "An online event needs a digital meeting place."),
        ({"format": Event.Format.HYBRID, "online_url": "http://meet.example.org/x"}, "online_url", "https://"),
        ({"start": "imorgon"}, "start", "Enter a date and time"),
        ({"title": ""}, "title", ""),
        ({"capacity": "-1"}, "capacity", ""),
    ],
)
def test_create_validation(client_a, team_a, place, overrides, field, message):
    response = client_a.post("/en/organise/events/new/", event_data(team_a, place, **overrides))
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    content = response.content.decode()
    if "title" not in overrides:
        assert 'value="Klimatforum Fyrbodal"' in content  # nothing typed is lost
    assert f'id="id_{field}_error"' in content
    assert not Event.objects.filter(title="Klimatforum Fyrbodal").exists()


def test_place_rules_for_digital_places(client_a, team_a):
    digital = make_digital_place()
    response = client_a.post("/organise/events/new/", event_data(team_a, digital, format=Event.Format.ON_SITE))
    assert response.status_code == 400 and "place" in response.context["form"].errors
    response = client_a.post("/organise/events/new/", event_data(team_a, digital, format=Event.Format.HYBRID))
    assert response.status_code == 400 and "place" in response.context["form"].errors
    response = client_a.post(
        "/organise/events/new/",
        event_data(team_a, digital, format=Event.Format.ONLINE, online_url="https://meet.example.org/a"),
    )
    assert response.status_code == 302
    assert Event.objects.get(title="Klimatforum Fyrbodal").online_url == "https://meet.example.org/a"


def test_errors_are_shown_at_the_field_and_in_the_summary(client_a, team_a, place):
    response = client_a.post("/organise/events/new/", event_data(team_a, place, end=local(at(days=14, hour=8))))
    content = response.content.decode()
    assert 'id="form-errors"' in content and 'href="#id_end"' in content
    assert 'id="id_end_error"' in content
    assert 'value="' + local(at(days=14, hour=8)) + '"' in content


# Edit ------------------------------------------------------------------------------------


def test_edit_without_registrations_saves_and_bumps_the_sequence(client_a, event_a):
    response = client_a.post(
        f"/organise/events/{event_a.pk}/edit/",
        edit_data(event_a, title="Nytt namn", start=local(at(days=8)), end=local(at(days=8, hour=12))),
    )
    assert response.status_code == 302 and response["Location"] == f"/organise/events/{event_a.pk}/edit/"
    event = Event.objects.get(pk=event_a.pk)
    assert event.title == "Nytt namn" and event.start == at(days=8) and event.end == at(days=8, hour=12)
    assert event.sequence == event_a.sequence + 1
    assert not Mailing.objects.exists()


def test_edit_of_a_field_calendars_do_not_show_keeps_the_sequence(client_a, event_a):
    client_a.post(f"/organise/events/{event_a.pk}/edit/", edit_data(event_a, description="Mer text."))
    event = Event.objects.get(pk=event_a.pk)
    assert event.description == "Mer text." and event.sequence == event_a.sequence


def test_an_event_that_started_can_still_be_edited(client_a, team_a, place):
    event = make_event(organiser=team_a, place=place, start=at(days=-1))
    response = client_a.post(f"/organise/events/{event.pk}/edit/", edit_data(event, summary="Ny sammanfattning"))
    assert response.status_code == 302


def test_edit_asks_whether_to_email_when_people_are_registered(client_a, event_a):
    make_registration(event_a)
    make_registration(event_a, status=Registration.Status.WAITLISTED)
    assert 'name="notify"' in client_a.get(f"/organise/events/{event_a.pk}/edit/").content.decode()
    response = client_a.post(
        f"/organise/events/{event_a.pk}/edit/", edit_data(event_a, start=local(at(days=7, hour=8)))
    )
    assert response.status_code == 400
    assert "2 personer är anmälda" in " ".join(response.context["form"].errors["notify"])
    event = Event.objects.get(pk=event_a.pk)
    assert event.start == event_a.start and event.sequence == event_a.sequence
    assert not Mailing.objects.exists()


def test_edit_with_yes_emails_the_participants(client_a, event_a, django_capture_on_commit_callbacks):
    make_registration(event_a)
    with django_capture_on_commit_callbacks(execute=False):
        response = client_a.post(
            f"/organise/events/{event_a.pk}/edit/",
            edit_data(event_a, start=local(at(days=8)), end=local(at(days=8, hour=12)), notify="yes", note="Ny sal"),
        )
    assert response.status_code == 302
    mailing = Mailing.objects.get()
    assert mailing.kind == Mailing.Kind.EVENT_CHANGED and mailing.body == "Ny sal"
    assert Event.objects.get(pk=event_a.pk).sequence == event_a.sequence + 1


def test_edit_with_no_sends_nothing(client_a, event_a):
    make_registration(event_a)
    response = client_a.post(
        f"/organise/events/{event_a.pk}/edit/", edit_data(event_a, start=local(at(days=7, hour=8)), notify="no")
    )
    assert response.status_code == 302
    assert not Mailing.objects.exists()
    assert Event.objects.get(pk=event_a.pk).sequence == event_a.sequence + 1


def test_edit_that_moves_nothing_needs_no_answer(client_a, event_a):
    make_registration(event_a)
    response = client_a.post(f"/organise/events/{event_a.pk}/edit/", edit_data(event_a, title="Nytt namn"))
    assert response.status_code == 302
    assert not Mailing.objects.exists()


def test_capacity_cannot_go_below_the_confirmed(client_a, event_a):
    for _ in range(3):
        make_registration(event_a)
    response = client_a.post(f"/organise/events/{event_a.pk}/edit/", edit_data(event_a, capacity="2"))
    assert response.status_code == 400 and "capacity" in response.context["form"].errors
    assert Event.objects.get(pk=event_a.pk).capacity == 10
    response = client_a.post(f"/organise/events/{event_a.pk}/edit/", edit_data(event_a, capacity="3"))
    assert response.status_code == 302
    assert Event.objects.get(pk=event_a.pk).capacity == 3


def test_a_failed_edit_keeps_the_saved_title_in_the_header(client_a, event_a):
    response = client_a.post(
        f"/organise/events/{event_a.pk}/edit/", edit_data(event_a, title="Ändrat", end=local(at(days=1)))
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert 'value="Ändrat"' in content
    assert f'<span class="subtitle" lang="sv">{event_a.title}</span>' in content
    assert Event.objects.get(pk=event_a.pk).title == event_a.title


def test_titles_are_escaped(client_a, team_a, place):
    event = make_event(organiser=team_a, place=place, title='<script>alert("x")</script>')
    for url in (f"/organise/events/{event.pk}/edit/", f"/organise/events/{event.pk}/cancel/", "/organise/"):
        content = client_a.get(url).content.decode()
        assert '<script>alert("x")' not in content
        assert "&lt;script&gt;alert(" in content


# Duplicate -------------------------------------------------------------------------------


def test_duplicate_form_proposes_a_week_later(client_a, event_a):
    content = client_a.get(f"/organise/events/{event_a.pk}/duplicate/").content.decode()
    assert f'value="{local(at(days=14, hour=9))}"' in content


def test_duplicate_copies_themes_and_questions_and_shifts_dates(client_a, team_a, place):
    theme = make_theme()
    event = make_event(
        organiser=team_a,
        place=place,
        themes=[theme],
        registration_opens=at(days=1),
        registration_closes=at(days=6),
    )
    Question.objects.create(event=event, label="Vilket pass?", kind="single_choice", choices="A\nB", position=1)
    make_registration(event)
    response = client_a.post(f"/organise/events/{event.pk}/duplicate/", {"start": local(at(days=21, hour=9))})
    copy = Event.objects.exclude(pk=event.pk).get()
    assert response.status_code == 302 and response["Location"] == f"/organise/events/{copy.pk}/edit/"
    assert copy.status == Event.Status.DRAFT and copy.slug != event.slug
    assert copy.start == at(days=21, hour=9) and copy.end == at(days=21, hour=12)
    assert copy.registration_opens == at(days=15) and copy.registration_closes == at(days=20)
    assert list(copy.themes.all()) == [theme]
    assert [(q.label, q.choices) for q in copy.questions.all()] == [("Vilket pass?", "A\nB")]
    assert not copy.registrations.exists()
    assert event.questions.count() == 1


def test_duplicate_refuses_a_start_in_the_past(client_a, event_a):
    response = client_a.post(f"/organise/events/{event_a.pk}/duplicate/", {"start": local(at(days=-2))})
    assert response.status_code == 400 and "start" in response.context["form"].errors
    assert Event.objects.count() == 1


# Publish and unpublish -------------------------------------------------------------------


def test_publish_a_draft(client_a, team_a, place, organiser_a):
    draft = make_event(organiser=team_a, place=place, status=Event.Status.DRAFT, published_at=None)
    response = client_a.post(f"/organise/events/{draft.pk}/publish/")
    assert response.status_code == 302 and response["Location"] == f"/organise/events/{draft.pk}/edit/"
    draft.refresh_from_db()
    assert draft.status == Event.Status.PUBLISHED and draft.published_at is not None
    assert AuditEntry.objects.filter(event=draft, action=AuditEntry.Action.PUBLISHED, actor=organiser_a).exists()


def test_publish_from_the_dashboard_returns_there_but_never_elsewhere(client_a, team_a, place):
    draft = make_event(organiser=team_a, place=place, status=Event.Status.DRAFT, published_at=None)
    response = client_a.post(f"/organise/events/{draft.pk}/publish/", {"next": "/organise/"})
    assert response["Location"] == "/organise/"
    draft2 = make_event(organiser=team_a, place=place, status=Event.Status.DRAFT, published_at=None)
    response = client_a.post(f"/organise/events/{draft2.pk}/publish/", {"next": "https://evil.example.com/"})
    assert response["Location"] == f"/organise/events/{draft2.pk}/edit/"


def test_a_past_draft_cannot_be_published(client_a, team_a, place):
    draft = make_event(organiser=team_a, place=place, status=Event.Status.DRAFT, start=at(days=-3))
    response = client_a.post(f"/organise/events/{draft.pk}/publish/", follow=True)
    assert response.status_code == 200
    assert "Evenemanget har redan slutat, så det kan inte publiceras." in response.content.decode()
    assert Event.objects.get(pk=draft.pk).status == Event.Status.DRAFT


def test_unpublish_without_registrations(client_a, event_a):
    response = client_a.post(f"/organise/events/{event_a.pk}/unpublish/")
    assert response.status_code == 302
    assert Event.objects.get(pk=event_a.pk).status == Event.Status.DRAFT


def test_unpublish_is_refused_while_people_are_registered(client_a, event_a):
    make_registration(event_a)
    response = client_a.post(f"/organise/events/{event_a.pk}/unpublish/", follow=True)
    assert response.status_code == 200
    messages = [str(message) for message in response.context["messages"]]
    assert messages == [
        "Det finns anmälda deltagare till evenemanget, så det kan inte göras om till utkast. Ställ in det i stället."
    ]
    assert Event.objects.get(pk=event_a.pk).status == Event.Status.PUBLISHED


# Cancel ----------------------------------------------------------------------------------


def test_cancel_page_says_how_many_are_registered(client_a, event_a):
    make_registration(event_a)
    make_registration(event_a)
    make_registration(event_a, status=Registration.Status.WAITLISTED)
    response = client_a.get(f"/organise/events/{event_a.pk}/cancel/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "2 personer har en bekräftad plats" in content and "1 står på väntelistan" in content
    assert 'name="notify"' in content and "checked" in content.split('name="notify"')[1].split(">")[0]
    assert 'name="message"' in content


def test_cancel_with_email(client_a, event_a, organiser_a):
    make_registration(event_a)
    response = client_a.post(f"/organise/events/{event_a.pk}/cancel/", {"notify": "on", "message": "Sjukdom."})
    assert response.status_code == 302 and response["Location"] == "/organise/"
    event = Event.objects.get(pk=event_a.pk)
    assert event.status == Event.Status.CANCELLED and event.sequence == event_a.sequence + 1
    mailing = Mailing.objects.get()
    assert mailing.kind == Mailing.Kind.EVENT_CANCELLED and mailing.body == "Sjukdom."


def test_cancel_without_email(client_a, event_a):
    make_registration(event_a)
    response = client_a.post(f"/organise/events/{event_a.pk}/cancel/", {"message": ""})
    assert response.status_code == 302
    assert Event.objects.get(pk=event_a.pk).status == Event.Status.CANCELLED
    assert not Mailing.objects.exists()


@pytest.mark.parametrize("status", [Event.Status.DRAFT, Event.Status.CANCELLED])
def test_only_a_published_event_can_be_cancelled(client_a, team_a, place, status):
    event = make_event(organiser=team_a, place=place, status=status)
    assert client_a.get(f"/organise/events/{event.pk}/cancel/").status_code == 409
    assert client_a.post(f"/organise/events/{event.pk}/cancel/", {"notify": "on"}).status_code == 409
    assert Event.objects.get(pk=event.pk).status == status
    assert not Mailing.objects.exists()


# Questions -------------------------------------------------------------------------------


def management(total, initial, prefix="questions"):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def question(index, **fields):
    data = {"label": "", "help_text": "", "kind": "short_text", "choices": "", "position": "0", **fields}
    return {f"questions-{index}-{key}": value for key, value in data.items()}


def test_questions_page_has_an_empty_form_to_add_one(client_a, event_a):
    content = client_a.get(f"/organise/events/{event_a.pk}/questions/").content.decode()
    assert 'name="questions-0-label"' in content and "questions-1-label" not in content
    assert 'name="add_another"' in content


def test_add_a_question_and_add_another(client_a, event_a):
    data = {
        **management(1, 0),
        **question(0, label="Vilken workshop?", kind="single_choice", choices="A\n\n B \n", required="on"),
        "add_another": "1",
    }
    response = client_a.post(f"/organise/events/{event_a.pk}/questions/", data)
    assert response.status_code == 302 and response["Location"].endswith("/questions/#new-question")
    saved = Question.objects.get(event=event_a)
    assert saved.label == "Vilken workshop?" and saved.choices == "A\nB" and saved.required
    content = client_a.get(f"/organise/events/{event_a.pk}/questions/").content.decode()
    assert 'value="Vilken workshop?"' in content and 'name="questions-1-label"' in content


def test_a_choice_question_needs_choices(client_a, event_a):
    data = {**management(1, 0), **question(0, label="Vilken workshop?", kind="multiple_choice", choices=" \n")}
    response = client_a.post(f"/organise/events/{event_a.pk}/questions/", data)
    assert response.status_code == 400
    assert "choices" in response.context["formset"].forms[0].errors
    assert 'value="Vilken workshop?"' in response.content.decode()
    assert not Question.objects.exists()


def test_edit_and_delete_questions(client_a, event_a):
    keep = Question.objects.create(event=event_a, label="Behåll", position=1)
    drop = Question.objects.create(event=event_a, label="Ta bort", position=2)
    data = {
        **management(3, 2),
        **question(0, id=str(keep.pk), label="Behållen", position="1"),
        **question(1, id=str(drop.pk), label="Ta bort", position="2", DELETE="on"),
        **question(2, position="3"),
    }
    response = client_a.post(f"/organise/events/{event_a.pk}/questions/", data)
    assert response.status_code == 302
    assert [q.label for q in Question.objects.filter(event=event_a)] == ["Behållen"]


def test_another_teams_questions_cannot_be_changed_through_my_event(client_a, event_a, event_b):
    theirs = Question.objects.create(event=event_b, label="Deras")
    data = {**management(1, 1), **question(0, id=str(theirs.pk), label="Kapad")}
    client_a.post(f"/organise/events/{event_a.pk}/questions/", data)
    assert Question.objects.get(pk=theirs.pk).label == "Deras" and theirs.event_id == event_b.pk
    assert Question.objects.get(pk=theirs.pk).event_id == event_b.pk
    assert not event_a.questions.exists()


def test_moving_a_date_by_a_day_over_dst_keeps_wall_clock(client_a, team_a, place):
    # 2027-03-28 is the switch to summer time in Stockholm.
    start = datetime.datetime(2027, 3, 29, 9, 0, tzinfo=at().tzinfo)
    client_a.post(
        "/organise/events/new/",
        event_data(team_a, place, start="2027-03-29T09:00", end="2027-03-29T12:00"),
    )
    assert Event.objects.get(title="Klimatforum Fyrbodal").start == start


def test_a_new_online_link_bumps_the_sequence_and_can_be_mailed(client_a, team_a):
    # Confirmed participants' calendar entries carry the link, so the update must supersede them.
    event = make_event(organiser=team_a, place=make_digital_place(), format=Event.Format.ONLINE)
    make_registration(event)
    response = client_a.post(
        f"/organise/events/{event.pk}/edit/",
        edit_data(event, online_url="https://meet.example.org/ny", notify="yes"),
    )
    assert response.status_code == 302
    changed = Event.objects.get(pk=event.pk)
    assert changed.online_url == "https://meet.example.org/ny" and changed.sequence == event.sequence + 1
    assert Mailing.objects.get().kind == Mailing.Kind.EVENT_CHANGED
