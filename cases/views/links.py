"""`/cases/<reference>/`: the address of a case in every email Mend sends.

A permalink rather than the address of a screen, so that links already in people's inboxes keep
working wherever the case's page lives: today the back office's case form.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from cases.models import RecoveryCase, parse_reference
from recovery.web import agent_required


@require_GET
@agent_required
def case_permalink(request: HttpRequest, reference: str) -> HttpResponse:
    pk = parse_reference(reference)
    if pk is None or not RecoveryCase.objects.filter(pk=pk).exists():
        raise Http404(f"No case {reference}.")
    return redirect("admin:cases_recoverycase_change", pk)
