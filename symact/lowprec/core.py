"""Correct rounding from float64 kernels: proved where the kernel's error bound decides, the oracle elsewhere.

A float64 result ``y`` with error at most ``bound(y)`` rounds to the same value of a narrow format as the
exact result unless a midpoint between two neighbours of the format lies within ``bound(y)`` of ``y``. Only
those inputs are decided again, first by the Taylor series at 0 (vectorized: the ties of x/2 at tiny x,
about half of all subnormal float32 results of GELU and SiLU), then by the mpmath oracle at rising precision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from ..budget import attempt
from ..errors import UndecidedError
from ..functions import to_elementary
from ..kernels.ddmath import dekker
from ..kernels.numpy import NUMPY_NAMESPACE
from ..oracle import exact_value, mp_function
from ..symbols import x
from .formats import Format, finish, quantum, round_float64, round_mp

KERNEL_REL = 2.0**-40
"""The relative error bound assumed of the float64 kernels symact certifies: values and first derivatives of the
registered activations, ≤ 10 ulp (2^-49.7) wherever measured (benchmarks/RESULTS.md, the accuracy tests' grids
and seeded sweeps), so 2^-40 leaves a factor of ~800."""
KERNEL_ABS = 2.0**-1060
"""Plus this absolute error: results in float64's subnormal range (every narrow format rounds them to 0)."""
TINY = 2.0**-60
"""Below this |x| the series at 0 decides: three terms leave a remainder below 2^-180 relative."""


@dataclass(frozen=True)
class Series0:
    """f(x) = c1·x + c2·x² + c3·x³ + O(x⁴) at 0 (f(0) = 0): c1 as a double-double (hi, lo) with ``c1_err`` ≥
    |c1 − hi − lo|, the others as doubles."""

    c1: tuple[float, float]
    c2: float
    c3: float
    c4: float
    c1_err: float = 0.0

    @classmethod
    def of(cls, expr: sp.Expr) -> Series0 | None:
        """From SymPy's series at 0 (exact coefficients) where it comes within a second; None where f(0) ≠ 0."""
        try:
            with attempt(1.0, "the series at 0"):
                poly = sp.series(to_elementary(expr), x, 0, 5).removeO()
        except (UndecidedError, ValueError, TypeError, NotImplementedError, ArithmeticError):
            return None
        c = [poly.coeff(x, k) if k else poly.subs(x, 0) for k in range(5)]
        if any(not v.is_number for v in c) or sp.N(c[0], 50) != 0:
            return None
        exact = [sp.N(v, 60) for v in c]
        hi = float(exact[1])
        lo = float(exact[1] - sp.Float(hi, 60))
        err = abs(sp.N(c[1] - sp.Rational(hi) - sp.Rational(lo), 30))
        return cls((hi, lo), float(exact[2]), float(exact[3]), float(exact[4]), 2 * float(err))


@dataclass
class Certified:
    """The rounded values (float64, exponent unbounded) and how many inputs each step decided."""

    values: np.ndarray
    by_bound: int
    by_series: int
    by_oracle: int


def _by_series(fmt: Format, s: Series0, x: np.ndarray, mid: np.ndarray, q: np.ndarray) -> np.ndarray:
    """+q/2 or −q/2 (the rounded value relative to ``mid``) where the series decides the side; NaN elsewhere."""
    p, e = dekker(NUMPY_NAMESPACE, x, s.c1[0])
    terms = [p - mid, e, s.c1[1] * x, s.c2 * x * x, s.c3 * x * x * x]
    d = terms[0] + terms[1] + terms[2] + terms[3] + terms[4]
    # rounding of each term (2^-53 each, 2^-50 taken), c1's double-double, the remainder after x³
    err = 2.0**-50 * sum(np.abs(t) for t in terms) + s.c1_err * np.abs(x) + 4 * abs(s.c4) * x**4 + 2.0**-1070
    side = np.where(d > err, 1.0, np.where(d < -err, -1.0, np.nan))
    # p − mid is exact only where p lies within a factor 2 of mid (Sterbenz): otherwise leave it to the oracle
    side[~((np.abs(p) <= 2 * np.abs(mid)) & (np.abs(mid) <= 2 * np.abs(p)))] = np.nan
    return side * q / 2


