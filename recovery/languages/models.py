from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AgentPreferences(models.Model):
    """What one person chose for their own workspace: its language and their time zone.

    Blank means "not chosen": the language then comes from the session cookie or the browser's
    Accept-Language, the time zone from settings.TIME_ZONE. `recovery.languages.middleware` applies both.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences", primary_key=True
    )
    language = models.CharField(_("language"), max_length=35, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("agent preferences")
        verbose_name_plural = _("agent preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language or '-'} {self.time_zone or '-'}"
