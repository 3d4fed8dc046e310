"""django-cors-headers asks, for the widget endpoint only (`CORS_URLS_REGEX`), whether a request's origin
may read the answer: yes when some active widget key allows it. Which key a post names is checked by the
endpoint itself (`feedback.widget.intake.check_origin`): a preflight carries no custom header."""

from corsheaders.signals import check_request_enabled
from django.dispatch import receiver

from feedback.widget import keys


@receiver(check_request_enabled, dispatch_uid="mend-widget-cors")
def widget_origin_allowed(sender, request, **kwargs) -> bool:
    origin = request.headers.get("origin")
    return bool(origin) and keys.origin_allowed_somewhere(origin)
