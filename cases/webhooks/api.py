"""`/api/v1/webhooks/` (managers): parse, call `cases.webhooks.services`, shape the answer."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from cases.webhooks import outbox, services
from cases.webhooks.models import WebhookDelivery, WebhookSubscription
from recovery.api.parsers import json_object
from recovery.api.schema import errors
from recovery.api.strict import StrictInput


class WebhookOut(serializers.ModelSerializer):
    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "events", "active", "description"]
        read_only_fields = fields


class WebhookCreatedOut(WebhookOut):
    secret = serializers.CharField(help_text="whsec_...: shown this once; verifies the webhook-signature")

    class Meta(WebhookOut.Meta):
        fields = [*WebhookOut.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookInput(StrictInput):
    """For the schema only: `services` checks every value (one rule, one place), and refuses a field it
    does not know, as every input of the API does (`additionalProperties: false`)."""

    url = serializers.URLField(help_text="http:// or https://, resolving to a public address")
    events = serializers.ListField(child=serializers.ChoiceField(choices=outbox.TYPES), allow_empty=False)
    active = serializers.BooleanField(required=False, default=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)


class AttemptOut(serializers.Serializer):
    started_at = serializers.DateTimeField()
    status_code = serializers.IntegerField(allow_null=True)
    latency_ms = serializers.IntegerField(allow_null=True)
    error = serializers.CharField()


class DeliveryOut(serializers.ModelSerializer):
    attempts = AttemptOut(source="attempt_log", many=True)

    class Meta:
        model = WebhookDelivery
        fields = ["id", "webhook_id", "event_type", "status", "created_at", "delivered_at", "attempts"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="Webhook subscriptions (managers)", responses={200: WebhookOut(many=True), **errors(401, 403)}
    ),
    retrieve=extend_schema(
        summary="One webhook subscription", responses={200: WebhookOut, **errors(401, 403, 404)}
    ),
    create=extend_schema(
        summary="Subscribe a URL to events; the answer carries the signing secret, once",
        request=WebhookInput,
        responses={201: WebhookCreatedOut, **errors(400, 401, 403, 413, 415)},
    ),
    partial_update=extend_schema(
        summary="Change a subscription",
        request=WebhookInput(partial=True),
        responses={200: WebhookOut, **errors(400, 401, 403, 404, 413, 415)},
    ),
    destroy=extend_schema(
        summary="Delete a subscription and its delivery log", responses={204: None, **errors(401, 403, 404)}
    ),
)
class WebhookViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"[0-9]{1,18}"

    def list(self, request):
        return Response(WebhookOut(services.listed(actor=request.user), many=True).data)

    def create(self, request):
        subscription = services.create(actor=request.user, values=json_object(request))
        return Response(WebhookCreatedOut(subscription).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request, pk=None):
        return Response(WebhookOut(services.get(actor=request.user, subscription_id=int(pk))).data)

    def partial_update(self, request, pk=None):
        subscription = services.update(
            actor=request.user, subscription_id=int(pk), values=json_object(request)
        )
        return Response(WebhookOut(subscription).data)

    def destroy(self, request, pk=None):
        services.delete(actor=request.user, subscription_id=int(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="The delivery log: newest deliveries and each attempt",
        responses={200: DeliveryOut(many=True), **errors(401, 403, 404)},
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        return Response(
            DeliveryOut(services.deliveries(actor=request.user, subscription_id=int(pk)), many=True).data
        )

    @extend_schema(
        summary="Send one delivery again (same webhook-id)",
        request=None,
        responses={202: OpenApiResponse(DeliveryOut, description="Queued"), **errors(401, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path=r"deliveries/(?P<delivery_id>[0-9]{1,18})/resend")
    def resend(self, request, pk=None, delivery_id=None):
        delivery = services.resend(actor=request.user, subscription_id=int(pk), delivery_id=int(delivery_id))
        return Response(DeliveryOut(delivery).data, status=status.HTTP_202_ACCEPTED)
