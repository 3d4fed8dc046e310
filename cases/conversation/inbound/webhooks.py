"""The providers' inbound webhooks, through django-anymail's normalised inbound message.

`/inbound/email/<provider>/` for Mailgun, Postmark, SendGrid and Amazon SES. Anymail checks each post:
HTTP basic auth against MEND_INBOUND_WEBHOOK_SECRET (Postmark, SendGrid, Amazon SES; Mailgun too when it
is set), and Mailgun's HMAC signature with MEND_MAILGUN_WEBHOOK_SIGNING_KEY; a post that fails answers 400
and stores nothing. Until its secrets
are set a provider's URL answers 404, so an unconfigured Mend takes no mail from anyone.

The message anymail hands over is turned back into RFC 5322 bytes and goes through the same pipeline
as the MTA pipe and IMAP. A message refused for good answers 200 (the provider must not retry it; the
refusal is logged), one refused for now 429 (the provider retries later).
"""

from anymail.signals import AnymailInboundEvent, inbound
from anymail.webhooks.amazon_ses import AmazonSESInboundWebhookView
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from cases.conversation.inbound.errors import Refused
from cases.conversation.inbound.pipeline import receive
from recovery.two_factor.middleware import two_factor_not_required

PROVIDERS = {
    "mailgun": MailgunInboundWebhookView,
    "postmark": PostmarkInboundWebhookView,
    "sendgrid": SendGridInboundWebhookView,
    "amazon-ses": AmazonSESInboundWebhookView,
}


def configured(provider: str) -> bool:
    """Whether anymail has what it needs to check this provider's posts."""
    if provider == "mailgun":
        return bool(settings.ANYMAIL.get("MAILGUN_WEBHOOK_SIGNING_KEY"))
    return bool(settings.ANYMAIL.get("WEBHOOK_SECRET"))


@csrf_exempt
@login_not_required
@two_factor_not_required
def provider_inbound(request: HttpRequest, provider: str) -> HttpResponse:
    view_class = PROVIDERS.get(provider)
    if view_class is None or not configured(provider):
        raise Http404("No such inbound webhook.")
    try:
        return view_class.as_view()(request)
    except Refused as refused:
        if refused.temporary:
            return HttpResponse(f"refused for now: {refused.reason}", status=429, content_type="text/plain")
        return HttpResponse(f"refused: {refused.reason}", content_type="text/plain")


@receiver(inbound, dispatch_uid="mend.inbound_email")
def take_inbound(sender: type, event: AnymailInboundEvent, esp_name: str, **kwargs: object) -> None:
    # Runs inside the webhook's request; Refused reaches `provider_inbound` above.
    receive(event.message.as_bytes(), door=esp_name.lower().replace(" ", "-"))
