"""`/cases/new/`: a complaint taken by phone, typed in by an agent.

The agent finds the customer (by external id, email or name; htmx shows matches while they type, a
**Look up** button does the same without JavaScript) or describes a new one, then the complaint. The
case is opened by `services.open_case_by_hand`, the API's service, so the repeat rule is the same.
A refusal is shown next to its field and everything typed stays.
"""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from cases import services
from cases.models import Severity
from cases.selectors import customers
from feedback.models import Channel
from recovery.errors import InvalidInput
from recovery.text_limit import within_limit
from recovery.web import agent_required, show_refusal

NEW_CUSTOMER = "new"
NEW_CUSTOMER_FIELDS = ("external_id", "name", "email", "phone", "segment")


class NewCaseForm(forms.Form):
    q = forms.CharField(
        label=_("Find customer"),
        required=False,
        help_text=_("External id, email or name; matches show as you type."),
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "hx-get": "/cases/new/customers/",
                "hx-trigger": "input changed delay:250ms, search",
                "hx-target": "#customer-matches",
            }
        ),
    )
    customer = forms.CharField(required=False)  # a match's external id, or NEW_CUSTOMER
    new_external_id = forms.CharField(
        label=_("External id"),
        required=False,
        max_length=128,
        help_text=_("The id our own systems know them by."),
    )
    new_name = forms.CharField(label=_("Name"), required=False, max_length=200)
    new_email = forms.EmailField(label=_("Email"), required=False)
    new_phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    new_segment = forms.CharField(label=_("Segment"), required=False, max_length=60)
    title = forms.CharField(label=_("Title"), max_length=200, help_text=_("What went wrong, in a line."))
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The customer's own words."),
        validators=[within_limit],
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)

    def clean_customer(self) -> str:
        chosen = self.cleaned_data["customer"].strip()
        if not chosen:
            raise forms.ValidationError(_("Pick the customer from the matches, or choose a new customer."))
        return chosen

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        who = {"customer_external_id": data["customer"]}
        if data["customer"] == NEW_CUSTOMER:
            who = {"new_customer": {name: data[f"new_{name}"] for name in NEW_CUSTOMER_FIELDS}}
        fields = ("title", "description", "severity", "channel")
        return {**who, **{name: data[name] for name in fields}}


@require_http_methods(["GET", "POST"])
@agent_required
def new_case(request: HttpRequest) -> HttpResponse:
    if request.method == "GET" or "lookup" in request.POST:
        initial = request.POST.dict() if request.method == "POST" else _prefill(request)
        return _page(request, NewCaseForm(initial=initial))
    form = NewCaseForm(request.POST)
    if form.is_valid():
        try:
            case = services.open_case_by_hand(actor=request.user, **form.service_arguments())
        except InvalidInput as refused:
            renamed = {
                "customer": "new_external_id" if form.cleaned_data["customer"] == NEW_CUSTOMER else "customer"
            }
            show_refusal(form, refused, fields=renamed)
        else:
            _say_what_was_opened(request, case)
            return redirect("workspace:case", reference=case.reference)
    return _page(request, form, status=422)


@require_GET
@agent_required
def customer_matches(request: HttpRequest) -> HttpResponse:
    """The htmx half of the lookup: the matches for `q`, as the page draws them."""
    context = {
        "matches": customers.find_customers(request.GET.get("q", ""), user=request.user),
        "searched": True,
    }
    return render(request, "cases/new_case.html#matches", context)


def _prefill(request: HttpRequest) -> dict:
    # `?customer=<external id>`: the customer's page links here with them already picked.
    external_id = request.GET.get("customer", "").strip()
    return {"q": external_id, "customer": external_id} if external_id else {}


def _page(request: HttpRequest, form: NewCaseForm, *, status: int = 200) -> HttpResponse:
    value = form["q"].value() or ""
    chosen = (form["customer"].value() or "").strip()
    matches = customers.find_customers(value, user=request.user)
    if chosen and chosen != NEW_CUSTOMER and all(m.external_id != chosen for m in matches):
        picked = customers.customer_by_external_id(chosen, user=request.user)
        matches = [picked, *matches] if picked else matches
    context = {
        "form": form,
        "matches": matches,
        "chosen": chosen,
        "searched": bool(value.strip()),
        "new_customer": NEW_CUSTOMER,
        "nav": "cases",
    }
    return render(request, "cases/new_case.html", context, status=status)


def _say_what_was_opened(request: HttpRequest, case) -> None:
    beside = customers.other_open_case(customer_id=case.customer_id, besides=case.pk, user=request.user)
    text = f"{case.reference} opened for {case.customer}."
    if case.is_repeat:
        text += " They were failed before: it is marked as a repeat."
    messages.success(request, text)
    if beside is not None:
        link = format_html('<a href="/cases/{0}/">{0}</a>', beside.reference)
        stage = beside.get_stage_display().lower()
        messages.warning(request, format_html("{} also has {} open ({}).", case.customer, link, stage))
