"""Exports of the attendee list (CSV, XLSX) and the printable list."""

import csv
import datetime
import io
import time
import tracemalloc

import pytest
from django.contrib.auth import get_user_model
from django.http import FileResponse
from django.urls import reverse
from openpyxl import load_workbook

from registrations import exports
from registrations.models import AuditEntry, Question, Registration
from tests.factories import NOW, STOCKHOLM, make_registration, make_user

pytestmark = pytest.mark.django_db

EXPORT_VIEWS = ["export_csv", "export_xlsx", "print_list"]


def url(name, event, **params):
    address = reverse(f"organise:{name}", kwargs={"pk": event.pk})
    if params:
        address += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return address


def read_csv(response):
    assert response.streaming
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def read_xlsx(response):
    assert isinstance(response, FileResponse)
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def bulk_registrations(event, count, *, prefix="bulk"):
    """``count`` confirmed registrations with their users, in two INSERTs per 1,000."""
    User = get_user_model()
    users = User.objects.bulk_create(
        [
            User(email=f"{prefix}{n}@example.org", first_name="Åsa", last_name=f"Öberg {n:05d}", password="!")
            for n in range(count)
        ],
        batch_size=1000,
    )
    Registration.objects.bulk_create(
        [
            Registration(event=event, user=user, organisation="Västtrafik", dietary_needs="Vegan", consent_at=NOW)
            for user in users
        ],
        batch_size=1000,
    )


@pytest.fixture
def questions(event_a):
    return {
        "text": Question.objects.create(event=event_a, label="Vad vill du diskutera?", position=1),
        "multi": Question.objects.create(
            event=event_a,
            label="Vilka pass?",
            kind=Question.Kind.MULTIPLE_CHOICE,
            choices="Förmiddag\nEftermiddag",
            position=2,
        ),
        "yes_no": Question.objects.create(event=event_a, label="Middag?", kind=Question.Kind.YES_NO, position=3),
    }


@pytest.fixture
def attendees(event_a, questions):
    """A confirmed (checked in, formula in the organisation), a waitlisted, a cancelled."""
    q = questions
    confirmed = make_registration(
        event_a,
        make_user(email="orjan@example.org", first_name="Örjan", last_name="Ängström"),
        organisation='=HYPERLINK("http://evil.example/")',
        dietary_needs="Glutenfri; laktosfri",
        accessibility_needs="Hörslinga",
        checked_in_at=datetime.datetime(2026, 12, 3, 8, 45, tzinfo=STOCKHOLM),
        answers={
            q["text"].key: 'Återbruk, "cirkulärt"',
            q["multi"].key: ["Förmiddag", "Eftermiddag"],
            q["yes_no"].key: "yes",
        },
    )
    waiting = make_registration(
        event_a,
        make_user(email="wilma@example.org", first_name="Wilma", last_name="Väntan"),
        status=Registration.Status.WAITLISTED,
        waitlist_position=7,
        organisation="+46 31 00 00 00",
        answers={q["yes_no"].key: "no"},
    )
    cancelled = make_registration(
        event_a,
        make_user(email="carl@example.org", first_name="Carl", last_name="Cancel"),
        status=Registration.Status.CANCELLED,
    )
    Registration.objects.filter(pk=confirmed.pk).update(
        created_at=datetime.datetime(2026, 11, 2, 14, 5, tzinfo=datetime.UTC)
    )
    return {"confirmed": confirmed, "waiting": waiting, "cancelled": cancelled}


# --------------------------------------------------------------------------- permissions


@pytest.mark.parametrize("name", EXPORT_VIEWS)
def test_anonymous_visitor_is_sent_to_login(client, event_a, name):
    response = client.get(url(name, event_a))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("name", EXPORT_VIEWS)
def test_participant_is_forbidden(client, participant, event_a, name):
    client.force_login(participant)
    assert client.get(url(name, event_a)).status_code == 403


@pytest.mark.parametrize("name", EXPORT_VIEWS)
def test_other_team_gets_404_and_nothing_is_logged(client_b, event_a, event_b, name):
    assert client_b.get(url(name, event_a)).status_code == 404
    assert not AuditEntry.objects.filter(event=event_a).exists()


@pytest.mark.parametrize("name", EXPORT_VIEWS)
def test_post_is_not_allowed(client_a, event_a, name):
    assert client_a.post(url(name, event_a)).status_code == 405


