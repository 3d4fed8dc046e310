"""Cross-app API plumbing: domain errors mapped to HTTP once, and shared pagination."""

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


def exception_handler(exc, context):
    if isinstance(exc, MendError):
        return Response(_domain_error_body(exc), status=_domain_error_status(exc))
    return drf_exception_handler(exc, context)


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


def _domain_error_body(exc: MendError) -> dict:
    if isinstance(exc, TransitionNotAllowed):
        return {"detail": exc.message, "stage": exc.stage, "allowed_actions": exc.allowed}
    if isinstance(exc, InvalidInput) and exc.field:
        return {exc.field: [exc.message], "detail": exc.message}
    return {"detail": exc.message}
