"""Bulk actions from the queue and All cases: each case through its own service call, refusals named."""

import re

import pytest

from cases import bulk_actions
from cases.models import CaseEvent, RecoveryCase, Stage
from cases.tests.factories import RecoveryCaseFactory
from conftest import signed_in
from recovery.errors import InvalidInput

pytestmark = pytest.mark.django_db


def state(case) -> tuple:
    case = RecoveryCase.objects.get(pk=case.pk)
    return (case.stage, case.owner_id, case.version, case.on_hold_since, case.events.count())


# The service ------------------------------------------------------------------------------------
def test_each_case_is_acknowledged_on_its_own_and_another_agents_case_is_refused_with_its_owner(
    agent, other_agent
):
    free = RecoveryCaseFactory()
    mine = RecoveryCaseFactory(owner=agent)
    bobs = RecoveryCaseFactory(owner=other_agent)
    also_mine = RecoveryCaseFactory(owner=agent)
    before = state(bobs)

    result = bulk_actions.run(
        action="acknowledge",
        references=[free.reference, mine.reference, bobs.reference, also_mine.reference],
        actor=agent,
    )

    assert result.done == [free.reference, mine.reference, also_mine.reference]
    assert [refusal.reference for refusal in result.refused] == [bobs.reference]
    assert result.refused[0].reason == (
        f"{bobs.reference} belongs to another agent (Bob); only a manager may act on it."
    )
    assert result.summary == "3 acknowledged; 1 refused."
    for case in (free, mine, also_mine):
        case.refresh_from_db()
        assert (case.stage, case.owner_id) == (Stage.ACKNOWLEDGED, agent.pk)
        assert case.events.filter(kind=CaseEvent.Kind.STAGE_CHANGED, actor=agent).count() == 1
    assert state(bobs) == before


def test_a_case_past_the_stage_is_refused_in_the_workflows_words(agent):
    new = RecoveryCaseFactory(owner=agent)
    apologized = RecoveryCaseFactory(owner=agent, apologized=True)

    result = bulk_actions.run(
        action="acknowledge", references=[apologized.reference, new.reference], actor=agent
    )

    assert result.done == [new.reference]
    assert result.refused == [
        bulk_actions.Refusal(
            apologized.reference,
            f"{apologized.reference}: Cannot acknowledge a case that is apologized. "
            "Allowed now: resolve, hold.",
        )
    ]


def test_a_hold_pauses_each_case_and_records_it_on_each_timeline(agent):
    cases = RecoveryCaseFactory.create_batch(2, owner=agent, acknowledged=True)
    already = RecoveryCaseFactory(owner=agent)
    bulk_actions.run(action="hold", references=[already.reference], actor=agent, reason="Away")

    result = bulk_actions.run(
        action="hold",
        references=[case.reference for case in [*cases, already]],
        actor=agent,
        reason="Waiting for the courier's report",
    )

    assert result.summary == "2 put on hold; 1 refused."
    assert result.refused[0].reason == f"{already.reference} is already on hold (Away)."
    for case in cases:
        case.refresh_from_db()
        assert case.on_hold_since is not None and case.hold_reason == "Waiting for the courier's report"
        assert case.events.filter(kind=CaseEvent.Kind.SLA_PAUSED).count() == 1


def test_a_hold_without_a_reason_is_refused_before_any_case_changes(agent):
    cases = RecoveryCaseFactory.create_batch(3, owner=agent)
    before = [state(case) for case in cases]

    with pytest.raises(InvalidInput) as refused:
        bulk_actions.run(action="hold", references=[c.reference for c in cases], actor=agent, reason="  ")

    assert (refused.value.field, refused.value.message) == (
        "reason",
        "Putting a case on hold needs a reason.",
    )
    assert [state(case) for case in cases] == before


def test_a_manager_assigns_cases_each_recorded_on_its_timeline(manager, agent, other_agent):
    cases = [RecoveryCaseFactory(), RecoveryCaseFactory(owner=agent), RecoveryCaseFactory(owner=other_agent)]

    result = bulk_actions.run(
        action="assign", references=[case.reference for case in cases], actor=manager, owner=other_agent
    )

    assert result.summary == "3 assigned to Bob."
    assert set(RecoveryCase.objects.values_list("owner_id", flat=True)) == {other_agent.pk}
    # Already Bob's: nothing to record. The others: one assignment each.
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.ASSIGNED).count() == 2


def test_an_agent_may_take_free_cases_but_not_reassign_anothers(agent, other_agent):
    free = RecoveryCaseFactory()
    bobs = RecoveryCaseFactory(owner=other_agent)

    result = bulk_actions.run(
        action="assign", references=[free.reference, bobs.reference], actor=agent, owner=agent
    )

    assert result.done == [free.reference]
    assert result.refused[0].reference == bobs.reference
    assert "only a manager may change it" in result.refused[0].reason
    assert RecoveryCase.objects.get(pk=bobs.pk).owner == other_agent


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"action": "acknowledge", "references": []}, "case", "Select at least one case."),
        ({"action": "assign", "references": ["RC-000001"]}, "owner", "Pick who the cases go to."),
        ({"action": "close", "references": ["RC-000001"]}, "action", "Unknown action 'close'."),
    ],
)
def test_a_request_that_cannot_be_carried_out_says_why_and_stores_nothing(agent, kwargs, field, message):
    case = RecoveryCaseFactory(id=1)
    before = state(case)

    with pytest.raises(InvalidInput) as refused:
        bulk_actions.run(actor=agent, **kwargs)

    assert refused.value.field == field and refused.value.message.startswith(message)
    assert state(case) == before


