"""`GET /api/v1/metrics/`: the dashboard's numbers as JSON, for managers."""

from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.metrics import period as metrics_period
from cases.metrics import snapshots
from cases.metrics.definitions import METRICS
from cases.models import Severity
from feedback.models import Channel
from recovery.api.schema import errors
from recovery.roles import is_manager


class IsManager(BasePermission):
    message = "Only managers read the metrics."

    def has_permission(self, request, view):
        return is_manager(request.user)


def _help(name: str) -> str:
    """A metric's help text for the schema: in English, whatever language the server runs in."""
    with translation.override("en"):
        return str(METRICS[name].help)


def _object(description: str, **properties) -> dict:
    return {"type": "object", "description": description, "properties": properties}


SHARE = {"type": "number", "minimum": 0, "maximum": 1, "nullable": True, "description": "0-1, null if none"}
SECONDS = {"type": "number", "nullable": True, "description": "seconds"}
METRICS_OUT = _object(
    "Every dashboard metric. Definitions: README, section 'Dashboard metrics'.",
    period=_object(
        "The local dates covered (both included), the time zone, the previous period, and when the numbers "
        "were computed (`snapshot`: true when read from the preset period's snapshot, refreshed each 5 min; "
        "open now, the backlog, breached now and pending approvals are counted live even then).",
        computed_at={"type": "string", "format": "date-time"},
        snapshot={"type": "boolean"},
    ),
    feedback=_object(
        _help("feedback_total"),
        total={"type": "integer"},
        negative={"type": "integer"},
        negative_share=SHARE,
        by_channel={"type": "array", "items": {"type": "object"}},
        by_touchpoint={"type": "array", "items": {"type": "object"}},
    ),
    cases=_object("Opened, closed, reopened in the period; open now and the backlog by stage and severity."),
    speed=_object(
        "Median and 90th percentile time to acknowledge and to resolve (s), cases opened in the period.",
        time_to_acknowledge=_object("", measured={"type": "integer"}, median=SECONDS, p90=SECONDS),
        time_to_resolve=_object("", measured={"type": "integer"}, median=SECONDS, p90=SECONDS),
    ),
    sla=_object("Compliance per stage target (due, met, share), breached now, escalations by level."),
    follow_up=_object(
        "Follow-ups due in the period: done, done on time, completion rate.", completion_rate=SHARE
    ),
    recovery=_object(
        "Surveyed, mean satisfaction, recovered share, the paradox indicator, reopened by customers.",
        recovered_share=SHARE,
    ),
    repeat_customers=_object(_help("repeat"), share_of_cases=SHARE),
    first_contact_resolution=SHARE | {"description": _help("first_contact_resolution")},
    first_contact=_object(
        "First-contact resolution's counts: resolved, resolved at first contact, the share, and the "
        "previous period's share.",
        resolved={"type": "integer"},
        first_contact={"type": "integer"},
        share=SHARE,
        previous=_object("", share=SHARE),
    ),
    gestures=_object(
        "Granted gestures by kind and currency (count, value), pending approvals and their age."
    ),
    root_causes=_object("Pareto of cases and customers per root cause (top 10, the rest), no root cause."),
    agents={"type": "array", "items": {"type": "object"}, "description": "Per owner of cases opened."},
    trend=_object("Per 7-day bucket of the period and of the previous one."),
)
PARAMETERS = [
    OpenApiParameter(
        "from", OpenApiTypes.DATE, description="First local date (YYYY-MM-DD); default: 30 days before `to`"
    ),
    OpenApiParameter(
        "to", OpenApiTypes.DATE, description="Last local date, included (YYYY-MM-DD); default: today"
    ),
    OpenApiParameter(
        "days", int, enum=list(metrics_period.PRESETS), description="Last N days, without from/to"
    ),
    OpenApiParameter("channel", str, enum=list(Channel.values), description="The case's channel"),
    OpenApiParameter("touchpoint", str, description="The touchpoint of the feedback that opened the case"),
    OpenApiParameter(
        "severity", str, enum=list(Severity.values), description="low, medium, high or critical"
    ),
    OpenApiParameter(
        "owner", str, pattern=r"^([0-9]{1,18}|none)$", description="A user id, or `none` for unowned cases"
    ),
    OpenApiParameter("team", str, description="A team's slug, or `none` for the cases of no team"),
]


class MetricsView(APIView):
    permission_classes = [IsAuthenticated, IsManager]

    @extend_schema(
        operation_id="metrics",
        summary="Dashboard metrics for a period",
        parameters=PARAMETERS,
        responses={200: OpenApiResponse(METRICS_OUT), **errors(400, 401, 403)},
    )
    def get(self, request):
        period, scope = metrics_period.parse(request.query_params)
        metrics, as_of, from_snapshot = snapshots.metrics_for(period, scope.seen_by(request.user))
        metrics["period"] = metrics["period"] | {"computed_at": as_of.isoformat(), "snapshot": from_snapshot}
        return Response(metrics)
