"""A case's detail: the case and everything under it in two queries on PostgreSQL, rendered exactly as
prefetched rows render."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.api.serializers import CaseDetailOut
from cases.models import FollowUp, Gesture, RecoveryCase
from cases.selectors import cases as selectors
from cases.tests.factories import GestureFactory, RecoveryCaseFactory, RootCauseFactory, UserFactory
from feedback.tests.factories import FeedbackFactory

pytestmark = pytest.mark.django_db


def busy_case(decider) -> RecoveryCase:
    case = RecoveryCaseFactory()
    for n in range(3):
        FeedbackFactory(
            case=case,
            customer=case.customer,
            rating=1,
            sentiment="negative",
            comment=f"Again {n}",
            metadata={"n": n},
        )
    GestureFactory(case=case, amount="19.99", status=Gesture.Status.PENDING_APPROVAL)
    GestureFactory(
        case=case, amount="1234.50", decided_by=decider, decided_at=timezone.now(), decision_note="ok"
    )
    for title in ("Courier", "Packaging"):
        RootCauseFactory(title=title).cases.add(case)
    now = timezone.now()
    FollowUp.objects.create(case=case, due_at=now + timedelta(days=3), channel="email")
    FollowUp.objects.create(
        case=case, due_at=now - timedelta(days=1), done_at=now, satisfaction=4, outcome="Fine"
    )
    return case


def render(case, agent, rf) -> dict:
    request = rf.get("/")
    request.user = agent
    return CaseDetailOut(case, context={"request": request, "now": timezone.now()}).data


def test_the_detail_carries_its_children_in_order_with_their_people(agent, rf):
    case = busy_case(UserFactory(first_name="Maria", last_name="Lopez"))

    detail = render(selectors.case_detail(case_id=case.pk, user=agent), agent, rf)

    assert [g["amount"] for g in detail["gestures"]] == ["19.99", "1234.50"]
    assert detail["gestures"][1]["decided_by"]["name"] == "Maria Lopez"
    assert [f["comment"] for f in detail["feedback"]] == ["Again 0", "Again 1", "Again 2"]


def test_a_busy_case_detail_is_a_query_per_list_after_the_token(api_client, agent, django_assert_num_queries):
    case = busy_case(UserFactory())
    client = api_client(agent)
    client.get(f"/api/v1/cases/{case.reference}/")  # warm: SLA policies

    # token, the user's teams (the scope), the case with its customer and owner, then its feedback,
    # gestures, root causes, follow-ups
    with django_assert_num_queries(7):
        response = client.get(f"/api/v1/cases/{case.reference}/")

    assert response.status_code == 200
    assert len(response.json()["gestures"]) == 2
