"""FilterSets for case and root-cause lists. A value a filter cannot read is a form error naming its
parameter (the API answers 400), never silently ignored."""

import re

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field

from cases.metrics import period as metrics_period
from cases.metrics.definitions import COUNTED, METRICS, cases_q
from cases.models import RecoveryCase, RootCause, Severity, SLAState, Stage
from cases.selectors import cases as selectors
from cases.selectors.search import search_cases
from feedback.models import Channel
from recovery.filter_fields import IdFilter, MomentFilter, StrictBooleanFilter
from recovery.parsing import whole_number

ORDERINGS = ["created_at", "severity", "acknowledge_due_at", "resolve_due_at"]


class CommaSeparatedChoiceField(forms.MultipleChoiceField):
    """`?stage=new,acknowledged` and `?stage=new&stage=acknowledged` mean the same."""

    def to_python(self, value):
        return [part.strip() for item in super().to_python(value) for part in item.split(",") if part.strip()]


class CommaSeparatedChoiceFilter(filters.MultipleChoiceFilter):
    field_class = CommaSeparatedChoiceField


class OwnerField(forms.CharField):
    def to_python(self, value):
        text = super().to_python(value).strip().lower()
        if text in ("", "me", "none") or whole_number(text) is not None:
            return text
        raise forms.ValidationError("Use a user id, 'me' or 'none'.")


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^ *(?:[0-9]{1,18}|[Mm][Ee]|[Nn][Oo][Nn][Ee])? *$",
        "description": "A user id, `me` or `none`",
    }
)
class OwnerFilter(filters.Filter):
    field_class = OwnerField


class TeamField(forms.CharField):
    def to_python(self, value):
        text = super().to_python(value).strip()
        if text == "" or re.fullmatch(r"[-a-zA-Z0-9_]{1,50}", text):
            return text
        raise forms.ValidationError("Use a team's slug, or 'none' for the cases of no team.")


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^ *[-a-zA-Z0-9_]{0,50} *$",
        "description": "A team's slug, or `none` for the cases of no team",
    }
)
class TeamFilter(filters.Filter):
    field_class = TeamField


class CaseFilter(filters.FilterSet):
    # No DISTINCT: each value is a plain equality, and DISTINCT would force a sort of every match.
    stage = CommaSeparatedChoiceFilter(choices=Stage.choices, distinct=False)
    severity = CommaSeparatedChoiceFilter(choices=Severity.choices, distinct=False)
    owner = OwnerFilter(method="filter_owner")
    team = TeamFilter(method="filter_team")
    sla_state = filters.ChoiceFilter(choices=SLAState.choices, method="filter_sla_state")
    is_repeat = StrictBooleanFilter(field_name="is_repeat")
    customer = filters.CharFilter(field_name="customer__external_id")
    root_cause = IdFilter(field_name="root_causes")
    created_after = MomentFilter(field_name="created_at", lookup_expr="gte")
    created_before = MomentFilter(field_name="created_at", lookup_expr="lt")
    channel = filters.ChoiceFilter(choices=Channel.choices)
    touchpoint = filters.CharFilter(field_name="touchpoint")  # the complaint's (RecoveryCase.touchpoint)
    # The dashboard's drill-down: the cases behind one number, for the period `from`..`to` (local dates;
    # the last 30 days without them). See cases.metrics.definitions.
    metric = filters.ChoiceFilter(choices=[(name, METRICS[name].label) for name in COUNTED], method="keep")
    q = filters.CharFilter(method="search")
    ordering = filters.ChoiceFilter(
        choices=[(f"{sign}{name}", f"{sign}{name}") for name in ORDERINGS for sign in ("", "-")],
        method="order",
    )

    class Meta:
        model = RecoveryCase
        fields = []

    def keep(self, queryset, name, value):
        return queryset  # applied in filter_queryset, where the period is known

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        name = self.form.cleaned_data.get("metric")
        if name:
            first, last = self.form.cleaned_data.get("from"), self.form.cleaned_data.get("to")
            period = metrics_period.parse(
                {"from": first and first.isoformat(), "to": last and last.isoformat()}
            )[0]
            queryset = queryset.filter(cases_q(name, period, timezone.now()))
        return queryset

    def filter_owner(self, queryset, name, value):
        if value == "me":
            return queryset.filter(owner=self.request.user)
        if value == "none":
            return queryset.filter(owner__isnull=True)
        return queryset.filter(owner_id=whole_number(value))

    def filter_team(self, queryset, name, value):
        if value == "none":
            return queryset.filter(team__isnull=True)
        return queryset.filter(team__slug=value)

    def filter_sla_state(self, queryset, name, value):
        return queryset.in_sla_state(value, timezone.now())

    def search(self, queryset, name, value):
        return search_cases(queryset, value)

    def order(self, queryset, name, value):
        return selectors.order_queue(queryset, value)


# `from` is a Python keyword, so the period's bounds join the declared filters here.
for _bound in ("from", "to"):
    _period = filters.DateFilter(method="keep", label=f"Period {_bound} (YYYY-MM-DD)")
    CaseFilter.declared_filters[_bound] = CaseFilter.base_filters[_bound] = _period  # subclasses inherit it


class GivenCaseFilter(CaseFilter):
    """CaseFilter with only the filters a request names, for the API's pages.

    A filter that is not given changes nothing, yet django-filter copies every filter and its form
    field for each request (copy.deepcopy, about a millisecond per page): a sixth of a queue page's
    Python. The HTML list keeps CaseFilter, whose form draws every field. The schema reads the class's
    `base_filters`, which still hold them all.
    """

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            self.base_filters = {name: f for name, f in type(self).base_filters.items() if name in data}
        super().__init__(data, *args, **kwargs)


class RootCauseFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=RootCause.Status.choices)
    category = filters.ChoiceFilter(choices=RootCause.Category.choices)
    q = filters.CharFilter(method="search")

    class Meta:
        model = RootCause
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(corrective_action__icontains=value)
        )
