"""OpenAPI pieces shared by the case API's views: the error bodies every endpoint may answer with."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers


class ErrorOut(serializers.Serializer):
    detail = serializers.CharField()
    request_id = serializers.CharField(required=False, help_text="The request's id, as in X-Request-ID")


class TransitionRefusedOut(serializers.Serializer):
    """409: a refused transition names `stage` and `allowed_actions`; a stale `version` only `detail`."""

    detail = serializers.CharField()
    stage = serializers.CharField(required=False)
    allowed_actions = serializers.ListField(child=serializers.CharField(), required=False)
    request_id = serializers.CharField(required=False, help_text="The request's id, as in X-Request-ID")


FIELD_ERRORS = {
    "type": "object",
    "description": "Messages per offending field or query parameter; `detail` when the domain refused it.",
    "properties": {
        "detail": {"type": "string"},
        "request_id": {"type": "string", "description": "The request's id, as in X-Request-ID"},
    },
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "object", "description": "A nested object's messages per field, shaped the same way"},
        ]
    },
}

ERRORS = {
    400: OpenApiResponse(FIELD_ERRORS, description="Invalid input, naming the field or parameter"),
    401: OpenApiResponse(ErrorOut, description="No or invalid `Authorization: Token ...`"),
    403: OpenApiResponse(ErrorOut, description="The caller's role does not allow this"),
    404: OpenApiResponse(
        ErrorOut, description="No such case, gesture, root cause or action; or no such page"
    ),
    409: OpenApiResponse(
        ErrorOut,
        description=(
            "The case or gesture is not in a state that allows this; "
            "or a request with the same Idempotency-Key is in flight"
        ),
    ),
    412: OpenApiResponse(ErrorOut, description="If-Match names an older version: nothing was changed"),
    413: OpenApiResponse(
        ErrorOut, description="The body is larger than the endpoint accepts: nothing was stored"
    ),
    415: OpenApiResponse(ErrorOut, description="The body is not JSON: nothing was stored"),
    422: OpenApiResponse(
        ErrorOut, description="An Idempotency-Key reused with a different body: nothing was stored"
    ),
    428: OpenApiResponse(ErrorOut, description="If-Match is missing: nothing was changed"),
}
TRANSITION_REFUSED = OpenApiResponse(
    TransitionRefusedOut,
    description=(
        "The action is not allowed in the case's stage, or the version is stale; "
        "or a request with the same Idempotency-Key is in flight"
    ),
)


def errors(*codes: int) -> dict:
    return {code: ERRORS[code] for code in codes}


REFERENCE = OpenApiParameter(
    "reference", str, OpenApiParameter.PATH, description="The case reference (`RC-000042`) or its numeric id"
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="The case's ETag, from GET; or `*` for whatever version is current (RFC 9110)",
)
