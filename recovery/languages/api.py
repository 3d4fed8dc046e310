"""A BCP 47 language tag as API input: refused with the field's name unless well-formed."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from recovery.errors import InvalidInput
from recovery.languages.services import MAX_TAG_LENGTH, normalise_tag

# The schema names the common shapes ("es", "de-AT", "es-419"); the field accepts every well-formed tag
# (scripts, variants, extensions), which no JSON Schema pattern short of the RFC's grammar states.
# Blank ("no language given") is the schema's other branch: drf-spectacular states a blank-allowed
# field as oneOf(this, the empty string), so this pattern must not match "" as well.
SCHEMA_PATTERN = r"^[A-Za-z]{2,3}(-([A-Za-z]{2}|[0-9]{3}))?$"


@extend_schema_field(
    {"type": "string", "maxLength": MAX_TAG_LENGTH, "pattern": SCHEMA_PATTERN, "nullable": True}
)
class LanguageTagField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_TAG_LENGTH)
        super().__init__(required=False, allow_blank=True, allow_null=True, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return normalise_tag(value)
        except InvalidInput as refused:
            raise serializers.ValidationError(refused.message) from None
