"""Delivering mailings: audience, language, calendar updates, and resuming after a stop."""

import pytest
from django.core import mail

from registrations import services
from registrations.models import AuditEntry, Mailing, Registration
from tests.factories import make_registration, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(event_a):
    return {
        "sv": make_registration(event_a, make_user(email="sara@example.org", first_name="Sara", language="sv")),
        "en": make_registration(event_a, make_user(email="emma@example.org", first_name="Emma", language="en")),
        "waiting": make_registration(
            event_a,
            make_user(email="vera@example.org", first_name="Vera", language="sv"),
            status=Registration.Status.WAITLISTED,
            waitlist_position=1,
        ),
        "cancelled": make_registration(
            event_a, make_user(email="cecilia@example.org"), status=Registration.Status.CANCELLED
        ),
    }


def start(event, by, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        mailing = services.start_mailing(event, by=by, **kwargs)
    mailing.refresh_from_db()
    return mailing


def by_recipient():
    return {message.to[0]: message for message in mail.outbox}


def calendar_methods(message):
    return [
        attachment.mimetype.split("method=")[1]
        for attachment in message.attachments
        if attachment.mimetype.startswith("text/calendar")
    ]


def test_message_goes_to_each_recipient_once_in_their_language_without_calendar(
    event_a, organiser_a, people, django_capture_on_commit_callbacks
):
    mailing = start(
        event_a,
        organiser_a,
        django_capture_on_commit_callbacks,
        audience=Mailing.Audience.ALL,
        subject="Parkering",
        body="Parkera vid stationen.",
    )
    messages = by_recipient()
    assert len(mail.outbox) == 3
    assert set(messages) == {"sara@example.org", "emma@example.org", "vera@example.org"}
    assert messages["sara@example.org"].body.startswith("Hej Sara!")
    assert messages["emma@example.org"].body.startswith("Hello Emma,")
    assert all(message.subject == "Parkering" for message in mail.outbox)
    assert all("Parkera vid stationen." in message.body for message in mail.outbox)
    assert all(calendar_methods(message) == [] for message in mail.outbox)
    assert (mailing.status, mailing.sent_count, mailing.recipient_count) == (Mailing.Status.SENT, 3, 3)
    assert mailing.finished_at is not None
    entry = AuditEntry.objects.get(event=event_a, action=AuditEntry.Action.MESSAGED)
    assert entry.actor == organiser_a and entry.detail.endswith(": 3")


def test_confirmed_audience_leaves_out_waiting_list_and_cancelled(
    event_a, organiser_a, people, django_capture_on_commit_callbacks
):
    start(event_a, organiser_a, django_capture_on_commit_callbacks, subject="Hej", body="Text")
    assert sorted(by_recipient()) == ["emma@example.org", "sara@example.org"]


def test_change_notice_updates_the_calendar_of_confirmed_people_only(
    event_a, organiser_a, people, django_capture_on_commit_callbacks
):
    start(
        event_a,
        organiser_a,
        django_capture_on_commit_callbacks,
        kind=Mailing.Kind.EVENT_CHANGED,
        audience=Mailing.Audience.ALL,
    )
    messages = by_recipient()
    assert calendar_methods(messages["sara@example.org"]) == ["REQUEST"]
    assert calendar_methods(messages["emma@example.org"]) == ["REQUEST"]
    assert calendar_methods(messages["vera@example.org"]) == []
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.MESSAGED).exists()


def test_cancellation_notice_withdraws_the_calendar_entry_of_confirmed_people(
    event_a, organiser_a, people, django_capture_on_commit_callbacks
):
    start(
        event_a,
        organiser_a,
        django_capture_on_commit_callbacks,
        kind=Mailing.Kind.EVENT_CANCELLED,
        audience=Mailing.Audience.ALL,
    )
    messages = by_recipient()
    assert messages["sara@example.org"].subject == f"Avbokad: {event_a.title}"
    assert messages["emma@example.org"].subject == f"Cancelled: {event_a.title}"
    assert calendar_methods(messages["sara@example.org"]) == ["CANCEL"]
    assert calendar_methods(messages["vera@example.org"]) == []
    invitation = next(a for a in messages["emma@example.org"].attachments if a.mimetype.startswith("text/calendar"))
    content = invitation.content.decode() if isinstance(invitation.content, bytes) else invitation.content
    assert "METHOD:CANCEL" in content and "mailto:emma@example.org" in content.replace("\r\n ", "")


def test_nothing_is_sent_before_the_transaction_commits(event_a, organiser_a, people):
    services.start_mailing(event_a, by=organiser_a, subject="Hej", body="Text")
    assert mail.outbox == []
    assert Mailing.objects.get().status == Mailing.Status.QUEUED


def test_registrations_made_after_the_mailing_are_left_out(
    event_a, organiser_a, people, django_capture_on_commit_callbacks
):
    mailing = services.start_mailing(event_a, by=organiser_a, subject="Hej", body="Text")  # not delivered yet
    late = make_registration(event_a, make_user(email="sen@example.org"))
    Registration.objects.filter(pk=late.pk).update(
        created_at=mailing.created_at.replace(year=mailing.created_at.year + 1)
    )
    services.deliver_mailing(mailing.pk)
    assert "sen@example.org" not in by_recipient()
    assert len(mail.outbox) == 2


def test_delivery_resumes_after_the_cursor_without_duplicates(event_a, organiser_a):
    registrations = [make_registration(event_a, make_user(email=f"p{n}@example.org")) for n in range(7)]
    mailing = services.start_mailing(event_a, by=organiser_a, subject="Hej", body="Text")  # queued only
    # A worker sent the first three, saved its progress and stopped.
    Mailing.objects.filter(pk=mailing.pk).update(
        status=Mailing.Status.SENDING, cursor=registrations[2].pk, sent_count=3
    )
    services.deliver_mailing(mailing.pk, batch=2)
    assert sorted(message.to[0] for message in mail.outbox) == [f"p{n}@example.org" for n in range(3, 7)]
    mailing.refresh_from_db()
    assert (mailing.status, mailing.sent_count, mailing.cursor) == (Mailing.Status.SENT, 7, registrations[-1].pk)
    # Running the task again (a duplicate in the queue) sends nothing more.
    services.deliver_mailing(mailing.pk)
    assert len(mail.outbox) == 4


def test_progress_is_saved_after_every_batch(event_a, organiser_a, monkeypatch):
    registrations = [make_registration(event_a, make_user(email=f"b{n}@example.org")) for n in range(5)]
    mailing = services.start_mailing(event_a, by=organiser_a, subject="Hej", body="Text")
    seen = []
    original = services.emails.mailing_message

    def spy(mailing_, registration):
        seen.append(Mailing.objects.values_list("sent_count", "cursor").get(pk=mailing.pk))
        return original(mailing_, registration)

    monkeypatch.setattr(services.emails, "mailing_message", spy)
    services.deliver_mailing(mailing.pk, batch=2)
    # Before each batch the previous batch's progress is in the database.
    assert seen[0] == (0, 0)
    assert seen[2] == (2, registrations[1].pk)
    assert seen[4] == (4, registrations[3].pk)


def test_a_mailing_of_a_deleted_event_is_skipped(event_a, organiser_a):
    mailing = services.start_mailing(event_a, by=organiser_a, subject="Hej", body="Text")
    event_a.delete()
    assert services.deliver_mailing(mailing.pk) is None
    assert mail.outbox == []
