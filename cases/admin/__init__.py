"""The back office. Stages change only through the workflow actions; timelines, gestures, follow-ups and
the outbox are shown, never edited here, because services own those writes. A case's details and a new
case go through `cases.services`, like every other interface.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import ngettext

from cases import outbox, root_causes, services
from cases.admin.transitions import transition_actions
from cases.gestures import rates
from cases.models import (
    SEVERITY_URGENCY,
    STAGE_DUE_FIELDS,
    STAGE_TIMESTAMP_FIELDS,
    URGENT_DUE,
    BusinessCalendar,
    CaseEvent,
    ExchangeRate,
    FollowUp,
    Gesture,
    Holiday,
    Notification,
    OpeningHours,
    RecoveryCase,
    RootCause,
    SLAAlarm,
    SLAAlert,
    SLAPolicy,
    SLAState,
    parse_reference,
)
from cases.sla import clock as sla
from cases.sla import policies
from cases.teams.scope import case_scope
from recovery.admin_base import ViewOnlyAdmin
from recovery.errors import MendError


class CaseScopeMixin:
    """Rows of cases the manager may see (`cases.teams.scope`): a lead finds another team's case no
    more in the admin than in the workspace. `case_path`: how a row reaches its case ("" for a case)."""

    case_path = ""

    def get_queryset(self, request):
        return super().get_queryset(request).filter(case_scope(request.user, through=self.case_path))


class ReferenceSearchMixin:
    """Searching `RC-000042` (or `42`) finds that case, on top of the usual text search."""

    reference_lookup = "pk"

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        pk = parse_reference(search_term)
        if pk is not None:
            results |= queryset.filter(**{self.reference_lookup: pk})
        return results, may_have_duplicates


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ("created_at", "kind", "actor", "from_stage", "to_stage", "message")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SLAStateFilter(admin.SimpleListFilter):
    """Cases by SLA state now: what a manager scanning the queue for trouble filters on first."""

    title = "SLA"
    parameter_name = "sla_state"

    def lookups(self, request, model_admin):
        return SLAState.choices

    def queryset(self, request, queryset):
        if self.value() not in SLAState.values:
            return queryset
        return queryset.in_sla_state(self.value(), timezone.now())


class AssignedToFilter(admin.SimpleListFilter):
    """An agent's two queues: their own cases, and the unassigned ones they may take."""

    title = "assigned to"
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", "Me"), ("nobody", "Nobody")]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(owner=request.user)
        if self.value() == "nobody":
            return queryset.filter(owner__isnull=True)
        return queryset


