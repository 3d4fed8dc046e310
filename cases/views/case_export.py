"""`/cases/export.csv?…`: the case list exactly as `/cases/` shows it for the same parameters (the same
CaseFilter over the same queryset, in the same order, every page of it), as streamed CSV."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases import exports
from cases.filters import CaseFilter
from cases.models import ExportAudit
from cases.selectors import cases as selectors
from cases.views.dashboard import _csv
from recovery.web import agent_required


@require_GET
@agent_required
def case_export(request: HttpRequest) -> HttpResponse:
    case_filter = CaseFilter(request.GET, queryset=selectors.case_queue(user=request.user), request=request)
    if not case_filter.is_valid():
        errors = {field: [str(e) for e in messages] for field, messages in case_filter.errors.items()}
        return JsonResponse({"detail": "Some filters could not be read.", **errors}, status=400)
    exports.record_export(
        user=request.user, export=ExportAudit.Export.CASES, filters=dict(request.GET.lists())
    )
    name = f"mend-cases-{timezone.localdate():%Y-%m-%d}.csv"
    return _csv(exports.case_export(case_filter.qs), name)
