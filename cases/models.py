import functools
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.base import DEFERRED
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from recovery.parsing import whole_number

REFERENCE_PREFIX = "RC-"


class Stage(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    APOLOGIZED = "apologized", _("Apologized")
    RESOLVED = "resolved", _("Resolved")
    FOLLOWED_UP = "followed_up", _("Followed up")
    CLOSED = "closed", _("Closed")


OPEN_STAGES = tuple(s for s in Stage.values if s != Stage.CLOSED)
# The moment a case reached each stage after `new`, in workflow order: written by `cases.workflow` alone.
STAGE_TIMESTAMP_FIELDS: dict[str, str] = {
    Stage.ACKNOWLEDGED: "acknowledged_at",
    Stage.APOLOGIZED: "apologized_at",
    Stage.RESOLVED: "resolved_at",
    Stage.FOLLOWED_UP: "followed_up_at",
    Stage.CLOSED: "closed_at",
}

# SLA target -> the field that keeps when it is due. Every list of the due fields (API, admin, queue
# rows, the stage bar, the sweep, the demo loader) is read from here.
STAGE_DUE_FIELDS: dict[str, str] = {
    "acknowledge": "acknowledge_due_at",
    "apologize": "apologize_due_at",
    "resolve": "resolve_due_at",
    "follow_up": "follow_up_due_at",
}


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


# The one definition of the severity order, least severe first. Triage and "raise severity" compare
# by SEVERITY_RANK; the queue and `?ordering=severity` sort by the SQL forms below.
SEVERITY_ORDER = (Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)
SEVERITY_RANK: dict[str, int] = {severity: rank for rank, severity in enumerate(SEVERITY_ORDER)}


def _rank_sql(ranks: dict[str, int], *, default: int) -> Case:
    whens = [When(severity=severity, then=Value(rank)) for severity, rank in ranks.items()]
    return Case(*whens, default=Value(default), output_field=models.SmallIntegerField())


# SEVERITY_RANK in SQL, for sorting by severity.
SEVERITY_RANK_SQL = _rank_sql(SEVERITY_RANK, default=0)


# The queue's urgency order, as expressions the case index below and `cases.selectors.cases` share (PostgreSQL
# uses an expression index only for the very same expression). A case with no running clock sorts last
# under FAR_FUTURE rather than NULL, so keyset cursors compare plain values.
FAR_FUTURE = datetime(9999, 12, 31, tzinfo=UTC)
URGENT_DUE = Coalesce("sla_due_at", Value(FAR_FUTURE), output_field=models.DateTimeField())
# Most severe first (critical 0 ... low 3), as the `case_urgency` index was built.
SEVERITY_URGENCY = _rank_sql(
    {severity: urgency for urgency, severity in enumerate(reversed(SEVERITY_ORDER[1:]))},
    default=len(SEVERITY_ORDER) - 1,
)
# The workspace queue's due key: a case the customer reopened counts as due since their answer, so it
# sorts with the breached ones (its fresh clock is due later than that answer). See `cases.selectors.queue`.
QUEUE_DUE = Coalesce(
    "customer_unhappy_at", "sla_due_at", Value(FAR_FUTURE), output_field=models.DateTimeField()
)
QUEUE_KEYS = (SEVERITY_URGENCY, QUEUE_DUE, F("sla_warn_at"), F("id"))
RUNNING_OPEN = Q(on_hold_since__isnull=True) & ~Q(stage=Stage.CLOSED)
PAUSED_OPEN = Q(on_hold_since__isnull=False) & ~Q(stage=Stage.CLOSED)


class SLAState(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")
    PAUSED = "paused", _("Paused")  # on hold: waiting on the customer, clocks stopped


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(stage=Stage.CLOSED)

    def in_sla_state(self, state: str, now):
        """Cases whose running SLA target is in `state` at `now` (see `cases.sla.clock.sla_state`)."""
        if state == SLAState.PAUSED:
            return self.filter(on_hold_since__isnull=False)
        running = self.filter(on_hold_since__isnull=True)  # a paused case is neither at risk nor breached
        if state == SLAState.BREACHED:
            return running.filter(sla_due_at__lte=now)
        if state == SLAState.AT_RISK:
            return running.filter(sla_warn_at__lte=now, sla_due_at__gt=now)
        return running.filter(Q(sla_due_at__isnull=True) | Q(sla_warn_at__gt=now))

    def by_reference(self, reference: str):
        """Cases matching an `RC-000042` reference or a bare numeric id; empty when it is neither."""
        pk = parse_reference(reference)
        return self.filter(pk=pk) if pk is not None else self.none()


def parse_reference(reference: str | int) -> int | None:
    text = str(reference).strip().upper()
    if text.startswith(REFERENCE_PREFIX):
        text = text[len(REFERENCE_PREFIX) :]
    return whole_number(text)


def format_reference(pk: int) -> str:
    """A case's reference (`RC-000042`) from its id."""
    return f"{REFERENCE_PREFIX}{pk:06d}"


@functools.cache
def _places_of(model: type[models.Model], field_names: tuple[str, ...]) -> tuple[int | None, ...]:
    """Where each concrete field of `model` is among `field_names` (None: not read)."""
    at = {name: place for place, name in enumerate(field_names)}
    return tuple(at.get(field.attname) for field in model._meta.concrete_fields)


class RecoveryCase(models.Model):
    """A customer Mend failed, and everything done to win them back.

    `stage` and `version` are written only by `cases.workflow`; the SLA fields only by `cases.sla.clock`.
    """

    # FK indexes that a composite index below already covers are left out: every index is paid for
    # by each UPDATE of a case, and the SLA sweep updates thousands a minute (bench/sweep).
    customer = models.ForeignKey(
        "feedback.Customer", on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    originating_feedback = models.ForeignKey(
        "feedback.Feedback",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )  # read from the case, never looked up by feedback
    channel = models.CharField(max_length=16, blank=True)  # where the complaint came in
    # Facts of the originating feedback, written with the link (`services.link_originating_feedback`)
    # and never changed after (feedback is not edited): the dashboard and the case list filter by the
    # touchpoint, and the recovery paradox compares with the opening rating, without joining every
    # case of a period to its feedback row.
    touchpoint = models.CharField(max_length=80, blank=True, default="", editable=False)
    opening_rating = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.MEDIUM)
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.NEW, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        db_index=False,  # (owner, stage) below serves every lookup by owner
    )
    # The team that works the case (`cases.teams`); None is everyone's, as every case is while no team exists.
    team = models.ForeignKey(
        "cases.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # When each stage was reached (cleared for later stages when a case reopens).
    acknowledged_at = models.DateTimeField(null=True, blank=True, editable=False)
    apologized_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(null=True, blank=True, editable=False)
    followed_up_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    # The SLA clock: started when the customer complained (or the case reopened); one due moment per stage.
    sla_started_at = models.DateTimeField(editable=False)
    acknowledge_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    apologize_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolve_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    follow_up_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The earliest running target and the moment to warn about it (None when no clock runs): what
    # `sla_state`, the urgency order of the queue and the SLA sweep read, through one index each.
    sla_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    sla_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalation_level = models.PositiveSmallIntegerField(default=0, editable=False)
    # Hold (waiting on the customer): the clocks pause. NOT NULL columns carry a database default too,
    # because the bulk loader COPYs named columns only.
    on_hold_since = models.DateTimeField(null=True, blank=True, editable=False)
    hold_reason = models.TextField(blank=True, default="", db_default="", editable=False)
    # Wall-clock time spent on hold over the case's life (reported, never reset).
    paused_total = models.DurationField(default=timedelta(0), db_default=timedelta(0), editable=False)
    # SLA time (working time if the policy has a calendar) the current stage clocks were paused; due
    # moments recomputed from `sla_started_at` add it back. A restarted clock (reopen) forgets it.
    sla_paused = models.DurationField(default=timedelta(0), db_default=timedelta(0), editable=False)
    # When the SLA sweep next looks at the case: its `SLAAlarm`, in a narrow table of its own.
    # How long the case took from opening to its acknowledgement and to its latest resolution, in the
    # severity's SLA time (a calendar's working time when the policy has one, else elapsed time; hold
    # time included), measured by the clock when the stage is reached: the dashboard's speed figures.
    time_to_acknowledge = models.DurationField(null=True, blank=True, editable=False)
    time_to_resolve = models.DurationField(null=True, blank=True, editable=False)

    resolution_summary = models.TextField(blank=True, editable=False)
    close_reason = models.TextField(blank=True, editable=False)
    is_repeat = models.BooleanField(default=False)
    reopen_count = models.PositiveIntegerField(default=0, editable=False)
    # First-contact resolution's facts (`metrics.facts`), kept by the services that change them, so the
    # dashboard counts resolutions at first contact with the opened cases rather than probing the
    # timeline of each: whether an owner ever gave the case away (an `assigned` event from an owner),
    # and who resolved it (the actor of its standing resolution; None while it is not resolved).
    reassigned = models.BooleanField(default=False, db_default=False, editable=False)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        db_index=False,  # compared with the owner on the case's own row, never looked up by user
    )
    # Set when the customer's survey answer reopened the case, cleared when it is resolved again or
    # closed: while set, the case is flagged "Customer unhappy" and sorts with the breached ones.
    customer_unhappy_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=0, editable=False)  # bumped by every workflow action

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["stage", "severity"]),
            models.Index(fields=["owner", "stage"]),
            models.Index(fields=["team", "stage"]),
            models.Index(fields=["customer", "-created_at"]),
            models.Index(fields=["-created_at"]),
            # The default queue order: a page at any depth is one range scan (see recovery.api.pagination).
            models.Index(URGENT_DUE, SEVERITY_URGENCY, F("id"), name="case_urgency"),
            # The workspace queue (`cases.selectors.queue`): per severity, a range of due moments; the warning
            # moment is a key so "at risk" is decided in the index. Open cases only, held ones apart.
            models.Index(*QUEUE_KEYS, name="case_queue_running", condition=RUNNING_OPEN),
            models.Index(*QUEUE_KEYS, name="case_queue_paused", condition=PAUSED_OPEN),
            # The dashboard's ranges (cases.metrics): closed in a period, targets falling due in it, breached
            # now. None of these columns changes on the SLA sweep's in-place updates.
            models.Index(fields=["closed_at"], name="case_closed_at"),
            models.Index(fields=["acknowledge_due_at"], name="case_acknowledge_due"),
            models.Index(fields=["apologize_due_at"], name="case_apologize_due"),
            models.Index(fields=["resolve_due_at"], name="case_resolve_due"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="case_stage_valid"),
            models.CheckConstraint(condition=Q(severity__in=Severity.values), name="case_severity_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @classmethod
    def from_db(cls, db, field_names, values):
        # A case list reads a few of a case's forty columns (`selectors.QUEUE_ROW`), and Django places
        # them by searching the list of names read once per field of every row. The places are the
        # same for every row of a query, so they are worked out once per list of names.
        if len(values) != len(cls._meta.concrete_fields):
            values = [DEFERRED if at is None else values[at] for at in _places_of(cls, tuple(field_names))]
        return super().from_db(db, field_names, values)

    @property
    def reference(self) -> str:
        return format_reference(self.pk) if self.pk else ""

    @property
    def is_open(self) -> bool:
        return self.stage != Stage.CLOSED


class CaseEvent(models.Model):
    """One line of a case's timeline. Append-only: written by `cases.events.record` and nowhere else."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        STAGE_CHANGED = "stage_changed", _("Stage changed")
        NOTE = "note", _("Note")
        ASSIGNED = "assigned", _("Assigned")
        SEVERITY_CHANGED = "severity_changed", _("Severity changed")
        UPDATED = "updated", _("Updated")
        GESTURE = "gesture", _("Gesture")
        FEEDBACK_ATTACHED = "feedback_attached", _("Feedback attached")
        ROOT_CAUSE_LINKED = "root_cause_linked", _("Root cause linked")
        ROOT_CAUSE_UNLINKED = "root_cause_unlinked", _("Root cause unlinked")
        SLA_WARNING = "sla_warning", _("SLA warning")
        SLA_BREACHED = "sla_breached", _("SLA breached")
        ESCALATED = "escalated", _("Escalated")
        REMINDER = "reminder", _("Reminder")
        FOLLOW_UP = "follow_up", _("Follow-up")
        SLA_PAUSED = "sla_paused", _("Put on hold")
        SLA_RESUMED = "sla_resumed", _("Taken off hold")
        MESSAGE_RECEIVED = "message_received", _("Customer wrote")
        MESSAGE_BOUNCED = "message_bounced", _("Email bounced")
        # Told proactively about a root cause that hit them (`cases.outreach`).
        CUSTOMER_NOTIFIED = "customer_notified", _("Told about a root cause")
        # The case moved to a team or out of one: routed at triage, moved by a manager, or its team deleted.
        TEAM_CHANGED = "team_changed", _("Team changed")

    # No index of its own: (case, created_at, id) below serves every lookup by case, and each index
    # is paid on every insert (the SLA sweep writes thousands of events a minute).
    case = models.ForeignKey(RecoveryCase, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # None: the system (triage, the SLA sweep)
    from_stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["case", "created_at", "id"]),
            models.Index(fields=["kind", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.get_kind_display()} at {self.created_at:%Y-%m-%d %H:%M}"


class Gesture(models.Model):
    """Compensation granted to a customer: a refund, a voucher, a gift. Always recorded with its value."""

    class Kind(models.TextChoices):
        REFUND = "refund", _("Refund")
        VOUCHER = "voucher", _("Voucher")
        DISCOUNT = "discount", _("Discount")
        UPGRADE = "upgrade", _("Upgrade")
        REPLACEMENT = "replacement", _("Replacement")
        GIFT = "gift", _("Gift")
        FEE_WAIVER = "fee_waiver", _("Fee waiver")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        GRANTED = "granted", _("Granted")
        PENDING_APPROVAL = "pending_approval", _("Pending approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    case = models.ForeignKey(RecoveryCase, on_delete=models.CASCADE, related_name="gestures")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(max_length=3, default="EUR")
    description = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, editable=False)
    # Who asked; None when Mend granted it by `rule` at triage (system events have no actor either).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The automatic gesture rule that granted it, or asked a manager for it; None for a person's gesture.
    # A deleted rule leaves its gestures, which keep its name in `description`.
    rule = models.ForeignKey(
        "cases.GestureRule", null=True, blank=True, on_delete=models.SET_NULL, related_name="gestures"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # What the gesture was worth in the organisation's base currency when it was requested, at the rate
    # of `rate_as_of`: the figure the agent's limit was checked against. Null when no rate was known
    # (such a gesture always waits for a manager). Written by `cases.gestures.services` alone.
    base_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, editable=False)
    base_currency = models.CharField(max_length=3, blank=True, editable=False)
    rate_as_of = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="gesture_amount_not_negative")]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            # A rule's spending this month and per customer, counted at triage under the rule's lock.
            models.Index(fields=["rule", "created_at"], name="gesture_rule_created"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.currency}"


class ExchangeRate(models.Model):
    """What one unit of the base currency (`MEND_BASE_CURRENCY`) buys in another currency, as a manager
    last set it: ECB style, 1 EUR = 0.33 KWD. A gesture in a currency without a row always waits for a
    manager, since nobody can say what it is worth. Written by `cases.gestures.rates` alone."""

    currency = models.CharField(max_length=3, unique=True)
    units_per_base = models.DecimalField(
        "units per base unit",
        max_digits=20,
        decimal_places=8,
        help_text="How much of this currency one unit of the base currency buys (1 EUR = 0.33 KWD: 0.33).",
    )
    as_of = models.DateField("as of", help_text="The day the rate was read from its source.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["currency"]
        constraints = [
            models.CheckConstraint(condition=Q(units_per_base__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.units_per_base} as of {self.as_of:%Y-%m-%d}"


class RootCause(models.Model):
    """Why failures happen. Gathers many cases, carries the corrective action and is verified when fixed."""

    class Category(models.TextChoices):
        PROCESS = "process", _("Process")
        PEOPLE = "people", _("People")
        PRODUCT = "product", _("Product")
        TECHNOLOGY = "technology", _("Technology")
        PARTNER = "partner", _("Partner")
        POLICY = "policy", _("Policy")
        EXTERNAL = "external", _("External")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        INVESTIGATING = "investigating", _("Investigating")
        FIXING = "fixing", _("Fixing")
        FIXED = "fixed", _("Fixed")
        VERIFIED = "verified", _("Verified")
        REOPENED = "reopened", _("Reopened")  # the fix did not hold: recurrences reached the threshold

    title = models.CharField(max_length=200)
    category = models.CharField(max_length=16, choices=Category.choices)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    corrective_action = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="root_causes"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_note = models.TextField(blank=True)
    verified_by_system = models.BooleanField(default=False)  # its watch window ended with no recurrence
    # The watch window (cases.root_causes.watch): from `fixed_at`, `watch_days` long. Cases linked in it
    # are recurrences; `recurrence_threshold` of them reopen the root cause.
    watch_days = models.PositiveSmallIntegerField(default=30, validators=[MinValueValidator(1)])
    recurrence_threshold = models.PositiveSmallIntegerField(default=3, validators=[MinValueValidator(1)])
    fixed_at = models.DateTimeField(null=True, blank=True)
    watch_until = models.DateTimeField(null=True, blank=True)
    # Set by the sweep that closed the window (exactly once: it claims the root cause by setting it).
    watch_closed_at = models.DateTimeField(null=True, blank=True)
    cases = models.ManyToManyField(RecoveryCase, blank=True, related_name="root_causes")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "category"]),
            # The verification sweep looks for fixed root causes whose window has ended.
            models.Index(fields=["watch_until"], condition=Q(status="fixed"), name="rootcause_watched"),
        ]

    def __str__(self) -> str:
        return self.title


class RootCauseEvent(models.Model):
    """One line of a root cause's own history (fixed, recurrence, reopened, verified), append-only.
    Written by `cases.root_causes.history` alone; `data` carries the figures (case references, counts)."""

    class Kind(models.TextChoices):
        STATUS_CHANGED = "status_changed", "Status changed"
        WATCH_STARTED = "watch_started", "Watch window started"
        RECURRENCE = "recurrence", "Recurrence"
        REOPENED = "reopened", "Reopened by recurrences"
        VERIFIED = "verified", "Verified"
        WATCH_ENDED = "watch_ended", "Watch window ended"
        RULE_ADDED = "rule_added", "Matching rule added"
        RULE_REMOVED = "rule_removed", "Matching rule removed"

    root_cause = models.ForeignKey(RootCause, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # None: the system (triage's matching rules, the verification sweep)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["root_cause", "created_at", "id"], name="rootcause_event_history")]

    def __str__(self) -> str:
        return f"{self.root_cause_id}: {self.get_kind_display()} at {self.created_at:%Y-%m-%d %H:%M}"


class RootCauseRule(models.Model):
    """A matching rule: negative feedback at `touchpoint` whose comment holds one of `phrases` (whole
    words, any case) links its new case to the root cause while the root cause is under watch."""

    root_cause = models.ForeignKey(RootCause, on_delete=models.CASCADE, related_name="rules")
    touchpoint = models.CharField(max_length=80)  # stored lower-case; feedback's is compared lower-cased
    phrases = models.JSONField(default=list)  # non-empty list of lower-case words or phrases
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["touchpoint", "id"]
        indexes = [models.Index(fields=["touchpoint"], name="rootcause_rule_touchpoint")]

    def __str__(self) -> str:
        return f"{self.touchpoint}: {', '.join(self.phrases)}"


class Recurrence(models.Model):
    """A case linked to a fixed root cause inside its watch window (the window that began at
    `window_started_at`, the root cause's `fixed_at` then). `rule` is the matching rule that linked it,
    None when a person did (`actor`)."""

    root_cause = models.ForeignKey(RootCause, on_delete=models.CASCADE, related_name="recurrences")
    case = models.ForeignKey(RecoveryCase, on_delete=models.CASCADE, related_name="+")
    window_started_at = models.DateTimeField()
    rule = models.ForeignKey(
        RootCauseRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["linked_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["root_cause", "window_started_at", "case"], name="recurrence_once_per_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} recurred under root cause {self.root_cause_id}"


class SLAPolicy(models.Model):
    """Targets for one severity. Acknowledge/apologize/resolve count from the complaint."""

    severity = models.CharField(max_length=16, choices=Severity.choices, unique=True)
    acknowledge_within = models.DurationField()
    apologize_within = models.DurationField()
    resolve_within = models.DurationField()
    follow_up_after = models.DurationField(default=timedelta(days=3))
    warn_at_fraction = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.75"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("0.99"))],
    )
    calendar = models.ForeignKey(
        "BusinessCalendar",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="policies",
        help_text="Empty: targets count around the clock. Set: they count only this calendar's working time.",
    )

    class Meta:
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(warn_at_fraction__gt=0, warn_at_fraction__lt=1), name="sla_warn_fraction_0_1"
            )
        ]

    def __str__(self) -> str:
        return f"SLA for {self.get_severity_display()} cases"


class FollowUp(models.Model):
    """A check, some days after resolving, that the customer is still fine and how the recovery felt."""

    case = models.ForeignKey(RecoveryCase, on_delete=models.CASCADE, related_name="follow_ups")
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=16, blank=True)
    outcome = models.TextField(blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Claims of `cases.follow_ups.sweep`, each set by an UPDATE ... WHERE <field> IS NULL: the owner is
    # reminded once, managers are told once. `answered_at` claims the customer's one survey answer.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    answered_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Facts of a survey answer (a follow-up with a satisfaction), written by `cases.metrics.facts` in the
    # transaction that changes what they summarise, so the dashboard reads them instead of probing rows:
    # `next_answer_at`, the done_at of the case's next answer (None for its latest), makes "the case's
    # latest answer in a period" a condition on this row; `later_*` is the customer's first rated
    # feedback after this answer (survey answers aside), the recovery paradox's "first later rating".
    next_answer_at = models.DateTimeField(null=True, blank=True, editable=False)
    later_feedback = models.ForeignKey(
        "feedback.Feedback",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    later_rating = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    later_rating_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(done_at__isnull=True), name="followup_due_pending"),
            # The sweep reads only what it has not handled yet: its cost follows the follow-ups due,
            # not every pending one.
            models.Index(
                fields=["due_at"],
                condition=Q(done_at__isnull=True, reminded_at__isnull=True),
                name="followup_remind_pending",
            ),
            models.Index(
                fields=["due_at"],
                condition=Q(done_at__isnull=True, escalated_at__isnull=True),
                name="followup_escalate_pending",
            ),
            # The dashboard: follow-ups falling due in a period, survey answers given in it.
            models.Index(fields=["due_at", "case"], name="followup_due"),
            models.Index(
                fields=["done_at", "case"], condition=Q(satisfaction__isnull=False), name="followup_answered"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__gte=1, satisfaction__lte=5), name="followup_satisfaction_1_5"
            )
        ]

    def __str__(self) -> str:
        return f"Follow-up for case {self.case_id} due {self.due_at:%Y-%m-%d}"


class Notification(models.Model):
    """The outbox: an email written in the same transaction as the event that caused it.

    A task sends it after commit and marks it sent; a periodic task re-sends what was left unsent.
    `dedupe_key` makes "notify once" a database fact rather than a check-then-write.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")  # gave up after the retry budget; shown to operators

    recipient = models.EmailField()
    subject = models.CharField(max_length=255)
    body = models.TextField()
    # A customer message's HTML alternative and its threading headers (Message-ID, In-Reply-To,
    # References, Reply-To); empty for the plain notifications to staff.
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    template = models.CharField(max_length=80)
    case = models.ForeignKey(
        RecoveryCase, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # A sender holds a row until `claimed_until`; a crashed sender's claim simply runs out.
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(status="pending"), name="notification_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {self.recipient} ({self.status})"


class Notice(models.Model):
    """An in-app notice for one person, behind the bell in the nav: something happened that they should
    know of (a manager decided their gesture, ...). Written by `cases.notices` alone. `text` is Mend's
    own words about the case (who did what), never the customer's, so erasing a customer leaves it be."""

    class Kind(models.TextChoices):
        # The bell and the list show every kind the same way.
        GESTURE_APPROVED = "gesture_approved", _("Gesture approved")
        GESTURE_REJECTED = "gesture_rejected", _("Gesture rejected")
        WEBHOOK_DISABLED = "webhook_disabled", _("Webhook turned off")
        REOPENED = "reopened", _("Reopened by the customer")
        CUSTOMER_REPLY = "customer_reply", _("Customer replied")
        MENTION = "mention", _("Mentioned in a note")
        ASSIGNED = "assigned", _("A case assigned to you")
        REASSIGNED = "reassigned", _("Your case reassigned away")
        ROOT_CAUSE_REOPENED = "root_cause_reopened", _("Root cause reopened")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    case = models.ForeignKey(
        RecoveryCase, null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notice_user_recent"),
            # The bell counts a person's unread notices on every page.
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notice_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user_id}: {self.text[:60]}"


class NoticePreference(models.Model):
    """Whether `user` wants an email, besides the notice in the workspace, for notices of `kind`.

    No row means the kind's default (`cases.notices.preferences.email_by_default`): a person who never
    opened the page gets assignments and decisions by email and nothing else.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences"
    )
    kind = models.CharField(max_length=32)  # a `Notice.Kind` value
    email = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_notice_preference_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {'email' if self.email else 'no email'}"


class QueueLook(models.Model):
    """When `user` last opened their queue: cases that arrived after it are marked new there."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="queue_look"
    )
    looked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id} looked at {self.looked_at}"


def validate_time_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"'{name}' is not an IANA time zone (e.g. Europe/Berlin).") from None


