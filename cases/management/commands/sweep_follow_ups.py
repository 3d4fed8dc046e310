from django.core.management.base import BaseCommand
from django.utils import timezone

from cases.follow_ups import sweep as follow_up_sweep


class Command(BaseCommand):
    help = "Run one follow-up sweep now: remind owners of follow-ups due, tell managers of those a day late."

    def handle(self, *args, **options):
        counts = follow_up_sweep.sweep(now=timezone.now())
        self.stdout.write(
            f"Follow-ups: {counts['reminded']} reminded, {counts['surveys']} surveys sent, "
            f"{counts['escalated']} escalated."
        )
