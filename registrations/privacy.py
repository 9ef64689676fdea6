"""Personal data rules (GDPR): retention, anonymisation, a person's export and erasure.

- Dietary and accessibility needs (which can reveal health or religion, article 9) are
  erased ``RETENTION_SENSITIVE_DAYS`` after the day an event ends (default 1: the day after).
- ``RETENTION_PERSONAL_DAYS`` after it (default 90) the registration is anonymised: the
  link to the person and their other answers go; the row stays with its status and times,
  so that the event's figures (confirmed, checked in, cancelled) stay right.
- A person can download everything stored about them (``export_user_data``) and delete
  their account (``delete_user_data``): upcoming registrations are cancelled (the waiting
  list moves up), past ones anonymised as above.

Days are counted in Stockholm's calendar. ``manage.py apply_retention`` runs the rules.
"""

import datetime
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from registrations.models import CONSENT_VERSION, FeedToken, Question, Registration

__all__ = [
    "CONSENT_VERSION",
    "anonymise",
    "apply_retention",
    "catering_summary",
    "delete_user_data",
    "deletion_blockers",
    "erase_sensitive",
    "export_user_data",
]

#: The fields of a registration that hold article 9 data, and their erased values.
SENSITIVE_ERASED = {"dietary_needs": "", "accessibility_needs": "", "sensitive_consent_at": None}
#: What anonymising a registration leaves: no person, no answers (the sensitive ones included).
ANONYMISED = {**SENSITIVE_ERASED, "user": None, "organisation": "", "answers": {}}


def _ended_before(days, now):
    """The moment before which an event must have ended for a rule of ``days`` to apply.

    Due from the start of the day ``days`` after the event's last day (Stockholm), and never
    before the event has ended (``days`` = 0 means: as soon as it is over).
    """
    zone = ZoneInfo(settings.TIME_ZONE)
    today = now.astimezone(zone).date()
    first_day_not_due = today - datetime.timedelta(days=days) + datetime.timedelta(days=1)
    boundary = datetime.datetime.combine(first_day_not_due, datetime.time.min, tzinfo=zone)
    return min(boundary, now)


def sensitive_due(now=None):
    """Registrations whose dietary or accessibility needs are due for erasure."""
    now = now or timezone.now()
    has_sensitive = ~Q(dietary_needs="") | ~Q(accessibility_needs="") | Q(sensitive_consent_at__isnull=False)
    ended_before = _ended_before(settings.RETENTION_SENSITIVE_DAYS, now)
    return Registration.objects.filter(has_sensitive, event__end__lt=ended_before)


def personal_due(now=None):
    """Registrations due for anonymisation (not anonymised yet)."""
    now = now or timezone.now()
    ended_before = _ended_before(settings.RETENTION_PERSONAL_DAYS, now)
    return Registration.objects.filter(anonymised_at__isnull=True, event__end__lt=ended_before)


def erase_sensitive(registrations, *, now=None):
    """Erase dietary and accessibility needs (and their consent) of these registrations."""
    now = now or timezone.now()
    return registrations.update(**SENSITIVE_ERASED, updated_at=now)


def anonymise(registrations, *, now=None):
    """Unlink these registrations from their person and drop every answer; keep the figures.

    Status, waiting-list position, check-in, cancellation and registration times stay, as do
    the consent time and version (no longer anyone's). Idempotent: anonymised rows are skipped.
    """
    now = now or timezone.now()
    return registrations.filter(anonymised_at__isnull=True).update(**ANONYMISED, anonymised_at=now, updated_at=now)


@dataclass
class RetentionResult:
    sensitive_erased: int
    anonymised: int
    dry_run: bool = False


def apply_retention(*, now=None, dry_run=False):
    """Apply both retention rules once. Safe to run as often as wanted."""
    now = now or timezone.now()
    sensitive, personal = sensitive_due(now), personal_due(now)
    if dry_run:
        # Rows anonymised now lose their needs with it: counted once, under anonymised.
        return RetentionResult(
            sensitive_erased=sensitive.exclude(pk__in=personal.values("pk")).count(),
            anonymised=personal.count(),
            dry_run=True,
        )
    with transaction.atomic():
        anonymised = anonymise(personal, now=now)
        erased = erase_sensitive(sensitive, now=now)
    return RetentionResult(sensitive_erased=erased, anonymised=anonymised)


# --------------------------------------------------------------------------- organisers


def _normalised(text):
    return " ".join(text.split())


def _tally(values):
    """[(need, count)] for free-text answers: the same words (any case or spacing) count together,
    shown as first written; most frequent first."""
    counts, labels = Counter(), {}
    for value in values:
        text = _normalised(value)
        if not text:
            continue
        key = text.casefold()
        labels.setdefault(key, text)
        counts[key] += 1
    return sorted(((labels[key], count) for key, count in counts.items()), key=lambda item: (-item[1], item[0]))


def catering_summary(event):
    """Counts without names for a caterer: the confirmed participants' dietary and
    accessibility needs, each distinct need with how many stated it (one query)."""
    rows = list(
        Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED).values_list(
            "dietary_needs", "accessibility_needs"
        )
    )
    dietary = _tally(diet for diet, _access in rows)
    accessibility = _tally(access for _diet, access in rows)
    with_dietary = sum(1 for diet, _access in rows if _normalised(diet))
    return {
        "confirmed": len(rows),
        "dietary": dietary,
        "with_dietary": with_dietary,
        "without_dietary": len(rows) - with_dietary,
        "accessibility": accessibility,
        "with_accessibility": sum(1 for _diet, access in rows if _normalised(access)),
    }


# --------------------------------------------------------------------------- one person


def _iso(moment):
    return moment.isoformat() if moment else None


