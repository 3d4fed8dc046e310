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
            # Python's strip() also takes \x1c-\x1f and \x85, which JSON Schema's \s does not.
            schema.setdefault("pattern", r"^[^\x00]*[^\s\x00\x1c-\x1f\x85][^\x00]*$")
        # No text may hold U+0000 (PostgreSQL cannot store it; the JSON parser refuses it).
        if (
            direction == "request"
            and isinstance(field, serializers.CharField)
            and schema.get("type") == "string"
            and not (set(schema) & {"enum", "format", "pattern"})
        ):
            # A blank-allowed field's schema is oneOf(this, the empty string): this one must not match "".
            schema["pattern"] = r"^[^\x00]+$" if field.allow_blank else r"^[^\x00]*$"
        return schema


# Lists whose query parameters are django-filter FilterSets: there an empty value (`?status=`, as an
# HTML form sends an untouched field) means "no filter", and the server takes it.
FILTERED_LISTS = ("/api/v1/cases/", "/api/v1/feedback/", "/api/v1/root-causes/", "/api/v1/metrics/")
NOT_FILTERS = {"page_size"}
# gunicorn refuses a request line over 4094 bytes before Mend sees it.
URI_TOO_LONG = {"description": "The query string is longer than the server reads: nothing was done"}


def empty_filters_mean_no_filter(result, generator, request, public):
    """drf-spectacular post-processing hook: say that a filter left empty is accepted (and ignored)."""
    for path in FILTERED_LISTS:
        operation = result.get("paths", {}).get(path, {}).get("get")
        if operation:
            operation.setdefault("responses", {})["414"] = URI_TOO_LONG
        for parameter in (operation or {}).get("parameters", []):
            if parameter.get("in") == "query" and parameter["name"] not in NOT_FILTERS:
                parameter["schema"] = _or_empty(parameter.get("schema", {}))
    return result


def _or_empty(schema: dict) -> dict:
    if schema.get("type") == "array":
        return {**schema, "items": _or_empty(schema.get("items", {}))}
    if schema.get("type") == "string" and not set(schema) & {"enum", "format", "pattern", "minLength"}:
        return schema  # any text already includes the empty one
    return {"anyOf": [schema, {"type": "string", "maxLength": 0}]}
