"""Benchmark volume: many realistic cases, fast. PostgreSQL gets COPY; SQLite gets executemany.

Rows are built in Python and streamed in batches, bypassing the ORM's per-row cost. What makes them
realistic: about one customer per three cases, one negative originating feedback per case with a
varied English comment, a mix of stages and severities, complaints spread over half a year, and SLA
fields computed by `cases.sla.clock` itself, so benchmarks read the same shapes production writes.

Ids are assigned here (after the current maximum) so a case and its feedback can point at each other
in one batch; the sequences are reset afterwards. Run it on a quiet database: concurrent inserts
into these tables while it runs could take the same ids.
"""

import csv
import io
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Max
from django.utils import timezone
from faker import Faker

from cases.models import (
    STAGE_DUE_FIELDS,
    STAGE_TIMESTAMP_FIELDS,
    FollowUp,
    RecoveryCase,
    Severity,
    SLAAlarm,
    Stage,
)
from cases.sla import clock as sla
from feedback.models import Channel, Customer, Feedback, Sentiment
from recovery import accounts
from recovery.roles import Role

# Cases per transaction: about 15 MB of CSV, and a batch that fails loses seconds, not minutes.
BATCH_SIZE = 10_000
HISTORY = timedelta(days=180)
# Complaints whose clock must have run out start at least this long ago: longer than the slowest
# default path from complaint to follow-up due (7 days to resolve, 3 days to follow up, late steps).
DUE_AT_LEAST = timedelta(days=16)
LOAD_AGENT_COUNT = 20
NULL = r"\N"  # the NULL marker of the COPY statements below; never a value any row carries

STAGE_WEIGHTS = {
    Stage.NEW: 15,
    Stage.ACKNOWLEDGED: 15,
    Stage.APOLOGIZED: 10,
    Stage.RESOLVED: 10,
    Stage.FOLLOWED_UP: 5,
    Stage.CLOSED: 45,
}
RUNNING_STAGES = (Stage.NEW, Stage.ACKNOWLEDGED, Stage.APOLOGIZED, Stage.RESOLVED)
SEVERITY_WEIGHTS = {Severity.LOW: 30, Severity.MEDIUM: 40, Severity.HIGH: 22, Severity.CRITICAL: 8}
SEVERITIES, SEVERITY_CHANCES = list(SEVERITY_WEIGHTS), list(SEVERITY_WEIGHTS.values())
CHANNELS = Channel.values
ORDER = tuple(STAGE_WEIGHTS)  # stages in workflow order

CUSTOMER_COLUMNS = ("id", "external_id", "name", "email", "phone", "segment", "created_at", "updated_at")
# Named explicitly: columns added later with a database default are filled by the database.
CASE_COLUMNS = (
    "id", "customer_id", "originating_feedback_id", "channel", "title", "description", "severity", "stage",
    "owner_id", "created_at", "updated_at", "acknowledged_at", "apologized_at", "resolved_at",
    "followed_up_at", "closed_at", "sla_started_at", *STAGE_DUE_FIELDS.values(), "sla_due_at", "sla_warn_at",
    "escalation_level",
    "resolution_summary", "close_reason", "is_repeat", "reopen_count", "version", "time_to_acknowledge",
    "time_to_resolve", "touchpoint", "opening_rating",
)  # fmt: skip
STAGE_FIELDS = tuple(STAGE_TIMESTAMP_FIELDS.values())
SLA_FIELDS = (
    "sla_started_at", *STAGE_DUE_FIELDS.values(), "sla_due_at", "sla_warn_at",
)  # fmt: skip
FEEDBACK_COLUMNS = (
    "id", "customer_id", "channel", "rating", "nps", "comment", "touchpoint", "occurred_at", "received_at",
    "metadata", "sentiment", "case_id", "client_id", "idempotency_key", "request_fingerprint",
)  # fmt: skip
FOLLOW_UP_COLUMNS = ("case_id", "due_at", "done_at", "channel", "outcome", "satisfaction", "created_at")

