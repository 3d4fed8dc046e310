"""Forms of the workspace: they parse what an agent typed. The rules (what an apology needs, what an
agent may grant) are the services'; their InvalidInput lands on the field it names."""

from django import forms

from cases.gestures import rates
from cases.gestures import services as gestures
from cases.models import Gesture, ResponseTemplate, RootCause, Severity
from recovery.filter_fields import IdFormField
from recovery.roles import case_workers
from recovery.text_limit import within_limit


class ActionForm(forms.Form):
    """Every action form carries the case version the agent saw, so a stale page is told, not obeyed."""

    version = IdFormField(widget=forms.HiddenInput, required=False)
    # service's field name -> this form's field, where they differ
    service_fields: dict[str, str] = {}


def _text(label: str, *, rows: int = 5) -> forms.CharField:
    # Not required here: the service says what is missing, in its own words.
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": rows}),
        validators=[within_limit],  # what the API takes in one body, no more
    )


class ConfirmForm(ActionForm):
    """Nothing to type: Acknowledge, Assign to me and Resume carry only the version."""


class ApologyForm(ActionForm):
    apology = _text("Apology")
    service_fields = {"note": "apology"}


class ResolutionForm(ActionForm):
    resolution = _text("Resolution")


class FollowUpForm(ActionForm):
    outcome = _text("Outcome")
    satisfaction = forms.TypedChoiceField(
        label="Satisfaction",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Not asked"), *[(n, f"{n} of 5") for n in range(5, 0, -1)]],
    )


class ReasonForm(ActionForm):
    reason = _text("Reason", rows=3)


class NoteForm(ActionForm):
    note = _text("Note", rows=4)
    service_fields = {"body": "note"}


class GestureForm(ActionForm):
    kind = forms.ChoiceField(label="Kind", choices=Gesture.Kind.choices)
    amount = forms.CharField(
        label="Amount", required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    # The form starts from the base currency, the one the agent's limit is stated in.
    currency = forms.CharField(label="Currency", required=False, initial=rates.base_currency, max_length=8)
    reason = _text("Reason", rows=3)
    service_fields = {"description": "reason"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Whether the reason is required is the service's call, under the case's lock; the form says when.
        self.fields["reason"].help_text = (
            f"Required when the case's gestures come to more than {gestures.agent_limit()} "
            f"{rates.base_currency()}: the manager who approves reads it."
        )


class RootCauseForm(ActionForm):
    root_cause = IdFormField(label="Root cause", required=False)
    new_title = forms.CharField(label="Name", required=False, max_length=200)
    new_category = forms.ChoiceField(
        label="Category",
        required=False,
        choices=RootCause.Category.choices,
        initial=RootCause.Category.PROCESS,
    )
    service_fields = {"title": "new_title", "category": "new_category", "root_cause": "root_cause"}


class ReassignForm(ActionForm):
    owner = forms.ModelChoiceField(
        label="Owner", required=False, queryset=None, empty_label="Nobody (unassigned)"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = case_workers()
        self.fields["owner"].label_from_instance = lambda user: user.get_full_name() or user.get_username()


class SeverityForm(ActionForm):
    severity = forms.ChoiceField(label="Severity", choices=Severity.choices)


class EditForm(ActionForm):
    """A case's own words, fixed by its agent: the service keeps the old and new values on the timeline."""

    title = forms.CharField(label="Title", required=False, max_length=200)
    description = _text("Description", rows=5)


class ResponseTemplateForm(forms.Form):
    kind = forms.ChoiceField(label="Used for", choices=ResponseTemplate.Kind.choices)
    name = forms.CharField(label="Name", required=False, max_length=120)
    body = forms.CharField(
        label="Text",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        validators=[within_limit],
    )
