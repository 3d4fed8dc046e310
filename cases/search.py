"""The queue's `q`: a case by its reference, or by words of its title, its customer's name or email, or
a comment of its feedback, best matches first.

On PostgreSQL the words are full-text matched, each source through its own GIN index (migration 0021):
every word must appear in one source, and each word also matches as the start of a longer one
(`jen smi` finds Jennifer Smith), so a name is found while it is being typed. Trigram substring
indexes (0010) answered the same question until each common trigram of a name ("ith", "mit") meant
reading a posting list of hundreds of thousands of comments: 0.11x of the ceiling's list at 1M cases.

Ranking: a match on the customer counts most, then the title, then a comment (`RANK_WEIGHTS`); ties
newest first. Text matching more than SEARCH_PROBE cases is too common to rank usefully, and ranking
it would cost a row read per match: those results come in queue order instead, filtered as the
queue is walked. SQLite (`make test`) has neither index nor ranking: substring matches in queue order.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Exists, F, FloatField, Func, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Greatest

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
    email_words = Func(F(f"{prefix}email"), Value("@."), Value("  "), function="translate")
    return SearchVector(f"{prefix}name", email_words, config="simple")


def comment_vector() -> SearchVector:
    return SearchVector("comment", config="english")


def search_cases(queryset: QuerySet[RecoveryCase], text: str) -> QuerySet[RecoveryCase]:
    text = text.strip()
    pk = parse_reference(text)
    if text.upper().startswith(REFERENCE_PREFIX):
        return queryset.filter(pk=pk) if pk is not None else queryset.none()
    by_id = Q(pk=pk) if pk is not None else Q()
    if connection.vendor != "postgresql":
        return queryset.filter(_contains(text) | by_id)
    words = _prefix_query(text)
    if words is None:
        return queryset.filter(by_id) if pk is not None else queryset.none()
    english, simple = (SearchQuery(words, search_type="raw", config=name) for name in ("english", "simple"))
    ids = set(_matching_case_ids(english, simple)[: SEARCH_PROBE + 1])
    if len(ids) > SEARCH_PROBE:
        commented = Feedback.objects.alias(words=comment_vector()).filter(case=OuterRef("pk"), words=english)
        matched = queryset.alias(title_words=title_vector(), customer_words=customer_vector("customer__"))
        return matched.filter(Q(title_words=english) | Q(customer_words=simple) | Exists(commented) | by_id)
    ranked = queryset.filter(pk__in=[*ids, pk] if pk is not None else ids)
    return ranked.annotate(search_rank=_rank(english, simple)).order_by("-search_rank", "-id")


def _prefix_query(text: str) -> str | None:
    """`jen smith` as to_tsquery's `'jen':* & 'smith':*`; None when no word is left."""
    chunks = [chunk.strip("-+") for chunk in _CHUNK.findall(text)]
    terms = [f"'{chunk}':*" for chunk in chunks if chunk]
    return " & ".join(terms) or None


def _matching_case_ids(english: SearchQuery, simple: SearchQuery):
    """Ids of the cases the words match (with repeats), each source read through its own index."""
    customers = Customer.objects.alias(words=customer_vector()).filter(words=simple).values("pk")
    titles = RecoveryCase.objects.alias(words=title_vector()).filter(words=english)
    comments = Feedback.objects.alias(words=comment_vector()).filter(words=english, case__isnull=False)
    return (
        titles.order_by()
        .values_list("pk", flat=True)
        .union(
            RecoveryCase.objects.filter(customer__in=customers).order_by().values_list("pk", flat=True),
            comments.order_by().values_list("case_id", flat=True),
            all=True,
        )
    )


def _rank(english: SearchQuery, simple: SearchQuery):
    """How well a case matches, as a double precision: a real would not survive a keyset cursor's trip
    through JSON exactly, and the next page would repeat or skip rows."""
    best_comment = (
        Feedback.objects.filter(case=OuterRef("pk"))
        .annotate(rank=SearchRank(comment_vector(), english))
        .order_by("-rank")
        .values("rank")[:1]
    )
    weighted = [
        SearchRank(customer_vector("customer__"), simple) * Value(RANK_WEIGHTS["customer"]),
        SearchRank(title_vector(), english) * Value(RANK_WEIGHTS["title"]),
        Coalesce(Subquery(best_comment), Value(0.0)) * Value(RANK_WEIGHTS["comment"]),
    ]
    return Cast(Greatest(*weighted, output_field=FloatField()), FloatField())


def _contains(text: str) -> Q:
    return (
        Q(title__icontains=text)
        | Q(customer__name__icontains=text)
        | Q(customer__email__icontains=text)
        | Q(Exists(Feedback.objects.filter(case=OuterRef("pk"), comment__icontains=text)))
    )