class BusinessCalendar(models.Model):
    """Working time for SLA policies that count business hours: weekly opening hours in a time zone,
    minus holidays. Opening hours are local wall times, so they stay 9 to 5 across DST changes."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="IANA name, e.g. Europe/Berlin",
    )

    def __str__(self) -> str:
        return f"{self.name} ({self.time_zone})"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class OpeningHours(models.Model):
    """One opening interval of a weekday; a day may have several (a lunch break is two intervals)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField(help_text="00:00 means midnight at the end of the day.")

    class Meta:
        verbose_name_plural = "opening hours"
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="opening_weekday_0_6"),
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")) | Q(closes=time(0)), name="opening_closes_after_opens"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Holiday(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="holiday_once_per_calendar")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}".strip()


class SLAAlert(models.Model):
    """One SLA alert sent by the sweep. The unique constraint makes "once per case, target and level"
    a database fact: a sweep claims an alert by inserting it, and acts only on rows it inserted."""

    class Level(models.IntegerChoices):
        WARNING = 0, "Warning"
        BREACHED = 1, "Breached (escalation level 1)"
        ESCALATED = 2, "Escalated (level 2)"

    # Looked up by case through the unique constraint's index (case first); no second index to feed.
    case = models.ForeignKey(
        RecoveryCase, on_delete=models.CASCADE, related_name="sla_alerts", db_index=False
    )
    target = models.CharField(max_length=16)  # acknowledge, apologize, resolve
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    cycle = models.PositiveIntegerField()  # the case's reopen_count: a reopened case runs on fresh clocks
    moment = models.DateTimeField()  # the warning, due or escalation moment that was passed
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )  # who held the case when it happened, for the audit (read per case, never searched by owner)
    sweep_id = models.UUIDField()  # the sweep run that claimed it
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "target", "level", "cycle"], name="sla_alert_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} on {self.target} of case {self.case_id}"


