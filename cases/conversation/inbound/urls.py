from django.urls import path

from cases.conversation.inbound import views, webhooks

app_name = "inbound"

urlpatterns = [
    path("inbound/email/<slug:provider>/", webhooks.provider_inbound, name="provider"),
    path("cases/<str:reference>/messages/<int:message_id>/raw/", views.raw_message, name="raw"),
]
