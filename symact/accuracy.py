"""The ulp harness: how far a lowered function is from the exact value, on a standard grid.

The oracle is mpmath at 60 digits (raised further where the expression cancels, see
:func:`symact.oracle.exact_value`), with Φ, φ, σ and softplus evaluated by mpmath's own
``ncdf``/``npdf``/``log1p`` so that the oracle itself does not cancel. Errors are in units in the
last place (ulp) of the exact value for float64, and of the correctly rounded float32 value for
float32. The target (≤ 2 ulp in float64, ≤ 1 ulp in float32) applies where the exact value is a
normal number; elsewhere (zero, subnormal, overflow) the result must equal the correctly rounded
value or its limit, and NaN must propagate.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import mpmath as mp
import numpy as np
import sympy as sp

from . import oracle
from .evaluate import lambdify
from .kernels.numpy import NumericFunction
from .registry import Activation
from .symbolic.calculus import ActOrExpr, limits_at_infinity, resolve


def standard_grid(dtype: Any = np.float64, *, dense_step: float = 0.01, tail_points: int = 300) -> np.ndarray:
    """Dense [−40, 40], tails out to ±max, small and subnormal magnitudes, ±0, ±inf and NaN."""
    fi = np.finfo(dtype)
    dense = np.arange(-40.0, 40.0 + dense_step / 2, dense_step)
    with np.errstate(over="ignore"):  # geomspace's last power may round past max; clip it back
        tails = np.minimum(np.geomspace(40.0, float(fi.max), tail_points), float(fi.max))
    small = np.geomspace(float(fi.tiny), 1.0, max(tail_points // 5, 10))
    sub = np.array([float(fi.smallest_subnormal), float(fi.smallest_subnormal) * 7, float(fi.tiny) / 3])
    magnitudes = np.concatenate([tails, small, sub])
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan])
    with np.errstate(over="ignore"):
        return np.concatenate([dense, magnitudes, -magnitudes, special]).astype(dtype)


def _round_to(value: mp.mpf, dtype: Any) -> float:
    """Correctly rounded to ``dtype`` (including overflow to inf and gradual underflow)."""
    fi = np.finfo(dtype)
    if value == 0 or not mp.isfinite(value):
        return float(value)
    bits = fi.nmant + 1
    if abs(value) < fi.tiny:  # subnormal: a fixed quantum
        q = mp.mpf(float(fi.smallest_subnormal))
        return float(mp.nint(value / q) * q)
    with mp.workprec(bits):
        r = +value
    return float(np.asarray(float(r)).astype(dtype)) if abs(r) <= fi.max else float(mp.sign(r) * mp.inf)


def ulp_of(value: mp.mpf, dtype: Any) -> mp.mpf:
    """The spacing of ``dtype`` numbers at ``value`` (a normal number)."""
    _, e = mp.frexp(value)
    return mp.ldexp(1, int(e) - (np.finfo(dtype).nmant + 1))


@dataclass(frozen=True)
class Report:
    """Accuracy of one function in one dtype on a grid."""

    name: str
    dtype: str
    max_ulp: float
    median_ulp: float
    worst_x: float
    normal_points: int
    special_failures: tuple[str, ...]
    warnings: tuple[str, ...]
    subnormal_error: float
    """max |error| where the exact value is subnormal, in units of the smallest subnormal (no target)."""
    cancellation_excess: float
    """max over the grid of error / (eps · Σ|terms|): ≤ 2 means no worse than cancellation forces."""

    def meets(self, ulps: float) -> bool:
        return self.max_ulp <= ulps and not self.special_failures and not self.warnings


def _abs_terms(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every sum replaced by the sum of absolute values of its terms."""
    if expr.is_Atom:
        return expr
    args = [_abs_terms(a) for a in expr.args]
    if expr.is_Add:
        return sp.Add(*[sp.Abs(a) for a in args])
    if isinstance(expr, sp.Piecewise):
        return sp.Piecewise(*args, evaluate=False)
    return expr.func(*args)


