"""POSTing one delivery: claim the row, sign the body, send it to the checked address, log the attempt.

At least once: a worker killed mid-POST leaves its attempt in the log without an outcome and the row
claimed until its lease runs out; the resend sweep then sends it again, with the same `webhook-id`.
"""

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import urllib3
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cases.models import Notice
from cases.notices import services as notices
from cases.webhooks import signing, ssrf
from cases.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from recovery.logs import record

logger = logging.getLogger(__name__)

# A slow receiver holds a worker this long at most (connect, send and read together).
TIMEOUT_SECONDS = 10.0


def lease() -> timedelta:
    """How long a worker holds a row (MEND_WEBHOOKS_CLAIM_LEASE_SECONDS): past the POST's timeout, so no
    second worker takes a row still being sent; a killed worker's row is free again after it."""
    return timedelta(seconds=settings.MEND_WEBHOOKS_CLAIM_LEASE_SECONDS)


# After the n-th failed attempt: 30 s, 1 min, 2 min, 4 min ... at most 4 h apart, for 24 hours.
FIRST_RETRY_DELAY = timedelta(seconds=30)
MAX_RETRY_DELAY = timedelta(hours=4)
RETRY_WINDOW = timedelta(hours=24)
DISABLE_AFTER = timedelta(days=3)  # of failure in a row, without one success
RESPONSE_BYTES = 4096  # read (and forget) at most this much of an answer

Address = str


def retry_delay(attempts: int) -> timedelta:
    return min(FIRST_RETRY_DELAY * 2 ** max(attempts - 1, 0), MAX_RETRY_DELAY)


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    retry_at: datetime | None  # when the failed POST is due again; None: delivered or given up


def deliver(webhook_id: str) -> Outcome | None:
    """POST one pending delivery unless another worker holds it. None when nothing was attempted."""
    now = timezone.now()
    with transaction.atomic():  # the claim and the attempt's line in the log: one commit
        claimed = WebhookDelivery.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lte=now),
            webhook_id=webhook_id,
            status=WebhookDelivery.Status.PENDING,
        ).update(claimed_until=now + lease(), attempts=F("attempts") + 1)
        if not claimed:
            return None  # delivered, given up on, or being sent by another worker right now
        delivery = WebhookDelivery.objects.get(webhook_id=webhook_id)
        subscription = WebhookSubscription.objects.filter(pk=delivery.subscription_id, active=True).first()
        if subscription is None:  # turned off or deleted since the event: nobody wants it any more
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=WebhookDelivery.Status.FAILED, claimed_until=None
            )
            return Outcome(delivered=False, retry_at=None)
        attempt = WebhookAttempt.objects.create(delivery=delivery, started_at=now)
    status_code, error, latency_ms = _post(subscription, delivery)  # outside any transaction: no locks held
    finished = timezone.now()
    delivered = status_code is not None and 200 <= status_code < 300
    retry_at: datetime | None = None
    with transaction.atomic():  # the outcome: one commit
        WebhookAttempt.objects.filter(pk=attempt.pk).update(
            finished_at=finished, status_code=status_code, latency_ms=latency_ms, error=error[:500]
        )
        rows = WebhookDelivery.objects.filter(pk=delivery.pk)
        if delivered:
            rows.update(status=WebhookDelivery.Status.DELIVERED, delivered_at=finished, claimed_until=None)
            WebhookSubscription.objects.filter(pk=subscription.pk, failing_since__isnull=False).update(
                failing_since=None
            )
        else:
            retry_at = finished + retry_delay(delivery.attempts)
            if retry_at > delivery.created_at + RETRY_WINDOW:
                retry_at = None
                rows.update(status=WebhookDelivery.Status.FAILED, claimed_until=None)
            else:
                rows.update(claimed_until=retry_at)  # held until then, so the sweep leaves it to its retry
    if delivered:
        record(logger, "webhooks.delivered", webhook_id=webhook_id, attempts=delivery.attempts)
        return Outcome(delivered=True, retry_at=None)
    record(
        logger,
        "webhooks.attempt_failed",
        level=logging.WARNING,
        webhook_id=webhook_id,
        attempts=delivery.attempts,
        status_code=status_code,
        retry_at=retry_at.isoformat() if retry_at else None,
    )
    _note_failure(subscription.pk, now=finished)
    return Outcome(delivered=False, retry_at=retry_at)


