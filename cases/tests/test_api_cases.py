"""The case API: queue, detail with ETag, opening by hand, PATCH with If-Match, actions, timeline, notes."""

from datetime import timedelta
from unittest.mock import ANY

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from cases.models import CaseEvent, FollowUp, Gesture, RecoveryCase, Stage
from cases.selectors import search
from cases.tests.factories import GestureFactory, RecoveryCaseFactory, RootCauseFactory
from feedback.tests.factories import CustomerFactory, FeedbackFactory

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"


def detail_url(case) -> str:
    return f"{CASES}{case.reference}/"


def refs(response) -> list[str]:
    return [row["reference"] for row in response.json()["results"]]


# The queue -------------------------------------------------------------------


def test_queue_puts_breached_cases_first_then_by_due_moment_then_severity(api_client, agent):
    now = timezone.now()
    later = RecoveryCaseFactory(severity="low", sla_started_at=now)  # ack due in 24 h
    breached = RecoveryCaseFactory(severity="medium", sla_started_at=now - timedelta(hours=5))  # due 1 h ago
    soon_medium = RecoveryCaseFactory(severity="medium", sla_started_at=now)  # due in 4 h
    closed = RecoveryCaseFactory(closed=True, sla_due_at=None)
    closed.sla_due_at = None
    RecoveryCase.objects.filter(pk=closed.pk).update(sla_due_at=None, sla_warn_at=None)
    # Same due moment, more severe first.
    same_due_low = RecoveryCaseFactory(severity="low", sla_started_at=now)
    RecoveryCase.objects.filter(pk=same_due_low.pk).update(sla_due_at=soon_medium.sla_due_at)

    response = api_client(agent).get(CASES)

    assert response.status_code == 200
    assert refs(response) == [
        breached.reference,
        soon_medium.reference,
        same_due_low.reference,
        later.reference,
        closed.reference,
    ]
    assert response.json()["next"] is None and response.json()["previous"] is None


def test_queue_rows_carry_customer_owner_and_sla_state(api_client, agent):
    case = RecoveryCaseFactory(owner=agent, sla_started_at=timezone.now() - timedelta(hours=5))

    (row,) = api_client(agent).get(CASES).json()["results"]

    assert row["reference"] == case.reference
    assert row["customer"]["external_id"] == case.customer.external_id
    assert row["owner"]["username"] == "agent"
    assert row["sla_state"] == "breached"
    assert row["version"] == 0


def test_queue_pages_forward_and_back_with_cursors(api_client, agent):
    cases = [RecoveryCaseFactory() for _ in range(5)]
    client = api_client(agent)
    expected = [c.reference for c in sorted(cases, key=lambda c: (c.sla_due_at, c.pk))]

    first = client.get(CASES, {"page_size": 2}).json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    back = client.get(third["previous"]).json()

    assert [r["reference"] for r in first["results"]] == expected[:2]
    assert [r["reference"] for r in second["results"]] == expected[2:4]
    assert [r["reference"] for r in third["results"]] == expected[4:]
    assert third["next"] is None
    assert [r["reference"] for r in back["results"]] == expected[2:4]
    assert first["previous"] is None


