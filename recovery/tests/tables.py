"""Helpers of the tables that test who may reach what (`test_access_table`, `cases/tests/test_team_scope`):
one row per page or endpoint, one column per caller."""

import pytest


def table_params(rows, kind: str, callers: tuple[str, ...]):
    """One test per cell: (kind, method, path, body, caller, expected) from rows of
    (method, path, body, one expectation per caller)."""
    for method, path, body, expected in rows:
        for caller, outcome in zip(callers, expected, strict=True):
            yield pytest.param(kind, method, path, body, caller, outcome, id=f"{method} {path} as {caller}")


def fill(value, world: dict):
    """A row's path or body with the world's `{names}` filled in."""
    if isinstance(value, str):
        return value.format(**world)
    if isinstance(value, dict):
        return {key: fill(item, world) for key, item in value.items()}
    return value
