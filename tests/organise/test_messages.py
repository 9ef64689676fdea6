"""Messages to an event's participants: compose, preview, send, and the progress page."""

import pytest
from django.core import mail
from django.urls import reverse

from registrations.models import AuditEntry, Mailing, Registration
from tests.factories import make_registration, make_user

pytestmark = pytest.mark.django_db


def create_url(event):
    return reverse("organise:message_create", kwargs={"pk": event.pk})


def detail_url(event, mailing):
    return reverse("organise:message_detail", kwargs={"pk": event.pk, "mailing_pk": mailing.pk})


@pytest.fixture
def people(event_a):
    """Two confirmed (one reading English), one on the waiting list, one cancelled."""
    return {
        "sv": make_registration(event_a, make_user(email="sara@example.org", first_name="Sara", language="sv")),
        "en": make_registration(event_a, make_user(email="emma@example.org", first_name="Emma", language="en")),
        "waiting": make_registration(
            event_a,
            make_user(email="vera@example.org", first_name="Vera"),
            status=Registration.Status.WAITLISTED,
            waitlist_position=1,
        ),
        "cancelled": make_registration(
            event_a, make_user(email="cecilia@example.org"), status=Registration.Status.CANCELLED
        ),
    }


@pytest.fixture
def mailing_a(event_a, organiser_a):
    return Mailing.objects.create(
        event=event_a, sender=organiser_a, subject="Välkomna på torsdag", body="Hej!", recipient_count=3
    )


MESSAGE = {"audience": "confirmed", "subject": "Ändrad lokal: sal B", "body": "Vi ses i sal B på plan 2.\n\nVälkomna!"}


# --------------------------------------------------------------------------- permissions


def test_anonymous_visitor_is_sent_to_login(client, event_a, mailing_a):
    for address in (create_url(event_a), detail_url(event_a, mailing_a)):
        response = client.get(address)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_participant_is_forbidden(client, participant, event_a, mailing_a):
    client.force_login(participant)
    assert client.get(create_url(event_a)).status_code == 403
    assert client.get(detail_url(event_a, mailing_a)).status_code == 403
    assert client.post(create_url(event_a), {**MESSAGE, "send": "1"}).status_code == 403
    assert not Mailing.objects.exclude(pk=mailing_a.pk).exists()


def test_other_team_gets_404_for_the_event_and_its_mailings(client_b, event_a, event_b, mailing_a, people):
    assert client_b.get(create_url(event_a)).status_code == 404
    assert client_b.post(create_url(event_a), {**MESSAGE, "send": "1"}).status_code == 404
    assert client_b.get(detail_url(event_a, mailing_a)).status_code == 404
    # A's mailing under B's own event is a 404 too: mailings are looked up through the event.
    assert client_b.get(reverse("organise:message_detail", args=[event_b.pk, mailing_a.pk])).status_code == 404
    assert Mailing.objects.count() == 1
    assert mail.outbox == []


def test_own_team_opens_both_pages(client_a, event_a, mailing_a):
    assert client_a.get(create_url(event_a)).status_code == 200
    assert client_a.get(detail_url(event_a, mailing_a)).status_code == 200


# --------------------------------------------------------------------------- compose


def test_compose_page_shows_how_many_each_audience_reaches(client_a, event_a, people):
    response = client_a.get(create_url(event_a))
    html = response.content.decode()
    assert html.count("<h1") == 1
    counts = response.context["counts"]
    assert counts == {"confirmed": 2, "waitlisted": 1, "all": 3}
    assert '<label for="id_subject"' in html and '<label for="id_body"' in html
    assert 'name="preview"' in html and 'name="send"' not in html  # preview comes first
    assert 'maxlength="200"' in html and 'maxlength="5000"' in html