class SLAAlarm(models.Model):
    """When the SLA sweep should next look at a case: the earliest warning, breach or escalation moment
    of its stage clocks that the sweep has not handled yet. A case has no alarm while no stage clock
    runs or while it is on hold. Set by `cases.sla.clock.set_alarm` (under the case's row lock) and moved on
    by the sweep.

    A narrow table of its own rather than a column of the case: the sweep moves thousands of alarms a
    minute, and rewriting the wide case row (and its eight indexes) for each was the largest part of a
    sweep's time (bench/sweep).
    """

    case = models.OneToOneField(
        RecoveryCase, on_delete=models.CASCADE, primary_key=True, related_name="sla_alarm"
    )
    # The SLA sweep's only way in: its cost follows the cases needing an alert, not the open ones.
    rings_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"SLA alarm of case {self.case_id} at {self.rings_at:%Y-%m-%d %H:%M}"


class ResponseTemplate(models.Model):
    """A text agents start from when they apologize, resolve or record a follow-up.

    The body may name `{customer_name}`, `{reference}` and `{agent_name}`; `cases.response_templates`
    checks them when a manager saves and fills them in for one case and one agent. `variants` holds the
    text in the other languages of settings.LANGUAGES; one that is missing is shown as missing.
    """

    class Kind(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
        APOLOGY = "apology", _("Apology")
        RESOLUTION = "resolution", _("Resolution")
        FOLLOW_UP = "follow_up", _("Follow-up")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=120)
    body = models.TextField()  # in the organisation's language, settings.LANGUAGE_CODE
    # The same text in Mend's other languages, {"de": "...", "es": "..."}: a customer gets theirs.
    variants = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="response_template_unique_name"),
            models.CheckConstraint(
                condition=Q(kind__in=["acknowledgement", "apology", "resolution", "follow_up"]),
                name="response_template_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class ExportAudit(models.Model):
    """Who exported which data, when, with which filters: written before the first CSV row is sent."""

    class Export(models.TextChoices):
        CASES = "cases", _("Case list")
        METRICS = "metrics", _("Dashboard metrics")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    export = models.CharField(max_length=16, choices=Export.choices)
    filters = models.JSONField(default=dict, blank=True)  # the query string, as {name: [values]}
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_export_display()} exported by {self.user} at {self.created_at:%Y-%m-%d %H:%M}"