# (touchpoint, title, what went wrong): {order}, {item}, {days}, {minutes}, {amount}, {city}, {day}
PROBLEMS = (
    ("delivery", "Late delivery", "my order {order} arrived {days} days late"),
    ("delivery", "Damaged parcel", "the {item} from order {order} arrived broken"),
    ("delivery", "Missing item", "the {item} was missing from order {order}"),
    ("checkout", "Charged twice", "I was charged twice for order {order}"),
    ("checkout", "Voucher refused", "my voucher was refused at checkout for the {item}"),
    ("billing", "Wrong invoice", "the invoice for order {order} is {amount} EUR higher than agreed"),
    ("support call", "Long wait on the phone", "I waited {minutes} minutes on hold and got cut off"),
    ("support call", "Rude agent", "the agent I spoke to on {day} was rude and hung up on me"),
    ("mobile app", "App crash at payment", "the app crashes every time I try to pay for the {item}"),
    ("account login", "Locked out", "I cannot log in to my account since {day}"),
    ("returns", "Refund missing", "I returned the {item} {days} weeks ago and still have no refund"),
    (
        "store visit",
        "Nobody in store",
        "nobody was at the counter of your {city} store for {minutes} minutes",
    ),
    ("installation", "Technician no-show", "the technician did not show up on {day} to install the {item}"),
)
OPENINGS = (
    "Really disappointed:", "This is unacceptable,", "Third time this happens:", "Honestly,",
    "I have been a loyal customer for years and", "Very unhappy.", "Hello,", "Terrible experience,",
)  # fmt: skip
CLOSINGS = (
    "Please call me back.", "I want my money back.", "Nobody answers my emails.", "Fix this please.",
    "I will cancel my subscription.", "Very frustrating.", "Expecting an answer today.", "",
)  # fmt: skip
ITEMS = (
    "jacket",
    "coffee machine",
    "phone",
    "sofa",
    "headphones",
    "lamp",
    "laptop",
    "bike",
    "kettle",
    "tent",
)
CITIES = ("Leeds", "Lyon", "Porto", "Austin", "Graz", "Turin", "Ghent", "Malmo", "Cork", "Bremen")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
RESOLUTIONS = (
    "Refunded the order and apologised by phone.",
    "Sent a replacement by express courier.",
    "Waived this month's fee and fixed the invoice.",
    "Issued a voucher and escalated to the carrier.",
)
OUTCOMES = (("Customer happy again.", 5), ("Customer satisfied.", 4), ("Customer still a bit annoyed.", 3))


@dataclass(frozen=True)
class LoadResult:
    customers: int
    cases: int


