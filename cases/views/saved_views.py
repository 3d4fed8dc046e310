"""`POST /cases/views/` saves the filtered All cases under a name; `POST /cases/views/<id>/delete/`
deletes one; `GET /cases/views/menu/` is the nav's Views menu, read when it opens.

A name to correct answers with the All cases page of the same filters, the save form open, the
error next to the name and the typed name still in it (422).
"""

from urllib.parse import urlsplit

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from cases import saved_views
from cases.views.case_list import list_context
from cases.views.forms import SaveViewForm
from recovery.errors import InvalidInput, NotFound, NotPermitted
from recovery.web import agent_required, show_refusal


@require_POST
@agent_required
def save_view(request: HttpRequest) -> HttpResponse:
    form = SaveViewForm(request.POST)
    query = request.POST.get("query", "")
    if form.is_valid():
        try:
            view = saved_views.save_view(
                actor=request.user,
                name=form.cleaned_data["name"],
                query=query,
                shared=form.cleaned_data["shared"],
            )
        except InvalidInput as refused:
            show_refusal(form, refused)
        except NotPermitted as refused:  # an agent's hand-made request: they are offered no such box
            form.add_error(None, refused.message)
        else:
            who = "everyone's" if view.shared else "your"
            messages.success(request, f"Saved “{view.name}”: it is in {who} nav, under Views.")
            return redirect(_list_url(view.query))
    # The list's first page (a view drops the cursor); its pager would link to this POST's address.
    context, _ = list_context(request, QueryDict(query))
    context.update(save_form=form, next=None, previous=None)
    return render(request, "cases/case_list.html", context, status=422)


@require_POST
@agent_required
def delete_view(request: HttpRequest, view_id: int) -> HttpResponse:
    try:
        saved_views.delete_view(actor=request.user, view_id=view_id)
    except NotFound as missing:
        raise Http404(missing.message) from None
    except NotPermitted as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "View deleted.")
    return redirect("workspace:cases")


@require_GET
@agent_required
def views_menu(request: HttpRequest) -> HttpResponse:
    """The menu's list; the view whose filters are on screen (htmx names the page) is marked current."""
    current = _current_query(request.headers.get("HX-Current-URL", ""), request)
    views = [(view, bool(current) and view.query == current) for view in saved_views.views_for(request.user)]
    return render(request, "cases/saved_views_menu.html", {"views": views})


def _current_query(url: str, request: HttpRequest) -> str:
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return ""
    parts = urlsplit(url)
    if parts.path != reverse("workspace:cases"):
        return ""
    return saved_views.filters_or_empty(parts.query)


def _list_url(query: str) -> str:
    return f"{reverse('workspace:cases')}?{query}" if query else reverse("workspace:cases")
