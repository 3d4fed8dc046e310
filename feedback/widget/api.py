"""`/api/v1/widget-keys/` (managers) and `/api/v1/widget/feedback/` (public, with a widget key)."""

import re

from django.http import JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from feedback.models import WidgetKey
from feedback.widget import intake as widget_intake
from feedback.widget import keys
from recovery.api.schema import errors
from recovery.api.strict import StrictInput, WholeNumberField
from recovery.api.throttles import Rates
from recovery.errors import InvalidInput, NotFound
from recovery.idempotency import KEY_HEADER, REPLAYED_HEADER
from recovery.languages.services import normalise_tag
from recovery.roles import is_manager

KEY_HEADER_NAME = "X-Mend-Widget-Key"
HONEYPOT = "website"
PREFIX = re.compile(r"^[A-Za-z0-9_./-]*$")


# Widget keys (managers) ---------------------------------------------------------------------------


class ManagersOnly(BasePermission):
    message = "Only managers manage widget keys."

    def has_permission(self, request, view):
        return is_manager(request.user)


class OriginsField(serializers.ListField):
    """A list of origins, each checked by the one rule (`keys.parse_origin`), errors under the field."""

    child = serializers.CharField(max_length=200)

    def __init__(self, **kwargs):
        # `keys.parse_origins`' own bounds, so the schema says them too (minItems, maxItems).
        super().__init__(
            allow_empty=False,
            max_length=keys.MAX_ORIGINS,
            error_messages={
                "empty": "Give a list of at least one origin.",
                "max_length": f"At most {keys.MAX_ORIGINS} origins per key.",
            },
            **kwargs,
        )

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return keys.parse_origins(value)
        except InvalidInput as exc:
            raise serializers.ValidationError(str(exc)) from exc


class WidgetKeyIn(StrictInput):
    name = serializers.CharField(max_length=100)
    allowed_origins = OriginsField()
    touchpoint_prefix = serializers.CharField(max_length=30, required=False, allow_blank=True, default="web")

    def validate_touchpoint_prefix(self, value):
        if not PREFIX.match(value):
            raise serializers.ValidationError("Letters, digits and _ . / - only.")
        return value


class WidgetKeyChange(StrictInput):
    name = serializers.CharField(max_length=100, required=False)
    allowed_origins = OriginsField(required=False)
    touchpoint_prefix = serializers.CharField(max_length=30, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)

    def validate_touchpoint_prefix(self, value):
        return WidgetKeyIn.validate_touchpoint_prefix(self, value)  # type: ignore[arg-type]

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(
                "Give at least one of name, allowed_origins, touchpoint_prefix, active."
            )
        return attrs


class WidgetKeyOut(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    name = serializers.CharField()
    allowed_origins = serializers.ListField(child=serializers.CharField())
    touchpoint_prefix = serializers.CharField()
    active = serializers.BooleanField()
    created_at = serializers.DateTimeField()


@extend_schema_view(
    create=extend_schema(
        summary="Create a feedback widget key for some origins",
        request=WidgetKeyIn,
        responses={201: WidgetKeyOut, **errors(400, 401, 403)},
    ),
    list=extend_schema(summary="Widget keys", responses={200: WidgetKeyOut(many=True), **errors(401, 403)}),
    retrieve=extend_schema(summary="One widget key", responses={200: WidgetKeyOut, **errors(401, 403, 404)}),
    partial_update=extend_schema(
        summary="Rename, re-scope, deactivate or reactivate a widget key",
        request=WidgetKeyChange,
        responses={200: WidgetKeyOut, **errors(400, 401, 403, 404)},
    ),
)
class WidgetKeyViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, ManagersOnly]
    renderer_classes = [JSONRenderer]
    serializer_class = WidgetKeyOut
    queryset = WidgetKey.objects.none()  # for the schema; requests read through `keys`
    pagination_class = None
    filter_backends = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create(self, request):
        incoming = WidgetKeyIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        key = keys.create_key(actor=request.user, **incoming.validated_data)
        return Response(WidgetKeyOut(key).data, status=status.HTTP_201_CREATED)

    def list(self, request):
        return Response(WidgetKeyOut(keys.keys(actor=request.user), many=True).data)

    def retrieve(self, request, pk=None):
        return Response(WidgetKeyOut(keys.find_key(actor=request.user, key_id=_id(pk))).data)

    def partial_update(self, request, pk=None):
        key = keys.find_key(actor=request.user, key_id=_id(pk))
        incoming = WidgetKeyChange(data=request.data)
        incoming.is_valid(raise_exception=True)
        key = keys.change_key(actor=request.user, key_id=key.pk, changes=incoming.validated_data)
        return Response(WidgetKeyOut(key).data)


def _id(pk) -> int:
    if not str(pk).isdigit() or len(str(pk)) > 18:
        raise NotFound("No widget key with this id.")
    return int(pk)


# The public widget endpoint --------------------------------------------------------------------------


