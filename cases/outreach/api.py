"""`POST /api/v1/root-causes/{id}/notify/`'s input and answer (the action sits on `RootCauseViewSet`)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from recovery.api.strict import StrictInput

MAX_ID = 2**63 - 1


class NotifyInput(StrictInput):
    template = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text=_("A response template's id")
    )
    body = serializers.CharField(
        required=False,
        max_length=20000,
        help_text=_(
            "The text to send, instead of a template; may name {customer_name}, {reference}, {agent_name}"
        ),
    )

    def validate(self, attrs):
        if "template" in attrs and "body" in attrs:
            raise serializers.ValidationError({"body": [_("Give a template or a body, not both.")]})
        if "template" not in attrs and "body" not in attrs:
            raise serializers.ValidationError({"template": [_("Give a template id, or a body.")]})
        return attrs


class SkippedOut(serializers.Serializer):
    already_told = serializers.IntegerField(help_text=_("Told about this root cause before"))
    no_email = serializers.IntegerField(help_text=_("No email address (or their data was erased)"))
    opted_out = serializers.IntegerField(help_text=_("Asked not to be contacted"))


class NotifyOut(serializers.Serializer):
    queued = serializers.IntegerField(help_text=_("Emails queued now, one per customer"))
    skipped = SkippedOut()
