"""`GET /api/v1/emerging-issues/` (managers): the groups emerging now, largest first."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.emerging import selectors
from cases.emerging.models import EmergingGroup
from recovery.api.schema import errors
from recovery.roles import is_manager


class IsManager(BasePermission):
    message = "Only managers see emerging issues."

    def has_permission(self, request, view):
        return is_manager(request.user)


class EmergingIssueOut(serializers.ModelSerializer):
    terms = serializers.ListField(child=serializers.CharField(), help_text="Its top words, weightiest first")
    expected = serializers.FloatField(help_text="The usual count for these 2 hours of the week")
    count = serializers.IntegerField(help_text="Its negative feedback in the last 2 hours")
    cases = serializers.SerializerMethodField(help_text="References of its cases (last 24 hours)")

    class Meta:
        model = EmergingGroup
        fields = ["id", "touchpoint", "terms", "count", "expected", "cases", "since"]
        read_only_fields = fields

    def get_cases(self, group) -> list[str]:
        return [case.reference for case in group.cases.all()]


class EmergingIssueList(APIView):
    permission_classes = [IsManager]

    @extend_schema(
        summary="Emerging issues: negative feedback spiking at a touchpoint in similar words (managers)",
        responses={200: EmergingIssueOut(many=True), **errors(401, 403)},
    )
    def get(self, request):
        return Response(EmergingIssueOut(selectors.current(), many=True).data)