def generate(
    *,
    cases: int,
    open_only: bool = False,
    due_fraction: float = 0.1,
    seed: int = 1,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[int], None] | None = None,
) -> LoadResult:
    """Write `cases` cases (each with its feedback) and about a third as many customers.

    `due_fraction` of the cases have their running SLA target already past (warning and due moment);
    every other open case has both still ahead, as of the moment its batch is written (or of `now`,
    when given). `open_only` leaves out closed cases.
    """
    plan = _Plan(rng=random.Random(seed), now=now, open_only=open_only, due_fraction=due_fraction)
    customer_count = max(1, cases // 3)
    first_customer = _next_id(Customer)
    _write_customers(plan, first_customer, customer_count, batch_size)
    plan.customer_ids = (first_customer, customer_count)
    plan.owner_ids = _load_agents()
    _write_cases(plan, cases, batch_size, on_batch)
    _reset_sequences()
    _analyze()
    return LoadResult(customers=customer_count, cases=cases)


class _Plan:
    """Builds the rows; every random choice comes from one seeded generator."""

    def __init__(self, *, rng: random.Random, now: datetime | None, open_only: bool, due_fraction: float):
        if not 0 <= due_fraction <= 1:
            raise ValueError("due_fraction is between 0 and 1")
        self.rng, self.due_fraction = rng, due_fraction
        self.fixed_now, self.now = now, now or timezone.now()
        weights = {s: w for s, w in STAGE_WEIGHTS.items() if not (open_only and s == Stage.CLOSED)}
        self.stages, self.stage_weights = list(weights), list(weights.values())
        self.running_weights = [STAGE_WEIGHTS[s] for s in RUNNING_STAGES]
        self.policies = {severity: sla.policy_for(severity) for severity in Severity.values}
        self.customer_ids: tuple[int, int] = (0, 0)
        self.owner_ids: list[int] = []
        # One unsaved case reused for every row: `cases.sla.clock` computes on it, and building a model
        # instance per row would cost more than the rest of the row.
        self.clock = RecoveryCase()

    def tick(self) -> None:
        """Take the time again: a million cases take minutes, and a critical case's first warning
        comes eleven minutes after the complaint, so "ahead" must mean ahead when the row is written."""
        self.now = self.fixed_now or timezone.now()

    def is_due(self, number: int) -> bool:
        # Exactly floor(n * fraction) of the first n cases are due, spread evenly through the ids.
        return int((number + 1) * self.due_fraction) > int(number * self.due_fraction)

    def case(
        self, number: int, case_id: int, feedback_id: int
    ) -> tuple[tuple, tuple, tuple | None, tuple | None]:
        rng = self.rng
        due = self.is_due(number)
        if due:
            stage = rng.choices(RUNNING_STAGES, self.running_weights)[0]
        else:
            stage = rng.choices(self.stages, self.stage_weights)[0]
        severity = rng.choices(SEVERITIES, SEVERITY_CHANCES)[0]
        case = self.timeline(severity, stage, due=due)
        first_customer, customer_count = self.customer_ids
        customer_id = first_customer + rng.randrange(customer_count)
        channel = rng.choice(CHANNELS)
        touchpoint, title, comment = self.complaint()
        reached = ORDER.index(stage)
        stamps = [getattr(case, field) for field in STAGE_FIELDS]
        case_row = (
            case_id, customer_id, feedback_id, channel, title, comment, severity, stage,
            rng.choice(self.owner_ids) if reached else None,
            case.sla_started_at, max(filter(None, stamps), default=case.sla_started_at), *stamps,
            *(getattr(case, field) for field in SLA_FIELDS),
            0, rng.choice(RESOLUTIONS) if case.resolved_at else "", "", rng.random() < 0.1, 0, reached,
            case.time_to_acknowledge, case.time_to_resolve,
        )  # fmt: skip
        feedback_row = (
            feedback_id, customer_id, channel, rng.choice((1, 1, 2)), rng.choice((None, 0, 2, 4, 6)),
            comment, touchpoint, case.sla_started_at - timedelta(minutes=rng.randint(1, 600)),
            case.sla_started_at, {"source": "seed_load"}, Sentiment.NEGATIVE, case_id, None, None, "",
        )  # fmt: skip
        case_row += (touchpoint, feedback_row[FEEDBACK_COLUMNS.index("rating")])  # the complaint's facts
        return case_row, feedback_row, self.follow_up(case, case_id, channel), self.alarm(case, case_id)

    def complaint(self) -> tuple[str, str, str]:
        rng = self.rng
        touchpoint, title, problem = rng.choice(PROBLEMS)
        order = rng.randint(10_000, 99_999)
        what = problem.format(
            order=order,
            item=rng.choice(ITEMS),
            days=rng.randint(2, 9),
            minutes=rng.randint(15, 90),
            amount=rng.randint(5, 120),
            city=rng.choice(CITIES),
            day=rng.choice(DAYS),
        )
        comment = f"{rng.choice(OPENINGS)} {what}. {rng.choice(CLOSINGS)}".strip()
        return touchpoint, f"{title}: order {order}", comment

    def timeline(self, severity: str, stage: str, *, due: bool) -> RecoveryCase:
        """Stage moments and SLA fields of a case, so that its running target is past exactly when `due`."""
        case = self.clock
        case.severity, case.stage = severity, stage
        reached = ORDER.index(stage)
        steps = self.steps(case.severity)
        if due or case.stage not in RUNNING_STAGES:
            start = self.now - timedelta(
                seconds=self.rng.uniform(DUE_AT_LEAST.total_seconds(), HISTORY.total_seconds())
            )
            moments = [min(start + step, self.now) for step in steps[:reached]]
            self.apply(case, start, moments)
            while due and case.sla_due_at > self.now:  # a policy longer than the defaults: go further back
                shift = case.sla_due_at - self.now + timedelta(days=1)
                start, moments = start - shift, [moment - shift for moment in moments]
                self.apply(case, start, moments)
            return case
        start, moments = self.recent(case, steps, reached)
        self.apply(case, start, moments)
        if case.sla_warn_at <= self.now:  # business-time targets can be shorter in wall time: start now
            self.apply(case, self.now, [self.now] * reached)
        return case

    def steps(self, severity: str) -> list[timedelta]:
        """Offsets from the complaint of acknowledging ... closing: mostly, not always, within target."""
        policy, rng = self.policies[severity], self.rng
        acknowledged = policy.acknowledge_within * rng.uniform(0.1, 1.3)
        apologized = acknowledged + (policy.apologize_within - policy.acknowledge_within) * rng.uniform(
            0.1, 1.3
        )
        resolved = apologized + (policy.resolve_within - policy.apologize_within) * rng.uniform(0.1, 1.2)
        followed_up = resolved + policy.follow_up_after * rng.uniform(0.9, 1.3)
        closed = followed_up + timedelta(minutes=rng.randint(5, 2880))
        return [acknowledged, apologized, resolved, followed_up, closed]

    def recent(self, case: RecoveryCase, steps: list[timedelta], reached: int) -> tuple[datetime, list]:
        """A start and stage moments that leave the running target's warning still ahead of now."""
        policy, rng, now = self.policies[case.severity], self.rng, self.now
        fraction = float(policy.warn_at_fraction) * rng.uniform(0, 0.95)
        if case.stage == Stage.RESOLVED:  # the follow-up clock counts from resolving
            resolved = now - policy.follow_up_after * fraction
            start = resolved - steps[2]
            return start, [start + step for step in steps[:2]] + [resolved]
        running = (policy.acknowledge_within, policy.apologize_within, policy.resolve_within)[reached]
        start = now - running * fraction
        elapsed = now - start
        return start, [start + elapsed * share for share in sorted(rng.random() for _ in range(reached))]

    def apply(self, case: RecoveryCase, start: datetime, moments: list[datetime]) -> None:
        """Set the clock as `services.open_case` would, then the stages reached at `moments`."""
        policy = self.policies[case.severity]
        for field in STAGE_FIELDS:
            setattr(case, field, None)
        case.follow_up_due_at = None
        sla.start_clock(case, start=start, policy=policy)
        for field, moment in zip(STAGE_FIELDS, moments, strict=False):
            setattr(case, field, moment)
        if case.resolved_at:
            case.follow_up_due_at = sla.add_target(policy, case.resolved_at, policy.follow_up_after)
        sla.refresh_running_target(case, policy=policy)
        case.created_at = start  # the row opens the case when the customer complained
        sla.measure_time_to_stages(case, policy=policy)

    def alarm(self, case: RecoveryCase, case_id: int) -> tuple | None:
        """The case's SLA alarm, as `sla.set_alarm` would set it: a due case's rings now, so the next
        sweep finds it."""
        rings_at = sla.next_alert_at(case, self.policies[case.severity])
        return None if rings_at is None else (case_id, rings_at)

    def follow_up(self, case: RecoveryCase, case_id: int, channel: str) -> tuple | None:
        if case.resolved_at is None:
            return None
        outcome, satisfaction = self.rng.choice(OUTCOMES) if case.followed_up_at else ("", None)
        return (
            case_id, case.follow_up_due_at, case.followed_up_at, channel, outcome, satisfaction,
            case.resolved_at,
        )  # fmt: skip

    def customer(self, customer_id: int, names: tuple[list[str], list[str]]) -> tuple:
        rng = self.rng
        first, last = rng.choice(names[0]), rng.choice(names[1])
        joined = self.now - HISTORY - timedelta(days=rng.randint(1, 900))
        return (
            customer_id, f"LOAD-{customer_id:09d}", f"{first} {last}",
            f"{first}.{last}.{customer_id}@example.com".lower(), f"+1-555-{rng.randrange(10**7):07d}",
            rng.choice(("standard", "standard", "standard", "premium", "business")), joined, joined,
        )  # fmt: skip


def _write_customers(plan: _Plan, first_id: int, count: int, batch_size: int) -> None:
    fake = Faker("en_US")
    fake.seed_instance(plan.rng.random())
    names = ([fake.first_name() for _ in range(500)], [fake.last_name() for _ in range(500)])
    for start in range(0, count, batch_size):
        rows = [plan.customer(first_id + n, names) for n in range(start, min(start + batch_size, count))]
        with transaction.atomic():
            _insert(Customer, CUSTOMER_COLUMNS, rows)


def _write_cases(plan: _Plan, count: int, batch_size: int, on_batch: Callable[[int], None] | None) -> None:
    first_case, first_feedback = _next_id(RecoveryCase), _next_id(Feedback)
    for start in range(0, count, batch_size):
        numbers = range(start, min(start + batch_size, count))
        plan.tick()
        case_rows, feedback_rows, follow_up_rows, alarm_rows = [], [], [], []
        for number in numbers:
            case, feedback, follow_up, alarm = plan.case(number, first_case + number, first_feedback + number)
            case_rows.append(case)
            feedback_rows.append(feedback)
            if follow_up:
                follow_up_rows.append(follow_up)
            if alarm:
                alarm_rows.append(alarm)
        with transaction.atomic():  # a case and its feedback point at each other: one commit for both
            _insert(RecoveryCase, CASE_COLUMNS, case_rows)
            _insert(Feedback, FEEDBACK_COLUMNS, feedback_rows)
            _insert(FollowUp, FOLLOW_UP_COLUMNS, follow_up_rows)
            _insert(SLAAlarm, ("case_id", "rings_at"), alarm_rows)
        if on_batch:
            on_batch(numbers.stop)


def _load_agents() -> list[int]:
    """The agents load cases belong to: the same few users on every run."""
    User = get_user_model()
    ids = []
    for number in range(1, LOAD_AGENT_COUNT + 1):
        user, _ = User.objects.get_or_create(username=f"load-agent-{number:02d}")
        accounts.grant_role(user=user, role=Role.AGENT)
        ids.append(user.pk)
    return ids


def _next_id(model) -> int:
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        _copy(model._meta.db_table, columns, rows)
    else:
        _execute_many(model, columns, rows)


def _copy(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '{NULL}')", buffer
        )


