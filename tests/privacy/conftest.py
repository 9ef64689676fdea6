import pytest
from allauth.account.models import EmailAddress

from tests.factories import make_event, make_organiser, make_user


@pytest.fixture
def organiser(db):
    return make_user(email="arrangor@example.org", first_name="Alva", last_name="Arrangör")


@pytest.fixture
def team(organiser):
    return make_organiser(members=[organiser], name="Team A", slug="team-a")


@pytest.fixture
def event(team):
    return make_event(organiser=team, capacity=10)


@pytest.fixture
def participant(db):
    user = make_user(email="sara@example.org", first_name="Sara", last_name="Öberg", organisation="Borås Stad")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def participant_client(client, participant):
    client.force_login(participant)
    return client


@pytest.fixture
def organiser_client(client, organiser, team):
    client.force_login(organiser)
    return client
