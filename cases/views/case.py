"""`/cases/<reference>/`: the case screen, where an agent reads a case and takes every step on it.

Each action is a GET of its form (a fragment for htmx, the case page with the form open without JS)
and a POST that calls one service. htmx swaps the whole case (header, actions, timeline) with the
answer; without JS a success redirects back to the case. A refused action keeps the form and what
was typed in it: 422 for invalid input, 409 for a stale page or a wrong stage, 403 for a lack of right.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cases import response_templates
from cases.conversation import outbound, thread
from cases.gestures import rates
from cases.gestures import services as gestures
from cases.models import RecoveryCase, RootCause, parse_reference
from cases.presence import views as presence_views
from cases.selectors import case_screen
from cases.selectors import cases as selectors
from cases.teams.scope import require_may_act_on
from cases.views import timeline
from cases.views.case_actions import ACTIONS, Action, offered
from feedback.models import channel_label
from recovery.errors import Conflict, InvalidInput, MendError, NotPermitted, PreconditionFailed, StaleCase
from recovery.roles import is_manager
from recovery.web import agent_required, show_refusal

PAGE = "cases/case.html"
ROOT_CAUSE_CHOICES = 25
NAV_FROM = ("queue", "cases", "root_causes", "dashboard", "approvals")


@dataclass
class OpenForm:
    """An action form as the screen shows it: blank, or sent back with errors and the agent's text."""

    action: Action
    form: object
    error: str = ""
    stale: str = ""
    extras: dict = field(default_factory=dict)
    refused: bool = False  # not theirs to do: the refusal alone, no form


@require_GET
@agent_required
def case_page(request: HttpRequest, reference: str) -> HttpResponse:
    pk = parse_reference(reference)
    if pk is None:
        raise Http404(f"No case {reference}.")
    return _render_page(request, pk)  # a missing case is a 404 there, sparing an existence check


@require_GET
@agent_required
def case_sla(request: HttpRequest, reference: str) -> HttpResponse:
    """The header's SLA box alone: the screen polls it, so its countdown is the server's words."""
    case = selectors.case_or_404(reference, user=request.user)
    box = case_screen.sla_box(case, now=timezone.now())
    return TemplateResponse(request, f"{PAGE}#sla-box", {"case": case, "sla": box})


@require_http_methods(["GET", "POST"])
@agent_required
def case_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404(f"No action {action}.")
    case = selectors.case_or_404(reference, user=request.user)
    if request.method == "POST":
        return _perform(request, case, ACTIONS[action])
    status = 200
    try:
        # The services' own check, asked before drawing a form that could only be refused on submit.
        require_may_act_on(case, request.user)
    except NotPermitted as error:
        opened = OpenForm(ACTIONS[action], None, error=error.message, refused=True)
        status = 403
    else:
        chosen = ACTIONS[action]
        initial = {"version": case.version, **(chosen.initial(case, request.user) if chosen.initial else {})}
        opened = _open_form(request, case, chosen, chosen.form(initial=initial))
    if request.htmx:
        return TemplateResponse(request, f"{PAGE}#action-form", {"case": case, "open": opened}, status=status)
    return _render_page(request, case.pk, opened=opened, status=status)


def _perform(request: HttpRequest, case: RecoveryCase, action: Action) -> HttpResponse:
    form = action.form(request.POST, request.FILES)
    if not form.is_valid():
        return _refused(request, case, action, form, status=422)
    try:
        result = action.run(case, request.user, form.cleaned_data)
    except (StaleCase, PreconditionFailed):
        latest = case_screen.latest_event(case_id=case.pk)
        return _refused(
            request, case, action, form, stale=timeline.changed_by(latest, case.reference), status=409
        )
    except InvalidInput as error:
        show_refusal(form, error, fields=form.service_fields)
        return _refused(request, case, action, form, status=422)
    except ObjectDoesNotExist:
        form.add_error(None, _("That no longer exists; pick another."))
        return _refused(request, case, action, form, status=422)
    except MendError as error:
        status = 403 if isinstance(error, NotPermitted) else 409 if isinstance(error, Conflict) else 422
        return _refused(request, case, action, form, error=error.message, status=status)
    done = action.told(result)
    if action.ends_part and request.POST.get("then") == "next":
        return _next_case(request, case, done)
    if request.htmx:
        return _render_page(request, case.pk, partial=True, done=done)
    messages.success(request, done)
    return redirect("workspace:case", case.reference)


