"""`/webhooks/` pages, included into the workspace's URLs (namespace `workspace`)."""

from django.urls import path

from cases.webhooks import views

urlpatterns = [
    path("", views.webhook_list, name="webhooks"),
    path("new/", views.webhook_new, name="webhook-new"),
    path("<int:webhook_id>/", views.webhook_page, name="webhook"),
    path("<int:webhook_id>/delete/", views.webhook_delete, name="webhook-delete"),
    path(
        "<int:webhook_id>/deliveries/<int:delivery_id>/resend/", views.delivery_resend, name="webhook-resend"
    ),
]