class MetricsSnapshot(models.Model):
    """The dashboard's metrics for one preset period (the last 7, 30 or 90 days, no filters), computed by a
    Celery task every few minutes: live aggregation over a million cases takes seconds, reading this row
    takes milliseconds. The page and the API say when it was computed."""

    days = models.PositiveSmallIntegerField(unique=True)
    period_from = models.DateField()
    period_to = models.DateField()
    computed_at = models.DateTimeField()
    seconds_taken = models.FloatField(default=0)
    data = models.JSONField()

    def __str__(self) -> str:
        days = ngettext("%(count)d day", "%(count)d days", self.days) % {"count": self.days}
        return f"Metrics of the last {days} as of {self.computed_at:%Y-%m-%d %H:%M}"


class IdempotentRequest(models.Model):
    """An unsafe case-API request made under an `Idempotency-Key`, and the answer it got.

    The unique constraint decides which of two requests with one key runs: the row is inserted in
    the request's own transaction, before its service call, so a second request waits on the unique
    index (PostgreSQL) until the first commits and then replays its answer, or runs itself if the
    first rolled back. Only successful answers are kept: a refused request leaves nothing, its key
    included. See `cases.api.idempotency`.
    """

    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # sha256 of method, path and the parsed body
    status = models.PositiveSmallIntegerField(null=True)  # null only inside the claiming transaction
    body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotent_request_client_key"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"


