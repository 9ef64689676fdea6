"""Registrations of participants for events, and the questions events ask.

The rules for creating and changing registrations (capacity, waiting list, promotion)
live in ``registrations.services``; this module holds the data and its constraints.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

#: The version of the consent texts a participant agrees to when registering (the
#: registration form and the privacy page). Change it whenever those texts change: each
#: registration stores the version it was given under (``Registration.consent_version``).
CONSENT_VERSION = "2026-11"


def new_feed_token():
    return secrets.token_urlsafe(32)


class Question(models.Model):
    """A question an event asks in its registration form, defined by the organiser."""

    class Kind(models.TextChoices):
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        SINGLE_CHOICE = "single_choice", _("Single choice")
        MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
        YES_NO = "yes_no", _("Yes or no")

    event = models.ForeignKey(
        "events.Event", on_delete=models.CASCADE, related_name="questions", verbose_name=_("event")
    )
    label = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    kind = models.CharField(_("kind of answer"), max_length=20, choices=Kind, default=Kind.SHORT_TEXT)
    choices = models.TextField(_("choices"), blank=True, help_text=_("One choice per line, for choice questions."))
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("registration question")
        verbose_name_plural = _("registration questions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=["single_choice", "multiple_choice"]) | ~Q(choices=""),
                name="question_choices_given",
                violation_error_message=_("A choice question needs at least one choice."),
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def choice_list(self):
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    @property
    def key(self):
        """The key of this question's answer in ``Registration.answers``."""
        return f"q{self.pk}"


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status=Registration.Status.CANCELLED)


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", pgettext_lazy("registration status", "Cancelled")

    event = models.ForeignKey(
        "events.Event", on_delete=models.CASCADE, related_name="registrations", verbose_name=_("event")
    )
    # Empty once the registration is anonymised (registrations.privacy): by the retention
    # rules after the event, or when the person deletes their account. The row stays, without
    # anything that points to a person, so that the event's figures stay right.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
        verbose_name=_("participant"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.CONFIRMED)
    waitlist_position = models.PositiveIntegerField(_("waiting list position"), null=True, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    # Dietary and accessibility needs can reveal health or religion (GDPR article 9):
    # kept in fields of their own, apart from the event's other questions.
    dietary_needs = models.CharField(_("dietary needs"), max_length=500, blank=True)
    accessibility_needs = models.CharField(_("accessibility needs"), max_length=500, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    # The CONSENT_VERSION of the texts agreed to; empty when an organiser added the person.
    consent_version = models.CharField(_("consent text version"), max_length=20, blank=True)
    # The separate, explicit consent to dietary and accessibility needs (GDPR article 9(2)(a)).
    sensitive_consent_at = models.DateTimeField(_("consent to dietary and accessibility needs"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    promoted_at = models.DateTimeField(_("promoted from the waiting list"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True, editable=False)
    # Set when an organiser added the person by hand (then no consent was given in a form).
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
        editable=False,
    )
    # Added to the event's SEQUENCE in this person's calendar invitations, so that a
    # cancellation, and a later registration again, each supersede what was sent before.
    ical_sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        indexes = [models.Index(fields=["event", "status"], name="registration_event_status")]
        constraints = [
            # Anonymised rows (no user) are many per event: NULLs never collide in a unique constraint.
            models.UniqueConstraint(fields=["event", "user"], name="registration_one_per_user_and_event"),
            # Two people can never hold the same place in the queue.
            models.UniqueConstraint(
                fields=["event", "waitlist_position"],
                condition=Q(status="waitlisted"),
                name="registration_unique_waitlist_position",
            ),
            models.CheckConstraint(
                condition=Q(status="waitlisted", waitlist_position__isnull=False)
                | (~Q(status="waitlisted") & Q(waitlist_position__isnull=True)),
                name="registration_position_only_when_waitlisted",
            ),
        ]

    def __str__(self):
        # No name: this text is kept in the admin's log, which outlives the person's data.
        return f"#{self.pk} – {self.event}"

    @property
    def is_anonymised(self):
        return self.user_id is None

    @property
    def is_confirmed(self):
        return self.status == self.Status.CONFIRMED

    @property
    def is_waitlisted(self):
        return self.status == self.Status.WAITLISTED


class FeedToken(models.Model):
    """The secret in the address of a participant's personal calendar feed.

    256 random bits; the participant can revoke it or make a new one (which revokes the old).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_tokens", verbose_name=_("participant")
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="feed_token_one_active_per_user"
            ),
        ]

    def __str__(self):
        return f"{self.user} ({'revoked' if self.revoked_at else 'active'})"


class Mailing(models.Model):
    """An e-mail to an event's participants: an organiser's message, or a notice that the
    event was moved or cancelled. Sent by a background task, one recipient at a time, so
    that the organiser can follow the progress and a restarted worker carries on."""

    class Kind(models.TextChoices):
        MESSAGE = "message", _("Message")
        EVENT_CHANGED = "event_changed", _("Change of the event")
        EVENT_CANCELLED = "event_cancelled", _("Cancellation of the event")

    class Audience(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed participants")
        WAITLISTED = "waitlisted", _("The waiting list")
        ALL = "all", _("Everyone registered (confirmed and waiting list)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    event = models.ForeignKey(
        "events.Event", on_delete=models.CASCADE, related_name="mailings", verbose_name=_("event")
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("sender")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.MESSAGE)
    audience = models.CharField(_("recipients"), max_length=10, choices=Audience, default=Audience.CONFIRMED)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), max_length=5000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    sent_count = models.PositiveIntegerField(_("sent"), default=0)
    # The compose form's one-time token: a second click on "Send" finds this mailing again.
    form_token = models.CharField(max_length=64, blank=True, editable=False)
    # The highest registration id sent so far: a resumed task carries on after it.
    cursor = models.PositiveBigIntegerField(default=0, editable=False)
    # Registrations created after this moment are not among the recipients.
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "form_token"], condition=~Q(form_token=""), name="mailing_sent_once_per_form"
            ),
        ]

    def __str__(self):
        return self.subject

    @property
    def progress_percent(self):
        if not self.recipient_count:
            return 100
        return min(100, round(100 * self.sent_count / self.recipient_count))


class AuditEntry(models.Model):
    """What an organiser did, to which registration, and when; shown on the attendee page."""

    class Action(models.TextChoices):
        CHECKED_IN = "checked_in", pgettext_lazy("audit action", "Checked in")
        CHECK_IN_UNDONE = "check_in_undone", _("Check-in undone")
        ADDED = "added", _("Added a participant")
        CANCELLED = "cancelled", _("Cancelled a registration")
        CONFIRMED = "confirmed", _("Moved from the waiting list to confirmed")
        EXPORTED = "exported", _("Exported the attendee list")
        PRINTED = "printed", _("Printed the attendee list")
        MESSAGED = "messaged", _("Sent a message")
        PUBLISHED = "published", _("Published the event")
        UNPUBLISHED = "unpublished", _("Returned the event to draft")
        EDITED = "edited", _("Edited the event")
        EVENT_CANCELLED = "event_cancelled", _("Cancelled the event")
        CREATED = "created", _("Created the event")

    event = models.ForeignKey(
        "events.Event", on_delete=models.CASCADE, related_name="audit_entries", verbose_name=_("event")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("who")
    )
    action = models.CharField(_("action"), max_length=20, choices=Action)
    registration = models.ForeignKey(
        Registration,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("registration"),
    )
    # A short note without personal data, such as "CSV" or the number of recipients.
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["event", "-created_at"], name="audit_event_created")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action}"
