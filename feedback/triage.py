"""Triage: what a piece of feedback says, and whether it opens or joins a recovery case.

`decide` is pure over values, so every rule is tested without a database. `apply` is the writing
half: it saves the feedback together with the case its decision calls for, in the caller's
transaction, so negative feedback never exists without its case (the database checks it too).
Thresholds come from the `MEND_TRIAGE_*` settings; the README's "intake" section states the rules.
"""

import re
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.db.models import Q
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from cases import root_causes, services
from cases.gesture_rules import automatic as automatic_gestures
from cases.models import SEVERITY_RANK, RecoveryCase, Severity, Stage
from cases.teams import assignment
from feedback.conditions import FeedbackFacts
from feedback.models import Feedback, Sentiment

_ONE_LEVEL_UP: dict[str, str] = {
    Severity.LOW: Severity.MEDIUM,
    Severity.MEDIUM: Severity.HIGH,
    Severity.HIGH: Severity.CRITICAL,
    Severity.CRITICAL: Severity.CRITICAL,
}


@dataclass(frozen=True)
class TriageDecision:
    sentiment: str
    opens_case: bool  # true exactly when the sentiment is negative
    severity: str | None  # None when no case opens
    is_repeat: bool
    reasons: tuple[str, ...]  # why a case opens; or why the comment was not scored

    @property
    def comment_not_scored(self) -> bool:
        return any(reason.startswith("comment not scored") for reason in self.reasons)

    def for_repeat_customer(self) -> "TriageDecision":
        """One severity level up (critical stays critical) and flagged repeat; no case, no change."""
        if not self.opens_case or self.severity is None:
            return self
        return replace(
            self,
            severity=_ONE_LEVEL_UP[self.severity],
            is_repeat=True,
            reasons=(*self.reasons, "repeat customer"),
        )


def decide(
    *,
    rating: int | None,
    nps: int | None,
    comment: str,
    repeat_customer: bool = False,
    comment_language: str = "",
) -> TriageDecision:
    """The sentiment, case and severity that a rating, an NPS score and a comment call for.

    Each negative signal proposes a severity and the most severe wins. The comment's tone is scored
    only when nothing else made the feedback negative: it could only add `low`. VADER reads English
    only, so a comment in another `comment_language` is not scored at all: the rating and NPS decide,
    and the reasons say so rather than pass off a guess.
    """
    severities, reasons = _negative_signals(rating=rating, nps=nps, comment=comment)
    score = None
    scorable = not comment_language or comment_language.split("-")[0].lower() == "en"
    if comment and not scorable:
        reasons.append(f"comment not scored: language {comment_language}")
    if not severities and comment and scorable:
        score = comment_score(comment)
        if score <= settings.MEND_TRIAGE_NEGATIVE_COMMENT:
            severities.append(Severity.LOW)
            reasons.append(f"comment is clearly negative ({score:+.2f})")
    if not severities:
        sentiment = _positive_or_neutral(rating=rating, nps=nps, score=score)
        return TriageDecision(sentiment, False, None, False, tuple(reasons))
    decision = TriageDecision(
        Sentiment.NEGATIVE, True, max(severities, key=SEVERITY_RANK.__getitem__), False, tuple(reasons)
    )
    return decision.for_repeat_customer() if repeat_customer else decision


def comment_score(comment: str) -> float:
    """VADER's compound score of an English comment, from -1 (most negative) to +1."""
    return _analyzer().polarity_scores(comment)["compound"]


def critical_terms_in(comment: str) -> list[str]:
    pattern = _critical_pattern(tuple(settings.MEND_TRIAGE_CRITICAL_TERMS))
    return sorted({match.lower() for match in pattern.findall(comment)})


def _negative_signals(*, rating: int | None, nps: int | None, comment: str) -> tuple[list[str], list[str]]:
    severities: list[str] = []
    reasons: list[str] = []
    if rating is not None and rating <= settings.MEND_TRIAGE_NEGATIVE_RATING:
        severities.append(Severity.HIGH if rating <= settings.MEND_TRIAGE_HIGH_RATING else Severity.MEDIUM)
        reasons.append(f"rating {rating}")
    if nps is not None and nps <= settings.MEND_TRIAGE_NEGATIVE_NPS:
        severities.append(Severity.HIGH if nps <= settings.MEND_TRIAGE_HIGH_NPS else Severity.MEDIUM)
        reasons.append(f"NPS {nps}")
    terms = critical_terms_in(comment) if comment else []
    if terms:
        severities.append(Severity.CRITICAL)
        reasons.append(f"comment mentions {', '.join(terms)}")
    return severities, reasons


