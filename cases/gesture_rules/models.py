"""The automatic gesture rule. Imported by `cases.models`."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q


class GestureRule(models.Model):
    """Grants `kind` worth `amount` `currency` on a new case whose feedback meets `conditions`.

    `conditions` maps touchpoint, channel, severity and segment to lists of accepted values
    (`feedback.conditions`), and `metadata` to a list of `{"key", "op", "value"}` tests on the
    feedback's metadata (`cases.gesture_rules.metadata`). Past `monthly_budget` (in `currency`, per
    calendar month) or `per_customer_90d` gestures for one customer, the gesture waits for a manager
    instead; None means no budget, or no cap. Written by `cases.gesture_rules.services` alone.
    """

    name = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    conditions = models.JSONField(default=dict)
    kind = models.CharField(max_length=16)  # one of Gesture.Kind, checked by the service
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    per_customer_90d = models.PositiveIntegerField(null=True, blank=True)
    monthly_budget = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "cases"
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=Decimal("0")), name="gesture_rule_amount_positive"),
            models.CheckConstraint(
                condition=Q(monthly_budget__isnull=True) | Q(monthly_budget__gte=Decimal("0")),
                name="gesture_rule_budget_not_negative",
            ),
        ]
        # Triage reads the active rules on every new case.
        indexes = [models.Index(fields=["active"], name="gesture_rule_active")]

    def __str__(self) -> str:
        return self.name
