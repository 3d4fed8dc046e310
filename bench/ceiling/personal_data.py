"""The benchmark's bare table (installed only with MEND_BENCH_CEILING) holds generated rows."""

from bench.ceiling.models import CeilingRow
from recovery.personal_data import holds_none

holds_none(CeilingRow, why="synthetic rows written by the benchmark, never a real customer")
