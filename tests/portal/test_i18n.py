from pathlib import Path

import polib
import pytest
from django.conf import settings

from tests.factories import make_event

pytestmark = pytest.mark.django_db

PO_FILE = Path(settings.BASE_DIR) / "locale" / "sv" / "LC_MESSAGES" / "django.po"


def test_swedish_is_the_default_language(client):
    content = client.get("/events/").content.decode()
    assert '<html lang="sv">' in content
    assert "Kommande evenemang" in content


def test_english_pages_live_under_en(client):
    content = client.get("/en/events/").content.decode()
    assert '<html lang="en">' in content
    assert "Upcoming events" in content


def test_language_switcher_links_to_the_same_page_with_its_filters(client):
    event = make_event()
    swedish_url = event.get_absolute_url()
    content = client.get("/events/", {"format": "online"}).content.decode()
    assert 'href="/en/events/?format=online" hreflang="en" lang="en"' in content
    english = client.get(f"/en{swedish_url}").content.decode()
    assert f'href="{swedish_url}" hreflang="sv" lang="sv"' in english


def test_every_interface_string_has_a_swedish_translation():
    catalogue = polib.pofile(str(PO_FILE))
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not missing, f"Untranslated: {missing}"
    assert not fuzzy, f"Fuzzy: {fuzzy}"


def test_catalogue_compiles_without_gnu_gettext(tmp_path, settings):
    from portal.translations import compile_catalogues

    locale = tmp_path / "sv" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    (locale / "django.po").write_bytes(PO_FILE.read_bytes())
    settings.LOCALE_PATHS = [tmp_path]
    assert compile_catalogues() == [locale / "django.mo"]
    mo = polib.mofile(str(locale / "django.mo"))
    assert mo.find("Upcoming events").msgstr == "Kommande evenemang"
    assert compile_catalogues() == []  # up to date: nothing to do
