"""`/webhooks/` (managers): the workspace face of `cases.webhooks.services`: list, create, edit, delete,
the delivery log and resending one delivery."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.webhooks import outbox, services
from cases.webhooks.models import WebhookSubscription
from recovery.errors import InvalidInput, NotFound
from recovery.web import manager_required, show_refusal


class WebhookForm(forms.Form):
    """Nothing required here: the service says what a webhook needs, next to the field."""

    url = forms.CharField(
        label=_("URL"),
        required=False,
        max_length=2000,
        help_text=_("Where Mend POSTs events: http:// or https://"),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        required=False,
        choices=[(name, name) for name in outbox.TYPES],
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=200)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


def _values(form: WebhookForm) -> dict:
    data = form.cleaned_data
    return {
        "url": data["url"],
        "events": list(data["events"]),
        "description": data["description"],
        "active": data["active"],
    }


def _found(request: HttpRequest, subscription_id: int) -> WebhookSubscription:
    try:
        return services.get(actor=request.user, subscription_id=subscription_id)
    except NotFound:
        raise Http404("No such webhook.") from None


@require_GET
@manager_required
def webhook_list(request: HttpRequest) -> HttpResponse:
    context = {"webhooks": services.listed(actor=request.user), "nav": "webhooks"}
    return TemplateResponse(request, "webhooks/list.html", context)


@require_http_methods(["GET", "POST"])
@manager_required
def webhook_new(request: HttpRequest) -> HttpResponse:
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscription = services.create(actor=request.user, values=_values(form))
        except InvalidInput as error:
            show_refusal(form, error)
        else:
            # The secret is shown this once, on this answer; it is never shown again.
            context = {"webhook": subscription, "nav": "webhooks"}
            return TemplateResponse(request, "webhooks/created.html", context, status=201)
    status = 422 if request.method == "POST" else 200
    return TemplateResponse(request, "webhooks/edit.html", {"form": form, "nav": "webhooks"}, status=status)


@require_http_methods(["GET", "POST"])
@manager_required
def webhook_page(request: HttpRequest, webhook_id: int) -> HttpResponse:
    """Edit form and delivery log in one page."""
    subscription = _found(request, webhook_id)
    initial = {name: getattr(subscription, name) for name in services.FIELDS}
    form = WebhookForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update(actor=request.user, subscription_id=webhook_id, values=_values(form))
            except InvalidInput as error:
                show_refusal(form, error)
            else:
                messages.success(request, "Webhook saved.")
                return redirect("workspace:webhook", webhook_id=webhook_id)
        status = 422
    deliveries = services.deliveries(actor=request.user, subscription_id=webhook_id)
    context = {"form": form, "webhook": subscription, "deliveries": deliveries, "nav": "webhooks"}
    return TemplateResponse(request, "webhooks/edit.html", context, status=status)


@require_POST
@manager_required
def webhook_delete(request: HttpRequest, webhook_id: int) -> HttpResponse:
    _found(request, webhook_id)
    services.delete(actor=request.user, subscription_id=webhook_id)
    messages.success(request, "Webhook deleted.")
    return redirect("workspace:webhooks")


@require_POST
@manager_required
def delivery_resend(request: HttpRequest, webhook_id: int, delivery_id: int) -> HttpResponse:
    try:
        services.resend(actor=request.user, subscription_id=webhook_id, delivery_id=delivery_id)
    except NotFound:
        raise Http404("No such delivery.") from None
    messages.success(request, "The delivery is queued to be sent again.")
    return redirect("workspace:webhook", webhook_id=webhook_id)
