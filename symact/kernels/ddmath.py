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
from fractions import Fraction
from typing import Any

_SPLIT = 134217729.0  # 2**27 + 1, Veltkamp's splitter for float64
_BIG = 1e290  # beyond this the split overflows; products there saturate the functions anyway
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)
_UP, _DOWN = 2.0**64, 2.0**-64  # exact scalings that keep corrections of results near underflow normal
_RSQRT2_HI = math.sqrt(0.5)
# 1/√2 − hi = δ solves 2·hi·δ + δ² = 1/2 − hi²: two fixed-point steps in exact rationals (error ~1e-49)
_d = (Fraction(1, 2) - Fraction(_RSQRT2_HI) ** 2) / (2 * Fraction(_RSQRT2_HI))
_RSQRT2_LO = float(_d - _d**2 / (2 * Fraction(_RSQRT2_HI)))


def two_sum(xp: Any, a: Any, b: Any) -> tuple[Any, Any]:
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def two_prod(xp: Any, a: Any, b: Any) -> tuple[Any, Any]:
    """a·b = p + e exactly; a namespace may bring a faster ``two_prod`` (NumPy's works in place)."""
    fast = getattr(xp, "two_prod", None)
    return fast(a, b) if fast is not None else dekker(xp, a, b)


def dekker(xp: Any, a: Any, b: Any) -> tuple[Any, Any]:
    """a·b = p + e exactly (Dekker); e = 0 where the operands are too large to split (|a·b| ≳ 1e290,
    where every function built on these saturates). ``b`` may be a Python float (a coefficient):
    its split is then done once, in Python."""
    p = a * b
    ca, cb = _SPLIT * a, _SPLIT * b
    ah = ca - (ca - a)
    al = a - ah
    bh = cb - (cb - b)
    bl = b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    # the split of a huge operand is inf - inf = NaN: zero those error terms afterwards
    return p, xp.finite_or_zero(e)


def poly(xp: Any, x: Any, coeffs: tuple[float, ...]) -> tuple[Any, Any]:
    """P(x) = hi + lo by Horner's rule in double-double arithmetic (zero coefficients skipped)."""
    pairs = [(float(h), float(lo)) for h, lo in zip(coeffs[0::2], coeffs[1::2], strict=True)]
    hi, lo = pairs[0][0] + 0.0 * x, pairs[0][1] + 0.0 * x
    for k, (c_hi, c_lo) in enumerate(pairs[1:]):
        if k == 0:  # the leading coefficient is a Python float: no array work for its split
            p, e = two_prod(xp, x, pairs[0][0])
            e = e + pairs[0][1] * x
        else:
            p, e = two_prod(xp, hi, x)
            e = e + lo * x
        if c_hi == 0.0 and c_lo == 0.0:
            hi = p + e
            lo = e - (hi - p)
            continue
        s, f = two_sum(xp, p, c_hi)
        f = f + e + c_lo
        hi = s + f
        lo = f - (hi - s)
    return hi, lo


def select(xp: Any, cond: Any, f: Any, g: Any, *args: Any) -> Any:
    """where(cond, f(xp, *args), g(xp, *args)). A namespace with ``subset = True`` (NumPy) evaluates
    each branch on its own points only, so the costly special function of the other branch is skipped."""
    if not getattr(xp, "subset", False):
        return xp.where(cond, f(xp, *args), g(xp, *args))
    if not getattr(cond, "ndim", 0):
        return f(xp, *args) if cond else g(xp, *args)
    out = args[0] * 0.0
    other = ~cond
    if cond.any():
        out[cond] = f(xp, *(a[cond] for a in args))
    if other.any():
        out[other] = g(xp, *(a[other] for a in args))
    return out


def expit_dd(xp: Any, h: Any, lo: Any) -> tuple[Any, Any]:
    """σ(h + lo) = r + c with |c| ≪ |r|: t = e^{−|h|}, σ(h) = num/(1 + t) (num = 1 for h ≥ 0, else t),
    the quotient corrected by its exact residual and 1 + t by its exact rounding error, plus σ'·lo.
    Only e^{−|h|} rounds: r + c is ≤ 1.2 ulp where scipy.special.expit reaches 1.6."""
    t = xp.exp(-xp.abs(h))
    num = xp.one_where_nonneg(h, t)
    d = 1 + t
    dl = t - (d - 1)
    r = num / d
    rp, rq = two_prod(xp, r, d)
    return r, (((num - rp) - rq) - r * dl) / d + r * (1 - r) * lo


