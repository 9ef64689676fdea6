"""Personal feed tokens cannot be guessed or used after revocation; the online meeting link
reaches confirmed participants only (pages, feeds, e-mails)."""

import secrets

import pytest
from django.urls import reverse

from registrations import emails, services
from registrations.models import FeedToken, Mailing, Registration
from tests.factories import make_registration
from tests.security.conftest import ONLINE_URL, client_for, verified_user

pytestmark = pytest.mark.django_db


def unfolded(response):
    """Response text with iCalendar line folding undone (a long URL may be split)."""
    return response.content.decode().replace("\r\n ", "")


# Feed tokens


def test_a_feed_token_carries_at_least_256_random_bits(world):
    token = world["token"].token
    # token_urlsafe(32): 32 random bytes, 43 base64url characters of 6 bits each.
    assert len(token) >= 43
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert len({FeedToken.objects.create(user=verified_user()).token for _ in range(20)}) == 20


def test_a_random_token_of_the_right_shape_finds_nothing(world, client):
    assert client.get(reverse("personal_feed", kwargs={"token": world["token"].token})).status_code == 200
    for _ in range(5):
        guess = secrets.token_urlsafe(32)
        assert client.get(reverse("personal_feed", kwargs={"token": guess})).status_code == 404
    # A token that differs in its last character only is no better.
    near = world["token"].token[:-1] + ("A" if world["token"].token[-1] != "A" else "B")
    assert client.get(reverse("personal_feed", kwargs={"token": near})).status_code == 404


def test_tokens_of_other_shapes_do_not_reach_the_database(client, django_assert_num_queries, world):
    for path in ("/feeds/personal/short.ics", "/feeds/personal/" + "a" * 65 + ".ics", "/feeds/personal/a%27b.ics"):
        with django_assert_num_queries(0):
            assert client.get(path).status_code == 404


def test_a_revoked_token_is_refused_at_once_also_after_the_feed_was_cached(world, client):
    url = reverse("personal_feed", kwargs={"token": world["token"].token})
    first = client.get(url)
    assert first.status_code == 200
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304  # served from the cache
    services.new_feed_token(world["users"]["participant"], revoke_only=True)
    assert client.get(url).status_code == 404
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 404


def test_a_regenerated_token_replaces_the_old_one(world):
    client = client_for(world, "participant")
    old = world["token"].token
    client.post(reverse("registrations:my_calendar"), {"action": "regenerate"})
    new = FeedToken.objects.get(user=world["users"]["participant"], revoked_at__isnull=True).token
    assert new != old
    assert client.get(reverse("personal_feed", kwargs={"token": old})).status_code == 404
    assert client.get(reverse("personal_feed", kwargs={"token": new})).status_code == 200


# The online meeting link


def test_the_confirmed_participant_sees_the_link(world):
    """The positive case, so that the tests below cannot pass by the link being absent everywhere."""
    response = client_for(world, "participant").get(world["event"].get_absolute_url())
    assert ONLINE_URL in response.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "waitlisted", "cancelled", "unregistered", "organiser_b", "staff"])
def test_the_event_page_hides_the_link_from_everyone_else(world, who):
    event = world["event"]
    # A confirmed participant's page first: it must not end up in a cache that others get.
    client_for(world, "participant").get(event.get_absolute_url())
    if who == "waitlisted":
        client = client_for(world, "anonymous")
        client.force_login(world["waiting"].user)
    elif who == "cancelled":
        cancelled = make_registration(event, status=Registration.Status.CANCELLED)
        client = client_for(world, "anonymous")
        client.force_login(cancelled.user)
    elif who == "unregistered":
        client = client_for(world, "anonymous")
        client.force_login(verified_user())
    else:
        client = client_for(world, who)
    for _ in range(2):  # the second time possibly from the cache
        response = client.get(event.get_absolute_url())
        assert response.status_code == 200
        assert ONLINE_URL not in response.content.decode()


