"""The rule matcher, by hand: every operator against facts of the right and the wrong type.

Each expectation below is written out, not computed from the module: a metadata value of the wrong
type never matches and never raises.
"""

import pytest

from cases.gesture_rules import metadata
from cases.gesture_rules.automatic import rule_matches
from feedback.conditions import FeedbackFacts

META = {
    "delay_minutes": 200,
    "price": 19.5,
    "text_delay": "abc",
    "numeric_text": "200",
    "flag": True,
    "nothing": None,
    "tier": "Gold",
    "note": "Flight LH123 delayed at FRA",
    "tags": ["late", "baggage", 7],
    "nested": {"delay_minutes": 500},
}

# (key, op, value, expected) each worked out by hand from META.
CASES = [
    ("delay_minutes", ">", 180, True),
    ("delay_minutes", ">", 200, False),
    ("delay_minutes", ">=", 200, True),
    ("delay_minutes", "<", 200, False),
    ("delay_minutes", "<=", 200, True),
    ("delay_minutes", "=", 200, True),
    ("delay_minutes", "=", 200.0, True),  # one number, written two ways
    ("delay_minutes", "!=", 180, True),
    ("delay_minutes", "!=", 200, False),
    ("price", "<", 20, True),
    ("price", ">", 19.49, True),
    # Wrong type for the operator: never matches, either way round.
    ("text_delay", ">", 180, False),
    ("text_delay", "<", 180, False),
    ("text_delay", "<=", 180, False),
    ("numeric_text", ">", 180, False),  # a numeric string is text, not a number
    ("numeric_text", "=", 200, False),
    ("numeric_text", "!=", 200, False),  # not comparable, so not "different" either
    ("flag", ">", 0, False),  # a boolean is not a number
    ("flag", "=", 1, False),
    ("flag", "=", True, True),
    ("flag", "!=", False, True),
    ("nothing", "=", "abc", False),
    ("nothing", "!=", "abc", False),
    ("nothing", ">", 1, False),
    ("nested", ">", 1, False),
    ("nested", "contains", "delay_minutes", False),
    ("missing", "!=", "x", False),  # a missing key matches nothing, not even "!="
    ("missing", ">", 0, False),
    # Texts compare without regard to case.
    ("tier", "=", "gold", True),
    ("tier", "!=", "gold", False),
    ("tier", "!=", "silver", True),
    ("tier", "in", ["silver", "GOLD"], True),
    ("tier", "in", ["silver", "bronze"], False),
    ("delay_minutes", "in", [100, 200], True),
    ("delay_minutes", "in", ["200"], False),
    ("note", "contains", "delayed", True),
    ("note", "contains", "DELAYED AT", True),
    ("note", "contains", "cancelled", False),
    ("tags", "contains", "Late", True),
    ("tags", "contains", 7, True),
    ("tags", "contains", "7", False),
    ("delay_minutes", "contains", 2, False),  # a number holds nothing
    ("tier", ">", "a", False),  # order on texts is not offered
]


@pytest.mark.parametrize(("key", "op", "value", "expected"), CASES)
def test_each_operator_on_each_kind_of_value(key, op, value, expected):
    assert metadata.matches([{"key": key, "op": op, "value": value}], META) is expected


@pytest.mark.parametrize(
    "odd",
    [
        {},
        {"delay_minutes": "abc"},
        {"delay_minutes": [180]},
        {"delay_minutes": float("nan")},
        "not a dict",
        None,
    ],
)
def test_metadata_of_any_shape_never_raises_and_never_matches_a_number_test(odd):
    assert metadata.matches([{"key": "delay_minutes", "op": ">", "value": 180}], odd) is False


def test_every_test_must_pass():
    tests = [{"key": "delay_minutes", "op": ">", "value": 180}, {"key": "tier", "op": "=", "value": "gold"}]
    assert metadata.matches(tests, META) is True
    assert metadata.matches([*tests, {"key": "price", "op": ">", "value": 20}], META) is False


def facts(**values):
    defaults = {
        "touchpoint": "boarding",
        "channel": "app",
        "severity": "high",
        "segment": "gold",
        "metadata": META,
    }
    return FeedbackFacts(**{**defaults, **values})


def test_a_rule_needs_its_lists_and_its_metadata_to_match():
    rule = {"touchpoint": ["Boarding"], "metadata": [{"key": "delay_minutes", "op": ">", "value": 180}]}
    assert rule_matches(rule, facts())
    assert not rule_matches(rule, facts(touchpoint="checkout"))
    assert not rule_matches(rule, facts(metadata={"delay_minutes": 120}))
    assert not rule_matches(rule, facts(metadata={"delay_minutes": "abc"}))
    assert rule_matches({"severity": ["high", "critical"]}, facts())  # no metadata tests: lists decide


@pytest.mark.parametrize(
    ("tests", "says"),
    [
        ([{"key": "delay_minutes", "op": "~", "value": 1}], "unknown operator '~'"),
        ([{"key": "delay_minutes", "op": "like", "value": "x"}], "unknown operator 'like'"),
        ([{"key": "delay_minutes", "op": ">", "value": "180"}], "> compares numbers"),
        ([{"key": "delay_minutes", "op": ">", "value": True}], "> compares numbers"),
        ([{"key": "tier", "op": "in", "value": []}], "in takes a list"),
        ([{"key": "tier", "op": "in", "value": "gold"}], "in takes a list"),
        ([{"key": "tier", "op": "=", "value": {"a": 1}}], "= takes a text"),
        ([{"key": "", "op": "=", "value": 1}], "the key is a name"),
        ([{"key": "tier", "op": "="}], 'exactly "key", "op" and "value"'),
        ([{"key": "tier", "op": "=", "value": 1, "extra": 2}], 'exactly "key", "op" and "value"'),
        ({"key": "tier"}, "metadata is a list"),
    ],
)
def test_a_test_that_could_not_work_is_refused_with_what_is_wrong(tests, says):
    with pytest.raises(metadata.MetadataConditionError) as refused:
        metadata.validate(tests)
    assert says in str(refused.value)


def test_the_second_bad_test_is_named_by_its_position():
    with pytest.raises(metadata.MetadataConditionError, match="metadata condition 2"):
        metadata.validate([{"key": "a", "op": "=", "value": 1}, {"key": "b", "op": "=>", "value": 1}])
