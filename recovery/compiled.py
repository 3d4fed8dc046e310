"""A queryset's SQL compiled by the ORM once per process, with each call's own values swapped in.

For reads whose statement never changes shape, compiling was most of the Python time of a request:
several ms for a case's detail or a search's ranked matches, against well under one in PostgreSQL.
The ORM still writes the SQL (so expressions stay the ones the indexes were built from); only the
values differ from one call to the next.
"""

from collections.abc import Callable

from django.db import models


class CompiledQuery:
    """`build(*sentinels)` returns the queryset; `sql_with_params(*values)` is its SQL with every
    parameter equal to a sentinel replaced by the matching value. Each sentinel must appear among the
    compiled parameters, and no other parameter of the query may equal it (its places are found by
    equality, once, when the query is first compiled). With `may_be_absent`, a sentinel the query
    does not take is allowed, and its value ignored (one build for several shapes of a query)."""

    def __init__(
        self, build: Callable[..., models.QuerySet], *sentinels, may_be_absent: bool = False
    ) -> None:
        self._build = build
        self._sentinels = sentinels
        self._may_be_absent = may_be_absent
        self._sql: str | None = None

    def sql_with_params(self, *values) -> tuple[str, list]:
        if self._sql is None:
            sql, built = self._build(*self._sentinels).query.sql_with_params()
            params = list(built)
            self._at = [[at for at, param in enumerate(params) if _same(param, s)] for s in self._sentinels]
            missing = [s for s, places in zip(self._sentinels, self._at, strict=True) if not places]
            if missing and not self._may_be_absent:
                raise ValueError(f"Sentinels not among the compiled parameters: {missing!r}")
            self._params, self._sql = params, sql
        params = [*self._params]
        for places, value in zip(self._at, values, strict=True):
            for at in places:
                params[at] = value
        return self._sql, params


def _same(param, sentinel) -> bool:
    # `==` alone would take 1 for True or 1.0 for 1: the type must match too.
    return type(param) is type(sentinel) and param == sentinel
