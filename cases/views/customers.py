"""`/customers/<id>/`: one customer's page, everything Mend has had with them, newest first.

Addressed by the internal id, so no personal data sits in a URL (or in a proxy's log).
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases.selectors import customers
from feedback.models import Customer
from recovery.web import agent_required


@require_GET
@agent_required
def customer_page(request: HttpRequest, customer_id: int) -> HttpResponse:
    try:
        history = customers.customer_history(customer_id=customer_id, now=timezone.now())
    except Customer.DoesNotExist:
        raise Http404("No such customer.") from None
    return render(request, "cases/customer.html", {"history": history, "customer": history.customer})
