"""`POST /cases/bulk/`: the queue's and All cases' bulk bar: assign to, acknowledge or put on hold the
cases ticked in the list. Each case goes through its own service call (`cases.bulk_actions`).

The answer is the list the agent came from (`next`), with the result in its messages: how many were
done, then each refused case with the reason. A request that cannot be carried out at all (no case
ticked, no reason for a hold) stores nothing and answers with the bar, the error next to its field
and the typed text still there (422, swapped in by htmx; the list's ticks stay, being outside the bar).
"""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from cases import bulk_actions
from recovery.errors import InvalidInput
from recovery.roles import case_workers, is_manager
from recovery.web import agent_required, show_refusal


class BulkForm(forms.Form):
    action = forms.ChoiceField(choices=[(name, name) for name in bulk_actions.ACTIONS])
    case = forms.CharField(required=False)  # the ticked references, read with getlist
    owner = forms.ModelChoiceField(
        label=_("Assignee"), required=False, queryset=None, empty_label=_("Choose…")
    )
    # Not required here: the workflow says what a hold needs, in its own words.
    reason = forms.CharField(label=_("Reason for the hold"), required=False, max_length=500)

    def __init__(self, *args, user, **kwargs):
        # Its own ids: All cases draws the filter form, whose `id_owner` is another field, beside it.
        super().__init__(*args, auto_id="bulk-%s", **kwargs)
        owner = self.fields["owner"]
        owner.queryset = assignees(user)
        owner.label_from_instance = lambda person: (
            "Me" if person.pk == user.pk else person.get_full_name() or person.get_username()
        )
        if not is_manager(user):  # the one choice is known: drawing it costs no query on every list
            owner.widget.choices = [("", owner.empty_label), (user.pk, "Me")]


def assignees(user):
    """Whom the bar offers: managers give cases to anyone; an agent may only take free cases, so the
    list holds only them (the assignment service still decides, case by case)."""
    workers = case_workers()
    return workers if is_manager(user) else workers.filter(pk=user.pk)


def bulk_context(request: HttpRequest, form: BulkForm | None = None) -> dict:
    """What the bar needs on the page that draws it."""
    return {"bulk": form or BulkForm(user=request.user), "bulk_next": request.get_full_path()}


@require_POST
@agent_required
def bulk_action(request: HttpRequest) -> HttpResponse:
    back = _next(request)
    form = BulkForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            result = bulk_actions.run(
                action=form.cleaned_data["action"],
                references=request.POST.getlist("case"),
                actor=request.user,
                owner=form.cleaned_data["owner"],
                reason=form.cleaned_data["reason"],
            )
        except InvalidInput as refused:
            show_refusal(form, refused)
        else:
            _tell(request, result)
            if request.htmx:
                response = HttpResponse(status=204)
                response["HX-Redirect"] = back
                return response
            return redirect(back)
    if request.htmx:
        context = {"bulk": form, "bulk_next": back}
        return render(request, "cases/bulk_bar.html", context, status=422)
    for error in [*form.non_field_errors(), *(e for name in form.fields for e in form[name].errors)]:
        messages.error(request, error)
    return redirect(back)


def _tell(request: HttpRequest, result: bulk_actions.BulkResult) -> None:
    level = messages.WARNING if result.refused else messages.SUCCESS
    messages.add_message(request, level, result.summary)
    for refusal in result.refused:
        messages.error(request, refusal.reason)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return reverse("workspace:queue")
