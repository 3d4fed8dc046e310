"""django-cors-headers asks, for the widget endpoint only (`CORS_URLS_REGEX`, checked here too), whether
a request's origin may read the answer: yes when some active widget key allows it. Which key a post
names is checked by the endpoint itself (`feedback.widget.intake.check_origin`): a preflight carries no
custom header."""

import re

from corsheaders.signals import check_request_enabled
from django.conf import settings
from django.dispatch import receiver

from feedback.widget import keys


@receiver(check_request_enabled, dispatch_uid="mend-widget-cors")
def widget_origin_allowed(sender, request, **kwargs) -> bool:
    # The library enables CORS where the URL matches *or* a handler says yes, so the path is checked
    # here too: no other endpoint answers cross-origin because an origin has a widget key.
    if not re.match(settings.CORS_URLS_REGEX, request.path_info):
        return False
    origin = request.headers.get("origin")
    return bool(origin) and keys.origin_allowed_somewhere(origin)
