"""What Mend answers when no view could: JSON under /api/, a short page elsewhere.

A database that is restarting or unreachable is an outage, not a bug: 503 with `Retry-After`, so
clients and load balancers retry instead of reporting a server error. Whatever the request had
written was in a transaction the database rolls back, so nothing is half-written.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.views import defaults

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
UNAVAILABLE = "The service is briefly unavailable. Please retry in a few seconds."


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    # Called inside Django's `except` around the failed request, so the exception is at hand.
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return unavailable(request)
    if is_api(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)


def unavailable(request) -> HttpResponse:
    response: HttpResponse
    logger.warning("database unavailable: answering 503", extra={"path": request.path})
    if is_api(request):
        response = JsonResponse({"detail": UNAVAILABLE}, status=503)
    else:
        response = HttpResponse(
            "<!doctype html><title>Unavailable</title>"
            f"<h1>Mend is briefly unavailable</h1><p>{UNAVAILABLE}</p>",
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
