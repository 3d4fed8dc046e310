"""Demo data for `make run`: logins, ~200 customers, and cases in every stage and severity.

Cases reach their stage through `cases.workflow`, each action (and each gesture and root-cause link)
at a plausible moment in the past (the clock is moved with time_machine), so timelines, SLA states and
dashboards look like a real support desk rather than a hundred cases all acted on in the same second.

What the desk's sweeps would have done by now (SLA warnings, breaches, escalations, follow-up
reminders) is on the timelines already, each at the moment it came due, without emails, so the first
sweep of `make run` starts calm. Each customer became one before their first feedback.

Idempotent: everything is written in one transaction, and the presence of customer DEMO-0001 means
it was written before.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from faker import Faker

from cases import outbox, response_templates, root_causes, services, workflow
from cases.devdata.demo_texts import APOLOGIES, FOLLOW_UPS, PRAISE, PROBLEMS, RESPONSE_TEMPLATES, ROOT_CAUSES
from cases.follow_ups import sweep as follow_up_sweep
from cases.gestures import rates
from cases.gestures import services as gestures
from cases.models import FollowUp, Gesture, Notification, RecoveryCase, RootCause, Severity, SLAAlarm, Stage
from cases.sla import clock as sla
from cases.sla import sweep as sla_sweep
from feedback.models import Channel, Customer, Feedback, Sentiment
from recovery import accounts
from recovery.errors import NotPermitted
from recovery.roles import STAFF_ROLES
from recovery.sign_in.demo_logins import DEMO_LOGINS, DemoLogin

SEED = 20240601
CUSTOMER_COUNT = 200
CASES_PER_STAGE_AND_SEVERITY = 5
# The last cases go, where one fits, to a customer whose earlier case was closed by then: repeat failures.
REPEAT_CASES = 10


# Older than any demo case (the oldest closed ones are about 50 days old).
ROOT_CAUSES_AGE = timedelta(days=120)
# Age of an open case as a multiple of its running target: on track, on track, at risk, breached, breached.
AGE_OF_TARGET = (0.2, 0.5, 0.85, 1.5, 6.0)
FLOW = ("acknowledge", "apologize", "resolve", "follow_up", "close")
STAGES = (Stage.NEW, Stage.ACKNOWLEDGED, Stage.APOLOGIZED, Stage.RESOLVED, Stage.FOLLOWED_UP, Stage.CLOSED)


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    customers: int
    cases: int
    feedback: int


def seed(*, now: datetime | None = None, outside_debug: bool = False) -> DemoSummary:
    """Ensure the demo logins exist (with the printed passwords) and write the demo data once.

    The demo passwords are published (the sign-in page lists them in DEBUG), so with DEBUG off, where
    this may well be production, it refuses (NotPermitted, nothing written) unless `outside_debug`
    says the operator knows it is not.
    """
    if not settings.DEBUG and not outside_debug:
        raise NotPermitted(
            "Demo logins have published passwords (admin / admin-demo-pw signs in to /admin/): "
            "they are created only with DEBUG on."
        )
    now = now or timezone.now()
    users = {login.username: ensure_login(login) for login in DEMO_LOGINS}
    created = False
    if not Customer.objects.filter(external_id=_external_id(1)).exists():
        with transaction.atomic():
            _write_demo_data(users, now=now)
        created = True
    demo = Customer.objects.filter(external_id__startswith="DEMO-")
    return DemoSummary(
        created=created,
        customers=demo.count(),
        cases=RecoveryCase.objects.filter(customer__in=demo).count(),
        feedback=Feedback.objects.filter(customer__in=demo).count(),
    )


def ensure_login(login: DemoLogin):
    User = get_user_model()
    user, _ = User.objects.get_or_create(
        username=login.username,
        defaults={"first_name": login.first_name, "email": f"{login.username}@example.com"},
    )
    if login.role is None and not (user.is_superuser and user.is_staff):
        user.is_superuser = user.is_staff = True
        user.save(update_fields=["is_superuser", "is_staff"])
    if not user.check_password(login.password):  # someone changed it: the printed login must work
        user.set_password(login.password)
        user.save(update_fields=["password"])
    if login.role is not None:
        accounts.grant_role(user=user, role=login.role)
        if user.is_staff and login.role not in STAFF_ROLES:  # the demo agent of an older `make run`
            user.is_staff = False
            user.save(update_fields=["is_staff"])
    return user


def _external_id(number: int) -> str:
    return f"DEMO-{number:04d}"


def _write_demo_data(users: dict, *, now: datetime) -> None:
    rng = random.Random(SEED)
    customers = _create_customers(rng)
    with time_machine.travel(now - ROOT_CAUSES_AGE, tick=False):  # known before the cases linked to them
        causes = _create_root_causes(users["manager"], now=now)
    _keep_exchange_rates(users["manager"], now=now)
    plans = [
        (stage, severity, variant)
        for stage in STAGES
        for severity in Severity.values
        for variant in range(CASES_PER_STAGE_AND_SEVERITY)
    ]
    played: list[RecoveryCase] = []
    for number, (stage, severity, variant) in enumerate(plans):
        repeat = number >= len(plans) - REPEAT_CASES
        customer = customers[number]
        if repeat:
            complained_at, _ = _plan(sla.policy_for(severity), stage, variant, now=now)
            customer = _returning_customer(played, before=complained_at) or customer
            repeat = customer != customers[number]
        problem = PROBLEMS[number % len(PROBLEMS)]
        case = _play_case(rng, users, customer, problem, stage, severity, variant, repeat=repeat, now=now)
        played.append(case)
        # Each at a plausible moment of the case's past, as its stages were, never at seed time.
        if case.resolved_at and case.is_open and variant % 2 == 0:  # closed cases take no new gestures
            with time_machine.travel(
                _soon_after(case.resolved_at, timedelta(minutes=3), now=now), tick=False
            ):
                _grant_gesture(rng, case, users["agent"])
        if case.apologized_at and variant != 1:
            with time_machine.travel(
                _soon_after(case.apologized_at, timedelta(minutes=40), now=now), tick=False
            ):
                _link_root_cause(case, causes[problem[4]], users["manager"])
    _create_praise(rng, customers, now=now)
    for kind, name, body in RESPONSE_TEMPLATES:
        response_templates.create(actor=users["manager"], kind=kind, name=name, body=body)
    _settle_the_past(now=now)
    _date_customers(rng, customers, now=now)


def _soon_after(moment: datetime, delay: timedelta, *, now: datetime) -> datetime:
    """`delay` after `moment`, or halfway to `now` when that comes sooner: still in the past."""
    return min(moment + delay, moment + (now - moment) / 2)


def _returning_customer(played: list[RecoveryCase], *, before: datetime) -> Customer | None:
    """A customer with one case only, closed before `before`: a customer has one open case at a time."""
    cases_of: dict[int, list[RecoveryCase]] = {}
    for case in played:
        cases_of.setdefault(case.customer_id, []).append(case)
    for cases in cases_of.values():
        (case, *others) = cases
        if not others and case.closed_at is not None and case.closed_at < before:
            return case.customer
    return None


def _settle_the_past(*, now: datetime) -> None:
    """Sweep as the desk's beat would have, at each moment something came due up to `now` (the clock
    moved there, so every warning, breach, escalation and reminder is stamped when it happened), and
    drop the emails the sweeps wrote: they belong to the past. The alerts stay on the timelines,
    claimed, so the first real sweep sends nothing old."""
    first_new = (Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    with outbox.kept_back():
        moment = _next_due(after=None)
        while moment is not None and moment <= now:
            with time_machine.travel(moment, tick=False):
                sla_sweep.sweep(now=moment)
                follow_up_sweep.sweep(now=moment)
            moment = _next_due(after=moment)
    Notification.objects.filter(pk__gte=first_new).delete()


def _next_due(*, after: datetime | None) -> datetime | None:
    """The next moment a sweep has something to do: an SLA alarm rings, a follow-up falls due or
    becomes overdue. Each sweep handles all up to its moment, so the moments only move on; `after`
    guards against an alarm that would not."""
    pending = FollowUp.objects.filter(done_at__isnull=True)
    moments = [
        SLAAlarm.objects.aggregate(at=Min("rings_at"))["at"],
        pending.filter(reminded_at__isnull=True).aggregate(at=Min("due_at"))["at"],
    ]
    overdue = pending.filter(escalated_at__isnull=True).aggregate(at=Min("due_at"))["at"]
    if overdue is not None:
        moments.append(overdue + follow_up_sweep.ESCALATE_AFTER)
    upcoming = [m for m in moments if m is not None and (after is None or m > after)]
    return min(upcoming, default=None)


def _date_customers(rng: random.Random, customers: list[Customer], *, now: datetime) -> None:
    """A customer became one some months before their first feedback (or, without any, before now):
    the customer screen's "Customer since" must not follow the complaints it lists."""
    first_seen = dict(
        Feedback.objects.filter(customer__in=customers)
        .order_by()
        .values("customer_id")
        .annotate(first=Min("occurred_at"))
        .values_list("customer_id", "first")
    )
    for customer in customers:
        customer.created_at = first_seen.get(customer.pk, now) - timedelta(days=rng.randint(30, 900))
    Customer.objects.bulk_update(customers, ["created_at"])


