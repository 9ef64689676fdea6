import datetime
from urllib.parse import urlsplit

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events.models import ACCESSIBILITY_FIELDS, Event, MeetingPlace, Theme
from events.municipalities import Municipality
from events.permissions import teams_for
from events.services import MOVE_FIELDS
from registrations.models import Question, Registration

ACCESSIBILITY_CHOICES = [(name, MeetingPlace._meta.get_field(name).verbose_name) for name in ACCESSIBILITY_FIELDS]
# Dates outside this range cannot be a meeting and would overflow time-zone arithmetic.
MAX_SEARCH_WORDS = 10
EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)


class FilterDateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    input_formats = ["%Y-%m-%d"]
    default_error_messages = {"invalid": _("Enter a date as YYYY-MM-DD. This filter was ignored.")}

    def validate(self, value):
        super().validate(value)
        if value and not EARLIEST_DATE <= value <= LATEST_DATE:
            raise forms.ValidationError(
                _("Choose a date between %(earliest)s and %(latest)s. This filter was ignored."),
                code="out_of_range",
                params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
            )


class EventFilterForm(forms.Form):
    """Validates the query parameters of the event list (and later of the feeds).

    Theme and place choices come from the caller (themes, and places as (slug, name) pairs,
    see ``queries.filter_choices``), so the form runs no queries of its own. An invalid value
    is reported on its field and ignored; the other filters apply.
    """

    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    place = forms.ChoiceField(label=_("Meeting place"), required=False)
    municipality = forms.ChoiceField(
        label=_("Municipality"), required=False, choices=[("", _("All municipalities")), *Municipality.choices]
    )
    format = forms.ChoiceField(
        label=_("Format"), required=False, choices=[("", _("All formats")), *Event.Format.choices]
    )
    access = forms.MultipleChoiceField(
        label=_("Accessibility"), required=False, choices=ACCESSIBILITY_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    from_date = FilterDateField(label=_("From date"), required=False)
    to_date = FilterDateField(label=_("To date"), required=False)

    # The URL contract names these parameters ``from`` and ``to``.
    PARAM_NAMES = {"from_date": "from", "to_date": "to"}

    def __init__(self, params, *, themes, places):
        super().__init__(params)
        self.fields["theme"].choices = [("", _("All themes")), *((t.slug, t.display_name) for t in themes)]
        self.fields["place"].choices = [("", _("All meeting places")), *places]
        for name in ("theme", "place", "municipality", "format", "access"):
            self.fields[name].error_messages["invalid_choice"] = _("There is no such choice. This filter was ignored.")
        self.fields["q"].error_messages["max_length"] = _(
            "Use at most %(limit_value)d characters. The search was ignored."
        )

    def add_prefix(self, field_name):
        return self.PARAM_NAMES.get(field_name, field_name)

    def clean_access(self):
        return sorted(set(self.cleaned_data["access"]))  # repeated values add nothing

    def clean_q(self):
        # Distinct words, and not too many: each word is one more condition in the query.
        words = list(dict.fromkeys(self.cleaned_data["q"].split()))
        if len(words) > MAX_SEARCH_WORDS:
            raise forms.ValidationError(
                _("Use at most %(count)d words. The search was ignored."), params={"count": MAX_SEARCH_WORDS}
            )
        return " ".join(words)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from_date"), cleaned.get("to_date")
        if start and end and end < start:
            self.add_error("to_date", _("The end date is before the start date. This filter was ignored."))
        return cleaned

    @property
    def filters(self):
        """The valid, non-empty filters; invalid ones are left out."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "", [])}


# The organiser workspace: events, their questions and meeting places.


class DateTimeLocalInput(forms.DateTimeInput):
    """``<input type="datetime-local">``: wall-clock time in the site's time zone (Stockholm)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class LocalDateTimeField(forms.DateTimeField):
    """A date-time typed as Stockholm wall-clock time; Django makes it aware in TIME_ZONE."""

    widget = DateTimeLocalInput
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
    default_error_messages = {
        "invalid": _("Enter a date and time, such as 2026-03-14 09:30."),
        "out_of_range": _("Enter a date between the years %(first)d and %(last)d."),
    }
    #: Years an event can be in; far-off dates would overflow date arithmetic later.
    YEARS = (2000, 2100)

    def to_python(self, value):
        result = super().to_python(value)
        if result is not None and not self.YEARS[0] <= result.year <= self.YEARS[1]:
            raise forms.ValidationError(
                self.error_messages["out_of_range"],
                code="out_of_range",
                params={"first": self.YEARS[0], "last": self.YEARS[1]},
            )
        return result

    def has_changed(self, initial, data):
        # The input shows minutes: seconds stored by the admin or an import are not a change.
        if isinstance(initial, datetime.datetime):
            initial = initial.replace(second=0, microsecond=0)
        return super().has_changed(initial, data)


def _is_https(url):
    return urlsplit(url).scheme.lower() == "https"


class ThemeChoiceField(forms.ModelMultipleChoiceField):
    """Theme checkboxes that refuse ids outside the database's integer range before asking it.

    Django's ``pk__in`` lookup passes a huge number through to the database, where SQLite
    raises OverflowError and PostgreSQL "bigint out of range": a server error, not a message.
    """

    MAX_ID = 2**63 - 1

    def _check_values(self, value):
        for pk in value:
            try:
                number = int(str(pk))
            except ValueError:
                continue  # Django reports it as an invalid value
            if not 0 < number <= self.MAX_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, place):
        if place.is_digital:
            return _("%(name)s (digital)") % {"name": place.name}
        return f"{place.name}, {place.municipality_name}" if place.municipality else place.name


