"""What each number on the dashboard means: its label, its help text (shown beside it and kept in the
README) and, for numbers that count cases, the condition its drill-down list applies.

A counted metric's condition is the single source of both the count (`queries`) and the case list
behind it (`CaseFilter`'s `metric` parameter), so the list's count equals the number by construction.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, F, OuterRef, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cases.metrics import facts
from cases.metrics.period import Period
from cases.models import CaseEvent, FollowUp, Gesture, RootCause, Stage
from feedback.models import Feedback, Sentiment

# The follow-up sweep tells managers when a follow-up is a day overdue: done before that is on time.
FOLLOW_UP_GRACE = timedelta(days=1)
RECOVERED_AT_LEAST = 4
SLA_TARGETS = ("acknowledge", "apologize", "resolve")
STAGE_WORDS = {"acknowledge": _("Acknowledge"), "apologize": _("Apologize"), "resolve": _("Resolve")}
# A target as the help texts name it, lower case in English ("Of the acknowledge targets ...").
TARGET_WORDS = {"acknowledge": _("acknowledge"), "apologize": _("apologize"), "resolve": _("resolve")}
_REACHED = {"acknowledge": "acknowledged_at", "apologize": "apologized_at", "resolve": "resolved_at"}


@dataclass(frozen=True)
class Metric:
    label: str
    help: str
    # Cases behind the number: a Q on RecoveryCase for the period at `now`; None when not a case count.
    cases: Callable[[Period, datetime], Q] | None = None


def opened(p: Period, now, *, through: str = "") -> Q:
    """Cases opened in the period; `through` ("case__") says it of the rows of another model."""
    return Q(**{f"{through}created_at__gte": p.start, f"{through}created_at__lt": p.end})


def _passed(p: Period, now) -> tuple[datetime, datetime]:
    """The part of the period that is over: a target or follow-up due later has not fallen due yet."""
    return p.start, max(min(p.end, now), p.start)


def target_due(target: str) -> Callable[[Period, datetime], Q]:
    due, reached = f"{target}_due_at", _REACHED[target]

    def condition(p: Period, now) -> Q:
        start, end = _passed(p, now)
        fell_due = Q(**{f"{due}__gte": start, f"{due}__lt": end})
        # Paused time is excluded: taking a case off hold moves its due moments by the time paused;
        # a case on hold now has its clock stopped, so its unmet target is not decided yet.
        undecided = Q(on_hold_since__isnull=False, **{f"{reached}__isnull": True})
        return fell_due & ~undecided

    return condition


def target_met(target: str) -> Callable[[Period, datetime], Q]:
    due, reached = f"{target}_due_at", _REACHED[target]
    return lambda p, now: target_due(target)(p, now) & Q(**{f"{reached}__lte": F(due)})


# What a follow-up row must be to count, for each follow-up metric (of those due in the period).
FOLLOW_UP_ROWS = {
    "follow_up_due": Q(),
    "follow_up_done": Q(done_at__isnull=False),
    "follow_up_on_time": Q(done_at__lte=F("due_at") + FOLLOW_UP_GRACE),
}


def follow_ups_due(p: Period, now):
    """Follow-ups that came due in the period, up to now."""
    start, end = _passed(p, now)
    return FollowUp.objects.filter(due_at__gte=start, due_at__lt=end)


def _follow_ups(name: str) -> Callable[[Period, datetime], Q]:
    return lambda p, now: Q(Exists(follow_ups_due(p, now).filter(FOLLOW_UP_ROWS[name], case=OuterRef("pk"))))


def surveyed(p: Period, now) -> Q:
    return Q(Exists(latest_answers(p).filter(case=OuterRef("pk"))))


def latest_answers(p: Period):
    """The survey answers given in the period that are their case's latest in it: one per surveyed
    case, read from the answer's own facts (`facts`), so no case is probed for its other answers."""
    in_period = facts.answers().filter(done_at__gte=p.start, done_at__lt=p.end)
    return in_period.filter(Q(next_answer_at__isnull=True) | Q(next_answer_at__gte=p.end))


# Of a case's latest answer in the period, what each recovery metric asks. The paradox compares the
# customer's first rating after the survey (survey answers aside) with the rating that opened the case.
RECOVERED = Q(satisfaction__gte=RECOVERED_AT_LEAST)
ANSWER_ROWS = {
    "recovered": RECOVERED,
    "paradox_base": RECOVERED & Q(later_rating__isnull=False),
    "paradox": RECOVERED & Q(later_rating__gt=F("case__opening_rating")),
}


