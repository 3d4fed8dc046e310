from django.urls import path

from recovery.api_tokens import views

urlpatterns = [
    path("account/api-tokens/", views.token_list, name="api-tokens"),
    path("account/api-tokens/<str:prefix>/revoke/", views.revoke, name="api-token-revoke"),
]
