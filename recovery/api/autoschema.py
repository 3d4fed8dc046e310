"""The schema says what the server does: inputs that refuse unknown fields are closed objects, text
the server trims and then requires is not blank, a decimal string has at least one digit, and a rule
across fields is written as the serializer's `schema_any_of` (e.g. "one of rating, nps or comment")."""

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
            if any_of := getattr(serializer, "schema_any_of", None):
                schema["anyOf"] = any_of
        if direction == "request":
            for name, field in serializer.fields.items():
                _blank_once_trimmed(field, schema.get("properties", {}).get(name))
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
        # drf-spectacular's decimal pattern makes every digit optional: "" and "." match it, and DRF
        # refuses both. A subclass carries its own schema (`extend_schema_field`) and keeps it.
        if (
            direction == "request"
            and type(field) is serializers.DecimalField
            and schema.get("format") == "decimal"
            and field.max_digits is not None
            and field.decimal_places is not None
        ):
            schema["pattern"] = decimal_pattern(field.max_digits - field.decimal_places, field.decimal_places)
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


# drf-spectacular states a blank-allowed email or tagged text as oneOf(its format, the empty string).
# The server trims text first, so whitespace alone is blank too ("\f" for an email is no email).
# Python's strip() also takes \x1c-\x1f and \x85, which JSON Schema's \s does not.
EMPTY = {"type": "string", "maxLength": 0}
BLANK_ONCE_TRIMMED = {"type": "string", "pattern": r"^[\s\x1c-\x1f\x85]*$"}
ANY_TEXT = r"^[^\x00]+$"  # the NUL rule above: whitespace alone matches it, so it keeps EMPTY


def _blank_once_trimmed(field, schema: dict | None) -> None:
    one_of = (schema or {}).get("oneOf")
    if not (
        isinstance(field, serializers.CharField)
        and field.allow_blank
        and field.trim_whitespace
        and one_of
        and len(one_of) == 2
        and one_of[1] == EMPTY
        and ("format" in one_of[0] or one_of[0].get("pattern", ANY_TEXT) != ANY_TEXT)
    ):
        return
    one_of[1] = dict(BLANK_ONCE_TRIMMED)


def decimal_pattern(whole: int, places: int) -> str:
    """A signed decimal string of at most `whole` digits before the point and `places` after it, with
    at least one digit."""
    if not places:
        return rf"^-?[0-9]{{1,{whole}}}$"
    if whole < 1:
        return rf"^-?0?\.[0-9]{{1,{places}}}$"
    return rf"^-?(?:[0-9]{{1,{whole}}}(?:\.[0-9]{{1,{places}}})?|\.[0-9]{{1,{places}}})$"


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


NO_NUL = r"^[^\x00]*$"


def query_text_holds_no_nul(result, generator, request, public):
    """drf-spectacular post-processing hook: every query parameter passes
    `recovery.parsing.ReadableInputMiddleware`, which refuses U+0000; a free text parameter says so."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                schema = parameter.get("schema", {})
                if parameter.get("in") == "query":
                    parameter["schema"] = _no_nul(schema)
    return result


def _no_nul(schema: dict) -> dict:
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return {**schema, key: [_no_nul(option) for option in schema[key]]}
    if schema.get("type") == "array":
        return {**schema, "items": _no_nul(schema.get("items", {}))}
    # The empty string (`maxLength: 0`, an untouched filter) holds no NUL already.
    if (
        schema.get("type") == "string"
        and not set(schema) & {"enum", "format", "pattern"}
        and schema.get("maxLength") != 0
    ):
        return {**schema, "pattern": NO_NUL}
    return schema