def test_a_reference_that_names_no_case_is_refused_and_the_rest_go_ahead(agent):
    case = RecoveryCaseFactory()

    result = bulk_actions.run(action="acknowledge", references=["RC-999999", case.reference], actor=agent)

    assert result.done == [case.reference]
    assert result.refused == [bulk_actions.Refusal("RC-999999", "There is no case RC-999999.")]


# The page --------------------------------------------------------------------------------------
def test_the_queue_and_all_cases_draw_the_bar_and_a_checkbox_per_row_belonging_to_it(agent):
    case = RecoveryCaseFactory()
    for url in ("/", "/cases/"):
        body = signed_in(agent).get(url).content.decode()

        assert re.search(r'<form id="bulk"[^>]*method="post" action="/cases/bulk/"', body)
        assert (
            f'<input type="checkbox" name="case" value="{case.reference}" form="bulk" '
            f'id="pick-{case.reference}" data-pick aria-label="Select {case.reference}">'
        ) in body
        assert 'data-select-all aria-label="Select every case in this list"' in body
        for value, label in (
            ("assign", "Assign to"),
            ("acknowledge", "Acknowledge"),
            ("hold", "Put on hold"),
        ):
            assert f'name="action" value="{value}">{label}</button>' in body


def test_an_agent_is_offered_only_themselves_to_assign_to_and_a_manager_everyone(agent, other_agent, manager):
    RecoveryCaseFactory()
    agents_bar = signed_in(agent).get("/").content.decode()
    managers_bar = signed_in(manager).get("/").content.decode()

    assert f'<option value="{agent.pk}">Me</option>' in agents_bar
    assert f'<option value="{other_agent.pk}">' not in agents_bar
    assert f'<option value="{other_agent.pk}">Bob</option>' in managers_bar


def test_the_result_is_told_on_the_list_the_agent_came_from(agent, other_agent):
    mine = RecoveryCaseFactory(owner=agent)
    bobs = RecoveryCaseFactory(owner=other_agent)
    client = signed_in(agent)

    response = client.post(
        "/cases/bulk/",
        {
            "action": "acknowledge",
            "case": [mine.reference, bobs.reference],
            "next": "/cases/?severity=medium",
        },
        follow=True,
    )

    assert response.redirect_chain == [("/cases/?severity=medium", 302)]
    told = [str(message) for message in response.context["messages"]]
    assert told == [
        "1 acknowledged; 1 refused.",
        f"{bobs.reference} belongs to another agent (Bob); only a manager may act on it.",
    ]
    assert RecoveryCase.objects.get(pk=mine.pk).stage == Stage.ACKNOWLEDGED


def test_with_htmx_a_success_sends_the_browser_back_to_the_list(agent):
    case = RecoveryCaseFactory(owner=agent)

    response = signed_in(agent).post(
        "/cases/bulk/", {"action": "acknowledge", "case": case.reference, "next": "/"}, HTTP_HX_REQUEST="true"
    )

    assert (response.status_code, response["HX-Redirect"]) == (204, "/")


def test_with_htmx_a_refused_request_answers_the_bar_with_the_error_beside_the_field_and_the_text_kept(agent):
    case = RecoveryCaseFactory(owner=agent)
    client = signed_in(agent)

    response = client.post(
        "/cases/bulk/",
        {"action": "hold", "case": case.reference, "reason": " ", "next": "/"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert (
        '<ul class="errorlist" id="bulk-reason_error"><li>Putting a case on hold needs a reason.</li></ul>'
        in body
    )

    nothing_ticked = client.post(
        "/cases/bulk/",
        {"action": "hold", "reason": "Waiting for photos", "next": "/"},
        HTTP_HX_REQUEST="true",
    )
    body = nothing_ticked.content.decode()
    assert nothing_ticked.status_code == 422
    assert "<li>Select at least one case.</li>" in body
    assert 'value="Waiting for photos"' in body
    assert RecoveryCase.objects.get(pk=case.pk).on_hold_since is None


def test_without_javascript_a_refused_request_comes_back_as_a_message(agent):
    response = signed_in(agent).post("/cases/bulk/", {"action": "acknowledge", "next": "/"}, follow=True)

    assert [str(m) for m in response.context["messages"]] == ["Select at least one case."]


def test_a_next_address_elsewhere_is_not_followed(agent):
    case = RecoveryCaseFactory(owner=agent)

    response = signed_in(agent).post(
        "/cases/bulk/", {"action": "acknowledge", "case": case.reference, "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


def test_only_case_workers_may_use_the_bar(intake_user):
    assert signed_in(intake_user).post("/cases/bulk/", {"action": "acknowledge"}).status_code == 403
