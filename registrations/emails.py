"""E-mails to participants about their registrations, with calendar invitations.

Templates live in templates/emails/<kind>_subject.txt, _body.txt and _body.html and are
rendered in the participant's language. Confirmations and promotions carry an iTIP
REQUEST (the event's UID, the participant as ATTENDEE) and cancellations an iTIP CANCEL
with a higher SEQUENCE, so that mail clients add and remove the calendar entry.
"""

import icalendar
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from events.calendar import event_component, new_calendar, to_ics

CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"
PROMOTED = "promoted"
CANCELLED = "cancelled"
REMINDER = "reminder"
CANCELLED_BY_ORGANISER = "cancelled_by_organiser"
ADDED = "added"
# Mailings to many participants (see ``mailing_message``).
MESSAGE = "message"
EVENT_CHANGED = "event_changed"
EVENT_CANCELLED = "event_cancelled"
KINDS = {
    CONFIRMED,
    WAITLISTED,
    PROMOTED,
    CANCELLED,
    REMINDER,
    CANCELLED_BY_ORGANISER,
    ADDED,
    MESSAGE,
    EVENT_CHANGED,
    EVENT_CANCELLED,
}

# Which kinds carry which iTIP method.
_ITIP_METHOD = {
    CONFIRMED: "REQUEST",
    PROMOTED: "REQUEST",
    REMINDER: "REQUEST",
    ADDED: "REQUEST",
    EVENT_CHANGED: "REQUEST",
    CANCELLED: "CANCEL",
    CANCELLED_BY_ORGANISER: "CANCEL",
    EVENT_CANCELLED: "CANCEL",
}


def send_on_commit(registration, kind, *, position=None, with_invitation=True, invited=False):
    """Queue the e-mail once the surrounding transaction has committed.

    ``position`` is the waiting-list rank at the time of the change: by the time a worker
    sends the e-mail, the person may already have moved up. The registration's status and
    calendar sequence go along, so that a worker skips an e-mail that a later change has
    made wrong (a confirmation sent after the person cancelled, say).
    """
    from registrations.tasks import send_registration_email

    state = {
        "status": registration.status,
        "ical_sequence": registration.ical_sequence,
        "position": position,
        "with_invitation": with_invitation,
        "invited": invited,
    }
    registration_id = registration.pk
    transaction.on_commit(lambda: send_registration_email.enqueue(registration_id, kind, state))


def invitation(registration, method):
    """The event as an iTIP invitation (REQUEST) or withdrawal (CANCEL) for this participant."""
    event, user = registration.event, registration.user
    calendar = new_calendar(method)
    sequence = event.sequence + registration.ical_sequence
    status = "CANCELLED" if method == "CANCEL" or event.is_cancelled else "CONFIRMED"
    component = event_component(event, sequence=sequence, status=status, dtstamp=timezone.now())
    attendee = icalendar.vCalAddress(f"mailto:{user.email}")
    attendee.params["cn"] = icalendar.vText(user.get_full_name() or user.email)
    attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = icalendar.vText("ACCEPTED" if method == "REQUEST" else "DECLINED")
    component.add("attendee", attendee)
    calendar.add_component(component)
    return to_ics(calendar)


def build_message(registration, kind, position=None, *, with_invitation=True, invited=False, extra=None):
    """The e-mail of ``kind`` for a registration, in the participant's language."""
    if kind not in KINDS:
        raise ValueError(f"Unknown e-mail kind {kind!r}")
    user, event = registration.user, registration.event
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            "registration": registration,
            "event": event,
            "user": user,
            "event_url": settings.SITE_URL + event.get_absolute_url(),
            "registrations_url": settings.SITE_URL + _my_registrations_path(),
            "position": position,
            "set_password_url": _set_password_url(user) if invited else None,
            **(extra or {}),
        }
        subject = " ".join(render_to_string(f"emails/{kind}_subject.txt", context).split())
        text = render_to_string(f"emails/{kind}_body.txt", context)
        html = render_to_string(f"emails/{kind}_body.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(html, "text/html")
    if with_invitation and (method := _ITIP_METHOD.get(kind)):
        message.attach("invite.ics", invitation(registration, method), f"text/calendar; charset=utf-8; method={method}")
    return message


def mailing_message(mailing, registration):
    """One recipient's copy of a mailing. Those with a seat get the calendar update."""
    kind = mailing.kind  # message, event_changed or event_cancelled
    return build_message(registration, kind, with_invitation=registration.is_confirmed, extra={"mailing": mailing})


def _set_password_url(user):
    """A one-time link to choose a password (allauth's password reset by key)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str
    from django.urls import reverse

    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
    return settings.SITE_URL + path.replace("UID-KEY", key)


def _my_registrations_path():
    from django.urls import reverse

    return reverse("registrations:my_registrations")
