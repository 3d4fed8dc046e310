from django.db import models


class CeilingRow(models.Model):
    """Shaped like a piece of feedback, with none of its rules."""

    channel = models.CharField(max_length=16)
    rating = models.PositiveSmallIntegerField(null=True)
    nps = models.PositiveSmallIntegerField(null=True)
    comment = models.TextField(blank=True)
    touchpoint = models.CharField(max_length=80, blank=True)
    customer_external_id = models.CharField(max_length=128)
    metadata = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"ceiling row {self.pk}"
