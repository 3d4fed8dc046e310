"""The sign-in page again, refusing an attempt with 429 and Retry-After and saying how long to wait.

It names neither the limit nor whether the username exists, and keeps the username typed.
"""

import math
from datetime import timedelta

from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext

from recovery.addresses import client_address


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer (AXES_LOCKOUT_CALLABLE) once a username has failed too often from this
    address. The lockout ends a cool-off after its last counted failure; attempts during it are not
    counted (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False), so Retry-After only shrinks."""
    cool_off = settings.AXES_COOLOFF_TIME
    last = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials),
        ip_address=client_address(request),
        attempt_time__gte=timezone.now() - cool_off,
    ).aggregate(last=Max("attempt_time"))["last"]
    remaining = (last + cool_off - timezone.now()) if last else cool_off
    return _refused(request, max(remaining, timedelta(seconds=1)).total_seconds(), network=False)


def slowed_down(request, seconds: float):
    """The answer to an attempt from an address that must wait (`spraying`)."""
    return _refused(request, seconds, network=True)


def _refused(request, seconds: float, *, network: bool):
    whole = max(1, math.ceil(seconds))
    if whole < 120:
        wait = ngettext("%(n)d second", "%(n)d seconds", whole) % {"n": whole}
    else:
        minutes = math.ceil(whole / 60)
        wait = ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    source = " from your network" if network else ""
    context = {
        "form": AuthenticationForm(request, initial={"username": request.POST.get("username", "")}),
        "locked_out": f"Too many failed sign-ins{source}. Try again in {wait}.",
        "next": request.POST.get("next", ""),
    }
    response = render(request, "registration/login.html", context, status=429)
    response["Retry-After"] = str(whole)
    return response
