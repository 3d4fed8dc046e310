"""What managers see of the detector's groups."""

from django.db.models import Prefetch, QuerySet

from cases.emerging.models import DetectorRun, EmergingGroup
from cases.models import RecoveryCase


def current() -> QuerySet[EmergingGroup]:
    """Groups emerging as of the detector's last run and not dismissed, largest first, with their cases."""
    return (
        EmergingGroup.objects.filter(is_emerging=True, dismissed_at__isnull=True)
        .select_related("root_cause")
        .prefetch_related(Prefetch("cases", RecoveryCase.objects.only("id").order_by("id")))
        .order_by("-count", "id")
    )


def dismissed() -> QuerySet[EmergingGroup]:
    return EmergingGroup.objects.filter(is_emerging=True, dismissed_at__isnull=False).order_by("-count", "id")


def last_run() -> DetectorRun | None:
    return DetectorRun.objects.filter(seconds_taken__isnull=False).order_by("-slot").first()
