"""The API's case filters (`cases.filters.CaseFilter`) dressed for people: labels, date pickers, and
pick-lists of the agents and root causes where the API takes ids. Filters added to CaseFilter later
show up on the page with their default widget."""

from django import forms
from django.contrib.auth import get_user_model

from cases.filters import CaseFilter
from cases.models import RootCause
from recovery.roles import Role

LABELS = {
    "q": "Search",
    "stage": "Stage",
    "severity": "Severity",
    "owner": "Owner",
    "sla_state": "SLA state",
    "is_repeat": "Repeat customer",
    "customer": "Customer id",
    "root_cause": "Root cause",
    "created_after": "Opened from",
    "created_before": "Opened before",
    "channel": "Channel",
    "touchpoint": "Touchpoint",
    "metric": "Dashboard figure",
    "from": "Period from",
    "to": "Period to",
    "ordering": "Sort by",
}
SEVERAL = "Ctrl- or ⌘-click to pick several"
HELP = {
    "q": "Reference, title, customer name or email, or a comment",
    "stage": SEVERAL,
    "severity": SEVERAL,
    "touchpoint": "Where the first feedback came from, as the client sent it",
    "metric": "The cases behind one of the dashboard's numbers, over the period",
    "from": "For the dashboard figure; the last 30 days when empty",
}
ORDERING_LABELS = {
    "created_at": "Oldest first",
    "-created_at": "Newest first",
    "severity": "Least severe first",
    "-severity": "Most severe first",
    "acknowledge_due_at": "Acknowledge due, soonest",
    "-acknowledge_due_at": "Acknowledge due, latest",
    "resolve_due_at": "Resolve due, soonest",
    "-resolve_due_at": "Resolve due, latest",
}


FIRST = ["q", "stage", "severity", "owner", "sla_state", "is_repeat", "root_cause"]
# Then the rest in declaration order, but the dashboard's period beside its figure and the sort last.
LAST = ["metric", "from", "to", "ordering"]


def dress(filters: CaseFilter) -> forms.Form:
    form = filters.form
    form.order_fields([*FIRST, *(name for name in form.fields if name not in FIRST + LAST), *LAST])
    for name, field in form.fields.items():
        field.label = LABELS.get(name, field.label)
        field.help_text = HELP.get(name, "")
    fields = form.fields
    fields["q"].widget = forms.TextInput(attrs={"type": "search"})
    for name in ("stage", "severity"):
        choices = fields[name].choices
        fields[name].widget = forms.SelectMultiple(choices=choices, attrs={"size": len(choices)})
    fields["owner"].widget = forms.Select(choices=_owners())
    fields["is_repeat"].widget = forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")])
    fields["root_cause"].widget = forms.Select(choices=[("", "Any"), *_root_causes()])
    for name in ("created_after", "created_before", "from", "to"):
        fields[name].widget = forms.DateInput(attrs={"type": "date"})
    for name, empty in (("channel", "Any"), ("metric", "None")):
        choices = [choice for choice in fields[name].choices if choice[0]]
        fields[name].widget = forms.Select(choices=[("", empty), *choices])
    ordering = fields["ordering"]
    sorts = [(value, ORDERING_LABELS.get(value, value)) for value, _ in ordering.choices if value]
    ordering.widget = forms.Select(choices=[("", "Most urgent first"), *sorts])
    states = [choice for choice in fields["sla_state"].choices if choice[0]]
    fields["sla_state"].widget = forms.Select(choices=[("", "Any"), *states])
    return form


def _owners() -> list[tuple[str, str]]:
    people = (
        get_user_model()
        .objects.filter(groups__name__in=(Role.AGENT, Role.MANAGER), is_active=True)
        .distinct()
        .order_by("first_name", "username")
        .only("pk", "username", "first_name", "last_name")
    )
    return [("", "Anyone"), ("me", "Me"), ("none", "Unassigned")] + [
        (str(person.pk), person.get_full_name() or person.username) for person in people
    ]


def _root_causes() -> list[tuple[str, str]]:
    return [(str(pk), title) for pk, title in RootCause.objects.order_by("title").values_list("pk", "title")]
