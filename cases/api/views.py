"""The case API: parse the request, call one service or selector, shape the answer.

Domain errors are mapped to HTTP once, in `recovery.api.errors`.
"""

import re

from django.http import Http404
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from cases import root_causes, services, workflow
from cases.api import serializers as s
from cases.api.idempotency import IDEMPOTENCY_KEY, idempotent
from cases.conversation import outbound, thread
from cases.filters import GivenCaseFilter, RootCauseFilter
from cases.gestures import rates
from cases.gestures import selectors as gesture_selectors
from cases.gestures import services as gestures
from cases.models import ExchangeRate, Gesture, RecoveryCase, RootCause, Severity, SLAPolicy, parse_reference
from cases.outreach import api as outreach_api
from cases.outreach import services as outreach
from cases.selectors import cases as selectors
from cases.sla import policies as sla_policies
from recovery.api.pagination import KeysetPagination
from recovery.api.schema import IF_MATCH, REFERENCE, TRANSITION_REFUSED, errors
from recovery.roles import is_agent

# `\d` matches `²` too; ids are ASCII digits, short of bigint's range (recovery.parsing.MAX_DIGITS).
ID_PATTERN = r"[0-9]{1,18}"


class IsCaseWorker(BasePermission):
    """Agents and managers; intake clients submit feedback and nothing else."""

    message = "Only agents and managers use the case API."

    def has_permission(self, request, view):
        return is_agent(request.user)


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = "Send the case's current ETag in If-Match; PATCH without it would overwrite blindly."
    default_code = "precondition_required"


def etag(case: RecoveryCase) -> str:
    return f'"{case.pk}-{case.version}"'


