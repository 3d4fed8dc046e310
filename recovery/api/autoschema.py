"""The schema says what the server does: inputs that refuse unknown fields are closed objects, and
text the server trims and then requires is not blank."""

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from recovery.api.strict import StrictInput


class MendAutoSchema(AutoSchema):
    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(serializer, StrictInput):
            schema["additionalProperties"] = False
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # A required text is trimmed before the blank check: " " is refused like "".
        if (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and not field.allow_blank
            and field.trim_whitespace
            and schema.get("type") == "string"
            and "enum" not in schema
            and "format" not in schema
        ):
            schema.setdefault("pattern", r"\S")
        return schema
