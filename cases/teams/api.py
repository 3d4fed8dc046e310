"""`/api/v1/teams/`, `/api/v1/routing-rules/` (managers) and `/api/v1/agents/{username}/` (the agent or
a manager): parse, call `cases.teams.services`, shape the answer."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from cases.teams import routing, services
from cases.teams.models import AgentStatus, RoutingRule, Team
from recovery.api.parsers import json_object
from recovery.api.schema import errors
from recovery.api.strict import MomentField, StrictInput, WholeNumberField


class TeamOut(serializers.ModelSerializer):
    members = serializers.SerializerMethodField()
    leads = serializers.SerializerMethodField()
    default = serializers.BooleanField(source="is_default")

    class Meta:
        model = Team
        fields = ["name", "slug", "members", "leads", "assignment", "max_open_per_agent", "default"]
        read_only_fields = fields

    def get_members(self, team) -> list[str]:
        return sorted(user.get_username() for user in team.members.all())

    def get_leads(self, team) -> list[str]:
        return sorted(user.get_username() for user in team.leads.all())


class TeamInput(StrictInput):
    """For the schema only: `services` checks every value (one rule, one place)."""

    name = serializers.CharField(max_length=services.NAME_LENGTH)
    slug = serializers.SlugField(max_length=services.SLUG_LENGTH)
    members = serializers.ListField(child=serializers.CharField(), required=False, help_text="usernames")
    leads = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="usernames of managers; default: you"
    )
    assignment = serializers.ChoiceField(choices=Team.Assignment.choices, required=False)
    max_open_per_agent = WholeNumberField(min_value=1, allow_null=True, required=False)
    default = serializers.BooleanField(required=False, help_text="where cases no rule matches go; one team")
    calendar = WholeNumberField(
        allow_null=True, required=False, help_text="id of the business calendar the team's SLA counts in"
    )


class ConditionsSchema(serializers.Serializer):
    touchpoint = serializers.ListField(child=serializers.CharField(), required=False)
    channel = serializers.ListField(child=serializers.CharField(), required=False)
    severity = serializers.ListField(child=serializers.CharField(), required=False)
    segment = serializers.ListField(child=serializers.CharField(), required=False)
    words = serializers.ListField(child=serializers.CharField(), required=False, help_text="words or phrases")


class RuleOut(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    conditions = ConditionsSchema()

    class Meta:
        model = RoutingRule
        fields = ["id", "position", "team", "conditions"]
        read_only_fields = fields


class RuleInput(StrictInput):
    """For the schema only: `services` checks every value, with `feedback.conditions`."""

    position = WholeNumberField(min_value=0, required=False, help_text="lower is tried first; default: last")
    team = serializers.SlugField(help_text="the team's slug")
    conditions = ConditionsSchema(help_text=f"at least one of {', '.join(routing.CONDITION_KEYS)}")


class AgentOut(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")

    class Meta:
        model = AgentStatus
        fields = ["username", "away_until"]
        read_only_fields = fields


class AgentInput(StrictInput):
    away_until = MomentField(allow_null=True, help_text="away until this moment; null: available")


@extend_schema_view(
    list=extend_schema(summary="Teams (managers)", responses={200: TeamOut(many=True), **errors(401, 403)}),
    retrieve=extend_schema(summary="One team", responses={200: TeamOut, **errors(401, 403, 404)}),
    create=extend_schema(
        summary="Make a team", request=TeamInput, responses={201: TeamOut, **errors(400, 401, 403, 413, 415)}
    ),
    partial_update=extend_schema(
        summary="Change a team",
        request=TeamInput(partial=True),
        responses={200: TeamOut, **errors(400, 401, 403, 404, 413, 415)},
    ),
    destroy=extend_schema(
        summary="Delete a team; its cases go to no team, with an event on each timeline",
        responses={204: None, **errors(401, 403, 404)},
    ),
)
class TeamViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated]
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]{1,50}"

    def list(self, request):
        services.require_manager(request.user)
        return Response(TeamOut(services.teams_listed(), many=True).data)

    def create(self, request):
        team = services.create_team(actor=request.user, values=json_object(request))
        return Response(TeamOut(team).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request, slug=None):
        services.require_manager(request.user)
        return Response(TeamOut(services.team_named(slug)).data)

    def partial_update(self, request, slug=None):
        team = services.update_team(actor=request.user, slug=slug, values=json_object(request))
        return Response(TeamOut(team).data)

    def destroy(self, request, slug=None):
        services.delete_team(actor=request.user, slug=slug)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(
        summary="Routing rules in the order they are tried (managers)",
        responses={200: RuleOut(many=True), **errors(401, 403)},
    ),
    retrieve=extend_schema(summary="One routing rule", responses={200: RuleOut, **errors(401, 403, 404)}),
    create=extend_schema(
        summary="Add a routing rule",
        request=RuleInput,
        responses={201: RuleOut, **errors(400, 401, 403, 413, 415)},
    ),
    partial_update=extend_schema(
        summary="Change a routing rule",
        request=RuleInput(partial=True),
        responses={200: RuleOut, **errors(400, 401, 403, 404, 413, 415)},
    ),
    destroy=extend_schema(summary="Delete a routing rule", responses={204: None, **errors(401, 403, 404)}),
)
class RoutingRuleViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"[0-9]{1,18}"

    def list(self, request):
        services.require_manager(request.user)
        return Response(RuleOut(services.rules_listed(), many=True).data)

    def create(self, request):
        rule = services.create_rule(actor=request.user, values=json_object(request))
        return Response(RuleOut(rule).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request, pk=None):
        services.require_manager(request.user)
        return Response(RuleOut(services.rule_numbered(int(pk))).data)

    def partial_update(self, request, pk=None):
        rule = services.update_rule(actor=request.user, rule_id=int(pk), values=json_object(request))
        return Response(RuleOut(rule).data)

    def destroy(self, request, pk=None):
        services.delete_rule(actor=request.user, rule_id=int(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class AgentViewSet(viewsets.ViewSet):
    permission_classes = [IsAuthenticated]
    lookup_field = "username"
    lookup_value_regex = r"[\w.@+-]{1,150}"

    @extend_schema(
        summary="Mark an agent away until a moment, or back (null): the agent themself or a manager",
        request=AgentInput,
        responses={200: AgentOut, **errors(400, 401, 403, 404, 413, 415)},
    )
    def partial_update(self, request, username=None):
        command = AgentInput(data=request.data)
        command.is_valid(raise_exception=True)
        agent_status = services.set_away(
            actor=request.user, username=username, away_until=command.validated_data["away_until"]
        )
        return Response(AgentOut(agent_status).data)