def test_page_size_defaults_to_50_and_above_200_is_refused_not_clamped(api_client, agent):
    RecoveryCaseFactory.create_batch(201)
    client = api_client(agent)

    assert len(client.get(CASES).json()["results"]) == 50
    assert len(client.get(CASES, {"page_size": 200}).json()["results"]) == 200
    refused = client.get(CASES, {"page_size": 201})
    assert refused.status_code == 400
    assert refused.json() == {"page_size": ["A whole number from 1 to 200."]}


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"stage": "pending"}, "stage"),
        ({"severity": "high,urgent"}, "severity"),
        ({"owner": "someone"}, "owner"),
        ({"sla_state": "late"}, "sla_state"),
        ({"is_repeat": "maybe"}, "is_repeat"),
        ({"root_cause": "abc"}, "root_cause"),
        ({"created_after": "yesterday"}, "created_after"),
        ({"ordering": "title"}, "ordering"),
        ({"ordering": "-stage"}, "ordering"),
        ({"page_size": "many"}, "page_size"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_invalid_filter_or_ordering_value_is_a_400_naming_the_parameter(api_client, agent, params, parameter):
    RecoveryCaseFactory()

    response = api_client(agent).get(CASES, params)

    assert response.status_code == 400
    assert parameter in response.json()


def test_stage_and_severity_filters_take_repeats_and_commas(api_client, agent):
    new_high = RecoveryCaseFactory(severity="high")
    ack_low = RecoveryCaseFactory(acknowledged=True, severity="low")
    RecoveryCaseFactory(apologized=True, severity="high")
    client = api_client(agent)

    assert refs(client.get(CASES, {"stage": "new", "severity": "high"})) == [new_high.reference]
    commas = set(refs(client.get(CASES, {"stage": "new,acknowledged"})))
    repeats = set(refs(client.get(f"{CASES}?stage=new&stage=acknowledged")))
    assert commas == repeats == {new_high.reference, ack_low.reference}


def test_owner_filter_takes_me_none_and_an_id(api_client, agent, other_agent):
    mine = RecoveryCaseFactory(owner=agent)
    theirs = RecoveryCaseFactory(owner=other_agent)
    free = RecoveryCaseFactory()
    client = api_client(agent)

    assert refs(client.get(CASES, {"owner": "me"})) == [mine.reference]
    assert refs(client.get(CASES, {"owner": "none"})) == [free.reference]
    assert refs(client.get(CASES, {"owner": other_agent.pk})) == [theirs.reference]


def test_sla_state_filter(api_client, agent):
    now = timezone.now()
    on_track = RecoveryCaseFactory(severity="low", sla_started_at=now)
    at_risk = RecoveryCaseFactory(severity="medium", sla_started_at=now - timedelta(hours=3, minutes=30))
    breached = RecoveryCaseFactory(severity="medium", sla_started_at=now - timedelta(hours=5))
    client = api_client(agent)

    assert refs(client.get(CASES, {"sla_state": "on_track"})) == [on_track.reference]
    assert refs(client.get(CASES, {"sla_state": "at_risk"})) == [at_risk.reference]
    assert refs(client.get(CASES, {"sla_state": "breached"})) == [breached.reference]


def test_repeat_customer_root_cause_and_created_filters(api_client, agent):
    with time_machine.travel("2026-11-01 10:00:00Z"):
        old = RecoveryCaseFactory(customer=CustomerFactory(external_id="C-OLD"))
    with time_machine.travel("2026-11-10 10:00:00Z"):
        repeat = RecoveryCaseFactory(is_repeat=True)
    root_cause = RootCauseFactory()
    root_cause.cases.add(repeat)
    client = api_client(agent)

    assert refs(client.get(CASES, {"is_repeat": "true"})) == [repeat.reference]
    assert refs(client.get(CASES, {"is_repeat": "false"})) == [old.reference]
    assert refs(client.get(CASES, {"customer": "C-OLD"})) == [old.reference]
    assert refs(client.get(CASES, {"root_cause": root_cause.pk})) == [repeat.reference]
    assert refs(client.get(CASES, {"created_after": "2026-11-05T00:00:00Z"})) == [repeat.reference]
    assert refs(client.get(CASES, {"created_before": "2026-11-05T00:00:00Z"})) == [old.reference]


# 5000: few matches, sorted; 0: "many" matches, found by walking the queue. Both must find the same.
@pytest.mark.parametrize("probe", [5000, 0])
def test_q_finds_a_case_by_reference_title_customer_and_feedback_comment(
    api_client, agent, monkeypatch, probe
):
    monkeypatch.setattr(search, "SEARCH_PROBE", probe)
    # Every searchable text spelled out: the factories' random English could say "rain" ("training").
    by_title = RecoveryCaseFactory(
        title="Parcel left in the rain", customer=CustomerFactory(name="Tom Smith", email="tom@example.com")
    )
    by_name = RecoveryCaseFactory(
        title="Invoice wrong", customer=CustomerFactory(name="Ingrid Bergman", email="ib@example.com")
    )
    by_comment = RecoveryCaseFactory(
        title="Phone support", customer=CustomerFactory(name="Ana Costa", email="ana@example.com")
    )
    FeedbackFactory(case=by_comment, sentiment="negative", rating=1, comment="Waited forty minutes on hold")
    client = api_client(agent)

    assert refs(client.get(CASES, {"q": by_title.reference})) == [by_title.reference]
    assert by_title.reference in refs(client.get(CASES, {"q": str(by_title.pk)}))
    assert refs(client.get(CASES, {"q": "rain"})) == [by_title.reference]
    assert refs(client.get(CASES, {"q": "bergman"})) == [by_name.reference]
    assert refs(client.get(CASES, {"q": "ib@example"})) == [by_name.reference]
    assert refs(client.get(CASES, {"q": "forty minutes"})) == [by_comment.reference]
    assert refs(client.get(CASES, {"q": "RC-999999"})) == []


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("created_at", ["a", "b", "c"]),
        ("-created_at", ["c", "b", "a"]),
        ("severity", ["b", "c", "a"]),
        ("-severity", ["a", "c", "b"]),
        ("acknowledge_due_at", ["a", "c", "b"]),
        ("-acknowledge_due_at", ["b", "c", "a"]),
        ("resolve_due_at", ["a", "c", "b"]),
        ("-resolve_due_at", ["b", "c", "a"]),
    ],
)
def test_ordering_by_each_key_in_either_direction(api_client, agent, ordering, expected):
    # a: critical (due soonest), b: low (due last), c: medium, created in the order a, b, c.
    made = {}
    for index, (name, severity) in enumerate([("a", "critical"), ("b", "low"), ("c", "medium")]):
        with time_machine.travel(timezone.now() + timedelta(seconds=index)):
            made[name] = RecoveryCaseFactory(severity=severity)

    response = api_client(agent).get(CASES, {"ordering": ordering, "page_size": 2})
    following = api_client(agent).get(response.json()["next"])

    names = {case.reference: name for name, case in made.items()}
    assert [names[r] for r in refs(response) + refs(following)] == expected


