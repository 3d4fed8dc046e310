from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self):
        from recovery.accounts import ensure_role_groups

        post_migrate.connect(ensure_role_groups, sender=self, dispatch_uid="back-office-roles")
