"""Two organiser teams, A and B, each with a member and an event, and a participant.

Every organiser view is tested against both teams: B's organiser must get a 404 for A's
objects.
"""

import pytest

from tests.factories import make_event, make_organiser, make_place, make_user


@pytest.fixture
def organiser_a(db):
    return make_user(email="arrangor-a@example.org", first_name="Alva", last_name="Arrangör")


@pytest.fixture
def organiser_b(db):
    return make_user(email="arrangor-b@example.org", first_name="Bo", last_name="Björk")


@pytest.fixture
def team_a(organiser_a):
    return make_organiser(members=[organiser_a], name="Team A", slug="team-a")


@pytest.fixture
def team_b(organiser_b):
    return make_organiser(members=[organiser_b], name="Team B", slug="team-b")


@pytest.fixture
def participant(db):
    return make_user(email="deltagare@example.org", first_name="Dana", last_name="Deltagare")


@pytest.fixture
def place(db):
    return make_place()


@pytest.fixture
def event_a(team_a, place):
    return make_event(organiser=team_a, place=place, capacity=10)


@pytest.fixture
def event_b(team_b, place):
    return make_event(organiser=team_b, place=place, capacity=10)


@pytest.fixture
def client_a(client, organiser_a, team_a):
    client.force_login(organiser_a)
    return client


@pytest.fixture
def client_b(client, organiser_b, team_b):
    client.force_login(organiser_b)
    return client