# token + user + roles in one query, the user's teams (the scope), then the page; a text search first
# probes how many cases it matches.
QUERY_BUDGETS = [
    ({"stage": "new", "owner": "me"}, 3),
    ({"stage": "new", "q": "e"}, 4),
    ({"ordering": "-severity", "root_cause": "1", "customer": "C-1"}, 3),
]


@pytest.mark.parametrize("page_size", [5, 60])
@pytest.mark.parametrize(("params", "queries"), QUERY_BUDGETS)
def test_queue_costs_the_same_queries_whatever_the_page_size(
    api_client, agent, django_assert_num_queries, page_size, params, queries
):
    for case in RecoveryCaseFactory.create_batch(60, owner=agent):
        FeedbackFactory(case=case, sentiment="negative", rating=1)
    client = api_client(agent)
    if "q" in params and connection.vendor != "postgresql":
        queries -= 1  # without PostgreSQL's full-text indexes a search reads its matches in one go

    with django_assert_num_queries(queries):
        response = client.get(CASES, {"page_size": page_size, **params})

    assert response.status_code == 200


# Detail ------------------------------------------------------------------------


def test_detail_by_reference_or_id_with_everything_and_an_etag(api_client, agent):
    case = RecoveryCaseFactory(owner=agent)
    FeedbackFactory(case=case, sentiment="negative", rating=1, comment="Cold food")
    RootCauseFactory(title="Kitchen backlog").cases.add(case)
    client = api_client(agent)

    by_reference = client.get(detail_url(case))
    by_id = client.get(f"{CASES}{case.pk}/")

    assert by_reference.status_code == by_id.status_code == 200
    assert by_reference.json() == by_id.json()
    body = by_reference.json()
    assert by_reference["ETag"] == f'"{case.pk}-0"'
    assert body["customer"]["external_id"] == case.customer.external_id
    assert [f["comment"] for f in body["feedback"]] == ["Cold food"]
    assert [r["title"] for r in body["root_causes"]] == ["Kitchen backlog"]
    assert body["gestures"] == [] and body["follow_ups"] == []
    assert body["allowed_actions"] == ["acknowledge", "hold"]
    assert body["sla_state"] == "on_track"
    assert body["acknowledge_due_at"] and body["resolve_due_at"] and body["sla_due_at"]


@pytest.mark.parametrize("reference", ["RC-999999", "999999", "RC-abc", "nope"])
def test_unknown_reference_is_a_404(api_client, agent, reference):
    assert api_client(agent).get(f"{CASES}{reference}/").status_code == 404


# Opening a case by hand -----------------------------------------------------------


