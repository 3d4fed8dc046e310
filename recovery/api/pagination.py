"""Keyset ("cursor") pagination over whatever order the queryset carries.

The cursor holds the sort-key values of the row it continues from, and the next page is
`WHERE (k1, k2, id) > (v1, v2, v3)`: a row comparison an index on the same keys answers directly, at
any depth, with no OFFSET and no COUNT. Every key must sort in the same direction and the last must be
unique (the id); `cases.selectors.cases` orders its querysets that way.
"""

import base64
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from recovery.parsing import whole_number

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Cursor:
    values: list
    backwards: bool  # True: the page before the row the values describe


class KeysetPagination(BasePagination):
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self._page_size(request)
        self.keys = [str(key) for key in queryset.query.order_by]
        self.descending = self.keys[0].startswith("-")
        names = [key.lstrip("-") for key in self.keys]
        # A key the queryset only aliases (computed to sort, not selected) is selected here: a cursor
        # needs its value. Aliased, a search or a re-sort that orders by other keys neither compiles
        # nor computes the default order's expressions.
        hidden = [name for name in names if name not in queryset.query.annotation_select]
        queryset = queryset.annotate(
            **{name: F(name) for name in hidden if name in queryset.query.annotations}
        )
        cursor = self._decode(request, queryset, names)
        if cursor is not None:
            ahead = TupleLessThan if self.descending != cursor.backwards else TupleGreaterThan
            queryset = queryset.filter(ahead(Tuple(*(F(name) for name in names)), cursor.values))
            if cursor.backwards:
                queryset = queryset.reverse()
        rows = list(queryset[: self.page_size + 1])
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        self.names = names
        self.next_row = self.previous_row = None
        if cursor is not None and cursor.backwards:
            rows.reverse()
            # Going back, there is always the page we came from; before us only if the query found more.
            self.next_row = rows[-1] if rows else None
            self.previous_row = rows[0] if rows and more else None
        else:
            self.next_row = rows[-1] if more else None
            self.previous_row = rows[0] if rows and cursor is not None else None
        return rows

    def get_paginated_response(self, data):
        following, previous = self.links()
        return Response({"results": data, "next": following, "previous": previous})

    def links(self) -> tuple[str | None, str | None]:
        """The next and the previous page's URLs (None at either end), after `paginate_queryset`."""
        return self._link(self.next_row, backwards=False), self._link(self.previous_row, backwards=True)

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["results", "next", "previous"],
            "properties": {"results": schema, "next": link, "previous": link},
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position from a previous page's `next` or `previous` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": (
                    f"Rows per page, {DEFAULT_PAGE_SIZE} by default, at most {MAX_PAGE_SIZE} "
                    "(more is refused: 400)."
                ),
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]

    def _page_size(self, request) -> int:
        return page_size(request, self.page_size_query_param)

    def _link(self, row, *, backwards: bool) -> str | None:
        if row is None:
            return None
        values = [_jsonable(getattr(row, name)) for name in self.names]
        token = base64.urlsafe_b64encode(json.dumps({"v": values, "b": backwards}).encode()).decode()
        url = self.request.build_absolute_uri()
        return replace_query_param(
            remove_query_param(url, self.cursor_query_param), self.cursor_query_param, token
        )

    def _decode(self, request, queryset, names) -> Cursor | None:
        token = request.query_params.get(self.cursor_query_param)
        if not token:
            return None
        try:
            payload = json.loads(base64.urlsafe_b64decode(token.encode()))
            raw_values, backwards = payload["v"], bool(payload["b"])
            if len(raw_values) != len(names):
                raise ValueError("cursor from another ordering")
            values = [
                _field(queryset, name).to_python(value) for name, value in zip(names, raw_values, strict=True)
            ]
        except (ValueError, TypeError, KeyError, DjangoValidationError) as exc:
            raise ValidationError({self.cursor_query_param: ["Invalid cursor."]}) from exc
        return Cursor(values=values, backwards=backwards)


def page_size(request, param: str = "page_size") -> int:
    """The page size a request asks for; outside 1 to MAX_PAGE_SIZE is refused (400), not clamped, so
    a client never believes it read everything when it read the maximum."""
    raw = request.query_params.get(param)
    if raw is None:
        return DEFAULT_PAGE_SIZE
    size = whole_number(raw)
    if size is None or not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationError({param: [f"A whole number from 1 to {MAX_PAGE_SIZE}."]})
    return size


class NumberedPagination(PageNumberPagination):
    """Page numbers, with the keyset pagination's page sizes and refusals."""

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        return page_size(request, self.page_size_query_param)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters


def _field(queryset, name):
    annotation = queryset.query.annotations.get(name)
    if annotation is not None:
        return annotation.output_field
    return queryset.model._meta.get_field(name)


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value
