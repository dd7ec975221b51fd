"""Root-aware evaluation: the simple roots of an expression in x on [−40, 40], each with the Taylor data that
evaluates the expression near it to full relative precision (the ``near_root`` lowered function).

Near a root of f' (GELU' at −0.752, SiLU' at −1.278, Mish' at −1.193) the derivative's formula is a sum of terms
~1 that cancel to ~x − r: its rounding errors stay ~1e-16 while the value goes to 0, so the relative error grows
without bound (SiLU' 593 ulp at −1.28002, ~10¹⁶ ulp at the double nearest the root). There f(x) = Σ cₖ(x − r)ᵏ
with x − r exact is accurate to ~0.6 ulp. This module finds r (sign changes of the textbook formula on a fine
grid, refined by mpmath at 50 digits), the coefficients (mpmath's Taylor expansion at 60 digits) and the
window w in which the polynomial of the chosen degree matches f to 2⁻⁶⁰ relative, checked against mpmath at 17
points across it (a kink or a nearby singularity shrinks the window, or rules the root out).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import mpmath as mp
import numpy as np
import sympy as sp
from sympy.printing.numpy import NumPyPrinter

from .functions import to_elementary
from .lowering.ir import meaning
from .oracle import mp_function
from .symbols import x

SCAN = (-40.0, 40.0, 1 / 256)
"""Where roots are looked for: [−40, 40] in steps of 1/256 (every built-in root lies within [−3, 0))."""

# erf and erfc from the standard library: finding sign changes needs no SciPy, whose import (0.15 s) would be
# most of a cached kernel's first call
_SCAN_FUNCTIONS = {"erf": np.vectorize(math.erf, otypes=[float]), "erfc": np.vectorize(math.erfc, otypes=[float])}

DEGREE = 32
"""Taylor coefficients computed; the patch keeps as many as its window needs."""


@dataclass(frozen=True)
class RootPatch:
    """f(x) = Σₖ cₖ(x − r)ᵏ for |x − root| < width, r = root + root_lo; coeffs = (c₁ hi, c₁ lo, c₂, …, cₙ)."""

    root: float
    root_lo: float
    width: float
    coeffs: tuple[float, ...]

    def args(self) -> tuple[float, ...]:
        return (self.root, self.root_lo, self.width, *self.coeffs)


def _split(v: mp.mpf) -> tuple[float, float]:
    hi = float(v)
    return hi, float(v - mp.mpf(hi))


def _patch(f: object, r: mp.mpf) -> RootPatch | None:
    with mp.workdps(60):
        c = mp.taylor(f, r, DEGREE)
    if abs(c[1]) < mp.mpf(2) ** -40:  # a double root: not handled (none among the built-in entries)
        return None
    # ≤ |r|/2 keeps x − r_hi exact (Sterbenz); |r|/3 keeps the c₂ term small next to c₁'s (≤ 1.6 ulp at the edge)
    width = min(abs(float(r)) / 3, 1.0)
    while width > 1e-4:
        tail = [k for k in range(2, DEGREE + 1) if abs(c[k]) * mp.mpf(width) ** (k - 1) > mp.mpf(2) ** -62 * abs(c[1])]
        n = max(tail, default=1)
        if n < DEGREE - 4 and _matches(f, r, c[: n + 1], width):
            r_hi, r_lo = _split(r)
            c1_hi, c1_lo = _split(c[1])
            return RootPatch(r_hi, r_lo, width, (c1_hi, c1_lo, *(float(ck) for ck in c[2: n + 1])))
        width /= 2
    return None


def _matches(f: object, r: mp.mpf, c: list[mp.mpf], width: float) -> bool:
    """The polynomial equals f to 2⁻⁶⁰ relative at 17 points across the window (a kink or pole inside fails)."""
    with mp.workdps(50):
        for t in np.linspace(-width, width, 17):
            if t == 0:
                continue
            d = mp.mpf(float(t)) * (1 - mp.mpf(2) ** -30)
            want = f(r + d)  # type: ignore[operator]
            got = mp.fsum(ck * d**k for k, ck in enumerate(c) if k)
            if not abs(got - want) <= mp.mpf(2) ** -60 * abs(want):
                return False
    return True


@lru_cache(maxsize=512)
def root_patches(expr: sp.Expr) -> tuple[RootPatch, ...]:
    """The patches for ``expr`` (an expression in x with numbers for parameters): one per simple root away from 0
    (at 0 the built-in formulas are products, exact in relative terms) that :func:`_patch` can certify."""
    if not expr.has(x) or expr.free_symbols - {x}:
        return ()
    # modules="numpy" would load sympy's whole NumPy namespace (0.05 s, on every fresh process's first lambdify)
    textbook = sp.lambdify(x, to_elementary(meaning(expr)), [{**_SCAN_FUNCTIONS, "numpy": np}],
                           printer=NumPyPrinter({"user_functions": {name: name for name in _SCAN_FUNCTIONS}}))
    lo, hi, step = SCAN
    xs = np.arange(lo, hi + step, step)
    with np.errstate(all="ignore"):
        try:
            ys = np.asarray(np.broadcast_to(textbook(xs), xs.shape), dtype=np.float64)
        except (TypeError, ValueError, ZeroDivisionError, NameError):
            return ()  # not evaluable as NumPy code: no patch (the expression is still evaluated as before)
    signs = np.sign(ys)
    brackets = np.flatnonzero((signs[:-1] * signs[1:] < 0) & np.isfinite(ys[:-1]) & np.isfinite(ys[1:]))
    f = mp_function(expr)
    patches = []
    for i in brackets:
        a, b = float(xs[i]), float(xs[i + 1])
        if a <= 0 <= b or min(abs(a), abs(b)) < 1e-3:
            continue
        try:
            with mp.workdps(50):
                r = mp.findroot(f, (mp.mpf(a), mp.mpf(b)), solver="anderson")
                if not (a <= r <= b) or abs(f(r)) > mp.mpf(10) ** -45:
                    continue  # a jump, not a root
        except (ValueError, ZeroDivisionError):
            continue
        patch = _patch(f, r)
        if patch is not None:
            patches.append(patch)
    return tuple(patches)


__all__ = ["DEGREE", "SCAN", "RootPatch", "root_patches"]
