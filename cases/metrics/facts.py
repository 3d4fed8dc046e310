"""Facts written when what they summarise happens, so the dashboard reads a row instead of probing
or joining other rows per case: a case's facts of its complaint and of its first contact, and the facts
of survey answers.

A case's complaint facts (`COMPLAINT_FACTS`) copy fields of its originating feedback onto the case when
the link is made (`services.link_originating_feedback`); feedback is never edited, so they hold after.

A case's first-contact facts say what its timeline says, for `definitions.first_contact`:
- `reassigned`: an `assigned` event from an owner exists (`owner_changing`, before the owner changes:
  every change of owner is one of those events, or the taking of a free case, which is not one);
- `resolved_by`: the actor of the case's latest `resolved` event while it is resolved, None otherwise
  (`stage_reached`, in the workflow's transaction). "Resolved by its owner" is then a comparison of
  two columns of the case's row, true at any later moment as the timeline would say it.
`refresh_first_contact` computes both from the timeline (the backfill migration).

Survey answers:

A survey answer is a follow-up with a satisfaction and a done_at. For every answer, always:
- `next_answer_at` is the done_at of the case's next answer in (done_at, id) order, None for its
  latest. "The case's latest answer in a period" is then a condition on the row itself:
  done_at in the period and next_answer_at None or at/after the period's end.
- `later_feedback`, `later_rating`, `later_rating_at` are the customer's first rated feedback received
  after done_at, survey answers aside, in (received_at, id) order: the recovery paradox's "first later
  rating" (`definitions.later_feedback` says it as a query).

They sit on the answer rather than on the case because both depend on the answer the period picks
(its latest in the period), which a case-level column could not say for every period exactly.

`refresh` recomputes them from the raw rows (services after writing an answer, the backfill migration,
test worlds built by hand); `feedback_received` moves them forward when rated feedback arrives.
Both run in the writer's transaction with the customer's row locked (intake holds that lock already),
so an answer and a later rating written at once wait for each other and neither misses the other.
"""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from cases.models import CaseEvent, FollowUp, RecoveryCase, Stage
from feedback.models import Channel, Customer, Feedback

# A case's field: the field of its originating feedback it copies.
COMPLAINT_FACTS = {"touchpoint": "touchpoint", "opening_rating": "rating"}


def complaint_facts(feedback: Feedback) -> dict:
    """The facts a case opened by `feedback` carries, by the case's field names."""
    return {fact: getattr(feedback, field) for fact, field in COMPLAINT_FACTS.items()}


def refresh_complaints(*, models=(RecoveryCase, Feedback)) -> int:
    """Copy every linked case's complaint facts from its originating feedback (the backfill migration,
    test worlds written by hand). Returns how many cases were written."""
    cases, feedback = models
    of_complaint = feedback.objects.filter(pk=OuterRef("originating_feedback_id"))
    return cases.objects.filter(originating_feedback__isnull=False).update(
        **{fact: Subquery(of_complaint.values(field)[:1]) for fact, field in COMPLAINT_FACTS.items()}
    )


def owner_changing(case: RecoveryCase, *, previous_owner_id: int | None) -> None:
    """Before a case's owner changes from `previous_owner_id`: given away by an owner, it was not
    resolved at first contact, whoever resolves it. The caller saves `reassigned` with the owner."""
    if previous_owner_id is not None:
        case.reassigned = True


def stage_reached(case: RecoveryCase, actor) -> None:
    """After the workflow set the case's new stage (and owner, when acting took it), before it saves:
    a resolution records who resolved it; a reopening, which withdraws the resolution, clears that."""
    if case.stage == Stage.RESOLVED:
        case.resolved_by = actor
    elif case.resolved_at is None:
        case.resolved_by = None


def refresh_first_contact(*, models=(RecoveryCase, CaseEvent)) -> int:
    """Give cases whose first-contact facts are at their defaults (not reassigned, no resolver) the
    facts their timeline says: the backfill migration. Only the cases that differ are written, so a
    large table is not rewritten whole. Returns how many writes were made."""
    cases, events = models
    given_away = events.objects.filter(case=OuterRef("pk"), kind=CaseEvent.Kind.ASSIGNED).exclude(
        data__from=None
    )
    latest_resolver = (
        events.objects.filter(case=OuterRef("pk"), kind=CaseEvent.Kind.STAGE_CHANGED, to_stage=Stage.RESOLVED)
        .order_by("-created_at", "-id")
        .values("actor")[:1]
    )
    reassigned = cases.objects.filter(Exists(given_away)).update(reassigned=True)
    resolved = cases.objects.filter(resolved_at__isnull=False).update(resolved_by=Subquery(latest_resolver))
    return reassigned + resolved


def answers(follow_ups=FollowUp) -> QuerySet[FollowUp]:
    return follow_ups.objects.filter(satisfaction__isnull=False, done_at__isnull=False)


def refresh(*, case_ids: Iterable[int] | None = None, models=(FollowUp, Feedback)) -> int:
    """Recompute the facts of the answers of `case_ids` (of every answer when None). Returns how many
    answers were written. `models`: the backfill migration passes its historical FollowUp, Feedback."""
    follow_ups, feedback = models
    rows = answers(follow_ups)
    rows = rows if case_ids is None else rows.filter(case_id__in=list(case_ids))
    successor = (
        answers(follow_ups)
        .filter(case_id=OuterRef("case_id"))
        .filter(Q(done_at__gt=OuterRef("done_at")) | Q(done_at=OuterRef("done_at"), id__gt=OuterRef("id")))
        .order_by("done_at", "id")
    )
    later = (
        feedback.objects.filter(
            customer__cases__id=OuterRef("case_id"),
            rating__isnull=False,
            received_at__gt=OuterRef("done_at"),
        )
        .exclude(channel=Channel.SURVEY)
        .order_by("received_at", "id")
    )
    return rows.update(
        next_answer_at=Subquery(successor.values("done_at")[:1]),
        later_feedback=Subquery(later.values("id")[:1]),
        later_rating=Subquery(later.values("rating")[:1]),
        later_rating_at=Subquery(later.values("received_at")[:1]),
    )


def hold_customer_of(case_id: int) -> None:
    """Lock the case's customer row, before anything else of the transaction is locked: intake locks
    the customer first and its cases after, and an answer's writer must take them in the same order."""
    list(Customer.objects.select_for_update(of=("self",)).filter(cases__id=case_id).values_list("pk"))


def answer_recorded(follow_up: FollowUp) -> None:
    """After a follow-up got (or changed) its answer: its case's answers say so. In the writer's
    transaction, after `hold_customer_of`."""
    refresh(case_ids=[follow_up.case_id])


def feedback_received(feedback: Feedback) -> int:
    """Rated feedback (not a survey answer) is the first later rating of the customer's answers given
    before it that have none earlier. In the intake transaction, the customer's row locked."""
    if feedback.rating is None or feedback.channel == Channel.SURVEY:
        return 0
    at, pk = feedback.received_at, feedback.pk
    earlier_rating = Q(later_rating_at__lt=at) | Q(later_rating_at=at, later_feedback_id__lt=pk)
    return (
        answers()
        .filter(case__customer_id=feedback.customer_id, done_at__lt=at)
        .exclude(earlier_rating)
        .update(later_feedback=feedback, later_rating=feedback.rating, later_rating_at=at)
    )
