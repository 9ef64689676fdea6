import datetime

import pytest
from django.urls import reverse

from events.models import Event
from tests.factories import NOW, at, make_digital_place, make_event, make_place, make_registration, make_theme

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

URL = "/events/"


def titles(response):
    return [event.title for event in response.context["events"]]


def test_lists_upcoming_published_events_soonest_first(client):
    later = make_event(title="Senare", start=at(days=20))
    sooner = make_event(title="Tidigare", start=at(days=2))
    ongoing = make_event(title="Pågår", start=NOW - datetime.timedelta(hours=1))
    make_event(title="Utkast", status=Event.Status.DRAFT)
    make_event(title="Inställt", status=Event.Status.CANCELLED)
    make_event(title="Passerat", start=at(days=-3))
    response = client.get(URL)
    assert response.status_code == 200
    assert titles(response) == [ongoing.title, sooner.title, later.title]


def test_search_matches_title_summary_and_description_case_insensitively(client):
    make_event(title="Återbruk i byggsektorn", summary="Frukostmöte", description="")
    make_event(title="Vätgas", summary="Om ÖVERSKOTTSVÄRME i industrin", description="")
    make_event(title="Annat", summary="Energi", description="Solceller på taken")
    assert titles(client.get(URL, {"q": "ÅTERBRUK"})) == ["Återbruk i byggsektorn"]
    assert titles(client.get(URL, {"q": "överskottsvärme"})) == ["Vätgas"]
    assert titles(client.get(URL, {"q": "solceller taken"})) == ["Annat"]
    assert titles(client.get(URL, {"q": "solceller vätgas"})) == []


def test_filters_by_theme_place_municipality_and_format(client):
    climate, circular = make_theme(slug="klimat"), make_theme(slug="cirkular")
    borås = make_place(slug="science-park-boras", municipality="boras", city="Borås")
    skövde = make_place(slug="gothia", municipality="skovde", city="Skövde")
    a = make_event(title="A", themes=[climate, circular], place=borås, format=Event.Format.HYBRID)
    make_event(title="B", themes=[climate], place=skövde)
    make_event(title="C", themes=[circular], place=skövde, format=Event.Format.HYBRID)
    make_event(title="D", place=make_digital_place(), format=Event.Format.ONLINE)
    assert titles(client.get(URL, {"theme": "klimat"})) == ["A", "B"]
    assert titles(client.get(URL, {"place": "gothia"})) == ["B", "C"]
    assert titles(client.get(URL, {"municipality": "boras"})) == ["A"]
    assert titles(client.get(URL, {"format": "online"})) == ["D"]
    assert titles(client.get(URL, {"theme": "cirkular", "format": "hybrid", "municipality": "skovde"})) == ["C"]
    assert a.title in titles(client.get(URL, {"theme": "cirkular"}))


def test_filters_by_accessibility_of_the_place(client):
    make_event(title="Hörslinga", place=make_place(hearing_loop=True, step_free_access=True))
    make_event(title="Trappor", place=make_place(hearing_loop=False, step_free_access=False))
    assert titles(client.get(URL, {"access": "hearing_loop"})) == ["Hörslinga"]
    assert titles(client.get(URL, {"access": ["hearing_loop", "step_free_access"]})) == ["Hörslinga"]


def test_date_range_uses_stockholm_calendar_days(client):
    make_event(title="Sen kväll", start=at(days=5, hour=23, minute=0), end=at(days=5, hour=23, minute=50))
    make_event(title="Nästa morgon", start=at(days=6, hour=0, minute=30))
    day = (NOW + datetime.timedelta(days=5)).date().isoformat()
    assert titles(client.get(URL, {"from": day, "to": day})) == ["Sen kväll"]
    assert titles(client.get(URL, {"from": (NOW + datetime.timedelta(days=6)).date().isoformat()})) == ["Nästa morgon"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"theme": "finns-inte"}, "theme"),
        ({"place": "<script>"}, "place"),
        ({"municipality": "stockholm"}, "municipality"),
        ({"format": "teleport"}, "format"),
        ({"access": "elevator"}, "access"),
        ({"from": "2026-13-45"}, "from_date"),
        ({"to": "igår"}, "to_date"),
        ({"from": "0001-01-01"}, "from_date"),
        ({"to": "9999-12-31"}, "to_date"),
        ({"from": "2026-11-30", "to": "2026-11-27"}, "to_date"),
        ({"q": "x" * 201}, "q"),
        ({"q": "nul\x00byte"}, "q"),
    ],
)
def test_bad_filter_values_are_reported_and_ignored(client, params, field):
    make_event(title="Kvar")
    response = client.get(URL, params)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    # The invalid filter is dropped, the page still lists events.
    assert titles(response) == ["Kvar"]
    assert "Några filter kunde inte användas" in response.content.decode()


def test_bad_value_is_reported_in_english_on_english_pages(client):
    response = client.get("/en/events/", {"theme": "finns-inte"})
    assert "There is no such choice. This filter was ignored." in response.content.decode()