class EventForm(forms.ModelForm):
    """Create or edit one of the user's teams' events.

    On edit, when people are registered and the time, place, format or link changed, the
    organiser must say whether to e-mail them (``notify``), optionally with a ``note``.
    """

    NOTIFY_CHOICES = [("yes", _("Yes, e-mail them the change")), ("no", _("No, do not e-mail them"))]

    class Meta:
        model = Event
        fields = [
            "title",
            "summary",
            "description",
            "themes",
            "organiser",
            "place",
            "format",
            "online_url",
            "start",
            "end",
            "capacity",
            "waitlist_enabled",
            "registration_opens",
            "registration_closes",
        ]
        field_classes = {
            "start": LocalDateTimeField,
            "end": LocalDateTimeField,
            "registration_opens": LocalDateTimeField,
            "registration_closes": LocalDateTimeField,
            "place": PlaceChoiceField,
            "themes": ThemeChoiceField,
        }
        widgets = {
            "themes": forms.CheckboxSelectMultiple,
            "format": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 8}),
            "summary": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now
        teams = list(teams_for(user))
        self.fields["organiser"].queryset = teams_for(user)
        self.fields["organiser"].label = _("Organiser team")
        if len(teams) == 1:
            self.fields["organiser"].initial = teams[0].pk
            self.fields["organiser"].widget = forms.HiddenInput()
        self.fields["place"].queryset = MeetingPlace.objects.order_by("is_digital", "name")
        self.fields["themes"].queryset = Theme.objects.order_by("name")
        self.fields["format"].choices = Event.Format.choices  # no blank choice for radio buttons
        self.fields["capacity"].min_value = 0
        self.fields["online_url"].help_text = _("Shown only to confirmed participants. Must start with https://.")
        self.confirmed_count = self.active_count = 0
        if self.instance.pk:
            counts = self.instance.registrations.aggregate(
                confirmed=Count("pk", filter=Q(status=Registration.Status.CONFIRMED)),
                active=Count("pk", filter=~Q(status=Registration.Status.CANCELLED)),
            )
            self.confirmed_count, self.active_count = counts["confirmed"], counts["active"]
        if self.asks_to_notify:
            self.fields["notify"] = forms.ChoiceField(
                label=_("E-mail the registered people about the change?"),
                choices=self.NOTIFY_CHOICES,
                widget=forms.RadioSelect,
                required=False,
                help_text=ngettext(
                    "%(count)d person is registered. Answer this if you change the time, place, format or "
                    "online link; they then get an updated calendar entry.",
                    "%(count)d people are registered. Answer this if you change the time, place, format or "
                    "online link; they then get an updated calendar entry.",
                    self.active_count,
                )
                % {"count": self.active_count},
            )
            self.fields["note"] = forms.CharField(
                label=_("Note to the participants"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("Sent with the e-mail, for example why the event moved."),
            )

    @property
    def asks_to_notify(self):
        """Only a published event with people registered asks whether to e-mail them."""
        return bool(self.instance.pk and self.active_count and self.instance.status == Event.Status.PUBLISHED)

    @property
    def changed_event_fields(self):
        """The model fields the organiser changed (for the audit log and the sequence)."""
        return [name for name in self.changed_data if name in self._meta.fields]

    @property
    def moved_fields(self):
        return set(self.changed_event_fields) & MOVE_FIELDS

    @property
    def notify(self):
        return self.asks_to_notify and bool(self.moved_fields) and self.cleaned_data.get("notify") == "yes"

    @property
    def note(self):
        return self.cleaned_data.get("note", "") if self.notify else ""

    def clean(self):
        cleaned = super().clean()
        get = cleaned.get
        now = self.now or timezone.now()
        start, end = get("start"), get("end")
        opens, closes = get("registration_opens"), get("registration_closes")
        if start and end and end <= start:
            self.add_error("end", _("The event must end after it starts."))
        if start and not self.instance.pk and start < now:
            self.add_error("start", _("A new event cannot start in the past."))
        capacity = get("capacity")
        if capacity is not None and capacity < self.confirmed_count:
            self.add_error(
                "capacity",
                ngettext(
                    "%(count)d person already has a confirmed seat; the capacity cannot be lower.",
                    "%(count)d people already have a confirmed seat; the capacity cannot be lower.",
                    self.confirmed_count,
                )
                % {"count": self.confirmed_count},
            )
        if opens and start and opens >= start:
            self.add_error("registration_opens", _("Registration must open before the event starts."))
        if closes and opens and closes <= opens:
            self.add_error("registration_closes", _("Registration must close after it opens."))
        elif closes and end and closes > end:
            self.add_error("registration_closes", _("Registration must close no later than the event ends."))
        self._clean_place_and_link(get("format"), get("place"), get("online_url"))
        if self.asks_to_notify and self.moved_fields and not get("notify"):
            self.add_error(
                "notify",
                ngettext(
                    "You changed the time, place, format or link and %(count)d person is registered: "
                    "choose whether to e-mail them.",
                    "You changed the time, place, format or link and %(count)d people are registered: "
                    "choose whether to e-mail them.",
                    self.active_count,
                )
                % {"count": self.active_count},
            )
        return cleaned

    def _clean_place_and_link(self, event_format, place, url):
        if place is not None and event_format:
            if event_format == Event.Format.ONLINE and not place.is_digital:
                self.add_error("place", _("An online event needs a digital meeting place."))
            elif event_format != Event.Format.ONLINE and place.is_digital:
                self.add_error("place", _("An event on site or a hybrid event needs a physical meeting place."))
        if url and event_format in (Event.Format.ONLINE, Event.Format.HYBRID) and not _is_https(url):
            self.add_error("online_url", _("The online meeting link must start with https://."))


class DuplicateForm(forms.Form):
    start = LocalDateTimeField(
        label=_("The new event starts"), help_text=_("The end and the registration window move by as much.")
    )

    def __init__(self, *args, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now

    def clean_start(self):
        start = self.cleaned_data["start"]
        if start < (self.now or timezone.now()):
            raise forms.ValidationError(_("A new event cannot start in the past."))
        return start


class CancelEventForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the participants"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For example why the event is cancelled, and whether it will be held later."),
    )
    notify = forms.BooleanField(label=_("Send an e-mail to the participants"), required=False, initial=True)


