"""`/customers/<id>/`: a customer's page, and the selectors the case screen's customer panel shares."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import FollowUp, Stage
from cases.selectors import customers
from cases.tests.factories import GestureFactory, RecoveryCaseFactory
from feedback.models import Sentiment
from feedback.tests.factories import CustomerFactory, FeedbackFactory

pytestmark = pytest.mark.django_db


def url(customer) -> str:
    return f"/customers/{customer.pk}/"


def history_of(customer, *, agent, cases=3):
    """`cases` cases, the older ones closed, each with negative feedback, a gesture and a survey answer."""
    made = []
    for n in range(cases):
        case = RecoveryCaseFactory(customer=customer, closed=n < cases - 1, resolution_summary=f"Refund {n}")
        FeedbackFactory(
            customer=customer, case=case, rating=1, sentiment=Sentiment.NEGATIVE, comment=f"Bad {n}"
        )
        GestureFactory(case=case, requested_by=agent, amount=f"{10 + n}.00")
        FollowUp.objects.create(
            case=case, due_at=timezone.now(), done_at=timezone.now(), satisfaction=n % 5 + 1
        )
        made.append(case)
    return made


def test_anonymous_visitors_are_sent_to_sign_in_whether_or_not_the_customer_exists(client):
    customer = CustomerFactory()

    assert client.get(url(customer))["Location"] == f"/login/?next={url(customer)}"
    assert client.get("/customers/999999/")["Location"] == "/login/?next=/customers/999999/"


@pytest.mark.parametrize(
    ("role", "status"), [("agent", 200), ("other_agent", 200), ("manager", 200), ("intake_user", 403)]
)
def test_agents_and_managers_see_a_customer_intake_clients_do_not(client, request, role, status):
    client.force_login(request.getfixturevalue(role))

    assert client.get(url(CustomerFactory())).status_code == status


def test_an_unknown_customer_is_a_404(client, agent):
    client.force_login(agent)

    assert client.get("/customers/999999/").status_code == 404


def test_the_page_shows_contact_every_case_feedback_gesture_and_survey_answer_newest_first(client, agent):
    customer = CustomerFactory(name="Tom Reyes", email="tom@example.com", phone="+1 555 0100", segment="gold")
    first, second, third = history_of(customer, agent=agent)
    client.force_login(agent)

    page = client.get(url(customer)).text

    for text in ("Tom Reyes", "tom@example.com", "+1 555 0100", "gold", "Refund 0", "Bad 2", "12.00 EUR"):
        assert text in page
    refs = [
        page.index(f'href="/cases/{case.reference}/">{case.reference}</a></td>')
        for case in (third, second, first)
    ]
    assert refs == sorted(refs)
    assert page.index("Bad 2") < page.index("Bad 1") < page.index("Bad 0")
    assert "Survey 3/5" in page  # the newest case's answer, shown as its outcome
    assert "(3, 1 open)" in page


def test_failures_in_the_last_90_days_count_the_cases_opened_since(agent):
    customer = CustomerFactory()
    old, recent = RecoveryCaseFactory(customer=customer, closed=True), RecoveryCaseFactory(customer=customer)
    type(old).objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=91))

    totals = customers.customer_with_totals(customer_id=customer.pk, user=agent, now=timezone.now())

    assert (totals.case_count, totals.open_case_count, totals.recent_failures) == (2, 1, 1)
    assert recent.stage == Stage.NEW


def test_the_page_costs_the_same_few_queries_whatever_the_history(
    client, agent, django_assert_max_num_queries
):
    small, large = CustomerFactory(), CustomerFactory()
    history_of(small, agent=agent, cases=1)
    history_of(large, agent=agent, cases=12)
    client.force_login(agent)

    for customer in (small, large):
        with django_assert_max_num_queries(10):  # + the bell's unread count, the agent's teams
            assert client.get(url(customer)).status_code == 200


def test_a_long_history_is_cut_at_the_newest_and_says_where_the_rest_is(client, agent, monkeypatch):
    monkeypatch.setattr(customers, "HISTORY_LIMIT", 2)
    customer = CustomerFactory(external_id="C-LONG")
    made = history_of(customer, agent=agent, cases=3)
    client.force_login(agent)

    page = client.get(url(customer)).text

    assert made[0].reference not in page.split("All 3 cases")[0].split("<table")[1]
    assert 'href="/cases/?customer=C-LONG">All 3 cases</a>' in page
    assert "The newest 2 of 3 shown." in page


def test_the_lookup_finds_by_exact_external_id_or_email_then_by_part_of_a_name(agent):
    ana = CustomerFactory(external_id="C-77", name="Ana Lopez", email="ana@example.com")
    anabel = CustomerFactory(name="Anabel Smith", email="as@example.com")
    CustomerFactory(name="Tom Reyes")
    RecoveryCaseFactory(customer=ana)

    assert [c.pk for c in customers.find_customers("C-77", user=agent)] == [ana.pk]
    assert [c.pk for c in customers.find_customers("ANA@example.com", user=agent)] == [ana.pk]
    found = customers.find_customers("ana", user=agent)
    assert [c.pk for c in found] == [ana.pk, anabel.pk]
    assert (found[0].open_case_count, found[1].open_case_count) == (1, 0)
    assert customers.find_customers("a", user=agent) == []
