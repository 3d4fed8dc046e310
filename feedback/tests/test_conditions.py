import pytest
from django.core.exceptions import ValidationError

from feedback.conditions import FeedbackFacts, contains_any, matches, validate

ROUTING_KEYS = ("touchpoint", "channel", "severity", "segment", "words")


def facts(**values):
    return FeedbackFacts(**{"touchpoint": "web/checkout", "channel": "web", "severity": "high", **values})


def test_every_key_must_match_and_any_value_of_a_key_does():
    conditions = {"channel": ["email", "WEB"], "severity": ["high", "critical"]}
    assert matches(conditions, facts())
    assert not matches(conditions, facts(severity="low"))
    assert not matches({**conditions, "segment": ["gold"]}, facts(segment="silver"))
    assert matches({**conditions, "segment": ["gold"]}, facts(segment="Gold"))


def test_words_match_whole_words_and_phrases_ignoring_case():
    assert contains_any("The REFUND never came", ["refund"])
    assert not contains_any("refunded twice", ["refund"])
    assert contains_any("my card was charged  twice", ["charged twice"])
    assert not contains_any("charged, then twice", ["charged twice"])
    assert matches({"words": ["late", "delay"]}, facts(comment="A long delay at the gate"))
    assert not matches({"words": ["late"]}, facts(comment="Lately fine"))


def test_an_empty_list_places_no_condition():
    assert matches({"channel": [], "words": ["gate"]}, facts(comment="gate closed"))


@pytest.mark.parametrize(
    "conditions, message",
    [
        ({}, "at least one condition"),
        ({"channel": []}, "at least one condition"),
        ({"colour": ["red"]}, "Unknown condition 'colour'"),
        ({"channel": "web"}, "'channel' must be a list"),
        ({"words": ["  "]}, "'words' must be a list"),
        ([], "must be an object"),
    ],
)
def test_validate_names_what_is_wrong(conditions, message):
    with pytest.raises(ValidationError, match=message):
        validate(conditions, allowed=ROUTING_KEYS)


def test_validate_cleans_values():
    assert validate({"words": [" delay "], "segment": []}, allowed=ROUTING_KEYS) == {"words": ["delay"]}
