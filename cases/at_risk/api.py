"""`GET /api/v1/customers/at-risk/`: the customers most likely to leave, highest first (managers)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.at_risk import services as at_risk
from recovery.api.schema import errors
from recovery.roles import is_manager


class IsManager(BasePermission):
    message = _("Only managers read who is at risk.")

    def has_permission(self, request, view):
        return is_manager(request.user)


class AtRiskOut(serializers.Serializer):
    external_id = serializers.CharField(source="customer.external_id")
    name = serializers.CharField(source="customer.name")
    score = serializers.IntegerField(min_value=0, max_value=100, help_text=_("0-100; docs/at-risk.md"))
    reasons = serializers.ListField(
        child=serializers.CharField(), source="reasons_in_words", help_text=_("Each part of the score")
    )


class AtRiskView(APIView):
    permission_classes = [IsAuthenticated, IsManager]

    @extend_schema(
        operation_id="customers_at_risk",
        summary="Customers at risk of leaving, highest score first (at most 200; none at 0)",
        responses={200: AtRiskOut(many=True), **errors(401, 403)},
    )
    def get(self, request):
        return Response(AtRiskOut(at_risk.at_risk(viewer=request.user), many=True).data)
