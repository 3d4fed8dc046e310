"""The customer's survey page, `/r/<token>/`: no login; the signed token is the customer's key."""

from contextlib import nullcontext

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cases.follow_ups import survey
from recovery.errors import InvalidInput, SurveyUnavailable
from recovery.languages.services import speaking
from recovery.parsing import whole_number

# A link that was never valid is a bad request; one that was valid and no longer is, is gone.
_UNAVAILABLE_STATUS = {"invalid": 400, "expired": 410, "answered": 410, "withdrawn": 410}


@login_not_required  # customers never sign in
@never_cache
@require_http_methods(["GET", "POST"])
def survey_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        follow_up = survey.open_survey(token)
    except SurveyUnavailable as unavailable:
        return _unavailable(request, unavailable, token)
    # The customer's language when Mend has it, else the organisation's: never the browser's guess.
    with speaking(follow_up.case.customer):
        return _answer(request, token)


def _answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            feedback = survey.answer(
                token=token, rating=request.POST.get("rating"), comment=request.POST.get("comment", "")
            )
            reopened = feedback.rating is not None and feedback.rating <= survey.REOPEN_AT_OR_BELOW
            return render(request, "survey/thanks.html", {"reopened": reopened})
    except SurveyUnavailable as unavailable:
        return _unavailable(request, unavailable, token)
    except InvalidInput as invalid:
        return _form(request, error=invalid.message, status=400)
    return _form(request)


def _unavailable(request: HttpRequest, unavailable: SurveyUnavailable, token: str) -> HttpResponse:
    status = _UNAVAILABLE_STATUS[unavailable.reason]
    customer = survey.customer_for(token)
    with speaking(customer) if customer is not None else nullcontext():
        return render(request, "survey/unavailable.html", {"message": unavailable.message}, status=status)


def _form(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    context = {
        "scores": range(1, 6),
        "rating": _int_or_none(request.POST.get("rating")),
        "comment": request.POST.get("comment", ""),
        "error": error,
        "max_comment": survey.MAX_COMMENT_LENGTH,
    }
    return render(request, "survey/form.html", context, status=status)


def _int_or_none(value: str | None) -> int | None:
    return whole_number(value)
