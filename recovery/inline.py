"""Related rows fetched inside their parent's query, as model instances, on PostgreSQL.

`prefetch_related` costs a round trip per relation. On a loaded machine a round trip is most of a
small read's time (a case's detail: five of them around a sub-millisecond plan), so each relation
travels instead as a JSON array column of the parent row (`rows`), and `attach` turns it back into
instances that the serializers and templates read exactly as they would prefetched ones. Every concrete
field comes along, each read back through its own `to_python`, so nothing is deferred by surprise.
"""

import json
from collections.abc import Callable

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, models
from django.db.models import F, TextField
from django.db.models.functions import Cast, JSONObject

from recovery.compiled import CompiledQuery

# Types JSON cannot carry exactly travel as text, and `to_python` reads them back.
_AS_TEXT = (models.DecimalField, models.DurationField)


def rows(queryset: models.QuerySet, *, related: dict[str, tuple[str, ...]] | None = None) -> ArraySubquery:
    """`queryset`'s rows as JSON objects, in its order and within its slice, with its annotations.
    `related`: forward relations to bring along, each with the fields to fill in
    (`{"requested_by": ("username", ...)}`; nulls stay null)."""
    fields = {field.attname: _value(field, field.attname) for field in queryset.model._meta.concrete_fields}
    fields.update({name: F(name) for name in queryset.query.annotations})
    for name, wanted in (related or {}).items():
        target = queryset.model._meta.get_field(name).related_model
        fields[name] = JSONObject(
            **{
                attname: _value(target._meta.get_field(attname), f"{name}__{attname}")
                for attname in ("id", *wanted)
            }
        )
    return ArraySubquery(queryset.values(row=JSONObject(**fields)))


def _value(field, path: str):
    return Cast(F(path), TextField()) if isinstance(field, _AS_TEXT) else F(path)


def instances(
    model: type[models.Model], values: list[dict], *, related: tuple[str, ...] = (), **known
) -> list[models.Model]:
    """Model instances of the rows `rows` brought, with the same `related`; `known`: attributes every
    one shares (its parent). An annotation becomes a plain attribute, as it would from a queryset."""
    attnames = {field.attname for field in model._meta.concrete_fields}
    built = []
    for value in values or []:
        related_values = {name: value.pop(name) for name in related}
        annotations = {name: value.pop(name) for name in list(value) if name not in attnames}
        instance = model(**{name: _read(model, name, raw) for name, raw in value.items()}, **known)
        instance.__dict__.update(annotations)
        for name, data in related_values.items():
            target = model._meta.get_field(name).related_model
            assert target is not None and not isinstance(target, str)  # a resolved relation
            user = None if data["id"] is None else target(**data)
            if user is not None:
                user._state.adding = False
            setattr(instance, name, user)
        instance._state.adding, instance._state.db = False, "default"
        built.append(instance)
    return built


def _read(model, attname, raw):
    field = next(field for field in model._meta.concrete_fields if field.attname == attname)
    return raw if raw is None else field.to_python(raw)


def attach(instance: models.Model, relation: str, objects: list[models.Model]) -> None:
    """Make `instance.<relation>.all()` answer `objects` without a query, as a prefetch would."""
    queryset = getattr(instance, relation).all()
    queryset._result_cache, queryset._prefetch_done = objects, True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[relation] = queryset


class Compiled:
    """A query of `rows` columns for one parent id, compiled by the ORM once per process.

    Compiling four JSON subqueries of every field took far longer than running them (a case's
    detail: ~0.3 ms in PostgreSQL, several ms of Python per request); the SQL does not change from
    one id to the next, so only the values are swapped in (`recovery.compiled`). `build(parent_id,
    *values)` returns a `values_list`; `sentinels` are stand-ins for `values` that no real call passes,
    one per value.
    """

    _ID_SENTINEL = -918_273_645  # an id no row has, found again among the compiled parameters

    def __init__(self, build: Callable[..., models.QuerySet], *, sentinels: tuple = ()) -> None:
        self._query = CompiledQuery(build, self._ID_SENTINEL, *sentinels)

    def fetch(self, parent_id: int, *values) -> tuple | None:
        """Each `rows` column as a list of dicts and any other column as it came, or None when no
        parent has this id."""
        sql, params = self._query.sql_with_params(parent_id, *values)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        return tuple(_decoded(column) for column in row)


def _decoded(column):
    # Django reads jsonb as text and decodes it in its fields' converters, bypassed here.
    if isinstance(column, list):
        return [json.loads(v) if isinstance(v, str) else v for v in column]
    return column
