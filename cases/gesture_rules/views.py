"""`/gesture-rules/` (managers): the workspace face of `cases.gesture_rules.services`: list, create,
edit (with what the rule would have done over the last 30 days) and delete."""

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.gesture_rules import automatic, services
from cases.gesture_rules.models import GestureRule
from cases.gestures import rates
from cases.models import Gesture, Severity
from feedback.models import Channel
from recovery.errors import InvalidInput, NotFound
from recovery.web import manager_required, show_refusal

LISTS = ("touchpoint", "segment")  # typed, comma-separated; channel and severity are ticked


class GestureRuleForm(forms.Form):
    """Nothing required here: the service says what a rule needs, next to the field."""

    name = forms.CharField(
        label=gettext_lazy("Name"),
        required=False,
        max_length=services.NAME_LENGTH,
        help_text=gettext_lazy("The timeline says the gesture was granted by rule with this name."),
    )
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    touchpoint = forms.CharField(
        label=gettext_lazy("Touchpoints"),
        required=False,
        help_text=gettext_lazy("Separate several with commas."),
    )
    channel = forms.MultipleChoiceField(
        label=gettext_lazy("Channels"),
        required=False,
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    severity = forms.MultipleChoiceField(
        label=gettext_lazy("Severities"),
        required=False,
        choices=Severity.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    segment = forms.CharField(
        label=gettext_lazy("Customer segments"),
        required=False,
        help_text=gettext_lazy("Separate several with commas."),
    )
    metadata = forms.CharField(
        label=gettext_lazy("Metadata tests"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "One a line: key, operator, value, as in delay_minutes > 180. Operators: = != > >= < <= in "
            "contains. For in, separate the values with commas. A value of another type never matches."
        ),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Gesture"), choices=Gesture.Kind.choices)
    amount = forms.CharField(label=gettext_lazy("Amount"), required=False, max_length=20)
    currency = forms.CharField(label=gettext_lazy("Currency"), required=False, max_length=3)
    per_customer_90d = forms.IntegerField(
        label=gettext_lazy("At most per customer in 90 days"),
        required=False,
        min_value=0,
        help_text=gettext_lazy("Beyond this a manager approves. Empty: no cap."),
    )
    monthly_budget = forms.CharField(
        label=gettext_lazy("Monthly budget"),
        required=False,
        max_length=20,
        help_text=gettext_lazy(
            "In the rule's currency, per calendar month; beyond it a manager approves. Empty: none."
        ),
    )

    def clean_metadata(self) -> list[dict[str, Any]]:
        tests = []
        for number, line in enumerate(self.cleaned_data["metadata"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.split(None, 2)
            if len(parts) < 3:
                raise forms.ValidationError(
                    _("Line %(n)s: write a key, an operator and a value, as in delay_minutes > 180.")
                    % {"n": number}
                )
            key, op, text = parts
            value = [_value(item) for item in text.split(",") if item.strip()] if op == "in" else _value(text)
            tests.append({"key": key, "op": op, "value": value})
        return tests


def _value(text: str) -> Any:
    """A number, true/false or a "quoted text" as JSON reads them; anything else is text as typed."""
    try:
        value = json.loads(text.strip())
    except ValueError:
        return text.strip()
    return value if isinstance(value, str | int | float | bool) else text.strip()


def _value_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_value_text(item) for item in value)
    if isinstance(value, str):
        return json.dumps(value) if _value(value) != value or "," in value else value
    return json.dumps(value)


def _values(form: GestureRuleForm) -> dict[str, Any]:
    data = form.cleaned_data
    conditions: dict[str, Any] = {
        key: [v.strip() for v in data[key].split(",") if v.strip()] for key in LISTS
    }
    conditions |= {
        "channel": list(data["channel"]),
        "severity": list(data["severity"]),
        "metadata": data["metadata"],
    }
    return {
        "name": data["name"],
        "active": data["active"],
        "conditions": {key: value for key, value in conditions.items() if value},
        "kind": data["kind"],
        "amount": data["amount"].strip() or None,
        "currency": data["currency"].strip() or "",
        "per_customer_90d": data["per_customer_90d"],
        "monthly_budget": data["monthly_budget"].strip() or None,
    }


def _initial(rule: GestureRule) -> dict[str, Any]:
    conditions = rule.conditions
    return {
        "name": rule.name,
        "active": rule.active,
        **{key: ", ".join(conditions.get(key, [])) for key in LISTS},
        "channel": conditions.get("channel", []),
        "severity": conditions.get("severity", []),
        "metadata": "\n".join(
            f"{t['key']} {t['op']} {_value_text(t['value'])}" for t in conditions.get("metadata", [])
        ),
        "kind": rule.kind,
        "amount": rule.amount,
        "currency": rule.currency,
        "per_customer_90d": rule.per_customer_90d,
        "monthly_budget": rule.monthly_budget if rule.monthly_budget is not None else "",
    }


def describe(conditions: dict[str, Any]) -> str:
    """A rule's conditions in one line, for the list: "touchpoint boarding · delay_minutes > 180"."""
    parts = [
        f"{key} {', '.join(conditions[key])}"
        for key in ("touchpoint", "channel", "severity", "segment")
        if conditions.get(key)
    ]
    parts += [f"{t['key']} {t['op']} {_value_text(t['value'])}" for t in conditions.get("metadata", [])]
    return " · ".join(parts)


def _refused(form: GestureRuleForm, refused: InvalidInput) -> None:
    part = getattr(refused, "part", None)
    show_refusal(form, refused, fields={"conditions": part} if part else None)


@require_GET
@manager_required
def rule_list(request: HttpRequest) -> HttpResponse:
    rules = [
        (rule, describe(rule.conditions), Gesture.Kind(rule.kind).label)
        for rule in services.listed(actor=request.user)
    ]
    return TemplateResponse(request, "gesture_rules/list.html", {"rules": rules, "nav": "gesture_rules"})


@require_http_methods(["GET", "POST"])
@manager_required
def rule_page(request: HttpRequest, rule_id: int | None = None) -> HttpResponse:
    """New or edit. "Preview" shows what the rule as typed would have done over the last 30 days, and
    keeps what was typed; "Save" keeps the rule."""
    rule = _found(request, rule_id) if rule_id is not None else None
    initial = _initial(rule) if rule else {"currency": rates.base_currency()}
    form = GestureRuleForm(request.POST or None, initial=initial)
    preview, status = None, 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                if "preview" in request.POST:
                    preview, status = automatic.preview(actor=request.user, values=_values(form)), 200
                else:
                    return _save(request, rule, form)
            except InvalidInput as refused:
                _refused(form, refused)
    elif rule is not None:
        preview = automatic.preview(actor=request.user, values=_initial_values(rule))
    context = {"form": form, "rule": rule, "preview": preview, "nav": "gesture_rules"}
    return TemplateResponse(request, "gesture_rules/edit.html", context, status=status)


def _save(request: HttpRequest, rule: GestureRule | None, form: GestureRuleForm) -> HttpResponse:
    if rule is None:
        services.create(actor=request.user, values=_values(form))
    else:
        services.update(actor=request.user, rule_id=rule.pk, values=_values(form))
    messages.success(request, _("Gesture rule saved."))
    return redirect("workspace:gesture-rules")


def _initial_values(rule: GestureRule) -> dict[str, Any]:
    """The saved rule as the service reads values (decimals as text, as a form or JSON sends them)."""
    values = {name: getattr(rule, name) for name in services.FIELDS}
    return values | {"amount": str(rule.amount), "monthly_budget": _text(rule.monthly_budget)}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _found(request: HttpRequest, rule_id: int) -> GestureRule:
    try:
        return services.get(actor=request.user, rule_id=rule_id)
    except NotFound:
        raise Http404("No such gesture rule.") from None


@require_POST
@manager_required
def rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    _found(request, rule_id)
    services.delete(actor=request.user, rule_id=rule_id)
    messages.success(request, _("Gesture rule deleted. The gestures it granted stay."))
    return redirect("workspace:gesture-rules")
