"""The public catalogue: themes, meeting places, organiser teams and events."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from events.municipalities import Municipality


class Theme(models.Model):
    """A topic of sustainable regional development, such as circular economy."""

    name = models.CharField(_("name (Swedish)"), max_length=100, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        """The name in the active language, falling back to Swedish."""
        if self.name_en and translation.get_language() == "en":
            return self.name_en
        return self.name


class MeetingPlace(models.Model):
    """A venue or standing forum. A digital place stands for online meetings."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_digital = models.BooleanField(
        _("digital"), default=False, help_text=_("An online meeting place without a street address.")
    )
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("postal town"), max_length=100, blank=True)
    municipality = models.CharField(_("municipality"), max_length=20, choices=Municipality, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    # Accessibility as structured data, so that visitors can filter on it.
    step_free_access = models.BooleanField(_("step-free entrance"), default=False)
    hearing_loop = models.BooleanField(_("hearing loop"), default=False)
    accessible_toilet = models.BooleanField(_("accessible toilet"), default=False)
    quiet_room = models.BooleanField(_("quiet room"), default=False)
    public_transport_stop = models.CharField(_("nearest public transport stop"), max_length=200, blank=True)
    accessibility_notes = models.TextField(_("other accessibility information"), blank=True)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("meeting place")
        verbose_name_plural = _("meeting places")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="place_coordinates_valid",
                violation_error_message=_("Give both latitude and longitude, within their ranges, or neither."),
            ),
            models.CheckConstraint(
                condition=Q(is_digital=True) | ~Q(municipality=""),
                name="place_physical_has_municipality",
                violation_error_message=_("A physical meeting place must be in a municipality."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("events:place_detail", kwargs={"slug": self.slug})

    @property
    def municipality_name(self):
        """The municipality's name; cheaper than municipality_name() in lists."""
        return Municipality(self.municipality).label if self.municipality else ""

    @property
    def has_coordinates(self):
        return self.latitude is not None and self.longitude is not None

    @property
    def map_url(self):
        """A link to the place on OpenStreetMap, or None for digital places."""
        if self.has_coordinates:
            return (
                f"https://www.openstreetmap.org/?mlat={self.latitude}&mlon={self.longitude}"
                f"#map=16/{self.latitude}/{self.longitude}"
            )
        return None

    @property
    def address_line(self):
        parts = [self.street_address, " ".join(p for p in (self.postal_code, self.city) if p)]
        return ", ".join(p for p in parts if p)

    @property
    def accessibility_features(self):
        """Labels of the accessibility features the place has."""
        return [
            field.verbose_name
            for field in (self._meta.get_field(name) for name in ACCESSIBILITY_FIELDS)
            if getattr(self, field.name)
        ]


#: Boolean accessibility fields of MeetingPlace, usable as an event filter.
ACCESSIBILITY_FIELDS = ("step_free_access", "hearing_loop", "accessible_toilet", "quiet_room")


class Organiser(models.Model):
    """A team of staff users that owns events. Membership is the permission boundary."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="OrganiserMembership",
        related_name="organiser_teams",
        verbose_name=_("members"),
        blank=True,
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organiser team")
        verbose_name_plural = _("organiser teams")

    def __str__(self):
        return self.name


class OrganiserMembership(models.Model):
    organiser = models.ForeignKey(Organiser, on_delete=models.CASCADE, verbose_name=_("organiser team"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("user"))
    created_at = models.DateTimeField(_("member since"), auto_now_add=True)

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.UniqueConstraint(fields=["organiser", "user"], name="membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} – {self.organiser}"


class EventQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Event.Status.PUBLISHED)

    def public(self):
        """Events the public may open: published or cancelled, never drafts."""
        return self.exclude(status=Event.Status.DRAFT)

    def upcoming(self, now=None):
        """Events that have not ended yet, ongoing ones included."""
        return self.filter(end__gt=now or timezone.now())


class Event(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    class Format(models.TextChoices):
        ON_SITE = "on_site", _("On site")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    summary = models.CharField(_("summary"), max_length=300, help_text=_("One or two sentences for lists."))
    description = models.TextField(_("description"), blank=True)
    themes = models.ManyToManyField(Theme, related_name="events", verbose_name=_("themes"), blank=True)
    organiser = models.ForeignKey(
        Organiser, on_delete=models.PROTECT, related_name="events", verbose_name=_("organiser")
    )
    place = models.ForeignKey(
        MeetingPlace, on_delete=models.PROTECT, related_name="events", verbose_name=_("meeting place")
    )
    format = models.CharField(_("format"), max_length=10, choices=Format, default=Format.ON_SITE)
    online_url = models.URLField(
        _("online meeting link"), blank=True, help_text=_("Shown only to confirmed participants.")
    )
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Leave blank for unlimited seats.")
    )
    registration_opens = models.DateTimeField(
        _("registration opens"), null=True, blank=True, help_text=_("Blank: as soon as the event is published.")
    )
    registration_closes = models.DateTimeField(
        _("registration closes"), null=True, blank=True, help_text=_("Blank: when the event starts.")
    )
    waitlist_enabled = models.BooleanField(_("waiting list"), default=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT, db_index=True)
    # Grows with every change that calendar clients must notice (RFC 5545 SEQUENCE).
    sequence = models.PositiveIntegerField(_("sequence number"), default=0, editable=False)
    # Lower-cased title, summary and description: case-insensitive search that treats
    # å, ä and ö the same on SQLite as on PostgreSQL.
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        # The public list: published events in start order, filtered on end without
        # reading the table.
        indexes = [models.Index(fields=["status", "start", "end"], name="event_status_start_end")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="event_end_after_start",
                violation_error_message=_("The event must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=0),
                name="event_capacity_not_negative",
                violation_error_message=_("The capacity cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(registration_opens__isnull=True)
                | Q(registration_closes__isnull=True)
                | Q(registration_closes__gt=F("registration_opens")),
                name="event_registration_window_ordered",
                violation_error_message=_("Registration must close after it opens."),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("events:event_detail", kwargs={"slug": self.slug})

    def build_search_text(self):
        return "\n".join((self.title, self.summary, self.description)).lower()

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    @property
    def format_label(self):
        """The format's name; cheaper than get_format_display() in lists."""
        return self.Format(self.format).label

    @property
    def ends_same_day(self):
        """Whether the event ends on the day it starts, in Stockholm."""
        return timezone.localdate(self.start) == timezone.localdate(self.end)

    @property
    def has_started(self):
        return self.start <= timezone.now()

    @property
    def is_online(self):
        return self.format in (self.Format.ONLINE, self.Format.HYBRID)

    @property
    def registration_opens_at(self):
        return self.registration_opens or self.published_at

    @property
    def registration_closes_at(self):
        return self.registration_closes or self.start

    def registration_is_open(self, now=None):
        now = now or timezone.now()
        if self.status != self.Status.PUBLISHED:
            return False
        opens = self.registration_opens_at
        return (opens is None or opens <= now) and now < self.registration_closes_at

    @property
    def registration_state(self):
        """ "open", "not_open_yet" or "closed", for showing the registration window."""
        now = timezone.now()
        if self.registration_is_open(now):
            return "open"
        opens = self.registration_opens_at
        if self.status == self.Status.PUBLISHED and opens is not None and now < opens:
            return "not_open_yet"
        return "closed"

    @property
    def seats_left(self):
        """Seats left, or None when unlimited.

        Needs ``confirmed_count``, which the read queries in ``events.queries`` annotate.
        """
        if self.capacity is None:
            return None
        return max(self.capacity - self.confirmed_count, 0)

    @property
    def is_full(self):
        return self.capacity is not None and self.seats_left == 0
