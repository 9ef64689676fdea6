import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "heading", "lang"),
    [
        ("/tillganglighet/", "Tillgänglighet för Mötesplatser", "sv"),
        ("/en/accessibility/", "Accessibility of Mötesplatser", "en"),
    ],
)
def test_accessibility_statement_in_both_languages(client, settings, url, heading, lang):
    settings.ACCESSIBILITY_CONTACT_EMAIL = "hjalp@example.org"
    response = client.get(url)
    content = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in content
    assert heading in content
    assert 'href="mailto:hjalp@example.org' in content  # a way to report problems
    assert "digg.se" in content


@pytest.mark.django_db
def test_every_page_links_to_the_accessibility_statement_and_skip_link(client):
    for url, statement in [("/events/", "/tillganglighet/"), ("/en/places/", "/en/accessibility/")]:
        content = client.get(url).content.decode()
        assert f'href="{statement}"' in content
        assert '<a class="skip-link" href="#main">' in content
        assert '<main id="main"' in content


@pytest.mark.django_db
def test_language_switch_on_the_statement_goes_to_the_translated_address(client):
    content = client.get("/tillganglighet/").content.decode()
    assert 'href="/en/accessibility/" hreflang="en"' in content