def test_the_event_list_and_place_page_hide_the_link(world):
    for kind in ("anonymous", "participant"):
        client = client_for(world, kind)
        for url in (reverse("events:event_list"), world["place"].get_absolute_url()):
            response = client.get(url)
            assert response.status_code == 200
            assert ONLINE_URL not in response.content.decode()


def test_public_feeds_never_carry_the_link(world, client):
    urls = [
        reverse("feed_all"),
        reverse("feed_all") + "?format=hybrid",
        reverse("feed_theme", kwargs={"slug": world["theme"].slug}),
        reverse("feed_place", kwargs={"slug": world["place"].slug}),
        reverse("events:event_ics", kwargs={"slug": world["event"].slug}),
        reverse("events:event_ics", kwargs={"slug": world["event_b"].slug}),
    ]
    for url in urls:
        for confirmed_first in (client_for(world, "participant"), client):
            response = confirmed_first.get(url)
            assert response.status_code == 200
            body = unfolded(response)
            assert "BEGIN:VEVENT" in body
            assert "meet.example.org" not in body, url


def test_the_personal_feed_carries_the_link_for_a_seat_only(world, client):
    confirmed = client.get(reverse("personal_feed", kwargs={"token": world["token"].token}))
    assert ONLINE_URL in unfolded(confirmed)
    waiting_token = FeedToken.objects.create(user=world["waiting"].user)
    waiting = client.get(reverse("personal_feed", kwargs={"token": waiting_token.token}))
    assert waiting.status_code == 200
    body = unfolded(waiting)
    assert "STATUS:TENTATIVE" in body
    assert "meet.example.org" not in body
    # Once the seat is given up, the link leaves the feed too.
    services.cancel(world["seat"])
    assert "meet.example.org" not in unfolded(
        client.get(reverse("personal_feed", kwargs={"token": world["token"].token}))
    )


def _all_text(message):
    parts = [message.subject, message.body, *(alternative.content for alternative in message.alternatives)]
    parts += [
        attachment.content if isinstance(attachment.content, str) else attachment.content.decode()
        for attachment in message.attachments
    ]
    return "\n".join(parts).replace("\r\n ", "")


@pytest.mark.parametrize(
    "kind",
    [
        emails.WAITLISTED,
        emails.MESSAGE,
        emails.EVENT_CHANGED,
        emails.EVENT_CANCELLED,
        emails.CANCELLED,
        emails.CANCELLED_BY_ORGANISER,
        emails.ADDED,
    ],
)
def test_e_mails_to_people_on_the_waiting_list_never_carry_the_link(world, kind):
    waiting = Registration.objects.select_related("event__place", "event__organiser", "user").get(
        pk=world["waiting"].pk
    )
    mailing = Mailing(event=waiting.event, kind=Mailing.Kind.MESSAGE, subject="Nytt", body="Hej", audience="all")
    message = emails.build_message(waiting, kind, position=1, extra={"mailing": mailing})
    assert "meet.example.org" not in _all_text(message)


def test_a_confirmed_persons_confirmation_carries_the_link(world):
    seat = Registration.objects.select_related("event__place", "event__organiser", "user").get(pk=world["seat"].pk)
    assert ONLINE_URL in _all_text(emails.build_message(seat, emails.CONFIRMED))


def test_joining_the_waiting_list_sends_no_link(world, mailoutbox, django_capture_on_commit_callbacks):
    event = world["event"]
    make_registration(event)  # the second seat: now full
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.register(verified_user(), event)
    assert registration.is_waitlisted
    (message,) = mailoutbox
    assert "meet.example.org" not in _all_text(message)


def test_a_mailing_to_everyone_gives_the_link_to_the_confirmed_only(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    from events import services as event_services

    event = world["event"]
    event.online_url = ONLINE_URL + "-ny"
    with django_capture_on_commit_callbacks(execute=True):
        event_services.save_event(event, ["online_url"], by=world["users"]["organiser_a"], notify=True, note="Ny länk")
    by_address = {message.to[0]: _all_text(message) for message in mailoutbox}
    assert ONLINE_URL + "-ny" in by_address[world["users"]["participant"].email]
    assert "meet.example.org" not in by_address[world["waiting"].user.email]