@pytest.mark.parametrize("page", ["9999", "0", "-1", "abc", "1e9", ""])
def test_any_page_number_gives_a_sane_page(client, page):
    place = make_place()
    organiser = make_event(place=place).organiser
    for day in range(2, 30):
        make_event(start=at(days=day), place=place, organiser=organiser)
    response = client.get(URL, {"page": page})
    assert response.status_code == 200
    assert len(response.context["events"]) > 0


def test_paginates_twenty_per_page_and_keeps_filters_in_the_links(client):
    theme = make_theme(slug="klimat")
    place = make_place()
    for day in range(1, 26):
        make_event(start=at(days=day), themes=[theme], place=place)
    response = client.get(URL, {"theme": "klimat"})
    assert len(response.context["events"]) == 20
    assert 'href="?theme=klimat&amp;page=2"' in response.content.decode()
    second = client.get(URL, {"theme": "klimat", "page": 2})
    assert len(second.context["events"]) == 5


def test_empty_result_says_so_helpfully(client):
    response = client.get(URL, {"q": "finns inte alls"})
    content = response.content.decode()
    assert "0 evenemang hittades" in content
    assert "Det finns inga kommande evenemang som matchar dina filter" in content


def test_htmx_request_gets_only_the_results_fragment(client):
    make_event(title="Fragment")
    response = client.get(URL, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert "Fragment" in content
    assert "<html" not in content and 'role="search"' not in content
    # The count goes into the live region that stays in the page, so it is announced.
    assert '<span hx-swap-oob="innerHTML:#results-count">1 evenemang hittades</span>' in content
    assert "HX-Request" in response["Vary"]


def test_full_page_has_a_live_region_with_the_count_outside_the_swapped_part(client):
    make_event()
    content = client.get(URL).content.decode()
    live_region = '<p id="results-count" class="results__count" role="status" aria-live="polite" aria-atomic="true">'
    assert live_region + "1 evenemang hittades</p>" in content
    assert content.index(live_region) < content.index('<div id="results">')
    assert "hx-swap-oob" not in content


def test_htmx_history_restore_gets_the_whole_page(client):
    response = client.get(URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in response.content.decode()


def test_page_shows_seats_and_full_events(client):
    full = make_event(title="Fullt", capacity=1, waitlist_enabled=True)
    make_registration(full)
    make_event(title="Ledigt", capacity=10)
    content = client.get(URL).content.decode()
    assert "Fullbokat – väntelista öppen" in content
    assert "10 platser kvar" in content


def test_filter_form_works_without_javascript(client):
    make_theme(slug="klimat", name="Klimat och energi")
    content = client.get(URL).content.decode()
    assert f'<form class="filters" method="get" action="{reverse("events:event_list")}"' in content
    assert 'name="from"' in content and 'name="to"' in content
    assert '<option value="klimat">Klimat och energi</option>' in content
    assert 'type="submit"' in content


def test_only_get_is_allowed(client):
    assert client.post(URL).status_code == 405


def test_htmx_pushes_a_tidy_url_without_empty_fields(client):
    params = {"q": "", "theme": "", "format": "online", "from": ""}
    response = client.get(URL, params, headers={"HX-Request": "true"})
    assert response["HX-Push-Url"] == "/events/?format=online"
    cached = client.get(URL, params, headers={"HX-Request": "true"})
    assert cached["X-Cache"] == "hit" and cached["HX-Push-Url"] == "/events/?format=online"


def test_head_requests_are_answered(client):
    assert client.head(URL).status_code == 200


def test_errors_are_tied_to_their_fields(client):
    content = client.get(URL, {"theme": "finns-inte", "from": "igår"}).content.decode()
    assert 'id="id_theme" aria-invalid="true" aria-describedby="id_theme_error"' in content
    assert '<p class="field-error" id="id_theme_error">' in content
    assert 'aria-describedby="id_from_error"' in content and 'id="id_from_error"' in content


def test_repeated_filter_values_cannot_grow_the_query(client):
    make_event(title="Kvar", place=make_place(quiet_room=True))
    # 990 fields: just under Django's limit of 1,000 (beyond it, Django answers 400).
    response = client.get(URL + "?" + "&".join(["access=quiet_room"] * 990) + "&q=" + "+".join(["kvar"] * 900))
    assert response.status_code == 200
    assert titles(response) == ["Kvar"]


def test_too_many_search_words_are_refused_with_a_message(client):
    response = client.get(URL, {"q": " ".join(f"ord{n}" for n in range(11))})
    assert "q" in response.context["form"].errors


def test_from_date_includes_events_still_going_on(client):
    make_event(title="Tvådagarskonferens", start=at(days=2, hour=9), end=at(days=3, hour=16))
    day = (NOW + datetime.timedelta(days=3)).date().isoformat()
    assert titles(client.get(URL, {"from": day})) == ["Tvådagarskonferens"]
