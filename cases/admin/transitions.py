"""Admin actions that move cases through `cases.workflow`: the admin never writes a stage itself.

Actions that need words (an apology, a resolution, a reason) first show an intermediate form; the
workflow then checks every rule per case, and refusals are reported per case.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.response import TemplateResponse
from django.utils.translation import ngettext

from cases import workflow
from recovery.errors import MendError
from recovery.text_limit import within_limit


@dataclass(frozen=True)
class AdminTransition:
    action: str  # the `cases.workflow` action
    label: str
    done: str  # "Acknowledged: 3 cases."
    text_field: str | None = None  # the workflow argument the form's text goes to
    text_label: str = ""
    asks_satisfaction: bool = False


ADMIN_TRANSITIONS = (
    AdminTransition("acknowledge", "Acknowledge", "Acknowledged"),
    AdminTransition("apologize", "Apologize…", "Apologized", "note", "Apology given, or the channel used"),
    AdminTransition("resolve", "Resolve…", "Resolved", "resolution", "Resolution summary"),
    AdminTransition(
        "follow_up", "Record follow-up…", "Followed up", "outcome", "Outcome of the follow-up", True
    ),
    AdminTransition(
        "close", "Close…", "Closed", "reason", "Reason (required when a manager closes before the follow-up)"
    ),
    AdminTransition("reopen", "Reopen…", "Reopened", "reason", "Why the case is reopened"),
)


class TransitionForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}), required=False, validators=[within_limit]
    )
    satisfaction = forms.TypedChoiceField(
        choices=[("", "not asked")] + [(n, n) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
        label="Customer satisfaction (1 to 5)",
    )

    def __init__(self, *args, transition: AdminTransition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = transition.text_label
        if not transition.asks_satisfaction:
            del self.fields["satisfaction"]

    def payload(self, transition: AdminTransition) -> dict:
        payload = {transition.text_field: self.cleaned_data["text"]}
        if transition.asks_satisfaction:
            payload["satisfaction"] = self.cleaned_data["satisfaction"]
        return payload


def transition_actions() -> list:
    return [_admin_action(transition) for transition in ADMIN_TRANSITIONS]


def _admin_action(transition: AdminTransition):
    def action(modeladmin, request, queryset):
        if transition.text_field is None:
            return _perform(modeladmin, request, queryset, transition, {})
        form = TransitionForm(request.POST if "apply" in request.POST else None, transition=transition)
        if form.is_bound and form.is_valid():
            return _perform(modeladmin, request, queryset, transition, form.payload(transition))
        return _ask(modeladmin, request, queryset, transition, form)

    action.__name__ = f"{transition.action}_cases"
    return admin.action(description=transition.label)(action)


def _perform(modeladmin, request, queryset, transition: AdminTransition, payload: dict) -> None:
    done = 0
    # One workflow call per case: each locks and checks its own case, so one refusal stops no other.
    for case in queryset.select_related(None).only("pk").order_by("pk"):
        try:
            workflow.perform(transition.action, case_id=case.pk, actor=request.user, **payload)
        except MendError as exc:
            modeladmin.message_user(request, f"{case.reference}: {exc.message}", messages.ERROR)
        else:
            done += 1
    if done:
        cases = ngettext("%(count)d case", "%(count)d cases", done) % {"count": done}
        modeladmin.message_user(request, f"{transition.done}: {cases}.", messages.SUCCESS)


def _ask(modeladmin, request, queryset, transition: AdminTransition, form: TransitionForm):
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": transition.label.rstrip("…"),
        "opts": modeladmin.model._meta,
        "cases": queryset.select_related("customer").order_by("pk"),
        "form": form,
        "action": f"{transition.action}_cases",
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/cases/recoverycase/transition.html", context)
