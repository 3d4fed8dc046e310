"""`/`: the agent's queue. An htmx poll asks for the rows fragment (and the chips, out of band) again."""

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET

from cases.notices import looks
from cases.selectors import queue
from cases.views.bulk import bulk_context
from recovery.web import agent_required

POLL_SECONDS = 30


@require_GET
@agent_required
def my_queue(request: HttpRequest) -> HttpResponse:
    scope = request.GET.get("show", queue.DEFAULT_SCOPE)
    unknown = scope not in queue.SCOPES
    if unknown:
        scope = queue.DEFAULT_SCOPE
    now = timezone.now()
    counts = queue.chip_counts(user=request.user)
    cases = queue.queue_page(user=request.user, scope=scope, now=now)
    since = _since(request, now)
    new_count = sum(1 for case in cases if since is not None and case.created_at > since)
    context = {
        "nav": "queue",
        "now": now,
        "scope": scope,
        "unknown_scope": unknown,
        "chips": [(name, label, _shown(counts[name])) for name, label in queue.SCOPES.items()],
        "total": _shown(counts[scope]),
        "cases": cases,
        "more": counts[scope] > len(cases),
        "poll_seconds": POLL_SECONDS,
        "since": since,
        "new_count": new_count,
        **bulk_context(request),
    }
    template = "cases/queue.html#refresh" if request.htmx else "cases/queue.html"
    return render(request, template, context, status=400 if unknown else 200)


def _since(request: HttpRequest, now: datetime) -> datetime | None:
    """Cases created after this are marked new. Opening the page looks at the queue (and remembers it);
    its polls keep the moment the page was opened, so what arrived while it stood open stays marked."""
    if not request.htmx:
        return looks.look(user=request.user, now=now)
    asked = parse_datetime(request.GET.get("since", ""))
    if asked is not None and asked.tzinfo is not None:
        return asked
    return looks.last_look(user=request.user)


def _shown(count: int) -> str:
    return f"{count}+" if count >= queue.COUNT_CAP else str(count)
