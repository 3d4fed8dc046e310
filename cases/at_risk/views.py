"""`/customers/at-risk/`: the customers most likely to leave, highest score first, with the reasons."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cases.at_risk import services as at_risk
from recovery.web import manager_required


@require_GET
@manager_required
def at_risk_page(request: HttpRequest) -> HttpResponse:
    rows = list(at_risk.at_risk(viewer=request.user))
    return render(
        request, "cases/at_risk.html", {"rows": rows, "limit": at_risk.AT_RISK_LIMIT, "nav": "at_risk"}
    )
