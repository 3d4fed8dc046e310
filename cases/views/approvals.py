"""`/gestures/pending/`: the managers' approval inbox. Each waiting gesture is approved or rejected through
`cases.gestures.services`, which refuses a gesture another manager decided meanwhile.

With htmx the decided row is swapped out and a status line says what happened; without JavaScript the
decision is a POST and a redirect back with a flash message.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from cases.gestures import selectors
from cases.gestures import services as gestures
from cases.models import Gesture
from recovery.errors import Conflict
from recovery.web import manager_required

DECISIONS = {"approve": gestures.approve, "reject": gestures.reject}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[(name, name) for name in DECISIONS])
    note = forms.CharField(required=False, max_length=2000)


@require_GET
@manager_required
def approval_inbox(request: HttpRequest) -> HttpResponse:
    pending = selectors.pending_gestures()
    shown = list(pending[: selectors.INBOX_LIMIT])
    total = len(shown) if len(shown) < selectors.INBOX_LIMIT else pending.count()
    return render(request, "cases/approvals.html", {"gestures": shown, "total": total, "nav": "approvals"})


@require_POST
@manager_required
def decide(request: HttpRequest, gesture_id: int) -> HttpResponse:
    form = DecisionForm(request.POST)
    if not form.is_valid():
        raise BadRequest("Choose Approve or Reject.")
    decision = form.cleaned_data["decision"]
    try:
        gesture = DECISIONS[decision](
            gesture_id=gesture_id, actor=request.user, note=form.cleaned_data["note"]
        )
    except Gesture.DoesNotExist:
        raise Http404("No such gesture.") from None
    except Conflict as refused:
        return _answer(request, refused.message, level=messages.ERROR)
    verdict = "approved" if decision == "approve" else "rejected"
    return _answer(request, f"{gesture.case.reference}: {gesture} {verdict}.", level=messages.SUCCESS)


def _answer(request: HttpRequest, text: str, *, level: int) -> HttpResponse:
    """htmx: an empty row (the decided gesture leaves the inbox) and the status line, out of band."""
    if request.htmx:
        context = {"text": text, "is_error": level == messages.ERROR}
        return render(request, "cases/approvals.html#decided", context)
    messages.add_message(request, level, text)
    return redirect("workspace:approvals")
