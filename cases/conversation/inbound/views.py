"""The raw source of a customer's email, for those who may see the case (`cases.teams.scope`).

Served as a download (`Content-Disposition: attachment`, `nosniff`) with a type no browser renders, so
whatever the customer's message holds never runs in Mend's origin.
"""

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from cases.models import Message
from cases.selectors import cases as selectors
from recovery.web import agent_required


@require_GET
@agent_required
def raw_message(request: HttpRequest, reference: str, message_id: int) -> FileResponse:
    case_id = selectors.case_id_or_404(reference, user=request.user)  # type: ignore[arg-type]  # signed in
    message = (
        Message.objects.filter(
            pk=message_id,
            case_id=case_id,
            direction=Message.Direction.INBOUND,
        )
        .exclude(raw="")
        .first()
    )
    if message is None:
        raise Http404("No such message.")
    response = FileResponse(
        message.raw.open("rb"),
        as_attachment=True,
        filename=f"{message.case.reference}-message-{message.pk}.eml",
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
