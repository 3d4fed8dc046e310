"""Values rendered by hand exactly as DRF's fields would render them, for the answers whose
serializers write their output directly (a queue page, a case's detail, an intake receipt)."""

from datetime import datetime, tzinfo


def moment(value: datetime | None, zone: tzinfo) -> str | None:
    """What DRF's DateTimeField renders: ISO 8601 in the current time zone, UTC spelled `Z`."""
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
