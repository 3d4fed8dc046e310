import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from cases.devdata import load


def fraction(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = "Bulk-generate realistic cases, feedback and customers for benchmarks (COPY on PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True, help="how many cases (one feedback each)")
        parser.add_argument("--open-only", action="store_true", help="no closed cases")
        parser.add_argument(
            "--due-fraction",
            type=fraction,
            default=0.1,
            help="share of cases whose running SLA target is already past (default 0.1); all others "
            "have it ahead",
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--batch-size", type=int, default=load.BATCH_SIZE)

    def handle(self, *args, cases, open_only, due_fraction, seed, batch_size, **options):
        if cases < 1 or batch_size < 1:
            raise CommandError("--cases and --batch-size must be at least 1.")
        self.verbosity = options["verbosity"]
        started = time.monotonic()
        result = load.generate(
            cases=cases,
            open_only=open_only,
            due_fraction=due_fraction,
            seed=seed,
            batch_size=batch_size,
            on_batch=self.progress,
        )
        self.stdout.write(
            ngettext("Loaded %(cases)d case", "Loaded %(cases)d cases", result.cases)
            % {"cases": result.cases}
            + f", {result.cases} feedback and "
            + ngettext("%(count)d customer", "%(count)d customers", result.customers)
            % {"count": result.customers}
            + f" in {time.monotonic() - started:.1f} s."
        )

    def progress(self, done: int) -> None:
        if self.verbosity >= 2:
            self.stdout.write("  " + ngettext("%(count)d case", "%(count)d cases", done) % {"count": done})