def if_match_version(request, case_id: int) -> int | None:
    """The version the caller's If-Match names; -1 (never current) when it names another case or
    nothing; None for `*`, which RFC 9110 lets match any current representation."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired()
    if header.strip() == "*":
        return None
    match = re.fullmatch(r'\s*(?:W/)?"([0-9]{1,18})-([0-9]{1,18})"\s*', header)
    if match is None or int(match.group(1)) != case_id:
        return -1
    return int(match.group(2))


class CaseApi(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, IsCaseWorker]
    lookup_field = "reference"
    lookup_value_regex = r"[^/]+"

    def case_id(self) -> int:
        return selectors.case_id_or_404(self.kwargs["reference"], user=self.request.user)

    def detail_response(self, case_id: int, *, code: int = status.HTTP_200_OK) -> Response:
        case = selectors.case_detail(case_id=case_id, user=self.request.user)
        body = s.CaseDetailOut(case, context={"request": self.request, "now": timezone.now()}).data
        return Response(body, status=code, headers={"ETag": etag(case)})


@extend_schema_view(
    list=extend_schema(
        summary="The case queue, most urgent first", responses={200: s.CaseOut, **errors(400, 401, 403)}
    ),
)
class CaseViewSet(mixins.ListModelMixin, CaseApi):
    serializer_class = s.CaseOut
    pagination_class = KeysetPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = GivenCaseFilter
    queryset = RecoveryCase.objects.none()  # for the schema; requests read selectors.case_queue()

    def get_queryset(self):
        return selectors.case_queue(user=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    @extend_schema(
        summary="One case, with its customer, feedback, gestures, root causes and follow-ups",
        parameters=[REFERENCE],
        responses={200: s.CaseDetailOut, **errors(401, 403, 404)},
    )
    def retrieve(self, request, reference=None):
        pk = parse_reference(reference)
        try:  # no existence check first: the hottest read of a case costs one query less
            return self.detail_response(pk if pk is not None else 0)
        except RecoveryCase.DoesNotExist:
            raise Http404("No case has this reference.") from None

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        summary="Open a case by hand",
        request=s.CaseOpenInput,
        responses={201: s.CaseDetailOut, **errors(400, 401, 403, 409, 413, 415, 422)},
    )
    @idempotent
    def create(self, request):
        command = s.CaseOpenInput(data=request.data)
        command.is_valid(raise_exception=True)
        data = dict(command.validated_data)
        case = services.open_case_by_hand(actor=request.user, **data.pop("customer"), **data)
        return self.detail_response(case.pk, code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change title, severity or owner (If-Match required)",
        parameters=[REFERENCE, IF_MATCH],
        request=s.CaseEditInput,
        responses={200: s.CaseDetailOut, **errors(400, 401, 403, 404, 412, 428)},
    )
    def partial_update(self, request, reference=None):
        case_id = self.case_id()
        expected = if_match_version(request, case_id)
        command = s.CaseEditInput(data=request.data, partial=True)
        command.is_valid(raise_exception=True)
        services.edit_case(
            case_id=case_id, actor=request.user, expected_version=expected, changes=command.validated_data
        )
        return self.detail_response(case_id)

    @extend_schema(
        summary="Take a workflow action",
        parameters=[
            IDEMPOTENCY_KEY,
            REFERENCE,
            OpenApiParameter("action", str, OpenApiParameter.PATH, enum=list(workflow.ACTIONS)),
        ],
        request=s.ActionInput,
        responses={
            200: s.CaseDetailOut,
            **errors(400, 401, 403, 404, 413, 415, 422),
            409: TRANSITION_REFUSED,
        },
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<action>[^/]+)", url_name="action")
    @idempotent
    def act(self, request, reference=None, action=None):
        if action not in workflow.ACTIONS:
            raise Http404(f"Unknown action '{action}'. Actions: {', '.join(workflow.ACTIONS)}.")
        case_id = self.case_id()
        command = s.ActionInput(data=request.data)
        command.is_valid(raise_exception=True)
        _case, message = outbound.perform_stage(
            action, case_id=case_id, actor=request.user, **command.validated_data
        )
        response = self.detail_response(case_id)
        if message is not None:
            response.data["message"] = s.MessageOut(message, context={"request": request}).data
        return response

    @extend_schema(
        summary="The conversation with the customer, oldest first, both directions",
        parameters=[REFERENCE],
        responses={200: s.MessageOut(many=True), **errors(401, 403, 404)},
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None, url_path="messages")
    def messages(self, request, reference=None):
        found = thread.messages(case_id=self.case_id())
        return Response(s.MessageOut(found, many=True, context={"request": request}).data)

    @extend_schema(
        summary="Email the customer a message (409 when they may not be contacted)",
        parameters=[IDEMPOTENCY_KEY, REFERENCE],
        request=s.MessageInput,
        responses={201: s.MessageOut, **errors(400, 401, 403, 404, 409, 413, 415, 422)},
    )
    @messages.mapping.post
    @idempotent
    def send_message(self, request, reference=None):
        case_id = self.case_id()
        command = s.MessageInput(data=request.data)
        command.is_valid(raise_exception=True)
        message = outbound.reply(case_id=case_id, actor=request.user, body=command.validated_data["body"])
        return Response(
            s.MessageOut(message, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="The case's timeline, oldest first",
        parameters=[REFERENCE],
        responses={200: s.EventOut(many=True), **errors(400, 401, 403, 404)},
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[], serializer_class=s.EventOut)
    def events(self, request, reference=None):
        page = self.paginate_queryset(selectors.timeline(case_id=self.case_id()))
        return self.get_paginated_response(s.EventOut(page, many=True).data)

    @extend_schema(
        summary="Add a note to the timeline",
        parameters=[IDEMPOTENCY_KEY, REFERENCE],
        request=s.NoteInput,
        responses={201: s.EventOut, **errors(400, 401, 403, 404, 409, 413, 415, 422)},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    @idempotent
    def notes(self, request, reference=None):
        case = RecoveryCase.objects.get(pk=self.case_id())
        command = s.NoteInput(data=request.data)
        command.is_valid(raise_exception=True)
        event = services.add_note(case=case, actor=request.user, **command.validated_data)
        return Response(s.EventOut(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Grant a gesture (held for a manager above the agent's limit)",
        parameters=[IDEMPOTENCY_KEY, REFERENCE],
        request=s.GestureInput,
        responses={201: s.GestureOut, **errors(400, 401, 403, 404, 409, 413, 415, 422)},
    )
    @action(detail=True, methods=["post"], url_path="gestures", filter_backends=[], pagination_class=None)
    @idempotent
    def request_gesture(self, request, reference=None):
        case_id = self.case_id()
        command = s.GestureInput(data=request.data)
        command.is_valid(raise_exception=True)
        gesture = gestures.request_gesture(case_id=case_id, actor=request.user, **command.validated_data)
        return Response(s.GestureOut(gesture).data, status=status.HTTP_201_CREATED)


class GestureViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, IsCaseWorker]
    lookup_value_regex = ID_PATTERN
    queryset = Gesture.objects.none()
    serializer_class = s.GestureOut

    def decide(self, request, pk, decision, *, command_class=s.DecisionInput) -> Response:
        if not gesture_selectors.visible_gestures(user=request.user).filter(pk=pk).exists():
            raise Http404("No such gesture.")
        command = command_class(data=request.data)
        command.is_valid(raise_exception=True)
        gesture = decision(gesture_id=int(pk), actor=request.user, **command.validated_data)
        return Response(s.GestureOut(gesture).data)

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        summary="Approve a gesture waiting for a manager",
        request=s.ApprovalInput,
        responses={200: s.GestureOut, **errors(400, 401, 403, 404, 409, 413, 415, 422)},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def approve(self, request, pk=None):
        return self.decide(request, pk, gestures.approve, command_class=s.ApprovalInput)

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        summary="Reject a gesture waiting for a manager",
        request=s.DecisionInput,
        responses={200: s.GestureOut, **errors(400, 401, 403, 404, 409, 413, 415, 422)},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def reject(self, request, pk=None):
        return self.decide(request, pk, gestures.reject)


@extend_schema_view(
    list=extend_schema(summary="Root causes", responses={200: s.RootCauseOut, **errors(400, 401, 403)}),
    retrieve=extend_schema(
        summary="One root cause", responses={200: s.RootCauseOut, **errors(401, 403, 404)}
    ),
)
class RootCauseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, IsCaseWorker]
    serializer_class = s.RootCauseOut
    pagination_class = KeysetPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = RootCauseFilter
    queryset = RootCause.objects.none()
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        return selectors.root_causes()

    def shaped(self, pk, *, code=status.HTTP_200_OK) -> Response:
        return Response(s.RootCauseOut(selectors.root_causes().get(pk=pk)).data, status=code)

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        summary="Create a root cause",
        request=s.RootCauseInput,
        responses={201: s.RootCauseOut, **errors(400, 401, 403, 409, 413, 415, 422)},
    )
    @idempotent
    def create(self, request):
        command = s.RootCauseInput(data=request.data)
        command.is_valid(raise_exception=True)
        root_cause = root_causes.create(actor=request.user, **command.validated_data)
        return self.shaped(root_cause.pk, code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Edit a root cause (`verified` needs a verification note)",
        request=s.RootCauseInput(partial=True),
        responses={200: s.RootCauseOut, **errors(400, 401, 403, 404)},
    )
    def partial_update(self, request, pk=None):
        root_cause = self.get_object()
        command = s.RootCauseInput(data=request.data, partial=True)
        command.is_valid(raise_exception=True)
        root_causes.update(root_cause_id=root_cause.pk, actor=request.user, changes=command.validated_data)
        return self.shaped(root_cause.pk)

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        summary="Link a case to the root cause",
        request=s.CaseLinkInput,
        responses={
            201: OpenApiResponse(s.RootCauseOut, description="Linked"),
            200: OpenApiResponse(s.RootCauseOut, description="Was linked already"),
            **errors(400, 401, 403, 404, 409, 413, 415, 422),
        },
    )
    @action(detail=True, methods=["post"], url_path="cases", filter_backends=[], pagination_class=None)
    @idempotent
    def link_case(self, request, pk=None):
        root_cause = self.get_object()
        command = s.CaseLinkInput(data=request.data)
        command.is_valid(raise_exception=True)
        case_id = selectors.case_id_or_404(command.validated_data["case"], user=request.user)
        linked = root_causes.link_case(root_cause_id=root_cause.pk, case_id=case_id, actor=request.user)
        return self.shaped(root_cause.pk, code=status.HTTP_201_CREATED if linked else status.HTTP_200_OK)

    @extend_schema(
        summary="Email every customer the root cause hit, once each (managers)",
        request=outreach_api.NotifyInput,
        responses={200: outreach_api.NotifyOut, **errors(400, 401, 403, 404, 413, 415)},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def notify(self, request, pk=None):
        root_cause = self.get_object()
        command = outreach_api.NotifyInput(data=request.data)
        command.is_valid(raise_exception=True)
        fields = command.validated_data
        text = outreach.text_for(template_id=fields.get("template"), body=fields.get("body"))
        told = outreach.notify(root_cause_id=root_cause.pk, actor=request.user, text=text)
        return Response({"queued": len(told.recipients), "skipped": told.skipped})

    @extend_schema(
        summary="Unlink a case from the root cause",
        parameters=[REFERENCE],
        request=None,
        responses={204: None, **errors(401, 403, 404)},
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"cases/(?P<reference>[^/]+)",
        url_name="unlink-case",
        filter_backends=[],
        pagination_class=None,
    )
    def unlink_case(self, request, pk=None, reference=None):
        root_cause = self.get_object()
        case_id = selectors.case_id_or_404(reference, user=request.user)
        root_causes.unlink_case(root_cause_id=root_cause.pk, case_id=case_id, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


SEVERITY = OpenApiParameter("severity", str, OpenApiParameter.PATH, enum=Severity.values)


@extend_schema_view(
    list=extend_schema(
        summary="SLA policies, most severe first",
        responses={200: s.SLAPolicyOut(many=True), **errors(401, 403)},
    ),
)
class SLAPolicyViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, IsCaseWorker]
    serializer_class = s.SLAPolicyOut
    queryset = SLAPolicy.objects.none()
    lookup_field = "severity"
    lookup_value_regex = "|".join(Severity.values)
    pagination_class = None

    def list(self, request):
        return Response(s.SLAPolicyOut(selectors.sla_policies(), many=True).data)

    @extend_schema(parameters=[SEVERITY], responses={200: s.SLAPolicyOut, **errors(401, 403, 404)})
    def retrieve(self, request, severity=None):
        return Response(s.SLAPolicyOut(selectors.sla_policy(severity=severity)).data)

    @extend_schema(
        summary='Edit a policy (managers); durations as "01:00:00" or ISO 8601 "PT1H"',
        parameters=[SEVERITY],
        request=s.SLAPolicyEditInput,
        responses={200: s.SLAPolicyOut, **errors(400, 401, 403, 404)},
    )
    def partial_update(self, request, severity=None):
        command = s.SLAPolicyEditInput(data=request.data, partial=True)
        command.is_valid(raise_exception=True)
        policy = sla_policies.update_policy(
            severity=severity, actor=request.user, changes=command.validated_data
        )
        return Response(s.SLAPolicyOut(policy).data)


CURRENCY = OpenApiParameter("currency", str, OpenApiParameter.PATH, description="ISO 4217 code, e.g. GBP")


@extend_schema_view(
    list=extend_schema(
        summary="Exchange rates that price gestures against the agents' limit (in the base currency)",
        responses={200: s.ExchangeRateOut(many=True), **errors(401, 403)},
    ),
)
class ExchangeRateViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, IsCaseWorker]
    serializer_class = s.ExchangeRateOut
    queryset = ExchangeRate.objects.none()
    lookup_field = "currency"
    lookup_value_regex = "[A-Za-z]{3}"
    pagination_class = None

    def list(self, request):
        return Response(s.ExchangeRateOut(ExchangeRate.objects.order_by("currency"), many=True).data)

    @extend_schema(parameters=[CURRENCY], responses={200: s.ExchangeRateOut, **errors(401, 403, 404)})
    def retrieve(self, request, currency=None):
        rate = ExchangeRate.objects.filter(currency=(currency or "").upper()).first()
        if rate is None:
            raise Http404(f"No exchange rate is kept for {currency}.")
        return Response(s.ExchangeRateOut(rate).data)

    @extend_schema(
        summary="Set a currency's rate (managers)",
        parameters=[CURRENCY],
        request=s.ExchangeRateInput,
        responses={200: s.ExchangeRateOut, **errors(400, 401, 403, 404, 413, 415)},  # 404: not a currency
    )
    def update(self, request, currency=None):
        command = s.ExchangeRateInput(data=request.data)
        command.is_valid(raise_exception=True)
        rate = rates.set_rate(actor=request.user, currency=currency, **command.validated_data)
        return Response(s.ExchangeRateOut(rate).data)

    @extend_schema(
        summary="Forget a currency's rate (managers): its gestures wait for a manager again",
        parameters=[CURRENCY],
        responses={204: None, **errors(401, 403, 404)},
    )
    def destroy(self, request, currency=None):
        rates.remove_rate(actor=request.user, currency=currency)
        return Response(status=status.HTTP_204_NO_CONTENT)
