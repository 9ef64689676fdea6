"""A visitor finds events in a real browser: with htmx, without JavaScript, and by keyboard."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def results_count(page):
    return page.locator("#results-count")


def event_titles(page):
    return page.locator(".event-card__title").all_inner_texts()


def test_filtering_with_htmx_updates_results_and_address_and_back_restores(page, catalogue):
    page.goto("/events/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kommande evenemang")
    expect(results_count(page)).to_have_text("24 evenemang hittades")
    page.evaluate("window.notReloaded = true")

    page.get_by_label("Tema", exact=True).select_option(label="Klimat och energi")
    expect(results_count(page)).to_have_text("2 evenemang hittades")
    expect(page).to_have_url(re.compile(r"/events/\?theme=klimat-och-energi$"))
    assert event_titles(page) == ["Frukostseminarium om vätgas", "Webbinarium om laddinfrastruktur"]

    page.get_by_label("Mötesform", exact=True).select_option(label="Digitalt")
    expect(results_count(page)).to_have_text("1 evenemang hittades")
    expect(page).to_have_url(re.compile(r"theme=klimat-och-energi&format=online$"))
    assert page.evaluate("window.notReloaded") is True, "the page reloaded instead of updating"

    page.go_back()
    expect(results_count(page)).to_have_text("2 evenemang hittades")
    expect(page.get_by_label("Mötesform", exact=True)).to_have_value("")
    expect(page.get_by_label("Tema", exact=True)).to_have_value("klimat-och-energi")
    page.go_back()
    expect(results_count(page)).to_have_text("24 evenemang hittades")
    expect(page.get_by_label("Tema", exact=True)).to_have_value("")


def test_search_as_you_type_and_helpful_empty_result(page, catalogue):
    page.goto("/events/")
    page.get_by_label("Sök", exact=True).fill("VÄTGAS")
    expect(results_count(page)).to_have_text("1 evenemang hittades")
    page.get_by_label("Sök", exact=True).fill("finns inte någonstans")
    expect(results_count(page)).to_have_text("0 evenemang hittades")
    expect(page.get_by_text("Det finns inga kommande evenemang som matchar dina filter.")).to_be_visible()


def test_bad_filter_in_a_shared_link_is_explained(page, catalogue):
    page.goto("/events/?theme=finns-inte&from=2026-13-45")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Tema: Det alternativet finns inte.")
    expect(alert).to_contain_text("Från datum")
    expect(results_count(page)).to_have_text("24 evenemang hittades")


def test_open_an_event_its_place_and_switch_language(page, catalogue):
    page.goto("/events/")
    page.get_by_role("link", name="Frukostseminarium om vätgas").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Frukostseminarium om vätgas")
    expect(page.get_by_text("30 platser kvar")).to_be_visible()
    page.get_by_role("link", name="Innovatum").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Innovatum")
    expect(page.get_by_text("Trollhättan Innovatum")).to_be_visible()

    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/en/places/innovatum/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Upcoming events here")).to_be_visible()
    page.get_by_role("link", name="Svenska").click()
    expect(page).to_have_url(re.compile(r"/places/innovatum/$"))
    expect(page.get_by_role("heading", name="Kommande evenemang här")).to_be_visible()


def test_language_switch_keeps_the_filters(page, catalogue):
    page.goto("/events/")
    page.get_by_label("Tema", exact=True).select_option(label="Cirkulär ekonomi")  # an htmx update
    expect(results_count(page)).to_have_text("22 evenemang hittades")
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/en/events/\?theme=cirkular-ekonomi$"))
    expect(page.get_by_label("Theme", exact=True)).to_have_value("cirkular-ekonomi")
    expect(results_count(page)).to_have_text("22 events found")


def test_paging_with_htmx_moves_focus_to_the_results(page, catalogue):
    page.goto("/events/")
    page.get_by_role("link", name="Nästa sida").click()
    expect(page).to_have_url(re.compile(r"/events/\?page=2$"))
    expect(page.get_by_text("Sida 2 av 2")).to_be_visible()
    expect(page.locator("#results-heading")).to_be_focused()


def test_everything_works_without_javascript(no_js_page, catalogue):
    page = no_js_page
    page.goto("/events/")
    page.get_by_label("Tema", exact=True).select_option(label="Cirkulär ekonomi")
    page.get_by_label("Kommun", exact=True).select_option(label="Vara")
    page.get_by_role("button", name="Visa evenemang").click()
    expect(page).to_have_url(re.compile(r"theme=cirkular-ekonomi"))
    expect(results_count(page)).to_have_text("22 evenemang hittades")
    page.get_by_role("link", name="Nästa sida").click()
    expect(page.get_by_text("Sida 2 av 2")).to_be_visible()
    expect(page.get_by_label("Tema", exact=True)).to_have_value("cirkular-ekonomi")
    page.get_by_role("link", name="Rensa filter").click()
    expect(results_count(page)).to_have_text("24 evenemang hittades")
    page.get_by_role("link", name="Webbinarium om laddinfrastruktur").click()
    expect(page.get_by_text("Fullbokat – väntelista öppen")).to_be_visible()
    assert "meet.example.org" not in page.content()
    page.get_by_role("link", name="English").click()
    expect(page.get_by_text("Full – waiting list open")).to_be_visible()
    page.get_by_role("link", name="Meeting places").click()
    page.get_by_role("link", name="Vara Konserthus").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vara Konserthus")
    expect(page.locator("#results-count")).to_have_text("22 upcoming events")
    page.get_by_role("link", name="Next page").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()


def test_keyboard_only_filtering_with_visible_focus(page, catalogue):
    page.goto("/events/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hoppa till huvudinnehållet")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # Tab into the filters: search first, then the theme select.
    page.keyboard.press("Tab")
    expect(page.get_by_label("Sök", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    theme = page.get_by_label("Tema", exact=True)
    expect(theme).to_be_focused()
    outline = theme.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none", "keyboard focus must be visible"
    theme.press("ArrowDown")  # a closed select changes its value with the arrow keys
    expect(results_count(page)).not_to_have_text("24 evenemang hittades")
    expect(theme).to_be_focused()  # htmx swapped the results, not the form
    expect(results_count(page)).to_have_attribute("aria-live", "polite")

    # From the filters, the keyboard reaches the first result.
    page.get_by_role("button", name="Visa evenemang").focus()
    for _ in range(3):
        page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('.event-card') !== null")
    assert focused, "Tab from the filter buttons should reach the results"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_language_switcher_by_keyboard(page, catalogue):
    page.goto("/events/")
    switcher = page.get_by_role("link", name="English")
    switcher.focus()
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_phone_visitor_filters_and_reads_an_event(phone_page, catalogue):
    page = phone_page
    page.goto("/events/")
    page.get_by_label("Kommun", exact=True).select_option(label="Trollhättan")
    expect(results_count(page)).to_have_text("1 evenemang hittades")
    link = page.get_by_role("link", name="Frukostseminarium om vätgas")
    link.scroll_into_view_if_needed()
    expect(link).to_be_visible()
    link.tap()
    expect(page.get_by_role("heading", name="Praktisk information")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
