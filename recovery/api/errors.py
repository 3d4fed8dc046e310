"""Cross-app API plumbing: domain errors mapped to HTTP once, and shared pagination."""

import logging
from typing import Any

from django_guid import get_guid
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from recovery.errors import (
    Conflict,
    IdempotencyKeyReused,
    InvalidInput,
    MendError,
    NotFound,
    NotPermitted,
    PreconditionFailed,
    TransitionNotAllowed,
)
from recovery.logs import record

logger = logging.getLogger(__name__)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error as JSON with the request's id (`X-Request-ID`, in the logs too), and one log
    line per refused request: the view, the status and the caller's id, never what they sent."""
    response: Response | None
    if isinstance(exc, MendError):
        response = Response(_domain_error_body(exc), status=_domain_error_status(exc))
    else:
        response = drf_exception_handler(exc, context)
    if response is None:
        return None  # not an API error: Django's 500 handling (and its log) takes over
    # A message-style body names the request; a per-field body stays a map of field -> messages (its
    # contract), and carries the id in its X-Request-ID header only.
    if isinstance(response.data, dict) and "detail" in response.data:
        response.data["request_id"] = get_guid()
    request = context.get("request")
    record(
        logger,
        "api.refused",
        view=type(context.get("view")).__name__,
        status=response.status_code,
        error=type(exc).__name__,
        user_id=getattr(getattr(request, "user", None), "pk", None),
    )
    return response


def _domain_error_status(exc: MendError) -> int:
    if isinstance(exc, NotPermitted):
        return status.HTTP_403_FORBIDDEN
    if isinstance(exc, Conflict):
        return status.HTTP_409_CONFLICT
    if isinstance(exc, IdempotencyKeyReused):
        return status.HTTP_422_UNPROCESSABLE_ENTITY
    if isinstance(exc, NotFound):
        return status.HTTP_404_NOT_FOUND
    if isinstance(exc, PreconditionFailed):
        return status.HTTP_412_PRECONDITION_FAILED
    return status.HTTP_400_BAD_REQUEST


def _domain_error_body(exc: MendError) -> dict[str, Any]:
    if isinstance(exc, TransitionNotAllowed):
        return {"detail": exc.message, "stage": exc.stage, "allowed_actions": exc.allowed}
    if isinstance(exc, InvalidInput) and exc.field:
        return {exc.field: [exc.message], "detail": exc.message}
    return {"detail": exc.message}