def _next_case(request: HttpRequest, case: RecoveryCase, done: str) -> HttpResponse:
    """ "Confirm and next": on to the top of the agent's queue (a page load, htmx or not)."""
    messages.success(request, f"{case.reference}: {done}")
    following = case_screen.next_in_queue(user=request.user, leaving=case.pk, now=timezone.now())
    if following is None:
        messages.info(request, _("Nothing else waits in your queue."))
        url = reverse("workspace:queue")
    else:
        url = f"{reverse('workspace:case', args=[following.reference])}?from=queue"
    if request.htmx:
        return HttpResponse(headers={"HX-Redirect": url})
    return redirect(url)


def _refused(request, case, action, form, *, status: int, error: str = "", stale: str = "") -> HttpResponse:
    """The case as it is now, with the agent's form still open and their text in it."""
    if stale:
        # Confirming again acts on the case as it is now, which the agent has just been told about.
        data = form.data.copy()
        data["version"] = RecoveryCase.objects.values_list("version", flat=True).get(pk=case.pk)
        form = action.form(data)
        form.is_valid()
    opened = _open_form(request, case, action, form, error=error, stale=stale)
    return _render_page(request, case.pk, opened=opened, partial=bool(request.htmx), status=status)


def _open_form(request, case, action: Action, form, *, error: str = "", stale: str = "") -> OpenForm:
    return OpenForm(action, form, error=error, stale=stale, extras=_extras(request, case, action))


def _extras(request, case, action: Action) -> dict:
    """What a form shows beyond its fields: templates to insert, the gesture limit, root causes to pick."""
    extras: dict = {}
    if action.template_kinds:
        extras["templates"] = [
            response_templates.for_customer(template, case=case, agent=request.user)
            for template in case_screen.response_templates(kinds=action.template_kinds)
        ]
    if action.speaks or action.name == "reply":
        extras["reach"] = outbound.reach(case.customer)
    if action.name == "gesture":
        extras["limit"] = _amount(gestures.agent_limit())
        extras["currency"] = rates.base_currency()
        extras["manager"] = is_manager(request.user)
    if action.name == "root-cause":
        query = request.GET.get("q", "").strip()
        found = RootCause.objects.exclude(cases=case).order_by("-created_at", "-id")
        if query:
            found = found.filter(Q(title__icontains=query) | Q(description__icontains=query))
        extras["query"] = query
        extras["root_causes"] = list(found.only("id", "title", "status", "category")[:ROOT_CAUSE_CHOICES])
    return extras


def _amount(value) -> str:
    # In the agent's locale ("1.234,50" in German): the same number the form's text states.
    return formats.number_format(value, 0 if value == value.to_integral_value() else 2, use_l10n=True)


def _render_page(
    request,
    case_id: int,
    *,
    opened: OpenForm | None = None,
    partial: bool = False,
    done: str = "",
    status: int = 200,
) -> HttpResponse:
    try:
        screen = case_screen.case_screen(case_id=case_id, user=request.user, now=timezone.now())
    except RecoveryCase.DoesNotExist:
        raise Http404("No such case.") from None
    context = {
        "screen": screen,
        "case": screen.case,
        "sla": screen.sla,
        "entries": thread.interleave(
            [timeline.entry(event) for event in reversed(screen.events)],
            thread.entries(screen.case, screen.messages),
        ),
        "actions": offered(screen.case, request.user, screen.allowed),
        "open": opened,
        "done": done,
        "unhappy_at": getattr(screen.case, "customer_unhappy_at", None),
        "channel": channel_label(screen.case.channel),
        # The list the case was opened from (its links say ?from=...), not always "All cases".
        "nav": request.GET.get("from") if request.GET.get("from") in NAV_FROM else "",
        "shortcut_actions": [action for action in ACTIONS.values() if action.key],
        "presence": presence_views.context(screen.case, request.user),
        "presence_poll": settings.MEND_PRESENCE_POLL_SECONDS,
    }
    template = f"{PAGE}#case" if partial else PAGE
    return TemplateResponse(request, template, context, status=status)
