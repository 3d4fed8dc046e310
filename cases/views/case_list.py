"""`/cases/`: every case, through the API's filters (`cases.filters.CaseFilter`) and its keyset pages.

The form is a GET, so a filtered list is a URL to share; the dashboard's drill-downs link here and
promise that the count shown equals their number.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from cases import selectors
from cases.filters import CaseFilter
from cases.views.filter_form import dress
from recovery.api.pagination import KeysetPagination
from recovery.web import agent_required

# The exact count is the page's promise (the dashboard's numbers link here). Most filters count in
# milliseconds at a million cases; a broad free-text search can take seconds, and the page then says
# so rather than keeping the agent waiting.
COUNT_BUDGET_MS = 1000


@require_GET
@agent_required
def case_list(request: HttpRequest) -> HttpResponse:
    filters = CaseFilter(request.GET, queryset=selectors.case_queue(), request=request)
    form = dress(filters)
    context = {"nav": "cases", "form": form, "now": timezone.now(), "cases": [], "count": None}
    if not filters.is_valid():
        return render(request, "cases/case_list.html", context, status=400)
    pages = KeysetPagination()
    try:
        # The API's paginator reads DRF's request: wrapping Django's keeps one cursor format for both.
        context["cases"] = pages.paginate_queryset(filters.qs, Request(request))
    except ValidationError as error:  # a cursor or page size typed by hand
        context["page_errors"] = [
            f"{name}: {' '.join(map(str, errors))}" for name, errors in error.detail.items()
        ]
        return render(request, "cases/case_list.html", context, status=400)
    context["count"] = selectors.count_within(filters.qs, milliseconds=COUNT_BUDGET_MS)
    context["count_budget_s"] = COUNT_BUDGET_MS / 1000
    context["next"], context["previous"] = pages.links()
    return render(request, "cases/case_list.html", context)
