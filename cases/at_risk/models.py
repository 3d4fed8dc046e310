"""The stored churn-risk score of a customer. Imported by `cases.models`."""

from django.db import models


class CustomerRisk(models.Model):
    """A customer's risk of leaving (0-100) and why, as `cases.at_risk.services.refresh` last computed it.

    A narrow table of its own rather than columns of the customer: it is rewritten on every case event
    of the customer, and the at-risk list reads it through one index. `reasons` holds codes and counts
    (`formula.Reason`), turned into words when shown, so they follow the reader's language.
    """

    customer = models.OneToOneField(
        "feedback.Customer", on_delete=models.CASCADE, primary_key=True, related_name="risk"
    )
    score = models.PositiveSmallIntegerField(default=0)
    reasons = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        app_label = "cases"
        indexes = [
            # The at-risk list, highest first; customers at no risk are never read by it.
            models.Index(
                fields=["-score", "customer"], name="customer_risk_ranked", condition=models.Q(score__gt=0)
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=100), name="customer_risk_0_100"
            )
        ]

    def __str__(self) -> str:
        return f"Customer {self.customer_id} at risk {self.score}"

    @property
    def reasons_in_words(self) -> list[str]:
        from cases.at_risk.formula import describe  # the formula imports feedback, which loads after cases

        return [describe(reason) for reason in self.reasons]