@pytest.mark.parametrize(
    ("name", "detail", "action"),
    [
        ("export_csv", "csv", AuditEntry.Action.EXPORTED),
        ("export_xlsx", "xlsx", AuditEntry.Action.EXPORTED),
        ("print_list", "print", AuditEntry.Action.PRINTED),
    ],
)
def test_own_team_exports_and_the_export_is_audited(client_a, organiser_a, event_a, attendees, name, detail, action):
    response = client_a.get(url(name, event_a))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    entry = AuditEntry.objects.get(event=event_a)
    assert (entry.actor, entry.action, entry.detail) == (organiser_a, action, detail)


# --------------------------------------------------------------------------- CSV


def test_csv_opens_in_swedish_excel_with_every_column(client_a, event_a, attendees):
    response = client_a.get(url("export_csv", event_a))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="{event_a.slug}-')
    assert ".csv\"; filename*=UTF-8''" in disposition and disposition.endswith(".csv")
    rows = read_csv(response)
    assert len(rows[0]) == 10  # no dietary or accessibility needs: see the catering summary
    assert rows[0][-3:] == ["Vad vill du diskutera?", "Vilka pass?", "Middag?"]
    # Active registrations only, confirmed before the waiting list.
    assert [row[1] for row in rows[1:]] == ["orjan@example.org", "wilma@example.org"]
    confirmed, waiting = rows[1], rows[2]
    assert confirmed[0] == "Örjan Ängström"
    assert confirmed[2] == '\'=HYPERLINK("http://evil.example/")'  # formula injection defused
    assert confirmed[3] == "Bekräftad"
    assert confirmed[4] == ""
    assert confirmed[5] == "2026-11-02 15:05"  # 14:05 UTC is 15:05 in Stockholm
    assert confirmed[6] == "2026-12-03 08:45"
    assert "Glutenfri; laktosfri" not in confirmed and "Hörslinga" not in confirmed  # article 9 data stays in
    assert confirmed[7:] == ['Återbruk, "cirkulärt"', "Förmiddag, Eftermiddag", "Ja"]
    assert waiting[2] == "'+46 31 00 00 00"
    assert waiting[4] == "1"  # the visible place in the queue, not the internal position 7
    assert waiting[7:] == ["", "", "Nej"]


def test_csv_uses_the_active_language(client_a, event_a, attendees):
    response = client_a.get("/en" + url("export_csv", event_a))
    rows = read_csv(response)
    assert rows[0] == [
        "Name",
        "E-mail",
        "Organisation",
        "Status",
        "Waiting-list place",
        "Registered at",
        "Checked in at",
        "Vad vill du diskutera?",
        "Vilka pass?",
        "Middag?",
    ]
    assert rows[1][3] == "Confirmed"
    assert rows[1][-1] == "Yes"
    assert "-attendees.csv" in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("params", "emails"),
    [
        ({"status": "confirmed"}, ["orjan@example.org"]),
        ({"status": "waitlisted"}, ["wilma@example.org"]),
        ({"status": "cancelled"}, ["carl@example.org"]),
        ({"status": "checked_in"}, ["orjan@example.org"]),
        ({"q": "V%C3%A4ntan"}, ["wilma@example.org"]),
        ({"q": "vasttrafik"}, []),
        ({"q": "wilma"}, ["wilma@example.org"]),
        ({"status": "not_checked_in"}, []),
        ({"status": "all"}, ["orjan@example.org", "wilma@example.org", "carl@example.org"]),
        ({"q": "%C3%A4ngstr%C3%B6m"}, ["orjan@example.org"]),  # "ängström" finds "Ängström"
        ({"status": "bogus"}, ["orjan@example.org", "wilma@example.org"]),  # bad input: no filter
    ],
)
def test_exports_honour_the_attendee_list_filters(client_a, event_a, attendees, params, emails):
    rows = read_csv(client_a.get(url("export_csv", event_a, **params)))
    assert [row[1] for row in rows[1:]] == emails
    rows = read_xlsx(client_a.get(url("export_xlsx", event_a, **params)))
    assert [row[1] for row in rows[1:]] == emails


def test_another_events_registrations_are_never_exported(client_a, event_a, event_b, attendees):
    make_registration(event_b, make_user(email="annan@example.org"))
    rows = read_csv(client_a.get(url("export_csv", event_a)))
    assert "annan@example.org" not in {row[1] for row in rows}


def test_safe_text_defuses_every_formula_prefix():
    for text in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]:
        assert exports.safe_text(text) == "'" + text
    assert exports.safe_text("Anna = Bo") == "Anna = Bo"
    assert exports.safe_text("a\x00b\x1fc") == "abc"


