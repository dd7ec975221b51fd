"""benchmarks/bench.py runs from its documented command line (the README's full run takes 13 minutes, so the test
times one entry): the speed table's rows are complete, and its ratios are the quotients of its own columns."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# an optional extra: without it the torch columns are dashes (found, not imported: collection stays fast)
TORCH = importlib.util.find_spec("torch") is not None


def _cells(row: str) -> list[str]:
    return [c.strip().strip("*") for c in row.strip().strip("|").split("|")]


def _is_quotient(shown: float, a: float, b: float) -> bool:
    """Whether ``shown`` (two decimals) is a/b of the unrounded times behind the two-decimal cells a and b: each
    cell is off by ≤ 0.005, so a/b's relative error is ≤ 0.005/a + 0.005/b, and the quotient's own rounding 0.005."""
    q = a / b
    return abs(shown - q) <= 0.005 + q * (0.005 / a + 0.005 / b) + 1e-9


@pytest.mark.slow
def test_speed_table_of_one_entry():
    run = subprocess.run([sys.executable, "benchmarks/bench.py", "--speed", "--quick", "--only", "sigmoid"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.splitlines()
    header = _cells(next(line for line in lines if line.startswith("| function")))
    rows = [_cells(line) for line in lines if line.startswith("| sigmoid")]
    # σ and σ' at 10⁶ and 10⁷
    assert [(r[0], r[1]) for r in rows] == [("sigmoid", "1e+06"), ("sigmoid'", "1e+06"),
                                            ("sigmoid", "1e+07"), ("sigmoid'", "1e+07")], rows
    col = {name: i for i, name in enumerate(header)}
    for r in rows:
        default, textbook = float(r[col["default (ms)"]]), float(r[col["textbook NumPy (ms)"]])
        assert default > 0 and textbook > 0
        # the printed ratio is default / textbook, from the unrounded times: within the cells' rounding
        assert _is_quotient(float(r[col["default / textbook"]]), default, textbook), r
        for name in ("numba backend (ms)", "NumPy kernels only (ms)", "fast=True (ms)"):
            assert float(r[col[name]]) > 0, (name, r)
        if TORCH and not r[0].endswith("'"):  # torch has σ, not σ': its columns are timed for the value
            one = float(r[col["torch 1 thread (ms)"]])
            assert one > 0 and float(r[col["torch default (ms)"]]) > 0, r
            assert _is_quotient(float(r[col["default / torch 1 thread"]]), default, one), r
