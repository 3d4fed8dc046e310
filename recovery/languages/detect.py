"""The language a customer wrote in, guessed only when the guess is safe to act on.

lingua-language-detector: maintained, accurate on short texts (a two-line email, a review), offline
(its models ship in the wheel), and it says how sure it is. Only a few likely languages are compared,
which keeps it fast and its memory small; anything short, mixed or unclear gives "" and Mend keeps
writing in its default language rather than in a wrong one.
"""

from functools import cache

from django.conf import settings
from lingua import Language, LanguageDetector, LanguageDetectorBuilder

CANDIDATES = (
    Language.ENGLISH,
    Language.GERMAN,
    Language.SPANISH,
    Language.FRENCH,
    Language.ITALIAN,
    Language.PORTUGUESE,
    Language.DUTCH,
    Language.POLISH,
    Language.SWEDISH,
    Language.DANISH,
)
# A few words say too little: "ok", "Hola", "Danke!" are left unknown.
MIN_LETTERS = 12
MAX_CHARACTERS = 2000  # the opening of a long message says as much as all of it


@cache
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*CANDIDATES).with_minimum_relative_distance(0.2).build()


def language_of(text: str) -> str:
    """The ISO 639-1 code ("es") of the language `text` is written in, or "" when not confident.

    Confident means lingua's top candidate has at least settings.MEND_LANGUAGE_DETECTION_CONFIDENCE
    and stands clearly apart from the second (its minimum relative distance).
    """
    text = (text or "")[:MAX_CHARACTERS]
    if sum(character.isalpha() for character in text) < MIN_LETTERS:
        return ""
    detector = _detector()
    if detector.detect_language_of(text) is None:
        return ""
    best = detector.compute_language_confidence_values(text)[0]
    if best.value < settings.MEND_LANGUAGE_DETECTION_CONFIDENCE:
        return ""
    return best.language.iso_code_639_1.name.lower()
