from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from cases.devdata import demo
from recovery.errors import NotPermitted

CONFIRM = "--i-know-this-is-not-production"


class Command(BaseCommand):
    help = "Create the demo logins and, once, demo customers, feedback and cases. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            CONFIRM,
            action="store_true",
            dest="not_production",
            help="create the demo logins even with DEBUG off (never on a production database)",
        )

    def handle(self, *args, **options):
        try:
            summary = demo.seed(outside_debug=options["not_production"])
        except NotPermitted as refused:
            raise CommandError(
                f"{refused} Nothing was created. Run with DEBUG=1 (as `make run` does), or pass {CONFIRM} "
                "if this database is not production."
            ) from refused
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
