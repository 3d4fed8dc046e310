"""The case screen `/cases/<reference>/`: what each role sees, and what it costs to draw."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services, workflow
from cases.gestures import services as gestures
from cases.models import FollowUp, Gesture, RecoveryCase
from cases.tests.factories import GestureFactory, RecoveryCaseFactory, RootCauseFactory
from conftest import signed_in
from feedback.models import Sentiment
from feedback.tests.factories import CustomerFactory, FeedbackFactory

pytestmark = pytest.mark.django_db


def page(user, case) -> str:
    response = signed_in(user).get(f"/cases/{case.reference}/")
    assert response.status_code == 200
    return response.text


def buttons(html: str) -> list[str]:
    import re

    actions = html.split('aria-label="Actions"', 1)[1].split('id="action-slot"', 1)[0]
    return re.findall(r"<button[^>]*>([^<]+)</button>", actions)


@pytest.mark.parametrize("reference", ["RC-999999", "²", "nonsense", "RC-"])
def test_an_unknown_or_malformed_reference_is_a_404_page_for_a_signed_in_agent(agent, reference):
    assert signed_in(agent).get(f"/cases/{reference}/").status_code == 404


def test_an_intake_client_signed_in_may_not_open_a_case(intake_user):
    case = RecoveryCaseFactory()

    assert signed_in(intake_user).get(f"/cases/{case.reference}/").status_code == 403


def test_the_header_shows_reference_title_severity_owner_flags_and_stage(agent):
    case = RecoveryCaseFactory(
        title="Charged twice at checkout", severity="high", is_repeat=True, owner=agent
    )

    html = page(agent, case)

    assert case.reference in html and "Charged twice at checkout" in html
    assert '<span class="badge sev-high">High</span>' in html
    assert "Owner: <strong>Alice</strong>" in html
    assert "Repeat failure" in html
    assert 'class="step is-now" aria-current="step">\n        <span class="step-name">Acknowledge' in html


def test_the_running_sla_target_counts_down_with_each_stage_due_moment(agent):
    case = RecoveryCaseFactory(severity="high")

    html = page(agent, case)

    assert "SLA · Acknowledge" in html
    assert "due in" in html and f'hx-get="/cases/{case.reference}/sla/" hx-trigger="every 60s"' in html
    for step in ("Acknowledge", "Apologize", "Resolve"):
        assert f'<span class="step-name">{step}</span>' in html
    assert (
        html.count("due <time") == 3
    )  # acknowledge, apologize, resolve: the follow-up is planned on resolving


def test_the_customer_panel_shows_contact_history_gestures_and_recent_failures(agent):
    customer = CustomerFactory(name="Tom Reyes", email="tom@example.com", phone="+1 555 0100", segment="gold")
    earlier = RecoveryCaseFactory(customer=customer, closed=True, title="Parcel crushed")
    GestureFactory(case=earlier, kind="voucher", amount="10.00")
    FeedbackFactory(
        customer=customer, comment="Late again, third time.", rating=2, case=earlier, sentiment="negative"
    )
    opening = FeedbackFactory(
        customer=customer, comment="I was charged twice", rating=1, sentiment=Sentiment.NEUTRAL
    )
    case = RecoveryCaseFactory(customer=customer, originating_feedback=opening, is_repeat=True)

    html = page(agent, case)

    assert f'href="/customers/{customer.pk}/"' in html
    assert "tom@example.com" in html and "+1 555 0100" in html and "gold" in html
    assert f"{earlier.reference}</a> Parcel crushed" in html
    assert "Late again, third time." in html
    assert "Voucher 10.00 EUR" in html
    assert "<strong>2 failures</strong> in the last 90 days" in html
    assert "Opened by web feedback" in html and "I was charged twice" in html


def test_the_customer_panel_scores_earlier_cases_counts_90_days_and_leaves_out_the_opening_feedback(agent):
    customer = CustomerFactory()
    scored = RecoveryCaseFactory(customer=customer, closed=True, title="Wrong size")
    FollowUp.objects.create(case=scored, due_at=timezone.now(), done_at=timezone.now(), satisfaction=4)
    long_ago = RecoveryCaseFactory(customer=customer, closed=True, title="Old trouble")
    RecoveryCase.objects.filter(pk=long_ago.pk).update(created_at=timezone.now() - timedelta(days=120))
    refused = RecoveryCaseFactory(customer=customer, title="Refused gesture")
    GestureFactory(case=refused, kind="voucher", amount="99.00", status=Gesture.Status.REJECTED)
    opening = FeedbackFactory(customer=customer, comment="The opening words")
    FeedbackFactory(customer=customer, comment="An older remark")
    case = RecoveryCaseFactory(customer=customer, originating_feedback=opening)

    panel = page(agent, case).split('id="customer-title"', 1)[1].split("</section>", 1)[0]

    assert "Wrong size" in panel and '<span class="score">4/5</span>' in panel
    assert "Old trouble" in panel  # an earlier case, but not a failure of the last 90 days
    assert "<strong>3 failures</strong> in the last 90 days" in panel
    assert "An older remark" in panel and "The opening words" not in panel
    assert "99.00" not in panel  # only gestures the customer was given count


def test_the_customer_panel_calls_a_nameless_widget_customer_by_their_email(agent):
    customer = CustomerFactory(external_id="widget:3f2a9c", name="", email="kim@example.com")
    case = RecoveryCaseFactory(owner=agent, customer=customer)

    heading = page(agent, case).split('id="customer-title"', 1)[1].split("</h2>", 1)[0]

    assert ">kim@example.com</a>" in heading


def test_the_header_names_the_channel_in_the_agents_language(agent):
    case = RecoveryCaseFactory(owner=agent, channel="survey")
    client = signed_in(agent)

    english = client.get(f"/cases/{case.reference}/").text
    german = client.get(f"/cases/{case.reference}/", HTTP_ACCEPT_LANGUAGE="de").text

    assert "· via Survey" in english and "via survey" not in english
    assert "· über Umfrage" in german


def test_the_case_page_reads_each_list_in_one_query_whatever_its_length(agent, django_assert_num_queries):
    case = RecoveryCaseFactory(owner=agent)
    for n in range(5):
        services.add_note(case=case, actor=agent, body=f"Note {n}")
        GestureFactory(case=case, requested_by=agent)
        FeedbackFactory(customer=case.customer)
    client = signed_in(agent)
    client.get(f"/cases/{case.reference}/")

    # The session, the agent, the agent's roles and teams, the bell's unread count; then the case, its
    # timeline, messages, gestures, root causes, the customer's earlier cases, feedback and gestures,
    # and their failures in 90 days.
    with django_assert_num_queries(14):
        assert client.get(f"/cases/{case.reference}/").status_code == 200


def test_the_timeline_reads_who_did_what_with_their_words_newest_first(agent):
    case = RecoveryCaseFactory(owner=agent)
    workflow.acknowledge(case_id=case.pk, actor=agent)
    workflow.apologize(case_id=case.pk, actor=agent, note="We are so sorry for the double charge.")
    services.add_note(case=case, actor=agent, body="Customer prefers email.")
    gestures.request_gesture(case_id=case.pk, actor=agent, kind="refund", amount="25.00", currency="EUR")

    html = page(agent, case).split('id="timeline-title"')[1]

    assert html.index("granted a refund of 25.00 EUR") < html.index("added a note") < html.index("apologized")
    assert html.index("apologized") < html.index("acknowledged the case")
    assert "We are so sorry for the double charge." in html and "Customer prefers email." in html
    assert '<time datetime="' in html and 'title="' in html and "just now" in html


def test_a_survey_answer_shows_on_the_timeline_with_its_score(agent):
    from cases import events
    from cases.models import CaseEvent

    case = RecoveryCaseFactory(owner=agent, resolved=True)
    events.record(
        case, CaseEvent.Kind.FOLLOW_UP, message="Fine now.", data={"by": "customer", "satisfaction": 4}
    )

    html = page(agent, case)

    assert 'The customer</strong> answered the survey <span class="score">4/5</span>' in html
    assert "Fine now." in html


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        (
            {},
            [
                "Acknowledge",
                "Assign to me",
                "Put on hold",
                "Reply",
                "Add note",
                "Grant gesture",
                "Link root cause",
                "Edit",
            ],
        ),
        (
            {"acknowledged": True},
            ["Apologize", "Put on hold", "Reply", "Add note", "Grant gesture", "Link root cause", "Edit"],
        ),
        (
            {"apologized": True},
            ["Resolve", "Put on hold", "Reply", "Add note", "Grant gesture", "Link root cause", "Edit"],
        ),
        (
            {"resolved": True},
            [
                "Record follow-up",
                "Reopen",
                "Put on hold",
                "Reply",
                "Add note",
                "Grant gesture",
                "Link root cause",
                "Edit",
            ],
        ),
        (
            {"followed_up": True},
            [
                "Close",
                "Reopen",
                "Put on hold",
                "Reply",
                "Add note",
                "Grant gesture",
                "Link root cause",
                "Edit",
            ],
        ),
        ({"closed": True}, ["Reopen", "Add note", "Link root cause", "Edit"]),
    ],
)
def test_an_agent_is_offered_only_what_the_stage_allows(agent, stage, expected):
    owner = None if not stage else agent
    case = RecoveryCaseFactory(owner=owner, **stage)

    assert buttons(page(agent, case)) == expected


def test_a_case_on_hold_offers_resume_instead_of_put_on_hold(agent):
    case = RecoveryCaseFactory(owner=agent, acknowledged=True)
    workflow.hold(case_id=case.pk, actor=agent, reason="Waiting for photos")

    offered = buttons(page(agent, case))

    assert "Resume" in offered and "Put on hold" not in offered


def test_another_agents_case_offers_nothing_and_says_whose_it_is(agent, other_agent):
    case = RecoveryCaseFactory(owner=other_agent)

    html = page(agent, case)

    assert buttons(html) == []
    assert "This case belongs to Bob; only they or a manager can act on it." in html


def test_a_manager_also_gets_reassign_change_severity_and_close_from_any_open_stage(manager, agent):
    case = RecoveryCaseFactory(owner=agent, acknowledged=True)

    assert buttons(page(manager, case)) == [
        "Apologize",
        "Close",
        "Put on hold",
        "Reply",
        "Add note",
        "Grant gesture",
        "Link root cause",
        "Edit",
        "Reassign",
        "Change severity",
    ]


def test_acknowledge_carries_the_a_shortcut(agent):
    html = page(agent, RecoveryCaseFactory())

    assert 'data-shortcut="a" aria-keyshortcuts="a" title="Shortcut: a">Acknowledge</button>' in html
    assert "js/case.js" in html


def test_the_case_page_costs_the_same_queries_whatever_the_number_of_events_and_gestures(
    agent, django_assert_max_num_queries
):
    small = RecoveryCaseFactory(owner=agent)
    big_customer = CustomerFactory()
    big = RecoveryCaseFactory(owner=agent, customer=big_customer)
    root_cause = RootCauseFactory()
    root_cause.cases.add(big)
    for n in range(30):
        services.add_note(case=big, actor=agent, body=f"Note {n}")
        GestureFactory(case=big, requested_by=agent, amount="1.00")
        other = RecoveryCaseFactory(customer=big_customer, closed=True)
        GestureFactory(case=other, requested_by=agent)
        FeedbackFactory(customer=big_customer)
    client = signed_in(agent)
    client.get(f"/cases/{small.reference}/")  # session and policy caches warm

    with django_assert_max_num_queries(14) as small_run:
        assert client.get(f"/cases/{small.reference}/").status_code == 200
    with django_assert_max_num_queries(14) as big_run:
        assert client.get(f"/cases/{big.reference}/").status_code == 200

    assert len(big_run.captured_queries) == len(small_run.captured_queries)


@pytest.mark.parametrize("role", ["agent", "other_agent", "manager"])
def test_every_role_draws_the_page_in_a_bounded_number_of_queries(
    request, role, agent, django_assert_max_num_queries
):
    user = request.getfixturevalue(role)
    case = RecoveryCaseFactory(owner=agent)
    for _ in range(10):
        GestureFactory(case=case, requested_by=agent, status=Gesture.Status.PENDING_APPROVAL)
    client = signed_in(user)

    with django_assert_max_num_queries(15):
        assert client.get(f"/cases/{case.reference}/").status_code == 200
