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

    @property
    def question_fields(self):
        return [self[question.key] for question in self.questions]

    def answers(self):
        """The answers to the event's own questions, keyed by question, for storing."""
        return {question.key: self.cleaned_data.get(question.key) for question in self.questions}
