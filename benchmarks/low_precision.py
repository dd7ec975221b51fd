"""docs/low_precision.md: ``python benchmarks/low_precision.py [--device cpu|cuda] [-o FILE] [--float32-proof]``.

Audits PyTorch's and JAX's kernels at every input of bfloat16 and float16 (symact.lowprec.report). With
``--float32-proof`` (or ``--proof-only``, replacing that section of an existing document), also checks lambdify's
float32 GELU and SiLU at every one of the 2^32 float32 inputs against an independent decision of each result (the
kernel's error bound, the series at 0 or the oracle) and reports the time and how many inputs each step decided.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from symact.lowprec.formats import FORMATS
from symact.lowprec.report import report


def float32_proof(name: str, chunk: int = 1 << 24, first: int = 0, stop: int = 1 << 32) -> str:
    """Every finite float32 input through lambdify's float32 path, compared with an independent decision of every
    result: the generic midpoint test on every float64 result (not lambdify's bit-pattern candidates), then the
    series at 0 or the oracle for those within the bound. Returns the table row; raises if they ever differ."""
    import symact
    from symact.lowprec.core import KERNEL_ABS, KERNEL_REL, certify, series_at_zero
    from symact.lowprec.formats import quantum
    from symact.oracle import mp_function

    fmt = FORMATS["float32"]
    f = symact.lambdify(name)
    oracle, series = mp_function(f.expr), series_at_zero(f.expr)
    counts = np.zeros(4, dtype=np.int64)  # bound, series, oracle, differing from the double rounded once
    lambdify_seconds = 0.0
    start = time.perf_counter()
    for lo in range(first, stop, chunk):
        x32 = np.arange(lo, lo + chunk, dtype=np.uint64).astype(np.uint32).view(np.float32)
        x32 = x32[np.isfinite(x32)]
        t0 = time.perf_counter()
        got = f(x32)
        lambdify_seconds += time.perf_counter() - t0
        x = x32.astype(np.float64)
        y = np.asarray(f(x), dtype=np.float64)
        with np.errstate(all="ignore"):
            q = quantum(fmt, y)
            near = ~(np.abs(y - (np.floor(y / q) + 0.5) * q) > KERNEL_REL * np.abs(y) + KERNEL_ABS)
            want = y.astype(np.float32)
        counts[0] += int((~near).sum())
        if near.any():
            done = certify(fmt, x[near], y[near], oracle, series=series)
            counts[1:3] += (done.by_series, done.by_oracle)
            decided = done.values.astype(np.float32)
            counts[3] += int((decided != want[near]).sum())
            want[near] = decided
        same = (got == want) | (np.isnan(got) & np.isnan(want))
        if not same.all():
            raise AssertionError(f"{name}: lambdify's float32 differs at {x32[~same][:5]}")
    seconds = time.perf_counter() - start
    return (f"| {name} | {seconds:.0f} | {lambdify_seconds:.0f} | {counts[0]:,} | {counts[1]:,} | {counts[2]:,} | "
            f"{counts[3]:,} |")


PROOF_HEADING = "## Float32: every input"


def proof_section() -> str:
    text = (f"\n{PROOF_HEADING}\n\nlambdify's float32 results at every finite float32 input (2³² − 2²⁴ "
            "of them) equal an independent decision of each: the float64 kernel's result is decided by its "
            "error bound (2⁻⁴⁰ relative) where no midpoint of float32 lies within it, else by the series at 0 "
            "(the ties of x/2 among subnormal results) or by the mpmath oracle. The last column counts results "
            "where the correctly rounded value is not the double rounded once (double rounding). Seconds: the "
            "whole sweep, and lambdify's float32 calls alone.\n\n"
            "| function | seconds | lambdify | by the bound | by the series | by the oracle | "
            "not the double rounded once |\n|---|---:|---:|---:|---:|---:|---:|\n")
    for name in ("gelu", "silu"):
        print(f"float32 proof: {name}", file=sys.stderr, flush=True)
        text += float32_proof(name) + "\n"
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("-o", "--output", default="docs/low_precision.md")
    parser.add_argument("--float32-proof", action="store_true", help="also sweep every float32 input (~30 min)")
    parser.add_argument("--proof-only", action="store_true",
                        help="only the float32 sweep, replacing that section of an existing --output")
    args = parser.parse_args()
    out = Path(args.output)
    if args.proof_only:
        text = out.read_text(encoding="utf-8").split(f"\n{PROOF_HEADING}\n")[0]
    else:
        text = report(device=args.device, progress=lambda s: print(s, file=sys.stderr, flush=True))
    if args.float32_proof or args.proof_only:
        text = text.rstrip("\n") + "\n" + proof_section()
    out.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
