from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


class LanguagesConfig(AppConfig):
    name = "recovery.languages"
    label = "languages"
    verbose_name = "Languages"

    def ready(self):
        from recovery.languages.services import preferences_of, remember_in_session

        def remember(sender, request, user, **kwargs):
            if request is not None and hasattr(request, "session"):
                remember_in_session(request.session, preferences_of(user))

        # Signing in on any browser brings back the agent's language and time zone.
        user_logged_in.connect(remember, dispatch_uid="mend-agent-preferences", weak=False)
