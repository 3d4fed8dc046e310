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
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from cases import root_causes
from cases.filters import RootCauseFilter
from cases.models import RootCause
from cases.root_causes import rules as root_cause_rules
from cases.root_causes import selectors as fixes
from cases.selectors import cases as selectors
from recovery.errors import InvalidInput, NotFound
from recovery.roles import case_workers, is_manager
from recovery.text_limit import within_limit
from recovery.web import agent_required, manager_required, show_refusal

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


class RuleForm(forms.Form):
    touchpoint = forms.CharField(max_length=80, label=gettext_lazy("Touchpoint"))
    phrases = forms.CharField(
        max_length=1000,
        label=gettext_lazy("Words or phrases"),
        help_text=gettext_lazy("Separated by commas; any one of them, as whole words, matches."),
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
    watch_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=365,
        label=gettext_lazy("Watch window (days)"),
        help_text=gettext_lazy("How long after it is fixed new cases count as recurrences."),
    )
    recurrence_threshold = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=365,
        label=gettext_lazy("Recurrences that reopen it"),
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
    return _page(request, root_cause, form=form)


def _page(
    request: HttpRequest,
    root_cause: RootCause,
    *,
    form: RootCauseEditForm | None = None,
    rule_form: RuleForm | None = None,
) -> HttpResponse:
    manager = is_manager(request.user)
    if manager and form is None:
        form = RootCauseEditForm(initial=_editable(root_cause))
    context = {
        "root_cause": root_cause,
        "cases": selectors.root_cause_cases(root_cause_id=root_cause.pk, user=request.user),
        "form": form,
        "rule_form": rule_form or (RuleForm() if manager else None),
        "rules": fixes.rules(root_cause_id=root_cause.pk),
        "recurrences": fixes.recurrences(root_cause),
        "history": fixes.history(root_cause_id=root_cause.pk)[:50],
        "nav": "root_causes",
    }
    failed = (form is not None and form.errors) or (rule_form is not None and rule_form.errors)
    return render(request, "cases/root_cause.html", context, status=422 if failed else 200)


@require_POST
@manager_required
def add_rule(request: HttpRequest, root_cause_id: int) -> HttpResponse:
    root_cause = _root_cause(root_cause_id)
    rule_form = RuleForm(request.POST)
    if rule_form.is_valid():
        try:
            root_cause_rules.add(root_cause_id=root_cause.pk, actor=request.user, **rule_form.cleaned_data)
        except InvalidInput as refused:
            show_refusal(rule_form, refused)
        else:
            messages.success(request, _("Matching rule added."))
            return redirect("workspace:root_cause", root_cause_id=root_cause.pk)
    return _page(request, root_cause, rule_form=rule_form)


@require_POST
@manager_required
def remove_rule(request: HttpRequest, root_cause_id: int, rule_id: int) -> HttpResponse:
    try:
        root_cause_rules.remove(root_cause_id=root_cause_id, rule_id=rule_id, actor=request.user)
    except NotFound as missing:
        raise Http404(missing.message) from None
    messages.success(request, _("Matching rule removed."))
    return redirect("workspace:root_cause", root_cause_id=root_cause_id)


def _root_cause(root_cause_id: int) -> RootCause:
    try:
        return selectors.root_causes().get(pk=root_cause_id)
    except RootCause.DoesNotExist:
        raise Http404("No such root cause.") from None


def _editable(root_cause: RootCause) -> dict:
    return {name: getattr(root_cause, name) for name in RootCauseEditForm.base_fields}


def _update(request: HttpRequest, root_cause: RootCause, form: RootCauseEditForm) -> bool:
    try:
        # A blank watch setting keeps the one the root cause has.
        changes = {
            name: value for name, value in form.cleaned_data.items() if value is not None or name == "owner"
        }
        root_causes.update(root_cause_id=root_cause.pk, actor=request.user, changes=changes)
    except InvalidInput as refused:
        show_refusal(form, refused)
        return False
    messages.success(request, f"Root cause “{root_cause.title}” saved.")
    return True
