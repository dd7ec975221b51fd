"""Double-double helpers for lowered functions: arguments evaluated to ~106 bits.

The error of σ(1.702·x) in float64 is not σ's: it is the rounding of 1.702·x, amplified by |x|
where σ(z) ≈ eᶻ (58 ulp at x = −38). Likewise erfc(−x/√2) amplifies the rounding of x/√2 by x²,
and exp(−x²/2) that of x². The functions here evaluate a polynomial argument P(x) as an unevaluated
sum hi + lo (Dekker's two-product, Knuth's two-sum) and apply a first-order correction in lo, so the
result is as accurate as the special function itself.

Every function takes the array namespace ``xp`` first (NumPy here; the torch and JAX backends
pass their own), then ``x``, then the coefficients of P from the highest degree as (hi, lo) pairs
flattened: ``c_n_hi, c_n_lo, ..., c_0_hi, c_0_lo``.
"""

from __future__ import annotations

import math
from typing import Any

_SPLIT = 134217729.0  # 2**27 + 1, Veltkamp's splitter for float64
_BIG = 1e290  # beyond this the split overflows; products there saturate the functions anyway
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


def two_sum(xp: Any, a: Any, b: Any) -> tuple[Any, Any]:
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def two_prod(xp: Any, a: Any, b: Any) -> tuple[Any, Any]:
    """a·b = p + e exactly (Dekker), with e = 0 where the operands are too large to split."""
    p = a * b
    big = (xp.abs(a) > _BIG) | (xp.abs(b) > _BIG) | ~xp.isfinite(p)
    a_ = xp.where(big, 0.0 * a, a)
    b_ = xp.where(big, 0.0 * b, b)
    ca, cb = _SPLIT * a_, _SPLIT * b_
    ah = ca - (ca - a_)
    al = a_ - ah
    bh = cb - (cb - b_)
    bl = b_ - bh
    pp = a_ * b_
    e = ((ah * bh - pp) + ah * bl + al * bh) + al * bl
    return p, xp.where(big, 0.0 * e, e)


def poly(xp: Any, x: Any, coeffs: tuple[float, ...]) -> tuple[Any, Any]:
    """P(x) = hi + lo by Horner's rule in double-double arithmetic."""
    pairs = list(zip(coeffs[0::2], coeffs[1::2], strict=True))
    hi, lo = pairs[0][0] + 0.0 * x, pairs[0][1] + 0.0 * x
    for c_hi, c_lo in pairs[1:]:
        p, e = two_prod(xp, hi, x)
        e = e + lo * x
        s, f = two_sum(xp, p, c_hi + 0.0 * x)
        f = f + e + c_lo
        hi = s + f
        lo = f - (hi - s)
    return hi, lo


def expit_poly(xp: Any, x: Any, *coeffs: float) -> Any:
    """σ(P(x)), with σ(h + l) = σ(h) + σ(h)σ(−h)·l."""
    hi, lo = poly(xp, x, coeffs)
    s = xp.expit(hi)
    return s + s * xp.expit(-hi) * lo


def erfc_poly(xp: Any, x: Any, *coeffs: float) -> Any:
    """erfc(P(x)). For P ≥ 0.5: erfcx(h)·exp(−h²) with h² exact; below, erfc(h) − l·2/√π·e^{−h²}."""
    hi, lo = poly(xp, x, coeffs)
    sq, sq_err = two_prod(xp, hi, hi)
    scaled = xp.erfcx(xp.where(hi > 0.5, hi, 1.0))
    # erfc(h + l) = erfcx(h) e^{-h^2} (1 - 2hl)(1 + l(2h - 2/(sqrt(pi) erfcx(h)))) to first order in l
    tail = scaled * xp.exp(-sq) * (1 - sq_err - lo * _TWO_OVER_SQRT_PI / scaled)
    near = xp.erfc(hi) - lo * _TWO_OVER_SQRT_PI * xp.exp(-sq)
    return xp.where(hi > 0.5, tail, near)


def gauss_poly(xp: Any, x: Any, *coeffs: float) -> Any:
    """exp(−P(x)²) with the square carried exactly: e^{−(h+l)²} = e^{−s}(1 − t − 2hl)."""
    hi, lo = poly(xp, x, coeffs)
    sq, sq_err = two_prod(xp, hi, hi)
    return xp.exp(-sq) * (1 - sq_err - 2 * hi * lo)


__all__ = ["erfc_poly", "expit_poly", "gauss_poly", "poly", "two_prod", "two_sum"]