def _answers(name: str) -> Callable[[Period, datetime], Q]:
    return lambda p, now: Q(Exists(latest_answers(p).filter(ANSWER_ROWS[name], case=OuterRef("pk"))))


def reopens_by_customer(p: Period):
    return CaseEvent.objects.filter(
        kind=CaseEvent.Kind.STAGE_CHANGED,
        created_at__gte=p.start,
        created_at__lt=p.end,
        data__action="reopen",
        data__by="customer",
    )


def reopened_by_customer(p: Period, now) -> Q:
    return Q(Exists(reopens_by_customer(p).filter(case=OuterRef("pk"))))


def negative_feedback(p: Period, now) -> Q:
    received = Feedback.objects.filter(
        case=OuterRef("pk"), sentiment=Sentiment.NEGATIVE, received_at__gte=p.start, received_at__lt=p.end
    )
    return Q(Exists(received))


def granted_gestures(p: Period):
    return Gesture.objects.filter(status__in=GRANTED_STATUSES, created_at__gte=p.start, created_at__lt=p.end)


def gestures_granted(p: Period, now) -> Q:
    return Q(Exists(granted_gestures(p).filter(case=OuterRef("pk"))))


def resolved_in(p: Period, now) -> Q:
    """Cases opened in the period and resolved (their latest resolution stands)."""
    return opened(p, now) & Q(resolved_at__isnull=False)


def first_contact(p: Period, now) -> Q:
    """Resolved by their first owner: never reopened, never given to another owner (an `assigned`
    event from an owner; taking a free case is not one), and the resolving action was the owner's.
    Read from the case's first-contact facts (`facts`), which say what its timeline says."""
    return resolved_in(p, now) & Q(reopen_count=0, reassigned=False, resolved_by=F("owner"))


GRANTED_STATUSES = (Gesture.Status.GRANTED, Gesture.Status.APPROVED)
ROOT_CAUSE_LINKS = RootCause.cases.through.objects

