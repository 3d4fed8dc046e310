from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from cases.devdata import demo


class Command(BaseCommand):
    help = "Create the demo logins and, once, demo customers, feedback and cases. Safe to run again."

    def handle(self, *args, **options):
        summary = demo.seed()
        if summary.created:
            self.stdout.write(self.style.SUCCESS("Demo data created."))
        else:
            self.stdout.write("Demo data already present; nothing added.")
        self.stdout.write(
            "  "
            + ngettext("%(count)d customer", "%(count)d customers", summary.customers)
            % {"count": summary.customers}
            + f", {summary.feedback} feedback, "
            + ngettext("%(count)d recovery case", "%(count)d recovery cases", summary.cases)
            % {"count": summary.cases}
        )
        self.stdout.write("Demo logins (username / password):")
        for login in demo.DEMO_LOGINS:
            role = login.role or "superuser, for /admin/"
            self.stdout.write(f"  {login.username:<8} / {login.password:<16} {role}")
