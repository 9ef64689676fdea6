"""Every query parameter and form of the portal, fuzzed with Hypothesis.

Random text (any Unicode but lone surrogates, which cannot be sent), NUL bytes, right-to-left
marks, emoji, combining characters, 10,000-character strings, numbers as text, huge and negative
numbers, malformed dates. The portal must never answer 5xx; a POST either succeeds (a
redirect) or answers with the form and its errors (4xx); and the database stays consistent
after each example: no seat beyond the capacity, unique waiting-list positions, no
half-created objects.
"""

import datetime

import pytest
from django.db.models import Count, F, Q
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.models import Event, MeetingPlace
from registrations.models import Mailing, Question, Registration
from tests.security.conftest import client_for, verified_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def fuzz(examples):
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,  # no .hypothesis folder in the checkout
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


EDGE_CASES = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202eevil\u202c",  # right-to-left override
    "\u200f\u200e",
    "😀" * 50,
    "e\u0301\u0301\u0301",  # combining accents
    "Z\u0351\u0352\u0353\u0354",
    "x" * 10_000,
    "å ä ö " * 2000,
    "0",
    "-1",
    "1e10",
    "NaN",
    "9" * 40,
    "-9223372036854775809",
    "2147483648",
    "3.14",
    "2026-02-30",
    "2026-13-45",
    "0000-00-00",
    "9999-12-31T23:59",
    "2026-12-01T25:61",
    "2026-12-01T10:00",
    "2027-01-15 09:30",
    "1899-12-31T00:00",
    "https://x.example.org/möte",
    "javascript:alert(1)",
    "<script>alert(1)</script>",
    "'; DROP TABLE events_event; --",
    "%00",
    "\r\nSet-Cookie: x=1",
    "on",
    "yes",
    "all",
]
TEXT = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80),
    st.sampled_from(EDGE_CASES),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
VALUES = st.one_of(TEXT, st.lists(TEXT, min_size=2, max_size=4))  # lists become repeated parameters


def params(names):
    return st.dictionaries(st.sampled_from(sorted(names)), VALUES, max_size=len(names))


def form_data(fields, extra=()):
    """Some of ``fields`` with fuzzed values, each field drawn from its own strategy or TEXT."""
    strategies = {name: (strategy if strategy is not None else VALUES) for name, strategy in fields.items()}
    return st.fixed_dictionaries({}, optional=strategies | dict.fromkeys(extra, VALUES))


def assert_no_server_error(response):
    assert response.status_code < 500, response.status_code


def assert_post_semantics(response, ok=(302,)):
    """Success is a redirect; a refusal answers 4xx with the form (and a message)."""
    assert_no_server_error(response)
    assert response.status_code in (*ok, 400, 409), response.status_code
    if response.status_code in (400, 409):
        assert response.content, "a refusal must explain itself"


