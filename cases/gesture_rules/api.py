"""`/api/v1/gesture-rules/` (managers): parse, call `cases.gesture_rules.services`, shape the answer."""

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from cases.api.serializers import AmountField, CurrencyField
from cases.gesture_rules import metadata, services
from cases.gesture_rules.models import GestureRule
from cases.models import Gesture, Severity
from feedback.models import Channel
from recovery.api.parsers import json_object
from recovery.api.schema import errors
from recovery.api.strict import StrictInput


# Zero or more, at most two places, within `services.BUDGET_CEILING` (100,000,000.00).
@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "nullable": True,
        "pattern": r"^(?:[0-9]{1,8}(?:\.[0-9]{1,2})?|100000000(?:\.0{1,2})?)$",
    }
)
class BudgetField(serializers.CharField):
    pass


class MetadataTest(StrictInput):
    key = serializers.CharField(max_length=metadata.KEY_LENGTH, help_text="A key of the feedback's metadata")
    op = serializers.ChoiceField(choices=metadata.OPERATORS)
    value = serializers.JSONField(
        help_text="A number for > >= < <=; a list for in; a text, number or boolean otherwise. A metadata "
        "value of another type never matches."
    )


class Conditions(StrictInput):
    touchpoint = serializers.ListField(child=serializers.CharField(), required=False)
    channel = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices), required=False)
    severity = serializers.ListField(child=serializers.ChoiceField(choices=Severity.choices), required=False)
    segment = serializers.ListField(child=serializers.CharField(), required=False)
    metadata = MetadataTest(many=True, required=False)


class GestureRuleOut(serializers.ModelSerializer):
    conditions = Conditions()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)
    monthly_budget = serializers.DecimalField(
        max_digits=14, decimal_places=2, coerce_to_string=True, allow_null=True
    )
    kind = serializers.ChoiceField(choices=Gesture.Kind.choices)

    class Meta:
        model = GestureRule
        fields = ["id", *services.FIELDS]  # the keys, in its order
        read_only_fields = fields


class GestureRuleInput(StrictInput):
    """For the schema only: `services` checks every value (one rule, one place), and refuses a field it
    does not know, as every input of the API does (`additionalProperties: false`)."""

    name = serializers.CharField(max_length=services.NAME_LENGTH)
    active = serializers.BooleanField(required=False, default=True)
    conditions = Conditions(help_text="At least one condition; every one must match")
    kind = serializers.ChoiceField(choices=Gesture.Kind.choices)
    amount = AmountField(
        max_digits=20, decimal_places=10, help_text='What each gesture is worth, e.g. "20.00"'
    )
    currency = CurrencyField(max_length=8, help_text="ISO 4217 code, e.g. EUR")
    per_customer_90d = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text="The most gestures by this rule per customer in 90 days",
    )
    monthly_budget = BudgetField(
        required=False, allow_null=True, help_text="In the rule's currency, per calendar month; null for none"
    )


@extend_schema_view(
    list=extend_schema(
        summary="Automatic gesture rules (managers)",
        responses={200: GestureRuleOut(many=True), **errors(401, 403)},
    ),
    retrieve=extend_schema(
        summary="One automatic gesture rule", responses={200: GestureRuleOut, **errors(401, 403, 404)}
    ),
    create=extend_schema(
        summary="Keep a rule that grants a gesture at triage",
        request=GestureRuleInput,
        responses={201: GestureRuleOut, **errors(400, 401, 403, 413, 415)},
    ),
    partial_update=extend_schema(
        summary="Change a rule",
        request=GestureRuleInput(partial=True),
        responses={200: GestureRuleOut, **errors(400, 401, 403, 404, 413, 415)},
    ),
    destroy=extend_schema(
        summary="Delete a rule; the gestures it granted stay", responses={204: None, **errors(401, 403, 404)}
    ),
)
class GestureRuleViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"[0-9]{1,18}"

    def list(self, request):
        return Response(GestureRuleOut(services.listed(actor=request.user), many=True).data)

    def create(self, request):
        rule = services.create(actor=request.user, values=json_object(request))
        return Response(GestureRuleOut(rule).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request, pk=None):
        return Response(GestureRuleOut(services.get(actor=request.user, rule_id=int(pk))).data)

    def partial_update(self, request, pk=None):
        rule = services.update(actor=request.user, rule_id=int(pk), values=json_object(request))
        return Response(GestureRuleOut(rule).data)

    def destroy(self, request, pk=None):
        services.delete(actor=request.user, rule_id=int(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
