"""`/cases/<reference>/attachments/<id>/`: a file of the conversation, for those who may see the case.

Always a download (Content-Disposition: attachment) and never sniffed into another type: a customer's
"invoice.html" must not run as a page of Mend's origin.
"""

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from cases.models import Attachment
from cases.selectors import cases as selectors
from recovery.web import agent_required


@require_GET
@agent_required
def attachment_download(request: HttpRequest, reference: str, attachment_id: int) -> FileResponse:
    case_id = selectors.case_id_or_404(reference, user=request.user)
    attachment = Attachment.objects.filter(pk=attachment_id, message__case_id=case_id).first()
    if attachment is None:
        raise Http404("No such attachment on this case.")
    try:
        stored = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is no longer stored.") from None
    response = FileResponse(
        stored, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
