"""The watch window: a fixed root cause proves its fix, or reopens.

1. Marking a root cause `fixed` starts a window of `watch_days` from `fixed_at` (`start_or_stop`).
2. A case linked to it inside the window, by an agent or by a matching rule at triage, is a recurrence
   (`count_recurrence`). The `recurrence_threshold`-th reopens it: status `reopened`, an event listing the
   recurring cases, and a notice to its owner and the managers.
3. A window that ends with no recurrence marks it `verified` by the system, with the figures
   (`close_ended_windows`, a periodic task). One that ends with fewer recurrences than the threshold
   stays `fixed` for a manager to judge, with an event saying so.

Preconditions: callers hold the root cause's row lock (`select_for_update`), so two links racing past
the threshold count each other, and the sweep's conditional UPDATE waits for them.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Notice, RecoveryCase, Recurrence, RootCause, RootCauseEvent, RootCauseRule
from cases.notices.services import notify
from cases.root_causes import history
from recovery.roles import User, managers

# Each ended window is a few queries; a sweep that finds more leaves the rest to the next run.
SWEEP_BATCH = 200


def under_watch(root_cause: RootCause, now: datetime) -> bool:
    return (
        root_cause.status == RootCause.Status.FIXED
        and root_cause.fixed_at is not None
        and root_cause.watch_until is not None
        and root_cause.fixed_at <= now <= root_cause.watch_until
    )


def start_or_stop(root_cause: RootCause, *, previous_status: str, now: datetime) -> None:
    """Before saving a status change: a new fix starts a window; editing `watch_days` while fixed moves its
    end. The window's dates stay on a verified or reopened root cause, as the record of that fix."""
    fixed = RootCause.Status.FIXED
    if root_cause.status == fixed and previous_status != fixed:
        root_cause.fixed_at = now
        root_cause.watch_closed_at = None
    if root_cause.status == fixed and root_cause.fixed_at is not None:
        root_cause.watch_until = root_cause.fixed_at + timedelta(days=root_cause.watch_days)
    elif root_cause.status not in (RootCause.Status.VERIFIED, RootCause.Status.REOPENED):
        root_cause.fixed_at = root_cause.watch_until = None


def window_recurrences(root_cause: RootCause) -> list[Recurrence]:
    if root_cause.fixed_at is None:
        return []
    return list(
        Recurrence.objects.filter(root_cause=root_cause, window_started_at=root_cause.fixed_at)
        .select_related("case")
        .order_by("linked_at", "id")
    )


def count_recurrence(
    root_cause: RootCause,
    case: RecoveryCase,
    *,
    actor: User | None,
    rule: RootCauseRule | None,
    now: datetime,
) -> bool:
    """After `case` was linked: a recurrence if the root cause is under watch, and at the threshold the
    root cause reopens. True when it reopened."""
    if not under_watch(root_cause, now):
        return False
    assert root_cause.fixed_at is not None  # under watch
    created = Recurrence.objects.get_or_create(
        root_cause=root_cause,
        window_started_at=root_cause.fixed_at,
        case=case,
        defaults={"rule": rule, "actor": actor if getattr(actor, "is_authenticated", False) else None},
    )[1]
    if not created:
        return False
    by = _("by rule “%s”") % rule if rule else _("by hand")
    history.record(
        root_cause,
        RootCauseEvent.Kind.RECURRENCE,
        actor=actor,
        message=_("%(case)s recurred, linked %(by)s.") % {"case": case.reference, "by": by},
        data={"case": case.reference, "rule": rule.pk if rule else None},
    )
    recurring = [r.case.reference for r in window_recurrences(root_cause)]
    if len(recurring) < root_cause.recurrence_threshold:
        return False
    _reopen(root_cause, recurring=recurring)
    return True


def forget_recurrence(root_cause: RootCause, case: RecoveryCase) -> None:
    """An unlinked case no longer counts against an open window."""
    if root_cause.status == RootCause.Status.FIXED and root_cause.fixed_at is not None:
        Recurrence.objects.filter(
            root_cause=root_cause, window_started_at=root_cause.fixed_at, case=case
        ).delete()


