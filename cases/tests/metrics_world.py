"""A small world whose every dashboard number was worked out by hand (see the expectations in
test_metrics.py). The time zone is Europe/Berlin (UTC+1 in November); the period is Monday 9 to Sunday
15 November 2026, local: 2026-11-08 23:00 UTC up to 2026-11-15 23:00 UTC. "Now" is 2026-11-20 12:00 UTC.

Case A (alice) opens at 00:30 local on the 9th (23:30 UTC on the 8th): inside the period, though its UTC
date is the 8th. Case B (alice's other case) opens at 23:30 local on the 8th: inside the previous period.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from cases.metrics import facts
from cases.models import CaseEvent, FollowUp, Gesture, RecoveryCase, Severity, Stage
from cases.sla import clock as sla
from cases.tests.factories import CaseEventFactory, GestureFactory, RecoveryCaseFactory, RootCauseFactory
from feedback.models import Channel, Sentiment
from feedback.tests.factories import CustomerFactory, FeedbackFactory

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TIME_ZONE = "Europe/Berlin"
FROM, TO = "2026-11-09", "2026-11-15"
H = timedelta(hours=1)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@dataclass
class World:
    cases: dict
    agent: object
    other_agent: object


def case_as_given(customer, *, created, severity, owner=None, stage=Stage.NEW, **fields) -> RecoveryCase:
    """A case exactly as given: every SLA field written, none computed (the factory's clock is replaced)."""
    case = RecoveryCaseFactory(
        customer=customer, severity=severity, owner=owner, stage=stage, sla_started_at=created
    )
    clock = {"acknowledge_due_at": None, "apologize_due_at": None, "resolve_due_at": None, "sla_due_at": None}
    RecoveryCase.objects.filter(pk=case.pk).update(created_at=created, **{**clock, **fields})
    case.refresh_from_db()
    sla.measure_time_to_stages(case)  # what the workflow does on reaching each stage
    case.save(update_fields=list(sla.TIME_TO_STAGE.values()))
    return case


def _feedback(customer, *, at, rating, case=None, channel=Channel.WEB, touchpoint="delivery"):
    sentiment = Sentiment.NEGATIVE if rating <= 2 else Sentiment.POSITIVE
    return FeedbackFactory(
        customer=customer, case=case, rating=rating, sentiment=sentiment, channel=channel,
        touchpoint=touchpoint, occurred_at=at, received_at=at,
    )  # fmt: skip


def build(agent, other_agent) -> World:
    alice, bob, carol, dave = (
        CustomerFactory(external_id=f"C-{n}") for n in ("alice", "bob", "carol", "dave")
    )
    b = case_as_given(
        alice, created=at(8, 22, 30), severity=Severity.MEDIUM,
        acknowledge_due_at=at(9, 2, 30), apologize_due_at=at(9, 6, 30), resolve_due_at=at(12, 2, 30),
        sla_due_at=at(9, 2, 30),
    )  # fmt: skip
    a = case_as_given(
        alice, created=at(8, 23, 30), severity=Severity.HIGH, owner=agent, stage=Stage.RESOLVED,
        is_repeat=True, acknowledged_at=at(9, 0, 30), apologized_at=at(9, 1, 30), resolved_at=at(9, 4, 30),
        acknowledge_due_at=at(9, 0, 30), apologize_due_at=at(9, 1, 30), resolve_due_at=at(9, 23, 30),
    )  # fmt: skip
    c = case_as_given(
        bob, created=at(10, 10), severity=Severity.CRITICAL, owner=agent, channel=Channel.EMAIL,
        on_hold_since=at(10, 10, 5),
        acknowledge_due_at=at(10, 10, 15), apologize_due_at=at(10, 10, 30), resolve_due_at=at(10, 14),
        sla_due_at=at(10, 10, 15),
    )  # fmt: skip
    d = case_as_given(
        carol, created=at(11, 9), severity=Severity.MEDIUM, owner=other_agent, stage=Stage.ACKNOWLEDGED,
        reopen_count=1, escalation_level=1, acknowledged_at=at(11, 9, 30),
        acknowledge_due_at=at(14, 16), apologize_due_at=at(14, 20), resolve_due_at=at(17, 12),
        sla_due_at=at(14, 20),
    )  # fmt: skip
    e = case_as_given(
        dave, created=at(12, 8), severity=Severity.LOW, owner=agent, stage=Stage.CLOSED,
        channel=Channel.PHONE, escalation_level=2,
        acknowledged_at=at(12, 10), closed_at=at(14, 8),
        acknowledge_due_at=at(13, 8), apologize_due_at=at(12, 16), resolve_due_at=at(15, 8),
    )  # fmt: skip
    f = case_as_given(
        dave, created=at(20, 11), severity=Severity.LOW, acknowledge_due_at=at(21, 11), sla_due_at=at(21, 11)
    )
    cases = {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f}

    originating = {
        "B": _feedback(alice, at=at(8, 22, 30), rating=1, case=b, touchpoint="checkout"),
        "A": _feedback(alice, at=at(8, 23, 30), rating=2, case=a),
        "C": _feedback(bob, at=at(10, 10), rating=1, case=c, channel=Channel.EMAIL),
        "D": _feedback(carol, at=at(11, 9), rating=2, case=d),
        "E": _feedback(dave, at=at(12, 8), rating=2, case=e, channel=Channel.PHONE),
        "F": _feedback(dave, at=at(20, 11), rating=1, case=f),
    }
    for name, fb in originating.items():
        RecoveryCase.objects.filter(pk=cases[name].pk).update(originating_feedback=fb)
    _feedback(alice, at=at(12, 20), rating=5, case=a, channel=Channel.SURVEY)  # A's survey answer
    _feedback(carol, at=at(14, 12), rating=2, case=d, channel=Channel.SURVEY)  # D's: reopens it
    _feedback(alice, at=at(13, 9), rating=4)  # alice, after her recovery: better than the 2 she began with
    _feedback(bob, at=at(15, 22, 30), rating=5, channel=Channel.APP)  # 23:30 local on the 15th: inside
    _feedback(bob, at=at(15, 23, 30), rating=5, channel=Channel.APP)  # 00:30 local on the 16th: outside

    FollowUp.objects.create(case=a, due_at=at(12, 10), done_at=at(12, 20), satisfaction=5, outcome="Happy")
    FollowUp.objects.create(
        case=d, due_at=at(13, 9), done_at=at(14, 12), satisfaction=2, outcome="Still broken"
    )
    reopen = CaseEventFactory(
        case=d, kind=CaseEvent.Kind.STAGE_CHANGED, from_stage=Stage.RESOLVED, to_stage=Stage.ACKNOWLEDGED,
        data={"action": "reopen", "by": "customer"},
    )  # fmt: skip
    CaseEvent.objects.filter(pk=reopen.pk).update(created_at=at(14, 12))

    for case, kind, amount, status, created in (
        (a, Gesture.Kind.VOUCHER, "20.00", Gesture.Status.GRANTED, at(10, 9)),
        (d, Gesture.Kind.REFUND, "15.50", Gesture.Status.APPROVED, at(12, 9)),
        (e, Gesture.Kind.GIFT, "10.00", Gesture.Status.PENDING_APPROVAL, at(19, 12)),
    ):
        gesture = GestureFactory(
            case=case, kind=kind, amount=Decimal(amount), status=status, requested_by=agent
        )
        Gesture.objects.filter(pk=gesture.pk).update(created_at=created)

    RootCauseFactory(title="Courier misses the slot").cases.add(a, d)
    RootCauseFactory(title="Checkout timeout").cases.add(b)
    # The rows above are written as given, not through the services that keep facts.
    facts.refresh()
    facts.refresh_complaints()
    return World(cases=cases, agent=agent, other_agent=other_agent)
