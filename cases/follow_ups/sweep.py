"""The follow-up sweep: owners are reminded of follow-ups come due, managers told of those a day late.

Each step happens once per follow-up however many sweeps run at once (two beats by mistake, a slow
sweep overlapping the next): it is claimed by an UPDATE ... WHERE <claim> IS NULL, and its timeline
event and emails are written in the claiming transaction, so they exist exactly when the claim does.

When the owner is reminded, the customer (if Mend has their email address) is sent the survey link
in the same step: the moment the follow-up is due is the moment to ask how the recovery felt.
"""

import logging
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet

from cases import events
from cases.follow_ups import survey
from cases.models import CaseEvent, FollowUp
from cases.outbox import notify_users
from cases.templatetags.moments import moment
from recovery.logs import record
from recovery.roles import managers

logger = logging.getLogger(__name__)

ESCALATE_AFTER = timedelta(days=1)
# Ids per read. A follow-up costs about eight queries and up to three emails, so a batch is a few
# hundred milliseconds of work; re-reading between batches drops rows another sweep claimed meanwhile.
SWEEP_BATCH_SIZE = 200


def sweep(*, now: datetime) -> dict[str, int]:
    """Handle every follow-up due at `now` not handled yet. Returns counts of what this run did."""
    counts: Counter[str] = Counter()
    for follow_up_id in _in_batches(FollowUp.objects.filter(reminded_at__isnull=True, due_at__lte=now)):
        counts.update(_remind(follow_up_id, now=now))
    overdue = FollowUp.objects.filter(escalated_at__isnull=True, due_at__lte=now - ESCALATE_AFTER)
    for follow_up_id in _in_batches(overdue):
        counts.update(_escalate(follow_up_id, now=now))
    result = {"reminded": counts["reminded"], "surveys": counts["surveys"], "escalated": counts["escalated"]}
    record(logger, "follow_ups.swept", **result)
    return result


def _in_batches(pending: QuerySet) -> Iterator[int]:
    # Indexed (followup_remind_pending / followup_escalate_pending): the read costs what is due.
    pending = pending.filter(done_at__isnull=True).order_by("due_at", "pk")
    while True:
        ids = list(pending.values_list("pk", flat=True)[:SWEEP_BATCH_SIZE])
        yield from ids
        if len(ids) < SWEEP_BATCH_SIZE:
            return


def _claimed(follow_up_id: int, claim: str, *, now: datetime) -> FollowUp | None:
    """Set `claim` on a pending follow-up unless someone already did. The follow-up, or None."""
    won = FollowUp.objects.filter(pk=follow_up_id, done_at__isnull=True, **{f"{claim}__isnull": True}).update(
        **{claim: now}
    )
    if not won:
        return None
    return FollowUp.objects.select_related("case__owner", "case__customer").get(pk=follow_up_id)


@transaction.atomic
def _remind(follow_up_id: int, *, now: datetime) -> list[str]:
    follow_up = _claimed(follow_up_id, "reminded_at", now=now)
    if follow_up is None or not follow_up.case.is_open:
        return []  # the claim also retires follow-ups of cases closed before them from later sweeps
    case = follow_up.case
    invited = survey.queue_invitation(follow_up)
    events.record(
        case,
        CaseEvent.Kind.REMINDER,
        message=f"Follow-up due {moment(follow_up.due_at, zone=True)}.",
        data={"follow_up": follow_up.pk, "survey_sent": invited},
    )
    notify_users(
        [case.owner] if case.owner else managers(),
        template="follow_up_due",
        context={"follow_up": follow_up, "survey_sent": invited},
        case=case,
        dedupe_prefix=f"follow-up:{follow_up.pk}:reminder",
    )
    return ["reminded", "surveys"] if invited else ["reminded"]


@transaction.atomic
def _escalate(follow_up_id: int, *, now: datetime) -> list[str]:
    follow_up = _claimed(follow_up_id, "escalated_at", now=now)
    if follow_up is None or not follow_up.case.is_open:
        return []
    case = follow_up.case
    events.record(
        case,
        CaseEvent.Kind.ESCALATED,
        message=f"Follow-up overdue since {moment(follow_up.due_at, zone=True)}; managers told.",
        data={"follow_up": follow_up.pk, "reason": "follow_up_overdue"},
    )
    notify_users(
        managers(),
        template="follow_up_overdue",
        context={"follow_up": follow_up},
        case=case,
        dedupe_prefix=f"follow-up:{follow_up.pk}:escalation",
    )
    record(logger, "follow_up.escalated", follow_up_id=follow_up.pk, case_id=case.pk)
    return ["escalated"]