class RefusalOnPageMixin:
    """The service refuses what the form cannot know (a verification without its note, an agent setting
    a status, a rate out of range): say why on the same page, with nothing saved, not a server error."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        except MendError as refused:
            self.message_user(request, refused.message, messages.ERROR)  # type: ignore[attr-defined]
            return HttpResponseRedirect(request.get_full_path())


@admin.register(RecoveryCase)
class RecoveryCaseAdmin(CaseScopeMixin, ReferenceSearchMixin, admin.ModelAdmin):
    list_display = (
        "reference",
        "title",
        "customer",
        "severity",
        "stage",
        "owner",
        "sla",
        "sla_due_at",
        "escalation_level",
        "created_at",
    )
    list_display_links = ("reference", "title")
    list_filter = (
        AssignedToFilter,
        "stage",
        "severity",
        SLAStateFilter,
        "is_repeat",
        "escalation_level",
        "channel",
        "owner",
    )
    # Most urgent first, as the API's queue: the running target due soonest, then severity. One range
    # scan of the `case_urgency` index.
    ordering = (URGENT_DUE.asc(), SEVERITY_URGENCY.asc(), "id")
    search_fields = ("title", "customer__name", "customer__email", "customer__external_id")
    list_select_related = ("customer", "owner")
    autocomplete_fields = ("customer", "owner")
    raw_id_fields = ("originating_feedback",)
    show_full_result_count = False  # one COUNT over a large table per page is enough
    actions = transition_actions()
    inlines = (CaseEventInline,)
    # The only fields an existing case lets the admin edit: free text about the case.
    DETAIL_FIELDS = services.DETAIL_FIELDS
    WORKFLOW_FIELDS = (
        "stage",
        "version",
        *STAGE_TIMESTAMP_FIELDS.values(),
        "resolution_summary",
        "close_reason",
        "reopen_count",
    )
    SLA_FIELDS = (
        "sla",
        "on_hold_since",
        "hold_reason",
        "paused_total",
        "sla_started_at",
        *STAGE_DUE_FIELDS.values(),
        "sla_due_at",
        "sla_warn_at",
        "next_sla_alert",
        "escalation_level",
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            # The agent opening a case by hand owns it (services.open_case_by_hand), so no owner field.
            return [(None, {"fields": ("customer", "title", "description", "channel", "severity")})]
        return [
            (None, {"fields": ("reference", "customer", "originating_feedback", "severity", "owner")}),
            ("Details", {"fields": self.DETAIL_FIELDS}),
            ("Stage (changed with the actions of the case list)", {"fields": self.WORKFLOW_FIELDS}),
            ("SLA", {"fields": self.SLA_FIELDS, "classes": ("collapse",)}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # Severity and owner have services of their own (SLA targets move, the timeline records it).
        return (
            "reference",
            "customer",
            "originating_feedback",
            "severity",
            "owner",
            *self.WORKFLOW_FIELDS,
            *self.SLA_FIELDS,
        )

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False  # a case's timeline is the record of what was done for a customer

    @admin.display(description="reference", ordering="pk")
    def reference(self, case):
        return case.reference

    @admin.display(description="SLA")
    def sla(self, case):
        return SLAState(sla.sla_state(case, now=timezone.now())).label

    @admin.display(description="next SLA alert")
    def next_sla_alert(self, case):
        """When the SLA sweep looks at the case next (its `SLAAlarm`); none while no stage clock runs."""
        alarm = SLAAlarm.objects.filter(case=case).first()
        return alarm.rings_at if alarm else None

    def save_model(self, request, obj, form, change):
        try:
            if change:
                self._edit_details(request, obj, form)
            else:
                self._open_case(request, obj)
        except MendError as refused:
            # Django's admin has no hook to re-show the form from here; refuse the whole request instead.
            raise PermissionDenied(str(refused)) from refused

    def _edit_details(self, request, obj, form):
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in self.DETAIL_FIELDS}
        if changes:
            # The version is read-only on the form, so `obj.version` is what this request loaded.
            services.edit_case(
                case_id=obj.pk, actor=request.user, expected_version=obj.version, changes=changes
            )
        obj.refresh_from_db()

    def _open_case(self, request, obj):
        case = services.open_case_by_hand(
            actor=request.user,
            customer_external_id=obj.customer.external_id,
            title=obj.title,
            severity=obj.severity,
            channel=obj.channel,
            description=obj.description,
        )
        obj.pk = case.pk
        obj.refresh_from_db()
        obj._state.adding = False


@admin.register(CaseEvent)
class CaseEventAdmin(CaseScopeMixin, ReferenceSearchMixin, ViewOnlyAdmin):
    case_path = "case"
    reference_lookup = "case_id"
    list_display = ("created_at", "case", "kind", "actor", "from_stage", "to_stage", "message")
    list_filter = ("kind", "to_stage")
    search_fields = ("message", "case__title")
    list_select_related = ("case", "actor")
    show_full_result_count = False


@admin.register(Gesture)
class GestureAdmin(CaseScopeMixin, ReferenceSearchMixin, ViewOnlyAdmin):
    case_path = "case"
    reference_lookup = "case_id"
    list_display = (
        "case",
        "kind",
        "amount",
        "currency",
        "status",
        "requested_by",
        "decided_by",
        "created_at",
    )
    list_filter = ("status", "kind", "currency")
    search_fields = ("description", "case__title", "case__customer__name")
    list_select_related = ("case", "requested_by", "decided_by")


@admin.register(FollowUp)
class FollowUpAdmin(CaseScopeMixin, ReferenceSearchMixin, ViewOnlyAdmin):
    case_path = "case"
    reference_lookup = "case_id"
    list_display = ("case", "due_at", "done_at", "channel", "satisfaction")
    list_filter = (("done_at", admin.EmptyFieldListFilter), "satisfaction", "channel")
    search_fields = ("outcome", "case__title")
    list_select_related = ("case",)


@admin.register(RootCause)
class RootCauseAdmin(RefusalOnPageMixin, admin.ModelAdmin):
    list_display = ("title", "category", "status", "owner", "case_count", "verified_at", "updated_at")
    list_filter = ("status", "category")
    search_fields = ("title", "description", "corrective_action")
    list_select_related = ("owner",)
    autocomplete_fields = ("owner",)
    # Stamped by the services: verified when the status becomes verified; the watch window when fixed.
    readonly_fields = ("verified_at", "verified_by_system", "fixed_at", "watch_until", "watch_closed_at")
    # Cases are linked from the case, where the link lands on its timeline; a multi-select of every
    # case would also be unusable at real volume.
    exclude = ("cases",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(case_count=Count("cases"))

    def get_exclude(self, request, obj=None):
        # Who may set what is `cases.root_causes`' rule; the form only leaves out what would be refused.
        if request.user.has_perm("cases.change_rootcause"):
            return self.exclude
        return (*self.exclude, *root_causes.MANAGED_FIELDS)

    def save_model(self, request, obj, form, change):
        names = form.changed_data if change else form.cleaned_data
        fields = {name: form.cleaned_data[name] for name in names if name in root_causes.EDITABLE_FIELDS}
        if change:
            saved = root_causes.update(root_cause_id=obj.pk, actor=request.user, changes=fields)
        else:
            saved = root_causes.create(actor=request.user, **fields)
        obj.pk = saved.pk
        obj.refresh_from_db()

    @admin.display(description="cases", ordering="case_count")
    def case_count(self, root_cause):
        return root_cause.case_count


@admin.register(ExchangeRate)
class ExchangeRateAdmin(RefusalOnPageMixin, admin.ModelAdmin):
    """Managers keep the rates here; every write goes through `cases.gestures.rates`, which checks them."""

    list_display = ("currency", "units_per_base", "as_of", "updated_by", "updated_at")
    search_fields = ("currency",)
    fields = ("currency", "units_per_base", "as_of")
    list_select_related = ("updated_by",)

    def get_readonly_fields(self, request, obj=None):
        return ("currency",) if obj else ()

    def save_model(self, request, obj, form, change):
        saved = rates.set_rate(
            actor=request.user,
            currency=obj.currency,
            units_per_base=form.cleaned_data["units_per_base"],
            as_of=form.cleaned_data["as_of"],
        )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        rates.remove_rate(actor=request.user, currency=obj.currency)

    def delete_queryset(self, request, queryset):
        for rate in queryset:
            rates.remove_rate(actor=request.user, currency=rate.currency)


@admin.register(SLAPolicy)
class SLAPolicyAdmin(admin.ModelAdmin):
    list_display = ("severity", *policies.EDITABLE_FIELDS, "calendar")


@admin.register(Notification)
class NotificationAdmin(ViewOnlyAdmin):
    list_display = ("created_at", "recipient", "subject", "status", "attempts", "sent_at", "case")
    list_filter = ("status", "template")
    search_fields = ("recipient", "subject")
    list_select_related = ("case",)
    actions = ("retry_now",)

    @admin.action(description="Retry now")
    def retry_now(self, request, queryset):
        count = outbox.retry(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("Queued %(count)d email for sending.", "Queued %(count)d emails for sending.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone"]
    search_fields = ["name"]
    inlines = [OpeningHoursInline, HolidayInline]


@admin.register(SLAAlert)
class SLAAlertAdmin(ViewOnlyAdmin):
    """The audit of what the sweep sent; written only by the sweep."""

    list_display = ["case", "target", "level", "moment", "owner", "created_at"]
    list_filter = ["level", "target"]
    list_select_related = ["case", "owner"]
    raw_id_fields = ["case", "owner"]
