"""`/notifications/`: a person's notices, newest first; each is marked read with one click.

With htmx the marked notice and the bell in the nav are swapped in place; without JavaScript each
button is a POST and a redirect back to the list.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from cases import notices
from cases.notices import selectors
from recovery.errors import NotFound
from recovery.web import agent_required


@require_GET
@agent_required
def notice_list(request: HttpRequest) -> HttpResponse:
    shown = list(selectors.latest(user=request.user))
    return render(request, "cases/notifications.html", {"notices": shown, "nav": "notifications"})


@require_POST
@agent_required
def mark_read(request: HttpRequest, notice_id: int) -> HttpResponse:
    try:
        notice = notices.mark_read(notice_id=notice_id, user=request.user)
    except NotFound:
        raise Http404("No such notice.") from None
    if request.htmx:
        return render(request, "cases/notifications.html#notice", {"notice": notice, "oob_bell": True})
    return redirect("workspace:notifications")


@require_POST
@agent_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    notices.mark_all_read(user=request.user)
    return redirect("workspace:notifications")
