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
from django_htmx.http import reswap

from cases.gestures import selectors
from cases.gestures import services as gestures
from cases.models import Gesture
from recovery.errors import Conflict
from recovery.web import manager_required

DECISIONS = ("approve", "reject")


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[(name, name) for name in DECISIONS])
    note = forms.CharField(required=False, max_length=2000)
    # Sent by the second step of approving a gesture on a closed case (the service asks for it).
    confirm_closed = forms.BooleanField(required=False)


@require_GET
@manager_required
def approval_inbox(request: HttpRequest) -> HttpResponse:
    return _inbox(request)


def _inbox(request: HttpRequest, *, status: int = 200, **asking) -> HttpResponse:
    pending = selectors.pending_gestures(user=request.user)
    shown = list(pending[: selectors.INBOX_LIMIT])
    total = len(shown) if len(shown) < selectors.INBOX_LIMIT else pending.count()
    context = {"gestures": shown, "total": total, "nav": "approvals", **asking}
    return render(request, "cases/approvals.html", context, status=status)


@require_POST
@manager_required
def decide(request: HttpRequest, gesture_id: int) -> HttpResponse:
    form = DecisionForm(request.POST)
    if not form.is_valid():
        raise BadRequest("Choose Approve or Reject.")
    decision, note = form.cleaned_data["decision"], form.cleaned_data["note"]
    try:
        if decision == "approve":
            gesture = gestures.approve(
                gesture_id=gesture_id,
                actor=request.user,
                note=note,
                closed_case_confirmed=form.cleaned_data["confirm_closed"],
            )
        else:
            gesture = gestures.reject(gesture_id=gesture_id, actor=request.user, note=note)
    except Gesture.DoesNotExist:
        raise Http404("No such gesture.") from None
    except gestures.ClosedCaseNeedsConfirmation as asking:
        return _ask_to_confirm(request, gesture_id, text=asking.message, note=note)
    except Conflict as refused:
        return _answer(request, refused.message, level=messages.ERROR)
    verdict = "approved" if decision == "approve" else "rejected"
    return _answer(request, f"{gesture.case.reference}: {gesture} {verdict}.", level=messages.SUCCESS)


def _ask_to_confirm(request: HttpRequest, gesture_id: int, *, text: str, note: str) -> HttpResponse:
    """The second step on a closed case: the row again, saying so, with the manager's note kept."""
    asking = {"confirming": gesture_id, "confirm_text": text, "note": note}
    if request.htmx:
        gesture = selectors.pending_gestures(user=request.user).get(pk=gesture_id)
        response = render(request, "cases/approvals.html#row", {"gesture": gesture, **asking})
        return reswap(response, "outerHTML")  # the row stays, asking, instead of leaving the inbox
    return _inbox(request, status=409, **asking)


def _answer(request: HttpRequest, text: str, *, level: int) -> HttpResponse:
    """htmx: an empty row (the decided gesture leaves the inbox), and out of band the status line and
    the nav's Approvals count, so the badge says how many still wait."""
    if request.htmx:
        context = {"text": text, "is_error": level == messages.ERROR}
        return render(request, "cases/approvals.html#decided", context)
    messages.add_message(request, level, text)
    return redirect("workspace:approvals")
