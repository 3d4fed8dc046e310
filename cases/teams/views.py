"""`/teams/`: managers run teams and routing rules in the workspace; every agent sets their own away
status there. The workspace face of `cases.teams.services`."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import FAR_FUTURE, BusinessCalendar
from cases.teams import routing, selectors, services
from cases.teams.models import AgentStatus, Team
from recovery.errors import InvalidInput, NotFound
from recovery.roles import Role, case_workers, is_manager
from recovery.web import agent_required, manager_required, show_refusal


class TeamForm(forms.Form):
    """Nothing required here: the service says what a team needs, next to the field."""

    name = forms.CharField(label=gettext_lazy("Name"), required=False, max_length=services.NAME_LENGTH)
    slug = forms.CharField(
        label=gettext_lazy("Slug"), required=False, max_length=services.SLUG_LENGTH,
        help_text=gettext_lazy("Letters, digits, - and _; the API and the case list's team filter use it."),
    )  # fmt: skip
    members = forms.MultipleChoiceField(
        label=gettext_lazy("Members"), required=False, widget=forms.CheckboxSelectMultiple
    )
    leads = forms.MultipleChoiceField(
        label=gettext_lazy("Lead managers"), required=False, widget=forms.CheckboxSelectMultiple
    )
    assignment = forms.ChoiceField(label=gettext_lazy("Assignment"), choices=Team.Assignment.choices)
    max_open_per_agent = forms.IntegerField(
        label=gettext_lazy("Cap of open cases per agent"), required=False, min_value=1,
        help_text=gettext_lazy("Agents holding this many open cases are skipped. Empty: no cap."),
    )  # fmt: skip
    default = forms.BooleanField(
        label=gettext_lazy("Default team"), required=False,
        help_text=gettext_lazy("New cases that no routing rule matches go here. One team at most."),
    )  # fmt: skip
    calendar = forms.ChoiceField(
        label=gettext_lazy("Business calendar"), required=False,
        help_text=gettext_lazy(
            "The team's cases count SLA time in these working hours instead of the policy's."
        ),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [
            (u.username, u.get_full_name() or u.username) for u in case_workers()
        ]
        self.fields["leads"].choices = [
            (u.username, u.get_full_name() or u.username) for u in _all_managers()
        ]
        self.fields["calendar"].choices = [("", _("None: the SLA policy's own"))] + [
            (str(c.pk), c.name) for c in BusinessCalendar.objects.order_by("name")
        ]

    def values(self) -> dict:
        data = self.cleaned_data
        values = {
            name: data[name] for name in ("name", "slug", "assignment", "max_open_per_agent", "default")
        }
        values["members"], values["leads"] = list(data["members"]), list(data["leads"])
        if not values["leads"] and not self.initial.get("slug"):
            del values["leads"]  # a new team with no lead ticked: its maker leads it (the service's default)
        values["calendar"] = int(data["calendar"]) if data["calendar"] else None
        return values


def _all_managers():
    # Every active manager may lead, with or without an email address (`managers()` is who gets mail).
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name=Role.MANAGER), is_active=True)
        .distinct()
        .order_by("first_name", "username")
    )


class RuleForm(forms.Form):
    team = forms.ChoiceField(label=gettext_lazy("Team"))
    position = forms.IntegerField(
        label=gettext_lazy("Position"),
        required=False,
        min_value=0,
        help_text=gettext_lazy("Lower is tried first. Empty: last."),
    )
    touchpoint = forms.CharField(
        label=gettext_lazy("Touchpoints"), required=False, help_text=gettext_lazy("Comma-separated")
    )
    channel = forms.CharField(
        label=gettext_lazy("Channels"), required=False, help_text=gettext_lazy("web, app, email, ...")
    )
    severity = forms.CharField(
        label=gettext_lazy("Severities"),
        required=False,
        help_text=gettext_lazy("low, medium, high, critical"),
    )
    segment = forms.CharField(label=gettext_lazy("Customer segments"), required=False)
    words = forms.CharField(
        label=gettext_lazy("Words in the comment"),
        required=False,
        help_text=gettext_lazy("Words or phrases, comma-separated"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(t.slug, t.name) for t in Team.objects.order_by("name")]

    def conditions(self) -> dict:
        data = self.cleaned_data
        split = {
            key: [v.strip() for v in data.get(key, "").split(",") if v.strip()]
            for key in routing.CONDITION_KEYS
        }
        return {key: values for key, values in split.items() if values}

    def values(self) -> dict:
        values = {"team": self.cleaned_data["team"], "conditions": self.conditions()}
        if self.cleaned_data.get("position") is not None:
            values["position"] = self.cleaned_data["position"]
        return values


class AwayForm(forms.Form):
    away_until = forms.DateTimeField(
        label=gettext_lazy("Away until"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("Empty: away until you come back."),
    )  # fmt: skip


@require_GET
@agent_required
def team_list(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "teams/list.html", _list_context(request, away_form=AwayForm()))


def _list_context(request: HttpRequest, *, away_form: "AwayForm") -> dict:
    teams = list(services.teams_listed())
    now = timezone.now()
    open_counts = selectors.open_case_counts({member.pk for team in teams for member in team.members.all()})
    status = AgentStatus.objects.filter(user=request.user).first()
    context = {
        "teams": [(team, [_member_row(m, open_counts, now) for m in team.members.all()]) for team in teams],
        "far_future": FAR_FUTURE,
        "my_away_until": status.away_until
        if status and status.away_until and status.away_until > now
        else None,
        "away_form": away_form,
        "nav": "teams",
    }
    if is_manager(request.user):
        context["rules"] = selectors.rules_with_counts()
        context["rule_form"] = RuleForm()
        context["recent_days"] = selectors.RECENT_DAYS
    return context


def _member_row(member, open_counts: dict[int, int], now) -> dict:
    status = getattr(member, "agent_status", None)
    away = status.away_until if status and status.away_until and status.away_until > now else None
    return {"user": member, "away_until": away, "open_cases": open_counts.get(member.pk, 0)}


@require_POST
@agent_required
def set_my_away(request: HttpRequest) -> HttpResponse:
    """Away until a moment (or until I'm back), or back now: the buttons name which. A moment that
    cannot be read re-renders the page with the error next to the field and the text kept."""
    form = AwayForm(request.POST)
    if "back" in request.POST:
        services.set_away(actor=request.user, username=request.user.get_username(), away_until=None)
        messages.success(request, _("Welcome back: new cases reach you again."))
        return redirect("workspace:teams")
    if not form.is_valid():
        return TemplateResponse(
            request, "teams/list.html", _list_context(request, away_form=form), status=422
        )
    until = form.cleaned_data["away_until"] or FAR_FUTURE
    services.set_away(actor=request.user, username=request.user.get_username(), away_until=until)
    messages.success(request, _("You are away: new cases go to your colleagues."))
    return redirect("workspace:teams")


@require_POST
@manager_required
def set_member_away(request: HttpRequest, username: str) -> HttpResponse:
    """A manager marks a member away until they are back (their untouched new cases return to the
    pool), or back."""
    back = "back" in request.POST
    try:
        services.set_away(actor=request.user, username=username, away_until=None if back else FAR_FUTURE)
    except NotFound:
        raise Http404(_("No such agent.")) from None
    text = _("%(name)s is back.") if back else _("%(name)s is away until they are back.")
    messages.success(request, text % {"name": username})
    return redirect("workspace:teams")


@require_http_methods(["GET", "POST"])
@manager_required
def team_new(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None, initial={"leads": [request.user.get_username()]})
    if request.method == "POST" and form.is_valid():
        try:
            team = services.create_team(actor=request.user, values=form.values())
        except InvalidInput as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Team %(name)s made.") % {"name": team.name})
            return redirect("workspace:teams")
    status = 422 if request.method == "POST" else 200
    return TemplateResponse(request, "teams/edit.html", {"form": form, "nav": "teams"}, status=status)


@require_http_methods(["GET", "POST"])
@manager_required
def team_page(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        team = services.team_named(slug)
    except NotFound:
        raise Http404(_("No such team.")) from None
    initial = {
        "name": team.name, "slug": team.slug, "assignment": team.assignment,
        "max_open_per_agent": team.max_open_per_agent, "default": team.is_default,
        "members": [u.username for u in team.members.all()], "leads": [u.username for u in team.leads.all()],
        "calendar": str(team.calendar_id or ""),
    }  # fmt: skip
    form = TeamForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.update_team(actor=request.user, slug=slug, values=form.values())
        except InvalidInput as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Team %(name)s saved.") % {"name": team.name})
            return redirect("workspace:teams")
    status = 422 if request.method == "POST" else 200
    return TemplateResponse(
        request, "teams/edit.html", {"form": form, "team": team, "nav": "teams"}, status=status
    )


@require_POST
@manager_required
def team_delete(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        moved = services.delete_team(actor=request.user, slug=slug)
    except NotFound:
        raise Http404(_("No such team.")) from None
    messages.success(request, _("Team deleted; %(n)d of its cases now belong to no team.") % {"n": moved})
    return redirect("workspace:teams")


@require_POST
@manager_required
def rule_new(request: HttpRequest) -> HttpResponse:
    form = RuleForm(request.POST)
    if form.is_valid():
        try:
            services.create_rule(actor=request.user, values=form.values())
        except InvalidInput as error:
            show_refusal(form, error, fields={"conditions": "words"})
        else:
            messages.success(request, _("Routing rule added."))
            return redirect("workspace:teams")
    context = {"rule_form": form, "nav": "teams", "recent_days": selectors.RECENT_DAYS}
    return TemplateResponse(request, "teams/rule_new.html", context, status=422)


@require_POST
@manager_required
def rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    try:
        services.delete_rule(actor=request.user, rule_id=rule_id)
    except NotFound:
        raise Http404(_("No such rule.")) from None
    messages.success(request, _("Routing rule deleted."))
    return redirect("workspace:teams")


@require_POST
@manager_required
def rule_move(request: HttpRequest, rule_id: int) -> HttpResponse:
    step = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if step is None:
        return HttpResponseBadRequest(_("Move a rule up or down."))
    try:
        services.move_rule(actor=request.user, rule_id=rule_id, step=step)
    except NotFound:
        raise Http404(_("No such rule.")) from None
    messages.success(request, _("Routing rules reordered."))
    return redirect(reverse("workspace:teams") + "#rules")


@require_POST
@manager_required
def rule_preview(request: HttpRequest) -> HttpResponse:
    """The live count under the new-rule form (htmx): how many recent cases these conditions match."""
    form = RuleForm(request.POST)
    form.is_valid()  # the condition fields are all optional text: they always clean
    conditions = form.conditions()
    count = selectors.match_counts([conditions], selectors.recent_facts())[0] if conditions else None
    context = {"count": count, "recent_days": selectors.RECENT_DAYS}
    return TemplateResponse(request, "teams/_rule_preview.html", context)