def _create_customers(rng: random.Random) -> list[Customer]:
    fake = Faker("en_US")
    fake.seed_instance(SEED)
    customers = []
    for number in range(1, CUSTOMER_COUNT + 1):
        first, last = fake.first_name(), fake.last_name()
        customers.append(
            Customer(
                external_id=_external_id(number),
                name=f"{first} {last}",
                email=f"{first}.{last}{number}@example.com".lower(),
                phone=fake.numerify("+1-###-###-####"),
                segment=rng.choice(("standard", "standard", "standard", "premium", "business")),
            )
        )
    return Customer.objects.bulk_create(customers)


def _create_root_causes(owner, *, now: datetime) -> dict[str, RootCause]:
    created = {}
    for key, (title, category, status, action) in ROOT_CAUSES.items():
        created[key] = RootCause.objects.create(
            title=title,
            category=category,
            status=status,
            corrective_action=action,
            owner=owner,
            verified_at=now - timedelta(days=2) if status == RootCause.Status.VERIFIED else None,
        )
    return created


def _play_case(rng, users, customer, problem, stage, severity, variant, *, repeat, now) -> RecoveryCase:
    touchpoint, title, complaint, resolution, _ = problem
    policy = sla.policy_for(severity)
    complained_at, steps = _plan(policy, stage, variant, now=now)
    channel = rng.choice(Channel.values)
    with time_machine.travel(complained_at, tick=False):
        case = services.open_case(
            customer=customer,
            title=title,
            severity=severity,
            channel=channel,
            description=complaint,
            complained_at=complained_at,
            is_repeat=repeat,
        )
        feedback = Feedback.objects.create(
            customer=customer,
            channel=channel,
            rating=rng.choice((1, 1, 2)),
            nps=rng.choice((None, 0, 2, 4)),
            comment=complaint,
            touchpoint=touchpoint,
            occurred_at=complained_at - timedelta(minutes=rng.randint(5, 600)),
            received_at=complained_at,
            sentiment=Sentiment.NEGATIVE,
            case=case,
            metadata={"source": "seed_demo"},
        )
        # The case had to exist first: the database refuses negative feedback without its case.
        services.link_originating_feedback(case=case, feedback=feedback)
    actor = users["agent2"] if variant == 3 else users["agent"]
    payloads = {
        "apologize": {"note": rng.choice(APOLOGIES)},
        "resolve": {"resolution": resolution},
        "follow_up": dict(zip(("outcome", "satisfaction"), rng.choice(FOLLOW_UPS), strict=True)),
    }
    for moment, action, payload in steps:
        with time_machine.travel(moment, tick=False):
            who = users["manager"] if "reason" in payload and action == "close" else actor
            workflow.perform(action, case_id=case.pk, actor=who, **{**payloads.get(action, {}), **payload})
    case.refresh_from_db()
    return case