# --------------------------------------------------------------------------- XLSX


def test_xlsx_has_bold_frozen_header_and_real_dates(client_a, event_a, attendees):
    response = client_a.get(url("export_xlsx", event_a))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith(f'attachment; filename="{event_a.slug}-')
    assert response["Content-Disposition"].endswith(".xlsx")
    content = b"".join(response.streaming_content)
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.active
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == str(exports.Columns(event_a).header[0]) and sheet["A1"].font.b
    assert sheet["A2"].value == "Örjan Ängström"
    assert sheet["C2"].value == '=HYPERLINK("http://evil.example/")'  # shown as typed...
    assert sheet["C2"].data_type == "s"  # text, never a formula
    assert sheet["F2"].value == datetime.datetime(2026, 11, 2, 15, 5)
    assert sheet["F2"].number_format == exports.XLSX_DATETIME_FORMAT
    assert sheet["E3"].value == 1
    assert [cell.value for cell in sheet[2]][7:] == ['Återbruk, "cirkulärt"', "Förmiddag, Eftermiddag", "Ja"]


# --------------------------------------------------------------------------- print


def test_print_list_shows_confirmed_people_with_needs_and_a_box_to_tick(client_a, event_a, attendees):
    response = client_a.get(url("print_list", event_a))
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "Örjan Ängström" in html and "Hörslinga" in html and "Glutenfri; laktosfri" in html
    assert "Wilma" not in html and "Carl" not in html
    assert 'class="print-table__box"' in html
    assert '<th scope="col">' in html and "<caption id=" in html
    assert "=HYPERLINK" in html  # in HTML it is only text
    assert "<script" not in html.split("</head>")[1]  # no inline scripts (strict CSP)


def test_print_list_takes_the_filters(client_a, event_a, attendees):
    html = client_a.get(url("print_list", event_a, status="waitlisted")).content.decode()
    assert "Wilma" in html and "Örjan" not in html
    html = client_a.get(url("print_list", event_a, status="")).content.decode()
    assert "Wilma" in html and "Örjan" in html


# --------------------------------------------------------------------------- size


def consume_csv(client, event):
    response = client.get(url("export_csv", event))
    rows = 0
    for chunk in response.streaming_content:
        rows += chunk.count(b"\r\n")
    return rows - 1


@pytest.mark.parametrize("name", ["export_csv", "export_xlsx"])
def test_export_queries_do_not_grow_with_the_rows(client_a, event_a, questions, django_assert_num_queries, name):
    """Session, user, team membership, event, questions, waiting list, audit entry and the
    registrations with their users (one query read in chunks): the same at 30 and 3,000 rows."""

    def run():
        response = client_a.get(url(name, event_a))
        b"".join(response.streaming_content)

    bulk_registrations(event_a, 30, prefix="small")
    run()  # warm up whatever the first request loads once
    with django_assert_num_queries(8) as small:
        run()
    bulk_registrations(event_a, 2970, prefix="large")
    with django_assert_num_queries(8) as large:
        run()
    assert len(small.captured_queries) == len(large.captured_queries)


def test_ten_thousand_rows_stream_and_parse_back(client_a, event_a, questions):
    bulk_registrations(event_a, 10_000)
    started = time.perf_counter()
    response = client_a.get(url("export_csv", event_a))
    assert response.streaming
    rows = read_csv(response)
    assert len(rows) == 10_001
    assert rows[1][0] == "Åsa Öberg 00000" and rows[-1][0] == "Åsa Öberg 09999"
    assert {row[2] for row in rows[1:]} == {"Västtrafik"}
    csv_seconds = time.perf_counter() - started

    response = client_a.get(url("export_xlsx", event_a))
    rows = read_xlsx(response)
    assert len(rows) == 10_001
    assert rows[-1][0] == "Åsa Öberg 09999"
    assert csv_seconds < 10


def test_csv_memory_does_not_grow_with_the_rows(client_a, event_a, questions):
    """The peak memory while streaming 10,000 rows is about that of 2,000 rows: the rows are
    never all in memory (a list of 10,000 rows would take several megabytes more)."""
    bulk_registrations(event_a, 2000, prefix="small")
    consume_csv(client_a, event_a)  # warm-up: imports, caches, translations

    def peak(expected_rows):
        tracemalloc.start()
        try:
            assert consume_csv(client_a, event_a) == expected_rows
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small = peak(2000)
    bulk_registrations(event_a, 8000, prefix="large")
    large = peak(10_000)
    assert large < small * 1.2, (small, large)
    assert large < 5_000_000