class SavedView(models.Model):
    """A filtered All cases, saved under a name: for its owner, or (a manager's) for everyone.

    `query` is the list's query string (`severity=high&stage=new`), the filters only: never a page
    cursor. It is read again through CaseFilter each time it is opened, so a view saved before a
    filter changed is judged by today's rules. See `cases.saved_views`.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=60)
    query = models.CharField(max_length=2000, blank=True)
    shared = models.BooleanField(default=False)  # in everyone's nav; only a manager may share
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            # "Breached" and "breached" would be two views no one can tell apart in the nav.
            models.UniqueConstraint(Lower("name"), "owner", name="saved_view_name_unique_per_owner"),
        ]

    def __str__(self) -> str:
        return self.name


class Message(models.Model):
    """One email of a case's conversation with its customer, in either direction.

    Outbound messages are written by an agent (or a template) and delivered through the outbox
    (`notification`); their `status` follows the delivery. Inbound messages come from the customer by
    any door (the MTA pipe, a provider's webhook, IMAP); `body` is the text as shown on the timeline
    (quotes and signature stripped) and the raw message stays downloadable. `message_id` is unique, so
    a message delivered twice is stored once.
    """

    class Direction(models.TextChoices):
        INBOUND = "inbound", _("From the customer")
        OUTBOUND = "outbound", _("To the customer")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        BOUNCED = "bounced", _("Bounced")
        RECEIVED = "received", _("Received")  # every inbound message

    case = models.ForeignKey(RecoveryCase, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=8, choices=Direction.choices)
    status = models.CharField(max_length=8, choices=Status.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_address = models.CharField(max_length=254)
    to_address = models.CharField(max_length=254)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    body_html = models.TextField(blank=True)  # inbound only, sanitised before it is stored
    message_id = models.CharField(max_length=255, unique=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    references = models.TextField(blank=True)
    reply_to = models.CharField(max_length=254, blank=True)  # outbound: the case's signed reply address
    notification = models.OneToOneField(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="message"
    )
    raw = models.FileField(upload_to="messages/raw/%Y/%m/", blank=True)  # inbound: the RFC 5322 source
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="message_case_thread")]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.subject}"


class Attachment(models.Model):
    """A file that came with, or was sent with, a message. Served only to people who may see its case."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="messages/attachments/%Y/%m/")
    name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=255)

    def __str__(self) -> str:
        return self.name


# Teams, webhooks, at-risk scores and outreach keep their models in their own rooms; imported here so
# Django registers them with the app.
from cases.at_risk.models import CustomerRisk  # noqa: E402, F401
from cases.emerging.models import DetectorRun, EmergingGroup  # noqa: E402, F401
from cases.gesture_rules.models import GestureRule  # noqa: E402, F401
from cases.outreach.models import CustomerOutreach  # noqa: E402, F401
from cases.teams.models import AgentStatus, RoutingRule, Team  # noqa: E402, F401
from cases.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription  # noqa: E402, F401