def expit_poly(xp: Any, x: Any, *coeffs: float) -> Any:
    """σ(P(x)) with P(x) in double-double (see :func:`expit_dd`)."""
    r, c = expit_dd(xp, *poly(xp, x, coeffs))
    return r + c


def x_expit_poly(xp: Any, x: Any, *coeffs: float) -> Any:
    """x·σ(P(x)) (GELU-sigmoid, QuickGELU, GELU-tanh): the product carried exactly, one rounding."""
    r, c = expit_dd(xp, *poly(xp, x, coeffs))
    a, b = two_prod(xp, x, r)
    return a + (b + x * c)


def erfc_poly(xp: Any, x: Any, *coeffs: float) -> Any:
    """erfc(P(x)) from the namespace's erfc/erfcx: for P ≥ 0.5 erfcx(h)·exp(−h²) with h² exact, below
    erfc(h) − l·2/√π·e^{−h²}. As accurate as those two (SciPy's: 2–7 ulp); see :func:`erfc_poly_dd`."""
    hi, lo = poly(xp, x, coeffs)
    return select(xp, hi > 0.5, _erfc_tail, _erfc_near, hi, lo)


def x_erfc_poly(xp: Any, x: Any, k: float, *coeffs: float) -> Any:
    """k·x·erfc(P(x)) (GELU: k = 1/2) from the namespace's erfc/erfcx; see :func:`x_erfc_poly_dd`."""
    return x * (k * erfc_poly(xp, x, *coeffs))


def erfc_poly_dd(xp: Any, x: Any, *coeffs: float) -> Any:
    """erfc(P(x)) for a namespace with a double-double ``erfcx_dd`` (NumPy: :mod:`symact.kernels.erfcx`), ≤ 1 ulp."""
    r, c = erfc_dd(xp, *poly(xp, x, coeffs))
    return r + c


def x_erfc_poly_dd(xp: Any, x: Any, k: float, *coeffs: float) -> Any:
    """k·x·erfc(P(x)) with ``erfcx_dd``, the products carried exactly: one rounding after e^{−a²}'s."""
    r, c = erfc_dd(xp, *poly(xp, x, coeffs))
    r, e = two_prod(xp, r, k)
    c = e + c * k
    a, b = two_prod(xp, x, r)
    return a + (b + x * c)


def erfc_dd(xp: Any, hi: Any, lo: Any) -> tuple[Any, Any]:
    """erfc(hi + lo) = r + c: erfc(a) = erfcx(a)·e^{−a²} for a = |hi|, with erfcx(a) in double-double,
    a² exact and the product carried exactly, so only e^{−a²} rounds (≤ 0.61 ulp); for hi < 0,
    2 − erfc(a) by an exact two-sum; then the first-order term −lo·2/√π·e^{−hi²}."""
    a = xp.abs(hi)
    s, s_lo = xp.erfcx_dd(a)
    sq, sq_err = two_prod(xp, a, a)
    e = xp.exp(-sq)
    r, c = two_prod(xp, s, e)
    c = c + (s_lo - s * sq_err) * e  # e^{−(sq + err)} = e^{−sq}(1 − err)
    neg = hi < 0
    if not getattr(xp, "subset", False) or neg.any():  # NumPy may skip it; JAX cannot ask (tracers)
        r2, c2 = two_sum(xp, 2.0, -r)
        r, c = xp.where(neg, r2, r), xp.where(neg, c2 - c, c)
    return r, c - lo * _TWO_OVER_SQRT_PI * e


def ncdf(xp: Any, x: Any) -> Any:
    """Φ(x) to ≤ 1 ulp (see :func:`_ncdf_dd`)."""
    r, c = _ncdf_dd(xp, x)
    return r + c


