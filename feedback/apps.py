from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"

    def ready(self):
        # Connects the CORS signal handler: the widget endpoint answers the origins its keys allow.
        from feedback.widget import cors  # noqa: F401
