"""`/root-causes/<id>/notify/`: Notify impacted customers (preview, then confirm) and add the customers
who were hit but never complained. Managers only; every write is `cases.outreach.services`'."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from cases.models import ResponseTemplate, RootCause
from cases.outreach import rows as outreach_rows
from cases.outreach import services as outreach
from recovery.errors import InvalidInput
from recovery.text_limit import within_limit
from recovery.web import manager_required, show_refusal


class NotifyForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=ResponseTemplate.objects.all(),
        required=False,
        label=_("Response template"),
        empty_label=_("None: I write the text below"),
    )
    body = forms.CharField(
        required=False,
        label=_("Or your own text"),
        widget=forms.Textarea(attrs={"rows": 6}),
        validators=[within_limit],
        help_text=_("May name {customer_name}, {reference} and {agent_name}; each customer gets their own."),
    )


class HitCustomersForm(forms.Form):
    external_ids = forms.CharField(
        required=False,
        label=_("External ids"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, or separated by commas."),
    )
    csv_file = forms.FileField(
        required=False,
        label=_("Or a CSV file"),
        help_text=_(
            "A header row naming external_id, and optionally name and email (a new customer needs one)."
        ),
    )


@require_http_methods(["GET", "POST"])
@manager_required
def notify_page(request: HttpRequest, root_cause_id: int) -> HttpResponse:
    root_cause = RootCause.objects.filter(pk=root_cause_id).first()
    if root_cause is None:
        raise Http404("No such root cause.")
    step = request.POST.get("step", "")
    form = NotifyForm(request.POST if step in ("preview", "confirm") else None)
    hit_form = HitCustomersForm(request.POST if step == "add" else None, request.FILES or None)
    context = {"root_cause": root_cause, "form": form, "hit_form": hit_form, "nav": "root_causes"}
    if form.is_bound and form.is_valid():
        try:
            text = _text(form)
            if step == "confirm":
                told = outreach.notify(root_cause_id=root_cause.pk, actor=request.user, text=text)
                messages.success(request, _told(told))
                return redirect("workspace:notify", root_cause_id=root_cause.pk)
            context["audience"], context["preview"] = outreach.preview(
                root_cause_id=root_cause.pk, actor=request.user, text=text
            )
            context["text"] = text
        except InvalidInput as refused:
            show_refusal(form, refused)
    if hit_form.is_bound and hit_form.is_valid():
        context["results"] = _add(request, root_cause, hit_form)
    context.setdefault("audience", outreach.audience(root_cause_id=root_cause.pk))
    failed = form.errors or hit_form.errors
    return render(request, "cases/notify.html", context, status=422 if failed else 200)


def _text(form: NotifyForm) -> outreach.Text:
    template = form.cleaned_data["template"]
    return outreach.text_for(template_id=template.pk if template else None, body=form.cleaned_data["body"])


def _told(told: outreach.Audience) -> str:
    queued = len(told.recipients)
    text = ngettext("%(n)d email queued.", "%(n)d emails queued.", queued) % {"n": queued}
    skipped = told.skipped
    return (
        text
        + " "
        + _("Skipped: %(already_told)d already told, %(no_email)d without an email, %(opted_out)d opted out.")
        % skipped
    )


def _add(request: HttpRequest, root_cause: RootCause, form: HitCustomersForm) -> list | None:
    upload = form.cleaned_data["csv_file"]
    try:
        if upload:
            rows = outreach_rows.from_csv(upload.read())
        else:
            rows = outreach_rows.from_pasted(form.cleaned_data["external_ids"])
        return outreach.add_hit_customers(root_cause_id=root_cause.pk, actor=request.user, rows=rows)
    except InvalidInput as refused:
        show_refusal(form, refused)
        return None