def x_ncdf(xp: Any, x: Any, k: float) -> Any:
    """k·x·Φ(x) (GELU: k = 1). T = (k·x/2)·erfcx(u/√2)·e^{−u²/2} = k·x·Φ(−u), u = |x|, multiplied in
    that order, every product carried exactly: e^{−u²/2} is normal wherever the result is, so the left
    tail (GELU(−37.6) ≈ 1e-307 while Φ(−37.6) is subnormal) keeps full precision without a rescue.
    T is formed times 2⁶⁴ so that its corrections (u²'s rounding alone is ~5e-14 of it near x = −37)
    stay normal numbers where XLA flushes subnormals to zero. x ≤ 0: T; x > 0: k·x − T by an exact
    two-sum. ≤ 1.3 ulp."""
    u = xp.abs(x)
    g, g_lo = xp.erfcx_rsqrt2_dd(u)
    sq, sq_err = two_prod(xp, u, u)
    e = xp.exp(-0.5 * sq) * _UP
    kx, kx_lo = two_prod(xp, x, 0.5 * k)
    p, f = two_prod(xp, kx, g)
    f = f + kx * g_lo + kx_lo * g
    r, c = two_prod(xp, p, e)
    c = c + (f - p * (0.5 * sq_err)) * e  # (p + f)·e^{−(sq + err)/2} = (p + f)·e·(1 − err/2)
    out = (r + c) * _DOWN
    pos = x > 0
    if not getattr(xp, "subset", False) or pos.any():  # NumPy may skip it; JAX cannot ask (tracers)
        kx, kx_lo = two_prod(xp, x, k)
        s, s_lo = two_sum(xp, kx, -(r * _DOWN))
        out = xp.where(pos, s + ((s_lo + kx_lo) - c * _DOWN), out)
    return out


def _ncdf_dd(xp: Any, x: Any) -> tuple[Any, Any]:
    """Φ(x) = r + c. Φ(−u) = erfcx(u/√2)·e^{−u²/2}/2 for u = |x|: the namespace's ``erfcx_rsqrt2_dd``
    (a table of Taylor pieces in u, :mod:`symact.kernels.erfcx`) takes u itself, so no rounded u/√2 is amplified
    by u² (what Cody's algorithm avoids by splitting x); u² is exact and the product carried exactly,
    so only e^{−u²/2} rounds. x > 0: 1 − Φ(−u) by an exact two-sum."""
    u = xp.abs(x)
    g, g_lo = xp.erfcx_rsqrt2_dd(u)
    sq, sq_err = two_prod(xp, u, u)
    e = xp.exp(-0.5 * sq)
    r, c = two_prod(xp, g, e)
    c = c + (g_lo - 0.5 * g * sq_err) * e  # e^{−(sq + err)/2} = e^{−sq/2}(1 − err/2)
    r, c = 0.5 * r, 0.5 * c
    pos = x > 0
    if not getattr(xp, "subset", False) or pos.any():  # NumPy may skip it; JAX cannot ask (tracers)
        r2, c2 = two_sum(xp, 1.0, -r)
        r, c = xp.where(pos, r2, r), xp.where(pos, c2 - c, c)
    return r, c


def erfcx_table(xp: Any, u: Any, rows: Any, b0_lo: Any, width: float, limit: float) -> tuple[Any, Any]:
    """erfcx(u/√m) = hi + lo from :func:`symact.kernels.erfcx.table_rows` (as the namespace's arrays): the
    torch/JAX/exported-NumPy form of :class:`symact.kernels.erfcx.Table` (which works in place). Beyond
    ``limit`` it returns the last piece's value: callers multiply by e^{−u²/2}, which is 0 there."""
    inside = xp.minimum(u, limit)
    k = xp.index(inside * (1 / width), len(b0_lo) - 1)
    t = inside - (k + 0.5) * width  # exact: the centre is a multiple of width/2 within width/2 of u
    q = xp.take(rows[len(rows) - 1], k)
    for n in range(len(rows) - 2, 0, -1):
        q = q * t + xp.take(rows[n], k)
    q = q * t
    b0 = xp.take(rows[0], k)
    hi = b0 + q
    return hi, ((b0 - hi) + q) + xp.take(b0_lo, k)


def gauss(xp: Any, x: Any) -> Any:
    """e^{−x²/2} with x² carried exactly: e^{−(s + err)/2} = e^{−s/2}(1 − err/2), formed times 2⁶⁴ so
    that the correction stays normal near underflow (XLA flushes subnormals)."""
    sq, sq_err = two_prod(xp, x, x)
    e = xp.exp(-0.5 * sq) * _UP
    return (e - e * (0.5 * sq_err)) * _DOWN


