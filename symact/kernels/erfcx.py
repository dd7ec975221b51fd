"""The scaled complementary error function erfcx(a) = e^{a²} erfc(a), a ≥ 0, to ~0.05 ulp.

SciPy's ``erfcx`` is 2–7 ulp off on [0, 4] (benchmarks/RESULTS.md), more than GELU's whole error
budget. Here erfcx(s·u) (s = 1, or s = 1/√2 for the normal CDF, so that Φ needs no rounded u/√2) is
a table of Taylor expansions in u, one per interval of width ``width``:

    erfcx(s(c + t)) = Σ bₙ tⁿ,  bₙ = aₙ sⁿ,  |t| ≤ width/2,  a₀ = erfcx(sc),  a₁ = 2sc·a₀ − 2/√π,
    (n + 1)·aₙ₊₁ = 2sc·aₙ + 2aₙ₋₁                (from erfcx' = 2a·erfcx − 2/√π)

The coefficients come from mpmath (the recurrence at 80 digits: it loses up to ~35 of them at the
far end) the first time a table is used, so no number in this file is copied from anywhere. The value
is returned as hi + lo: a₀ in double-double plus t·(b₁ + t·(…)), a correction below a₀/8, so the
rounding of the correction's Horner evaluation costs ≤ 0.1 ulp. Beyond the table the asymptotic
series 1/(a√π)·Σ (−1)ⁿ(2n − 1)!!/(2a²)ⁿ is exact to double precision with 8 terms (also carried
as hi + lo).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import mpmath
import numpy as np

from .ddmath import _SPLIT, erfcx_table

_ASYMPTOTIC_TERMS = 8

STORE: Callable[[Table, Callable[[], tuple[np.ndarray, np.ndarray]]], tuple[np.ndarray, np.ndarray]] | None = None
"""Where built tables are kept between processes, ``STORE(table, build)`` → :attr:`Table.arrays`: symact's runtime
sets it (:mod:`symact.backends.numpy`: the cache folder); None in an exported module, which builds them on first
use."""


def taylor_coefficients(c: float, degree: int, dps: int = 80, m: int = 1) -> list[mpmath.mpf]:
    """b₀ … b_degree of u ↦ erfcx(u/√m) about u = ``c`` (mpmath numbers), exact to ``dps`` digits less
    the recurrence's loss. Plain Python: the torch/JAX code generator copies it into its modules."""
    with mpmath.workdps(dps):
        s = 1 / mpmath.sqrt(m)
        c = s * mpmath.mpf(c)
        a = [mpmath.erfc(c) * mpmath.exp(c * c)]
        a.append(2 * c * a[0] - 2 / mpmath.sqrt(mpmath.pi))
        for n in range(1, degree):
            a.append((2 * c * a[n] + 2 * a[n - 1]) / (n + 1))
        return [an * s**n for n, an in enumerate(a)]


def table_rows(m: int, width: float, limit: float, degree: int) -> tuple[list[list[float]], list[float]]:
    """(rows, b0_lo) as Python floats: rows[n][k] = bₙ about the centre of interval k, b0_lo[k] the
    rounding error of rows[0][k]. Plain Python, copied into generated torch/JAX modules like the above."""
    count = int(limit / width)
    rows, b0_lo = [[0.0] * count for _ in range(degree + 1)], [0.0] * count
    for k in range(count):
        b = taylor_coefficients((k + 0.5) * width, degree, 80, m)
        for n in range(degree + 1):
            rows[n][k] = float(b[n])
        b0_lo[k] = float(b[0] - mpmath.mpf(rows[0][k]))
    return rows, b0_lo


