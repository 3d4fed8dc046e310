"""CSV exports: the filtered case list and the dashboard's metrics. Streamed row by row, so a million cases
never sit in memory, and audited (who, when, which filters) before the first row leaves.

Spreadsheet programs run a cell that starts with `=`, `+`, `-` or `@` as a formula; every text cell
that does is prefixed with an apostrophe (OWASP's advice on CSV injection), numbers are left alone.
"""

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime

from cases.metrics import export as metrics_tables
from cases.models import ExportAudit, RecoveryCase, format_reference

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000

CASE_COLUMNS = [
    ("reference", "pk"),
    ("title", "title"),
    ("customer", "customer__external_id"),
    ("customer_name", "customer__name"),
    ("channel", "channel"),
    ("severity", "severity"),
    ("stage", "stage"),
    ("owner", "owner__username"),
    ("created_at", "created_at"),
    ("acknowledged_at", "acknowledged_at"),
    ("resolved_at", "resolved_at"),
    ("closed_at", "closed_at"),
    ("sla_due_at", "sla_due_at"),
    ("escalation_level", "escalation_level"),
    ("reopen_count", "reopen_count"),
    ("is_repeat", "is_repeat"),
]


def record_export(*, user, export: str, filters: dict[str, list[str]]) -> ExportAudit:
    return ExportAudit.objects.create(user=user, export=export, filters=filters)


def neutralise(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool | int | float):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """csv.writer writes into this and gets the line back, so each row is yielded, never buffered."""

    def write(self, value: str) -> str:
        return value


def stream(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    yield from write_rows(rows, writer=writer)


def write_rows(rows: Iterable[Iterable], *, writer=None) -> Iterator[str]:
    writer = writer or csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([neutralise(cell) for cell in row])


def case_rows(queryset) -> Iterator[tuple]:
    """The cases of `queryset` in its order (newest first when it has none), read through a server-side
    cursor CHUNK rows at a time."""
    fields = [field for _, field in CASE_COLUMNS]
    if not queryset.ordered:
        queryset = queryset.order_by("-created_at", "-id")
    for row in queryset.values_list(*fields).iterator(chunk_size=CHUNK):
        yield (format_reference(row[0]), *row[1:])


def case_export(queryset=None) -> Iterator[str]:
    queryset = RecoveryCase.objects.all() if queryset is None else queryset
    return stream([name for name, _ in CASE_COLUMNS], case_rows(queryset))


def metrics_export(metrics: dict) -> Iterator[str]:
    """The dashboard's tables, one section each (`cases.metrics.export`)."""
    return write_rows(metrics_tables.rows(metrics))
