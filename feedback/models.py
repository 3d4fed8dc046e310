from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    APP = "app", _("App")
    EMAIL = "email", _("Email")
    SURVEY = "survey", _("Survey")
    PHONE = "phone", _("Phone")
    SOCIAL = "social", _("Social")
    CHAT = "chat", _("Chat")
    API = "api", _("API")


def channel_label(value: str) -> str:
    """A stored channel in words, in the active language; a value no longer offered stays as stored."""
    return str(dict(Channel.choices).get(value, value))


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    NEUTRAL = "neutral", _("Neutral")
    POSITIVE = "positive", _("Positive")


class Customer(models.Model):
    """Someone Mend may have failed. Identified by the id the organisation's own systems use."""

    external_id = models.CharField(max_length=128)
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    segment = models.CharField(max_length=60, blank=True)
    # Asked not to be emailed: no agent's message goes to them (the case is still worked).
    contact_opt_out = models.BooleanField("Does not want to be contacted", default=False, db_default=False)
    # BCP 47 ("es", "pt-BR"); blank: unknown, and Mend writes to them in settings.LANGUAGE_CODE.
    language = models.CharField(max_length=35, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["email"])]
        # A constraint rather than `unique=True`: on PostgreSQL that would add a second index on the
        # column (varchar_pattern_ops, for LIKE), written with every new customer and read by nothing.
        constraints = [models.UniqueConstraint(fields=["external_id"], name="customer_external_id_unique")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """What a page calls the customer: their name, else their email (a widget customer's id is a
        hash of it), else the organisation's id for them."""
        return self.name or self.email or self.external_id


class Feedback(models.Model):
    """One signal from a customer. Never edited after intake; negative feedback always has a case."""

    # No index of its own: (customer, -received_at) below serves every lookup by customer.
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="feedback", db_index=False)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    nps = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    comment = models.TextField(blank=True)
    # The comment's language when it is not English, as triage found it: its tone was then not scored.
    comment_language = models.CharField(max_length=35, blank=True, default="", db_default="")
    touchpoint = models.CharField(max_length=80, blank=True)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(db_index=True)
    metadata = models.JSONField(default=dict, blank=True)
    sentiment = models.CharField(max_length=16, choices=Sentiment.choices)
    case = models.ForeignKey(
        "cases.RecoveryCase", null=True, blank=True, on_delete=models.PROTECT, related_name="feedback"
    )
    # Idempotency: the client that submitted it, the key it sent, and a hash of the body it sent,
    # so a replay with another body can be told apart from a retry.
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # NULL, not "", when absent: the unique constraint must only bind requests that sent a key.
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    request_fingerprint = models.CharField(max_length=64, blank=True)
    # The case exactly as the 201 answer showed it ({id, reference, severity, stage}, or None), so an
    # idempotent replay repeats the original body even after the case has moved on.
    response_case = models.JSONField(null=True, blank=True, editable=False)
    # Contact details the submitting client sent that differ from the customer's and were not applied
    # (the client is not trusted to change them): {"email": ..., "name": ..., "phone": ...}, or None.
    submitted_contact = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="feedback_unique_client_idempotency_key",
            ),
            models.CheckConstraint(
                condition=~Q(sentiment="negative") | Q(case__isnull=False),
                name="feedback_negative_has_case",
            ),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_5"),
            models.CheckConstraint(condition=Q(nps__gte=0, nps__lte=10), name="feedback_nps_0_10"),
        ]
        indexes = [
            models.Index(fields=["customer", "-received_at"]),
            models.Index(fields=["channel", "-received_at"]),
            models.Index(fields=["sentiment", "-received_at"]),
        ]
        verbose_name_plural = "feedback"

    def __str__(self) -> str:
        return (
            f"{self.get_channel_display()} feedback from {self.customer} at {self.received_at:%Y-%m-%d %H:%M}"
        )


class DataSubjectRequest(models.Model):
    """The audit of a customer's data rights exercised: who exported or erased whom, and when."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Export")
        ERASE = "erase", _("Erase")

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="data_requests")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    actor_username = models.CharField(max_length=150)  # kept if the user is deleted later
    via = models.CharField(max_length=16)  # "api" or "command"
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of customer {self.customer_id} by {self.actor_username}"


class WidgetKey(models.Model):
    """What lets the feedback widget (`static/widget/mend-widget.js`) post from a web page.

    The key is public (it sits in the page's HTML); what protects it is the list of origins whose pages
    may use it, checked on every post and by CORS, and the rate limits (`feedback/widget`).
    """

    name = models.CharField(max_length=100)
    key = models.CharField(max_length=64, editable=False)
    # ["https://shop.example.com", ...], each scheme://host[:port] as a browser sends it in `Origin`.
    allowed_origins = models.JSONField(default=list)
    touchpoint_prefix = models.CharField(max_length=30, default="web")
    active = models.BooleanField(default=True)
    # The intake client every post with this key submits as: one shared, untrusted client, so a widget
    # can never change a known customer's contact details (`feedback.intake`).
    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["key"], name="widget_key_unique")]

    def __str__(self) -> str:
        return self.name
