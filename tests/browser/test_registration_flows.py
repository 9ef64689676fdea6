"""A member of the public signs up, verifies the address, registers, cancels; the waiting list moves."""

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from registrations.models import Question, Registration
from tests.factories import make_registration, make_user

pytestmark = pytest.mark.browser

PASSWORD = "Hallonbåt-Kanal-42"


def sign_up(page, mailbox, email, first_name="Sara"):
    page.goto("/accounts/signup/")
    page.get_by_label("E-post", exact=False).first.fill(email)
    page.get_by_label("Förnamn").fill(first_name)
    page.get_by_label("Efternamn").fill("Öberg")
    page.get_by_label("Organisation").fill("Borås Stad")
    page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    page.get_by_label("Lösenord (igen)").fill(PASSWORD)
    page.get_by_role("button", name="Skapa konto").click()
    link = next(link for link in mailbox.links(mailbox.last_to(email)) if "/confirm-email/" in link)
    page.goto(link)
    page.get_by_role("button", name=re.compile("Bekräfta|Verifiera")).click()


def verified_participant(email="vantar@example.org"):
    user = make_user(email=email, first_name="Nils", last_name="Ek")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_sign_up_verify_register_and_cancel(page, catalogue, mailbox):
    event = catalogue.first_event
    Question.objects.create(
        event=event,
        label="Vilken workshop vill du gå på?",
        kind="single_choice",
        choices="Vätgas\nSolel",
        required=True,
    )
    sign_up(page, mailbox, "sara@example.org")
    expect(page.get_by_role("link", name="Mina anmälningar")).to_be_visible()

    page.goto(event.get_absolute_url())
    page.get_by_role("link", name=re.compile("^Anmäl dig")).click()
    expect(page.get_by_label("Organisation")).to_have_value("Borås Stad")  # from the profile
    page.get_by_role("button", name="Anmäl dig").click()  # forgot the required answers
    expect(page.get_by_role("alert")).to_contain_text("Vilken workshop vill du gå på?")
    expect(page.locator("#form-errors")).to_be_focused()
    page.get_by_role("textbox", name=re.compile("^Specialkost")).fill("Vegetarisk")
    # Needs about diet or accessibility are asked with an explicit consent of their own.
    page.get_by_label(re.compile("Jag samtycker till att mina uppgifter om specialkost")).check()
    page.get_by_label("Solel").check()
    page.get_by_label(re.compile("Jag godkänner")).check()
    page.get_by_role("button", name="Anmäl dig").click()

    expect(page.get_by_role("status").first).to_contain_text("Du är anmäld")
    expect(page.get_by_text("Du är anmäld", exact=True)).to_be_visible()
    confirmation = mailbox.last_to("sara@example.org")
    assert confirmation.subject.startswith("Du är anmäld")
    assert any(a.mimetype.startswith("text/calendar") for a in confirmation.attachments)

    page.get_by_role("link", name="Mina anmälningar").first.click()
    page.get_by_role("link", name=re.compile("Avboka")).click()
    page.get_by_role("button", name="Ja, avboka").click()
    expect(page.get_by_role("status").first).to_contain_text("avbokad")
    assert Registration.objects.get(user__email="sara@example.org").status == "cancelled"


def test_waitlisted_participant_is_promoted_when_a_seat_frees_up(page, catalogue, mailbox, live_server):
    event = catalogue.full_event  # one seat, already taken
    holder = event.registrations.get()
    waiting = verified_participant()
    from tests.browser.conftest import _log_in

    _log_in(page, live_server, waiting)
    page.goto(event.get_absolute_url())
    page.get_by_role("link", name=re.compile("Ställ dig i kö|väntelistan", re.I)).click()
    page.get_by_label(re.compile("Jag godkänner")).check()
    page.get_by_role("button", name=re.compile("väntelistan", re.I)).click()
    expect(page.get_by_text("Du står som nummer 1 på väntelistan")).to_be_visible()
    assert "meet.example.org" not in page.content()

    # The seat holder cancels (in another browser session); the first in line moves up.
    from registrations import services

    services.cancel(holder)
    page.reload()
    expect(page.get_by_text("Du är anmäld", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="https://meet.example.org/hemlig")).to_be_visible()
    assert mailbox.last_to(waiting.email).subject.startswith("Du fick en plats")


def test_register_and_cancel_without_javascript(no_js_page, catalogue, live_server):
    page = no_js_page
    from tests.browser.conftest import _log_in

    _log_in(page, live_server, verified_participant("utanjs@example.org"))
    page.goto(catalogue.first_event.get_absolute_url())
    page.get_by_role("link", name=re.compile("^Anmäl dig")).click()
    page.get_by_label(re.compile("Jag godkänner")).check()
    page.get_by_role("button", name="Anmäl dig").click()
    expect(page.get_by_text("Du är anmäld", exact=True)).to_be_visible()
    page.goto("/me/registrations/")
    page.get_by_role("link", name=re.compile("Avboka")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vill du avboka din anmälan?")
    page.get_by_role("button", name="Ja, avboka").click()
    expect(page).to_have_url(re.compile("/me/registrations/$"))
    expect(page.get_by_text("Avbokad av dig")).to_be_visible()


def test_register_by_keyboard_alone(page, catalogue, live_server):
    from tests.browser.conftest import _log_in

    _log_in(page, live_server, verified_participant("tangentbord@example.org"))
    page.goto(catalogue.first_event.get_absolute_url())
    register = page.get_by_role("link", name=re.compile("^Anmäl dig"))
    register.focus()
    page.keyboard.press("Enter")
    page.get_by_label("Organisation").focus()
    # Tab through the form to the consent box and the button.
    consent = page.get_by_label(re.compile("Jag godkänner"))
    for _ in range(10):
        if consent.evaluate("e => e === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(consent).to_be_focused()
    page.keyboard.press("Space")
    expect(consent).to_be_checked()
    page.keyboard.press("Tab")  # the privacy link
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Anmäl dig")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Du är anmäld", exact=True)).to_be_visible()


def test_cancel_confirmation_inline_with_htmx(page, catalogue, live_server):
    from tests.browser.conftest import _log_in

    user = verified_participant("htmx@example.org")
    make_registration(catalogue.first_event, user)
    _log_in(page, live_server, user)
    page.goto("/me/registrations/")
    page.evaluate("window.notReloaded = true")
    page.get_by_role("link", name=re.compile("Avboka")).click()
    expect(page.get_by_role("button", name="Ja, avboka")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    expect(page.locator(".confirm p[tabindex='-1']")).to_be_focused()  # the question is read out
    page.get_by_role("button", name="Ja, avboka").click()
    expect(page.get_by_text("Avbokad av dig")).to_be_visible()