def _plan(policy, stage: str, variant: int, *, now: datetime) -> tuple[datetime, list]:
    """When the customer complained, and (moment, action, extra payload) for each step to `stage`."""
    targets = (policy.acknowledge_within, policy.apologize_within, policy.resolve_within)
    reached = STAGES.index(stage)
    if stage == Stage.CLOSED and variant == 4:  # a manager closes a duplicate before any work is done
        complained_at = now - timedelta(days=3)
        return complained_at, [(complained_at + timedelta(hours=2), "close", {"reason": "Duplicate case."})]
    if stage == Stage.ACKNOWLEDGED and variant == 3:  # followed up unhappy, then reopened
        return _reopened_plan(policy, now=now)
    if reached < 3:  # the running target is acknowledge, apologize or resolve: age it against that
        age = targets[reached] * AGE_OF_TARGET[variant]
        complained_at = now - age
        moments = [complained_at + age * (step + 1) / (reached + 1) * 0.9 for step in range(reached)]
        return complained_at, [(moment, FLOW[i], {}) for i, moment in enumerate(moments)]
    if stage == Stage.RESOLVED:  # the running target is the follow-up, counted from resolving
        resolved_at = now - policy.follow_up_after * AGE_OF_TARGET[variant]
    else:
        resolved_at = now - timedelta(days=6 + 9 * variant) - policy.follow_up_after
    return _worked_plan(policy, resolved_at, reached)


