"""recovery.db.bulk: what goes in comes back out, whatever the text holds, on SQLite and on PostgreSQL."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from cases.models import CaseEvent, RecoveryCase, SLAAlarm, SLAAlert
from cases.tests.factories import RecoveryCaseFactory
from recovery.db import bulk

pytestmark = pytest.mark.django_db

AWKWARD_TEXT = [
    "",
    "NULL",
    "plain",
    'a "quoted" word',
    'back\\slash and \\" both',
    "comma, {braces} and (parens)",
    "  leading and trailing spaces  ",
    "line one\nline two\ttabbed",
    "ünïcödé ✓ 日本",
]
MOMENT = datetime(2026, 11, 20, 9, 30, 15, 123456, tzinfo=UTC)


def test_insert_stores_text_json_and_moments_exactly_as_given():
    case = RecoveryCaseFactory()
    rows = [
        (case.pk, "note_added", None, "", "", text, {"text": text, "n": n, "none": None}, MOMENT)
        for n, text in enumerate(AWKWARD_TEXT)
    ]

    bulk.insert(
        CaseEvent,
        ("case", "kind", "actor", "from_stage", "to_stage", "message", "data", "created_at"),
        rows,
    )

    stored = CaseEvent.objects.filter(kind="note_added").order_by("id")
    assert [(e.message, e.data, e.created_at, e.actor_id) for e in stored] == [
        (text, {"text": text, "n": n, "none": None}, MOMENT, None) for n, text in enumerate(AWKWARD_TEXT)
    ]


def test_insert_skipping_conflicts_returns_only_the_rows_it_inserted():
    case = RecoveryCaseFactory()
    sweep = uuid.uuid4()
    columns = ("case", "target", "level", "cycle", "moment", "owner", "sweep_id", "created_at")
    first = bulk.insert(
        SLAAlert,
        columns,
        [(case.pk, "acknowledge", 0, 0, MOMENT, None, sweep, MOMENT)],
        skip_conflicts=True,
        returning=("case", "target", "level"),
    )

    again = bulk.insert(
        SLAAlert,
        columns,
        [
            (case.pk, "acknowledge", 0, 0, MOMENT, None, sweep, MOMENT),  # sent before: skipped
            (case.pk, "acknowledge", 1, 0, MOMENT, None, sweep, MOMENT),
        ],
        skip_conflicts=True,
        returning=("case", "target", "level"),
    )

    assert first == [(case.pk, "acknowledge", 0)]
    assert again == [(case.pk, "acknowledge", 1)]
    assert SLAAlert.objects.get(level=1).sweep_id == sweep


def test_update_writes_each_row_its_own_values_and_leaves_the_others_alone():
    cases = [RecoveryCaseFactory() for _ in range(3)]
    untouched = SLAAlarm.objects.get(case=cases[2]).rings_at

    updated = bulk.update(
        SLAAlarm,
        "case",
        ("rings_at",),
        [(cases[0].pk, MOMENT), (cases[1].pk, MOMENT + timedelta(minutes=5))],
    )

    assert updated == 2
    alarms = {alarm.case_id: alarm.rings_at for alarm in SLAAlarm.objects.all()}
    assert alarms == {
        cases[0].pk: MOMENT,
        cases[1].pk: MOMENT + timedelta(minutes=5),
        cases[2].pk: untouched,
    }


def test_nothing_to_write_runs_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert bulk.insert(SLAAlarm, ("case", "rings_at"), []) == []
        assert bulk.update(SLAAlarm, "case", ("rings_at",), []) == 0


@pytest.mark.parametrize(
    ("field", "values", "literal"),
    [
        (SLAAlert._meta.get_field("level"), [1, 22, None], "{1,22,NULL}"),
        (SLAAlert._meta.get_field("case"), [7, None], "{7,NULL}"),  # a key holds its target's integers
        (
            CaseEvent._meta.get_field("message"),
            ["NULL", "", 'say "hi"', "a\\b", None],
            '{"NULL","","say \\"hi\\"","a\\\\b",NULL}',
        ),
        (CaseEvent._meta.get_field("data"), [{"a": "b"}], '{"{\\"a\\": \\"b\\"}"}'),
        (RecoveryCase._meta.get_field("is_repeat"), [True, False], '{"True","False"}'),
        (SLAAlert._meta.get_field("moment"), [MOMENT, None], '{"2026-11-20T09:30:15.123456+00:00",NULL}'),
    ],
)
def test_array_literals_quote_everything_but_integers(field, values, literal):
    assert bulk._array_literal(field, values) == literal


def test_a_duration_is_quoted_as_seconds_which_postgresql_reads_as_an_interval():
    assert bulk._quoted(timedelta(days=1, minutes=90)) == '"91800.0 seconds"'
