import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from feedback.intake import CustomerInput, FeedbackInput
from feedback.models import Channel, Customer, Feedback, Sentiment


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer
        django_get_or_create = ("external_id",)

    external_id = factory.Sequence(lambda n: f"C-{n + 1000}")
    name = factory.Faker("name")
    email = factory.LazyAttribute(lambda c: f"{c.external_id.lower()}@example.com")
    segment = "standard"


class FeedbackFactory(DjangoModelFactory):
    """Positive by default; negative feedback needs a case (the database insists)."""

    class Meta:
        model = Feedback

    customer = factory.SubFactory(CustomerFactory)
    channel = Channel.WEB
    rating = 5
    comment = factory.Faker("sentence")
    touchpoint = "checkout"
    occurred_at = factory.LazyFunction(timezone.now)
    received_at = factory.LazyFunction(timezone.now)
    sentiment = Sentiment.POSITIVE


def feedback_input(*, external_id: str = "C-1001", customer: dict | None = None, **fields) -> FeedbackInput:
    """A parsed submission, as the API hands it to `intake.submit`; positive unless told otherwise."""
    values = {"channel": Channel.WEB, "rating": 5, "comment": "Quick and friendly.", **fields}
    return FeedbackInput(customer=CustomerInput(external_id=external_id, **(customer or {})), **values)
