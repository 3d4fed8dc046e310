"""Who was told about which root cause. Imported by `cases.models`."""

from django.conf import settings
from django.db import models


class CustomerOutreach(models.Model):
    """One customer told about one root cause: the audit of the proactive email, and what makes
    "Notify impacted customers" idempotent. The unique constraint is the fact "already told"; a second
    press finds the row and sends nothing."""

    root_cause = models.ForeignKey("cases.RootCause", on_delete=models.CASCADE, related_name="outreach")
    customer = models.ForeignKey("feedback.Customer", on_delete=models.CASCADE, related_name="+")
    # The case whose conversation carried the email, and the email itself (None once deleted).
    case = models.ForeignKey("cases.RecoveryCase", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        "cases.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    template = models.ForeignKey(
        "cases.ResponseTemplate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # None: the manager wrote the text
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "cases"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["root_cause", "customer"], name="outreach_once_per_customer"),
        ]

    def __str__(self) -> str:
        return f"Root cause {self.root_cause_id} told to customer {self.customer_id}"
