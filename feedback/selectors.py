"""Reads of feedback for the API and the screens. Only agents and managers read feedback."""

from django.db.models import QuerySet
from django.http import Http404

from cases.teams.scope import case_scope
from feedback.filters import FeedbackFilter
from feedback.models import Feedback
from recovery.errors import InvalidInput, NotPermitted
from recovery.parsing import whole_number
from recovery.roles import is_agent


def feedback_list(*, user, filters=None) -> QuerySet[Feedback]:
    """Feedback matching `filters` (see FeedbackFilter) that `user` may see, newest first."""
    _require_reader(user)
    filterset = FeedbackFilter(filters or {}, queryset=_with_customer_and_case(user))
    if not filterset.is_valid():
        field, messages = next(iter(filterset.errors.items()))
        raise InvalidInput(messages[0], field=field)
    return filterset.qs.order_by("-received_at", "-id")


def feedback_detail(*, user, feedback_id: int | str) -> Feedback:
    _require_reader(user)
    pk = whole_number(feedback_id)
    if pk is None:
        raise Http404("No such feedback.")
    try:
        return _with_customer_and_case(user).get(pk=pk)
    except Feedback.DoesNotExist:
        raise Http404("No such feedback.") from None


def _with_customer_and_case(user) -> QuerySet[Feedback]:
    """Feedback with no case, or on a case `user` may see: another team's is not found."""
    return Feedback.objects.filter(case_scope(user, through="case")).select_related("customer", "case")


def _require_reader(user) -> None:
    if not is_agent(user):
        raise NotPermitted("Only agents and managers may read feedback.")
