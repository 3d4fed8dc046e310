"""Teams, their routing rules and each agent's availability. Imported by `cases.models`."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from feedback.conditions import LIST_KEYS, WORDS


class Team(models.Model):
    """A group of agents that owns a share of the cases, led by one or more managers.

    A case routed to a team is worked by its members only; `calendar`, when set, is the business
    calendar its SLA clocks run on instead of the severity policy's.
    """

    class Assignment(models.TextChoices):
        ROUND_ROBIN = "round_robin", _("Round robin")
        LEAST_OPEN = "least_open", _("Fewest open cases")
        MANUAL = "manual", _("Manual (cases wait in the team's pool)")

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=50, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="teams")
    leads = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="led_teams")
    assignment = models.CharField(max_length=16, choices=Assignment.choices, default=Assignment.ROUND_ROBIN)
    # `least_open` skips an agent who already holds this many open cases; None means no cap.
    max_open_per_agent = models.PositiveIntegerField(null=True, blank=True)
    is_default = models.BooleanField(default=False)  # where a new case goes when no routing rule matches
    calendar = models.ForeignKey(
        "cases.BusinessCalendar", null=True, blank=True, on_delete=models.SET_NULL, related_name="teams"
    )
    # Round robin's cursor: the member who was given the team's last case. Read and written under the
    # team row's lock, so concurrent intakes take turns instead of picking the same agent.
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "cases"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_team"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Sends a new case to `team` when its feedback meets `conditions`; rules are tried by `position`,
    and the first that matches wins. `conditions` maps touchpoint, channel, severity, segment and words
    to lists of accepted values (`feedback.conditions`)."""

    position = models.PositiveIntegerField()
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="routing_rules")
    conditions = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "cases"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"#{self.position} → {self.team}"

    @property
    def condition_list(self) -> list[tuple[str, list[str]]]:
        """(key, values) in the documented order of the keys, for display."""
        order = (*LIST_KEYS, WORDS)
        return [(key, self.conditions[key]) for key in order if key in self.conditions]


class AgentStatus(models.Model):
    """Whether an agent is away: routing skips them while `away_until` lies ahead. Away "until I'm
    back" is stored as `cases.models.FAR_FUTURE`."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="agent_status"
    )
    away_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "cases"
        verbose_name_plural = "agent statuses"

    def __str__(self) -> str:
        return f"{self.user} away until {self.away_until}" if self.away_until else f"{self.user} available"
