"""The base of every API input serializer, and the fields that read JSON as strictly as it is written."""

import copy
from collections.abc import Mapping

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from recovery.filter_fields import STORABLE_OFFSET
from recovery.parsing import has_storable_offset

UNKNOWN_FIELD = "Unknown field: it cannot be written here."
NOT_TEXT = "Not a valid string."
# Fields the schema states as strings: DRF reads a number too (20.5 as a decimal, 3600 as seconds).
TEXT_FIELDS = (serializers.CharField, serializers.DecimalField, serializers.DurationField)


class StrictInput(serializers.Serializer):
    """Refuses fields it does not know, each under its own name, together with the other field errors:
    a typo or a read-only field is an error, not a silent no-op. The schema says so
    (`additionalProperties: false`, `recovery.api.schema.MendAutoSchema`)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for field in cls._declared_fields.values():
            field.validators = [
                SurrogateCheck() if type(validator) is ProhibitSurrogateCharactersValidator else validator
                for validator in field.validators
            ]

    def get_fields(self):
        """The declared fields, each copied shallowly. DRF deep-copies them for every instance, and a
        deep copy of a field runs its `__init__` again: half the time of validating an intake body.
        A field keeps no state while it validates (values and errors travel as return values and
        exceptions), and `bind` gives each copy its own name and parent."""
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}

    def to_internal_value(self, data):
        errors: dict | list = {}
        value = None
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            errors = exc.detail
        if isinstance(data, Mapping) and isinstance(errors, dict):
            errors.update({name: [UNKNOWN_FIELD] for name in data if name not in self.fields})
            errors.update({name: [NOT_TEXT] for name in self._non_text(data)})
            errors.update(self._too_long(data))
        if errors:
            raise serializers.ValidationError(errors)
        return value

    def _non_text(self, data: Mapping) -> list[str]:
        """Text fields given a number or a boolean: DRF would store `0` as "0", a float's binary
        approximation as a decimal, 3600 as an hour; the schema says string."""
        return [
            name
            for name, field in self.fields.items()
            if isinstance(field, TEXT_FIELDS)
            and name in data
            and data[name] is not None
            and not isinstance(data[name], str)
        ]

    def _too_long(self, data: Mapping) -> dict[str, list[str]]:
        """Text longer than its `max_length` as sent: DRF measures it after trimming, so 131 characters
        with three leading spaces passed a limit of 128 that the schema states (`maxLength`)."""
        return {
            name: [f"Ensure this field has no more than {field.max_length} characters."]
            for name, field in self.fields.items()
            if isinstance(field, serializers.CharField)
            and field.max_length is not None
            and isinstance(data.get(name), str)
            and len(data[name]) > field.max_length
        }


class SurrogateCheck(ProhibitSurrogateCharactersValidator):
    """DRF's refusal of a lone surrogate, with its message, without its Python loop over every character
    of every text field, whose cost grows with the text: UTF-8 cannot encode a surrogate, so text that
    encodes holds none."""

    def __call__(self, value):
        text = str(value)
        try:
            text.encode()
        except UnicodeEncodeError:
            super().__call__(text)


class WholeNumberField(serializers.IntegerField):
    """A JSON integer: refuses 2.5, "2" and true rather than guessing what the client meant."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


# The same offset rule the date filters state (`recovery.filter_fields`), in the schema too.
@extend_schema_field({"type": "string", "format": "date-time", "pattern": STORABLE_OFFSET})
class MomentField(serializers.DateTimeField):
    """An ISO 8601 moment with a UTC offset PostgreSQL could store (Python reads up to ±23:59): the
    same refusal as the date filters (`recovery.filter_fields`), though this one is stored in UTC."""

    def enforce_timezone(self, value):
        if not has_storable_offset(value):
            raise serializers.ValidationError("The UTC offset must be within ±15:59.")
        return super().enforce_timezone(value)