def test_preview_renders_the_mail_and_sends_nothing(client_a, event_a, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(create_url(event_a), {**MESSAGE, "preview": "1"})
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview["subject"] == "Ändrad lokal: sal B"
    assert "Vi ses i sal B på plan 2." in preview["body"]
    assert event_a.title in preview["body"]
    assert preview["recipient"] == people["sv"].user  # the first recipient
    assert response.context["preview_count"] == 2
    html = response.content.decode()
    assert 'name="send"' in html
    assert "Ändrad lokal: sal B" in html  # the form keeps what was written
    assert mail.outbox == []
    assert not Mailing.objects.exists()
    assert not AuditEntry.objects.exists()


def test_send_queues_the_mailing_delivers_it_and_shows_its_progress(
    client_a, organiser_a, event_a, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(create_url(event_a), {**MESSAGE, "send": "1"})
    mailing = Mailing.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(event_a, mailing)
    assert (mailing.kind, mailing.audience, mailing.sender) == ("message", "confirmed", organiser_a)
    assert mailing.body == MESSAGE["body"].replace("\n", "\r\n") or mailing.body == MESSAGE["body"]
    assert AuditEntry.objects.get(event=event_a).action == AuditEntry.Action.MESSAGED
    assert sorted(message.to[0] for message in mail.outbox) == ["emma@example.org", "sara@example.org"]
    assert (mailing.status, mailing.sent_count, mailing.recipient_count) == ("sent", 2, 2)

    html = client_a.get(response["Location"]).content.decode()
    assert '<progress class="mailing-progress__bar" max="2" value="2"' in html
    assert 'hx-trigger="every 2s"' not in html  # finished: no more polling
    compose = client_a.get(create_url(event_a)).content.decode()
    assert f'href="{detail_url(event_a, mailing)}"' in compose


def test_waiting_list_audience_reaches_only_the_waiting_list(
    client_a, event_a, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_a.post(create_url(event_a), {**MESSAGE, "audience": "waitlisted", "send": "1"})
    assert [message.to for message in mail.outbox] == [["vera@example.org"]]


def test_sending_to_nobody_is_refused(client_a, event_a, django_capture_on_commit_callbacks):
    make_registration(event_a, status=Registration.Status.CANCELLED)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(create_url(event_a), {**MESSAGE, "send": "1"})
    assert response.status_code == 400
    assert response.context["form"].errors["audience"]
    assert 'role="alert"' in response.content.decode()
    assert not Mailing.objects.exists()
    assert mail.outbox == []


def test_invalid_message_is_a_400_that_keeps_everything(client_a, event_a, people):
    data = {"audience": "all", "subject": "x" * 201, "body": "Hej alla, vi ses!", "send": "1"}
    response = client_a.post(create_url(event_a), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Hej alla, vi ses!" in html
    assert 'value="all" checked' in html or 'checked value="all"' in html or 'value="all"' in html
    assert set(response.context["form"].errors) == {"subject"}
    assert not Mailing.objects.exists()

    response = client_a.post(create_url(event_a), {"audience": "everyone", "subject": "", "body": "", "preview": "1"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"audience", "subject", "body"}


def test_body_longer_than_5000_characters_is_refused(client_a, event_a, people):
    response = client_a.post(create_url(event_a), {**MESSAGE, "body": "a" * 5001, "preview": "1"})
    assert response.status_code == 400
    assert "body" in response.context["form"].errors


def test_compose_page_lists_earlier_mailings_of_this_event_only(client_a, event_a, event_b, mailing_a, organiser_b):
    Mailing.objects.create(event=event_b, sender=organiser_b, subject="Team B:s utskick")
    html = client_a.get(create_url(event_a)).content.decode()
    assert "Välkomna på torsdag" in html
    assert "Team B:s utskick" not in html
    assert detail_url(event_a, mailing_a) in html
    assert "Alva Arrangör" in html


# --------------------------------------------------------------------------- progress


def test_progress_page_polls_while_sending(client_a, event_a, mailing_a):
    Mailing.objects.filter(pk=mailing_a.pk).update(status=Mailing.Status.SENDING, sent_count=1)
    response = client_a.get(detail_url(event_a, mailing_a))
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert f'hx-get="{detail_url(event_a, mailing_a)}"' in html
    assert 'hx-trigger="every 2s"' in html
    assert '<progress class="mailing-progress__bar" max="3" value="1"' in html
    assert f'<a href="{detail_url(event_a, mailing_a)}">' in html  # works without JavaScript
    assert "Vary" in response and "HX-Request" in response["Vary"]


def test_htmx_gets_only_the_progress_partial_and_it_stops_polling_when_sent(client_a, event_a, mailing_a):
    Mailing.objects.filter(pk=mailing_a.pk).update(status=Mailing.Status.SENDING, sent_count=2)
    html = client_a.get(detail_url(event_a, mailing_a), headers={"HX-Request": "true"}).content.decode()
    assert html.strip().startswith('<div class="mailing-progress"')
    assert "<h1" not in html and "<html" not in html
    assert 'hx-trigger="every 2s"' in html and 'value="2"' in html

    Mailing.objects.filter(pk=mailing_a.pk).update(status=Mailing.Status.SENT, sent_count=3)
    html = client_a.get(detail_url(event_a, mailing_a), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in html and "hx-get" not in html
    assert 'value="3"' in html


def test_progress_of_a_mailing_to_nobody_is_complete(client_a, event_a, organiser_a):
    mailing = Mailing.objects.create(event=event_a, sender=organiser_a, subject="Tomt", status=Mailing.Status.SENT)
    html = client_a.get(detail_url(event_a, mailing)).content.decode()
    assert 'max="1" value="1"' in html
