"""Customers may be corrected here; feedback is shown only, because it is never edited after intake."""

from django.contrib import admin

from feedback.models import Customer, DataSubjectRequest, Feedback
from recovery.admin_base import ViewOnlyAdmin


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("external_id", "name", "email", "phone", "segment", "contact_opt_out", "created_at")
    list_filter = ("segment", "contact_opt_out")
    search_fields = ("external_id", "name", "email", "phone")
    show_full_result_count = False


@admin.register(Feedback)
class FeedbackAdmin(ViewOnlyAdmin):
    """Feedback arrives through intake, which triages it and keeps it idempotent."""

    list_display = ("received_at", "customer", "channel", "sentiment", "rating", "nps", "touchpoint", "case")
    list_filter = ("sentiment", "channel", "rating")
    search_fields = ("comment", "customer__name", "customer__email", "customer__external_id")
    list_select_related = ("customer", "case")
    show_full_result_count = False


@admin.register(DataSubjectRequest)
class DataSubjectRequestAdmin(ViewOnlyAdmin):
    """The audit of exports and erasures: written by `feedback.data_subject`, never edited."""

    list_display = ("created_at", "kind", "customer_id", "actor_username", "via")
    list_filter = ("kind", "via")
