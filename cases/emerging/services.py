"""Running the detector and keeping its groups; dismissing a group; a root cause from a group.

A run reads the last 24 hours' negative feedback and the four baseline windows, lets `detector` group
them, and persists the groups: one it saw before (a group at the same touchpoint, seen in the last 24
hours, sharing the most cases) keeps its id; a new one is kept only when it is emerging.
"""

import time
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import root_causes
from cases.emerging import detector
from cases.emerging.models import DetectorRun, EmergingGroup
from cases.models import RootCause
from feedback.models import Feedback, Sentiment
from recovery.errors import Conflict, NotFound
from recovery.roles import User, require_permission

SLOT = timedelta(minutes=10)  # the beat's period (CELERY_BEAT_SCHEDULE["emerging-issues"])
# Rows read per round trip: 24 hours of feedback at a large site is tens of thousands of rows.
CHUNK = 5000
_FIELDS = ("id", "case_id", "touchpoint", "comment", "received_at")


def run(*, now: datetime | None = None) -> DetectorRun | None:
    """Detect and persist; None when another run already has this 10-minute slot."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            claim = DetectorRun.objects.create(slot=_slot(now), started_at=now)
    except IntegrityError:
        return None
    started = time.perf_counter()
    pieces = pieces_where(Q(received_at__gte=now - detector.WINDOW, received_at__lte=now))
    windows = Q()
    for start, end in detector.baseline_windows(now):
        windows |= Q(received_at__gte=start, received_at__lt=end)
    groups = detector.detect(pieces, pieces_where(windows), now=now)
    claim.emerging = keep(groups, now=now)
    claim.feedback = len(pieces)
    claim.seconds_taken = round(time.perf_counter() - started, 3)
    claim.save(update_fields=["emerging", "feedback", "seconds_taken"])
    return claim


def _slot(now: datetime) -> datetime:
    return now - timedelta(seconds=now.timestamp() % SLOT.total_seconds())


def pieces_where(when: Q) -> list[detector.Piece]:
    rows = (
        Feedback.objects.filter(when, sentiment=Sentiment.NEGATIVE, case__isnull=False)
        .order_by()
        .values_list(*_FIELDS)
    )
    return [detector.Piece(*row) for row in rows.iterator(chunk_size=CHUNK)]


@transaction.atomic
def keep(groups: list[detector.Group], *, now: datetime) -> int:
    """Persist the groups of a run; how many are emerging. Groups not found again stop emerging."""
    known = list(EmergingGroup.objects.filter(last_seen_at__gte=now - detector.WINDOW).order_by("id"))
    cases_of: dict[int, set[int]] = {row.pk: set() for row in known}
    links = EmergingGroup.cases.through.objects.filter(emerginggroup_id__in=cases_of)
    for group_id, case_id in links.values_list("emerginggroup_id", "recoverycase_id"):
        cases_of[group_id].add(case_id)
    seen: set[int] = set()
    for group in groups:
        row = _same_as(group, known, cases_of, taken=seen)
        if row is None and not group.emerging:
            continue
        row = row or EmergingGroup(touchpoint=group.touchpoint, since=group.since or now, first_seen_at=now)
        _update(row, group, now=now)
        row.cases.set(group.case_ids)
        seen.add(row.pk)
    EmergingGroup.objects.filter(is_emerging=True).exclude(pk__in=seen).update(is_emerging=False)
    return sum(group.emerging for group in groups)


def _same_as(
    group: detector.Group, known: list[EmergingGroup], cases_of: dict[int, set[int]], *, taken: set[int]
) -> EmergingGroup | None:
    """The kept group at the same touchpoint sharing most of `group`'s cases, if any shares one."""
    mine = set(group.case_ids)
    best, shared = None, 0
    for row in known:
        overlap = len(mine & cases_of[row.pk])
        if row.touchpoint == group.touchpoint and row.pk not in taken and overlap > shared:
            best, shared = row, overlap
    return best


def _update(row: EmergingGroup, group: detector.Group, *, now: datetime) -> None:
    if row.pk is not None and group.emerging and not row.is_emerging and group.since:
        row.since = group.since  # emerging again: since this spike
    row.terms = group.terms
    row.count = group.count
    row.expected = group.expected
    row.is_emerging = group.emerging
    row.last_seen_at = now
    if row.dismissed_at is not None and row.count >= 2 * row.dismissed_count:
        row.dismissed_at, row.dismissed_count, row.dismissed_by = None, 0, None  # it doubled: show it again
    row.save()


@transaction.atomic
def dismiss(*, group_id: int, actor: User) -> EmergingGroup:
    """Hide a group until its count doubles."""
    _require_manager(actor)
    group = _locked(group_id)
    group.dismissed_at = timezone.now()
    group.dismissed_count = max(group.count, 1)
    group.dismissed_by = actor
    group.save(update_fields=["dismissed_at", "dismissed_count", "dismissed_by"])
    return group


@transaction.atomic
def create_root_cause(*, group_id: int, actor: User, title: str, category: str) -> RootCause:
    """A root cause named from the group, with every case of the group linked to it."""
    _require_manager(actor)
    group = _locked(group_id)
    if group.root_cause_id is not None:
        raise Conflict(_("This group already has a root cause."))
    root_cause = root_causes.create(
        actor=actor,
        title=title,
        category=category,
        description=_("Emerging at %(touchpoint)s: %(terms)s.")
        % {"touchpoint": group.touchpoint, "terms": ", ".join(group.terms)},
    )
    for case_id in group.cases.order_by("pk").values_list("pk", flat=True):
        root_causes.link_case(root_cause_id=root_cause.pk, case_id=case_id, actor=actor)
    group.root_cause = root_cause
    group.save(update_fields=["root_cause"])
    return root_cause


def suggested_title(group: EmergingGroup) -> str:
    return f"{group.touchpoint}: {', '.join(group.terms)}" if group.terms else group.touchpoint


def _locked(group_id: int) -> EmergingGroup:
    group = EmergingGroup.objects.select_for_update().filter(pk=group_id).first()
    if group is None:
        raise NotFound(_("No such emerging issue."))
    return group


def _require_manager(actor: User) -> None:
    require_permission(actor, "cases.change_rootcause", message=_("Only managers act on emerging issues."))
