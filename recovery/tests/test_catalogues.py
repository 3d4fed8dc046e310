"""The German and Spanish catalogues are complete and compiled: every msgid translated, none fuzzy,
every placeholder kept, and each committed .mo says exactly what its .po says (docs/languages.md).

These read the files only: no gettext tools are needed, so they run on any machine with Python."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
CATALOGUES = [
    LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
    for language in ("de", "es")
    for domain in ("django", "djangojs")
]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}|%[sd]")
TAG = re.compile(r"</?\w+")


def _ids(path: Path) -> list[str]:
    return [path.parent.parent.name + "/" + path.stem]


def _translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: _ids(path)[0])
def test_every_msgid_is_translated_and_none_is_fuzzy(path):
    catalogue = polib.pofile(str(path))
    live = [entry for entry in catalogue if not entry.obsolete]

    untranslated = [entry.msgid for entry in live if not all(_translations(entry))]
    fuzzy = [entry.msgid for entry in live if "fuzzy" in entry.flags]

    assert live, f"{path} holds no messages"
    assert untranslated == [], f"{path}: translate these (then `make messages`)"
    assert fuzzy == [], f"{path}: review these fuzzy entries and remove the flag"
    assert not catalogue.metadata_is_fuzzy, f"{path}: its header is marked fuzzy"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: _ids(path)[0])
def test_every_translation_keeps_the_placeholders_and_tags_of_its_msgid(path):
    wrong = []
    for entry in polib.pofile(str(path)):
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        tags = sorted(TAG.findall(entry.msgid))
        for text in _translations(entry):
            if sorted(PLACEHOLDER.findall(text)) != expected or sorted(TAG.findall(text)) != tags:
                wrong.append((entry.msgid, text))
    assert wrong == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: _ids(path)[0])
def test_the_committed_mo_file_says_what_its_po_file_says(path):
    """A .po edited without `make messages` would ship its old words: compare message by message."""
    compiled = path.with_suffix(".mo")
    assert compiled.exists(), f"{compiled} is missing: run `make messages`"

    def messages(catalogue) -> dict:
        return {
            (entry.msgctxt, entry.msgid, entry.msgid_plural): tuple(_translations(entry))
            for entry in catalogue
            if entry.msgid and not entry.obsolete and "fuzzy" not in entry.flags
        }

    assert messages(polib.mofile(str(compiled))) == messages(polib.pofile(str(path))), (
        f"{compiled} is older than {path.name}: run `make messages` and commit both"
    )
