"""Form fields that read numbers, ids, moments and booleans from query strings and forms: django-filter's
of the API's and the workspace's lists, and the workspace's forms. Numbers and ids are ASCII digits
only (`recovery.parsing`); NUL and lone surrogates never get this far (`ReadableInputMiddleware`)."""

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from recovery.parsing import has_storable_offset, whole_number


class MomentFormField(django_filters.fields.IsoDateTimeField):
    """ISO 8601, refusing a UTC offset PostgreSQL cannot compare with (beyond ±15:59) as a form error."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is not None and not has_storable_offset(moment):
            raise forms.ValidationError("The UTC offset must be within ±15:59.")
        return moment


STORABLE_OFFSET = r"(?:[Zz]|[+-](?:0[0-9]|1[0-5]):[0-5][0-9])$"


# Empty means "no bound" (an HTML form's blank field); otherwise RFC 3339 with an offset PostgreSQL holds.
@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "format": "date-time", "pattern": STORABLE_OFFSET},
            {"type": "string", "enum": [""]},
        ]
    }
)
class MomentFilter(django_filters.IsoDateTimeFilter):
    field_class = MomentFormField


class IdFormField(forms.CharField):
    """A row id (or version) in ASCII digits: `²` or a number past bigint is a form error, not a
    database error, and `٣` is not read as 3."""

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        number = whole_number(text)
        if number is None:
            raise forms.ValidationError("Use a numeric id.")
        return number


class IdFilter(django_filters.Filter):
    field_class = IdFormField


class StrictBooleanField(forms.Field):
    TRUE, FALSE = {"true", "1", "yes"}, {"false", "0", "no"}

    def to_python(self, value):
        text = str(value).strip().lower() if value not in (None, "") else ""
        if not text:
            return None
        if text in self.TRUE | self.FALSE:
            return text in self.TRUE
        raise forms.ValidationError("Use true or false.")


# `true`/`false` (also 1/0, yes/no); anything else is a 400, not silently "no filter".
@extend_schema_field({"type": "boolean"})
class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField
