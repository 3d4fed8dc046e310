"""`/widget/demo/`, in DEBUG only: a stand-in shop page carrying the widget, with a key for its own origin."""

from django.conf import settings
from django.http import Http404, HttpRequest
from django.shortcuts import render

from feedback.widget import keys


def demo_page(request: HttpRequest):
    if not settings.DEBUG:  # read per request, so tests can turn the page on
        raise Http404("The widget demo exists only in DEBUG.")
    origin = f"{request.scheme}://{request.get_host()}"
    return render(request, "widget/demo.html", {"widget_key": keys.demo_key(keys.parse_origin(origin))})
