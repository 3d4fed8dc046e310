"""recovery.compiled: a queryset compiled once, each call's values put where its sentinels were."""

import pytest
from django.db import connection
from django.db.models import Q

from cases.models import RecoveryCase
from cases.tests.factories import RecoveryCaseFactory
from recovery.compiled import CompiledQuery

pytestmark = pytest.mark.django_db

TITLE, OTHER_TITLE = "mend-test-title-stand-in", "mend-test-other-stand-in"


def titled(title: str, other: str):
    return RecoveryCase.objects.filter(Q(title=title) | Q(description=title) | Q(title=other)).values_list(
        "pk"
    )


def test_every_place_of_a_sentinel_takes_the_calls_value_and_the_statement_is_compiled_once():
    builds = []
    query = CompiledQuery(
        lambda *stand_ins: builds.append(stand_ins) or titled(*stand_ins), TITLE, OTHER_TITLE
    )
    kettle, toaster = RecoveryCaseFactory(title="Kettle"), RecoveryCaseFactory(title="Toaster")
    RecoveryCaseFactory(title="Other")

    first_sql, first = query.sql_with_params("Kettle", "Toaster")
    second_sql, second = query.sql_with_params("Toaster", "nothing")

    assert builds == [(TITLE, OTHER_TITLE)] and first_sql == second_sql
    assert first == ["Kettle", "Kettle", "Toaster"] and second == ["Toaster", "Toaster", "nothing"]
    with connection.cursor() as cursor:
        cursor.execute(first_sql, first)
        assert sorted(pk for (pk,) in cursor.fetchall()) == sorted([kettle.pk, toaster.pk])


def test_a_sentinel_the_query_does_not_carry_is_refused():
    query = CompiledQuery(lambda title: titled(TITLE, OTHER_TITLE), "a value the query never holds")

    with pytest.raises(ValueError, match="Sentinels not among the compiled parameters"):
        query.sql_with_params("Kettle")


def test_a_sentinel_that_may_be_absent_is_ignored_where_the_query_does_not_take_it():
    query = CompiledQuery(
        lambda title, unused: titled(title, OTHER_TITLE), TITLE, "never used", may_be_absent=True
    )
    kettle = RecoveryCaseFactory(title="Kettle")

    sql, params = query.sql_with_params("Kettle", "ignored")

    assert params == ["Kettle", "Kettle", OTHER_TITLE]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        assert [pk for (pk,) in cursor.fetchall()] == [kettle.pk]
