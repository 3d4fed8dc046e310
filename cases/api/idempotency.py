"""`@idempotent`: an unsafe case-API handler with intake's `Idempotency-Key` semantics.

The decision is the database's, as in `feedback.intake`: an `IdempotentRequest` row under
(client, key) is inserted in the request's transaction before the handler runs. On PostgreSQL a second
request with the key waits on the unique index until the first finishes, then replays its answer
(same method, path and body) or is refused (422). The handler's writes and the stored answer commit
together, so a retry after any fault finds either both or neither.
"""

import functools

from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from cases.models import IdempotentRequest
from recovery import idempotency
from recovery.idempotency import KEY_HEADER, REPLAYED_HEADER

KEPT_HEADERS = ("ETag", "Location")

IDEMPOTENCY_KEY = OpenApiParameter(
    KEY_HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    # Printable ASCII: what a header can carry (recovery.idempotency.check_key).
    pattern=r"^[ -~]{1,255}$",
    description=(
        "Optional, 1 to 255 printable characters. Retrying with the same key and body replays the first "
        f"answer with `{REPLAYED_HEADER}: true` for 24 hours; the same key with another body answers 422."
    ),
)


def idempotent(handler):
    """Wrap a viewset action `handler(self, request, ...)`; without the header it runs as it is."""

    @functools.wraps(handler)
    def run(view, request, *args, **kwargs):
        key = request.headers.get(KEY_HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        idempotency.check_key(key)
        fingerprint = idempotency.fingerprint([request.method, request.path, request.data])
        for _attempt in range(2):
            now = timezone.now()
            with transaction.atomic():
                claim = _claim(client=request.user, key=key, fingerprint=fingerprint, now=now)
                if claim is not None:
                    return _answer(claim, handler(view, request, *args, **kwargs))
            stored = IdempotentRequest.objects.filter(client=request.user, key=key).first()
            if stored is None:  # the first request rolled back meanwhile: the key is free again
                continue
            if stored.created_at > now - idempotency.window():
                return _replay(stored, fingerprint=fingerprint)
            # Conditional: of two requests releasing one expired key, one deletes and both retry.
            IdempotentRequest.objects.filter(pk=stored.pk, created_at=stored.created_at).delete()
        raise idempotency.in_flight()

    return run


def _claim(*, client, key: str, fingerprint: str, now) -> IdempotentRequest | None:
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(
                client=client, key=key, fingerprint=fingerprint, created_at=now
            )
    except IntegrityError:
        return None


def _answer(claim: IdempotentRequest, response: Response) -> Response:
    if not 200 <= response.status_code < 300:
        transaction.set_rollback(True)  # a refusal keeps nothing, the key included
        return response
    claim.status = response.status_code
    claim.body = response.data
    claim.headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    claim.save(update_fields=["status", "body", "headers"])
    return response


def forget_expired(*, now) -> int:
    """Delete the answers kept past the window; their keys are free again anyway (`run` releases an
    expired key it meets). Beat runs it hourly, so the table holds about a window's requests.
    Returns how many rows went."""
    deleted, _ = IdempotentRequest.objects.filter(created_at__lte=now - idempotency.window()).delete()
    return deleted


def _replay(stored: IdempotentRequest, *, fingerprint: str) -> Response:
    if stored.fingerprint != fingerprint:
        raise idempotency.reused_with_another_body()
    return Response(stored.body, status=stored.status, headers={**stored.headers, REPLAYED_HEADER: "true"})