def _worked_plan(policy, resolved_at: datetime, reached: int) -> tuple[datetime, list]:
    """A case worked within its targets up to resolving, then followed up and closed on time."""
    complained_at = resolved_at - policy.resolve_within * 0.6
    moments = [
        complained_at + policy.acknowledge_within * 0.5,
        complained_at + policy.apologize_within * 0.7,
        resolved_at,
        resolved_at + policy.follow_up_after,
        resolved_at + policy.follow_up_after + timedelta(hours=2),
    ]
    return complained_at, [(moments[i], FLOW[i], {}) for i in range(reached)]


def _reopened_plan(policy, *, now: datetime) -> tuple[datetime, list]:
    resolved_at = now - timedelta(days=5)
    complained_at, steps = _worked_plan(policy, resolved_at, reached=4)
    reopen_at = now - policy.apologize_within * 0.3
    unhappy = {"outcome": "Replacement arrived broken as well; customer is upset.", "satisfaction": 1}
    steps[3] = (steps[3][0], "follow_up", unhappy)
    steps.append((reopen_at, "reopen", {"reason": "Follow-up went badly: the replacement is broken too."}))
    return complained_at, steps


# Illustrative rates (what 1 EUR bought late in 2026), so the demo prices a gesture in pounds or dollars
# against the agents' limit; a currency left out (KWD) shows that a gesture without a rate always waits.
DEMO_RATES = {"GBP": "0.85", "USD": "1.08", "CHF": "0.94", "JPY": "162"}


def _keep_exchange_rates(manager, *, now: datetime) -> None:
    for currency, rate in DEMO_RATES.items():
        if currency != rates.base_currency():  # the base currency needs no rate
            rates.set_rate(
                actor=manager, currency=currency, units_per_base=rate, as_of=(now - timedelta(days=7)).date()
            )


def _grant_gesture(rng: random.Random, case: RecoveryCase, agent) -> None:
    kind = rng.choice((Gesture.Kind.REFUND, Gesture.Kind.VOUCHER, Gesture.Kind.FEE_WAIVER, Gesture.Kind.GIFT))
    gestures.request_gesture(
        case_id=case.pk,
        actor=agent,
        kind=kind,
        amount=Decimal(rng.choice(("10.00", "15.00", "25.00", "40.00"))),
        currency="EUR",
        description=f"{Gesture.Kind(kind).label} for the trouble.",
    )


def _link_root_cause(case: RecoveryCase, root_cause: RootCause, manager) -> None:
    root_causes.link_case(root_cause_id=root_cause.pk, case_id=case.pk, actor=manager)


def _create_praise(rng: random.Random, customers: list[Customer], *, now: datetime) -> None:
    """Positive and neutral feedback that opened no case: most signals are not complaints."""
    rows = []
    for number in range(150):
        comment = PRAISE[number % len(PRAISE)]
        neutral = comment.startswith("Okay")
        received_at = now - timedelta(days=rng.randint(0, 90), minutes=rng.randint(0, 1440))
        rows.append(
            Feedback(
                customer=rng.choice(customers),
                channel=rng.choice(Channel.values),
                rating=3 if neutral else rng.choice((4, 5)),
                nps=rng.choice((None, 7, 8)) if neutral else rng.choice((None, 9, 10)),
                comment=comment,
                touchpoint=rng.choice(("checkout", "delivery", "store visit", "mobile app")),
                occurred_at=received_at - timedelta(minutes=rng.randint(1, 120)),
                received_at=received_at,
                sentiment=Sentiment.NEUTRAL if neutral else Sentiment.POSITIVE,
                metadata={"source": "seed_demo"},
            )
        )
    Feedback.objects.bulk_create(rows)
