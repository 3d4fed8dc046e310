"""`/cases/<reference>/`: the address of a case in every email Mend sends.

A permalink rather than the address of a screen, so that links already in people's inboxes keep
working wherever the case's page lives: today the back office's case form.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from cases import selectors


@require_GET
def case_permalink(request: HttpRequest, reference: str) -> HttpResponse:
    return redirect("admin:cases_recoverycase_change", selectors.case_id_or_404(reference))
