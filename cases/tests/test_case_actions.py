"""Every action on the case screen: its form, its happy path (with and without htmx), a stale page, a
forbidden attempt and invalid input. Each refusal keeps the agent's text and changes nothing."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from cases import workflow
from cases.models import CaseEvent, Gesture, RecoveryCase, ResponseTemplate, RootCause, Stage
from cases.tests.factories import RecoveryCaseFactory, RootCauseFactory
from conftest import signed_in

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def act(client, case, action, *, htmx=False, **data):
    data.setdefault("version", RecoveryCase.objects.get(pk=case.pk).version)
    return client.post(f"/cases/{case.reference}/actions/{action}/", data, **(HTMX if htmx else {}))


def fresh(case) -> RecoveryCase:
    return RecoveryCase.objects.get(pk=case.pk)


def events_of(case) -> int:
    return CaseEvent.objects.filter(case=case).count()


# Happy paths --------------------------------------------------------------------------------------
STAGE_ACTIONS = [
    ("acknowledge", {}, {}, Stage.ACKNOWLEDGED),
    ("apologize", {"acknowledged": True}, {"apology": "We are sorry."}, Stage.APOLOGIZED),
    ("resolve", {"apologized": True}, {"resolution": "Refunded the fee."}, Stage.RESOLVED),
    ("follow-up", {"resolved": True}, {"outcome": "Happy again.", "satisfaction": "5"}, Stage.FOLLOWED_UP),
    ("close", {"followed_up": True}, {"reason": ""}, Stage.CLOSED),
    ("reopen", {"closed": True}, {"reason": "Charged twice again."}, Stage.ACKNOWLEDGED),
]


@pytest.mark.parametrize(("action", "stage", "data", "reached"), STAGE_ACTIONS)
def test_a_stage_action_without_js_posts_and_redirects_back_to_the_case(agent, action, stage, data, reached):
    case = RecoveryCaseFactory(owner=agent, **stage)

    response = act(signed_in(agent), case, action, **data)

    assert (response.status_code, response["Location"]) == (302, f"/cases/{case.reference}/")
    assert fresh(case).stage == reached


@pytest.mark.parametrize(("action", "stage", "data", "reached"), STAGE_ACTIONS)
def test_a_stage_action_with_htmx_answers_the_new_case_without_a_reload(agent, action, stage, data, reached):
    case = RecoveryCaseFactory(owner=agent, **stage)

    response = act(signed_in(agent), case, action, htmx=True, **data)

    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<div id="case" class="case" data-case="{case.reference}">')
    assert "<html" not in response.text
    assert f"Stage: <strong>{reached.label}</strong>" in response.text
    assert fresh(case).stage == reached


def test_the_texts_people_write_land_on_the_timeline(agent):
    case = RecoveryCaseFactory(owner=agent, acknowledged=True)
    client = signed_in(agent)

    act(client, case, "apologize", apology="Sorry for the double charge, Tom.")
    html = client.get(f"/cases/{case.reference}/").text

    assert "Sorry for the double charge, Tom." in html.split('id="timeline-title"')[1]


def test_assign_to_me_takes_a_free_case_at_once(agent):
    case = RecoveryCaseFactory()

    response = act(signed_in(agent), case, "assign-to-me")

    assert response.status_code == 302
    assert fresh(case).owner == agent


def test_hold_and_resume(agent):
    case = RecoveryCaseFactory(owner=agent, acknowledged=True)
    client = signed_in(agent)

    act(client, case, "hold", reason="Waiting for photos of the damage")
    assert fresh(case).hold_reason == "Waiting for photos of the damage"
    act(client, case, "resume")
    assert fresh(case).on_hold_since is None


def test_a_note_lands_on_the_timeline(agent):
    case = RecoveryCaseFactory(owner=agent)

    act(signed_in(agent), case, "note", note="Customer prefers email.")

    assert CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.NOTE).message == "Customer prefers email."


def test_a_gesture_under_the_limit_is_granted_and_one_over_it_waits_for_a_manager(agent):
    case = RecoveryCaseFactory(owner=agent, apologized=True)
    client = signed_in(agent)

    act(client, case, "gesture", kind="voucher", amount="20", currency="EUR")
    act(client, case, "gesture", kind="refund", amount="45.50", currency="eur", reason="Charged twice")

    assert list(case.gestures.values_list("amount", "status")) == [
        (Decimal("20.00"), Gesture.Status.GRANTED),
        (Decimal("45.50"), Gesture.Status.PENDING_APPROVAL),
    ]


def test_the_gesture_form_says_up_front_what_the_agent_may_grant_alone(agent, settings):
    settings.MEND_GESTURE_AGENT_LIMIT = "50.00"
    case = RecoveryCaseFactory(owner=agent)

    html = signed_in(agent).get(f"/cases/{case.reference}/actions/gesture/", **HTMX).text

    assert "You may grant up to 50 EUR per case, every gesture and currency counted together" in html
    for label in ("Kind", "Amount", "Currency", "Reason"):
        assert f">{label}</label>" in html


def test_link_an_existing_root_cause_or_create_one_in_place(agent):
    case = RecoveryCaseFactory(owner=agent)
    existing = RootCauseFactory(title="Payment retries duplicate charges")
    client = signed_in(agent)

    act(client, case, "root-cause", root_cause=existing.pk)
    act(client, case, "root-cause", new_title="Courier drops parcels", new_category="partner")

    assert sorted(case.root_causes.values_list("title", flat=True)) == [
        "Courier drops parcels",
        "Payment retries duplicate charges",
    ]


def test_the_root_cause_search_finds_by_title_and_leaves_out_those_already_linked(agent):
    case = RecoveryCaseFactory(owner=agent)
    RootCauseFactory(title="Payment retries duplicate charges")
    RootCauseFactory(title="Courier drops parcels", description="Left at the wrong door.")
    linked = RootCauseFactory(title="Payment page times out")
    linked.cases.add(case)

    html = signed_in(agent).get(f"/cases/{case.reference}/actions/root-cause/?q=payment", **HTMX).text

    assert "Payment retries duplicate charges" in html
    assert "Courier drops parcels" not in html and "Payment page times out" not in html


def test_a_manager_reassigns_changes_severity_and_closes_from_any_open_stage(manager, agent, other_agent):
    case = RecoveryCaseFactory(owner=agent, acknowledged=True)
    client = signed_in(manager)

    act(client, case, "reassign", owner=other_agent.pk)
    act(client, case, "severity", severity="critical")
    act(client, case, "close", reason="Duplicate of RC-000001")

    case = fresh(case)
    assert (case.owner, case.severity, case.stage, case.close_reason) == (
        other_agent,
        "critical",
        Stage.CLOSED,
        "Duplicate of RC-000001",
    )


# Forms ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("action", "labels"),
    [
        ("apologize", ["Apology"]),
        ("resolve", ["Resolution"]),
        ("follow-up", ["Outcome", "Satisfaction"]),
        ("hold", ["Reason"]),
        ("note", ["Note"]),
        ("root-cause", ["Root cause"]),
    ],
)
def test_each_form_opens_in_place_with_labelled_fields_confirm_and_cancel(agent, action, labels):
    case = RecoveryCaseFactory(owner=agent)
    client = signed_in(agent)

    fragment = client.get(f"/cases/{case.reference}/actions/{action}/", **HTMX)
    page = client.get(f"/cases/{case.reference}/actions/{action}/")

    assert "<html" not in fragment.text and "<html" in page.text  # without JS: the case page, form open
    for html in (fragment.text, page.text):
        assert all(f">{label}</label>" in html for label in labels)
        assert '<button type="submit" class="primary">Confirm</button>' in html
        assert ">Cancel</button>" in html
        assert f'name="version" value="{case.version}"' in html
        assert "csrfmiddlewaretoken" in html


def test_a_template_is_offered_filled_in_for_this_case_and_this_agent(agent):
    case = RecoveryCaseFactory(owner=agent, customer__name="Tom Reyes")
    ResponseTemplate.objects.create(
        kind="apology",
        name="Double charge",
        body="Dear {customer_name}, about {reference}: sorry. {agent_name}",
    )
    ResponseTemplate.objects.create(kind="resolution", name="Refund issued", body="Refunded.")

    html = signed_in(agent).get(f"/cases/{case.reference}/actions/apologize/", **HTMX).text

    assert f'data-text="Dear Tom Reyes, about {case.reference}: sorry. Alice"' in html
    assert 'data-insert-into="id_apology"' in html and ">Double charge</button>" in html
    assert "Refund issued" not in html


def test_mutations_are_post_only(agent):
    case = RecoveryCaseFactory(owner=agent)

    response = signed_in(agent).get(f"/cases/{case.reference}/actions/acknowledge/", {"version": 0})

    assert fresh(case).stage == Stage.NEW
    assert response.status_code == 200  # the GET only draws the page


def test_an_unknown_action_is_a_404(agent):
    case = RecoveryCaseFactory(owner=agent)

    assert signed_in(agent).post(f"/cases/{case.reference}/actions/delete/").status_code == 404


def test_actions_need_the_csrf_token(agent):
    case = RecoveryCaseFactory(owner=agent)
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)

    response = client.post(f"/cases/{case.reference}/actions/acknowledge/", {"version": case.version})

    assert response.status_code == 403
    assert fresh(case).stage == Stage.NEW


# Invalid input -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("action", "stage", "data", "message", "kept"),
    [
        ("apologize", {"acknowledged": True}, {"apology": "   "}, "Apologizing needs the apology text", None),
        (
            "resolve",
            {"apologized": True},
            {"resolution": ""},
            "Resolving a case needs a resolution summary.",
            None,
        ),
        ("follow-up", {"resolved": True}, {"outcome": "", "satisfaction": "2"}, "Following up needs", None),
        ("hold", {"acknowledged": True}, {"reason": ""}, "Putting a case on hold needs a reason.", None),
        ("note", {}, {"note": ""}, "A note needs a body.", None),
        (
            "gesture",
            {},
            {"kind": "voucher", "amount": "12.345", "currency": "EUR"},
            "at most two decimal",
            "12.345",
        ),
        ("gesture", {}, {"kind": "voucher", "amount": "10", "currency": "EURO"}, "ISO 4217", "EURO"),
        ("root-cause", {}, {}, "Pick a root cause from the list, or name a new one.", None),
    ],
)
def test_invalid_input_shows_the_error_next_to_the_field_keeps_the_text_and_stores_nothing(
    agent, action, stage, data, message, kept
):
    case = RecoveryCaseFactory(owner=agent, **stage)
    before = (fresh(case).version, events_of(case), Gesture.objects.count(), RootCause.objects.count())

    response = act(signed_in(agent), case, action, htmx=True, **data)

    assert response.status_code == 422
    assert message in response.text
    assert 'class="field has-error"' in response.text
    if kept:
        assert f'value="{kept}"' in response.text
    assert (
        fresh(case).version,
        events_of(case),
        Gesture.objects.count(),
        RootCause.objects.count(),
    ) == before


def test_an_empty_apology_with_text_elsewhere_keeps_the_form_open_without_js_too(agent):
    case = RecoveryCaseFactory(owner=agent, resolved=True)

    response = act(signed_in(agent), case, "follow-up", outcome=" ", satisfaction="4")

    assert response.status_code == 422
    assert "<html" in response.text
    assert '<option value="4" selected>' in response.text


# Stale page ----------------------------------------------------------------------------------------
def test_a_stale_form_says_who_changed_what_and_when_and_keeps_the_text(agent, manager):
    case = RecoveryCaseFactory(owner=agent)
    seen = case.version
    workflow.acknowledge(case_id=case.pk, actor=manager)
    acknowledged_at = CaseEvent.objects.filter(case=case).latest("id").created_at
    before = (fresh(case).version, events_of(case))

    response = act(signed_in(agent), case, "acknowledge", htmx=True, version=seen)

    assert response.status_code == 409
    local = timezone.localtime(acknowledged_at)
    when = f"{local.day} {local:%b %Y, %H:%M}"  # written out here: the test must not reuse `moment`
    assert f"{case.reference} was acknowledged by Maria at {when}." in response.text
    assert (fresh(case).version, events_of(case)) == before


def test_a_stale_apology_keeps_the_agents_text_and_takes_the_current_version(agent, manager):
    case = RecoveryCaseFactory(owner=agent, acknowledged=True)
    seen = case.version
    workflow.hold(case_id=case.pk, actor=manager, reason="Customer on holiday")

    response = act(signed_in(agent), case, "apologize", htmx=True, version=seen, apology="So sorry, Tom.")

    assert response.status_code == 409
    assert f"{case.reference} was put on hold by Maria at" in response.text
    assert "So sorry, Tom.</textarea>" in response.text
    assert f'name="version" value="{fresh(case).version}"' in response.text
    assert fresh(case).stage == Stage.ACKNOWLEDGED


def test_a_stale_reassignment_is_refused_the_same_way(manager, agent, other_agent):
    case = RecoveryCaseFactory(owner=agent)
    seen = case.version
    workflow.acknowledge(case_id=case.pk, actor=agent)

    response = act(signed_in(manager), case, "reassign", version=seen, owner=other_agent.pk)

    assert response.status_code == 409
    assert "was acknowledged by Alice" in response.text
    assert fresh(case).owner == agent


# Forbidden -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("acknowledge", {}),
        ("note", {"note": "Sneaky note"}),
        ("gesture", {"kind": "voucher", "amount": "10", "currency": "EUR"}),
        ("hold", {"reason": "Mine now"}),
    ],
)
def test_forcing_an_action_on_another_agents_case_shows_the_services_message_and_changes_nothing(
    agent, other_agent, action, data
):
    case = RecoveryCaseFactory(owner=other_agent)
    before = (fresh(case).version, events_of(case))

    response = act(signed_in(agent), case, action, htmx=True, **data)

    assert response.status_code == 403
    assert f"{case.reference} belongs to another agent (Bob); only a manager may" in response.text
    assert (fresh(case).version, events_of(case)) == before


@pytest.mark.parametrize("action", ["apologize", "note", "gesture", "root-cause", "hold", "acknowledge"])
def test_the_direct_url_of_an_action_on_another_agents_case_shows_the_refusal_not_a_form(
    agent, other_agent, action
):
    case = RecoveryCaseFactory(owner=other_agent, acknowledged=True)
    client = signed_in(agent)

    for response in (
        client.get(f"/cases/{case.reference}/actions/{action}/", **HTMX),
        client.get(f"/cases/{case.reference}/actions/{action}/"),
    ):
        assert response.status_code == 403
        html = response.content.decode()
        assert f"{case.reference} belongs to another agent (Bob); only a manager may act on it." in html
        assert "data-form-open" not in html and ">Confirm</button>" not in html
        assert ">Close</button>" in html


def test_a_manager_opening_the_direct_url_of_an_agents_case_gets_the_form(manager, other_agent):
    case = RecoveryCaseFactory(owner=other_agent, acknowledged=True)

    response = signed_in(manager).get(f"/cases/{case.reference}/actions/apologize/", **HTMX)

    assert response.status_code == 200
    assert ">Apology</label>" in response.text and "data-form-open" in response.text


def test_forcing_an_action_the_stage_does_not_allow_shows_the_workflows_message(agent):
    case = RecoveryCaseFactory(owner=agent)

    response = act(signed_in(agent), case, "resolve", htmx=True, resolution="Refunded.")

    assert response.status_code == 409
    assert "Cannot resolve a case that is new. Allowed now: acknowledge, hold." in response.text
    assert "Refunded.</textarea>" in response.text
    assert fresh(case).stage == Stage.NEW


def test_an_agent_may_not_reassign(agent, other_agent):
    case = RecoveryCaseFactory(owner=agent)

    response = act(signed_in(agent), case, "reassign", owner=other_agent.pk)

    assert response.status_code == 403
    assert "Only a manager may reassign a case." in response.text
    assert fresh(case).owner == agent


# Edit ----------------------------------------------------------------------------------------------
def test_edit_opens_with_the_cases_own_words(agent):
    case = RecoveryCaseFactory(owner=agent, title="Charged twise", description="Card charged two times.")

    html = signed_in(agent).get(f"/cases/{case.reference}/actions/edit/", **HTMX).text

    assert 'value="Charged twise"' in html and ">Title</label>" in html
    assert ">\nCard charged two times.</textarea>" in html


def test_an_agent_fixes_a_title_and_the_timeline_keeps_old_and_new(agent):
    case = RecoveryCaseFactory(owner=agent, title="Charged twise", description="")
    client = signed_in(agent)

    response = act(client, case, "edit", htmx=True, title="Charged twice", description="Card charged 2x.")

    assert response.status_code == 200
    assert "Case details saved." in response.text
    assert (fresh(case).title, fresh(case).description) == ("Charged twice", "Card charged 2x.")
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.UPDATED)
    assert (event.actor, event.data) == (
        agent,
        {"title": ["Charged twise", "Charged twice"], "description": ["", "Card charged 2x."]},
    )
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert "Alice</strong> edited the case" in page
    assert '<dt>Title</dt><dd><span class="visually-hidden">was </span><del>Charged twise</del>' in page
    assert "<ins>Charged twice</ins>" in page and "<ins>Card charged 2x.</ins>" in page


def test_an_edit_without_a_title_is_refused_next_to_the_field_and_stores_nothing(agent):
    case = RecoveryCaseFactory(owner=agent, title="Charged twise")
    before = (fresh(case).version, events_of(case))

    response = act(signed_in(agent), case, "edit", htmx=True, title="  ", description="Kept text.")

    assert response.status_code == 422
    assert "A case needs a title." in response.text and "Kept text.</textarea>" in response.text
    assert (fresh(case).title, fresh(case).version, events_of(case)) == ("Charged twise", *before)


def test_an_agent_may_not_edit_another_agents_case(agent, other_agent):
    case = RecoveryCaseFactory(owner=other_agent, title="Charged twise")

    response = act(signed_in(agent), case, "edit", htmx=True, title="Mine now", description="")

    assert response.status_code == 403
    assert fresh(case).title == "Charged twise"
