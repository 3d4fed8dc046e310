"""The agent's words to the customer: one `Message` per email, written with its outbox row.

`reach` says whether a customer may be emailed and, if not, why (the reason the case screen shows and
the API's 409 gives). `send` writes the message and its branded email in the caller's transaction; the
outbox sends it after commit and moves the message from queued to sent or failed. `reply` is the Reply
action; `perform_stage` is a stage action (acknowledge, apologize, resolve) that may also tell the
customer, as one transaction: the stage moves and the email is queued, or neither.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template import engines
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import outbox, response_templates, workflow
from cases.conversation.addresses import new_message_id, reply_address
from cases.models import Attachment, Message, Notification, RecoveryCase, ResponseTemplate
from cases.teams.scope import require_may_act_on
from feedback.models import Customer
from recovery.errors import Conflict, InvalidInput
from recovery.languages.services import customer_language, language_name, speaking
from recovery.roles import User, require_case_worker

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
# The stage actions that speak to the customer, and the payload field that holds their words.
SPOKEN_STAGES = {"acknowledge": "note", "apologize": "note", "resolve": "resolution"}
DEFAULT_ACKNOWLEDGEMENT = gettext_lazy(
    "Dear {customer_name},\n\nThank you for telling us. Your case {reference} is with me now, and I will "
    "come back to you as soon as I can.\n\n{agent_name}"
)


class NotContactable(Conflict):
    """The customer may not be emailed (no address, opted out, erased): HTTP 409."""


@dataclass(frozen=True)
class Reach:
    to: str  # the address a message goes to; "" when there is none
    reason: str = ""  # why the customer may not be emailed; "" when they may
    language: str = ""  # the language Mend writes to them in (their own, else LANGUAGE_CODE)

    @property
    def language_name(self) -> str:
        return language_name(self.language) if self.language else ""

    @property
    def ok(self) -> bool:
        return not self.reason


def reach(customer: Customer) -> Reach:
    language = customer_language(customer)
    if customer.external_id.startswith("erased-"):  # feedback.data_subject.erase's marker
        return Reach("", _("The customer's data was erased."), language)
    if customer.contact_opt_out:
        return Reach(customer.email, _("The customer asked not to be contacted."), language)
    if not customer.email:
        return Reach("", _("The customer has no email address."), language)
    return Reach(customer.email, "", language)


def set_contact_opt_out(*, customer_id: int, actor: User, opted_out: bool) -> Customer:
    """Record that the customer asked not to be emailed (or may be again). Cases are still worked."""
    require_case_worker(actor, doing="change whether a customer may be contacted")
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer_id)
        customer.contact_opt_out = bool(opted_out)
        customer.save(update_fields=["contact_opt_out", "updated_at"])
    return customer


def acknowledgement_text(case: RecoveryCase, agent: User) -> str:
    """The Acknowledge form's starting message: the first acknowledgement template, else Mend's own."""
    template = ResponseTemplate.objects.filter(kind=ResponseTemplate.Kind.ACKNOWLEDGEMENT).first()
    language = customer_language(case.customer)
    if template is None:
        with speaking(case.customer):  # Mend's own words, in the customer's language
            template = ResponseTemplate(body=str(DEFAULT_ACKNOWLEDGEMENT))
    return response_templates.fill(template, case=case, agent=agent, language=language)


def subject_for(case: RecoveryCase) -> str:
    return " ".join(f"Re: [{case.reference}] {case.title}".split())[:255]


def send(
    case: RecoveryCase, *, actor: User | None, body: str, files: list[UploadedFile] | None = None
) -> Message:
    """Queue one message to the case's customer. Call inside the transaction of what causes it."""
    body = (body or "").strip()
    if not body:
        raise InvalidInput("A message needs a text.", field="body")
    files = list(files or [])
    check_files(files)
    customer = case.customer
    where = reach(customer)
    if not where.ok:
        raise NotContactable(where.reason)
    last_inbound = (
        case.messages.filter(direction=Message.Direction.INBOUND).order_by("-created_at", "-id").first()
    )
    in_reply_to = last_inbound.message_id if last_inbound else ""
    references = " ".join(filter(None, [last_inbound.references if last_inbound else "", in_reply_to]))
    message = Message(
        case=case,
        direction=Message.Direction.OUTBOUND,
        status=Message.Status.QUEUED,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        from_address=settings.DEFAULT_FROM_EMAIL,
        to_address=where.to,
        subject=subject_for(case),
        body=body,
        message_id=new_message_id(case),
        in_reply_to=in_reply_to,
        references=references.strip(),
        reply_to=reply_address(case),
        created_at=timezone.now(),
    )
    context = {
        "case": case,
        "customer": customer,
        "body": body,
        "agent_name": _agent_name(actor),
        "org_name": settings.MEND_ORG_NAME,
        "brand_color": settings.MEND_BRAND_COLOR,
    }
    headers = {"Message-ID": message.message_id, "Reply-To": message.reply_to}
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
        headers["References"] = message.references
    with speaking(customer):  # the frame around the agent's words, in the customer's language
        text = engines["text"].get_template("conversation/email.txt").render(context).strip() + "\n"
        html = render_to_string("conversation/email.html", context)
    with transaction.atomic():
        message.notification = Notification.objects.create(
            recipient=where.to,
            subject=message.subject,
            body=text,
            body_html=html,
            headers=headers,
            template="conversation/message",
            case=case,
        )
        message.save(force_insert=True)
        for upload in files:
            Attachment.objects.create(
                message=message,
                file=upload,
                name=(upload.name or "attachment")[:255],
                size=upload.size or 0,
                content_type=(upload.content_type or "application/octet-stream")[:255],
            )
    outbox.send_after_commit([message.notification.pk])
    return message


