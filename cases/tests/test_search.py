"""The queue's `q` on PostgreSQL: words matched through the full-text indexes, best matches first,
pages that neither repeat nor skip a ranked row, and a bounded number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import RecoveryCase
from cases.selectors import search
from cases.tests.factories import RecoveryCaseFactory
from feedback.models import Customer, Feedback
from feedback.tests.factories import CustomerFactory, FeedbackFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

CASES = "/api/v1/cases/"


def refs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["reference"] for row in response.json()["results"]]


def case_about(title: str, *, name: str = "Ana Costa", email: str = "", comment: str = "") -> RecoveryCase:
    case = RecoveryCaseFactory(title=title, customer=CustomerFactory(name=name, email=email))
    if comment:
        FeedbackFactory(case=case, customer=case.customer, sentiment="negative", rating=1, comment=comment)
    return case


def test_a_match_on_the_customer_ranks_above_the_title_and_the_title_above_a_comment(api_client, agent):
    in_comment = case_about("Late parcel", comment="Ask for Miller at the desk")
    in_title = case_about("Miller's shop refused the return")
    on_customer = case_about("Invoice wrong", name="Dana Miller")
    case_about("Nothing to do with it")

    assert refs(api_client(agent).get(CASES, {"q": "miller"})) == [
        on_customer.reference,
        in_title.reference,
        in_comment.reference,
    ]


@pytest.mark.parametrize(
    "typed", ["jen smi", "Jennifer Smith", "JENNIFER", "jen.smith@exa", "jen.smith@example.com"]
)
def test_a_name_or_email_is_found_from_the_start_of_its_words(api_client, agent, typed):
    wanted = case_about("Broken kettle", name="Jennifer Smith", email="jen.smith@example.com")
    case_about("Broken kettle", name="Jenny Smithers", email="js@example.org")  # words that only start alike
    case_about("Broken kettle", name="Ben Smith", email="ben@example.net")

    found = refs(api_client(agent).get(CASES, {"q": typed}))

    assert wanted.reference in found
    assert all(ref != wanted.reference for ref in found[1:])


def test_every_word_must_match_and_text_without_words_finds_nothing(api_client, agent):
    case_about("Broken kettle", name="Jennifer Smith")
    client = api_client(agent)

    assert refs(client.get(CASES, {"q": "jennifer jones"})) == []
    assert refs(client.get(CASES, {"q": "?!' :*&|"})) == []


def test_ranked_pages_follow_each_other_without_repeating_or_skipping(api_client, agent):
    cases = [case_about(f"Kettle number {n}", comment="kettle " * (n % 4)) for n in range(12)]
    client = api_client(agent)

    seen, url, params = [], CASES, {"q": "kettle", "page_size": 5}
    while url:
        body = client.get(url, params).json()
        seen += [row["reference"] for row in body["results"]]
        url, params = body["next"], None

    assert sorted(seen) == sorted(case.reference for case in cases)
    assert len(seen) == len(set(seen))


def test_common_text_past_the_probe_still_finds_every_match_in_queue_order(api_client, agent, monkeypatch):
    monkeypatch.setattr(search, "SEARCH_PROBE", 1)
    matching = [
        case_about("Kettle"),
        case_about("Other", name="Kettle Jones"),
        case_about("x", comment="kettle"),
    ]
    case_about("Toaster")

    found = refs(api_client(agent).get(CASES, {"q": "kettle"}))

    assert sorted(found) == sorted(case.reference for case in matching)


def test_one_case_matching_in_several_places_does_not_hide_the_others(api_client, agent, monkeypatch):
    # The probe stops after SEARCH_PROBE + 1 matching rows; a case is a row per place it matches, so
    # rows of one case can fill it and leave other cases unread. A full probe must mean "too common".
    monkeypatch.setattr(search, "SEARCH_PROBE", 1)
    everywhere = case_about("Kettle", name="Kettle Jones")
    in_a_comment = case_about("Other", comment="kettle")

    found = refs(api_client(agent).get(CASES, {"q": "kettle"}))

    assert sorted(found) == sorted([everywhere.reference, in_a_comment.reference])


def test_a_search_page_costs_a_bounded_number_of_queries(api_client, agent):
    for n in range(30):
        case_about(f"Kettle {n}", name=f"Kettle Owner {n}", comment="kettle leaks")
    client = api_client(agent)
    client.get(CASES, {"q": "kettle"})  # warm: the SLA policies are cached per process

    with CaptureQueriesContext(connection) as context:
        assert len(refs(client.get(CASES, {"q": "kettle"}))) == 30

    # token, the user's teams (the scope), the matching ids and their ranks, the ranked page (customer
    # and owner joined)
    assert len(context.captured_queries) == 4


def test_searches_one_after_another_each_answer_their_own_words(api_client, agent):
    kettles = {case_about(f"Kettle {n}", comment="kettle leaks").reference for n in range(3)}
    smith = case_about("Late parcel", name="Jennifer Smith")
    client = api_client(agent)

    for _ in range(2):
        assert set(refs(client.get(CASES, {"q": "kettle"}))) == kettles
        assert refs(client.get(CASES, {"q": "jen smi"})) == [smith.reference]
        assert refs(client.get(CASES, {"q": "jen kettle"})) == []


@pytest.mark.parametrize(
    ("model", "vector", "index"),
    [
        (RecoveryCase, search.title_vector, "case_title_search"),
        (Customer, search.customer_word_starts, "customer_word_starts"),
        (Feedback, search.comment_vector, "feedback_comment_search"),
    ],
)
def test_each_source_is_read_through_its_full_text_index(model, vector, index):
    # The index serves only a query whose expression is the index's own: this holds them together.
    words = search.SearchQuery("'kettle':*", search_type="raw", config="simple")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = model.objects.alias(words=vector()).filter(words=words).values("pk").explain()

    assert index in plan


@pytest.mark.parametrize("index", ["case_title_search", "customer_word_starts", "feedback_comment_search"])
def test_each_search_index_keeps_a_short_pending_list(index):
    # Every search reads a GIN index's whole pending list: at the default 4 MB, most of its time.
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [index])
        assert cursor.fetchone()[0] == ["gin_pending_list_limit=128"]


def test_a_customer_is_indexed_by_every_start_of_every_word():
    CustomerFactory(name="Ana Costa", email="ib@example.com")
    starts = Customer.objects.annotate(starts=search.customer_word_starts()).values_list("starts", flat=True)

    assert set(starts.get().replace("'", "").split()) == {
        *("a", "an", "ana", "c", "co", "cos", "cost", "costa", "i", "ib"),
        *("e", "ex", "exa", "exam", "examp", "exampl", "example", "com"),
    }


# 0024's definition of the starts, as a query: 0025 computes them in PL/pgSQL and must agree with it.
EVERY_START_ONCE = """
    SELECT COALESCE(array_to_tsvector(array_agg(DISTINCT left(word, n))), '')
    FROM unnest(tsvector_to_array(to_tsvector('simple', %s))) AS word, generate_series(1, length(word)) AS n
"""


@pytest.mark.parametrize(
    "text", ["", "a a A", "Zoë Ångström zoë", "o'brien-smith x+tag@y.co.uk", "Straße 東京 ﬁnance", "x" * 300]
)
def test_word_starts_are_every_start_of_every_word_once(text):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT mend_word_starts(to_tsvector('simple', %s)), ({EVERY_START_ONCE})", [text, text]
        )
        computed, defined = cursor.fetchone()
    assert computed == defined


def test_connections_plan_without_parallel_workers_or_jit():
    # A parallel plan's start-up cost the `q` union 20 ms at 1M cases, ten times its work, and JIT
    # compiling 20-25 ms (settings).
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
