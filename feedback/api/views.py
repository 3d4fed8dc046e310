from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from feedback import intake, selectors
from feedback.api.serializers import FeedbackIn, FeedbackOut, FeedbackReceipt
from feedback.filters import FeedbackFilter
from feedback.models import Feedback
from recovery.api.pagination import NumberedPagination
from recovery.api.schema import errors
from recovery.idempotency import KEY_HEADER, REPLAYED_HEADER
from recovery.roles import is_agent, may_submit_feedback


class SubmitOrRead(BasePermission):
    """Intake clients, agents and managers submit; only agents and managers read.

    Checked before the body is parsed, so a client without the role learns nothing about its input;
    `intake.submit` and the selectors check again.
    """

    def has_permission(self, request, view):
        return may_submit_feedback(request.user) if request.method == "POST" else is_agent(request.user)


class AlwaysJSON(DefaultContentNegotiation):
    """Answer JSON whatever `Accept` says: a 406 would hide the real answer from a careless client."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@extend_schema_view(
    create=extend_schema(
        summary="Submit customer feedback; negative feedback opens or joins a recovery case",
        request=FeedbackIn,
        responses={
            201: OpenApiResponse(
                FeedbackReceipt, description="Stored (or replayed: `Idempotent-Replayed: true`)"
            ),
            **errors(400, 401, 403, 409, 413, 415, 422),
        },
    ),
    list=extend_schema(
        summary="Feedback, newest first", responses={200: FeedbackOut, **errors(400, 401, 403, 404)}
    ),
    retrieve=extend_schema(
        summary="One piece of feedback", responses={200: FeedbackOut, **errors(401, 403, 404)}
    ),
)
class FeedbackViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, SubmitOrRead]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = AlwaysJSON
    pagination_class = NumberedPagination
    serializer_class = FeedbackOut
    # For the schema only: requests read through `selectors`, which apply the same FilterSet.
    queryset = Feedback.objects.none()
    filter_backends = [DjangoFilterBackend]
    filterset_class = FeedbackFilter
    intake = True  # POSTs count against the intake rates (recovery/api/throttles.py)

    def create(self, request):
        incoming = FeedbackIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        result = intake.submit(
            client=request.user,
            idempotency_key=request.headers.get(KEY_HEADER),
            payload=incoming.payload(),
        )
        headers = {REPLAYED_HEADER: "true"} if result.replayed else None
        return Response(FeedbackReceipt(result.feedback).data, status=result.status, headers=headers)

    def list(self, request):
        feedback = selectors.feedback_list(user=request.user, filters=request.query_params)
        page = self.paginate_queryset(feedback)
        return self.get_paginated_response(FeedbackOut(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(FeedbackOut(selectors.feedback_detail(user=request.user, feedback_id=pk)).data)
