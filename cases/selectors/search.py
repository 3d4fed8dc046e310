"""The queue's `q`: a case by its reference, or by words of its title, its customer's name or email, or
a comment of its feedback, best matches first.

On PostgreSQL the words are full-text matched, each source through its own GIN index (migrations 0021,
0024): every word must appear in one source, and each word also matches as the start of a longer one
(`jen smi` finds Jennifer Smith), so a name is found while it is being typed. Customers are indexed by
every start of every word (`customer_word_starts`): a word typed in part is one term to look up, not a
range of terms to merge (`mark` begins the words of thousands of customers: Mark, Markus, markb@…).
Trigram substring indexes (0010) answered the same question until each common trigram of a name
("ith", "mit") meant reading a posting list of hundreds of thousands of comments.

Ranking: a match on the customer counts most, then the title, then a comment (`RANK_WEIGHTS`); ties
newest first. One statement finds the matches and ranks them (`probe_statement`); the page then reads
the cases by id, with the ranks passed along. Text matching more than SEARCH_PROBE rows is too common
to rank usefully: those results come in queue order instead, each case matched against the words as
the queue is walked. SQLite (`make test`) has neither index nor ranking:
substring matches in queue order.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorField
from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce, Concat

from cases.models import REFERENCE_PREFIX, RecoveryCase, parse_reference
from feedback.models import Customer, Feedback

SEARCH_PROBE = 5000
RANK_WEIGHTS = {"customer": 1.0, "title": 0.8, "comment": 0.5}
# Words of the query. An email's parts are words of their own, on both sides (`customer_vector`), so
# that `ib@exam` finds ib@example.com: PostgreSQL's parser keeps a whole email as one lexeme.
_CHUNK = re.compile(r"[\w+-]+")


def title_vector() -> SearchVector:
    return SearchVector("title", config="english")


def customer_vector(prefix: str = "") -> SearchVector:
    return SearchVector(*_customer_words(prefix), config="simple")


def _customer_words(prefix: str = "") -> tuple[F, Func]:
    """A customer's name, and their email with its `@` and dots as spaces."""
    return F(f"{prefix}name"), Func(F(f"{prefix}email"), Value("@."), Value("  "), function="translate")


def comment_vector() -> SearchVector:
    return SearchVector("comment", config="english")


def customer_word_starts() -> Func:
    """`customer_vector` with each word replaced by all of its starts (`mend_word_starts`, 0024)."""
    return Func(customer_vector(), function="mend_word_starts", output_field=SearchVectorField())


def search_cases(queryset: QuerySet[RecoveryCase], text: str) -> QuerySet[RecoveryCase]:
    text = text.strip()
    pk = parse_reference(text)
    if text.upper().startswith(REFERENCE_PREFIX):
        return queryset.filter(pk=pk) if pk is not None else queryset.none()
    by_id = Q(pk=pk) if pk is not None else Q()
    if connection.vendor != "postgresql":  # full-text indexes and ranking are PostgreSQL's alone
        return queryset.filter(_contains(text) | by_id)
    words = words_of(text)
    if not words:
        return queryset.filter(by_id) if pk is not None else queryset.none()
    ranks = _ranked_matches(words)
    if ranks is None:
        english, simple = _queries(_prefix_query(words))
        commented = Feedback.objects.alias(words=comment_vector()).filter(case=OuterRef("pk"), words=english)
        matched = queryset.alias(title_words=title_vector(), customer_words=customer_vector("customer__"))
        return matched.filter(Q(title_words=english) | Q(customer_words=simple) | Exists(commented) | by_id)
    if pk is not None:
        ranks.setdefault(pk, 0.0)
    ids, scores = list(ranks), list(ranks.values())
    ranked = queryset.filter(OneOf(F("pk"), ids=ids)).annotate(
        search_rank=RankAmong(F("pk"), ids=ids, ranks=scores)
    )
    return ranked.order_by("-search_rank", "-id")


def words_of(text: str) -> list[str]:
    """The words of a query, as `to_tsquery` may quote them."""
    return [word for word in (chunk.strip("-+") for chunk in _CHUNK.findall(text)) if word]


def _prefix_query(words: list[str]) -> str:
    """`jen smith` as to_tsquery's `'jen':* & 'smith':*`: each word or a longer one that it starts."""
    return " & ".join(f"'{word}':*" for word in words)


def _starts_query(words: list[str]) -> str:
    """`jen smith` as `'jen' & 'smith'`, for a vector of word starts (`customer_word_starts`)."""
    return " & ".join(f"'{word}'" for word in words)


def _queries(words: str) -> tuple[SearchQuery, SearchQuery]:
    """The words as a query of titles and comments (English stems) and of customers (as written)."""
    return SearchQuery(words, search_type="raw", config="english"), SearchQuery(
        words, search_type="raw", config="simple"
    )


def _ranked_matches(words: list[str]) -> dict[int, float] | None:
    """Each matching case's rank, or None when the words match more than SEARCH_PROBE rows."""
    sql, params = probe_statement(words)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if len(rows) > SEARCH_PROBE:
        return None
    ranks: dict[int, float] = {}
    for case_id, rank in rows:
        ranks[case_id] = max(rank, ranks.get(case_id, rank))
    return ranks