def test_agent_opens_a_case_for_a_known_customer_owns_it_and_its_clock_runs(api_client, agent):
    customer = CustomerFactory(external_id="C-42")

    with time_machine.travel("2026-11-20 10:00:00Z", tick=False):
        response = api_client(agent).post(
            CASES,
            {"customer": "C-42", "title": "Rude driver", "severity": "high", "channel": "phone"},
            format="json",
        )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"].startswith("RC-")
    assert (body["stage"], body["severity"], body["owner"]["username"]) == ("new", "high", "agent")
    assert body["acknowledge_due_at"] == "2026-11-20T11:00:00Z"
    assert body["is_repeat"] is False
    case = RecoveryCase.objects.get(pk=body["id"])
    assert case.customer == customer
    assert case.events.get().kind == CaseEvent.Kind.CREATED


def test_agent_opens_a_case_for_a_new_customer_and_a_second_one_is_a_repeat(api_client, agent):
    client = api_client(agent)
    payload = {
        "customer": {"external_id": "C-NEW", "name": "Ana Ruiz", "email": "ana@example.com"},
        "title": "Wrong size",
        "severity": "low",
    }

    first = client.post(CASES, payload, format="json")
    second = client.post(CASES, payload, format="json")

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["customer"]["name"] == "Ana Ruiz"
    assert second.json()["customer"]["id"] == first.json()["customer"]["id"]
    assert (first.json()["is_repeat"], second.json()["is_repeat"]) == (False, True)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"customer": "C-UNKNOWN", "title": "x", "severity": "low"}, "customer"),
        ({"customer": {"name": "No id"}, "title": "x", "severity": "low"}, "external_id"),
        ({"customer": "C-1", "title": "", "severity": "low"}, "title"),
        ({"customer": "C-1", "title": "x", "severity": "urgent"}, "severity"),
        ({"customer": "C-1", "title": "x", "severity": "low", "channel": "pigeon"}, "channel"),
        ({"customer": "C-1", "title": "x", "severity": "low", "stage": "closed"}, "stage"),
    ],
)
def test_opening_a_case_with_bad_input_is_a_400_and_stores_nothing(api_client, agent, payload, field):
    CustomerFactory(external_id="C-1")

    response = api_client(agent).post(CASES, payload, format="json")

    assert response.status_code == 400
    assert field in str(response.json())
    assert not RecoveryCase.objects.exists()


# PATCH with If-Match --------------------------------------------------------------


def patch(client, case, body, etag=None):
    headers = {"HTTP_IF_MATCH": etag} if etag else {}
    return client.patch(detail_url(case), body, format="json", **headers)


def test_patch_with_the_current_etag_changes_title_and_severity_and_recomputes_the_sla(api_client, agent):
    with time_machine.travel("2026-11-20 10:00:00Z", tick=False):
        case = RecoveryCaseFactory(owner=agent, severity="low")
    client = api_client(agent)
    etag = client.get(detail_url(case))["ETag"]

    response = patch(client, case, {"title": "Broken screen", "severity": "critical"}, etag)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["title"], body["severity"]) == ("Broken screen", "critical")
    assert body["acknowledge_due_at"] == "2026-11-20T10:15:00Z"
    assert response["ETag"] != etag
    case.refresh_from_db()
    assert case.version > 0
    kinds = set(case.events.values_list("kind", flat=True))
    assert kinds == {CaseEvent.Kind.UPDATED, CaseEvent.Kind.SEVERITY_CHANGED}


def test_patch_with_a_stale_etag_is_a_412_and_changes_nothing(api_client, agent):
    case = RecoveryCaseFactory(owner=agent)
    client = api_client(agent)
    stale = client.get(detail_url(case))["ETag"]
    assert patch(client, case, {"title": "First edit"}, stale).status_code == 200

    response = patch(client, case, {"title": "Second edit", "severity": "high"}, stale)

    assert response.status_code == 412
    case.refresh_from_db()
    assert (case.title, case.severity) == ("First edit", "medium")


def test_patch_without_if_match_is_a_428_and_changes_nothing(api_client, agent):
    case = RecoveryCaseFactory(owner=agent, title="Original")

    response = patch(api_client(agent), case, {"title": "Blind overwrite"})

    assert response.status_code == 428
    case.refresh_from_db()
    assert (case.title, case.version) == ("Original", 0)


