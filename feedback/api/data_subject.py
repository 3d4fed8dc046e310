"""`/api/v1/customers/{external_id}/export/` and `.../erase/`: a customer's data rights, for managers."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from feedback import data_subject
from feedback.models import Customer
from recovery.api.schema import errors

EXTERNAL_ID = OpenApiParameter(
    "external_id", str, OpenApiParameter.PATH, description="The customer's external id"
)


class ManagersOnly(BasePermission):
    message = "Only managers export or erase a customer's data."

    def has_permission(self, request, view):
        return bool(request.user) and request.user.has_perm("feedback.export_customer")


class ErasedOut(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()


class CustomerDataViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, ManagersOnly]
    queryset = Customer.objects.none()
    lookup_field = "external_id"
    lookup_value_regex = r"[^/]+"
    pagination_class = None
    filter_backends = []
    metadata_class = None  # no serializer to describe: OPTIONS answers 405 rather than failing

    @extend_schema(
        summary="Everything Mend holds about one customer (audited)",
        parameters=[EXTERNAL_ID],
        responses={200: OpenApiTypes.OBJECT, **errors(401, 403, 404)},
    )
    @action(detail=True, methods=["get"])
    def export(self, request, external_id=None):
        customer = data_subject.find_customer(external_id)
        return Response(data_subject.export(customer_id=customer.pk, actor=request.user, via="api"))

    @extend_schema(
        summary="Erase (anonymise) a customer; counts stay for the dashboard (audited)",
        parameters=[EXTERNAL_ID],
        request=None,
        responses={200: ErasedOut, **errors(401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def erase(self, request, external_id=None):
        customer = data_subject.find_customer(external_id)
        erased = data_subject.erase(customer_id=customer.pk, actor=request.user, via="api")
        return Response(ErasedOut(erased).data)
