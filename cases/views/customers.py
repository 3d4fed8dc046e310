"""`/customers/<id>/`: one customer's page, everything Mend has had with them, newest first.

Addressed by the internal id, so no personal data sits in a URL (or in a proxy's log).
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cases.conversation import outbound
from cases.selectors import customers
from feedback.models import Customer
from recovery.web import agent_required


@require_GET
@agent_required
def customer_page(request: HttpRequest, customer_id: int) -> HttpResponse:
    try:
        history = customers.customer_history(customer_id=customer_id, user=request.user, now=timezone.now())
    except Customer.DoesNotExist:
        raise Http404("No such customer.") from None
    return render(request, "cases/customer.html", {"history": history, "customer": history.customer})


@require_POST
@agent_required
def contact_preference(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The customer's "do not contact me": agents' messages stop (or may start again)."""
    opted_out = request.POST.get("contact_opt_out") == "1"
    try:
        outbound.set_contact_opt_out(customer_id=customer_id, actor=request.user, opted_out=opted_out)
    except Customer.DoesNotExist:
        raise Http404("No such customer.") from None
    messages.success(
        request,
        "They will not be emailed by agents." if opted_out else "Agents may email them again.",
    )
    return redirect("workspace:customer", customer_id)
