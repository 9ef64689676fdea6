"""Meeting places in the organiser workspace: shared by all teams."""

import pytest

from events.models import MeetingPlace
from tests.factories import make_digital_place, make_place

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def place_data(**overrides):
    data = {
        "name": "Stora Salen, Uddevalla",
        "description": "",
        "street_address": "Kungsgatan 1",
        "postal_code": "451 30",
        "city": "Uddevalla",
        "municipality": "uddevalla",
        "latitude": "58.349000",
        "longitude": "11.935000",
        "step_free_access": "on",
        "public_transport_stop": "Kampenhof",
        "accessibility_notes": "",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize("url", ["/organise/places/", "/organise/places/new/", "/organise/places/{pk}/edit/"])
def test_anonymous_visitors_are_sent_to_login(client, place, url):
    response = client.get(url.format(pk=place.pk))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", ["/organise/places/", "/organise/places/new/", "/organise/places/{pk}/edit/"])
def test_participants_get_403(client, participant, place, url):
    client.force_login(participant)
    assert client.get(url.format(pk=place.pk)).status_code == 403
    assert client.post(url.format(pk=place.pk), place_data()).status_code in (403, 405)
    assert MeetingPlace.objects.count() == 1


@pytest.mark.parametrize("url", ["/organise/places/", "/organise/places/new/", "/organise/places/{pk}/edit/"])
def test_every_organiser_may_use_places(client_a, client_b, place, url):
    # Places are shared: team B's organiser may edit a place team A uses.
    assert client_b.get(url.format(pk=place.pk)).status_code == 200


def test_edit_of_a_missing_place_is_404(client_a):
    assert client_a.get("/organise/places/999999/edit/").status_code == 404


def test_list_searches_and_paginates(client_a):
    make_place(name="Innovatum Trollhättan", city="Trollhättan")
    make_place(name="Kulturhuset", city="Borås", municipality="boras")
    make_digital_place(name="Teams-rummet")
    for number in range(30):
        make_place(name=f"Sal {number:02d}")
    response = client_a.get("/organise/places/?q=borås")
    assert [p.name for p in response.context["page"].object_list] == ["Kulturhuset"]
    assert response.content.decode().count("<h1") == 1
    first = client_a.get("/organise/places/").context["page"]
    assert first.paginator.count == 33 and len(first.object_list) == 25 and first.has_next()
    second = client_a.get("/organise/places/?page=2").context["page"]
    assert list(second.object_list)[-1].name == "Teams-rummet"  # digital places last
    content = client_a.get("/organise/places/?q=nothing-like-this").content.decode()
    assert "nothing-like-this" in content and "<table" not in content


def test_create_makes_a_unique_slug(client_a):
    make_place(name="Stora Salen", slug="stora-salen-uddevalla")
    response = client_a.post("/organise/places/new/", place_data())
    assert response.status_code == 302 and response["Location"] == "/organise/places/"
    place = MeetingPlace.objects.get(name="Stora Salen, Uddevalla")
    assert place.slug == "stora-salen-uddevalla-2"
    assert place.step_free_access and not place.hearing_loop
    assert str(place.latitude) == "58.349000"


def test_a_digital_place_needs_no_address(client_a):
    response = client_a.post(
        "/organise/places/new/",
        place_data(name="Zoom", is_digital="on", municipality="", latitude="", longitude="", street_address=""),
    )
    assert response.status_code == 302
    assert MeetingPlace.objects.get(name="Zoom").is_digital


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"municipality": ""}, "municipality", "A physical meeting place must be in a municipality."),
        ({"latitude": ""}, "latitude", "Give the latitude too"),
        ({"longitude": ""}, "longitude", "Give the longitude too"),
        ({"latitude": "91"}, "latitude", "90"),
        ({"longitude": "-181"}, "longitude", "-180"),
        ({"municipality": "stockholm"}, "municipality", ""),
        ({"name": ""}, "name", ""),
        ({"website": "inte en adress"}, "website", ""),
    ],
)
def test_create_validation(client_a, overrides, field, message):
    response = client_a.post("/en/organise/places/new/", place_data(**overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    content = response.content.decode()
    assert f'id="id_{field}_error"' in content
    if "name" not in overrides:
        assert 'value="Stora Salen, Uddevalla"' in content  # nothing typed is lost
    assert not MeetingPlace.objects.filter(name="Stora Salen, Uddevalla").exists()


def test_edit_keeps_the_slug(client_b, place):
    response = client_b.post(f"/organise/places/{place.pk}/edit/", place_data(name="Nytt namn"))
    assert response.status_code == 302
    edited = MeetingPlace.objects.get(pk=place.pk)
    assert edited.name == "Nytt namn" and edited.slug == place.slug


def test_failed_edit_keeps_the_saved_name_in_the_heading(client_a, place):
    response = client_a.post(f"/organise/places/{place.pk}/edit/", place_data(name="Ändrat", municipality=""))
    assert response.status_code == 400
    content = response.content.decode()
    assert f'<span class="subtitle" lang="sv">{place.name}</span>' in content and 'value="Ändrat"' in content
    assert MeetingPlace.objects.get(pk=place.pk).name == place.name


def test_names_are_escaped(client_a):
    make_place(name="<img src=x onerror=alert(1)>")
    content = client_a.get("/organise/places/").content.decode()
    assert "<img src=x" not in content and "&lt;img src=x onerror=alert(1)&gt;" in content
