"""The schema says what the server does: inputs that refuse unknown fields are closed objects, and
text the server trims and then requires is not blank."""

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from recovery.api.strict import StrictInput


class MendAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        if self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None:
            # Every JSON body goes through recovery.api.parsers, which may refuse it before the view.
            # Imported here: recovery.api.schema imports the serializers, which import StrictInput.
            from recovery.api.schema import ERRORS

            for code in (413, 415):
                bodies.setdefault(str(code), self._get_response_for_code(ERRORS[code], str(code)))
        return bodies

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
            schema.setdefault("minLength", 1)
            schema.setdefault("pattern", r"\S")
        return schema
