"""Exchange rates: what one unit of the base currency buys in each other currency, kept by managers.

Money is compared in one currency only (`MEND_BASE_CURRENCY`): the agent's limit is in it, and every
gesture counts toward a case's total at its value in it. A currency without a rate has no known value,
so a gesture in it can never be granted by an agent alone.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cases.gestures.currencies import ISO_4217
from cases.models import ExchangeRate
from recovery.errors import InvalidInput, NotFound
from recovery.roles import User, require_permission

CENT = Decimal("0.01")
# Rates are kept to 8 decimal places (the model's field): enough for 1 EUR = 0.00000960 BTC-like
# extremes among real currencies (1 EUR = 41,000 IRR the other way round).
RATE_PLACES = Decimal("0.00000001")
MAX_RATE = Decimal("999999999999")  # 12 integer digits fit the field; no real rate comes near


def base_currency() -> str:
    return settings.MEND_BASE_CURRENCY


@dataclass(frozen=True)
class Converted:
    """A value in the base currency, or `amount=None` when the currency has no rate."""

    amount: Decimal | None
    as_of: date | None = None


def current_rates() -> dict[str, ExchangeRate]:
    """Every rate, by currency: a table of at most ~170 rows, read whole once per conversion."""
    return {rate.currency: rate for rate in ExchangeRate.objects.all()}


def to_base(amount: Decimal, currency: str, *, rates: dict[str, ExchangeRate]) -> Converted:
    """`amount` of `currency` in the base currency, rounded to the cent (half up, so a value never
    rounds down below what was given away by more than half a cent)."""
    if currency == base_currency():
        return Converted(amount)
    rate = rates.get(currency)
    if rate is None:
        return Converted(None)
    return Converted((amount / rate.units_per_base).quantize(CENT, rounding=ROUND_HALF_UP), rate.as_of)


@transaction.atomic
def set_rate(
    *, actor: User, currency: str, units_per_base: Decimal | str, as_of: date | None = None
) -> ExchangeRate:
    """Create or replace the rate of `currency`. Managers only; the base currency has no rate."""
    require_permission(actor, "cases.change_exchangerate", message="Only managers keep exchange rates.")
    code = valid_currency(currency)
    if code == base_currency():
        raise InvalidInput(
            f"{code} is the base currency: every other currency is priced in it, it needs no rate.",
            field="currency",
        )
    rate = _valid_rate(units_per_base)
    as_of = as_of or timezone.localdate()
    if as_of > timezone.localdate():
        raise InvalidInput("A rate cannot be as of a day still to come.", field="as_of")
    saved, _ = ExchangeRate.objects.update_or_create(
        currency=code, defaults={"units_per_base": rate, "as_of": as_of, "updated_by": actor}
    )
    return saved


@transaction.atomic
def remove_rate(*, actor: User, currency: str) -> None:
    """Forget a rate: gestures in that currency wait for a manager again."""
    require_permission(actor, "cases.delete_exchangerate", message="Only managers keep exchange rates.")
    deleted, _ = ExchangeRate.objects.filter(currency=(currency or "").strip().upper()).delete()
    if not deleted:
        raise NotFound(f"No exchange rate is kept for '{currency}'.")


def valid_currency(currency: str) -> str:
    code = (currency or "").strip().upper()
    if code not in ISO_4217:
        raise InvalidInput(
            f"'{currency}' is not an ISO 4217 currency code (EUR, USD, GBP ...).", field="currency"
        )
    return code


def _valid_rate(value: Decimal | str) -> Decimal:
    try:
        rate = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput("A rate is a decimal number such as 0.3071.", field="units_per_base") from None
    if not rate.is_finite() or rate <= 0 or rate > MAX_RATE:
        raise InvalidInput("A rate is a positive decimal number such as 0.3071.", field="units_per_base")
    quantized = rate.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
    if quantized == 0:
        raise InvalidInput(
            "A rate has at most 8 decimal places and is more than zero.", field="units_per_base"
        )
    return quantized
