"""Routing at triage: 1,000 mixed feedback rows against 20 rules, each case's team checked against an
expectation written out by hand (first match wins; no match goes to the default team)."""

import pytest

from cases.models import CaseEvent, RecoveryCase
from cases.teams.models import RoutingRule, Team
from feedback import intake
from feedback.tests.factories import feedback_input

pytestmark = pytest.mark.django_db

TEAM_SLUGS = ("general", "legal", "vip", "billing", "apps", "delivery", "social")

# position -> (team, conditions). Read in this order; the first that matches wins.
RULES = [
    ("legal", {"severity": ["critical"]}),
    ("vip", {"segment": ["vip"], "words": ["refund"]}),
    ("billing", {"touchpoint": ["checkout"], "words": ["charged twice"]}),
    ("apps", {"touchpoint": ["checkout"], "channel": ["app"]}),
    ("billing", {"touchpoint": ["checkout"]}),
    ("billing", {"words": ["refund"]}),
    ("vip", {"touchpoint": ["delivery"], "segment": ["vip"]}),
    ("delivery", {"touchpoint": ["delivery"], "severity": ["high"]}),
    ("delivery", {"touchpoint": ["delivery"]}),
    ("apps", {"channel": ["app"], "words": ["crash"]}),
    ("apps", {"channel": ["app"], "words": ["login", "log in"]}),
    ("vip", {"segment": ["vip"]}),
    ("billing", {"touchpoint": ["returns"], "channel": ["email"]}),
    ("delivery", {"touchpoint": ["returns"]}),
    ("delivery", {"words": ["late", "missing parcel"]}),
    ("social", {"channel": ["social"]}),
    ("social", {"channel": ["chat"], "severity": ["medium"]}),
    ("vip", {"segment": ["business"]}),
    ("general", {"touchpoint": ["store"], "words": ["rude"]}),
    ("billing", {"words": ["cancel"]}),
]

# (touchpoint, channel, segment, rating, comment) -> the team, worked out by hand from RULES above.
# Rating 1 is a high case, 2 a medium one; a legal or injury word makes any case critical.
EXPECTED = [
    (("checkout", "web", "", 1, "My lawyer will hear about this"), "legal"),  # rule 1 before all
    (("delivery", "web", "", 2, "I got hurt by the box"), "legal"),  # critical by its words
    (("checkout", "web", "vip", 2, "I want a refund"), "vip"),  # rule 2 before 5 and 6
    (("checkout", "web", "", 2, "I was charged twice"), "billing"),  # rule 3
    (("checkout", "app", "", 2, "Slow page"), "apps"),  # rule 4 before 5
    (("checkout", "email", "", 1, "Nothing worked"), "billing"),  # rule 5
    (("CHECKOUT", "web", "", 2, "Meh"), "billing"),  # rule 5, whatever the case of the letters
    (("home", "web", "", 2, "Refund please"), "billing"),  # rule 6
    (("home", "web", "", 2, "They refunded nothing"), "general"),  # "refunded" is not the word "refund"
    (("delivery", "web", "vip", 2, "Box damaged"), "vip"),  # rule 7
    (("delivery", "web", "", 1, "Box damaged"), "delivery"),  # rule 8
    (("delivery", "phone", "", 2, "Box damaged"), "delivery"),  # rule 9
    (("profile", "app", "", 2, "The app will crash on start"), "apps"),  # rule 10
    (("profile", "app", "", 2, "cannot LOG IN at all"), "apps"),  # rule 11, a phrase
    (("profile", "app", "", 2, "Too many emails"), "general"),  # app, but neither crash nor login
    (("profile", "web", "vip", 2, "Too many emails"), "vip"),  # rule 12
    (("returns", "email", "", 2, "Label never came"), "billing"),  # rule 13
    (("returns", "web", "", 2, "Label never came"), "delivery"),  # rule 14
    (("home", "web", "", 2, "Parcel was late"), "delivery"),  # rule 15
    (("home", "web", "", 2, "A missing parcel again"), "delivery"),  # rule 15, a phrase
    (("home", "web", "", 2, "Missing the parcel"), "general"),  # the phrase's words apart
    (("home", "social", "", 2, "Bad"), "social"),  # rule 16
    (("home", "chat", "", 2, "Bad"), "social"),  # rule 17
    (("home", "chat", "", 1, "Bad"), "general"),  # chat but high: rule 17 wants medium
    (("home", "web", "business", 2, "Bad"), "vip"),  # rule 18
    (("store", "web", "", 2, "Staff were rude"), "general"),  # rule 19 names the default team itself
    (("store", "web", "", 2, "I will cancel my order"), "billing"),  # rule 20
    (("store", "web", "vip", 1, "I will cancel"), "vip"),  # rule 12 before 20
    (("home", "web", "", 2, "Dull"), "general"),  # nothing matches: the default team
]

