"""Every table that can hold a customer's personal data, in one registry, and how each is erased.

Each app says, next to its models (`<app>/personal_data.py`), which of its models hold a customer's
data (`holds`) and which hold none (`holds_none`, with the reason); Django's and the libraries' models
are declared in `recovery.personal_data.libraries`. A model with a text or JSON field that is in neither
list is reported by `unaccounted()`, and a test fails on it: a new model cannot be forgotten.

A registered model names each of its text and JSON fields as personal or not, so a new field on a
known model cannot be forgotten either. Its eraser gets the `Subject` (the customer, their cases and
what names or quotes them, read before anything is erased) and scrubs the rows that concern them.
Rows that are found by following keys (a case's events) and rows that can only be found by what they
say (an export's search words, a stored API answer, a digest listing many cases) both use the helpers
below, so every table reads the same "mentions her" test.
"""

import json as json_module
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.module_loading import autodiscover_modules

# What erased text reads as. Also the whole of an email already sent about an erased customer.
ERASED = "[erased]"
# Words of a name shorter than this identify nobody ("Jo", "de") and would match everywhere.
MIN_WORD = 3


@dataclass(frozen=True)
class Subject:
    """The customer being erased, as it was before erasure.

    `identifiers` name the person (name and its words, email, phone, external id): a row that mentions
    one of them is about the person. `quotes` are the free texts written by or about them (comments,
    case titles, notes): redacted wherever a row about the person repeats them. `references` name
    their cases, so an email listing several cases can be found.
    """

    customer_id: int
    case_ids: tuple[int, ...]
    references: tuple[str, ...]
    identifiers: tuple[str, ...]
    quotes: tuple[str, ...] = ()

    @cached_property
    def _identifier_pattern(self) -> re.Pattern | None:
        return _words_pattern(self.identifiers)

    @cached_property
    def _about_pattern(self) -> re.Pattern | None:
        return _words_pattern((*self.identifiers, *self.references))

    def is_about(self, text: str) -> bool:
        """True when `text` names the person or one of their cases (as whole words): how a row that
        no key leads to is recognised. Quotes do not count here: "Unassigned" may be a line of their
        timeline and of a thousand others."""
        pattern = self._about_pattern
        return bool(text and pattern and pattern.search(text))

    def mentions(self, text: str) -> bool:
        """True when `text` names the person or repeats one of their quotes."""
        if not text:
            return False
        folded = text.casefold()
        pattern = self._identifier_pattern
        return bool(pattern and pattern.search(text)) or any(q.casefold() in folded for q in self.quotes)

    def redact_text(self, text: str) -> str:
        """`text` with every identifier and quote of the person replaced by ERASED."""
        for quote in sorted(self.quotes, key=len, reverse=True):
            text = re.sub(re.escape(quote), ERASED, text, flags=re.IGNORECASE)
        pattern = self._identifier_pattern
        return pattern.sub(ERASED, text) if pattern else text

    def redact_json(self, value: Any) -> Any:
        """`value` with every string (key or value) that mentions the person replaced by ERASED."""
        if isinstance(value, str):
            return ERASED if self.mentions(value) else value
        if isinstance(value, list):
            return [self.redact_json(item) for item in value]
        if isinstance(value, dict):
            return {self.redact_json(key): self.redact_json(item) for key, item in value.items()}
        return value

    def mentioned_in(self, *fields: str) -> Q:
        """Rows whose `fields` may be about the person: a coarse filter the database can run (an
        identifier or case reference as a case-insensitive substring); `is_about` then decides."""
        condition = Q(pk__in=[])
        for name in fields:
            for word in (*self.identifiers, *self.references):
                condition |= Q(**{f"{name}__icontains": word})
        return condition


def identifiers_of(*, name: str, email: str, phone: str, external_id: str) -> tuple[str, ...]:
    """What names a person: each value whole, the words of the name, the email's local part and the
    phone's digits alone (how people search for them)."""
    found = {value.strip() for value in (name, email, phone, external_id)}
    found |= {word for word in re.split(r"\W+", name) if len(word) >= MIN_WORD}
    found.add(email.partition("@")[0])
    found.add(re.sub(r"\D", "", phone))
    return tuple(sorted(value for value in found if len(value) >= MIN_WORD))


def _words_pattern(words: Iterable[str]) -> re.Pattern | None:
    alternatives = sorted({re.escape(word) for word in words if word}, key=len, reverse=True)
    if not alternatives:
        return None
    return re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)", re.IGNORECASE)


Eraser = Callable[[Subject], Any]
Rows = Callable[[Subject], QuerySet]
Quoter = Callable[[Subject], Iterable[str]]


