"""`/account/api-tokens/`: the signed-in person's API tokens, and revoking one (after a confirmation)."""

from typing import cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_http_methods

from recovery.api_tokens import services
from recovery.errors import NotFound
from recovery.roles import User


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # the sign-in middleware lets only signed-in people reach these views


@require_GET
def token_list(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(
        request, "account/api_tokens.html", {"tokens": services.tokens_of(_user(request))}
    )


@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, prefix: str) -> HttpResponse:
    try:
        token = services.find(user=_user(request), prefix=prefix)
        if request.method == "POST":
            services.revoke(user=_user(request), prefix=prefix)
    except NotFound as missing:
        raise Http404(missing.message) from missing
    if request.method == "POST":
        messages.success(
            request, f"Token {token.prefix}… revoked. Clients using it can no longer use the API."
        )
        return redirect("api-tokens")
    return TemplateResponse(request, "account/api_token_revoke.html", {"token": token})