@dataclass(frozen=True)
class Table:
    """erfcx(u/√m) for u ≥ 0 from Taylor pieces of width ``width`` on [0, limit]."""

    name: str
    m: int  # scale = 1/√m (1 or 2)
    width: float
    limit: float
    degree: int  # a truncation error below 2^-56 relative on every interval (tests check it)

    @property
    def intervals(self) -> int:
        return int(self.limit / self.width)

    def coefficients(self, k: int, degree: int | None = None, dps: int = 80) -> list[mpmath.mpf]:
        return taylor_coefficients((k + 0.5) * self.width, self.degree if degree is None else degree, dps, self.m)

    @cached_property
    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(C, b0_lo) of :func:`table_rows` as arrays. Built on first use, in about 0.05–0.1 s (or from
        :data:`STORE`)."""
        def build() -> tuple[np.ndarray, np.ndarray]:
            rows, b0_lo = table_rows(self.m, self.width, self.limit, self.degree)
            return np.array(rows), np.array(b0_lo)
        return build() if STORE is None else STORE(self, build)

    def __call__(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """erfcx(u/√m) = hi + lo for an array ``u`` ≥ 0 (float64 or longdouble; NaN gives NaN):
        :func:`symact.kernels.ddmath.erfcx_table` (shared with the generated torch/JAX code), and the
        asymptotic series beyond ``limit`` (the longdouble rescue multiplies by e^{−u²/m} ≠ 0 there)."""
        coeffs, b0_lo = self.arrays
        u = np.asarray(u)
        hi, lo = erfcx_table(_NumpyTable, u, coeffs, b0_lo, self.width, self.limit)
        big = u > self.limit
        if big.any():
            hi, lo = np.array(hi), np.array(lo)
            hi[big], lo[big] = _asymptotic(u[big], self.m)
        return hi, lo


class _NumpyTable:
    """The namespace ddmath.erfcx_table takes, for NumPy arrays."""

    minimum = staticmethod(np.minimum)  # NaN stays NaN here (and in t) …

    @staticmethod
    def index(v: np.ndarray, top: int) -> np.ndarray:
        return np.fmin(v, top).astype(np.intp)  # … but fmin keeps it out of the integer cast

    @staticmethod
    def take(row: np.ndarray, k: np.ndarray) -> np.ndarray:
        return row[k]


def _asymptotic(u: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """erfcx(a), a = u/√m: √m/(u√π)·Σ (−1)ⁿ(2n−1)!!/(2a²)ⁿ = hi + lo, the factor √(m/π)/u as a
    double-double quotient (u itself, not a rounded u/√m), the series (≤ 5e-4 here) as a correction."""
    inv = (0.5 * m / u) / u  # 1/(2a²), not formed from u²: that overflows for u > 1e154
    total = np.zeros_like(u)
    for n in range(_ASYMPTOTIC_TERMS - 1, 0, -1):  # Horner in 1/(2a²): Σ (−1)ⁿ (2n−1)!! vⁿ
        total = -(2 * n - 1) * inv * (1 + total)
    k_hi, k_lo = _SQRT_M_OVER_PI[m]
    q = k_hi / u
    with np.errstate(invalid="ignore", over="ignore"):  # u = inf or > 1e300: the split overflows; lo is 0 there
        # exact residual k_hi − q·u by Veltkamp's split
        qh = q * _SPLIT - (q * _SPLIT - q)
        uh = u * _SPLIT - (u * _SPLIT - u)
        p = q * u
        e = (((qh * uh - p) + qh * (u - uh)) + (q - qh) * uh) + (q - qh) * (u - uh)
        c = np.nan_to_num(((k_hi - p) - e + k_lo) / u, nan=0.0, posinf=0.0, neginf=0.0)
    w = c + q * total
    hi = q + w
    return hi, w - (hi - q)  # |w| ≪ q: exact


def _sqrt_m_over_pi(m: int) -> tuple[float, float]:
    with mpmath.workdps(40):
        k = mpmath.sqrt(mpmath.mpf(m) / mpmath.pi)
        return float(k), float(k - mpmath.mpf(float(k)))


_SQRT_M_OVER_PI = {m: _sqrt_m_over_pi(m) for m in (1, 2)}


ERFCX = Table("erfcx", 1, 0.125, 32.0, 11)
"""erfcx(a), a ≥ 0: erfc(P(x)) for any polynomial argument (erfc underflows beyond a ≈ 27)."""
ERFCX_RSQRT2 = Table("erfcx(u/√2)", 2, 0.125, 40.0, 10)
"""erfcx(u/√2), u ≥ 0: Φ(−u) = erfcx(u/√2)·e^{−u²/2}/2 (Φ underflows beyond u ≈ 38.5)."""
TABLES = (ERFCX, ERFCX_RSQRT2)


def erfcx_dd(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """erfcx(a) = hi + lo (see :data:`ERFCX`)."""
    return ERFCX(a)


def erfcx_rsqrt2_dd(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """erfcx(u/√2) = hi + lo (see :data:`ERFCX_RSQRT2`)."""
    return ERFCX_RSQRT2(u)


__all__ = ["ERFCX", "ERFCX_RSQRT2", "TABLES", "Table", "erfcx_dd", "erfcx_rsqrt2_dd", "table_rows",
           "taylor_coefficients"]
