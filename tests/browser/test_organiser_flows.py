"""An organiser, as a new user would: signs in with two-factor authentication, creates and
publishes an event, sees registrations arrive, checks people in at the door on a phone,
exports the list for Excel and messages the waiting list; another team sees none of it.

The workspace is driven in English (/en/); the axe-core scan covers both languages.
"""

import csv
import io
import pathlib
import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from playwright.sync_api import expect

from events.models import Event
from registrations.models import Registration
from tests.browser.conftest import _log_in
from tests.factories import make_organiser, make_registration, make_user

pytestmark = pytest.mark.browser

PASSWORD = "Hallonbåt-Kanal-42"


def totp_code(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def team_member(catalogue, email="karin@example.org"):
    user = make_user(email=email, first_name="Karin", last_name="Lindqvist", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    catalogue.first_event.organiser.members.add(user)
    return user


def test_organiser_signs_in_with_two_factor_then_creates_and_publishes_an_event(page, catalogue, settings):
    settings.ORGANISER_MFA_REQUIRED = True
    organiser = team_member(catalogue)
    secret = generate_totp_secret()
    TOTP.activate(organiser, secret)

    page.goto("/en/organise/")  # the workspace sends a visitor to the login page
    page.get_by_label("Email").fill(organiser.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name=re.compile("sign in|confirm", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("events")
    assert page.url.endswith("/en/organise/")

    page.get_by_role("link", name="New event").first.click()
    page.get_by_label("Title").fill("Vätgasdagen 2027")
    page.get_by_label("Summary").fill("En dag om vätgas i Västra Götaland.")
    page.get_by_label("Starts").fill("2027-03-10T09:00")
    page.get_by_label("Ends").fill("2027-03-10T08:00")  # before the start: refused, nothing lost
    page.get_by_label("Meeting place").select_option(str(catalogue.innovatum.pk))
    page.get_by_label("Capacity").fill("40")
    page.get_by_role("button", name=re.compile("save|create", re.I)).click()
    expect(page.locator("#form-errors")).to_be_focused()
    expect(page.get_by_label("Title")).to_have_value("Vätgasdagen 2027")
    page.get_by_label("Ends").fill("2027-03-10T16:00")
    page.get_by_role("button", name=re.compile("save|create", re.I)).click()

    event = Event.objects.get(title="Vätgasdagen 2027")
    assert (event.status, event.capacity, event.organiser) == ("draft", 40, catalogue.first_event.organiser)
    page.get_by_role("button", name="Publish").first.click()
    expect(page.get_by_role("status").first).to_contain_text("ublished")
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED

    page.goto("/en/events/?q=vätgasdagen")
    expect(page.get_by_role("link", name="Vätgasdagen 2027")).to_be_visible()


def test_registrations_arrive_and_people_are_checked_in_at_the_door_on_a_phone(phone_page, catalogue, live_server):
    organiser = team_member(catalogue)
    event = catalogue.first_event
    people = [
        make_user(email=f"person{n}@example.org", first_name=first, last_name=last, organisation="Vara kommun")
        for n, (first, last) in enumerate([("Åsa", "Öberg"), ("Erik", "Lind"), ("Maja", "Ström")])
    ]
    for person in people:
        make_registration(event, person)
    page = _log_in(phone_page, live_server, organiser)

    page.goto("/en/organise/")
    row = page.get_by_role("row").filter(has_text=event.title)
    expect(row).to_contain_text("3")  # confirmed registrations on the dashboard
    page.goto(f"/en/organise/events/{event.pk}/check-in/")
    page.get_by_role("searchbox").fill("öberg")
    expect(page.get_by_text("Erik Lind")).to_have_count(0)  # search as you type
    page.get_by_role("button", name=re.compile("Check in.*Åsa Öberg")).click()
    expect(page.get_by_role("button", name=re.compile("Undo.*Åsa Öberg"))).to_be_visible()
    expect(page.get_by_text(re.compile("1 of 3"))).to_be_visible()
    assert Registration.objects.get(user=people[0]).checked_in_at is not None
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")

    page.get_by_role("button", name=re.compile("Undo.*Åsa Öberg")).click()
    expect(page.get_by_role("button", name=re.compile("Check in.*Åsa Öberg"))).to_be_visible()
    assert Registration.objects.get(user=people[0]).checked_in_at is None


def test_another_teams_organiser_is_refused(page, catalogue, live_server):
    stranger = make_user(email="annan@example.org")
    make_organiser(members=[stranger], name="Annat team", slug="annat-team")
    _log_in(page, live_server, stranger)
    page.goto("/en/organise/")
    expect(page.get_by_text(catalogue.first_event.title)).to_have_count(0)
    response = page.goto(f"/en/organise/events/{catalogue.first_event.pk}/attendees/")
    assert response.status == 404
    response = page.goto(f"/en/organise/events/{catalogue.first_event.pk}/attendees.csv")
    assert response.status == 404


def test_the_list_is_exported_for_excel_and_the_waiting_list_is_messaged(page, catalogue, live_server, mailbox):
    organiser = team_member(catalogue)
    event = catalogue.full_event  # one seat, taken
    waiting = make_user(email="vantar@example.org", first_name="Nils", last_name="Ek", language="en")
    make_registration(event, waiting, status=Registration.Status.WAITLISTED)
    _log_in(page, live_server, organiser)

    page.goto(f"/en/organise/events/{event.pk}/attendees/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    content = pathlib.Path(download.value.path()).read_text(encoding="utf-8")
    assert content.startswith("\ufeff")  # the BOM makes Swedish Excel read UTF-8
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 3  # header, the seat and the waiting list
    assert any("vantar@example.org" in row for row in rows)

    page.get_by_role("link", name="Message attendees").click()
    page.get_by_label("The waiting list").check()
    page.get_by_label("Subject").fill("Fler platser?")
    page.get_by_role("textbox", name="Message").fill("Vi försöker ordna en större lokal.")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("It goes to 1 person")).to_be_visible()
    assert not mailbox.to("vantar@example.org")  # a preview sends nothing
    page.get_by_role("button", name="Send to 1 person").click()
    expect(page.get_by_text(re.compile("1 of 1"))).to_be_visible()
    message = mailbox.last_to("vantar@example.org")
    assert message.subject == "Fler platser?"
    assert "Vi försöker ordna en större lokal." in message.body
    holder = Registration.objects.get(event=event, status=Registration.Status.CONFIRMED).user
    assert not mailbox.to(holder.email)  # the confirmed participant was not on the list
