from django.core.management.base import BaseCommand
from django.utils import timezone

from cases.sla import sweep as sla_sweep


class Command(BaseCommand):
    help = "Run one SLA sweep now: warn, mark breaches and escalate (what beat runs every minute)."

    def handle(self, *args, **options):
        counts = sla_sweep.sweep(now=timezone.now())
        self.stdout.write(" ".join(f"{name}={count}" for name, count in counts.items()))