METRICS: dict[str, Metric] = {
    "feedback_total": Metric(
        _("Feedback received"),
        _("Every piece of feedback received in the period, from any channel, positive or not."),
    ),
    "negative_share": Metric(
        _("Negative share"),
        _("Negative feedback received in the period divided by all feedback received in it."),
    ),
    "negative_feedback": Metric(
        _("Cases with negative feedback"),
        _("Cases that received negative feedback in the period (a case may gather several pieces)."),
        negative_feedback,
    ),
    "opened": Metric(_("Cases opened"), _("Cases opened in the period."), opened),
    "closed": Metric(
        _("Cases closed"),
        _("Cases closed in the period, whenever they were opened."),
        lambda p, now: Q(closed_at__gte=p.start, closed_at__lt=p.end),
    ),
    "open_now": Metric(
        _("Open now"),
        _("Cases not closed at this moment (not bound to the period)."),
        lambda p, now: ~Q(stage=Stage.CLOSED),
    ),
    "reopened": Metric(
        _("Reopened"),
        _("Cases opened in the period that have been reopened at least once."),
        lambda p, now: opened(p, now) & Q(reopen_count__gt=0),
    ),
    "acknowledged": Metric(
        _("Time to acknowledge"),
        _(
            "From the case's opening to its acknowledgement, for cases opened in the period and "
            "acknowledged; in SLA time: the working time of the severity's business calendar where its "
            "policy has one, elapsed time otherwise, as measured when the case was acknowledged."
        ),
        lambda p, now: opened(p, now) & Q(acknowledged_at__isnull=False),
    ),
    "resolved": Metric(
        _("Time to resolve"),
        _(
            "From the case's opening to its latest resolution, for cases opened in the period and resolved; "
            "in SLA time as above (working time under a business calendar), hold time included."
        ),
        resolved_in,
    ),
    **{
        f"{target}_due": Metric(
            format_lazy(_("{target} SLA compliance"), target=STAGE_WORDS[target]),
            format_lazy(
                _(
                    "Of the {target} targets that fell due in the period (up to now), the share reached by "
                    "their due moment. Due moments count working time where the severity's policy has a "
                    "calendar, and move by the time a case spent on hold; a case on hold now is left out "
                    "until its clock runs again."
                ),
                target=TARGET_WORDS[target],
            ),
            target_due(target),
        )
        for target in SLA_TARGETS
    },
    **{
        f"{target}_met": Metric(
            format_lazy(_("{target} targets met"), target=STAGE_WORDS[target]),
            _("Targets reached by their due moment."),
            target_met(target),
        )
        for target in SLA_TARGETS
    },
    "breached_now": Metric(
        _("Breached now"),
        _("Open cases, not on hold, whose earliest running SLA target is past at this moment."),
        lambda p, now: ~Q(stage=Stage.CLOSED) & Q(on_hold_since__isnull=True, sla_due_at__lte=now),
    ),
    "escalation_1": Metric(
        _("Escalation level 1"),
        _("Cases opened in the period that breached a target (escalation level 1) and went no further."),
        lambda p, now: opened(p, now) & Q(escalation_level=1),
    ),
    "escalation_2": Metric(
        _("Escalation level 2"),
        _("Cases opened in the period that stayed breached until twice the target (escalation level 2)."),
        lambda p, now: opened(p, now) & Q(escalation_level=2),
    ),
    "follow_up_due": Metric(
        _("Follow-ups due"),
        _("Cases with a follow-up that came due in the period (up to now)."),
        _follow_ups("follow_up_due"),
    ),
    "follow_up_done": Metric(
        _("Follow-ups done"),
        _("Of those, cases whose follow-up is done."),
        _follow_ups("follow_up_done"),
    ),
    "follow_up_on_time": Metric(
        _("Follow-ups done on time"),
        _("Of those, cases whose follow-up was done within a day of its due moment (before managers hear)."),
        _follow_ups("follow_up_on_time"),
    ),
    "surveyed": Metric(
        _("Surveyed recoveries"),
        _(
            "Cases whose customer rated the recovery (1-5) in the period; the score of a case is its latest "
            "in the period. Mean satisfaction is the mean of those scores."
        ),
        surveyed,
    ),
    "recovered": Metric(
        _("Recovered"),
        format_lazy(
            _("Surveyed cases whose score is {least} or 5. The share is of surveyed cases."),
            least=RECOVERED_AT_LEAST,
        ),
        _answers("recovered"),
    ),
    "paradox_base": Metric(
        _("Recovered, with later feedback"),
        _("Recovered cases whose customer rated us again after the survey (survey answers aside)."),
        _answers("paradox_base"),
    ),
    "paradox": Metric(
        _("Recovery paradox"),
        _(
            "Of recovered customers who gave later feedback, the share whose first later rating beat the "
            "rating that opened their case."
        ),
        _answers("paradox"),
    ),
    "reopened_by_customer": Metric(
        _("Reopened by the customer"),
        _("Cases the customer reopened in the period with a poor survey answer."),
        reopened_by_customer,
    ),
    "repeat": Metric(
        _("Repeat-failure cases"),
        _(
            "Cases opened in the period for a customer who already had a case in the 90 days before "
            "(flagged as repeat at intake); the share is of cases opened."
        ),
        lambda p, now: opened(p, now) & Q(is_repeat=True),
    ),
    "no_root_cause": Metric(
        _("No root cause"),
        _("Cases opened in the period not linked to any root cause; the share is of cases opened."),
        lambda p, now: opened(p, now) & ~Q(Exists(ROOT_CAUSE_LINKS.filter(recoverycase_id=OuterRef("pk")))),
    ),
    "first_contact_resolution": Metric(
        _("First-contact resolution"),
        _(
            "Of the cases opened in the period and resolved, the share resolved by their first owner: never "
            "reassigned to another owner, never reopened, and resolved by the owner themselves."
        ),
        resolved_in,
    ),
    "first_contact": Metric(
        _("Resolved at first contact"),
        _(
            "Cases opened in the period and resolved by their first owner, with no reassignment and no "
            "reopening."
        ),
        first_contact,
    ),
    "gestures": Metric(
        _("Cases with gestures"),
        _("Cases with a gesture granted (or approved) that was requested in the period."),
        gestures_granted,
    ),
}

COUNTED = tuple(name for name, metric in METRICS.items() if metric.cases is not None)


def cases_q(name: str, period: Period, now) -> Q:
    return METRICS[name].cases(period, now)
