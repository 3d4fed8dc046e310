from django.http import HttpRequest

from recovery.addresses import client_address
from recovery.sign_in import spraying
from recovery.sign_in.responses import slowed_down


class SprayingSlowdownMiddleware:
    """Refuses a sign-in attempt (a POST to any view named "login": /login/, /admin/login/) from an
    address that must still wait (`spraying`), before the view checks any password."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.method != "POST" or match is None or match.url_name != "login":
            return None
        address = client_address(request)
        wait = spraying.seconds_to_wait(address) if address is not None else 0.0
        return slowed_down(request, wait) if wait > 0 else None