def check_files(files: list[UploadedFile]) -> None:
    if len(files) > MAX_ATTACHMENTS:
        raise InvalidInput(f"Attach at most {MAX_ATTACHMENTS} files to one message.", field="attachments")
    for upload in files:
        if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
            raise InvalidInput(
                f"{upload.name} is larger than 10 MB; attach files of 10 MB or less.", field="attachments"
            )


def reply(*, case_id: int, actor: User, body: str, files: list[UploadedFile] | None = None) -> Message:
    """The Reply action: a free message at any open stage. The stage does not move."""
    with transaction.atomic():
        case = RecoveryCase.objects.select_for_update().select_related("customer").get(pk=case_id)
        require_case_worker(actor)
        require_may_act_on(case, actor, doing="write to its customer")
        if not case.is_open:
            raise Conflict(f"{case.reference} is closed; reopen it to write to the customer.")
        return send(case, actor=actor, body=body, files=files)


def notify_by_default(case: RecoveryCase) -> bool:
    """The "Email the customer" checkbox's default, and notify_customer's over REST."""
    return reach(case.customer).ok


def perform_stage(
    action: str,
    *,
    case_id: int,
    actor: User,
    notify_customer: bool | None = None,
    message: str | None = "",
    **payload,
) -> tuple[RecoveryCase, Message | None]:
    """A workflow action that may also email the customer its words, in one transaction.

    For acknowledge the words are `message` (its own text; the default acknowledgement when empty),
    for apologize and resolve they are the apology and the resolution. Other actions never speak.
    """
    if action not in SPOKEN_STAGES:
        if notify_customer:
            raise InvalidInput(
                f"{action.replace('_', ' ').capitalize()} sends no message.", field="notify_customer"
            )
        return workflow.perform(action, case_id=case_id, actor=actor, **payload), None
    if notify_customer is None:
        customer = Customer.objects.get(cases__pk=case_id)
        notify_customer = reach(customer).ok
    message = message or ""
    if action == "acknowledge" and not notify_customer and message.strip():
        payload.setdefault("note", message)  # words written but not sent stay on the timeline
    with transaction.atomic():
        case = workflow.perform(action, case_id=case_id, actor=actor, **payload)
        if not notify_customer:
            return case, None
        words = message if action == "acknowledge" else payload.get(SPOKEN_STAGES[action])
        if action == "acknowledge" and not (words or "").strip():
            words = acknowledgement_text(case, actor)
        return case, send(case, actor=actor, body=words or "")


def _agent_name(actor: User | None) -> str:
    if actor is None:
        return settings.MEND_ORG_NAME
    return actor.get_full_name() or actor.get_username()