def assert_consistent():
    over = (
        Event.objects.filter(capacity__isnull=False)
        .annotate(
            confirmed=Count("registrations", filter=Q(registrations__status="confirmed", registrations__added_by=None))
        )
        .filter(confirmed__gt=F("capacity"))
    )
    assert not over.exists(), "more confirmed registrations than seats"
    positions = (
        Registration.objects.filter(status=Registration.Status.WAITLISTED)
        .values("event", "waitlist_position")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not positions.exists(), "two people share a waiting-list position"
    assert not Registration.objects.filter(status="waitlisted", waitlist_position__isnull=True).exists()
    assert not Registration.objects.exclude(status="waitlisted").filter(waitlist_position__isnull=False).exists()
    assert not Event.objects.filter(end__lte=F("start")).exists()


# Query parameters


LIST_PARAMS = {"q", "theme", "place", "municipality", "format", "access", "from", "to", "page", "utm_source"}


@fuzz(60)
@given(query=params(LIST_PARAMS), htmx=st.booleans())
def test_event_list_parameters(world, client, query, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    assert_no_server_error(client.get(reverse("events:event_list"), query, headers=headers))
    assert_no_server_error(client.get("/en" + reverse("events:event_list"), query))


@fuzz(25)
@given(query=params({"page", "q"}))
def test_place_page_parameters(world, client, query):
    assert_no_server_error(client.get(world["place"].get_absolute_url(), query))


@fuzz(40)
@given(query=params(LIST_PARAMS | {"x-made-up"}))
def test_feed_filters(world, client, query):
    response = client.get(reverse("feed_all"), query)
    assert response.status_code == 200  # invalid filters are ignored, never an error
    assert response.content.startswith(b"BEGIN:VCALENDAR")


@fuzz(40)
@given(query=params({"q", "status", "page", "log", "log_page", "next"}), htmx=st.booleans())
def test_attendee_list_and_door_parameters(world, query, htmx):
    client = client_for(world, "organiser_a")
    headers = {"HX-Request": "true"} if htmx else {}
    event = world["event"]
    for name in ("attendees", "door", "export_csv", "print_list"):
        response = client.get(reverse(f"organise:{name}", args=[event.pk]), query, headers=headers)
        assert_no_server_error(response)
        if name == "export_csv":
            b"".join(response.streaming_content)  # the stream runs to its end without an error


@fuzz(25)
@given(query=params({"q", "page", "upcoming", "drafts", "past"}))
def test_workspace_list_parameters(world, query):
    client = client_for(world, "organiser_a")
    assert_no_server_error(client.get(reverse("organise:dashboard"), query))
    assert_no_server_error(client.get(reverse("organise:place_list"), query))


# Forms


def registration_fields(event):
    fields = {"organisation": None, "dietary_needs": None, "accessibility_needs": None}
    fields["consent"] = st.sampled_from(["on", "", "false", "\x00"])
    fields["sensitive_consent"] = st.sampled_from(["on", ""])
    for question in event.questions.all():
        if question.kind in (Question.Kind.SINGLE_CHOICE, Question.Kind.MULTIPLE_CHOICE):
            choices = st.sampled_from(question.choice_list)
            fields[question.key] = st.one_of(choices, st.lists(choices, max_size=3), VALUES)
        elif question.kind == Question.Kind.YES_NO:
            fields[question.key] = st.one_of(st.sampled_from(["yes", "no"]), VALUES)
        else:
            fields[question.key] = VALUES
    return fields


@fuzz(60)
@given(data=st.data())
def test_registration_form(world, data):
    event = world["event"]
    Question.objects.filter(event=event).update(required=True)
    post = data.draw(form_data(registration_fields(event)))
    user = verified_user()
    client = client_for(world, "anonymous")
    client.force_login(user)
    response = client.post(reverse("registrations:register", kwargs={"slug": event.slug}), post)
    assert_post_semantics(response)
    created = Registration.objects.filter(event=event, user=user)
    if response.status_code == 302:
        registration = created.get()
        assert registration.consent_at is not None
        assert set(registration.answers) == {question.key for question in event.questions.all()}
    else:
        assert not created.exists(), "a refused registration left a row behind"
    assert_consistent()


@fuzz(30)
@given(post=form_data({"first_name": None, "last_name": None, "organisation": None, "language": None}))
def test_profile_form(world, post):
    client = client_for(world, "participant")
    response = client.post(reverse("profile"), post)
    assert_post_semantics(response)


def event_fields(world):
    dates = st.one_of(
        st.datetimes(min_value=datetime.datetime(2026, 12, 1), max_value=datetime.datetime(2027, 12, 1)).map(
            lambda moment: moment.strftime("%Y-%m-%dT%H:%M")
        ),
        TEXT,
    )
    return {
        "title": None,
        "summary": None,
        "description": None,
        "themes": st.one_of(st.just(str(world["theme"].pk)), VALUES),
        "organiser": st.one_of(st.just(str(world["team_a"].pk)), st.just(str(world["team_b"].pk)), TEXT),
        "place": st.one_of(st.just(str(world["place"].pk)), TEXT),
        "format": st.one_of(st.sampled_from(["on_site", "online", "hybrid"]), TEXT),
        "online_url": None,
        "start": dates,
        "end": dates,
        "capacity": st.one_of(st.integers(min_value=-5, max_value=10**12).map(str), TEXT),
        "waitlist_enabled": None,
        "registration_opens": dates,
        "registration_closes": dates,
        "notify": st.sampled_from(["yes", "no", "", "maybe"]),
        "note": None,
    }


@fuzz(50)
@given(data=st.data())
def test_event_create_form(world, data):
    post = data.draw(form_data(event_fields(world)))
    before = Event.objects.count()
    client = client_for(world, "organiser_a")
    response = client.post(reverse("organise:event_create"), post)
    assert_post_semantics(response)
    if response.status_code == 302:
        event = Event.objects.order_by("-pk").first()
        assert event.organiser_id == world["team_a"].pk  # never another team's
        assert event.status == Event.Status.DRAFT
    else:
        assert Event.objects.count() == before, "a refused event was saved"
    assert_consistent()


@fuzz(40)
@given(data=st.data())
def test_event_edit_form(world, data):
    event = world["event"]
    post = data.draw(form_data(event_fields(world)))
    response = client_for(world, "organiser_a").post(reverse("organise:event_edit", args=[event.pk]), post)
    assert_post_semantics(response)
    event.refresh_from_db()
    assert event.organiser_id == world["team_a"].pk
    assert event.capacity is None or event.capacity >= 1  # one seat is taken
    assert_consistent()


PLACE_FIELDS = dict.fromkeys(
    (
        "name",
        "description",
        "is_digital",
        "street_address",
        "postal_code",
        "city",
        "municipality",
        "latitude",
        "longitude",
        "step_free_access",
        "public_transport_stop",
        "accessibility_notes",
        "website",
    )
)
PLACE_FIELDS["municipality"] = st.one_of(st.sampled_from(["goteborg", "boras", "stockholm"]), TEXT)
PLACE_FIELDS["latitude"] = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(str), TEXT)
PLACE_FIELDS["longitude"] = st.one_of(st.decimals(allow_nan=True).map(str), TEXT)


@fuzz(40)
@given(post=form_data(PLACE_FIELDS))
def test_place_forms(world, post):
    client = client_for(world, "organiser_a")
    before = MeetingPlace.objects.count()
    response = client.post(reverse("organise:place_create"), post)
    assert_post_semantics(response)
    if response.status_code != 302:
        assert MeetingPlace.objects.count() == before
    assert_post_semantics(client.post(reverse("organise:place_edit", args=[world["place"].pk]), post))


ADD_FIELDS = {
    "email": st.one_of(st.emails().map(str), TEXT),
    "first_name": None,
    "last_name": None,
    "organisation": None,
    "over_capacity": st.sampled_from(["", "on"]),
}


@fuzz(40)
@given(post=form_data(ADD_FIELDS))
def test_add_attendee_form(world, post):
    event = world["event"]
    before = Registration.objects.filter(event=event).count()
    response = client_for(world, "organiser_a").post(reverse("organise:attendee_add", args=[event.pk]), post)
    assert_post_semantics(response)
    if response.status_code != 302:
        assert Registration.objects.filter(event=event).count() == before
    assert_consistent()


MESSAGE_FIELDS = {
    "audience": st.one_of(st.sampled_from(["confirmed", "waitlisted", "all"]), TEXT),
    "subject": None,
    "body": None,
    "token": None,
    "send": st.sampled_from(["1", ""]),
}


@fuzz(30)
@given(post=form_data(MESSAGE_FIELDS))
def test_message_form(world, post):
    event = world["event"]
    before = Mailing.objects.count()
    response = client_for(world, "organiser_a").post(reverse("organise:message_create", args=[event.pk]), post)
    assert_post_semantics(response, ok=(302, 200))
    if response.status_code != 302:
        assert Mailing.objects.count() == before


def question_formset(world):
    prefix = "questions"
    row = {
        "label": None,
        "help_text": None,
        "kind": st.one_of(st.sampled_from([kind for kind, _ in Question.Kind.choices]), TEXT),
        "choices": None,
        "required": None,
        "position": st.one_of(st.integers(-10, 70000).map(str), TEXT),
        "DELETE": st.sampled_from(["", "on"]),
    }
    management = {
        f"{prefix}-TOTAL_FORMS": st.one_of(st.sampled_from(["1", "2"]), TEXT),
        f"{prefix}-INITIAL_FORMS": st.one_of(st.just("0"), TEXT),
        f"{prefix}-MIN_NUM_FORMS": st.just("0"),
        f"{prefix}-MAX_NUM_FORMS": st.one_of(st.just("1000"), TEXT),
    }
    return st.tuples(form_data(row), form_data(row), form_data(management))


@fuzz(40)
@given(data=st.data())
def test_question_formset(world, data):
    event = world["event"]
    first, second, management = data.draw(question_formset(world))
    post = {**management, **{f"questions-0-{k}": v for k, v in first.items()}}
    post |= {f"questions-1-{k}": v for k, v in second.items()}
    response = client_for(world, "organiser_a").post(reverse("organise:event_questions", args=[event.pk]), post)
    assert_post_semantics(response)
    for question in Question.objects.filter(event=event):
        if question.kind in (Question.Kind.SINGLE_CHOICE, Question.Kind.MULTIPLE_CHOICE):
            assert question.choice_list, "a choice question without choices was saved"


@fuzz(30)
@given(
    signup=form_data({"email": None, "password1": None, "password2": None, "first_name": None, "last_name": None}),
    login=form_data({"login": None, "password": None, "remember": None}),
    reset=form_data({"email": st.one_of(st.emails().map(str), TEXT)}),
)
def test_account_forms(world, client, signup, login, reset):
    from portal.models import User

    users = User.objects.count()
    response = client.post(reverse("account_signup"), signup)
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        assert User.objects.count() == users
    assert client.post(reverse("account_login"), login).status_code in (200, 302)
    assert client.post(reverse("account_reset_password"), reset).status_code in (200, 302)


@fuzz(25)
@given(post=form_data({"action": None, "next": None, "undo": None, "view": None, "over_capacity": None}))
def test_small_organiser_and_participant_posts(world, post):
    event, seat, waiting = world["event"], world["seat"], world["waiting"]
    organiser = client_for(world, "organiser_a")
    for url in (
        reverse("organise:attendee_check_in", args=[event.pk, seat.pk]),
        reverse("organise:attendee_confirm", args=[event.pk, waiting.pk]),
        reverse("organise:event_cancel", args=[event.pk]),
        reverse("organise:event_duplicate", args=[event.pk]),
    ):
        response = organiser.post(url, post)
        assert_no_server_error(response)
        if response.status_code == 302:
            assert response["Location"].startswith("/") and not response["Location"].startswith("//")
    participant = client_for(world, "participant")
    assert_no_server_error(participant.post(reverse("registrations:my_calendar"), post))
    assert_consistent()
