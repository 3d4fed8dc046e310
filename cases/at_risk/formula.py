"""The at-risk score: how likely a customer is to leave, 0 to 100, and why. Pure: values in, score out.

The formula (docs/at-risk.md says the same in words; a test computes fixtures by hand against it):

    failures    10 per case opened in the last 90 days                              at most 30
    open cases  per open case by severity: low 2, medium 5, high 10, critical 15     at most 25
    unresolved  1 per whole day the oldest open case has been open                  at most 15
    poor answers 10 per survey answer of 1 or 2 (out of 5) in the last 90 days      at most 20
    reopened    5 per case opened in the last 90 days that was reopened             at most 10
    value       1 per whole 1,000 of the customer's value, only if any point above  at most 10

    score = min(100, the sum)

Every part is capped so no single signal outweighs the rest: the service recovery paradox fails for
repeat failures, long waits and recoveries the customer rated poorly, and those signals add up. Value
only raises the score of a customer who is already at risk: a valuable, happy customer is not leaving.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext, ngettext

from feedback.services import POOR_AT_OR_BELOW

WINDOW = timedelta(days=90)
POOR_ANSWER_AT_MOST = POOR_AT_OR_BELOW  # a survey answer this low is a poor one, as intake judges it
OPEN_CASE_POINTS = {"low": 2, "medium": 5, "high": 10, "critical": 15}
# (points per unit, cap) of each part, in the order the reasons are listed.
PARTS = {
    "failures": (10, 30),
    "open_cases": (None, 25),  # per severity: OPEN_CASE_POINTS
    "unresolved": (1, 15),
    "poor_answers": (10, 20),
    "reopened": (5, 10),
    "value": (1, 10),
}
VALUE_UNIT = Decimal(1000)
MAX_SCORE = 100


@dataclass(frozen=True)
class Inputs:
    """What the score is computed from, for one customer at one moment."""

    failures: int = 0  # cases opened in the last 90 days
    open_by_severity: dict[str, int] = field(default_factory=dict)
    oldest_open_since: datetime | None = None
    poor_answers: int = 0  # survey answers of POOR_ANSWER_AT_MOST or less in the last 90 days
    reopened: int = 0  # cases opened in the last 90 days and reopened since
    value: Decimal | None = None  # the customer's value (`metadata.value` of their feedback), if known


@dataclass(frozen=True)
class Reason:
    code: str  # a key of PARTS
    count: int  # what was counted: failures, open cases, days, answers, reopened cases, value
    points: int
    worst: str = ""  # open cases only: the most severe one's severity

    def as_data(self) -> dict:
        data = {"code": self.code, "count": self.count, "points": self.points}
        return data | ({"worst": self.worst} if self.worst else {})


@dataclass(frozen=True)
class Risk:
    score: int
    reasons: tuple[Reason, ...]


def score(inputs: Inputs, *, now: datetime) -> Risk:
    open_cases = sum(inputs.open_by_severity.values())
    open_points = sum(OPEN_CASE_POINTS.get(sev, 0) * n for sev, n in inputs.open_by_severity.items())
    days_open = (now - inputs.oldest_open_since).days if inputs.oldest_open_since else 0
    counted = [
        Reason("failures", inputs.failures, _capped("failures", inputs.failures)),
        Reason("open_cases", open_cases, min(open_points, PARTS["open_cases"][1]), _worst(inputs)),
        Reason("unresolved", max(days_open, 0), _capped("unresolved", max(days_open, 0))),
        Reason("poor_answers", inputs.poor_answers, _capped("poor_answers", inputs.poor_answers)),
        Reason("reopened", inputs.reopened, _capped("reopened", inputs.reopened)),
    ]
    reasons = [reason for reason in counted if reason.points > 0]
    units = whole_value(inputs.value)
    if reasons and units:
        reasons.append(Reason("value", units * int(VALUE_UNIT), _capped("value", units)))
    return Risk(min(MAX_SCORE, sum(reason.points for reason in reasons)), tuple(reasons))


def whole_value(value: Decimal | None) -> int:
    """Whole thousands of the customer's value (0 when unknown or negative)."""
    if value is None or value <= 0:
        return 0
    return int(value // VALUE_UNIT)


def parse_value(raw: object) -> Decimal | None:
    """A value as a client sent it (a number or a numeric string); None when it is anything else."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _capped(code: str, count: int) -> int:
    per, cap = PARTS[code]
    return min(count * (per or 0), cap)


def _worst(inputs: Inputs) -> str:
    present = [sev for sev, n in inputs.open_by_severity.items() if n]
    return max(present, key=lambda sev: OPEN_CASE_POINTS.get(sev, 0), default="")


def describe(reason: dict) -> str:
    """A stored reason (`Reason.as_data`) in the reader's language, with the points it adds."""
    count, points = reason.get("count", 0), reason.get("points", 0)
    code = reason.get("code")
    if code == "failures":
        text = ngettext(
            "%(count)d failure in the last 90 days", "%(count)d failures in the last 90 days", count
        )
    elif code == "open_cases":
        text = ngettext("%(count)d open case", "%(count)d open cases", count)
        if reason.get("worst"):
            text += gettext(", the worst %(worst)s")
    elif code == "unresolved":
        text = ngettext("unresolved for %(count)d day", "unresolved for %(count)d days", count)
    elif code == "poor_answers":
        text = ngettext("%(count)d poor survey answer", "%(count)d poor survey answers", count)
    elif code == "reopened":
        text = ngettext("%(count)d reopened case", "%(count)d reopened cases", count)
    elif code == "value":
        text = gettext("customer value of %(count)d or more")
    else:
        text = str(code)
    values = {"count": count, "worst": reason.get("worst", "")}
    return gettext("%(reason)s (+%(points)d)") % {"reason": text % values, "points": points}