def _answer_items(registration, questions):
    answers = registration.answers if isinstance(registration.answers, dict) else {}
    known = {question.key: question for question in questions.get(registration.event_id, [])}
    items = []
    for key, value in answers.items():
        question = known.get(key)
        items.append({"question": question.label if question else key, "answer": value})
    return items


def export_user_data(user):
    """Everything stored about ``user``, as JSON-ready data (the right of access, article 15).

    Never secrets: no password hash, no two-factor secret or recovery code, no feed token.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    registrations = list(
        Registration.objects.filter(user=user).select_related("event__place", "event__organiser").order_by("created_at")
    )
    questions = {}
    for question in Question.objects.filter(event_id__in={r.event_id for r in registrations}):
        questions.setdefault(question.event_id, []).append(question)
    authenticators = sorted(set(Authenticator.objects.filter(user=user).values_list("type", flat=True)))
    return {
        "exported_at": _iso(timezone.now()),
        "controller": {"name": "Västra Götalandsregionen", "contact": settings.PRIVACY_CONTACT_EMAIL},
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "organisation": user.organisation,
            "language": user.language,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "has_password": user.has_usable_password(),
            "is_staff": user.is_staff,
            "two_factor_authentication": {"enabled": "totp" in authenticators, "methods": authenticators},
            "organiser_teams": [team.name for team in user.organiser_teams.order_by("name")],
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "registrations": [
            {
                "event": {
                    "title": registration.event.title,
                    "url": settings.SITE_URL + registration.event.get_absolute_url(),
                    "start": _iso(registration.event.start),
                    "end": _iso(registration.event.end),
                    "place": registration.event.place.name,
                    "organiser": registration.event.organiser.name,
                },
                "status": registration.status,
                "registered_at": _iso(registration.created_at),
                "organisation": registration.organisation,
                "answers": _answer_items(registration, questions),
                "dietary_needs": registration.dietary_needs,
                "accessibility_needs": registration.accessibility_needs,
                "consent_at": _iso(registration.consent_at),
                "consent_version": registration.consent_version,
                "sensitive_consent_at": _iso(registration.sensitive_consent_at),
                "added_by_organiser": registration.added_by_id is not None,
                "promoted_at": _iso(registration.promoted_at),
                "checked_in_at": _iso(registration.checked_in_at),
                "cancelled_at": _iso(registration.cancelled_at),
            }
            for registration in registrations
        ],
        "calendar_feeds": [
            {"created_at": _iso(token.created_at), "revoked_at": _iso(token.revoked_at)}
            for token in FeedToken.objects.filter(user=user).order_by("created_at")
        ],
    }


def deletion_blockers(user):
    """Why ``user`` cannot delete their own account (empty when they can).

    An administrator's account, and the last member of an organiser team, are closed by
    another administrator: otherwise a team's events could be left with nobody to run them.
    """
    from events.models import OrganiserMembership

    reasons = []
    if user.is_superuser:
        reasons.append(_("You are an administrator. Another administrator must close your account."))
    sole_teams = (
        OrganiserMembership.objects.filter(user=user)
        .annotate(members=Count("organiser__organisermembership"))
        .filter(members=1)
        .select_related("organiser")
    )
    for membership in sole_teams:
        reasons.append(
            _(
                "You are the only member of the organiser team %(team)s. Ask an administrator to add "
                "another member first."
            )
            % {"team": membership.organiser.name}
        )
    return reasons


@dataclass
class DeletionResult:
    cancelled: int
    anonymised: int
    sessions: int


def _delete_sessions(user):
    """End the person's sessions in the database (signed-cookie or cache sessions end anyway:
    they name a user that no longer exists)."""
    if settings.SESSION_ENGINE not in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        return 0
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session

    user_pk = str(user.pk)
    stale = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=2000)
        if str(session.get_decoded().get(SESSION_KEY)) == user_pk
    ]
    Session.objects.filter(session_key__in=stale).delete()
    return len(stale)


def release_registrations(user, *, now=None):
    """Let go of everything registered in ``user``'s name, before the account goes.

    Seats and queue places of events that have not started are cancelled as the person would
    cancel them (the waiting list moves up); a queue place at an event under way is withdrawn
    too (nobody is left waiting for no one); then every registration is anonymised. Also run
    when an account is deleted any other way, such as in the admin (see ``portal.signals``).
    Idempotent. Returns (cancelled, anonymised).
    """
    from registrations import services

    now = now or timezone.now()
    cancelled = 0
    with transaction.atomic():
        for registration in Registration.objects.filter(user=user, event__start__gt=now).active():
            services.cancel(registration, now=now)
            cancelled += 1
        cancelled += Registration.objects.filter(
            user=user, status=Registration.Status.WAITLISTED, event__end__gt=now
        ).update(status=Registration.Status.CANCELLED, waitlist_position=None, cancelled_at=now, updated_at=now)
        anonymised = anonymise(Registration.objects.filter(user=user), now=now)
    return cancelled, anonymised


def delete_user_data(user, *, now=None):
    """Erase ``user`` (the right to erasure, article 17), keeping anonymous figures.

    Upcoming registrations are cancelled as the person would cancel them (the seat goes to the
    waiting list; ``registrations.services.cancel``); every registration is then anonymised;
    feed tokens, e-mail addresses, two-factor authenticators and sessions are removed, and
    the account itself deleted. The audit log and mailings keep no link to the person.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    now = now or timezone.now()
    with transaction.atomic():
        cancelled, anonymised = release_registrations(user, now=now)
        FeedToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
        FeedToken.objects.filter(user=user).delete()
        EmailAddress.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        sessions = _delete_sessions(user)
        user.delete()
    return DeletionResult(cancelled=cancelled, anonymised=anonymised, sessions=sessions)
