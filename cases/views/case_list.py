"""`/cases/`: every case, through the API's filters (`cases.filters.CaseFilter`) and its keyset pages.

The form is a GET, so a filtered list is a URL to share; the dashboard's drill-downs link here and
promise that the count shown equals their number. The CSV export link carries the same filters.
"""

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from cases import saved_views
from cases.filters import CaseFilter
from cases.selectors import cases as selectors
from cases.views import filter_form
from cases.views.bulk import bulk_context
from cases.views.forms import SaveViewForm
from recovery.api.pagination import KeysetPagination
from recovery.web import agent_required

# The exact count is the page's promise (the dashboard's numbers link here). Most filters count in
# milliseconds, but every case of a million takes 80 ms or more and a broad free-text search seconds:
# the page asks for it once it is shown (`case_count`), so the list never waits for it, and the count
# says when it gives up rather than keeping the agent waiting.
COUNT_BUDGET_MS = 1000


@require_GET
@agent_required
def case_list(request: HttpRequest) -> HttpResponse:
    context, status = list_context(request)
    return render(request, "cases/case_list.html", context, status=status)


@require_GET
@agent_required
def case_count(request: HttpRequest) -> HttpResponse:
    """How many cases match the filters of the query string, as the All cases page shows it."""
    filters = _filters(request, request.GET)
    if not filters.is_valid():  # the page itself names the unreadable filter next to its field
        return render(request, "cases/_case_count.html", {"unreadable": True}, status=400)
    count = selectors.count_within(filters.qs, milliseconds=COUNT_BUDGET_MS)
    context = {"count": count, "count_budget_s": COUNT_BUDGET_MS / 1000}
    return render(request, "cases/_case_count.html", context)


def _filters(request: HttpRequest, params: QueryDict) -> CaseFilter:
    """The API's filters over the cases `request.user` may see: the list and its count read the same."""
    return CaseFilter(params, queryset=selectors.case_queue(user=request.user), request=request)


def list_context(request: HttpRequest, params: QueryDict | None = None) -> tuple[dict, int]:
    """What the All cases page draws for the filters in `params` (the request's query string unless
    given), and the status to answer with. The saved views' form answers with this page too, when a
    name has to be corrected."""
    params = request.GET if params is None else params
    filters = _filters(request, params)
    form = filter_form.dress(filters, request.user)
    query = filter_form.filter_query(params)
    context = {
        "nav": "cases",
        "form": form,
        "fields": filter_form.shown_fields(form),
        "carried": filter_form.carried_fields(form),
        "chips": filter_form.chips(form, params),
        "query": query,
        "now": timezone.now(),
        "cases": [],
        "listed": False,
        **bulk_context(request),
        "bulk_next": f"{reverse('workspace:cases')}?{params.urlencode()}",
        "save_form": SaveViewForm(),
        "my_views": saved_views.views_for(request.user),
    }
    if not filters.is_valid():
        return context, 400
    pages = KeysetPagination()
    try:
        # The API's paginator reads DRF's request: wrapping Django's keeps one cursor format for both.
        context["cases"] = pages.paginate_queryset(filters.qs, Request(request))
    except ValidationError as error:  # a cursor or page size typed by hand
        context["page_errors"] = [
            f"{name}: {' '.join(map(str, errors))}" for name, errors in error.detail.items()
        ]
        return context, 400
    context["listed"] = True
    context["next"], context["previous"] = pages.links()
    return context, 200