def test_an_action_makes_the_etag_stale(api_client, agent):
    case = RecoveryCaseFactory(owner=agent)
    client = api_client(agent)
    etag = client.get(detail_url(case))["ETag"]
    client.post(f"{detail_url(case)}actions/acknowledge/", {}, format="json")

    assert patch(client, case, {"title": "Too late"}, etag).status_code == 412


@pytest.mark.parametrize(
    "field",
    ["stage", "sla_due_at", "acknowledge_due_at", "escalation_level", "created_at", "version", "closed_at"],
)
def test_patch_of_a_field_that_is_not_writable_is_a_400_and_changes_nothing(api_client, agent, field):
    case = RecoveryCaseFactory(owner=agent, title="Original")
    client = api_client(agent)
    etag = client.get(detail_url(case))["ETag"]

    response = patch(client, case, {"title": "Changed", field: "2030-01-01T00:00:00Z"}, etag)

    assert response.status_code == 400
    assert field in response.json()
    case.refresh_from_db()
    assert (case.title, case.version) == ("Original", 0)


def test_patch_with_a_bad_severity_is_a_400(api_client, agent):
    case = RecoveryCaseFactory(owner=agent)
    client = api_client(agent)

    response = patch(client, case, {"severity": "urgent"}, client.get(detail_url(case))["ETag"])

    assert response.status_code == 400 and "severity" in response.json()


def test_manager_reassigns_a_case_by_patch(api_client, manager, agent, other_agent):
    case = RecoveryCaseFactory(owner=agent)
    client = api_client(manager)

    response = patch(client, case, {"owner": other_agent.pk}, client.get(detail_url(case))["ETag"])

    assert response.status_code == 200
    assert response.json()["owner"]["id"] == other_agent.pk
    assert response["ETag"] == f'"{case.pk}-1"'  # reassigning makes every loaded copy stale
    assert case.events.get().kind == CaseEvent.Kind.ASSIGNED


# Actions --------------------------------------------------------------------------


def act(client, case, action, body=None):
    return client.post(f"{detail_url(case)}actions/{action}/", body or {}, format="json")


def test_the_full_stage_flow_over_the_api(api_client, agent):
    case = RecoveryCaseFactory()
    client = api_client(agent)
    steps = [
        ("acknowledge", {"note": "On it"}, "acknowledged"),
        ("apologize", {"note": "Apologised by phone"}, "apologized"),
        ("resolve", {"resolution": "Refunded the fee"}, "resolved"),
        ("follow_up", {"outcome": "Happy again", "satisfaction": 5}, "followed_up"),
        ("close", {}, "closed"),
    ]

    for action, body, stage in steps:
        response = act(client, case, action, body)
        assert response.status_code == 200, (action, response.json())
        assert response.json()["stage"] == stage

    body = response.json()
    assert body["owner"]["username"] == "agent"  # the first action took the free case
    assert body["version"] == 5
    assert response["ETag"] == f'"{case.pk}-5"'
    assert body["allowed_actions"] == ["reopen"]
    assert body["follow_ups"][0]["satisfaction"] == 5


def test_a_forbidden_action_is_a_409_with_the_stage_and_what_is_allowed(api_client, agent):
    case = RecoveryCaseFactory(owner=agent)

    response = act(api_client(agent), case, "resolve", {"resolution": "Refunded"})

    assert response.status_code == 409
    body = response.json()
    assert (body["stage"], body["allowed_actions"]) == ("new", ["acknowledge", "hold"])
    assert "new" in body["detail"]
    case.refresh_from_db()
    assert (case.stage, case.version) == (Stage.NEW, 0)


@pytest.mark.parametrize(
    ("stage_trait", "action", "body", "field"),
    [
        ("acknowledged", "apologize", {}, "note"),
        ("acknowledged", "apologize", {"note": "  "}, "note"),
        ("apologized", "resolve", {"note": "wrong field"}, "resolution"),
        ("resolved", "follow_up", {}, "outcome"),
        ("resolved", "follow_up", {"outcome": "ok", "satisfaction": 9}, "satisfaction"),
        ("resolved", "follow_up", {"outcome": "ok", "satisfaction": "great"}, "satisfaction"),
        ("closed", "reopen", {}, "reason"),
        ("acknowledged", "apologize", {"note": "x", "mood": "sorry"}, "mood"),
    ],
)
def test_an_action_missing_what_it_needs_is_a_400_and_changes_nothing(
    api_client, agent, stage_trait, action, body, field
):
    case = RecoveryCaseFactory(owner=agent, **{stage_trait: True})
    stage = case.stage

    response = act(api_client(agent), case, action, body)

    assert response.status_code == 400
    assert field in response.json()
    case.refresh_from_db()
    assert (case.stage, case.version) == (stage, 0)
    assert not case.events.exists()


