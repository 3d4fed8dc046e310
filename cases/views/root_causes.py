"""`/root-causes/` and `/root-causes/<id>/`: why failures happen, with the cases each explains.

Agents and managers list root causes and create them; managers edit one's status, owner, corrective
action and verification. Every write goes through `cases.root_causes`, whose refusals (verifying
without a note, say) are shown next to the field they concern, with what was typed kept.
"""

import django_filters as filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from cases import root_causes
from cases.filters import RootCauseFilter
from cases.models import RootCause
from cases.selectors import cases as selectors
from recovery.errors import InvalidInput
from recovery.roles import case_workers, is_manager
from recovery.text_limit import within_limit
from recovery.web import agent_required, show_refusal

PAGE_SIZE = 50


class RootCauseListFilter(RootCauseFilter):
    """The API's filters, labelled for people."""

    status = filters.ChoiceFilter(
        choices=RootCause.Status.choices, label=_("Status"), empty_label=_("Any status")
    )
    category = filters.ChoiceFilter(
        choices=RootCause.Category.choices, label=_("Category"), empty_label=_("Any category")
    )
    q = filters.CharFilter(method="search", label=_("Search"))


class RootCauseCreateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=RootCause.Category.choices)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[within_limit],
    )


class RootCauseEditForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=RootCause.Status.choices)
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=case_workers(), required=False, empty_label=_("Nobody yet")
    )
    corrective_action = forms.CharField(
        label=_("Corrective action"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[within_limit],
    )
    verification_note = forms.CharField(
        label=_("Verification note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[within_limit],
        help_text=_("How the fix was shown to work. Needed to mark the root cause verified."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].label_from_instance = lambda user: user.get_full_name() or user.get_username()


@require_http_methods(["GET", "POST"])
@agent_required
def root_cause_list(request: HttpRequest) -> HttpResponse:
    form = RootCauseCreateForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            created = root_causes.create(actor=request.user, **form.cleaned_data)
        except InvalidInput as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, f"Root cause “{created.title}” created.")
            return redirect("workspace:root_cause", root_cause_id=created.pk)
    filters = RootCauseListFilter(request.GET, queryset=selectors.root_causes())
    page = Paginator(filters.qs if filters.is_valid() else RootCause.objects.none(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"filters": filters, "page": page, "form": form, "nav": "root_causes"}
    return render(request, "cases/root_causes.html", context, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@agent_required
def root_cause_page(request: HttpRequest, root_cause_id: int) -> HttpResponse:
    root_cause = _root_cause(root_cause_id)
    form = None
    if is_manager(request.user):
        form = RootCauseEditForm(request.POST or None, initial=_editable(root_cause))
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Only managers edit a root cause.")
        if form.is_valid() and _update(request, root_cause, form):
            return redirect("workspace:root_cause", root_cause_id=root_cause.pk)
    context = {
        "root_cause": root_cause,
        "cases": selectors.root_cause_cases(root_cause_id=root_cause.pk, user=request.user),
        "form": form,
        "nav": "root_causes",
    }
    return render(request, "cases/root_cause.html", context, status=422 if form and form.errors else 200)


def _root_cause(root_cause_id: int) -> RootCause:
    try:
        return selectors.root_causes().get(pk=root_cause_id)
    except RootCause.DoesNotExist:
        raise Http404("No such root cause.") from None


def _editable(root_cause: RootCause) -> dict:
    return {name: getattr(root_cause, name) for name in RootCauseEditForm.base_fields}


def _update(request: HttpRequest, root_cause: RootCause, form: RootCauseEditForm) -> bool:
    try:
        root_causes.update(root_cause_id=root_cause.pk, actor=request.user, changes=form.cleaned_data)
    except InvalidInput as refused:
        show_refusal(form, refused)
        return False
    messages.success(request, f"Root cause “{root_cause.title}” saved.")
    return True