def _reopen(root_cause: RootCause, *, recurring: list[str]) -> None:
    root_cause.status = RootCause.Status.REOPENED
    root_cause.verified_at = None
    root_cause.save(update_fields=["status", "verified_at", "updated_at"])
    why = _(
        "%(count)d cases recurred within the watch window that began %(fixed)s (threshold %(threshold)d): "
        "%(cases)s."
    ) % {
        "count": len(recurring),
        "fixed": f"{root_cause.fixed_at:%Y-%m-%d}",
        "threshold": root_cause.recurrence_threshold,
        "cases": ", ".join(recurring),
    }
    history.record(
        root_cause,
        RootCauseEvent.Kind.REOPENED,
        message=why,
        data={
            "cases": recurring,
            "threshold": root_cause.recurrence_threshold,
            "fixed_at": root_cause.fixed_at.isoformat() if root_cause.fixed_at else None,
            "watch_until": root_cause.watch_until.isoformat() if root_cause.watch_until else None,
        },
    )
    people = {user.pk: user for user in managers()}
    if root_cause.owner is not None:
        people[root_cause.owner.pk] = root_cause.owner
    notify(
        people.values(),
        kind=Notice.Kind.ROOT_CAUSE_REOPENED,
        case=None,
        text=_("Root cause “%(title)s” reopened: %(why)s") % {"title": root_cause.title, "why": why},
    )


def close_ended_windows(*, now: datetime | None = None) -> dict[str, int]:
    """Close every watch window that has ended: verified with no recurrence, else left for a manager.
    Twice is harmless: each root cause is claimed by a conditional UPDATE of `watch_closed_at`."""
    now = now or timezone.now()
    ended = RootCause.objects.filter(
        status=RootCause.Status.FIXED, watch_until__lt=now, watch_closed_at__isnull=True
    ).values_list("pk", flat=True)[:SWEEP_BATCH]
    closed = {"verified": 0, "left_fixed": 0}
    for pk in list(ended):
        outcome = _close(pk, now=now)
        if outcome:
            closed[outcome] += 1
    return closed


@transaction.atomic
def _close(root_cause_id: int, *, now: datetime) -> str | None:
    claimed = RootCause.objects.filter(
        pk=root_cause_id, status=RootCause.Status.FIXED, watch_until__lt=now, watch_closed_at__isnull=True
    ).update(watch_closed_at=now)
    if not claimed:
        return None  # another sweep closed it, or it moved on
    root_cause = RootCause.objects.select_for_update().get(pk=root_cause_id)
    figures = window_figures(root_cause)
    if figures["recurrences"]:
        history.record(
            root_cause,
            RootCauseEvent.Kind.WATCH_ENDED,
            message=_(
                "The watch window ended with %(recurrences)d recurrence(s), under the threshold of "
                "%(threshold)d: a manager verifies or reopens it."
            )
            % figures,
            data=figures,
        )
        return "left_fixed"
    root_cause.status = RootCause.Status.VERIFIED
    root_cause.verified_at = now
    root_cause.verified_by_system = True
    root_cause.verification_note = (
        _(
            "Verified by Mend: no recurrence in the %(days)d days watched from %(fixed_at)s to "
            "%(watch_until)s (threshold %(threshold)d). %(before)d case(s) were linked in the %(days)d days "
            "before the fix."
        )
        % figures
    )
    root_cause.save()
    history.record(
        root_cause, RootCauseEvent.Kind.VERIFIED, message=root_cause.verification_note, data=figures
    )
    return "verified"


def window_figures(root_cause: RootCause) -> dict:
    """The window's dates and what happened in it, next to the same span before the fix."""
    assert root_cause.fixed_at is not None and root_cause.watch_until is not None
    days = (root_cause.watch_until - root_cause.fixed_at).days
    before = root_cause.cases.filter(
        created_at__gte=root_cause.fixed_at - timedelta(days=days), created_at__lt=root_cause.fixed_at
    ).count()
    return {
        "fixed_at": f"{root_cause.fixed_at:%Y-%m-%d}",
        "watch_until": f"{root_cause.watch_until:%Y-%m-%d}",
        "days": days,
        "recurrences": len(window_recurrences(root_cause)),
        "threshold": root_cause.recurrence_threshold,
        "before": before,
    }
