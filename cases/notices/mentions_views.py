"""`/cases/<reference>/mentions/?q=`: the colleagues the `@` list in a note offers (static/js/mentions.js)."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from cases.notices import mentions
from cases.presence.services import display_name
from cases.presence.views import case_or_404
from recovery.web import agent_required


@require_GET
@agent_required
def candidates(request: HttpRequest, reference: str) -> JsonResponse:
    case = case_or_404(reference, request.user)
    people = mentions.candidates(case=case, user=request.user, query=request.GET.get("q", "")[:150])
    return JsonResponse(
        {"colleagues": [{"username": p.get_username(), "name": display_name(p)} for p in people]}
    )
