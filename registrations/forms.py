import secrets

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from registrations.models import Question

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 2000


def _question_field(question):
    """A form field for one of the event's own questions."""
    common = {"label": question.label, "required": question.required, "help_text": question.help_text}
    match question.kind:
        case Question.Kind.SHORT_TEXT:
            return forms.CharField(max_length=SHORT_TEXT_MAX, **common)
        case Question.Kind.LONG_TEXT:
            return forms.CharField(max_length=LONG_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}), **common)
        case Question.Kind.SINGLE_CHOICE:
            choices = [(choice, choice) for choice in question.choice_list]
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        case Question.Kind.MULTIPLE_CHOICE:
            choices = [(choice, choice) for choice in question.choice_list]
            return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
        case Question.Kind.YES_NO:
            return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **common)
    raise ValueError(f"Unknown question kind {question.kind!r}")


class RegistrationForm(forms.Form):
    """The registration form of an event: the standard questions, the event's own, consent."""

    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    dietary_needs = forms.CharField(
        label=_("Dietary needs"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example allergies or vegetarian food. Used only for this event."),
    )
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example a hearing loop, sign language interpretation or step-free access."),
    )
    # Article 9 data: its own explicit consent, never ticked in advance, asked for only when
    # one of the two fields above is filled in (see clean()).
    sensitive_consent = forms.BooleanField(
        label=_("I agree that my dietary and accessibility needs are used to organise this event."),
        required=False,
        help_text=_(
            "Needed only if you fill in dietary or accessibility needs. They are shown to the event's "
            "organisers and deleted the day after the event."
        ),
    )
    consent = forms.BooleanField(
        label=_("I agree that my answers are processed to organise this event."),
        error_messages={"required": _("You need to agree to the processing of your answers to register.")},
    )

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[question.key] = _question_field(question)
        # Consent comes last, after every question it covers.
        self.fields["consent"] = self.fields.pop("consent")
        self.fields["consent"].help_text = format_html(
            '<a href="{}">{}</a>', reverse("privacy"), _("How we handle personal data")
        )

    def clean(self):
        cleaned_data = super().clean()
        needs = (cleaned_data.get("dietary_needs") or "").strip() or (
            cleaned_data.get("accessibility_needs") or ""
        ).strip()
        if needs and not cleaned_data.get("sensitive_consent"):
            self.add_error(
                "sensitive_consent",
                _(
                    "You filled in dietary or accessibility needs: tick this box to let us use them, "
                    "or empty those fields."
                ),
            )
        return cleaned_data

    @property
    def question_fields(self):
        return [self[question.key] for question in self.questions]

    def answers(self):
        """The answers to the event's own questions, keyed by question, for storing."""
        return {question.key: self.cleaned_data.get(question.key) for question in self.questions}


class MessageForm(forms.Form):
    """An organiser's message to the participants of an event (see ``services.start_mailing``).

    ``counts`` maps each audience to the number of people it reaches now: shown next to
    each choice, and an audience of nobody is refused.
    """

    audience = forms.ChoiceField(label=_("Recipients"), widget=forms.RadioSelect)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 10}))
    # Made once per compose page and kept through the preview: sending twice with one token
    # sends once.
    token = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, counts=None, **kwargs):
        from django.utils.translation import ngettext

        from registrations.models import Mailing

        super().__init__(*args, **kwargs)
        self.counts = counts or {}
        self.fields["audience"].initial = Mailing.Audience.CONFIRMED
        self.fields["token"].initial = secrets.token_urlsafe(24)
        self.fields["audience"].choices = [
            (
                value,
                format_html(
                    "{} ({})",
                    label,
                    ngettext("%(count)d person", "%(count)d people", self.counts.get(value, 0))
                    % {"count": self.counts.get(value, 0)},
                ),
            )
            for value, label in Mailing.Audience.choices
        ]

    def clean_audience(self):
        audience = self.cleaned_data["audience"]
        if not self.counts.get(audience):
            raise forms.ValidationError(_("Nobody would receive this message: choose other recipients."))
        return audience


# The organiser's attendance pages.

ATTENDEE_SEARCH_MAX_WORDS = 5


class AttendeeSearchForm(forms.Form):
    """The search box of the door view: words matched against name, e-mail and organisation.

    Invalid input is reported on its field and ignored; ``filters`` holds what is valid.
    """

    q = forms.CharField(
        label=_("Search by name, e-mail or organisation"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].error_messages["max_length"] = _(
            "Use at most %(limit_value)d characters. The search was ignored."
        )

    def clean_q(self):
        words = list(dict.fromkeys(self.cleaned_data["q"].split()))
        if len(words) > ATTENDEE_SEARCH_MAX_WORDS:
            raise forms.ValidationError(
                _("Use at most %(count)d words. The search was ignored."), params={"count": ATTENDEE_SEARCH_MAX_WORDS}
            )
        return " ".join(words)

    @property
    def filters(self):
        """The valid, non-empty filters (for ``queries.attendee_list``); invalid ones are left out."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class AttendeeFilterForm(AttendeeSearchForm):
    """The attendee list's filters, ``q`` and ``status`` (the keys of ``queries.ATTENDEE_STATUSES``)."""

    STATUS_CHOICES = [
        ("", _("Registered (not cancelled)")),
        ("confirmed", _("Confirmed")),
        ("not_checked_in", _("Confirmed, not checked in")),
        ("checked_in", _("Checked in")),
        ("waitlisted", _("On the waiting list")),
        ("cancelled", _("Cancelled registrations")),
        ("all", _("Everyone, also cancelled")),
    ]

    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].label = _("Search")
        self.fields["q"].help_text = _("Name, e-mail address or organisation.")
        self.fields["status"].error_messages["invalid_choice"] = _("There is no such status. This filter was ignored.")


class AddParticipantForm(forms.Form):
    """An organiser registers someone by e-mail address (see ``services.add_participant``)."""

    email = forms.EmailField(
        label=_("E-mail address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    first_name = forms.CharField(
        label=_("First name"), max_length=150, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    organisation = forms.CharField(
        label=_("Organisation"), max_length=200, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    over_capacity = forms.BooleanField(
        label=_("Confirm even if the event is full"),
        required=False,
        help_text=_("Without this, a person added to a full event goes on the waiting list."),
    )


class ConfirmWaitlistedForm(forms.Form):
    """The organiser's explicit yes to confirming someone when no seat is free.

    Not required by the form: the service decides under the event's lock, since a seat may
    have been taken or freed since the page was shown.
    """

    over_capacity = forms.BooleanField(required=False)

    def __init__(self, *args, counts, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["over_capacity"]
        field.label = _("Yes, confirm over the capacity (%(taken)d of %(capacity)d seats taken)") % {
            "taken": counts["confirmed"],
            "capacity": counts["capacity"] or 0,
        }
        if counts["is_full"]:
            field.widget.attrs["required"] = True
