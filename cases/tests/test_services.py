"""Writes on cases outside the stage workflow."""

import pytest
from django.db import transaction

from cases import services
from cases.models import CaseEvent, RecoveryCase
from feedback.tests.factories import CustomerFactory
from recovery.errors import InvalidInput

pytestmark = pytest.mark.django_db


def test_a_refused_case_leaves_the_callers_transaction_usable():
    customer = CustomerFactory()
    with transaction.atomic():
        with pytest.raises(InvalidInput):
            services.open_case(customer=customer, title="  ", severity="high")
        case = services.open_case(customer=customer, title="Box crushed", severity="high")

    assert list(RecoveryCase.objects.all()) == [case]
    assert list(case.events.values_list("kind", flat=True)) == [CaseEvent.Kind.CREATED]


def test_a_case_opened_in_a_transaction_that_fails_later_leaves_nothing_behind():
    customer = CustomerFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.open_case(customer=customer, title="Box crushed", severity="high")
        raise RuntimeError("the caller's next write failed")

    assert not RecoveryCase.objects.exists()
    assert not CaseEvent.objects.exists()
