from django.core.management.base import BaseCommand

from cases.at_risk import services as at_risk


class Command(BaseCommand):
    help = "Score the customers who could be at risk and have no score yet (once, after installing)."

    def handle(self, *args, **options):
        scored = at_risk.backfill()
        self.stdout.write(f"Scored {scored} customers.")
