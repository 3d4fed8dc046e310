"""JSON bodies with a size limit, refused before more than the limit is read."""

import io

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.parsers import JSONParser


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "body_too_large"


class BoundedJSONParser(JSONParser):
    """JSONParser that answers 413 past `MEND_INTAKE_MAX_BODY_BYTES`.

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE only guards `request.body` and form parsing; DRF reads the
    stream itself, so the limit is enforced here, on the declared length and on what is actually read.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.MEND_INTAKE_MAX_BODY_BYTES
        # The declared length refuses a large body unread; the bounded read catches one that lies.
        if _declared_length(parser_context) > limit or len(body := stream.read(limit + 1)) > limit:
            raise BodyTooLarge(f"The request body is larger than {limit} bytes.")
        return super().parse(io.BytesIO(body), media_type, parser_context)


def _declared_length(parser_context: dict | None) -> int:
    request = (parser_context or {}).get("request")
    declared = request.META.get("CONTENT_LENGTH", "") if request is not None else ""
    return int(declared) if declared.isdigit() else 0