class WidgetKeyAuthentication(BaseAuthentication):
    """The post's widget key, from `X-Mend-Widget-Key`. The request then acts as the key's intake client
    (`request.user`) with the key as `request.auth`. No session, so no CSRF: the key and the origin
    check stand in for them, and the widget sends no cookie."""

    def authenticate(self, request):
        text = request.headers.get(KEY_HEADER_NAME)
        if not text:
            raise NotAuthenticated(f"Send the widget key in the {KEY_HEADER_NAME} header.")
        key = keys.key_for_post(text)
        if key is None:
            raise AuthenticationFailed("Unknown widget key.")
        return key.client, key

    def authenticate_header(self, request):
        return None  # no challenge a browser could answer: a refused key is a 403


class FromAllowedOrigin(BasePermission):
    """Checked before the body is read or the rates are counted: a page elsewhere learns nothing."""

    def has_permission(self, request, view):
        widget_intake.check_origin(request.auth, request.headers.get("origin"))
        return True


class WidgetRates(Rates):
    """The intake rates' machinery with the widget's rates: per key (`widget_token`) and per address."""

    def family(self, request, view) -> str:
        return "widget"

    def caller(self, request):
        key = request.auth
        return f"widget-key-{key.pk}" if isinstance(key, WidgetKey) else None


class WidgetFeedbackIn(StrictInput):
    rating = WholeNumberField(min_value=1, max_value=5, required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=2000)
    email = serializers.EmailField(required=False, allow_blank=True, allow_null=True, max_length=254)
    page = serializers.CharField(max_length=500)
    lang = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=35,
        help_text="The page's language (its <html lang>), a BCP 47 tag: Mend writes to the customer in it.",
    )
    # The honeypot: hidden from people (off-screen, out of the tab order, aria-hidden), so only a bot
    # fills it. Refused with a 400 like any bad input rather than a fake 201: a person whose browser
    # autofilled it is told, and keeps their text, instead of losing a complaint without a trace.
    website = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=200)

    def validate_lang(self, value):
        # Lenient, unlike intake's customer.language: a site's odd <html lang> ("en_US") must not cost
        # the customer their feedback. What is not a tag is dropped and Mend writes in its default.
        try:
            return normalise_tag((value or "").replace("_", "-"), field="lang")
        except InvalidInput:
            return ""

    def validate_page(self, value):
        if not value.startswith("/") or value.startswith("//"):
            raise serializers.ValidationError("The page's path, starting with / (no scheme or host).")
        return value

    def validate_website(self, value):
        if value:
            raise serializers.ValidationError("Leave this field empty.")
        return value

    def validate(self, attrs):
        if attrs.get("rating") is None and not (attrs.get("comment") or "").strip():
            message = "Give a rating or a comment."
            raise serializers.ValidationError({"rating": [message], "comment": [message]})
        return attrs

    def post(self) -> widget_intake.WidgetPost:
        data = self.validated_data
        return widget_intake.WidgetPost(
            rating=data.get("rating"),
            comment=data.get("comment") or "",
            email=data.get("email") or "",
            page=data["page"],
            language=data.get("lang") or "",
        )


class WidgetReceipt(serializers.Serializer):
    received_at = serializers.DateTimeField()


@extend_schema(
    summary="Feedback from the web widget (public: a widget key and an allowed Origin)",
    request=WidgetFeedbackIn,
    parameters=[
        OpenApiParameter(KEY_HEADER_NAME, OpenApiTypes.STR, OpenApiParameter.HEADER, required=True),
        OpenApiParameter(KEY_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER),
    ],
    responses={
        201: OpenApiResponse(WidgetReceipt, description="Stored (or replayed: `Idempotent-Replayed: true`)"),
        **errors(400, 403, 409, 413, 415, 422),
    },
    auth=[],
)
class WidgetFeedbackView(APIView):
    authentication_classes = [WidgetKeyAuthentication]
    permission_classes = [FromAllowedOrigin]
    throttle_classes = [WidgetRates]
    renderer_classes = [JSONRenderer]

    def dispatch(self, request, *args, **kwargs):
        # A method the endpoint does not have is a 405 before the key is asked for, as everywhere else
        # (the key's authentication refuses a request without one, before DRF would look for a handler).
        if request.method.lower() not in ("post", "options"):
            return JsonResponse(
                {"detail": f'Method "{request.method}" not allowed.'},
                status=405,
                headers={"Allow": "POST, OPTIONS"},
            )
        return super().dispatch(request, *args, **kwargs)

    def post(self, request):
        incoming = WidgetFeedbackIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        result = widget_intake.submit(
            key=request.auth,
            origin=request.headers.get("origin"),
            idempotency_key=request.headers.get(KEY_HEADER),
            post=incoming.post(),
        )
        # What the page may know: that it was received. No case, sentiment or id leaves for a public page.
        body = {"received_at": serializers.DateTimeField().to_representation(result.feedback.received_at)}
        headers = {REPLAYED_HEADER: "true"} if result.replayed else None
        return Response(body, status=result.status, headers=headers)