def test_fields_an_action_does_not_take_are_not_passed_to_it(api_client, agent):
    case = RecoveryCaseFactory(owner=agent)

    response = act(
        api_client(agent), case, "acknowledge", {"note": "Seen", "resolution": "n/a", "reason": "x"}
    )

    assert response.status_code == 200
    assert case.events.get().message == "Seen"


def test_an_unknown_action_is_a_404(api_client, agent):
    case = RecoveryCaseFactory(owner=agent)

    response = act(api_client(agent), case, "escalate")

    assert response.status_code == 404
    assert "escalate" in response.json()["detail"]


def test_an_action_with_a_stale_version_is_a_409(api_client, agent):
    case = RecoveryCaseFactory(owner=agent, acknowledged=True)

    response = act(api_client(agent), case, "apologize", {"note": "Sorry", "version": 3})

    assert response.status_code == 409
    case.refresh_from_db()
    assert case.stage == Stage.ACKNOWLEDGED


def test_hold_pauses_the_clocks_and_unhold_moves_the_due_moments_by_the_time_paused(api_client, agent):
    with time_machine.travel("2026-11-20T10:00:00Z", tick=False):
        case = RecoveryCaseFactory(owner=agent, severity="high")  # acknowledge within 1 h
    client = api_client(agent)

    with time_machine.travel("2026-11-20T10:30:00Z", tick=False):
        missing = act(client, case, "hold", {})
        held = act(client, case, "hold", {"reason": "Waiting for photos of the damage"})
    with time_machine.travel("2026-11-20T12:00:00Z", tick=False):
        paused = client.get(detail_url(case)).json()
        unheld = act(client, case, "unhold")

    assert missing.status_code == 400 and "reason" in missing.json()
    assert held.status_code == 200 and held.json()["stage"] == Stage.NEW
    assert paused["sla_state"] == "paused"
    assert paused["hold_reason"] == "Waiting for photos of the damage"
    assert paused["allowed_actions"] == ["acknowledge", "unhold"]
    assert unheld.status_code == 200
    body = unheld.json()
    assert body["on_hold_since"] is None
    assert body["acknowledge_due_at"] == "2026-11-20T12:30:00Z"  # 11:00 moved by 1 h 30 on hold
    assert body["paused_total"] == "01:30:00"
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [CaseEvent.Kind.SLA_PAUSED, CaseEvent.Kind.SLA_RESUMED]


def test_unholding_a_case_not_on_hold_is_a_409(api_client, agent):
    case = RecoveryCaseFactory(owner=agent)

    response = act(api_client(agent), case, "unhold")

    assert response.status_code == 409
    assert "not on hold" in response.json()["detail"]


# Timeline and notes -----------------------------------------------------------------


def test_timeline_is_oldest_first_and_paginated(api_client, agent):
    case = RecoveryCaseFactory(owner=agent)
    client = api_client(agent)
    act(client, case, "acknowledge")
    client.post(f"{detail_url(case)}notes/", {"body": "Called twice"}, format="json")
    act(client, case, "apologize", {"note": "Sorry"})

    first = client.get(f"{detail_url(case)}events/", {"page_size": 2}).json()
    rest = client.get(first["next"]).json()

    kinds = [e["kind"] for e in first["results"] + rest["results"]]
    assert kinds == ["stage_changed", "note", "stage_changed"]
    assert first["results"][0]["actor"]["username"] == "agent"


@pytest.mark.parametrize("visibility", ["internal", "customer"])
def test_a_note_lands_on_the_timeline_with_its_visibility(api_client, agent, visibility):
    case = RecoveryCaseFactory(owner=agent)

    response = api_client(agent).post(
        f"{detail_url(case)}notes/", {"body": "Offered a callback", "visibility": visibility}, format="json"
    )

    assert response.status_code == 201
    event = case.events.get()
    assert (event.kind, event.message, event.data["visibility"]) == ("note", "Offered a callback", visibility)
    assert response.json()["data"]["visibility"] == visibility