@dataclass(frozen=True)
class Holder:
    model: type[models.Model]
    personal: tuple[str, ...]
    other: tuple[str, ...]
    erase: Eraser
    rows: Rows | None = None
    extra_quotes: Quoter | None = None

    def quotes(self, subject: Subject) -> Iterable[str]:
        """The free text of the subject's rows: their personal text fields (and what `extra_quotes`
        finds in JSON)."""
        if self.rows is not None:
            text = [
                name
                for name in self.personal
                if not isinstance(self.model._meta.get_field(name), models.JSONField)
            ]
            for values in self.rows(subject).values_list(*text):
                yield from (value for value in values if isinstance(value, str))
        if self.extra_quotes is not None:
            yield from self.extra_quotes(subject)


@dataclass
class _Registry:
    holders: dict[type[models.Model], Holder] = field(default_factory=dict)
    without: dict[type[models.Model], str] = field(default_factory=dict)
    loaded: bool = False


_registry = _Registry()


def holds(
    model: type[models.Model],
    *,
    personal: Iterable[str],
    other: Iterable[str] = (),
    erase: Eraser,
    rows: Rows | None = None,
    extra_quotes: Quoter | None = None,
) -> None:
    """Declare that `model` holds a customer's data in `personal` (its other text/JSON fields in
    `other`). `erase(subject)` scrubs the subject's rows. `rows(subject)`, for a model whose rows are
    found by keys, gives them: their text is read as quotes before anything is erased, and the admin
    log's lines about them are found by it."""
    _registry.holders[model] = Holder(model, tuple(personal), tuple(other), erase, rows, extra_quotes)


def holds_none(model: type[models.Model], *, why: str) -> None:
    """Declare that `model`'s text and JSON fields never hold a customer's data, and why."""
    _registry.without[model] = why


def load() -> _Registry:
    """Every app's `personal_data` module, and the libraries' declarations, imported once."""
    if not _registry.loaded:
        from recovery.personal_data import libraries  # noqa: F401  (declares as it is imported)

        autodiscover_modules("personal_data")
        _registry.loaded = True
    return _registry


def holders() -> list[Holder]:
    """In the order they registered: an app registers its rows found by keys before the ones found
    by what they say, and the customer's own row last, so every eraser still reads what it needs."""
    return list(load().holders.values())


def quotes_of(subject: Subject) -> tuple[str, ...]:
    """The free texts every holder's rows of `subject` hold (non-blank, at least MIN_WORD long)."""
    found: set[str] = set()
    for holder in holders():
        found |= {text.strip() for text in holder.quotes(subject) if text and len(text.strip()) >= MIN_WORD}
    return tuple(sorted(found - {ERASED}))


def erase(subject: Subject) -> None:
    """Run every holder's eraser. The caller holds the transaction (`feedback.data_subject.erase`)."""
    for holder in holders():
        holder.erase(subject)


def text_fields(model: type[models.Model]) -> list[str]:
    """The names of `model`'s concrete fields that can hold free text or JSON."""
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField, models.JSONField))
    ]


def unaccounted(candidates: Iterable[type[models.Model]] | None = None) -> list[str]:
    """Problems that let personal data escape erasure: a model with text or JSON fields in neither
    list, or a registered model whose text/JSON fields are not all named personal or other.
    `candidates` defaults to every installed model."""
    registry = load()
    problems = []
    for model in {model._meta.concrete_model or model for model in candidates or apps.get_models()}:
        fields = set(text_fields(model))
        label = model._meta.label
        if model in registry.without or not fields:
            continue
        holder = registry.holders.get(model)
        if holder is None:
            problems.append(f"{label} has text or JSON fields but is not in recovery.personal_data")
            continue
        named = set(holder.personal) | set(holder.other)
        if missing := sorted(fields - named):
            problems.append(f"{label} does not say whether {', '.join(missing)} hold personal data")
        if unknown := sorted(named - fields):
            problems.append(f"{label} names fields it does not have as text or JSON: {', '.join(unknown)}")
    return sorted(problems)


def redact_rows(
    queryset: QuerySet, *, subject: Subject, text: Iterable[str] = (), json: Iterable[str] = ()
) -> int:
    """Redact the person from the `text` and `json` fields of every row of `queryset` that is about
    them (`Subject.is_about`). Returns how many rows changed."""
    text, json = tuple(text), tuple(json)
    changed = 0
    for row in queryset.filter(subject.mentioned_in(*text, *json)).only("pk", *text, *json):
        if not subject.is_about(" ".join(_dumps(getattr(row, name)) for name in (*text, *json))):
            continue
        values = {name: subject.redact_text(getattr(row, name)) for name in text}
        values |= {name: subject.redact_json(getattr(row, name)) for name in json}
        changed += type(row)._default_manager.filter(pk=row.pk).update(**values)
    return changed


def _dumps(value: Any) -> str:
    # ensure_ascii off: the words are matched as written, not as \u escapes.
    return value if isinstance(value, str) else json_module.dumps(value, ensure_ascii=False, default=str)
