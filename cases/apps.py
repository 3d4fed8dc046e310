from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self):
        from recovery.accounts import grant_back_office_permissions

        post_migrate.connect(grant_back_office_permissions, sender=self, dispatch_uid="back-office-roles")