def x_gauss(xp: Any, x: Any, k: float) -> Any:
    """k·x·e^{−x²/2} (GELU' = Φ + x·φ: k = 1/√(2π)) with the square and both products carried exactly,
    formed times 2⁶⁴ as in :func:`gauss`."""
    sq, sq_err = two_prod(xp, x, x)
    r, f = two_prod(xp, xp.exp(-0.5 * sq) * _UP, k)
    f = f - r * (0.5 * sq_err)
    a, b = two_prod(xp, x, r)
    return (a + (b + x * f)) * _DOWN


def _erfc_tail(xp: Any, hi: Any, lo: Any) -> Any:
    # erfc(h + l) = erfcx(h) e^{-h^2} (1 - 2hl)(1 + l(2h - 2/(sqrt(pi) erfcx(h)))) to first order in l
    sq, sq_err = two_prod(xp, hi, hi)
    scaled = xp.erfcx(xp.where(hi > 0.5, hi, 1.0))
    return scaled * xp.exp(-sq) * (1 - sq_err - lo * _TWO_OVER_SQRT_PI / scaled)


def _erfc_near(xp: Any, hi: Any, lo: Any) -> Any:
    return xp.erfc(hi) - lo * _TWO_OVER_SQRT_PI * xp.exp(-hi * hi)


def dexpit(xp: Any, z: Any) -> Any:
    """σ(z)σ(−z) = t/(1 + t)² with t = e^{−|z|}: 1 + t = d + dl and d² = p + q exactly, the quotient
    r = t/p corrected by its exact residual, so only e^{−|z|} and the last addition round."""
    t = xp.exp(-xp.abs(z))
    d = 1 + t
    dl = t - (d - 1)
    p, q = two_prod(xp, d, d)
    r = t / p
    rp, rq = two_prod(xp, r, p)
    return r + (((t - rp) - rq) - r * (q + 2 * d * dl)) / p


def gauss_poly(xp: Any, x: Any, *coeffs: float) -> Any:
    """exp(−P(x)²) with the square carried exactly: e^{−(h+l)²} = e^{−s}(1 − t − 2hl)."""
    hi, lo = poly(xp, x, coeffs)
    sq, sq_err = two_prod(xp, hi, hi)
    return xp.exp(-sq) * (1 - sq_err - 2 * hi * lo)


def x_gauss_poly(xp: Any, x: Any, k: float, *coeffs: float) -> Any:
    """k·x·exp(−P(x)²) (GELU' = Φ + x·φ: k = 1/√(2π)) with the square and both products carried
    exactly: only e^{−s} and the last addition round."""
    hi, lo = poly(xp, x, coeffs)
    sq, sq_err = two_prod(xp, hi, hi)
    r, f = two_prod(xp, xp.exp(-sq), k)
    f = f - r * (sq_err + 2 * hi * lo)
    a, b = two_prod(xp, x, r)
    return a + (b + x * f)


def x_tanh_softplus(xp: Any, x: Any) -> Any:
    """x·tanh(softplus(x)) (Mish) = A·(1 − D) with t = e^{−|x|}:

        x < 0:  A = x·t (carried exactly),  D = t(t + 1)/(t(t + 2) + 2)
        x ≥ 0:  A = x,                      D = 2t²/(2t(t + 1) + 1)

    D ≤ 2/5, so its roundings reach the result scaled by D/(1 − D) ≤ 2/3; only e^{−|x|} and the last
    subtraction round in full (≤ 1.5 ulp where x·tanh(softplus x) composes three rounded functions: 2.9)."""
    t = xp.exp(-xp.abs(x))
    w = t + 1
    d_neg = t * w / (t * (w + 1) + 2)
    tt = 2 * t
    d_pos = tt * t / (tt * w + 1)
    neg = x < 0
    p, e = two_prod(xp, x, xp.where(neg, t, 1.0))
    return p + (e - p * xp.where(neg, d_neg, d_pos))


__all__ = ["dekker", "dexpit", "erfc_dd", "erfc_poly", "erfc_poly_dd", "erfcx_table", "expit_dd", "expit_poly", "gauss",
           "gauss_poly", "ncdf", "poly", "select", "two_prod", "two_sum", "x_erfc_poly", "x_erfc_poly_dd",
           "x_expit_poly", "x_gauss", "x_gauss_poly", "x_ncdf", "x_tanh_softplus"]
