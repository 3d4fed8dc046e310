"""The API's case filters (`cases.filters.CaseFilter`) dressed for people: labels, date pickers, checkbox
groups, pick-lists of the agents and root causes where the API takes ids, and the active filters as
removable chips. Filters added to CaseFilter later show up on the page with their default widget."""

from dataclasses import dataclass

from django import forms
from django.contrib.auth import get_user_model
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from cases.filters import CaseFilter
from cases.models import RootCause
from cases.saved_views import PAGE_PARAMS
from recovery.roles import Role, is_manager

LABELS = {
    "q": _("Search"),
    "stage": _("Stage"),
    "severity": _("Severity"),
    "owner": _("Owner"),
    "sla_state": _("SLA state"),
    "is_repeat": _("Repeat customer"),
    "customer": _("Customer id"),
    "root_cause": _("Root cause"),
    "created_after": _("Opened from"),
    "created_before": _("Opened before"),
    "channel": _("Channel"),
    "touchpoint": _("Touchpoint"),
    "metric": _("Dashboard figure"),
    "from": _("Period from"),
    "to": _("Period to"),
    "ordering": _("Sort by"),
}
HELP = {
    "q": _("Reference, title, customer name or email, or a comment"),
    "touchpoint": _("Where the first feedback came from, as the client sent it"),
    "metric": _("The cases behind one of the dashboard's numbers, over the period"),
    "from": _("For the dashboard figure; the last 30 days when empty"),
}
ORDERING_LABELS = {
    "created_at": _("Oldest first"),
    "-created_at": _("Newest first"),
    "severity": _("Least severe first"),
    "-severity": _("Most severe first"),
    "acknowledge_due_at": _("Acknowledge due, soonest"),
    "-acknowledge_due_at": _("Acknowledge due, latest"),
    "resolve_due_at": _("Resolve due, soonest"),
    "-resolve_due_at": _("Resolve due, latest"),
}


FIRST = ["q", "stage", "severity", "owner", "sla_state", "is_repeat", "root_cause"]
# Then the rest in declaration order, but the dashboard's period beside its figure and the sort last.
LAST = ["metric", "from", "to", "ordering"]
# The dashboard's drill-down: managers reach it from their dashboard, agents have no dashboard. An agent
# who follows such a link still gets that list (the filter applies, and shows as a chip to remove).
MANAGERS_ONLY = frozenset({"metric", "from", "to"})
# Parameters of the page, not filters: no chip, and a saved view or an export leaves them out.
NOT_FILTERS = frozenset(PAGE_PARAMS)


class CommaCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes that also read `?stage=new,acknowledged` (the API's form, which links use) as two
    ticked boxes, like CaseFilter's CommaSeparatedChoiceField does."""

    def value_from_datadict(self, data, files, name):
        values = super().value_from_datadict(data, files, name) or []
        return [part.strip() for value in values for part in str(value).split(",") if part.strip()]


def dress(filters: CaseFilter, user) -> forms.Form:
    form = filters.form
    form.order_fields([*FIRST, *(name for name in form.fields if name not in FIRST + LAST), *LAST])
    for name, field in form.fields.items():
        field.label = LABELS.get(name, field.label)
        field.help_text = HELP.get(name, "")
    fields = form.fields
    fields["q"].widget = forms.TextInput(attrs={"type": "search"})
    for name in ("stage", "severity"):
        fields[name].widget = CommaCheckboxes(choices=fields[name].choices)
    fields["owner"].widget = forms.Select(choices=_owners())
    fields["is_repeat"].widget = forms.Select(
        choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))]
    )
    fields["root_cause"].widget = forms.Select(choices=[("", _("Any")), *_root_causes()])
    for name in ("created_after", "created_before", "from", "to"):
        fields[name].widget = forms.DateInput(attrs={"type": "date"})
    for name, empty in (("channel", _("Any")), ("metric", _("None"))):
        choices = [choice for choice in fields[name].choices if choice[0]]
        fields[name].widget = forms.Select(choices=[("", empty), *choices])
    ordering = fields["ordering"]
    sorts = [(value, ORDERING_LABELS.get(value, value)) for value, _label in ordering.choices if value]
    ordering.widget = forms.Select(choices=[("", _("Most urgent first")), *sorts])
    states = [choice for choice in fields["sla_state"].choices if choice[0]]
    fields["sla_state"].widget = forms.Select(choices=[("", _("Any")), *states])
    # Which fields the page draws; the others travel as hidden inputs when they hold a value, so
    # changing a visible filter keeps a drill-down the agent arrived with.
    form.shown = [name for name in form.fields if is_manager(user) or name not in MANAGERS_ONLY]
    return form


def shown_fields(form: forms.Form) -> list[forms.BoundField]:
    return [form[name] for name in form.shown]


def carried_fields(form: forms.Form) -> list[tuple[str, str]]:
    """(name, value) of the filters the page does not draw but the request gave."""
    return [
        (name, value)
        for name in form.fields
        if name not in form.shown
        for value in form.data.getlist(name)
        if value
    ]


@dataclass(frozen=True)
class Chip:
    label: str  # "Stage: New"
    remove_url: str  # the same list without this one filter value


def chips(form: forms.Form, params: QueryDict) -> list[Chip]:
    """One chip per active filter value, each a link to the list without it. A checkbox group gives a
    chip per ticked value, so "Stage: New" goes and "Stage: Acknowledged" stays."""
    found = []
    for name in form.fields:
        field = form.fields[name]
        values = [value for value in params.getlist(name) if value.strip()]
        if name in ("stage", "severity"):
            values = [part.strip() for value in values for part in value.split(",") if part.strip()]
        for value in values:
            without = _without(params, name, value)
            found.append(Chip(f"{field.label}: {_shown_value(field, value)}", f"?{without.urlencode()}"))
    return found


def filter_query(params: QueryDict) -> str:
    """The filters of `params` as a query string, without the page's own parameters."""
    kept = params.copy()
    for name in NOT_FILTERS:
        kept.pop(name, None)
    return kept.urlencode()


def _without(params: QueryDict, name: str, value: str) -> QueryDict:
    kept = params.copy()
    for page_param in NOT_FILTERS:
        kept.pop(page_param, None)  # the list changes: start again from its first page
    remaining = []
    for given in kept.getlist(name):
        parts = given.split(",") if name in ("stage", "severity") else [given]
        remaining += [part.strip() for part in parts if part.strip() and part.strip() != value]
    kept.setlist(name, remaining)
    return kept


def _shown_value(field: forms.Field, value: str) -> str:
    choices = getattr(field.widget, "choices", None)
    if choices:
        for key, label in choices:
            if str(key) == value:
                return str(label)
    return f"“{value}”" if type(field.widget) is forms.TextInput else value


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
