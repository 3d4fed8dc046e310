import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from cases.metrics.facts import complaint_facts
from cases.models import CaseEvent, Gesture, RecoveryCase, RootCause, Severity, Stage
from cases.sla import clock as sla
from feedback.tests.factories import CustomerFactory


def _complaint(case) -> dict:
    """A case's complaint facts, as `services.link_originating_feedback` writes them."""
    if case.originating_feedback is None:
        return {"touchpoint": "", "opening_rating": None}
    return complaint_facts(case.originating_feedback)


class RecoveryCaseFactory(DjangoModelFactory):
    """Factories may set `stage` directly for setup speed; tests *about* the workflow use `workflow.*`."""

    class Meta:
        model = RecoveryCase

    customer = factory.SubFactory(CustomerFactory)
    title = factory.Faker("sentence", nb_words=6)
    severity = Severity.MEDIUM
    channel = "web"
    sla_started_at = factory.LazyFunction(timezone.now)
    originating_feedback = None
    touchpoint = factory.LazyAttribute(lambda case: _complaint(case)["touchpoint"])
    opening_rating = factory.LazyAttribute(lambda case: _complaint(case)["opening_rating"])

    class Params:
        acknowledged = factory.Trait(
            stage=Stage.ACKNOWLEDGED, acknowledged_at=factory.LazyFunction(timezone.now)
        )
        apologized = factory.Trait(
            stage=Stage.APOLOGIZED,
            acknowledged_at=factory.LazyFunction(timezone.now),
            apologized_at=factory.LazyFunction(timezone.now),
        )
        resolved = factory.Trait(
            stage=Stage.RESOLVED,
            acknowledged_at=factory.LazyFunction(timezone.now),
            apologized_at=factory.LazyFunction(timezone.now),
            resolved_at=factory.LazyFunction(timezone.now),
            resolution_summary="Refunded the delivery fee.",
        )
        followed_up = factory.Trait(
            stage=Stage.FOLLOWED_UP,
            acknowledged_at=factory.LazyFunction(timezone.now),
            apologized_at=factory.LazyFunction(timezone.now),
            resolved_at=factory.LazyFunction(timezone.now),
            followed_up_at=factory.LazyFunction(timezone.now),
        )
        closed = factory.Trait(stage=Stage.CLOSED, closed_at=factory.LazyFunction(timezone.now))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        case = model_class(*args, **kwargs)
        if case.acknowledge_due_at is None:
            sla.start_clock(case, start=case.sla_started_at)
        case.save()
        sla.set_alarm(case)  # as `services.open_case` does
        return case


class CaseEventFactory(DjangoModelFactory):
    class Meta:
        model = CaseEvent

    case = factory.SubFactory(RecoveryCaseFactory)
    kind = CaseEvent.Kind.NOTE
    message = factory.Faker("sentence")


class RootCauseFactory(DjangoModelFactory):
    class Meta:
        model = RootCause

    title = factory.Faker("sentence", nb_words=4)
    category = RootCause.Category.PROCESS
    description = factory.Faker("paragraph")


class GestureFactory(DjangoModelFactory):
    class Meta:
        model = Gesture

    case = factory.SubFactory(RecoveryCaseFactory)
    kind = Gesture.Kind.VOUCHER
    amount = "20.00"
    currency = "EUR"
    status = Gesture.Status.GRANTED
    requested_by = factory.SubFactory("cases.tests.factories.UserFactory")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = "auth.User"
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
