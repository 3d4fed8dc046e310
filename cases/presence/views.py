"""`/cases/<reference>/presence/`: the case page's "still here" poll, answered with who else is there.

A short POST every few seconds (no worker is held while a page stays open). The page sends what it
shows (`shown`); when nothing changed the answer is 204 and htmx swaps nothing, so a screen reader is
not told the same thing again. `leaving` (sent as the page goes away) drops the person at once.
"""

import hashlib

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from cases.models import RecoveryCase
from cases.presence import services as presence
from cases.selectors import cases as selectors
from recovery.web import agent_required


def case_or_404(reference: str, user) -> RecoveryCase:
    """The case `reference` names if `user` may see it; another team's case is a 404 like a missing one.
    One query: the scope is a filter of the lookup (`selectors.case_or_404`). The whole row, since the
    mentions ask `may_see` of it for other people (its team and owner)."""
    return selectors.case_or_404(reference, user=user)


def fingerprint(colleagues: list[presence.Colleague]) -> str:
    said = "|".join(f"{c.user_id}:{c.name}:{int(c.writing)}" for c in colleagues)
    return hashlib.sha256(said.encode()).hexdigest()[:16]


def context(case: RecoveryCase, user, *, writing: bool = False) -> dict:
    """The presence box's context, after telling the cache that `user` is on the case."""
    presence.here(case_id=case.pk, user=user, writing=writing)
    colleagues = presence.others(case_id=case.pk, user=user)
    return {"colleagues": colleagues, "shown": fingerprint(colleagues), "writing": writing}


@require_POST
@agent_required
def heartbeat(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_or_404(reference, request.user)
    if request.POST.get("leaving"):
        presence.gone(case_id=case.pk, user=request.user)
        return HttpResponse(status=204)
    shown = context(case, request.user, writing=bool(request.POST.get("writing")))
    if shown["shown"] == request.POST.get("shown"):
        return HttpResponse(status=204)
    return TemplateResponse(request, "cases/_presence.html", {"case": case, **shown})
