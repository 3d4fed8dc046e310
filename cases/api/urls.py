from django.urls import path
from rest_framework.routers import SimpleRouter

from cases.api.metrics import MetricsView
from cases.api.views import (
    CaseViewSet,
    ExchangeRateViewSet,
    GestureViewSet,
    RootCauseViewSet,
    SLAPolicyViewSet,
)
from cases.at_risk.api import AtRiskView
from cases.emerging.api import EmergingIssueList
from cases.gesture_rules.api import GestureRuleViewSet
from cases.teams.api import AgentViewSet, RoutingRuleViewSet, TeamViewSet
from cases.webhooks.api import WebhookViewSet

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("gestures", GestureViewSet, basename="gesture")
router.register("root-causes", RootCauseViewSet, basename="root-cause")
router.register("sla-policies", SLAPolicyViewSet, basename="sla-policy")
router.register("exchange-rates", ExchangeRateViewSet, basename="exchange-rate")
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("gesture-rules", GestureRuleViewSet, basename="gesture-rule")
router.register("teams", TeamViewSet, basename="team")
router.register("routing-rules", RoutingRuleViewSet, basename="routing-rule")
router.register("agents", AgentViewSet, basename="agent")

urlpatterns = [
    *router.urls,
    path("metrics/", MetricsView.as_view(), name="metrics"),
    path("customers/at-risk/", AtRiskView.as_view(), name="customers-at-risk"),
    path("emerging-issues/", EmergingIssueList.as_view(), name="emerging-issues"),
]
