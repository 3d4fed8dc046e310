"""`/emerging/` (managers): groups of negative feedback emerging now; dismiss one, or make it a root cause."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from cases.emerging import selectors, services
from cases.models import RootCause
from recovery.errors import Conflict, InvalidInput, NotFound
from recovery.web import manager_required


class RootCauseFromGroupForm(forms.Form):
    title = forms.CharField(max_length=200, label=gettext_lazy("Title"))
    category = forms.ChoiceField(choices=RootCause.Category.choices, label=gettext_lazy("Category"))


@require_GET
@manager_required
def emerging_list(request: HttpRequest) -> HttpResponse:
    groups = list(selectors.current())
    forms_by_group = {
        group.pk: RootCauseFromGroupForm(
            initial={"title": services.suggested_title(group)}, prefix=f"g{group.pk}"
        )
        for group in groups
    }
    context = {
        "nav": "emerging",
        "groups": [(group, forms_by_group[group.pk]) for group in groups],
        "dismissed": selectors.dismissed().count(),
        "last_run": selectors.last_run(),
    }
    return render(request, "cases/emerging.html", context)


@require_POST
@manager_required
def dismiss(request: HttpRequest, group_id: int) -> HttpResponse:
    try:
        services.dismiss(group_id=group_id, actor=request.user)
    except NotFound as missing:
        messages.error(request, str(missing))
    else:
        messages.success(request, _("Dismissed: it shows again if it doubles."))
    return redirect("workspace:emerging")


@require_POST
@manager_required
def create_root_cause(request: HttpRequest, group_id: int) -> HttpResponse:
    form = RootCauseFromGroupForm(request.POST, prefix=f"g{group_id}")
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label}: {' '.join(errors)}")
        return redirect("workspace:emerging")
    try:
        root_cause = services.create_root_cause(group_id=group_id, actor=request.user, **form.cleaned_data)
    except (Conflict, NotFound, InvalidInput) as refused:
        messages.error(request, str(refused))
        return redirect("workspace:emerging")
    messages.success(request, _("Root cause “%s” created with the group's cases.") % root_cause.title)
    return redirect("workspace:root_cause", root_cause_id=root_cause.pk)
