"""The organiser dashboard: the team's events in groups, with counts and a small chart."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Event
from registrations.models import Registration
from tests.factories import NOW, at, make_event, make_organiser, make_registration, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def register_at(event, when, **fields):
    """A registration made at ``when`` (created_at is set by the database clock)."""
    with time_machine.travel(when, tick=False):
        return make_registration(event, **fields)


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/organise/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/organise/")


def test_participants_get_403(client, participant):
    client.force_login(participant)
    assert client.get("/organise/").status_code == 403


def test_only_get(client_a):
    assert client_a.post("/organise/").status_code == 405


def test_groups_and_counts(client_a, team_a, place, event_a, event_b):
    draft = make_event(organiser=team_a, place=place, title="Utkast om vätgas", status=Event.Status.DRAFT)
    past = make_event(organiser=team_a, place=place, title="Förra årets forum", start=at(days=-30))
    cancelled = make_event(organiser=team_a, place=place, title="Inställt seminarium", status=Event.Status.CANCELLED)
    old_cancelled = make_event(
        organiser=team_a, place=place, title="Gammalt inställt", status=Event.Status.CANCELLED, start=at(days=-3)
    )
    make_registration(event_a, checked_in_at=NOW)
    make_registration(event_a)
    make_registration(event_a, status=Registration.Status.WAITLISTED)
    make_registration(event_a, status=Registration.Status.CANCELLED)
    response = client_a.get("/organise/")
    assert response.status_code == 200
    dashboard = response.context["dashboard"]
    assert [e.pk for e in dashboard.upcoming.object_list] == [event_a.pk, cancelled.pk]
    assert [e.pk for e in dashboard.drafts.object_list] == [draft.pk]
    assert [e.pk for e in dashboard.past.object_list] == [old_cancelled.pk, past.pk]
    row = dashboard.upcoming.object_list[0]
    assert (row.confirmed_count, row.waitlisted_count, row.checked_in_count) == (2, 1, 1)
    content = response.content.decode()
    assert event_b.title not in content  # another team's event
    assert f'href="/organise/events/{event_a.pk}/attendees/"' in content
    assert f'href="/organise/events/{event_a.pk}/edit/"' in content
    assert f'action="/organise/events/{draft.pk}/publish/"' in content
    assert 'href="/organise/events/new/"' in content
    assert "2 / 10" in content
    assert content.count("<h1") == 1
    assert "<caption id=" in content and 'scope="col"' in content


def test_team_column_only_with_several_teams(client_a, organiser_a, team_a, event_a):
    assert "Team A" not in client_a.get("/organise/").content.decode().split("<main")[1].split("</table>")[0]
    other = make_organiser(members=[organiser_a], name="Team Väst", slug="team-vast")
    make_event(organiser=other, title="Västs möte")
    content = client_a.get("/organise/").content.decode()
    assert "Team A" in content and "Team Väst" in content and "Västs möte" in content


def test_superusers_see_every_team(client, team_a, event_a, event_b):
    client.force_login(make_user(is_superuser=True, is_staff=True))
    content = client.get("/organise/").content.decode()
    assert event_a.title in content and event_b.title in content


def test_chart_counts_registrations_per_stockholm_day(client_a, event_a):
    # Published 30 days before now (factories): the chart covers the last 30 days.
    register_at(event_a, NOW - datetime.timedelta(days=40))  # before the window: part of the baseline
    register_at(event_a, at(days=-10, hour=12))
    # 23:30 UTC on day -3 is 00:30 the next day in Stockholm: it belongs to day -2.
    register_at(event_a, datetime.datetime.combine(at(days=-3).date(), datetime.time(23, 30), tzinfo=datetime.UTC))
    register_at(event_a, at(days=0, hour=8))
    register_at(event_a, at(days=-1), status=Registration.Status.CANCELLED)
    series = client_a.get("/organise/").context["dashboard"].upcoming[0].registration_series
    assert len(series.days) == 30 and series.days[-1] == NOW.date()
    by_day = dict(zip(series.days, series.cumulative, strict=True))
    assert series.cumulative[0] == 1
    assert by_day[at(days=-10).date()] == 2
    assert by_day[at(days=-3).date()] == 2 and by_day[at(days=-2).date()] == 3
    assert series.cumulative[-1] == 4
    assert (series.total, series.recent) == (4, 2)


def test_chart_starts_at_publication_when_that_is_shorter(client_a, team_a, place):
    event = make_event(organiser=team_a, place=place, published_at=NOW - datetime.timedelta(days=4))
    series = client_a.get("/organise/").context["dashboard"].upcoming[0].registration_series
    assert series.days[0] == (NOW - datetime.timedelta(days=4)).date() and len(series.days) == 5
    assert event.pk == client_a.get("/organise/").context["dashboard"].upcoming[0].pk


def test_chart_is_an_accessible_inline_svg(client_a, event_a):
    register_at(event_a, at(days=-20))
    register_at(event_a, at(days=-2))
    register_at(event_a, at(days=-1))
    content = client_a.get("/en/organise/").content.decode()
    assert '<svg class="sparkline" role="img" aria-label="3 registrations, 2 in the last 7 days"' in content
    assert "<script" not in content.split("<main")[1]
    assert "style=" not in content.split("<main")[1]


def test_past_events_are_paginated(client_a, team_a, place):
    for days in range(1, 26):
        make_event(organiser=team_a, place=place, title=f"Möte {days:02d}", start=at(days=-days))
    first = client_a.get("/organise/").context["dashboard"].past
    assert len(first.object_list) == 20 and first.object_list[0].title == "Möte 01" and first.has_next()
    second = client_a.get("/organise/?past=2").context["dashboard"].past
    assert [e.title for e in second.object_list] == [f"Möte {days:02d}" for days in range(21, 26)]
    assert client_a.get("/organise/?past=abc").status_code == 200


def test_titles_are_escaped(client_a, team_a, place):
    make_event(organiser=team_a, place=place, title="<b>Fett</b> & <i>kursivt</i>")
    content = client_a.get("/organise/").content.decode()
    assert "<b>Fett</b>" not in content and "&lt;b&gt;Fett&lt;/b&gt; &amp; &lt;i&gt;kursivt&lt;/i&gt;" in content


def _build(team, place, events, registrations):
    for number in range(events):
        status = [Event.Status.PUBLISHED, Event.Status.DRAFT, Event.Status.CANCELLED][number % 3]
        days = [7, 14, -7, -14][number % 4]
        event = make_event(organiser=team, place=place, status=status, start=at(days=days), capacity=None)
        users = [make_user() for _ in range(registrations)]
        Registration.objects.bulk_create(
            Registration(
                event=event,
                user=user,
                status=Registration.Status.CONFIRMED,
                consent_at=NOW,
                checked_in_at=NOW if index % 2 else None,
            )
            for index, user in enumerate(users)
        )
        # Spread the registrations over the last weeks.
        for index, registration in enumerate(Registration.objects.filter(event=event)):
            Registration.objects.filter(pk=registration.pk).update(
                created_at=NOW - datetime.timedelta(days=index % 40, hours=index % 24)
            )


@pytest.mark.parametrize(("events", "registrations"), [(3, 5), (30, 200)])
def test_dashboard_query_budget(client_a, organiser_a, team_a, place, django_assert_num_queries, events, registrations):
    # Two teams, so that the team column is shown too.
    make_organiser(members=[organiser_a], name="Team Två", slug="team-tva")
    _build(team_a, place, events, registrations)
    client_a.get("/organise/")  # the session, warmed up
    with django_assert_num_queries(11):
        response = client_a.get("/organise/")
    assert response.status_code == 200
    dashboard = response.context["dashboard"]
    assert (
        dashboard.upcoming.paginator.count + dashboard.drafts.paginator.count + dashboard.past.paginator.count == events
    )


def test_dashboard_query_count_does_not_grow(client_a, team_a, place):
    counts = []
    for size in (4, 20):
        _build(team_a, place, size, 10)
        with CaptureQueriesContext(connection) as queries:
            client_a.get("/organise/")
        counts.append(len(queries))
    assert counts[0] == counts[1]
