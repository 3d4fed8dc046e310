"""Subscriptions, deliveries (the webhook outbox) and attempts. Imported by `cases.models`."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class WebhookSubscription(models.Model):
    """Another system's URL and the event types it wants. `secret` signs every POST to it."""

    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list)  # event type names (`cases.webhooks.events.TYPES`)
    active = models.BooleanField(default=True)
    description = models.CharField(max_length=200, blank=True)
    secret = models.CharField(max_length=80)  # "whsec_" + base64 of 32 random bytes
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The first failed attempt since the last success: three days of failure disables the subscription.
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)  # when failures turned it off

    class Meta:
        app_label = "cases"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one subscription: written in the event's transaction, POSTed by a worker after.

    `webhook_id` is the Standard Webhooks message id: the same on every attempt, so receivers dedupe."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"  # retried for 24 hours, or its subscription was turned off

    # Not enforced by the database: an event may write a row for a subscription another process has
    # just deleted (`cases.webhooks.outbox` caches subscriptions), and that must not fail the event.
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries", db_constraint=False
    )
    webhook_id = models.CharField(max_length=40, unique=True)
    event_type = models.CharField(max_length=32)
    payload = models.JSONField()  # {"type", "timestamp", "data"}: the body, the same on every attempt
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # Held by the worker sending it, then until the next retry (so the sweep leaves it to that retry).
    claimed_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "cases"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["subscription", "-created_at"], name="webhook_delivery_log"),
            # The resend sweep reads pending rows only, oldest first.
            models.Index(
                fields=["created_at"], condition=Q(status="pending"), name="webhook_delivery_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.webhook_id}"


class WebhookAttempt(models.Model):
    """One POST of a delivery. Written before the POST, so an attempt whose worker died still shows
    (without a status code); completed with its outcome after."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        app_label = "cases"
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} at {self.started_at:%Y-%m-%d %H:%M:%S}: {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