def _post(subscription: WebhookSubscription, delivery: WebhookDelivery) -> tuple[int | None, str, int]:
    """Status code (None: no answer), error text and latency of one signed POST."""
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    timestamp = int(timezone.now().timestamp())
    headers = signing.headers(
        subscription.secret, webhook_id=delivery.webhook_id, timestamp=timestamp, body=body
    )
    headers |= {"Content-Type": "application/json", "User-Agent": "Mend-Webhooks/1"}
    started = time.perf_counter()
    try:
        scheme, host, port, address = ssrf.resolve(subscription.url)  # again: DNS may answer otherwise now
        status_code = _send(subscription.url, scheme, host, port, address, headers, body)
        error = "" if 200 <= status_code < 300 else f"The receiver answered {status_code}."
    except ssrf.Refused as refused:
        status_code, error = None, refused.message
    except (urllib3.exceptions.HTTPError, OSError) as failure:
        status_code, error = None, f"{type(failure).__name__}: {failure}"
    return status_code, error, round((time.perf_counter() - started) * 1000)


def _send(url: str, scheme: str, host: str, port: int, address: Address, headers: dict, body: bytes) -> int:
    """POST to `address` (the checked one), naming `host` in the Host header and, for https, in SNI and
    the certificate check. No redirects: a redirect could lead anywhere, past the address check."""
    seconds = min(settings.MEND_WEBHOOKS_TIMEOUT_SECONDS, TIMEOUT_SECONDS)
    deadline = time.monotonic() + seconds
    timeout = urllib3.Timeout(total=seconds)
    default_port = 443 if scheme == "https" else 80
    headers = {**headers, "Host": host if port == default_port else f"{host}:{port}"}
    pool: urllib3.HTTPConnectionPool
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
            timeout=timeout,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout)
    path = urllib3.util.parse_url(url).request_uri
    with pool:
        response = pool.urlopen(
            "POST", path, body=body, headers=headers, retries=False, redirect=False, preload_content=False
        )
        try:
            # Read a little of the answer, and never past the deadline, however slowly it drips.
            read = 0
            while read < RESPONSE_BYTES and time.monotonic() < deadline:
                chunk = response.read(1024)
                if not chunk:
                    break
                read += len(chunk)
        finally:
            response.release_conn()
        return response.status


def _note_failure(subscription_id: int, *, now: datetime) -> None:
    """Count a failure against the subscription; three days of nothing but failures turns it off, and its
    creator is told (a notice and an email, through the outbox)."""
    WebhookSubscription.objects.filter(pk=subscription_id, failing_since__isnull=True).update(
        failing_since=now
    )
    with transaction.atomic():
        turned_off = WebhookSubscription.objects.filter(
            pk=subscription_id, active=True, failing_since__lte=now - DISABLE_AFTER
        ).update(active=False, disabled_at=now)
        if not turned_off:
            return
        subscription = WebhookSubscription.objects.select_related("created_by").get(pk=subscription_id)
        record(logger, "webhooks.disabled", subscription_id=subscription_id, level=logging.WARNING)
        if subscription.created_by is not None:
            days = DISABLE_AFTER.days
            notices.notify(
                [subscription.created_by],
                kind=Notice.Kind.WEBHOOK_DISABLED,
                case=None,
                text=f"The webhook to {subscription.url} failed for {days} days in a row and was turned off.",
                email_template="webhook_disabled",
                context={"subscription": subscription, "days": days},
                dedupe_prefix=f"webhook-disabled:{subscription_id}:{now.isoformat()}",
            )
