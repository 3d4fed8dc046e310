"""The landing page at `/`: where things are, and the demo logins on a development machine."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cases.devdata.demo import DEMO_LOGINS


@require_GET
def home(request):
    return render(request, "home.html", {"demo_logins": DEMO_LOGINS if settings.DEBUG else ()})
