from django.apps import AppConfig
from django.contrib.auth.signals import user_login_failed


class SignInConfig(AppConfig):
    name = "recovery.sign_in"
    label = "sign_in"

    def ready(self):
        from recovery.sign_in.spraying import count_failed_sign_in

        # Every failed sign-in, whichever form asked (/login/, /admin/login/), counts for its address.
        user_login_failed.connect(count_failed_sign_in, dispatch_uid="mend-sign-in-spraying")
