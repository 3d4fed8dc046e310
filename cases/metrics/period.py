"""The period and scope of a metrics request, read from a query string (the page's URL, the API's).

Dates are local dates in settings.TIME_ZONE: `from=2026-11-01&to=2026-11-30` covers local midnight of
the 1st up to local midnight after the 30th, whatever the UTC offset of each end.
"""

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from cases.models import Severity
from cases.teams.models import Team
from cases.teams.scope import EVERYTHING, case_scope, sees_everything
from feedback.models import Channel
from recovery.errors import InvalidInput
from recovery.parsing import whole_number
from recovery.roles import User

PRESETS = (7, 30, 90)
DEFAULT_DAYS = 30
MAX_DAYS = 2 * 366  # "over two years" is refused; a leap year's two years still fit
PERIOD_KEYS = ("from", "to", "days")


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Period:
    """Local dates `first`..`last`, both included."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), zone())

    @property
    def end(self) -> datetime:
        """Local midnight after `last` (exclusive)."""
        return datetime.combine(self.last + timedelta(days=1), time(0), zone())

    def previous(self) -> "Period":
        """The period of equal length just before this one."""
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def params(self) -> dict[str, str]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}

    def week_starts(self) -> list[datetime]:
        """Local midnights starting each 7-day bucket of the trend (the last one may be short)."""
        return [
            datetime.combine(self.first + timedelta(days=7 * n), time(0), zone())
            for n in range((self.days + 6) // 7)
        ]


def last_days(days: int, *, today: date | None = None) -> Period:
    today = today or timezone.localdate(timezone.now(), zone())
    return Period(today - timedelta(days=days - 1), today)


# Each filter of the dashboard: the case's field it narrows, as a lookup from a case and from a piece
# of feedback. A value "none" of a relation (`owner`, `team`) means the cases without one. Adding a
# filter is a field of Scope and a line here (and its check in `_scope` if its values are not free text).
FILTERS = {
    "channel": ("channel", "channel"),  # feedback: its own channel
    "touchpoint": ("touchpoint", "touchpoint"),  # a case: its complaint's; feedback: its own
    "severity": ("severity", "case__severity"),
    "owner": ("owner", "case__owner"),
    "team": ("team", "case__team"),
}
# A relation's value names its row by this field: an owner by user id, a team by slug (as the case list).
RELATIONS = {"owner": "id", "team": "slug"}


@dataclass(frozen=True)
class Scope:
    """Optional narrowing, as on the case list: the case's channel, its complaint's touchpoint, its
    severity, its owner (a user id, or `none` for unowned cases) and its team (a slug, or `none`).

    `viewer`: whose dashboard it is (`seen_by`). A lead of some teams counts the cases they may see
    (`cases.teams.scope`), as their drill-down lists do; managers of no team and admins count all."""

    channel: str = ""
    touchpoint: str = ""
    severity: str = ""
    owner: str = ""
    team: str = ""
    viewer: User | None = field(default=None, compare=False)  # None: everything

    def seen_by(self, user: User) -> "Scope":
        return replace(self, viewer=user)

    @property
    def everything_visible(self) -> bool:
        return self.viewer is None or sees_everything(self.viewer)

    def case_q(self, prefix: str = "") -> Q:
        fields = {key: prefix + case for key, (case, _) in FILTERS.items()}
        return self._q(fields) & self._visible(prefix.removesuffix("__"))

    def feedback_q(self) -> Q:
        """Feedback in scope: its own channel and touchpoint; severity, owner and team are its case's.
        Feedback with no case is in no team, so every viewer counts it (as `case_scope` reads it)."""
        return self._q({key: feedback for key, (_, feedback) in FILTERS.items()}) & self._visible("case")

    def _visible(self, through: str) -> Q:
        return EVERYTHING if self.viewer is None else case_scope(self.viewer, through=through)

    def _q(self, fields: dict[str, str]) -> Q:
        q = Q()
        for key, value in self.params().items():
            if key not in RELATIONS:
                q &= Q(**{fields[key]: value})
            elif value == "none":
                q &= Q(**{f"{fields[key]}__isnull": True})
                holder = fields[key].removesuffix(key).removesuffix("__")
                if holder:  # feedback without a case is not feedback on an unowned case
                    q &= Q(**{f"{holder}__isnull": False})
            else:
                q &= Q(**{f"{fields[key]}__{RELATIONS[key]}": value})
        return q

    def params(self) -> dict[str, str]:
        return {key: getattr(self, key) for key in SCOPE_KEYS if getattr(self, key)}


SCOPE_KEYS = tuple(FILTERS)


def parse(params, *, strict: bool = True) -> tuple[Period, Scope]:
    """Period and scope from a QueryDict-like mapping. Raises InvalidInput naming the parameter.

    `strict`: an unknown parameter is an error (the API); the page passes its own extra keys.
    """
    if strict:
        unknown = sorted(set(params) - set(PERIOD_KEYS) - set(SCOPE_KEYS))
        if unknown:
            allowed = ", ".join((*PERIOD_KEYS, *SCOPE_KEYS))
            raise InvalidInput(f"Unknown parameter {unknown[0]!r}. Allowed: {allowed}.", field=unknown[0])
    return _period(params), _scope(params)


def _period(params) -> Period:
    first, last = _date(params, "from"), _date(params, "to")
    if first is None and last is None:
        return last_days(_days(params))
    today = timezone.localdate(timezone.now(), zone())
    last = last or today
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise InvalidInput(f"'from' ({first}) is after 'to' ({last}).", field="from")
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput("The period is over two years; choose a shorter one.", field="from")
    return Period(first, last)


def _date(params, key: str) -> date | None:
    text = (params.get(key) or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text) if len(text) == 10 else _bad_date(key, text)
    except ValueError:
        return _bad_date(key, text)
    # The previous period of equal length must be a date too: year 1 has none before it.
    if not EARLIEST <= day <= LATEST:
        raise InvalidInput(f"'{key}' must lie between {EARLIEST} and {LATEST}.", field=key)
    return day


EARLIEST, LATEST = date(1970, 1, 1), date(9000, 12, 31)


def _bad_date(key: str, text: str):
    raise InvalidInput(f"'{key}' must be a date as YYYY-MM-DD, not {text!r}.", field=key)


def _days(params) -> int:
    text = (params.get("days") or "").strip()
    if not text:
        return DEFAULT_DAYS
    if whole_number(text) in PRESETS:
        return int(text)
    raise InvalidInput(f"'days' is one of {', '.join(map(str, PRESETS))}.", field="days")


def _scope(params) -> Scope:
    values = {key: (params.get(key) or "").strip() for key in SCOPE_KEYS}
    if values["channel"] and values["channel"] not in Channel.values:
        raise InvalidInput(f"Unknown channel {values['channel']!r}.", field="channel")
    if values["severity"] and values["severity"] not in Severity.values:
        raise InvalidInput(f"Unknown severity {values['severity']!r}.", field="severity")
    owner = values["owner"].lower()
    if owner and owner != "none":
        # A user id in ASCII digits only: `'²'.isdigit()` is true and `int('²')` fails.
        number = whole_number(owner)
        if number is None or number >= 2**31:
            raise InvalidInput("'owner' is a user id or 'none'.", field="owner")
        owner = str(number)
    values["owner"] = owner
    team = values["team"]
    if team and team != "none" and not Team.objects.filter(slug=team).exists():
        raise InvalidInput(f"Unknown team {team!r}: use a team's slug, or 'none'.", field="team")
    return Scope(**values)
