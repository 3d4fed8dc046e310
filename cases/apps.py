from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate

from recovery.celery import app as celery_app


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self):
        from cases.metrics.percentiles import add_to_sqlite
        from recovery.accounts import ensure_role_groups

        # SQLite has no percentile aggregate: the dashboard's medians need ours on every connection.
        connection_created.connect(add_to_sqlite, dispatch_uid="sqlite-percentile")

        post_migrate.connect(ensure_role_groups, sender=self, dispatch_uid="back-office-roles")
        # Workers find every app's tasks through Celery's autodiscovery; do it in every process, so
        # `cases.tasks` has registered the outbox's dispatcher before the first email is queued.
        celery_app.autodiscover_tasks(force=True)