@pytest.mark.parametrize(
    ("body", "field"),
    [({"body": " "}, "body"), ({"body": "x", "visibility": "public"}, "visibility"), ({}, "body")],
)
def test_a_bad_note_is_a_400_and_stores_nothing(api_client, agent, body, field):
    case = RecoveryCaseFactory(owner=agent)

    response = api_client(agent).post(f"{detail_url(case)}notes/", body, format="json")

    assert response.status_code == 400 and field in response.json()
    assert not case.events.exists()


@pytest.mark.parametrize("owned", [True, False])
def test_a_queue_row_renders_moments_in_the_current_zone_and_its_owner_or_null(agent, owned, settings):
    from cases.api.serializers import CaseOut

    settings.TIME_ZONE = "Europe/Paris"
    case = RecoveryCaseFactory(owner=agent if owned else None, resolved=True, follow_up_due_at=timezone.now())
    row = CaseOut(case, context={"now": timezone.now()}).data

    assert row["created_at"].endswith(("+01:00", "+02:00"))
    assert row["reference"] == case.reference and row["customer"]["id"] == case.customer_id
    assert row["owner"] == ({"id": agent.pk, "username": agent.username, "name": ANY} if owned else None)


def test_a_case_detail_has_its_children_and_its_paused_total_as_django_spells_a_duration(
    agent, manager, settings
):
    from rest_framework.test import APIRequestFactory

    from cases.api.serializers import CaseDetailOut
    from cases.selectors import cases as selectors

    settings.TIME_ZONE = "Europe/Paris"
    case = RecoveryCaseFactory(owner=agent, resolved=True, follow_up_due_at=timezone.now())
    FeedbackFactory(customer=case.customer, case=case, rating=2, nps=None, comment="Broken lid")
    GestureFactory(case=case, requested_by=agent, amount="12.50")
    GestureFactory(
        case=case, requested_by=agent, decided_by=manager, amount="99.99", status=Gesture.Status.APPROVED,
        decided_at=timezone.now(), decision_note="Fair",
    )  # fmt: skip
    RootCauseFactory().cases.add(case)
    FollowUp.objects.create(case=case, due_at=timezone.now(), done_at=timezone.now(), satisfaction=4)
    RecoveryCase.objects.filter(pk=case.pk).update(paused_total=timedelta(days=1, hours=2, seconds=3))
    request = APIRequestFactory().get("/")
    request.user = agent
    shown = selectors.case_detail(case_id=case.pk, user=agent)
    detail = CaseDetailOut(shown, context={"request": request, "now": timezone.now()}).data

    assert [gesture["amount"] for gesture in detail["gestures"]] == ["12.50", "99.99"]
    assert (
        detail["gestures"][1]["decided_by"]["id"] == manager.pk
        and detail["gestures"][1]["case"] == case.reference
    )
    assert detail["feedback"][0]["comment"] == "Broken lid" and detail["feedback"][0]["nps"] is None
    assert len(detail["root_causes"]) == 1 and detail["follow_ups"][0]["satisfaction"] == 4
    assert detail["paused_total"] == "1 02:00:03"
    assert detail["resolved_at"].endswith(("+01:00", "+02:00"))


def test_patch_with_if_match_star_changes_whatever_version_is_current(api_client, agent):
    case = RecoveryCaseFactory(owner=agent)
    client = api_client(agent)
    etag = client.get(detail_url(case))["ETag"]
    assert patch(client, case, {"title": "First edit"}, etag).status_code == 200

    response = patch(client, case, {"title": "Second edit"}, "*")

    assert response.status_code == 200, response.json()
    case.refresh_from_db()
    assert case.title == "Second edit"


@pytest.mark.parametrize("etag", ['"1-²"', '"²-0"', 'W/"1-99999999999999999999999"'])
def test_patch_with_an_if_match_in_unicode_digits_is_a_412(api_client, agent, etag):
    case = RecoveryCaseFactory(owner=agent, title="Original")

    response = patch(api_client(agent), case, {"title": "Changed"}, etag)

    assert response.status_code == 412
    case.refresh_from_db()
    assert case.title == "Original"