def probe_statement(words: list[str]) -> tuple[str, list]:
    """One statement: (case, rank) per match, at most SEARCH_PROBE + 1 of them, ranked only if they
    are not more than SEARCH_PROBE (the rank is NULL otherwise).

    The limit counts matches, before a case's merge: a case is one match per place it matches, and a
    limit reached means matches went unread, whatever their cases. Each match brings the text its
    source's vector is made of, and is ranked above the limit, once their number is known: ranking
    while probing ranked the first SEARCH_PROBE matches of a common word only to find there were more,
    and probing twice (count, then rank) doubled a rare name's time (docs/performance.md).
    """
    prefixes = _prefix_query(words)
    matching, params = _matching(prefixes, _starts_query(words)).query.sql_with_params()
    # One branch per source, each with its configuration written out, and its query in a sub-select:
    # the query is then parsed once per probe (an InitPlan), not once per match.
    rank = "CASE m.source {} END".format(
        " ".join(
            f"WHEN {n} THEN ts_rank(to_tsvector('{config}'::regconfig, m.text),"
            f" (SELECT to_tsquery('{config}'::regconfig, %s)))::double precision * {weight}::double precision"
            for n, (config, weight) in enumerate(_SOURCES.values())
        )
    )
    sql = f"""
        SELECT m.case_id, CASE WHEN count(*) OVER () <= %s THEN {rank} END
        FROM ({matching} LIMIT %s) AS m (case_id, source, text)
    """
    return sql, [SEARCH_PROBE, *[prefixes] * len(_SOURCES), *params, SEARCH_PROBE + 1]


# Per source, in the order of `m.source`: the text search configuration of its vector, and its weight.
_SOURCES = {
    "customer": ("simple", RANK_WEIGHTS["customer"]),
    "title": ("english", RANK_WEIGHTS["title"]),
    "comment": ("english", RANK_WEIGHTS["comment"]),
}
_SOURCE = {name: Value(n) for n, name in enumerate(_SOURCES)}


def _matching(prefixes: str, starts: str):
    """(case, source, the text of the source's vector) of every match, each source read through its
    own index: a case once per source or comment that matches. `prefixes` and `starts`: the words as
    `_prefix_query` and `_starts_query` write them."""
    english = SearchQuery(prefixes, search_type="raw", config="english")
    word_starts = SearchQuery(starts, search_type="raw", config="simple")
    name, email = _customer_words()
    customers = (
        Customer.objects.alias(word_starts=customer_word_starts())
        .filter(word_starts=word_starts, cases__isnull=False)
        .values_list(
            "cases__pk",
            _SOURCE["customer"],
            Concat(
                Coalesce(name, Value(""), output_field=TextField()),
                Value(" ", output_field=TextField()),
                Coalesce(email, Value(""), output_field=TextField()),
                output_field=TextField(),
            ),
        )
    )
    titles = (
        RecoveryCase.objects.alias(words=title_vector())
        .filter(words=english)
        .values_list("pk", _SOURCE["title"], Coalesce("title", Value(""), output_field=TextField()))
    )
    comments = (
        Feedback.objects.alias(words=comment_vector())
        .filter(words=english, case__isnull=False)
        .values_list("case_id", _SOURCE["comment"], Coalesce("comment", Value(""), output_field=TextField()))
    )
    return customers.order_by().union(titles.order_by(), comments.order_by(), all=True)


class OneOf(Func):
    """`pk = ANY(ids)`: one array parameter however many matches (up to SEARCH_PROBE), where `pk__in`
    writes, and PostgreSQL plans, a placeholder per id. Read through the primary key's index."""

    output_field = BooleanField()

    def __init__(self, pk, *, ids: list[int]) -> None:
        super().__init__(pk)
        self.ids = ids

    def as_sql(self, compiler, connection, **extra):
        pk_sql, pk_params = compiler.compile(self.source_expressions[0])
        return f"{pk_sql} = ANY(%s::bigint[])", (*pk_params, self.ids)


class RankAmong(Func):
    """The rank the probe gave this case: `ranks[array_position(ids, pk)]`, as a double precision (a
    real would not survive a keyset cursor's trip through JSON exactly, and the next page would
    repeat or skip rows). Passing the ranks spares computing them again for the page."""

    output_field = FloatField()

    def __init__(self, pk, *, ids: list[int], ranks: list[float]) -> None:
        super().__init__(pk)
        self.ids, self.ranks = ids, ranks

    def as_sql(self, compiler, connection, **extra):
        pk_sql, pk_params = compiler.compile(self.source_expressions[0])
        sql = f"(%s::double precision[])[array_position(%s::bigint[], {pk_sql})]"
        return sql, (self.ranks, self.ids, *pk_params)


def _contains(text: str) -> Q:
    return (
        Q(title__icontains=text)
        | Q(customer__name__icontains=text)
        | Q(customer__email__icontains=text)
        | Q(Exists(Feedback.objects.filter(case=OuterRef("pk"), comment__icontains=text)))
    )
