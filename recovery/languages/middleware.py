import zoneinfo

from django.utils import timezone, translation

from recovery.languages.services import SESSION_LANGUAGE, SESSION_TIME_ZONE, supported


class AgentLanguageMiddleware:
    """The signed-in agent's own language and time zone, over what LocaleMiddleware found.

    After LocaleMiddleware (cookie, then Accept-Language) and AuthenticationMiddleware. Reads only the
    session, where sign-in and the preferences page put the agent's stored choices.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        language = supported(session.get(SESSION_LANGUAGE, "")) if session is not None else None
        zone = session.get(SESSION_TIME_ZONE, "") if session is not None else ""
        if language and not request.path_info.startswith("/api/"):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        if zone:
            try:
                timezone.activate(zoneinfo.ZoneInfo(zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)
