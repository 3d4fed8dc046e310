from django.contrib import admin

from .models import BusinessCalendar, Holiday, OpeningHours, SLAAlert

# ---------------------------------------------------------------------------------------------------
# SLA clock (branch issue-sla-clock): business calendars, and the alerts the SLA sweep sent (read-only).
# SLAPolicy's `calendar` field appears wherever SLAPolicy is registered.
# ---------------------------------------------------------------------------------------------------


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
class SLAAlertAdmin(admin.ModelAdmin):
    """The audit of what the sweep sent; written only by the sweep, so nothing here is editable."""

    list_display = ["case", "target", "level", "moment", "owner", "created_at"]
    list_filter = ["level", "target"]
    list_select_related = ["case", "owner"]
    raw_id_fields = ["case", "owner"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
