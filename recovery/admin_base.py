"""What the back offices of every app share."""

from django.contrib import admin


class ViewOnlyAdmin(admin.ModelAdmin):
    """For rows written by services: the admin shows them and lets nobody add, edit or delete them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
