"""The customers a manager adds as hit by a root cause: a pasted list of external ids, or a CSV file
(`external_id`, and optionally `name` and `email`), read and checked row by row.

A row names a known customer, or a new one with an email to reach them by: an unknown id alone is
refused, since a typo would otherwise open a case for nobody.
"""

import csv
import io
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from cases.models import RecoveryCase
from feedback.models import Customer
from recovery.errors import InvalidInput

MAX_ROWS = 1000  # one press opens a case per row, in its own transaction: a page's worth of work
MAX_CSV_BYTES = 1024 * 1024
EXTERNAL_ID_LENGTH: int = Customer._meta.get_field("external_id").max_length or 128
_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class Row:
    line: int
    external_id: str
    name: str = ""
    email: str = ""


@dataclass
class RowResult:
    row: Row
    status: str  # "opened", "skipped" (nothing to do) or "refused"
    message: str = ""
    customer: Customer | None = None
    reference: str = ""  # the proactive case, once opened

    @property
    def accepted(self) -> bool:
        return self.status == "opened"


def from_pasted(text: str) -> list[Row]:
    """External ids separated by new lines, commas, semicolons or spaces; the line is the item's place."""
    ids = [item for item in _SEPARATORS.split(text or "") if item]
    return _limited([Row(line, external_id) for line, external_id in enumerate(ids, start=1)], "external_ids")


def from_csv(data: bytes) -> list[Row]:
    """Rows of a CSV file whose header names `external_id` (and optionally `name`, `email`); a file
    without that header is read as one external id per line."""
    if len(data) > MAX_CSV_BYTES:
        raise InvalidInput(_("The CSV file is larger than 1 MB; split it."), field="csv_file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(_("The CSV file is not UTF-8 text."), field="csv_file") from None
    lines = list(csv.reader(io.StringIO(text)))
    header = [cell.strip().lower() for cell in lines[0]] if lines else []
    if "external_id" not in header:
        rows = [Row(n, cells[0].strip()) for n, cells in enumerate(lines, start=1) if _filled(cells)]
        return _limited(rows, "csv_file")
    at: dict[str, int] = {
        name: header.index(name) for name in ("external_id", "name", "email") if name in header
    }

    def cell(cells: list[str], name: str) -> str:
        place = at.get(name)
        return cells[place].strip() if place is not None and place < len(cells) else ""

    rows = [
        Row(n, cell(cells, "external_id"), cell(cells, "name"), cell(cells, "email"))
        for n, cells in enumerate(lines[1:], start=2)
        if _filled(cells)
    ]
    return _limited(rows, "csv_file")


def check_rows(rows: list[Row], *, root_cause_id: int) -> list[RowResult]:
    """Each row's verdict. Two queries whatever the number of rows: the customers, and who is linked."""
    known = Customer.objects.in_bulk([row.external_id for row in rows], field_name="external_id")
    linked = set(
        RecoveryCase.objects.filter(root_causes=root_cause_id, customer__in=known.values()).values_list(
            "customer_id", flat=True
        )
    )
    first_line: dict[str, int] = {}
    results = []
    for row in rows:
        results.append(_check(row, known.get(row.external_id), linked=linked, first_line=first_line))
    return results


def _check(row: Row, customer: Customer | None, *, linked: set[int], first_line: dict[str, int]) -> RowResult:
    def refused(message: str) -> RowResult:
        return RowResult(row, "refused", message, customer)

    if not row.external_id:
        return refused(_("No external id."))
    if len(row.external_id) > EXTERNAL_ID_LENGTH:
        return refused(_("An external id has at most %(n)d characters.") % {"n": EXTERNAL_ID_LENGTH})
    if row.external_id in first_line:
        return RowResult(
            row, "skipped", _("Listed already, on line %(line)d.") % {"line": first_line[row.external_id]}
        )
    first_line[row.external_id] = row.line
    if row.email:
        try:
            validate_email(row.email)
        except ValidationError:
            return refused(_("“%(email)s” is not an email address.") % {"email": row.email})
    if customer is None and not row.email:
        return refused(
            _("No customer has the external id “%(id)s”; give their email in a CSV file to add them.")
            % {"id": row.external_id}
        )
    if customer is not None and customer.pk in linked:
        return RowResult(row, "skipped", _("Already has a case linked to this root cause."), customer)
    return RowResult(row, "opened", _("Proactive case opened."), customer)


def _filled(cells: list[str]) -> bool:
    return any(cell.strip() for cell in cells)


def _limited(rows: list[Row], field: str) -> list[Row]:
    if not rows:
        raise InvalidInput(_("Give at least one external id."), field=field)
    if len(rows) > MAX_ROWS:
        raise InvalidInput(_("Add at most %(n)d customers at once.") % {"n": MAX_ROWS}, field=field)
    return rows
