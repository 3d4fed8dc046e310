"""Input serializers only validate; output serializers only shape."""

import json

from django.utils import timezone
from rest_framework import serializers

from feedback.intake import CustomerInput, FeedbackInput
from feedback.models import Channel
from recovery.api.strict import MomentField, StrictInput, WholeNumberField
from recovery.languages.api import LanguageTagField

MAX_COMMENT_LENGTH = 10_000
MAX_METADATA_BYTES = 8 * 1024


class MetadataField(serializers.DictField):
    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        encoded = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        if len(encoded.encode()) > MAX_METADATA_BYTES:
            raise serializers.ValidationError(f"At most {MAX_METADATA_BYTES // 1024} KiB of JSON.")
        return value


def _optional_text(max_length: int, **kwargs) -> serializers.CharField:
    return serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=max_length, **kwargs
    )


class CustomerIn(StrictInput):
    """A customer as every API client describes one: feedback intake and opening a case by hand."""

    external_id = serializers.CharField(max_length=128)
    email = serializers.EmailField(required=False, allow_blank=True, allow_null=True)
    name = _optional_text(200)
    phone = _optional_text(40)
    segment = _optional_text(60)
    language = LanguageTagField(
        help_text='The customer\'s language as a BCP 47 tag ("es", "pt-BR"): Mend writes to them in it.'
    )


# What `validate` requires, for the schema (`recovery.api.autoschema`): a rating, an NPS score or a
# comment that is not blank once trimmed.
NON_BLANK = r"^[^\x00]*[^\s\x00\x1c-\x1f\x85][^\x00]*$"


class FeedbackIn(StrictInput):
    schema_any_of = [
        {"required": ["rating"], "properties": {"rating": {"type": "integer"}}},
        {"required": ["nps"], "properties": {"nps": {"type": "integer"}}},
        {"required": ["comment"], "properties": {"comment": {"type": "string", "pattern": NON_BLANK}}},
    ]

    channel = serializers.ChoiceField(choices=Channel.choices)
    rating = WholeNumberField(min_value=1, max_value=5, required=False, allow_null=True)
    nps = WholeNumberField(min_value=0, max_value=10, required=False, allow_null=True)
    comment = _optional_text(MAX_COMMENT_LENGTH)
    touchpoint = _optional_text(80)
    occurred_at = MomentField(required=False, allow_null=True)
    customer = CustomerIn()
    metadata = MetadataField(required=False, allow_null=True)

    def validate_occurred_at(self, value):
        if value is not None and value > timezone.now():
            raise serializers.ValidationError("May not be in the future.")
        return value

    def validate(self, attrs):
        if attrs.get("rating") is None and attrs.get("nps") is None and not attrs.get("comment"):
            message = "Give at least one of rating, nps or a non-blank comment."
            raise serializers.ValidationError({"rating": [message], "nps": [message], "comment": [message]})
        return attrs

    def payload(self) -> FeedbackInput:
        data = {name: value for name, value in self.validated_data.items() if value is not None}
        customer = {name: value for name, value in data.pop("customer").items() if value is not None}
        return FeedbackInput(**data, customer=CustomerInput(**customer))


class CaseRef(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    severity = serializers.CharField()
    stage = serializers.CharField()


class FeedbackReceipt(serializers.Serializer):
    """The 201 answer. Built from stored values only, so a replay repeats it byte for byte."""

    id = serializers.IntegerField()
    received_at = serializers.DateTimeField()
    sentiment = serializers.CharField()
    case = CaseRef(source="response_case", allow_null=True)  # jsonb keeps no key order; this does


class FeedbackCustomerOut(serializers.Serializer):
    external_id = serializers.CharField()
    name = serializers.CharField()
    email = serializers.CharField()


class FeedbackOut(serializers.Serializer):
    id = serializers.IntegerField()
    received_at = serializers.DateTimeField()
    occurred_at = serializers.DateTimeField()
    channel = serializers.CharField()
    rating = serializers.IntegerField(allow_null=True)
    nps = serializers.IntegerField(allow_null=True)
    comment = serializers.CharField()
    touchpoint = serializers.CharField()
    sentiment = serializers.CharField()
    metadata = serializers.JSONField()
    customer = FeedbackCustomerOut()
    case = CaseRef(allow_null=True)
    submitted_contact = serializers.DictField(
        child=serializers.CharField(),
        allow_null=True,
        help_text="Contact details the client sent that differ from the customer's and were not applied "
        "(an intake client not trusted to change them); null when none.",
    )
