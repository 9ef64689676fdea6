"""Registrations of participants for events.

The rules for creating and changing registrations (capacity, waiting list) belong
in ``registrations.services``, built in the registration issue; this module holds
the data and its constraints.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", pgettext_lazy("registration status", "Cancelled")

    event = models.ForeignKey(
        "events.Event", on_delete=models.CASCADE, related_name="registrations", verbose_name=_("event")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="registrations",
        verbose_name=_("participant"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.CONFIRMED)
    waitlist_position = models.PositiveIntegerField(_("waiting list position"), null=True, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        indexes = [models.Index(fields=["event", "status"], name="registration_event_status")]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="registration_one_per_user_and_event"),
            models.CheckConstraint(
                condition=Q(status="waitlisted", waitlist_position__isnull=False)
                | (~Q(status="waitlisted") & Q(waitlist_position__isnull=True)),
                name="registration_position_only_when_waitlisted",
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.event}"
