import icalendar
import pytest

from registrations import emails, services
from tests.factories import make_event, make_registration, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def calendar_of(message):
    (attachment,) = [a for a in message.attachments if a.mimetype.startswith("text/calendar")]
    return icalendar.Calendar.from_ical(attachment.content), attachment.mimetype


def test_confirmation_carries_an_itip_request_with_the_participant(mailoutbox, django_capture_on_commit_callbacks):
    event = make_event(title="Workshop om vätgas, del 1; fördjupning")
    user = make_user(email="sara@example.org", first_name="Sara", last_name="Öberg")
    with django_capture_on_commit_callbacks(execute=True):
        services.register(user, event)
    (message,) = mailoutbox
    assert message.to == ["sara@example.org"]
    assert "Workshop om vätgas" in message.subject and message.subject.startswith("Du är anmäld")
    html = message.alternatives[0]
    assert html.mimetype == "text/html" and '<html lang="sv">' in html.content
    calendar, mimetype = calendar_of(message)
    assert "method=REQUEST" in mimetype
    assert calendar["METHOD"] == "REQUEST"
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == f"event-{event.pk}@127.0.0.1"
    assert str(vevent["SUMMARY"]) == event.title
    assert vevent.decoded("DTSTART") == event.start
    assert str(vevent["ATTENDEE"]) == "mailto:sara@example.org"
    assert vevent["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    assert str(vevent["ORGANIZER"]).startswith("mailto:")
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Stockholm"


def test_cancellation_withdraws_the_invitation_with_a_higher_sequence(mailoutbox, django_capture_on_commit_callbacks):
    event = make_event()
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.register(make_user(), event)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(registration)
    confirmation, cancellation = mailoutbox
    sent, _ = calendar_of(confirmation)
    withdrawn, mimetype = calendar_of(cancellation)
    assert withdrawn["METHOD"] == "CANCEL" and "method=CANCEL" in mimetype
    (before,), (after,) = sent.walk("VEVENT"), withdrawn.walk("VEVENT")
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after["STATUS"] == "CANCELLED"


def test_promotion_is_announced_with_an_invitation(mailoutbox, django_capture_on_commit_callbacks):
    event = make_event(capacity=1)
    first, second = make_user(), make_user(email="vantar@example.org")
    for step in (lambda: services.register(first, event), lambda: services.register(second, event)):
        with django_capture_on_commit_callbacks(execute=True):  # each request commits on its own
            step()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(event.registrations.get(user=first))
    subjects = {tuple(m.to): m.subject for m in mailoutbox}
    assert subjects[("vantar@example.org",)].startswith("Du fick en plats")
    promoted = next(m for m in mailoutbox if m.subject.startswith("Du fick en plats"))
    assert calendar_of(promoted)[0]["METHOD"] == "REQUEST"
    waitlisted = next(m for m in mailoutbox if "väntelistan" in m.subject)
    assert "nummer 1" in waitlisted.body
    assert not [a for a in waitlisted.attachments if a.mimetype.startswith("text/calendar")]


def test_emails_use_the_participants_language():
    registration = make_registration(make_event(title="Frukostmöte"), make_user(language="en"))
    message = emails.build_message(registration, emails.CONFIRMED)
    assert message.subject == "You are registered: Frukostmöte"
    assert "Your registration is confirmed" in message.body
    assert '<html lang="en">' in message.alternatives[0].content


def test_online_link_is_in_the_confirmation_only():
    event = make_event(format="online", online_url="https://meet.example.org/abc")
    registration = make_registration(event)
    assert "https://meet.example.org/abc" in emails.build_message(registration, emails.CONFIRMED).body
    assert "https://meet.example.org/abc" not in emails.build_message(registration, emails.CANCELLED).body


def test_a_queued_email_made_wrong_by_a_later_change_is_not_sent(mailoutbox, django_capture_on_commit_callbacks):
    """With a worker, a confirmation may be sent after the person cancelled: it is skipped."""
    user = make_user()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        registration = services.register(user, make_event())
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(registration)
    for callback in callbacks:  # the worker gets to the confirmation only now
        callback()
    assert [m.subject.split(":")[0] for m in mailoutbox] == ["Avbokad"]


def test_leaving_the_waiting_list_sends_no_calendar_withdrawal(mailoutbox, django_capture_on_commit_callbacks):
    event = make_event(capacity=0)
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.register(make_user(), event)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(registration)
    left = mailoutbox[-1]
    assert not [a for a in left.attachments if a.mimetype.startswith("text/calendar")]


def test_unknown_kind_is_an_error():
    with pytest.raises(ValueError):
        emails.build_message(make_registration(make_event()), "spam")


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_mails_wait_for_the_worker(settings, mailoutbox):
    """Production queues e-mails in the database; `manage.py db_worker` sends them."""
    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    services.register(make_user(email="ko@example.org"), make_event())
    assert mailoutbox == []  # queued, not sent in the request
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert [m.to for m in mailoutbox] == [["ko@example.org"]]


def test_multi_day_events_show_their_end_date_in_emails():

    from tests.factories import at

    event = make_event(start=at(days=3, hour=9), end=at(days=4, hour=16))
    body = emails.build_message(make_registration(event), emails.CONFIRMED).body
    assert event.end.strftime("%Y") in body and "16:00" in body
    assert f"{at(days=4).day} " in body.split("16:00")[0][-30:]
