"""The retention rules, applied by `manage.py apply_retention`: article 9 data the day after
the event, the rest of the personal data RETENTION_PERSONAL_DAYS after it; figures stay."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from registrations import privacy, queries, services
from registrations.models import AuditEntry, FeedToken, Mailing, Question, Registration
from tests.factories import NOW, at, make_event, make_registration, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def past_event(team):
    """An event that ended yesterday evening (Stockholm)."""
    return make_event(organiser=team, start=at(days=-1, hour=16), capacity=3)


@pytest.fixture
def registrations(past_event, organiser):
    question = Question.objects.create(event=past_event, label="Vad vill du diskutera?")
    checked_in = make_registration(
        past_event,
        make_user(email="orjan@example.org", first_name="Örjan", last_name="Ängström"),
        organisation="Västtrafik",
        dietary_needs="Glutenfri",
        accessibility_needs="Hörslinga",
        sensitive_consent_at=NOW,
        answers={question.key: "Återbruk"},
        checked_in_at=at(days=-1, hour=16, minute=5),
    )
    no_show = make_registration(past_event, make_user(email="nils@example.org", last_name="Nilsson"))
    cancelled = make_registration(
        past_event,
        make_user(email="carl@example.org", last_name="Carlsson"),
        status=Registration.Status.CANCELLED,
        cancelled_at=at(days=-3),
    )
    AuditEntry.objects.create(
        event=past_event, actor=organiser, action=AuditEntry.Action.CHECKED_IN, registration=checked_in
    )
    return checked_in, no_show, cancelled


def day_after_event(days, hour=0, minute=5):
    """Stockholm wall-clock time ``days`` days after the (yesterday's) event's last day."""
    return at(days=-1 + days, hour=hour, minute=minute)


def test_nothing_is_erased_on_the_day_of_the_event(past_event, registrations):
    result = privacy.apply_retention(now=at(days=-1, hour=23, minute=59))
    assert (result.sensitive_erased, result.anonymised) == (0, 0)
    assert Registration.objects.get(pk=registrations[0].pk).dietary_needs == "Glutenfri"


def test_sensitive_answers_are_erased_the_day_after_the_event(past_event, registrations):
    result = privacy.apply_retention(now=day_after_event(1, hour=0, minute=1))
    assert result.sensitive_erased == 1 and result.anonymised == 0
    checked_in = Registration.objects.get(pk=registrations[0].pk)
    assert (checked_in.dietary_needs, checked_in.accessibility_needs, checked_in.sensitive_consent_at) == ("", "", None)
    # The rest stays until the personal retention period has passed.
    assert checked_in.user.email == "orjan@example.org"
    assert checked_in.organisation == "Västtrafik" and checked_in.answers
    assert checked_in.anonymised_at is None


def test_the_sensitive_period_is_a_setting(settings, past_event, registrations):
    settings.RETENTION_SENSITIVE_DAYS = 7
    assert privacy.apply_retention(now=day_after_event(6, hour=23)).sensitive_erased == 0
    assert privacy.apply_retention(now=day_after_event(7)).sensitive_erased == 1


def test_a_sensitive_period_of_zero_erases_as_soon_as_the_event_is_over(settings, team):
    settings.RETENTION_SENSITIVE_DAYS = 0
    event = make_event(organiser=team, start=at(days=0, hour=8))  # ends 11:00 today
    make_registration(event, dietary_needs="Vegansk", sensitive_consent_at=NOW)
    assert privacy.apply_retention(now=at(hour=10, minute=59)).sensitive_erased == 0
    assert privacy.apply_retention(now=at(hour=11, minute=1)).sensitive_erased == 1


def test_an_upcoming_event_keeps_its_needs(event):
    make_registration(event, dietary_needs="Vegansk", sensitive_consent_at=NOW)
    assert privacy.apply_retention(now=NOW + datetime.timedelta(days=3)).sensitive_erased == 0


def test_personal_data_is_removed_after_the_configured_days_keeping_the_figures(past_event, registrations):
    counts_before = queries.attendance_counts(past_event)
    assert privacy.apply_retention(now=day_after_event(89, hour=23)).anonymised == 0
    result = privacy.apply_retention(now=day_after_event(90))
    assert result.anonymised == 3
    for registration in Registration.objects.filter(event=past_event):
        assert registration.user is None and registration.anonymised_at is not None
        assert registration.organisation == "" and registration.answers == {}
        assert registration.dietary_needs == registration.accessibility_needs == ""
    checked_in = Registration.objects.get(pk=registrations[0].pk)
    assert checked_in.checked_in_at == at(days=-1, hour=16, minute=5)  # times stay, without a person
    assert queries.attendance_counts(past_event) == counts_before
    assert counts_before["confirmed"] == 2 and counts_before["checked_in"] == 1 and counts_before["cancelled"] == 1
    # The people's accounts are not touched: only the link to this event is gone.
    assert Registration.objects.filter(user__email="orjan@example.org").count() == 0
    assert "orjan" not in str(checked_in) and str(checked_in).startswith("#")


def test_the_personal_period_is_a_setting(settings, past_event, registrations):
    settings.RETENTION_PERSONAL_DAYS = 30
    assert privacy.apply_retention(now=day_after_event(29, hour=12)).anonymised == 0
    assert privacy.apply_retention(now=day_after_event(30)).anonymised == 3


def test_applying_the_rules_again_changes_nothing(past_event, registrations):
    moment = day_after_event(91)
    first = privacy.apply_retention(now=moment)
    stamps = list(Registration.objects.order_by("pk").values_list("anonymised_at", flat=True))
    again = privacy.apply_retention(now=moment + datetime.timedelta(days=1))
    assert first.anonymised == 3 and again.anonymised == 0 and again.sensitive_erased == 0
    assert list(Registration.objects.order_by("pk").values_list("anonymised_at", flat=True)) == stamps


def test_the_audit_log_keeps_no_link_to_the_person(past_event, registrations):
    privacy.apply_retention(now=day_after_event(90))
    entry = AuditEntry.objects.get(event=past_event, action=AuditEntry.Action.CHECKED_IN)
    assert entry.registration.user is None
    assert "orjan" not in entry.detail.lower()


def test_exports_after_retention_contain_no_personal_data(client, organiser, team, past_event, registrations):
    with time_machine.travel(day_after_event(90, hour=12), tick=False):
        client.force_login(organiser)
        call_command("apply_retention", stdout=io.StringIO())
        csv_text = b"".join(
            client.get(reverse("organise:export_csv", args=[past_event.pk]) + "?status=all").streaming_content
        ).decode("utf-8-sig")
        xlsx = b"".join(
            client.get(reverse("organise:export_xlsx", args=[past_event.pk]) + "?status=all").streaming_content
        )
        printed = client.get(reverse("organise:print_list", args=[past_event.pk]) + "?status=all").content.decode()
        page = client.get(reverse("organise:attendees", args=[past_event.pk]) + "?status=all").content.decode()
    from openpyxl import load_workbook

    cells = [
        str(value)
        for row in load_workbook(io.BytesIO(xlsx), read_only=True).active.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    for text in (csv_text, " ".join(cells), printed, page):
        for personal in (
            "Örjan",
            "Ängström",
            "orjan@",
            "nils@",
            "Nilsson",
            "carl@",
            "Västtrafik",
            "Återbruk",
            "Glutenfri",
            "Hörslinga",
        ):
            assert personal not in text
    rows = csv_text.strip().split("\r\n")
    assert len(rows) == 4  # the header and three anonymous rows: the figures are still there
    assert all(row.startswith("Anonymiserad") or row.startswith("Anonymised") for row in rows[1:])


def test_the_command_prints_what_it_did_and_has_a_dry_run(past_event, registrations):
    out = io.StringIO()
    with time_machine.travel(day_after_event(1, hour=3), tick=False):
        call_command("apply_retention", "--dry-run", stdout=out)
        assert "Would erase dietary and accessibility needs of 1 registration(s)" in out.getvalue()
        assert Registration.objects.get(pk=registrations[0].pk).dietary_needs == "Glutenfri"
        out = io.StringIO()
        call_command("apply_retention", stdout=out)
        assert "Erased dietary and accessibility needs of 1 registration(s)" in out.getvalue()
        assert "Anonymised 0 registration(s)" in out.getvalue()
        out = io.StringIO()
        call_command("apply_retention", stdout=out)
        assert "of 0 registration(s)" in out.getvalue()


def test_anonymised_registrations_get_no_mail_and_are_not_counted_as_recipients(past_event, registrations, organiser):
    privacy.apply_retention(now=day_after_event(90))
    mailing = services.start_mailing(past_event, by=organiser, subject="Tack för i går", body="Hej")
    mailing.refresh_from_db()
    assert mailing.recipient_count == 0
    assert mailing.status == Mailing.Status.SENT or mailing.sent_count == 0


def test_a_persons_feed_and_own_pages_lose_anonymised_registrations(client, past_event, registrations):
    person = registrations[0].user
    token = FeedToken.objects.create(user=person)
    privacy.apply_retention(now=day_after_event(90))
    with time_machine.travel(day_after_event(90, hour=12), tick=False):
        client.force_login(person)
        assert past_event.title not in client.get(reverse("registrations:my_registrations")).content.decode()
        feed = client.get(reverse("personal_feed", kwargs={"token": token.token}))
        assert feed.status_code == 200 and past_event.title not in feed.content.decode()
