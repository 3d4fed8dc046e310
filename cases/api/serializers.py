"""Input serializers per command (they only parse and type: rules live in the services) and output
serializers per shape."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.gestures.currencies import ISO_4217
from cases.models import (
    STAGE_DUE_FIELDS,
    STAGE_TIMESTAMP_FIELDS,
    CaseEvent,
    ExchangeRate,
    FollowUp,
    Gesture,
    RecoveryCase,
    RootCause,
    Severity,
    SLAPolicy,
    SLAState,
    Stage,
)
from cases.root_causes import EDITABLE_FIELDS as ROOT_CAUSE_EDITABLE_FIELDS
from cases.services import NoteVisibility
from cases.sla import clock as sla
from cases.sla import policies
from cases.workflow import allowed_actions
from feedback.api.serializers import CustomerIn
from feedback.models import Channel, Feedback
from recovery.api.strict import StrictInput

User = get_user_model()


# Inputs ------------------------------------------------------------------

# Field hints: rules a schema can carry, so a client (and Schemathesis) knows them before a 400.

# More than zero, at most two places, within MEND_GESTURE_MAX_AMOUNT's default (100,000.00); written
# as the plain decimal `recovery.parsing.decimal_number` reads.
AMOUNT_PATTERN = r"^(?:[1-9][0-9]{0,4}(?:\.[0-9]{1,2})?|0?\.(?:0[1-9]|[1-9][0-9]?)|100000(?:\.0{1,2})?)$"


@extend_schema_field({"type": "string", "format": "decimal", "pattern": AMOUNT_PATTERN})
class AmountField(serializers.DecimalField):
    pass


@extend_schema_field({"type": "string", "enum": sorted(ISO_4217)})
class CurrencyField(serializers.CharField):
    pass


# A user's id; null or "" (what an HTML form sends for "nobody", which DRF reads as null) unassigns.
@extend_schema_field({"anyOf": [{"type": "integer", "nullable": True}, {"type": "string", "enum": [""]}]})
class OwnerField(serializers.PrimaryKeyRelatedField):
    pass


# Strictly between 0 and 1 (the share of a target after which its owner is warned).
@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^0?\.(?:0[1-9]|[1-9][0-9]?)$"})
class FractionField(serializers.DecimalField):
    pass


@extend_schema_field(
    {
        "oneOf": [
            {
                "type": "string",
                "minLength": 1,
                "maxLength": 128,
                "pattern": r"\S",
                "description": "External id of a known customer",
            },
            {"$ref": "#/components/schemas/CustomerIn"},
        ],
        "description": (
            "A known customer's external id, or a new customer (a known external id is used as it is)"
        ),
    }
)
class CustomerReferenceField(serializers.Field):
    """A known customer's external id, or a new customer's details."""

    def to_internal_value(self, data):
        if isinstance(data, str) and data.strip():
            if len(data.strip()) > 128:
                raise serializers.ValidationError("An external id has at most 128 characters.")
            return {"customer_external_id": data.strip()}
        if isinstance(data, dict):
            details = CustomerIn(data=data)
            details.is_valid(raise_exception=True)
            return {"new_customer": details.validated_data}
        raise serializers.ValidationError("An external id, or an object describing a new customer.")


class CaseOpenInput(StrictInput):
    customer = CustomerReferenceField()
    title = serializers.CharField(max_length=200)
    severity = serializers.ChoiceField(choices=Severity.choices)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)


class CaseEditInput(StrictInput):
    title = serializers.CharField(max_length=200, required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    owner = OwnerField(queryset=User.objects.all(), required=False, allow_null=True)


class ActionInput(StrictInput):
    """Every field any action takes; each action is given only the ones it uses."""

    note = serializers.CharField(
        required=False, allow_blank=True, help_text="acknowledge, apologize (required)"
    )
    resolution = serializers.CharField(required=False, allow_blank=True, help_text="resolve (required)")
    outcome = serializers.CharField(required=False, allow_blank=True, help_text="follow_up (required)")
    satisfaction = serializers.IntegerField(required=False, allow_null=True, help_text="follow_up: 1 to 5")
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="reopen and hold (required); close before follow-up (managers)",
    )
    version = serializers.IntegerField(
        required=False, min_value=0, help_text="Refuse (409) if the case is no longer at this version"
    )
    notify_customer = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=(
            "acknowledge, apologize, resolve: email the customer the action's words. Defaults to true when "
            "the customer has an email address and may be contacted; true for one who may not answers 409"
        ),
    )
    message = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="acknowledge: the email to the customer (the default acknowledgement when empty)",
    )


class MessageInput(StrictInput):
    body = serializers.CharField(help_text="The text to email the customer")


class MessageAttachmentOut(serializers.Serializer):
    name = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    url = serializers.URLField()


class MessageOut(serializers.Serializer):
    """One email of the case's conversation, either way. `status` is null for the customer's messages."""

    id = serializers.IntegerField()
    direction = serializers.ChoiceField(choices=["inbound", "outbound"])
    from_ = serializers.CharField()
    to = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField()
    message_id = serializers.CharField()
    reply_to = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=["queued", "sent", "failed", "bounced"], allow_null=True)
    created_at = serializers.DateTimeField()
    attachments = MessageAttachmentOut(many=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # `from` is a Python keyword
        return fields

    def to_representation(self, message):
        request = self.context.get("request")
        attachments = [
            {
                "name": attachment.name,
                "size": attachment.size,
                "content_type": attachment.content_type,
                "url": _absolute(
                    request, reverse("workspace:attachment", args=[message.case.reference, attachment.pk])
                ),
            }
            for attachment in message.attachments.all()
        ]
        outbound = message.direction == "outbound"
        return {
            "id": message.pk,
            "direction": message.direction,
            "from": message.from_address,
            "to": message.to_address,
            "subject": message.subject,
            "body": message.body,
            "message_id": message.message_id,
            "reply_to": message.reply_to,
            "status": message.status if outbound else None,
            "created_at": serializers.DateTimeField().to_representation(message.created_at),
            "attachments": attachments,
        }


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


class NoteInput(StrictInput):
    body = serializers.CharField()
    visibility = serializers.ChoiceField(
        choices=[(v.value, v.value) for v in NoteVisibility], default=NoteVisibility.INTERNAL.value
    )


class GestureInput(StrictInput):
    kind = serializers.ChoiceField(choices=Gesture.Kind.choices)
    amount = AmountField(max_digits=20, decimal_places=10, help_text='A decimal string, e.g. "20.00"')
    currency = CurrencyField(max_length=8, help_text="ISO 4217 code, e.g. EUR")
    description = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The reason; required (400) when the gesture needs a manager's approval",
    )


class ExchangeRateInput(StrictInput):
    units_per_base = serializers.CharField(
        max_length=40, help_text='How much of this currency one base unit buys, as a decimal string: "0.3071"'
    )
    as_of = serializers.DateField(required=False, help_text="The day the rate was read; today if left out")


class ExchangeRateOut(serializers.ModelSerializer):
    units_per_base = serializers.DecimalField(
        max_digits=20, decimal_places=8, coerce_to_string=True, read_only=True
    )
    base_currency = serializers.SerializerMethodField()

    class Meta:
        model = ExchangeRate
        fields = ["currency", "base_currency", "units_per_base", "as_of", "updated_at"]
        read_only_fields = fields

    def get_base_currency(self, rate) -> str:
        return settings.MEND_BASE_CURRENCY


class DecisionInput(StrictInput):
    note = serializers.CharField(required=False, allow_blank=True)


class ApprovalInput(DecisionInput):
    closed_case_confirmed = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Approving a gesture on a closed case is refused (409) unless this is true",
    )


class RootCauseInput(StrictInput):
    title = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=RootCause.Category.choices)
    description = serializers.CharField(required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=RootCause.Status.choices, required=False)
    corrective_action = serializers.CharField(required=False, allow_blank=True)
    owner = OwnerField(queryset=User.objects.all(), required=False, allow_null=True)
    verification_note = serializers.CharField(
        required=False, allow_blank=True, help_text="Required to move the root cause to `verified`"
    )
    watch_days = serializers.IntegerField(
        required=False, min_value=1, max_value=365, help_text="How long a fix is watched for recurrences"
    )
    recurrence_threshold = serializers.IntegerField(
        required=False, min_value=1, max_value=365, help_text="Recurrences in the watch window that reopen it"
    )


class CaseLinkInput(StrictInput):
    case = serializers.CharField(help_text="The case's reference (RC-000042) or numeric id")


class SLAPolicyEditInput(StrictInput):
    acknowledge_within = serializers.DurationField(required=False, help_text='"01:00:00" or "PT1H"')
    apologize_within = serializers.DurationField(required=False)
    resolve_within = serializers.DurationField(required=False)
    follow_up_after = serializers.DurationField(required=False)
    warn_at_fraction = FractionField(max_digits=3, decimal_places=2, required=False)


# Outputs -----------------------------------------------------------------


class UserOut(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.username


class CustomerOut(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    segment = serializers.CharField()


class CaseOut(serializers.ModelSerializer):
    """A case as a queue row. `sla_state` is judged at one `now` per response (context)."""

    reference = serializers.CharField(read_only=True)
    customer = CustomerOut()
    owner = UserOut(allow_null=True)
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    sla_state = serializers.SerializerMethodField()

    class Meta:
        model = RecoveryCase
        fields = [
            "id",
            "reference",
            "title",
            "stage",
            "severity",
            "channel",
            "customer",
            "owner",
            "team",
            "is_repeat",
            "customer_unhappy_at",
            "escalation_level",
            "sla_state",
            "sla_due_at",
            *STAGE_DUE_FIELDS.values(),
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=SLAState.choices))
    def get_sla_state(self, case) -> str:
        return sla.sla_state(case, now=self.context.get("now") or timezone.now())


class CaseFeedbackOut(serializers.ModelSerializer):
    class Meta:
        model = Feedback
        fields = [
            "id",
            "channel",
            "rating",
            "nps",
            "comment",
            "touchpoint",
            "sentiment",
            "occurred_at",
            "received_at",
        ]
        read_only_fields = fields


class GestureOut(serializers.ModelSerializer):
    case = serializers.CharField(source="case.reference", read_only=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True, read_only=True)
    requested_by = UserOut(allow_null=True, help_text="null when Mend asked, by an automatic gesture rule")
    decided_by = UserOut(allow_null=True)

    class Meta:
        model = Gesture
        fields = [
            "id",
            "case",
            "kind",
            "amount",
            "currency",
            "description",
            "status",
            "requested_by",
            "decided_by",
            "decided_at",
            "decision_note",
            "created_at",
        ]
        read_only_fields = fields


class RootCauseBriefOut(serializers.ModelSerializer):
    class Meta:
        model = RootCause
        fields = ["id", "title", "category", "status"]
        read_only_fields = fields


class FollowUpOut(serializers.ModelSerializer):
    class Meta:
        model = FollowUp
        fields = ["id", "due_at", "done_at", "channel", "outcome", "satisfaction"]
        read_only_fields = fields


class CaseDetailOut(CaseOut):
    feedback = CaseFeedbackOut(many=True)
    gestures = GestureOut(many=True)
    root_causes = RootCauseBriefOut(many=True)
    follow_ups = FollowUpOut(many=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta(CaseOut.Meta):
        fields = [
            *CaseOut.Meta.fields,
            "description",
            "sla_started_at",
            *STAGE_TIMESTAMP_FIELDS.values(),
            "resolution_summary",
            "close_reason",
            "reopen_count",
            "sla_warn_at",
            "on_hold_since",
            "hold_reason",
            "paused_total",
            "feedback",
            "gestures",
            "root_causes",
            "follow_ups",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_allowed_actions(self, case) -> list[str]:
        return allowed_actions(case, self.context["request"].user)


class EventOut(serializers.ModelSerializer):
    actor = UserOut(allow_null=True)
    # Blank on events that do not change the stage: the schema must say so.
    from_stage = serializers.ChoiceField(choices=Stage.choices, allow_blank=True, read_only=True)
    to_stage = serializers.ChoiceField(choices=Stage.choices, allow_blank=True, read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "actor", "from_stage", "to_stage", "message", "data", "created_at"]
        read_only_fields = fields


class RootCauseOut(serializers.ModelSerializer):
    owner = UserOut(allow_null=True)
    case_count = serializers.IntegerField(read_only=True)
    open_case_count = serializers.IntegerField(read_only=True)
    customer_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = RootCause
        fields = [
            "id",
            *ROOT_CAUSE_EDITABLE_FIELDS,
            "verified_at",
            "verified_by_system",
            "fixed_at",
            "watch_until",
            "case_count",
            "open_case_count",
            "customer_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SLAPolicyOut(serializers.ModelSerializer):
    class Meta:
        model = SLAPolicy
        fields = ["severity", *policies.EDITABLE_FIELDS]
        read_only_fields = fields