def _csv_value(value):
    if value is None:
        return NULL
    if isinstance(value, dict):
        return json.dumps(value)
    if isinstance(value, timedelta):
        return f"{value.total_seconds()} seconds"  # an interval PostgreSQL reads exactly
    return value


def _execute_many(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """The portable path (SQLite in tests and `make run`): values adapted by each model field."""
    by_column = {field.column: field for field in model._meta.concrete_fields}
    fields = [by_column[column] for column in columns]
    wrapper = connections[DEFAULT_DB_ALIAS]  # the backend itself: the `connection` proxy is slow per value
    adapted = [
        [
            None if value is None else field.get_db_prep_value(value, wrapper)
            for field, value in zip(fields, row, strict=True)
        ]
        for row in rows
    ]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, adapted)


def _reset_sequences() -> None:
    """Point the id sequences past the ids written here, so later ORM inserts do not collide."""
    statements = connection.ops.sequence_reset_sql(no_style(), [Customer, Feedback, RecoveryCase, FollowUp])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _analyze() -> None:
    """Fresh planner statistics: a benchmark right after loading must not run on empty-table plans."""
    tables = [model._meta.db_table for model in (Customer, Feedback, RecoveryCase, FollowUp, SLAAlarm)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {', '.join(tables)}")
        else:
            cursor.execute("ANALYZE")
