import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import ACCESSIBILITY_FIELDS, Event, MeetingPlace
from events.municipalities import Municipality

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

    Theme and place choices come from the caller, so the form runs no queries of its
    own. An invalid value is reported on its field and ignored; the other filters apply.
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
        self.fields["place"].choices = [("", _("All meeting places")), *((p.slug, p.name) for p in places)]
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
