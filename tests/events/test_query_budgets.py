"""Query budgets: public pages run a fixed number of queries whatever the data size."""

import pytest

from registrations.models import Registration
from tests.factories import at, make_event, make_organiser, make_place, make_registration, make_theme, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def populate(count):
    """``count`` events over a few places and themes, with registrations."""
    themes = [make_theme() for _ in range(3)]
    places = [make_place() for _ in range(3)]
    organiser = make_organiser()
    users = [make_user() for _ in range(3)]
    events = []
    for number in range(count):
        event = make_event(
            start=at(days=1 + number % 200, hour=8 + number % 9),
            place=places[number % 3],
            organiser=organiser,
            themes=themes[: 1 + number % 3],
        )
        events.append(event)
    for event in events[:30]:
        for user in users:
            make_registration(event, user, status=Registration.Status.CONFIRMED)
    return events, places


@pytest.mark.parametrize("count", [10, 500])
def test_event_list_query_budget(client, django_assert_num_queries, count):
    populate(count)
    # 1 themes and 2 places for the filter form, 3 count for the paginator,
    # 4 the page of events with place and organiser, 5 their themes, 6 their seat counts.
    with django_assert_num_queries(6):
        response = client.get("/events/", {"theme": "", "municipality": "trollhattan"})
    assert len(response.context["events"]) == min(count, 20)


@pytest.mark.parametrize("count", [10, 500])
def test_event_page_query_budget(client, django_assert_num_queries, count):
    events, _places = populate(count)
    # 1 the event with place, organiser and seat counts, 2 its themes.
    with django_assert_num_queries(2):
        assert client.get(events[0].get_absolute_url()).status_code == 200


@pytest.mark.parametrize("count", [10, 500])
def test_place_page_query_budget(client, django_assert_num_queries, count):
    _events, places = populate(count)
    # 1 the place, 2 count of its upcoming events, 3 the page of events, 4 their themes,
    # 5 their seat counts.
    with django_assert_num_queries(5):
        response = client.get(places[0].get_absolute_url())
    assert len(response.context["events"]) == min(-(-count // 3), 20)


@pytest.mark.parametrize("count", [10, 500])
def test_place_list_query_budget(client, django_assert_num_queries, count):
    populate(count)
    # 1 the places with their upcoming event counts.
    with django_assert_num_queries(1):
        assert client.get("/places/").status_code == 200
