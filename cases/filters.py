"""FilterSets for case and root-cause lists. A value a filter cannot read is a form error naming its
parameter (the API answers 400), never silently ignored."""

import django_filters as filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field

from cases import selectors
from cases.models import REFERENCE_PREFIX, RecoveryCase, RootCause, Severity, SLAState, Stage, parse_reference
from feedback.models import Customer, Feedback
from recovery.filter_fields import IdFilter, MomentFilter, StrictBooleanFilter
from recovery.parsing import whole_number

ORDERINGS = ["created_at", "severity", "acknowledge_due_at", "resolve_due_at"]
# Below this many matches, sorting the matches beats walking the urgency index; above it, the reverse.
SEARCH_PROBE = 5000


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


@extend_schema_field({"type": "string", "description": "A user id, `me` or `none`"})
class OwnerFilter(filters.Filter):
    field_class = OwnerField


class CaseFilter(filters.FilterSet):
    # No DISTINCT: each value is a plain equality, and DISTINCT would force a sort of every match.
    stage = CommaSeparatedChoiceFilter(choices=Stage.choices, distinct=False)
    severity = CommaSeparatedChoiceFilter(choices=Severity.choices, distinct=False)
    owner = OwnerFilter(method="filter_owner")
    sla_state = filters.ChoiceFilter(choices=SLAState.choices, method="filter_sla_state")
    is_repeat = StrictBooleanFilter(field_name="is_repeat")
    customer = filters.CharFilter(field_name="customer__external_id")
    root_cause = IdFilter(field_name="root_causes")
    created_after = MomentFilter(field_name="created_at", lookup_expr="gte")
    created_before = MomentFilter(field_name="created_at", lookup_expr="lt")
    q = filters.CharFilter(method="search")
    ordering = filters.ChoiceFilter(
        choices=[(f"{sign}{name}", f"{sign}{name}") for name in ORDERINGS for sign in ("", "-")],
        method="order",
    )

    class Meta:
        model = RecoveryCase
        fields = []

    def filter_owner(self, queryset, name, value):
        if value == "me":
            return queryset.filter(owner=self.request.user)
        if value == "none":
            return queryset.filter(owner__isnull=True)
        return queryset.filter(owner_id=whole_number(value))

    def filter_sla_state(self, queryset, name, value):
        return queryset.in_sla_state(value, timezone.now())

    def search(self, queryset, name, value):
        """A reference names one case; other text matches the title, the customer's name or email, or a
        feedback comment.

        Rare text is found through the trigram indexes and the few matches sorted; text that matches
        more than SEARCH_PROBE cases is found faster by walking the queue in order and testing each row.
        """
        value = value.strip()
        pk = parse_reference(value)
        if value.upper().startswith(REFERENCE_PREFIX):
            return queryset.filter(pk=pk) if pk is not None else queryset.none()
        ids = list(_matching_case_ids(value)[: SEARCH_PROBE + 1])
        if len(ids) > SEARCH_PROBE:
            return queryset.filter(_matches(value) | Q(pk=pk) if pk is not None else _matches(value))
        return queryset.filter(pk__in=[*ids, pk] if pk is not None else ids)

    def order(self, queryset, name, value):
        return selectors.order_queue(queryset, value)


def _matching_case_ids(value: str):
    """Ids of the cases `value` matches, each source read through its own trigram index (migration 0007)."""
    customers = Customer.objects.filter(Q(name__icontains=value) | Q(email__icontains=value)).values("pk")
    return (
        RecoveryCase.objects.filter(title__icontains=value)
        .order_by()
        .values_list("pk", flat=True)
        .union(
            RecoveryCase.objects.filter(customer__in=customers).order_by().values_list("pk", flat=True),
            Feedback.objects.filter(comment__icontains=value, case__isnull=False)
            .order_by()
            .values_list("case_id", flat=True),
            all=True,
        )
    )


def _matches(value: str) -> Q:
    return (
        Q(title__icontains=value)
        | Q(customer__name__icontains=value)
        | Q(customer__email__icontains=value)
        | Q(Exists(Feedback.objects.filter(case=OuterRef("pk"), comment__icontains=value)))
    )


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