ROWS = 1000


@pytest.fixture
def routed_world():
    teams = {slug: Team.objects.create(name=slug.title(), slug=slug) for slug in TEAM_SLUGS}
    Team.objects.filter(slug="general").update(is_default=True)
    for position, (slug, conditions) in enumerate(RULES, start=1):
        RoutingRule.objects.create(position=position, team=teams[slug], conditions=conditions)
    return teams


def test_a_thousand_mixed_rows_land_on_the_teams_written_out_by_hand(routed_world, intake_user):
    expected = {}
    for n in range(ROWS):
        (touchpoint, channel, segment, rating, comment), team = EXPECTED[n % len(EXPECTED)]
        payload = feedback_input(
            external_id=f"C-{n}",
            customer={"segment": segment},
            channel=channel,
            touchpoint=touchpoint,
            rating=rating,
            comment=comment,
        )
        case_id = intake.submit(client=intake_user, idempotency_key=None, payload=payload).feedback.case_id
        expected[case_id] = team

    routed = dict(RecoveryCase.objects.values_list("pk", "team__slug"))
    wrong = {pk: (routed[pk], team) for pk, team in expected.items() if routed[pk] != team}
    assert len(routed) == ROWS
    assert not wrong, f"{len(wrong)} cases on the wrong team (got, expected): {list(wrong.items())[:5]}"


def test_the_timeline_names_the_rule_or_the_default_team(routed_world, intake_user):
    by_rule = intake.submit(
        client=intake_user,
        idempotency_key=None,
        payload=feedback_input(external_id="A", rating=2, comment="Refund"),
    ).feedback.case
    by_default = intake.submit(
        client=intake_user,
        idempotency_key=None,
        payload=feedback_input(external_id="B", rating=2, comment="Dull"),
    ).feedback.case

    rule_six = RoutingRule.objects.get(position=6)
    routed = by_rule.events.get(kind=CaseEvent.Kind.TEAM_CHANGED)
    defaulted = by_default.events.get(kind=CaseEvent.Kind.TEAM_CHANGED)
    assert routed.data == {"from": None, "to": "billing", "rule": rule_six.pk}
    assert "routing rule #6" in routed.message
    assert defaulted.data == {"from": None, "to": "general", "rule": None}
    assert "the default team" in defaulted.message


def test_with_no_team_a_case_is_everyones_and_unassigned_as_before(intake_user):
    case = intake.submit(
        client=intake_user, idempotency_key=None, payload=feedback_input(rating=1, comment="Broken")
    ).feedback.case

    assert (case.team_id, case.owner_id) == (None, None)
    assert list(case.events.values_list("kind", flat=True)) == [CaseEvent.Kind.CREATED]


def test_no_rule_matching_and_no_default_team_leaves_the_case_with_no_team(intake_user):
    team = Team.objects.create(name="Billing", slug="billing")
    RoutingRule.objects.create(position=1, team=team, conditions={"words": ["refund"]})

    case = intake.submit(
        client=intake_user, idempotency_key=None, payload=feedback_input(rating=1, comment="Broken")
    ).feedback.case

    assert case.team_id is None