@lru_cache(maxsize=256)
def _exact_values(expr: sp.Expr, grid_key: tuple[float, ...], dps: int) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    f, scale = oracle.exact(expr), oracle.exact(_abs_terms(expr))
    with mp.workdps(dps):
        exact = tuple(_defined(f, v) if np.isfinite(v) else None for v in grid_key)
        sums = tuple(_defined(scale, v) if np.isfinite(v) else None for v in grid_key)
    return exact, sums


def _defined(f: Callable[[Any], Any], v: float) -> Any:
    """f(v), or None where the expression has no value (a pole such as 1/x at 0: not measured)."""
    try:
        return f(v)
    except (ZeroDivisionError, ValueError, OverflowError):
        return None


def measure(obj: ActOrExpr | NumericFunction, *, derivative: int = 0, dtype: Any = np.float64,
            grid: np.ndarray | None = None, func: Callable[[np.ndarray], np.ndarray] | None = None,
            name: str | None = None, dps: int = 60, **params: Any) -> Report:
    """Measure ``func`` (default: our lowered function of ``obj``) against the exact values.

    ``func`` may be any array function, e.g. a framework's kernel, to compare on the same grid.
    """
    expr = resolve(obj, derivative, params)
    dtype = np.dtype(dtype)
    grid = standard_grid(dtype) if grid is None else np.asarray(grid, dtype)
    # a registered activation by name: the function lambdify gives for it (root-aware), not for its bare expression
    func = func or (lambdify(obj, derivative=derivative, **params) if isinstance(obj, (str, Activation))
                    else lambdify(expr))
    caught: list[str] = []
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        got = np.asarray(func(grid))
        caught = sorted({f"{w.category.__name__}: {w.message}" for w in record})
    exact, sums = _exact_values(expr, tuple(float(v) for v in grid.astype(np.float64)), dps)
    limits = limits_at_infinity(expr)
    fi = np.finfo(dtype)
    eps = mp.mpf(float(fi.eps))
    errors, worst, excess, subnormal = [], (0.0, float("nan")), 0.0, 0.0
    failures: list[str] = []
    for v, g, e, s in zip(grid, got, exact, sums, strict=True):
        v, g = float(v), float(g)
        if np.isnan(v):
            if not np.isnan(g):
                failures.append(f"nan -> {g}")
            continue
        if np.isinf(v):
            want = float(np.asarray(limits[1] if v > 0 else limits[0]).astype(dtype))
            if not (g == want or (np.isnan(want) and np.isnan(g))):
                failures.append(f"{v} -> {g} (limit {want})")
            continue
        if e is None:  # undefined there (a pole): no exact value to compare with
            continue
        if not (abs(e) >= fi.tiny and abs(e) <= fi.max):
            want = _round_to(e, dtype)
            if 0 < abs(e) < fi.tiny:
                subnormal = max(subnormal, abs(g - want) / float(fi.smallest_subnormal))
            elif g != want:
                failures.append(f"{v!r} -> {g!r} (correctly rounded {want!r})")
            continue
        if dtype == np.float32:
            ref = mp.mpf(_round_to(e, dtype))
            err = abs(mp.mpf(g) - ref) / ulp_of(ref, dtype) if mp.isfinite(mp.mpf(g)) else mp.inf
        else:
            err = abs(mp.mpf(g) - e) / ulp_of(e, dtype) if np.isfinite(g) else mp.inf
        err_f = float(err)
        errors.append(err_f)
        if err_f > worst[0]:
            worst = (err_f, v)
        if s:
            ratio = float(abs(mp.mpf(g) - e) / (eps * s)) if np.isfinite(g) else float("inf")
            excess = max(excess, ratio)
    return Report(name or f"{sp.sstr(expr)[:40]}", dtype.name, worst[0], float(np.median(errors)) if errors else 0.0,
                  worst[1], len(errors), tuple(failures[:10]), tuple(caught), subnormal, excess)


__all__ = ["Report", "measure", "standard_grid", "ulp_of"]
