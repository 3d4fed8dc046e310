"""A group of similar negative feedback the detector found. Imported by `cases.models`."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class EmergingGroup(models.Model):
    """Negative feedback at one touchpoint in similar words, kept across detector runs.

    A detector run recognises a group it saw before by the cases they share, so its id stays the same
    while it grows (dismissal and "create a root cause" refer to it). `count` is its feedback in the last
    2 hours and `expected` the mean of the same 2 hours of the week over the previous 4 weeks.
    """

    touchpoint = models.CharField(max_length=80)
    terms = models.JSONField(default=list)  # its top words, most weighty first
    count = models.PositiveIntegerField(default=0)
    expected = models.FloatField(default=0.0)
    is_emerging = models.BooleanField(default=False)
    cases = models.ManyToManyField("cases.RecoveryCase", blank=True, related_name="+")
    since = models.DateTimeField()  # its earliest feedback in the 2 hours when it was first seen emerging
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)  # the last detector run that found it
    # Dismissed: hidden until `count` reaches twice `dismissed_count`, which clears the dismissal.
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_count = models.PositiveIntegerField(default=0)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    root_cause = models.ForeignKey(
        "cases.RootCause", null=True, blank=True, on_delete=models.SET_NULL, related_name="emerging_groups"
    )

    class Meta:
        ordering = ["-count", "id"]
        indexes = [
            models.Index(fields=["touchpoint", "last_seen_at"], name="emerging_recent"),
            models.Index(fields=["-count"], condition=Q(is_emerging=True), name="emerging_current"),
        ]

    def __str__(self) -> str:
        return f"{self.touchpoint}: {', '.join(self.terms)} ({self.count})"


class DetectorRun(models.Model):
    """One run of the detector. `slot` (the start of its 10-minute slot) is unique, so of two beats or a
    redelivered task in one slot only the first that inserts its row runs: the database arbitrates."""

    slot = models.DateTimeField(unique=True)
    started_at = models.DateTimeField(default=timezone.now)
    seconds_taken = models.FloatField(null=True, blank=True)  # None while running, or if it crashed
    feedback = models.PositiveIntegerField(default=0)  # the last 24 hours' negative feedback it read
    emerging = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-slot"]

    def __str__(self) -> str:
        return f"Detector run {self.slot:%Y-%m-%d %H:%M}"