def near_midpoint(fmt: Format, y: np.ndarray, rel: float = KERNEL_REL) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(unsure, mid, q): where a midpoint ``mid`` of ``fmt``'s neighbours (spacing ``q``) lies within
    rel·|y| + KERNEL_ABS of ``y`` — NaN and inf results count as unsure."""
    with np.errstate(all="ignore"):
        q = quantum(fmt, y)
        mid = (np.floor(y / q) + 0.5) * q
        return ~(np.abs(y - mid) > rel * np.abs(y) + KERNEL_ABS), mid, q


def certify(fmt: Format, x: np.ndarray, y: np.ndarray, oracle: Callable[[Any], Any], *,
            rel: float = KERNEL_REL, series: Series0 | None = None,
            progress: Callable[[int], Callable[[int], Any] | None] | None = None) -> Certified:
    """``y`` (float64 results at float64 inputs ``x``, error ≤ rel·|y| + KERNEL_ABS) rounded correctly to ``fmt``.

    ``oracle`` is an mpmath function of x (plain, at the caller's precision; cancellation is handled by
    evaluating at rising precision); ``series`` the series at 0 for tiny inputs; ``progress(total)`` may return a
    function told how many of the oracle's ``total`` inputs are done.
    """
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    out = round_float64(fmt, y)
    unsure, mid, q = near_midpoint(fmt, y, rel)
    unsure &= np.isfinite(x)
    by_series = 0
    if series is not None and unsure.any():
        small = unsure & (np.abs(x) < TINY) & (x != 0)
        if small.any():
            side = _by_series(fmt, series, x[small], mid[small], q[small])
            done = ~np.isnan(side)
            idx = np.flatnonzero(small)[done]
            out[idx] = mid[idx] + side[done]
            unsure[idx] = False
            by_series = int(done.sum())
    todo = np.flatnonzero(unsure)
    step = progress(int(todo.size)) if progress is not None and todo.size else None
    for n, i in enumerate(todo):
        xi = mp.mpf(float(x[i]))

        def at(prec: int, xi: Any = xi) -> Any:
            with mp.workprec(prec):
                return exact_value(oracle, xi)

        with mp.workprec(64):
            v = at(64)
        r = round_mp(fmt, v, at_prec=at) if v != 0 else 0.0
        out[i] = np.copysign(0.0, y[i]) if r == 0 else r  # an exact zero keeps the kernel's sign
        if step is not None:
            step(n + 1)
    return Certified(out, int(x.size - todo.size - by_series), by_series, int(todo.size))




_ROUGH = (sp.Piecewise, sp.Heaviside, sp.Abs, sp.Max, sp.Min, sp.sign, sp.floor, sp.ceiling)


@lru_cache(maxsize=256)
def series_at_zero(expr: sp.Expr) -> Series0 | None:
    """The series that decides tiny inputs, for an expression analytic at 0 with value 0 there (else None)."""
    if expr.has(*_ROUGH) or expr.free_symbols - {x}:
        return None
    return Series0.of(expr)


class NarrowRounder:
    """Float32/float16/bfloat16/float8 input of a float64 function, returned correctly rounded to its own dtype.

    ``func`` evaluates float64 arrays (error ≤ :data:`KERNEL_REL`); ``expr`` is what it computes, for the
    oracle. Used by the NumPy backend for every narrow dtype :data:`symact.lowprec.formats.FORMATS` has.
    """

    def __init__(self, func: Callable[[np.ndarray], np.ndarray], expr: sp.Expr) -> None:
        self._func, self._expr = func, expr
        self._oracle: Callable[[Any], Any] | None = None

    def __call__(self, arr: np.ndarray, fmt: Format) -> np.ndarray:
        x64 = arr.astype(np.float64)
        y = np.ascontiguousarray(np.broadcast_to(np.asarray(self._func(x64), dtype=np.float64), x64.shape))
        with np.errstate(all="ignore"):
            out = y.astype(fmt.dtype)  # one rounding (NumPy's and ml_dtypes' conversions are to nearest, even)
        flat_y = y.reshape(-1)
        cand = candidates(fmt, flat_y)
        if cand.size:
            xs, ys = x64.reshape(-1)[cand], flat_y[cand]
            unsure = near_midpoint(fmt, ys)[0] & np.isfinite(xs)
            if unsure.any():
                if self._oracle is None:
                    self._oracle = mp_function(self._expr)
                done = certify(fmt, xs[unsure], ys[unsure], self._oracle, series=series_at_zero(self._expr))
                out.reshape(-1)[cand[unsure]] = finish(fmt, done.values)
        return out


def candidates(fmt: Format, y: np.ndarray) -> np.ndarray:
    """Indices of float64 results that may lie within :data:`KERNEL_REL` of a midpoint of ``fmt``: a superset, found
    from the bits. In the format's normal range a midpoint is a double whose 53 − p trailing significand bits are
    1000…0, and 2^-40·|y| is under 2^13 of y's ulps; results in the format's subnormal range (not 0) and
    non-finite ones are all candidates."""
    shift = 53 - fmt.p
    bits = y.view(np.uint64)
    low = (bits & np.uint64((1 << shift) - 1)).view(np.int64)
    low -= 1 << (shift - 1)
    near = np.abs(low) <= (1 << 13)
    with np.errstate(invalid="ignore"):
        near |= ~(np.abs(y) >= 2.0**fmt.emin) & (y != 0)  # subnormal targets, NaN
    return np.flatnonzero(near)

__all__ = ["KERNEL_ABS", "KERNEL_REL", "TINY", "Certified", "NarrowRounder", "Series0", "certify", "near_midpoint",
           "candidates", "series_at_zero"]
