import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from feedback import data_subject
from recovery.errors import MendError


class Command(BaseCommand):
    help = (
        "A customer's data rights: `export` prints everything about them as JSON; `erase` anonymises them "
        "(counts stay). Both are audited under --actor, who must be a manager."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("external_id")
        parser.add_argument("--actor", required=True, help="username of the manager asking (audited)")

    def handle(self, *args, action, external_id, actor, **options):
        user = get_user_model().objects.filter(username=actor, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named '{actor}'.")
        try:
            customer = data_subject.find_customer(external_id)
            if action == "export":
                exported = data_subject.export(customer_id=customer.pk, actor=user, via="command")
                self.stdout.write(json.dumps(exported, cls=DjangoJSONEncoder, indent=2))
            else:
                erased = data_subject.erase(customer_id=customer.pk, actor=user, via="command")
                self.stdout.write(f"Erased customer {erased.pk}; now known as {erased.external_id}.")
        except MendError as exc:
            raise CommandError(exc.message) from exc
