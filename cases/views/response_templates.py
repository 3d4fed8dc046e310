"""`/templates/`: the response templates. Every agent reads them; managers write them."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cases import response_templates
from cases.forms import ResponseTemplateForm
from cases.models import ResponseTemplate
from recovery.errors import InvalidInput
from recovery.languages.services import default_language
from recovery.web import agent_required, manager_required, show_refusal


@require_GET
@agent_required
def template_list(request: HttpRequest) -> HttpResponse:
    templates = ResponseTemplate.objects.select_related("updated_by").order_by("kind", "name", "id")
    context = {
        "templates": templates,
        "placeholders": response_templates.PLACEHOLDERS,
        "template_languages": settings.LANGUAGES,
        "default_language": default_language(),
        "nav": "templates",
    }
    return TemplateResponse(request, "cases/templates/list.html", context)


@require_http_methods(["GET", "POST"])
@manager_required
def template_new(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@require_http_methods(["GET", "POST"])
@manager_required
def template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    template = ResponseTemplate.objects.filter(pk=template_id).first()
    if template is None:
        raise Http404("No such template.")
    return _edit(request, template)


def _edit(request: HttpRequest, template: ResponseTemplate | None) -> HttpResponse:
    initial = None
    if template:
        initial = {"kind": template.kind, "name": template.name, "body": template.body}
        initial |= {f"body_{language}": text for language, text in (template.variants or {}).items()}
    form = ResponseTemplateForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _save(request, template, form.service_values())
            except InvalidInput as error:
                show_refusal(form, error)
            else:
                messages.success(request, _("Template saved."))
                return redirect("workspace:templates")
        status = 422
    context = {
        "form": form,
        "template": template,
        "placeholders": response_templates.PLACEHOLDERS,
        "nav": "templates",
    }
    return TemplateResponse(request, "cases/templates/edit.html", context, status=status)


def _save(request, template: ResponseTemplate | None, data: dict) -> ResponseTemplate:
    if template is None:
        return response_templates.create(actor=request.user, **data)
    return response_templates.update(template_id=template.pk, actor=request.user, **data)
