"""Tell everyone a root cause hit, once: who would be told (`audience`), the email to each (`notify`),
and the customers who were hit but never complained (`add_hit_customers`).

Invariants:
1. A customer is told about a root cause at most once: `CustomerOutreach`'s unique (root cause,
   customer) is the fact, and `notify` holds the root cause's row lock while it reads who was told and
   writes who is told now, so two presses at once queue each email once.
2. Each email goes through the conversation channel (`cases.conversation.outbound.send`) on the
   customer's newest case linked to the root cause, so it lands on that case's timeline with its
   delivery status, and the outbox sends it after commit (no SMTP inside the lock).
3. A customer who asked not to be contacted, or has no address (or was erased), is never emailed, and
   is counted apart, as the API answers: `{"queued", "skipped": {"already_told", "no_email", "opted_out"}}`.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from cases import events, response_templates, root_causes, services, workflow
from cases.conversation import outbound
from cases.models import CaseEvent, RecoveryCase, ResponseTemplate, RootCause, Severity
from cases.outreach.models import CustomerOutreach
from cases.outreach.rows import Row, RowResult, check_rows
from feedback.models import Customer
from recovery.errors import InvalidInput
from recovery.roles import User, require_permission


@dataclass(frozen=True)
class Recipient:
    customer: Customer
    case_id: int  # the customer's newest case linked to the root cause: its conversation carries the email


@dataclass
class Audience:
    recipients: list[Recipient] = field(default_factory=list)
    already_told: int = 0
    no_email: int = 0
    opted_out: int = 0

    @property
    def skipped(self) -> dict[str, int]:
        return {"already_told": self.already_told, "no_email": self.no_email, "opted_out": self.opted_out}


@dataclass(frozen=True)
class Text:
    """What the manager chose to send: a response template, or their own words (with placeholders)."""

    template: ResponseTemplate | None
    body: str

    def for_case(self, case: RecoveryCase, *, actor: User) -> str:
        return response_templates.fill(
            self.template or ResponseTemplate(body=self.body), case=case, agent=actor
        )


def audience(*, root_cause_id: int) -> Audience:
    """Every distinct customer with a case linked to the root cause: those who would be emailed now,
    and those who would not, counted by why. One query for the customers, one for who was told."""
    told = set(
        CustomerOutreach.objects.filter(root_cause_id=root_cause_id).values_list("customer_id", flat=True)
    )
    # The filter and the annotation share one join through the links, so the newest case is a linked one.
    customers = (
        Customer.objects.filter(cases__root_causes=root_cause_id)
        .annotate(linked_case=Max("cases__id"))
        .order_by("name", "external_id")
    )
    found = Audience()
    for customer in customers:
        if customer.pk in told:
            found.already_told += 1
        elif customer.contact_opt_out:
            found.opted_out += 1
        elif not outbound.reach(customer).ok:
            found.no_email += 1  # no address, or the customer's data was erased
        else:
            found.recipients.append(Recipient(customer, customer.linked_case))
    return found


def text_for(*, template_id: int | None = None, body: str | None = None) -> Text:
    """The chosen template or the manager's words; exactly one, each checked as a template is."""
    body = (body or "").strip()
    if template_id is not None and body:
        raise InvalidInput(_("Choose a response template or write a text, not both."), field="body")
    if template_id is not None:
        template = ResponseTemplate.objects.filter(pk=template_id).first()
        if template is None:
            raise InvalidInput(
                _("No response template has the id %(id)s.") % {"id": template_id}, field="template"
            )
        return Text(template, template.body)
    if not body:
        raise InvalidInput(_("Choose a response template or write the text to send."), field="template")
    response_templates.check_placeholders(body, field="body")
    return Text(None, body)


def preview(*, root_cause_id: int, actor: User, text: Text) -> tuple[Audience, str]:
    """Who would be told, and the email as the first of them would read it ("" when nobody is left)."""
    _require_manager(actor)
    found = audience(root_cause_id=root_cause_id)
    if not found.recipients:
        return found, ""
    case = RecoveryCase.objects.select_related("customer").get(pk=found.recipients[0].case_id)
    return found, text.for_case(case, actor=actor)


def notify(*, root_cause_id: int, actor: User, text: Text) -> Audience:
    """Email every customer the root cause hit who was not told yet and may be contacted; the answer
    says how many were queued (`len(recipients)`) and how many were skipped, by why."""
    _require_manager(actor)
    with transaction.atomic():
        root_cause = RootCause.objects.select_for_update().get(pk=root_cause_id)
        found = audience(root_cause_id=root_cause_id)
        cases = RecoveryCase.objects.select_related("customer").in_bulk([r.case_id for r in found.recipients])
        for recipient in found.recipients:
            _tell(root_cause, cases[recipient.case_id], actor=actor, text=text)
    return found


def _tell(root_cause: RootCause, case: RecoveryCase, *, actor: User, text: Text) -> None:
    message = outbound.send(case, actor=actor, body=text.for_case(case, actor=actor))
    CustomerOutreach.objects.create(
        root_cause=root_cause,
        customer=case.customer,
        case=case,
        message=message,
        template=text.template,
        actor=actor,
    )
    events.record(
        case,
        CaseEvent.Kind.CUSTOMER_NOTIFIED,
        actor=actor,
        message=root_cause.title,
        data={
            "root_cause": root_cause.pk,
            "message": message.pk,
            "template": getattr(text.template, "pk", None),
        },
    )


def add_hit_customers(*, root_cause_id: int, actor: User, rows: list[Row]) -> list[RowResult]:
    """Open a proactive case at stage apologized for each customer the root cause hit who never
    complained, linked to it. Rows are checked one by one (`rows.check_rows`); a refused row is reported
    and the others still go through. Each accepted row is one transaction, through the workflow."""
    _require_manager(actor)
    root_cause = RootCause.objects.get(pk=root_cause_id)
    results = check_rows(rows, root_cause_id=root_cause_id)
    for result in results:
        if result.accepted:
            result.reference = _open_proactive_case(root_cause, result, actor=actor)
    return results


def _open_proactive_case(root_cause: RootCause, result: RowResult, *, actor: User) -> str:
    with transaction.atomic():
        customer = result.customer or Customer.objects.create(
            external_id=result.row.external_id, name=result.row.name, email=result.row.email
        )
        case = services.open_case(
            customer=customer,
            title=_("Hit by: %(title)s") % {"title": root_cause.title},
            severity=Severity.MEDIUM,
            actor=actor,
            owner=actor,
            description=root_cause.description,
            is_repeat=customer.cases.exists(),
        )
        root_causes.link_case(root_cause_id=root_cause.pk, case_id=case.pk, actor=actor)
        services.add_note(
            case=case,
            actor=actor,
            body=_("Opened proactively: the customer was hit by “%(title)s” and did not complain.")
            % {"title": root_cause.title},
        )
        workflow.acknowledge(case_id=case.pk, actor=actor)
        workflow.apologize(
            case_id=case.pk,
            actor=actor,
            note=_("Proactive apology for “%(title)s”, sent with Notify impacted customers.")
            % {"title": root_cause.title},
        )
    return case.reference


def _require_manager(actor: User) -> None:
    require_permission(
        actor, "cases.change_rootcause", message=_("Only managers tell the customers a root cause hit.")
    )
