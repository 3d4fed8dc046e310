"""Forms of the workspace: they parse what an agent typed. The rules (what an apology needs, what an
agent may grant) are the services'; their InvalidInput lands on the field it names."""

from django import forms
from django.utils.translation import gettext_lazy as _

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
    """Nothing to type: Assign to me and Resume carry only the version."""


def _notify() -> forms.BooleanField:
    # Unticked, a checkbox sends nothing: absent means "do not email", never "the default".
    return forms.BooleanField(label="Email the customer", required=False)


class SpeakingForm(ActionForm):
    """A stage action the customer may hear: its text is the email when "Email the customer" is ticked."""

    notify_customer = _notify()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The checkbox comes after the text it sends (the first field is where templates insert).
        self.order_fields([name for name in self.fields if name != "notify_customer"] + ["notify_customer"])


class AcknowledgeForm(SpeakingForm):
    message = _text("Message")
    service_fields = {"message": "message"}


class ApologyForm(SpeakingForm):
    apology = _text("Apology")
    service_fields = {"note": "apology"}


class ResolutionForm(SpeakingForm):
    resolution = _text("Resolution")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (Django's documented pattern for <input multiple>)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ReplyForm(ActionForm):
    message = _text("Message", rows=6)
    attachments = MultipleFileField(label="Attach files", required=False, help_text="Up to 10 MB each.")
    service_fields = {"body": "message"}


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
    note.help_text = _("Type @ to mention a colleague who may see this case.")
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