CHOICE_KINDS = {Question.Kind.SINGLE_CHOICE, Question.Kind.MULTIPLE_CHOICE}


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["label", "help_text", "kind", "choices", "required", "position"]
        widgets = {"choices": forms.Textarea(attrs={"rows": 3})}

    def clean_choices(self):
        lines = (line.strip() for line in self.cleaned_data["choices"].splitlines())
        return "\n".join(line for line in lines if line)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") in CHOICE_KINDS and not cleaned.get("choices"):
            self.add_error("choices", _("A choice question needs at least one choice, one per line."))
        return cleaned


QuestionFormSet = forms.inlineformset_factory(
    Event, Question, form=QuestionForm, extra=1, can_delete=True, max_num=50, validate_max=True
)


class CoordinateField(forms.DecimalField):
    """A decimal that must be a finite number.

    Django's DecimalField reads "sNaN" as a signalling NaN, which raises InvalidOperation in
    ``has_changed`` (editing a place compares the old and new values) instead of an error.
    """

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None and not value.is_finite():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value


class PlaceForm(forms.ModelForm):
    """A meeting place; the slug is made from the name when the place is created."""

    class Meta:
        model = MeetingPlace
        fields = [
            "name",
            "description",
            "is_digital",
            "street_address",
            "postal_code",
            "city",
            "municipality",
            "latitude",
            "longitude",
            "step_free_access",
            "hearing_loop",
            "accessible_toilet",
            "quiet_room",
            "public_transport_stop",
            "accessibility_notes",
            "website",
        ]
        field_classes = {"latitude": CoordinateField, "longitude": CoordinateField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "accessibility_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, limit in (("latitude", 90), ("longitude", 180)):
            field = self.fields[name]
            field.validators += [MinValueValidator(-limit), MaxValueValidator(limit)]
            field.help_text = _("Decimal degrees, such as 58.2827. Give both coordinates or neither.")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("is_digital") and not cleaned.get("municipality") and "municipality" not in self.errors:
            self.add_error("municipality", _("A physical meeting place must be in a municipality."))
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if latitude is None and longitude is not None and "latitude" not in self.errors:
            self.add_error("latitude", _("Give the latitude too, or leave both coordinates blank."))
        if longitude is None and latitude is not None and "longitude" not in self.errors:
            self.add_error("longitude", _("Give the longitude too, or leave both coordinates blank."))
        if self.instance.pk and "is_digital" in self.changed_data:
            # Places are shared by all teams: do not pull the ground from under their events.
            clashing = Event.Format.ON_SITE if cleaned.get("is_digital") else Event.Format.ONLINE
            formats = [clashing, Event.Format.HYBRID] if cleaned.get("is_digital") else [clashing]
            count = (
                self.instance.events.exclude(status=Event.Status.CANCELLED)
                .filter(end__gt=timezone.now(), format__in=formats)
                .count()
            )
            if count:
                self.add_error(
                    "is_digital",
                    ngettext(
                        "%(count)d coming event would no longer fit this place. Move it first.",
                        "%(count)d coming events would no longer fit this place. Move them first.",
                        count,
                    )
                    % {"count": count},
                )
        return cleaned

    def save(self, commit=True):
        if not self.instance.pk:
            self.instance.slug = unique_place_slug(self.instance.name)
        return super().save(commit)


def unique_place_slug(name):
    """A slug made from ``name`` that no other meeting place has."""
    base = slugify(name)[:190].strip("-") or "motesplats"
    taken = set(MeetingPlace.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug = f"{base}-{number}"
        number += 1
    return slug
