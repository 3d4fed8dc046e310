"""`/notifications/`: a person's notices, newest first; each is marked read with one click.

With htmx the marked notice and the bell in the nav are swapped in place; without JavaScript each
button is a POST and a redirect back to the list.
"""

from urllib.parse import urlsplit

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import notices
from cases.models import Notice
from cases.notices import preferences, selectors
from recovery.errors import NotFound
from recovery.web import agent_required, page_of


@require_GET
@agent_required
def notice_list(request: HttpRequest) -> HttpResponse:
    shown = list(selectors.latest(user=request.user))
    return render(request, "cases/notifications.html", {"notices": shown, "nav": "notifications"})


NAV_COUNTED = ("notifications", "approvals")  # the nav links with counts: current on their own page


@require_GET
@agent_required
def bell(request: HttpRequest) -> HttpResponse:
    """The bell alone, which polls for itself: a notice that arrives while a page stays open (a
    colleague's mention, a case given to the person) shows in the nav within a minute. A manager's
    Approvals count comes along out of band, for the gestures that came to wait meanwhile."""
    page = urlsplit(page_of(request)).path
    nav = next((name for name in NAV_COUNTED if page == reverse(f"workspace:{name}")), "")
    return render(request, "cases/_nav_counts.html", {"nav": nav})


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


@require_http_methods(["GET", "POST"])
@agent_required
def email_settings(request: HttpRequest) -> HttpResponse:
    """`/notifications/settings/`: which notices the person also wants by email, one checkbox per kind."""
    if request.method == "POST":
        ticked = set(request.POST.getlist("email"))
        preferences.set_email_choices(
            user=request.user, choices={kind: kind in ticked for kind in Notice.Kind.values}
        )
        messages.success(request, _("Your email choices are saved."))
        return redirect("workspace:notice-settings")
    choices = preferences.email_choices(user=request.user)
    kinds = [(kind, label, choices[kind]) for kind, label in Notice.Kind.choices]
    return render(request, "cases/notice_settings.html", {"kinds": kinds, "nav": "notice-settings"})
