"""SLA policies: agents read them, managers edit them, in Django or ISO 8601 durations."""

from datetime import timedelta

import pytest

from cases.models import SLAPolicy

pytestmark = pytest.mark.django_db

POLICIES = "/api/v1/sla-policies/"


def test_an_agent_reads_every_policy_most_severe_first(api_client, agent):
    response = api_client(agent).get(POLICIES)

    assert response.status_code == 200
    assert [p["severity"] for p in response.json()] == ["critical", "high", "medium", "low"]
    assert response.json()[1]["acknowledge_within"] == "01:00:00"


def test_an_agent_reads_one_policy(api_client, agent):
    body = api_client(agent).get(f"{POLICIES}high/").json()

    assert (body["acknowledge_within"], body["resolve_within"], body["warn_at_fraction"]) == (
        "01:00:00",
        "1 00:00:00",
        "0.75",
    )


def test_an_unknown_severity_is_a_404(api_client, agent):
    assert api_client(agent).get(f"{POLICIES}urgent/").status_code == 404


@pytest.mark.parametrize(
    ("value", "expected"),
    [("00:30:00", timedelta(minutes=30)), ("PT45M", timedelta(minutes=45)), ("PT1H", timedelta(hours=1))],
)
def test_a_manager_edits_a_policy_in_either_duration_format(api_client, manager, value, expected):
    response = api_client(manager).patch(f"{POLICIES}high/", {"acknowledge_within": value}, format="json")

    assert response.status_code == 200, response.json()
    assert SLAPolicy.objects.get(severity="high").acknowledge_within == expected


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"acknowledge_within": "soon"}, "acknowledge_within"),
        ({"acknowledge_within": 47}, "acknowledge_within"),  # seconds? minutes? the schema says text
        ({"follow_up_after": 3.5}, "follow_up_after"),
        ({"acknowledge_within": "-01:00:00"}, "acknowledge_within"),
        ({"acknowledge_within": "00:00:00"}, "acknowledge_within"),
        ({"apologize_within": "00:10:00"}, "apologize_within"),  # before the acknowledge target
        ({"warn_at_fraction": "1.5"}, "warn_at_fraction"),
        ({"warn_at_fraction": 0.5}, "warn_at_fraction"),  # a decimal is written as text
        ({"severity": "low"}, "severity"),
    ],
)
def test_a_bad_policy_edit_is_a_400_and_changes_nothing(api_client, manager, body, field):
    response = api_client(manager).patch(f"{POLICIES}high/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    policy = SLAPolicy.objects.get(severity="high")
    assert (policy.acknowledge_within, policy.apologize_within) == (timedelta(hours=1), timedelta(hours=2))


def test_a_duration_given_as_a_number_is_refused_as_not_text(api_client, manager):
    response = api_client(manager).patch(f"{POLICIES}high/", {"acknowledge_within": 3600}, format="json")

    assert response.status_code == 400
    assert response.json()["acknowledge_within"] == ["Not a valid string."]
