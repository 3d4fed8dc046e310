from django.core.management.base import BaseCommand, CommandError

from recovery import accounts
from recovery.errors import MendError
from recovery.roles import Role

ROLES = {"agent": Role.AGENT, "manager": Role.MANAGER, "intake": Role.INTAKE}


class Command(BaseCommand):
    help = "Put a user in a Mend role and print only its API token key (for scripts: KEY=$(...))."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(ROLES))
        parser.add_argument("--create", action="store_true", help="create the user if it does not exist")
        parser.add_argument(
            "--trusted",
            action="store_true",
            help="intake: may change, or fill where blank, a known customer's name, email or phone",
        )

    def handle(self, *args, username, role, create, trusted, **options):
        try:
            key = accounts.issue_token(username=username, role=ROLES[role], create=create, trusted=trusted)
        except MendError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(key)