def _positive_or_neutral(*, rating: int | None, nps: int | None, score: float | None) -> str:
    # Scores first: a customer's own number says more than a lexicon's reading of their words.
    if rating is not None:
        positive = rating >= settings.MEND_TRIAGE_POSITIVE_RATING
    elif nps is not None:
        positive = nps >= settings.MEND_TRIAGE_POSITIVE_NPS
    else:
        positive = score is not None and score >= settings.MEND_TRIAGE_POSITIVE_COMMENT
    return Sentiment.POSITIVE if positive else Sentiment.NEUTRAL


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    # Loading the lexicon is slow next to a request: once per process, never per request.
    return SentimentIntensityAnalyzer()


@cache
def _critical_pattern(terms: tuple[str, ...]) -> re.Pattern:
    alternatives = "|".join(re.escape(term.strip()) for term in terms if term.strip()) or r"(?!x)x"
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


def apply(
    *,
    decision: TriageDecision,
    feedback: Feedback,
    new_customer: bool = False,
) -> Feedback:
    """Save `feedback` (unsaved, its customer saved and locked) with the case `decision` calls for.

    Negative feedback joins the customer's open case, or opens a new one whose SLA clock starts at
    `feedback.received_at`. `new_customer`: the customer was created in this transaction, so has no
    case to look for. Runs inside the intake transaction.
    """
    feedback.sentiment = decision.sentiment
    if not decision.opens_case:
        feedback.save(force_insert=True)
        return feedback
    open_case, repeat = (None, False) if new_customer else _open_case_and_repeat(feedback)
    if repeat:
        decision = decision.for_repeat_customer()
    if open_case is not None:
        return _join(open_case, decision=decision, feedback=feedback)
    return _open(decision=decision, feedback=feedback)


def _open_case_and_repeat(feedback: Feedback) -> tuple[RecoveryCase | None, bool]:
    """The customer's open case (locked) and whether another case was opened in the repeat window.

    Precondition: the customer's row is locked, so two negative posts for one customer wait for each
    other here, and the second one sees the case the first one opened.
    """
    since = feedback.received_at - timedelta(days=settings.MEND_TRIAGE_REPEAT_DAYS)
    cases = list(
        RecoveryCase.objects.select_for_update()
        .filter(Q(created_at__gte=since) | ~Q(stage=Stage.CLOSED), customer_id=feedback.customer_id)
        .order_by("-created_at", "-id")
    )
    open_case = next((case for case in cases if case.is_open), None)
    repeat = any(case is not open_case and case.created_at >= since for case in cases)
    return open_case, repeat


def _open(*, decision: TriageDecision, feedback: Feedback) -> Feedback:
    assert decision.severity is not None  # a decision that opens a case has one
    # The case comes first: the database refuses negative feedback without one.
    case = services.open_case(
        customer=feedback.customer,
        title=_case_title(feedback),
        severity=decision.severity,
        channel=feedback.channel,
        description=feedback.comment,
        complained_at=feedback.received_at,
        is_repeat=decision.is_repeat,
    )
    feedback.case = case
    feedback.response_case = _case_snapshot(case, severity=case.severity)
    feedback.save(force_insert=True)
    services.link_originating_feedback(case=case, feedback=feedback)
    facts = FeedbackFacts.of(feedback, severity=case.severity)
    automatic_gestures.grant_for_new_case(case=case, facts=facts)
    root_causes.link_matching(case=case, touchpoint=feedback.touchpoint, comment=feedback.comment)
    # Last: it locks the case's team until the intake commits, and concurrent intakes queue there.
    assignment.place_new_case(case=case, facts=facts)
    return feedback


def _join(case: RecoveryCase, *, decision: TriageDecision, feedback: Feedback) -> Feedback:
    assert decision.severity is not None  # a decision that opens a case has one
    feedback.case = case
    # What attach_feedback is about to make of the severity: it never lowers it.
    severity = max(case.severity, decision.severity, key=SEVERITY_RANK.__getitem__)
    feedback.response_case = _case_snapshot(case, severity=severity)
    feedback.save(force_insert=True)
    services.attach_feedback(case=case, feedback=feedback, severity=decision.severity)
    return feedback


def _case_snapshot(case: RecoveryCase, *, severity: str) -> dict:
    return {"id": case.pk, "reference": case.reference, "severity": severity, "stage": case.stage}


def _case_title(feedback: Feedback) -> str:
    comment = feedback.comment.strip()
    if comment:
        return comment.splitlines()[0][:120]
    scores = [f"rating {feedback.rating}"] if feedback.rating is not None else []
    scores += [f"NPS {feedback.nps}"] if feedback.nps is not None else []
    where = f" at {feedback.touchpoint}" if feedback.touchpoint else ""
    return f"{feedback.get_channel_display()} feedback: {', '.join(scores)}{where}"
