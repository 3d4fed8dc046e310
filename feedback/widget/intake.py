"""A widget post becomes ordinary intake: `feedback.intake.submit` triages it and keeps it once.

What differs from the REST intake is only who the customer is and what the post may claim:
- no customer `external_id`: the customer is found by email, or created as `widget:<hash of email>`,
  or, without an email, is a new anonymous customer (one shared anonymous customer would join every
  stranger's complaint into one case and flag each as a repeat);
- the post submits as the shared, untrusted widget client, so a known customer's contact details are
  never changed (what differs is kept on the feedback as `submitted_contact`, as for any intake client);
- the channel is always "web", the touchpoint the key's prefix and the page's path.
"""

import hashlib
import uuid
from dataclasses import dataclass, replace

from feedback import intake
from feedback.intake import CustomerInput, FeedbackInput, IntakeResult
from feedback.models import Channel, Customer, WidgetKey
from recovery.errors import InvalidInput, NotPermitted
from recovery.idempotency import check_key

TOUCHPOINT_LENGTH = 80  # Feedback.touchpoint


@dataclass(frozen=True)
class WidgetPost:
    rating: int | None
    comment: str
    email: str
    page: str
    language: str = ""  # the page's <html lang>, normalised BCP 47


def check_origin(key: WidgetKey, origin: str | None) -> None:
    """Refuses a post with a deactivated key, or from a page whose origin the key does not allow."""
    if not key.active:
        raise NotPermitted("This widget key is deactivated.")
    if not origin or origin not in key.allowed_origins:
        raise NotPermitted("This widget key does not allow posts from this page's origin.")


def touchpoint(key: WidgetKey, page: str) -> str:
    """The key's prefix and the page's path, cut to what the column holds."""
    return f"{key.touchpoint_prefix}{page}"[:TOUCHPOINT_LENGTH]


def submit(
    *, key: WidgetKey, origin: str | None, idempotency_key: str | None, post: WidgetPost
) -> IntakeResult:
    check_origin(key, origin)
    if post.rating is None and not post.comment.strip():
        raise InvalidInput("Give a rating or a comment.", field="rating")
    if idempotency_key is not None:
        check_key(idempotency_key)
        # One namespace per key: two sites' widgets may well pick the same key for different posts.
        # Hashed, so the stored key stays within the column whatever length was sent.
        idempotency_key = f"widget:{key.pk}:{hashlib.sha256(idempotency_key.encode()).hexdigest()}"
    payload = FeedbackInput(
        channel=Channel.WEB,
        customer=replace(_customer(post.email, idempotency_key=idempotency_key), language=post.language),
        rating=post.rating,
        comment=post.comment,
        touchpoint=touchpoint(key, post.page),
        metadata={"widget_key": key.pk, "page": post.page},
    )
    return intake.submit(client=key.client, idempotency_key=idempotency_key, payload=payload)


def _customer(email: str, *, idempotency_key: str | None) -> CustomerInput:
    if not email:
        # Derived from the idempotency key when there is one, so a retried post is the same body
        # (and replays) instead of a new anonymous customer.
        suffix = (
            hashlib.sha256(idempotency_key.encode()).hexdigest()[:32] if idempotency_key else uuid.uuid4().hex
        )
        return CustomerInput(external_id=f"widget:anonymous:{suffix}")
    # Exact matches only, as typed and in lower case: both use the email index.
    known = (
        Customer.objects.filter(email__in={email, email.lower()})
        .order_by("pk")
        .values_list("external_id", flat=True)
        .first()
    )
    if known is not None:
        return CustomerInput(external_id=known, email=email)
    digest = hashlib.sha256(email.lower().encode()).hexdigest()[:32]
    return CustomerInput(external_id=f"widget:{digest}", email=email)
