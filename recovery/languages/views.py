"""`/account/preferences/`: the agent's language and time zone. Saving remembers both for the agent and
then hands the language to Django's own `set_language`, which sets the cookie and goes back."""

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from recovery.errors import InvalidInput
from recovery.languages import services
from recovery.web import show_refusal


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each language by its own name: whoever cannot read the current one still finds theirs.
        language = self.fields["language"]
        time_zone = self.fields["time_zone"]
        assert isinstance(language, forms.ChoiceField) and isinstance(time_zone, forms.ChoiceField)
        language.choices = [("", _("As my browser asks")), *settings.LANGUAGES]
        time_zone.choices = [
            ("", _("Mend's default (%(zone)s)") % {"zone": settings.TIME_ZONE}),
            *((zone, zone) for zone in services.time_zones()),
        ]


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    current = services.preferences_of(request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            return _save(request, form, time_zone=form.cleaned_data["time_zone"])
    else:
        form = PreferencesForm(
            initial={
                "language": current.language if current else "",
                "time_zone": current.time_zone if current else "",
                "next": request.GET.get("next", ""),
            }
        )
    return TemplateResponse(request, "account/preferences.html", {"form": form})


@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    """The language menu under the agent's name: the language only, the time zone stays."""
    form = PreferencesForm(request.POST)
    if not form.is_valid():
        return redirect("preferences")
    current = services.preferences_of(request.user)
    return _save(request, form, time_zone=current.time_zone if current else "")


def _save(request: HttpRequest, form: PreferencesForm, *, time_zone: str) -> HttpResponse:
    language = form.cleaned_data["language"]
    try:
        saved = services.save_preferences(user=request.user, language=language, time_zone=time_zone)
    except InvalidInput as refusal:
        show_refusal(form, refusal)
        return TemplateResponse(request, "account/preferences.html", {"form": form}, status=422)
    services.remember_in_session(request.session, saved)
    response = set_language(request)
    if not language:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    return response
