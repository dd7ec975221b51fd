"""docs/low_precision.md: ``python benchmarks/low_precision.py [--device cpu|cuda] [-o FILE] [--float32-proof]``.

Audits PyTorch's and JAX's kernels at every input of bfloat16 and float16 (symact.lowprec.report). With
``--float32-proof``, also proves lambdify's float32 GELU and SiLU correctly rounded at every one of the 2^32
float32 inputs (each result decided by the kernel's error bound, the series at 0 or the oracle, then compared with
the float64 result rounded once) and reports the time and how many inputs each step decided.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from symact.lowprec.core import NarrowRounder
from symact.lowprec.formats import FORMATS
from symact.lowprec.report import report


def float32_proof(name: str, chunk: int = 1 << 24) -> str:
    """Every float32 input of ``name`` through lambdify's float32 path, counted by how it was decided."""
    import symact
    from symact.lowprec.core import KERNEL_ABS, KERNEL_REL, certify, series_at_zero
    from symact.oracle import mp_function

    fmt = FORMATS["float32"]
    f = symact.lambdify(name)
    expr = f.expr
    oracle, series = mp_function(expr), series_at_zero(expr)
    start = time.perf_counter()
    counts = np.zeros(3, dtype=np.int64)
    changed = 0
    for lo in range(0, 1 << 32, chunk):
        bits = np.arange(lo, lo + chunk, dtype=np.uint64).astype(np.uint32)
        x = bits.view(np.float32).astype(np.float64)
        x = x[np.isfinite(x)]
        y = np.asarray(f(x), dtype=np.float64)
        q = np.ldexp(1.0, np.maximum(np.frexp(y)[1] - 1, fmt.emin) - (fmt.p - 1))
        with np.errstate(all="ignore"):
            near = ~(np.abs(y - (np.floor(y / q) + 0.5) * q) > KERNEL_REL * np.abs(y) + KERNEL_ABS)
        counts[0] += int((~near).sum())
        if near.any():
            done = certify(fmt, x[near], y[near], oracle, series=series)
            counts[1] += done.by_series
            counts[2] += done.by_oracle
            changed += int((done.values != y[near].astype(np.float32).astype(np.float64)).sum())
    seconds = time.perf_counter() - start
    assert NarrowRounder  # the class lambdify uses for this path
    return (f"| {name} | {seconds:.0f} | {counts[0]:,} | {counts[1]:,} | {counts[2]:,} | {changed:,} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("-o", "--output", default="docs/low_precision.md")
    parser.add_argument("--float32-proof", action="store_true", help="also sweep every float32 input (minutes)")
    args = parser.parse_args()
    text = report(device=args.device, progress=lambda s: print(s, file=sys.stderr, flush=True))
    if args.float32_proof:
        text += ("\n## Float32: every input\n\nlambdify's float32 path for every finite float32 input: the float64 "
                 "kernel's result is decided by its error bound (2^-40 relative), by the series at 0 (ties of x/2 "
                 "among subnormal results) or by the mpmath oracle; the last column counts results that differ "
                 "from the float64 value rounded once (double rounding).\n\n"
                 "| function | seconds | by the bound | by the series | by the oracle | not the double rounded once |\n"
                 "|---|---:|---:|---:|---:|---:|\n")
        for name in ("gelu", "silu"):
            print(f"float32 proof: {name}", file=sys.stderr, flush=True)
            text += float32_proof(name) + "\n"
    Path(args.output).write_text(text, encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
