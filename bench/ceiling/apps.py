from django.apps import AppConfig


class CeilingConfig(AppConfig):
    """A bare DRF endpoint over one table: the fastest this stack goes here, for benchmark ratios.

    Installed only when MEND_BENCH_CEILING=1, so production schemas never carry its table.
    """

    name = "bench.ceiling"
    label = "bench_ceiling"
