from django.urls import path

from recovery.two_factor import views

urlpatterns = [
    path("login/code/", views.code_step, name="two-factor-code"),
    path("account/two-factor/", views.enrol, name="two-factor"),
]
