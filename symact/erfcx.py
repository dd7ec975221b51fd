"""The scaled complementary error function erfcx(a) = e^{a²} erfc(a), a ≥ 0, to ~0.1 ulp.

SciPy's ``erfcx`` is 2–7 ulp off on [0, 4] (benchmarks/RESULTS.md), more than GELU's whole error
budget. Here erfcx is a table of Taylor expansions, one per interval of width 1/8 on [0, 32]:

    erfcx(c + t) = Σ aₙ tⁿ,  |t| ≤ 1/16,  a₀ = erfcx(c),  a₁ = 2c·a₀ − 2/√π,
    (n + 1)·aₙ₊₁ = 2c·aₙ + 2aₙ₋₁                (from erfcx' = 2a·erfcx − 2/√π)

The coefficients come from mpmath (the recurrence at 80 digits: it loses up to ~35 of them at c = 32)
the first time they are needed, so no number in this file is copied from anywhere. The value is
returned as hi + lo: a₀ in double-double plus t·(a₁ + t·(…)), a correction below a₀/10, so the
rounding of the correction's Horner evaluation costs ≤ 0.1 ulp. Beyond 32 the asymptotic series
1/(a√π)·Σ (−1)ⁿ(2n − 1)!!/(2a²)ⁿ is exact to double precision with 8 terms.
"""

from __future__ import annotations

import math
from functools import lru_cache

import mpmath
import numpy as np

WIDTH = 0.125
LIMIT = 32.0
DEGREE = 11  # enough for a truncation error below 2^-56 relative on every interval (tests check it)
_INTERVALS = int(LIMIT / WIDTH)
_ASYMPTOTIC_TERMS = 8


def taylor_coefficients(c: float, degree: int = DEGREE, dps: int = 80) -> list[mpmath.mpf]:
    """a₀ … a_degree of erfcx about ``c``, exact to ``dps`` digits less the recurrence's loss."""
    with mpmath.workdps(dps):
        c = mpmath.mpf(c)
        a = [mpmath.erfc(c) * mpmath.exp(c * c)]
        a.append(2 * c * a[0] - 2 / mpmath.sqrt(mpmath.pi))
        for n in range(1, degree):
            a.append((2 * c * a[n] + 2 * a[n - 1]) / (n + 1))
        return a


@lru_cache(maxsize=1)
def table() -> tuple[np.ndarray, np.ndarray]:
    """(C, a0_lo): C[n, k] is aₙ about the centre of interval k, rounded to float64; a0_lo[k] is
    the rounding error of C[0, k] (a₀ in double-double). Built once, in about 0.1 s."""
    coeffs = np.empty((DEGREE + 1, _INTERVALS))
    a0_lo = np.empty(_INTERVALS)
    for k in range(_INTERVALS):
        a = taylor_coefficients((k + 0.5) * WIDTH)
        coeffs[:, k] = [float(v) for v in a]
        a0_lo[k] = float(a[0] - mpmath.mpf(coeffs[0, k]))
    return coeffs, a0_lo


def erfcx_dd(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """erfcx(a) = hi + lo for an array ``a`` ≥ 0 (float64 or longdouble; NaN gives NaN)."""
    coeffs, a0_lo = table()
    a = np.asarray(a)
    inside = np.minimum(a, LIMIT)  # NaN stays NaN here (and in t) …
    k = np.fmin(inside * (1 / WIDTH), _INTERVALS - 1).astype(np.intp)  # … but fmin keeps it out of the cast
    t = inside - (k + 0.5) * WIDTH  # exact: the centre is a multiple of 1/16 within 1/16 of a
    buf = np.empty(a.shape)
    q = np.take(coeffs[DEGREE], k, mode="clip").astype(a.dtype)
    for n in range(DEGREE - 1, 0, -1):
        q *= t
        q += np.take(coeffs[n], k, out=buf, mode="clip")
    q *= t
    a0 = np.take(coeffs[0], k, mode="clip").astype(a.dtype)
    hi = a0 + q
    lo = (a0 - hi) + q  # two-sum with |q| < a0/8: exact
    lo += np.take(a0_lo, k, out=buf, mode="clip")
    big = a > LIMIT
    if big.any():
        hi[big], lo[big] = _asymptotic(a[big]), 0.0
    return hi, lo


def _asymptotic(a: np.ndarray) -> np.ndarray:
    inv = (0.5 / a) / a  # not 1/(2a²): a² overflows for a > 1e154
    total = np.zeros_like(a)
    for n in range(_ASYMPTOTIC_TERMS - 1, 0, -1):  # Horner in 1/(2a²): Σ (−1)ⁿ (2n−1)!! uⁿ
        total = -(2 * n - 1) * inv * (1 + total)
    return (1 + total) / (a * math.sqrt(math.pi))


__all__ = ["DEGREE", "LIMIT", "WIDTH", "erfcx_dd", "table", "taylor_coefficients"]
