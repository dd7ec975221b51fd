"""NumPy kernels and the NumPy runtime: what ``lambdify(..., backend="numpy")`` and ``symact export --to numpy``
both run.

This module imports NumPy, SciPy and the other kernel modules only (never symact's symbolic layers): the
exported NumPy module is this package's source (:func:`symact.kernels.source`) plus the generated
function, so that the export and ``lambdify`` evaluate the same code. Generated functions take the kernel
namespace as an argument ``_k`` (:data:`NUMPY_KERNELS`, or :data:`LONGDOUBLE_KERNELS` for the underflow
rescue), whose members are the lowered functions of :mod:`symact.lowering.ir` by name.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping
from functools import partial
from types import SimpleNamespace
from typing import Any

import numpy as np
import scipy  # scipy.special loads on first use (scipy's lazy submodules): 0.2 s symbolic work never needs

from ..errors import InvalidArgumentError
from .ddmath import (
    _EXPM1X_Q,
    _INV_FACT,
    _LN2_HI,
    _LN2_LO,
    _LOG2E,
    _SPLIT,
    dekker,
    dexpit,
    erfc_poly_dd,
    expit_poly,
    gauss,
    gauss_poly,
    k_gauss_poly,
    ncdf,
    poly,
    root_taylor,
    two_sum,
    x_affine,
    x_erfc_poly_dd,
    x_expit_poly,
    x_gauss,
    x_gauss_poly,
    x_minus_tanh,
    x_ncdf,
    x_tanh_softplus,
)
from .erfcx import erfcx_dd, erfcx_rsqrt2_dd


def _like(z: Any) -> np.ndarray:
    """A fresh array for an in-place kernel: z's shape, float64 or wider (longdouble for the rescue)."""
    return np.empty(np.shape(z), dtype=np.result_type(z, np.float64))


_SOFTPLUS_FLAG_SIZE = 1 << 16
"""From this size on, _softplus learns that an exp overflowed from the FPU's flag instead of a max
reduction: the reduction costs 0.27 ms at 10⁶ (a sixth of the kernel), the errstate context ~3 µs."""


def _softplus(z: np.ndarray) -> np.ndarray:
    """max(log1p(e^min(z, 37)), z), in place: ≤ 1.1 ulp (the exp's error reaches the log scaled by
    ≤ 1). Beyond 37 the exact value rounds to z (e^−37 < ulp(37)/2), and the clamp keeps e^z finite;
    NaN and ±inf come out right. Without the clamp log1p(eᶻ) is as accurate up to where eᶻ overflows
    (z > 709.78; the exp's relative error becomes an absolute error below ulp(z)), so the clamp and
    max run only when an exp overflows — otherwise the textbook's 2 passes."""
    if np.size(z) < _SOFTPLUS_FLAG_SIZE:
        overflow = np.fmax.reduce(z, axis=None, initial=-np.inf) > 37.0  # fmax: NaN ignored
    else:
        out = _like(z)
        try:
            with np.errstate(over="raise"):  # numpy raises after the loop: out is written either way
                np.exp(z, out=out)
            overflow = False
        except FloatingPointError:
            overflow = True
        if not overflow:
            return np.log1p(out, out=out)
    if not overflow:
        out = np.exp(z, out=_like(z))
        return np.log1p(out, out=out)
    out = np.minimum(z, 37.0, out=_like(z))
    np.exp(out, out=out)
    np.log1p(out, out=out)
    return np.maximum(out, z, out=out)


_FAR_LEFT = 36.7
"""Beyond z = −36.7, e^{−z} > 2⁵³ is an even integer in float64 and 1 + e^{−z} rounds (a tie, half an
ulp of σ): σ(z) = t − t² with t = eᶻ there (exact to second order, t² < 2⁻¹⁰⁶)."""


def _far_left(minus_z: np.ndarray) -> np.ndarray | None:
    """The mask −z > 36.7, or None when no element is there (one reduction: the common case costs a
    tenth of a comparison pass and its mask)."""
    if not np.fmax.reduce(minus_z, axis=None, initial=-np.inf) > _FAR_LEFT:  # fmax: NaN ignored
        return None
    return minus_z > _FAR_LEFT


def _expit_softplus_pow(z: np.ndarray, a: float, b: float) -> np.ndarray:
    """σ(z)^a·softplus(z)^b; e^{(a+b)z} below −37, where σ = softplus = e^z (relative error < e^{−37}). For b = ±1/2
    or −1 and a = 0, 1, 2 in double-double (symact.kernels.numba.expit_softplus_pow)."""
    z = np.asarray(z)
    if a == 0.0 and b == 0.5:
        return _sqrt_softplus(z)
    far = z < -37.0
    near = np.where(far, 0.0, z)
    if b in (0.5, -0.5, -1.0) and a in (0.0, 1.0, 2.0) and z.dtype == np.float64:
        return np.where(far, np.exp((a + b) * z), _expit_softplus_pow_dd(near, a, b))
    sp = _softplus(near)
    out = np.sqrt(sp) if b == 0.5 else (1 / np.sqrt(sp) if b == -0.5 else np.power(sp, b))
    if a:
        out = out * _expit(near) ** a
    return np.where(far, np.exp((a + b) * z), out)


_SUBNORMAL_EXP = -708.0
"""Below this z, e^z is subnormal (e^−708.4 = DBL_MIN) or 0: its square root has lost digits."""


def _sqrt_softplus(z: np.ndarray) -> np.ndarray:
    """√softplus(z) as the square root of log1p(eᶻ), in place: ≤ 1.12 ulp against mpmath (the standard grid and
    25,000 seeded points, measured in tests/kernels/test_numpy.py): the root halves softplus's relative error.
    3 passes where the double-double loop takes 5 ms at 10⁶ (AVX-512 Xeon). Where an exp overflows or underflows
    (the FPU's flags: no reduction), the clamped softplus and, below z = −708, e^{z/2} itself."""
    out = _like(z)
    try:
        with np.errstate(over="raise", under="raise"):  # numpy raises after the loop: out is written either way
            np.exp(z, out=out)
        np.log1p(out, out=out)
        return np.sqrt(out, out=out)
    except FloatingPointError:
        pass
    out = np.sqrt(_softplus(z), out=out)
    far = z < _SUBNORMAL_EXP
    if far.any():
        np.copyto(out, np.exp(0.5 * z), where=far)
    return out


def _expit_softplus_pow_dd(z: np.ndarray, a: float, b: float) -> np.ndarray:
    e, el, n = _exp_parts(-np.abs(z))
    t, tl = np.ldexp(e, n), np.ldexp(el, n)
    d = 1.0 + t
    dl = (t - (d - 1.0)) + tl
    lg = np.log1p(t)
    lgl = tl / d
    s1, sl1 = two_sum(_NumpyNamespace, z, lg)
    pos = z > 0
    s, sl = np.where(pos, s1, lg), np.where(pos, sl1 + lgl, lgl)
    if b == -1.0:
        r, rl = _dd_div(1.0, 0.0, s, sl)
    else:
        h, hl = _dd_sqrt(s, sl)
        r, rl = (h, hl) if b == 0.5 else _dd_div(1.0, 0.0, h, hl)
    if a:
        nonneg = z >= 0
        g, gl = _dd_div(np.where(nonneg, 1.0, t), np.where(nonneg, 0.0, tl), d, dl)
        for _ in range(int(a)):
            r, rl = _dd_mul(r, rl, g, gl)
    return r + rl


def _near_root(x: Any, value: Any, r_hi: float, r_lo: float, w: float, *coeffs: float) -> Any:
    """ddmath.near_root evaluating the Taylor polynomial on the points within ``w`` of the root only."""
    x = np.asarray(x)
    inside = np.abs(x - r_hi) < w
    if not inside.any():
        return value
    out = np.array(np.broadcast_to(value, x.shape), dtype=np.result_type(value, x, np.float64))
    out[inside] = root_taylor(_NumpyNamespace, x[inside], r_hi, r_lo, *coeffs)
    return out


def _expit(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1/(1 + e^{−z}) in place: three times as fast as scipy.special.expit (which branches per
    element), and free of its worst case, the rounding of 1 + e^{−z} past 2⁵³ near z = −37 (see
    :data:`_FAR_LEFT`). e^{−z} overflows for z < −709.8, giving the limit 0 where σ is subnormal; the
    longdouble rescue restores those."""
    out = np.negative(z, out=_like(z))
    far = _far_left(out)
    np.exp(out, out=out)
    out += 1
    np.reciprocal(out, out=out)
    if far is not None:
        t = np.exp(np.asarray(z)[far])
        out[far] = t - t * t
    return out


def _x_expit(x: np.ndarray, k: float) -> np.ndarray:
    """x·σ(kx) = x/(1 + e^{−kx}) in place: the textbook SiLU's 4 passes, beyond kx = −36.7 x·t − x·t·t
    with t = e^{kx} (see :data:`_FAR_LEFT`): ≤ 1.7 ulp where kx is exact. e^{−kx} overflows where
    x·σ(kx) is still normal (SiLU: x < −709.8): the result there is −0, which the longdouble rescue
    replaces."""
    out = np.multiply(x, -k, out=_like(x))
    far = _far_left(out)
    np.exp(out, out=out)
    out += 1
    np.divide(x, out, out=out)
    if far is not None:
        xf = np.asarray(x)[far]
        t = np.exp(k * xf)
        p = xf * t
        out[far] = p - p * t
    return out


def _exp_parts(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """eᵃ = (e + e_lo)·2ⁿ to ~2⁻⁵⁶ relative, e ∈ [1/√2, √2]: the algorithm of symact.kernels.numba.exp_parts
    (Cody–Waite reduction with r carried as r + r_lo, Taylor to r¹³, 1 + r summed exactly); a clamped to
    [−760, 710], NaN stays NaN. n comes as an integer array for numpy.ldexp."""
    a = np.clip(a, -760.0, 710.0)
    kd = np.rint(a * _LOG2E)
    rh = a - kd * _LN2_HI  # exact: k·ln2_hi has ≤ 53 bits and lies next to a
    c, c_err = _NumpyNamespace.two_prod(kd, np.broadcast_to(_LN2_LO, kd.shape))
    r = rh - c
    r_lo = ((rh - r) - c) - c_err
    q = _INV_FACT[-1] + 0.0 * r
    for coeff in _INV_FACT[-2::-1]:
        q = q * r + coeff
    t = q * (r * r) + r_lo
    s = 1.0 + r
    tail = ((1.0 - s) + r) + t
    e = s + tail
    n = np.where(np.isfinite(kd), kd, 0).astype(np.int32)
    return e, (s - e) + tail, n


def _dx_expit(x: np.ndarray, k: float, k_lo: float = 0.0) -> np.ndarray:
    """d/dx x·σ(u), u = (k + k_lo)·x, in double-double (symact.kernels.numba.dx_expit, step for step): with
    t = e^{−|u|}, t·((1 + u) + t)/(1 + t)² for u < 0 and ((1 + t) + u·t)/(1 + t)² for u ≥ 0, one rounding at the
    end (the factor t applied with its 2ⁿ, so that a subnormal t loses nothing)."""
    two_prod = _NumpyNamespace.two_prod
    x = np.asarray(x)
    u, ul = two_prod(x, np.broadcast_to(k, x.shape).astype(x.dtype))
    ul = np.where(np.abs(u) < 800.0, ul + x * k_lo, 0.0)  # beyond, t is 0 (or 1): no error term
    u = np.clip(u, -760.0, 760.0)  # ±inf: t = 0 without inf·0
    neg = u < 0
    e, el, n = _exp_parts(-np.abs(u))
    el = el + e * np.where(neg, ul, -ul)  # e^{−|u| ∓ ul} = e·(1 ∓ ul)
    t, tl = np.ldexp(e, n), np.ldexp(el, n)
    c, cl, f1 = np.where(neg, u, t), np.where(neg, ul, tl), np.where(neg, 1.0, u)
    w, wl = two_prod(f1, t)
    wl = wl + f1 * tl + np.where(neg, 0.0, ul * t)
    h, hl = two_sum(_NumpyNamespace, 1.0, c)
    b, bl = two_sum(_NumpyNamespace, h, w)
    bl = bl + (hl + cl + wl)
    d, dl = two_sum(_NumpyNamespace, 1.0, t)
    dl = dl + tl
    dd, ddl = two_prod(d, d)
    ddl = ddl + 2.0 * d * dl
    return _dd_ratio_scaled(b, bl, dd, ddl, np.where(neg, e, 1.0), np.where(neg, el, 0.0), np.where(neg, n, 0))


def _dd_ratio_scaled(b: Any, bl: Any, d: Any, dl: Any, m: Any, ml: Any, n: Any) -> np.ndarray:
    """(m + ml)·(b + bl)/(d + dl)·2ⁿ rounded once (symact.kernels.numba.dd_ratio_scaled)."""
    two_prod = _NumpyNamespace.two_prod
    g = b / d
    p, pe = two_prod(g, d)
    gl = (((b - p) - pe) + bl - g * dl) / d
    p, pl = two_prod(m, g)
    return np.ldexp(p + (pl + m * gl + ml * g), n)


def _dd_add(a: Any, al: Any, b: Any, bl: Any) -> tuple[Any, Any]:
    s, e = two_sum(_NumpyNamespace, a, b)
    e = e + (al + bl)
    h = s + e
    return h, e - (h - s)


def _two_prod(a: Any, b: Any) -> tuple[Any, Any]:
    """a·b = p + e exactly, a scalar or array operand broadcast against the other (two_prod wants equal shapes)."""
    return _NumpyNamespace.two_prod(*np.broadcast_arrays(np.asarray(a, dtype=np.float64), b))


def _dd_mul(a: Any, al: Any, b: Any, bl: Any) -> tuple[Any, Any]:
    p, e = _two_prod(a, b)
    return p, e + (a * bl + al * b)


def _dd_sqrt(a: Any, al: Any) -> tuple[Any, Any]:
    """√(a + al) in double-double (symact.kernels.numba.dd_sqrt; the residual a − h² exact by two_prod)."""
    h = np.sqrt(a)
    hp, hpe = _NumpyNamespace.two_prod(h, h)
    return h, (((a - hp) - hpe) + al) / (2.0 * h)


def _dd_div(a: Any, al: Any, b: Any, bl: Any) -> tuple[Any, Any]:
    """(a + al)/(b + bl) in double-double (symact.kernels.numba.dd_div; the residual a − q·b exact by two_prod)."""
    q = a / b
    p, pe = _two_prod(q, b)
    return q, (((a - p) - pe) + al - q * bl) / b


def _tanh_sq(x: np.ndarray) -> np.ndarray:
    """tanh(x)² = ((1 − t)/(1 + t))² in double-double, t = e^{−2|x|} (symact.kernels.numba.tanh_sq, the same
    steps; _exp_parts sums its polynomial by Horner's rule where numba's uses Estrin's scheme)."""
    a = np.abs(np.asarray(x, dtype=np.float64))
    e, el, n = _exp_parts(-2.0 * a)
    t, tl = np.ldexp(e, n), np.ldexp(el, n)
    u = 1.0 - t
    ul = ((1.0 - u) - t) - tl
    h = u + ul
    ul = ul - (h - u)
    v = 1.0 + t
    q, ql = _dd_div(h, ul, v, (t - (v - 1.0)) + tl)
    p, pl = _dd_mul(q, ql, q, ql)
    return p + pl


def _pow_shift(x: np.ndarray, c: float, m: float) -> np.ndarray:
    """(x + c)ᵐ in double-double (symact.kernels.numba.pow_shift)."""
    x = np.asarray(x, dtype=np.float64)
    u, ul = two_sum(_NumpyNamespace, x, c)
    # Beyond 1e75 a product could overflow: the power of u's mantissa, then its exponent (ul is below 1e-75 of u
    # there). Not np.power: on AVX-512 NumPy's is SVML's, 0.6 ulp for softsign' at 3.5e107 (glibc's pow: 0.5).
    big = ~(np.abs(u) < 1e75)
    f, e = np.frexp(u)
    us = np.where(big, f, u)
    uls = np.where(big, 0.0, ul)
    p, pl = us, uls
    for _ in range(int(abs(m)) - 1):
        p, pl = _dd_mul(p, pl, us, uls)
    if m < 0:
        p, pl = _dd_div(1.0, 0.0, p, pl)
    with np.errstate(over="ignore"):
        return np.where(big, np.ldexp(p + pl, e * int(m)), p + pl)


def _hypot_pow(x: np.ndarray, c: float, c_lo: float, s: float, m: float, n: float) -> np.ndarray:
    """(h + s·x)ᵐ·hⁿ, h = √(x² + c), in double-double (symact.kernels.numba.hypot_pow)."""
    x = np.asarray(x, dtype=np.float64)
    ax = np.abs(x)
    big = ax > 1e150
    xs = np.where(big, 0.0, x)
    p, pl = _NumpyNamespace.two_prod(xs, xs)
    sq, sql = two_sum(_NumpyNamespace, p, c)
    h, hl = _dd_sqrt(sq, sql + pl + c_lo)
    h, hl = np.where(big, ax, h), np.where(big, c / (2.0 * ax), hl)
    sx = s * x
    u, ul = two_sum(_NumpyNamespace, h, sx)
    d, dl = two_sum(_NumpyNamespace, h, ax)
    v, vl = _dd_div(c, c_lo, d, dl + hl)
    cancels = sx < 0
    u, ul = np.where(cancels, v, u), np.where(cancels, vl, ul + hl)
    r, rl = (h, hl) if n > 0 else (_dd_div(1.0, 0.0, h, hl) if n < 0 else (np.ones_like(h), np.zeros_like(h)))
    if m > 0:
        r, rl = _dd_mul(r, rl, u, ul)
    elif m < 0:
        r, rl = _dd_div(r, rl, u, ul)
    return r + rl


def _big_exp(d: np.ndarray, dl: Any, c: float, c_lo: float) -> np.ndarray:
    """(c + c_lo)·e^{d + dl} for d > 700 as c·(e^{d/2})², 2²ⁿ last (symact.kernels.numba.big_exp)."""
    e, el, n = _exp_parts(0.5 * d)
    e2, e2l = _dd_mul(e, el, e, el)
    p, pl = _dd_mul(c, c_lo, e2, e2l + e2 * dl)
    return np.ldexp(np.ldexp(p + pl, n), n)


def _k_gauss_poly(x: Any, k_hi: float, k_lo: float, *coeffs: float) -> np.ndarray:
    """k·e^{−P²} with e^{−s} from :func:`_exp_parts` and 2ⁿ last (symact.kernels.numba.k_gauss_poly)."""
    hi, lo = poly(_NumpyNamespace, np.asarray(x, dtype=np.float64), coeffs)
    sq, sq_err = _NumpyNamespace.two_prod(hi, hi)
    e, el, n = _exp_parts(-sq)
    far = sq > 800.0  # exp_parts clamps its argument: e^{−s} is 0 there
    e, el = np.where(far, 0.0, e), np.where(far, 0.0, el)
    r, f = _NumpyNamespace.two_prod(e, np.broadcast_to(k_hi, e.shape))
    return np.ldexp(r + ((f + e * k_lo + k_hi * el) - r * (sq_err + 2.0 * hi * lo)), n)


def _expm1_shift(x: np.ndarray, r: float, r_lo: float, c: float, c_lo: float) -> np.ndarray:
    """c·(e^{x − r} − 1) with x − r carried exactly and one rounding (symact.kernels.numba.expm1_shift)."""
    x = np.asarray(x, dtype=np.float64)
    finite = np.abs(x) < 1e300
    s, sl = two_sum(_NumpyNamespace, x, -r)
    t = np.where(finite, sl - r_lo, 0.0)
    d = s + t
    dl = np.where(finite, t - (d - s), 0.0)
    em = np.expm1(np.minimum(d, 700.0))
    p, pl = _two_prod(c, em)
    out = p + (pl + c_lo * em + c * (em + 1.0) * dl)
    big = d > 700.0
    if big.any():
        out[big] = _big_exp(d[big], dl[big], c, c_lo)
    return out


def _expm1_lin(x: np.ndarray, a: float, a_lo: float, s: float, s_lo: float) -> np.ndarray:
    """a·(eˣ − 1 − x) + s·x in double-double (symact.kernels.numba.expm1_lin: the series for |x| ≤ 1/2, exp_parts
    beyond, a·eˣ past 700)."""
    x = np.asarray(x, dtype=np.float64)
    two_prod = _NumpyNamespace.two_prod
    q = _EXPM1X_Q[-1] + 0.0 * x
    for coeff in _EXPM1X_Q[-2::-1]:
        q = q * x + coeff
    x2, x2l = two_prod(x, x)
    ps, psl = two_prod(x2, q)
    psl = psl + x2l * q
    e, el, n = _exp_parts(np.minimum(x, 700.0))
    h, hl = two_sum(_NumpyNamespace, 1.0, x)
    pe, pel = two_sum(_NumpyNamespace, np.ldexp(e, n), -h)
    pel = pel + (np.ldexp(el, n) - hl)
    small = np.abs(x) <= 0.5
    p, pl = np.where(small, ps, pe), np.where(small, psl, pel)
    m, ml = _dd_mul(a, a_lo, p, pl)
    t, tl = _two_prod(s, x)
    h, hl = _dd_add(m, ml, t, tl + s_lo * x)
    out = h + hl
    big = x > 700.0
    if big.any():
        out[big] = _big_exp(x[big], 0.0, a, a_lo)
    return out


def _dx_tanh_softplus(x: np.ndarray) -> np.ndarray:
    """Mish' as one rational function of t = e^{−|x|} in double-double (symact.kernels.numba.dx_tanh_softplus,
    step for step): t·(P(t) + 4x(1 + t))/D(t)² for x < 0, (P̃(t) + 4x·t²(1 + t))/D̃(t)² for x ≥ 0."""
    x = np.clip(np.asarray(x, dtype=np.float64), -760.0, 760.0)
    neg = x < 0
    e, el, n = _exp_parts(-np.abs(x))
    t, tl = np.ldexp(e, n), np.ldexp(el, n)
    a3, a2, a1, a0 = (np.where(neg, u, v) for u, v in ((1.0, 4.0), (4.0, 6.0), (6.0, 4.0), (4.0, 1.0)))
    p, pl = two_sum(_NumpyNamespace, a3 * t, a2)
    pl = pl + a3 * tl
    p, pl = _dd_mul(p, pl, t, tl)
    p, pl = _dd_add(p, pl, a1, 0.0)
    p, pl = _dd_mul(p, pl, t, tl)
    p, pl = _dd_add(p, pl, a0, 0.0)
    o, ol = two_sum(_NumpyNamespace, 1.0, t)
    ol = ol + tl
    s2, s2l = _dd_mul(t, tl, t, tl)
    w, wl = _dd_mul(o, ol, np.where(neg, 1.0, s2), np.where(neg, 0.0, s2l))
    w, wl = _dd_mul(w, wl, 4.0 * x, 0.0)
    b, bl = _dd_add(p, pl, w, wl)
    c2, c0 = np.where(neg, 1.0, 2.0), np.where(neg, 2.0, 1.0)
    d, dl = two_sum(_NumpyNamespace, c2 * t, 2.0)
    dl = dl + c2 * tl
    d, dl = _dd_mul(d, dl, t, tl)
    d, dl = _dd_add(d, dl, c0, 0.0)
    dd, ddl = _dd_mul(d, dl, d, dl)
    return _dd_ratio_scaled(b, bl, dd, ddl, np.where(neg, e, 1.0), np.where(neg, el, 0.0), np.where(neg, n, 0))


def _dx_expit_cubic(x: np.ndarray, a1: float, a1_lo: float, a3: float, a3_lo: float) -> np.ndarray:
    """d/dx x·σ(a₁x + a₃x³) (GELU-tanh') in double-double (symact.kernels.numba.dx_expit_cubic, step for step)."""
    two_prod = _NumpyNamespace.two_prod
    x = np.clip(np.asarray(x, dtype=np.float64), -1e5, 1e5)
    q, ql = two_prod(x, x)
    m, ml = _dd_mul(a3, a3_lo, q, ql)
    s, sl = _dd_add(m, ml, a1, a1_lo)
    z, zl = _dd_mul(x, 0.0, s, sl)
    m3, m3l = two_prod(np.broadcast_to(3.0, m.shape), m)
    s3, s3l = _dd_add(m3, m3l + 3.0 * ml, a1, a1_lo)
    y, yl = _dd_mul(x, 0.0, s3, s3l)
    neg = z < 0
    e, el, n = _exp_parts(-np.abs(z))
    el = el + e * np.where(neg, zl, -zl)
    t, tl = np.ldexp(e, n), np.ldexp(el, n)
    o, ol = two_sum(_NumpyNamespace, 1.0, t)
    ol = ol + tl
    yt, ytl = _dd_mul(y, yl, t, tl)
    b, bl = _dd_add(o, ol, np.where(neg, y, yt), np.where(neg, yl, ytl))
    dd, ddl = _dd_mul(o, ol, o, ol)
    near = z > -760.0  # exp_parts clamps at −760, where t·y would be e⁻⁷⁶⁰·y: the result is 0
    mm, mml = np.where(neg, np.where(near, e, 0.0), 1.0), np.where(neg & near, el, 0.0)
    return _dd_ratio_scaled(b, bl, dd, ddl, mm, mml, np.where(neg, n, 0))


def _dx_ncdf(x: np.ndarray, k: float, k_lo: float) -> np.ndarray:
    """GELU' = Φ(x) + kx·e^{−x²/2} as e^{−x²/2}(g/2 ± kx), g = erfcx(|x|/√2), the bracket in double-double
    (symact.kernels.numba.dx_ncdf, step for step)."""
    two_prod = _NumpyNamespace.two_prod
    x = np.asarray(x, dtype=np.float64)
    u = np.abs(x)
    g, g_lo = erfcx_rsqrt2_dd(u)
    sq, sq_err = two_prod(u, u)
    e, el, n = _exp_parts(-0.5 * sq)
    el = el - e * (0.5 * sq_err)
    kx, kxl = two_prod(x, np.broadcast_to(k, x.shape))
    kxl = kxl + x * k_lo
    neg = x < 0
    b, bl = _dd_add(0.5 * g, 0.5 * g_lo, np.where(neg, kx, -kx), np.where(neg, kxl, -kxl))
    far = 0.5 * sq > 760.0  # exp_parts clamps: the result is 0 or 1
    e, el = np.where(far, 0.0, e), np.where(far, 0.0, el)
    p, pl = two_prod(e, b)
    pl = pl + e * bl + el * b
    r, rl = two_sum(_NumpyNamespace, 1.0, -np.ldexp(p, n))
    return np.where(neg, np.ldexp(p + pl, n), r + (rl - np.ldexp(pl, n)))


def _dx_expit_fast(x: np.ndarray, k: float) -> np.ndarray:
    """fast=True: d/dx x·σ(kx) = s·(1 + kx·E·s) with E = e^{−kx}, s = σ(kx) = 1/(1 + E), σ(−kx) = E·s: one exponential
    (the textbook σ(1 + x(1 − σ)) also has one, and cancels in 1 − σ). Beyond kx = −36.7 (where E may
    overflow into inf·0) s = t − t², σ(−kx) = 1 − t with t = e^{kx}, as in :func:`_expit`."""
    out = np.multiply(x, -k, out=_like(x))
    far = _far_left(out)
    np.exp(out, out=out)  # E
    s = out + 1
    np.reciprocal(s, out=s)
    out *= s  # σ(−kx)
    out *= x
    if k != 1:
        out *= k
    out += 1
    out *= s
    if far is not None:
        kx = k * np.asarray(x)[far]
        t = np.exp(kx)
        out[far] = (t - t * t) * (1 + kx * (1 - t))
    return out


def _ramp(x: np.ndarray, a: float, b: float) -> np.ndarray:
    """(clip(x, a, b) − a)/(b − a) in place: exactly 0 and 1 outside [a, b], x − a exact near a."""
    out = np.clip(x, a, b, out=_like(x))
    out -= a
    out /= b - a
    return out


def _dexpit_fast(z: np.ndarray) -> np.ndarray:
    """σ'(z) = σ(z)σ(−z) = 1/(2 + 2 cosh z), in place, for ``fast=True``: 3 passes (the textbook
    σ(1 − σ) takes 6), no cancellation, ~2 ulp (2.2 on a dense sweep; ddmath.dexpit, the default, ≤ 1.3);
    cosh overflows only where σ' is subnormal."""
    out = np.cosh(z, out=_like(z))
    out += 1
    return np.divide(0.5, out, out=out)


def _x_tanh_softplus_fast(x: np.ndarray) -> np.ndarray:
    """Mish for ``fast=True``: tanh(log(1 + u)) = n/(n + 2) with u = eˣ, n = u(u + 2): one exp instead of
    exp, log1p and tanh. Above x = 20 the quotient rounds to 1 (the clamp keeps u² finite)."""
    u = np.minimum(x, 20.0, out=_like(x))
    np.exp(u, out=u)
    n = u + 2
    n *= u
    u = np.add(n, 2, out=u)
    n /= u
    n *= x
    return n


# SciPy's functions looked up at call time, so that importing symact does not import scipy.special
def _sc_erf(z: Any) -> Any:
    return scipy.special.erf(z)


def _sc_erfc(z: Any) -> Any:
    return scipy.special.erfc(z)


def _sc_erfcx(z: Any) -> Any:
    return scipy.special.erfcx(z)


def _sc_expit(z: Any) -> Any:
    return scipy.special.expit(z)


def _erfc_longdouble(z: np.ndarray) -> np.ndarray:
    """erfc for the longdouble rescue: erfcx(z)·e^{−z²} with the exponential in longdouble for z > 0.5,
    so that it does not underflow at float64's limit (SciPy's erfc is 0 beyond z ≈ 27)."""
    z = np.asarray(z, dtype=np.longdouble)
    z64 = z.astype(np.float64)
    tail = np.asarray(scipy.special.erfcx(z64), dtype=np.longdouble) * np.exp(-z * z)
    return np.where(z > 0.5, tail, np.asarray(scipy.special.erfc(z64), dtype=np.longdouble))


def _to_double(f: Callable[..., Any]) -> Callable[..., Any]:
    """A float64-only SciPy function applied to longdouble input, the result back in longdouble."""
    return lambda z: np.asarray(f(np.asarray(z, dtype=np.float64)), dtype=np.longdouble)


class _NumpyNamespace:
    """The array namespace symact.kernels.ddmath expects, for NumPy."""

    exp, abs, where, isfinite = staticmethod(np.exp), staticmethod(np.abs), staticmethod(np.where), \
        staticmethod(np.isfinite)
    erfc, erfcx, expit = staticmethod(_sc_erfc), staticmethod(_sc_erfcx), staticmethod(_sc_expit)
    subset = True  # ddmath.select: evaluate each branch on its own points
    # ≤ 0.05 ulp where SciPy's erfcx is 2–7 ulp off (they work in longdouble too)
    erfcx_dd, erfcx_rsqrt2_dd = staticmethod(erfcx_dd), staticmethod(erfcx_rsqrt2_dd)

    @staticmethod
    def two_prod(a: Any, b: Any) -> tuple[Any, Any]:
        """ddmath.two_prod with in-place NumPy operations: half the fresh 8-byte-per-element
        temporaries, which cost more than the arithmetic (page faults) for large arrays."""
        if np.ndim(a) == 0 or np.ndim(b) == 0 or np.shape(a) != np.shape(b) or np.asarray(a).dtype != np.float64:
            return dekker(_NumpyNamespace, a, b)
        p = a * b
        ah = a * _SPLIT
        tmp = ah - a
        ah -= tmp  # ah = ca - (ca - a)
        al = np.subtract(a, ah, out=tmp)
        bh = b * _SPLIT
        bl = bh - b
        bh -= bl
        np.subtract(b, bh, out=bl)
        e = ah * bh
        e -= p
        ah *= bl
        e += ah
        bh *= al
        e += bh
        al *= bl
        e += al
        return p, _NumpyNamespace.finite_or_zero(e)

    @staticmethod
    def one_where_nonneg(h: np.ndarray, t: np.ndarray) -> np.ndarray:
        return np.maximum(t, h >= 0)  # t ≤ 1 always; 4× faster than numpy.where; NaN stays NaN

    @staticmethod
    def finite_or_zero(e: np.ndarray) -> np.ndarray:
        # numpy.where costs 7 multiplications; the check alone costs half of one
        return e if np.isfinite(e).all() else np.where(np.isfinite(e), e, 0.0)


NUMPY_NAMESPACE = _NumpyNamespace
"""The array namespace (``xp``) of :mod:`symact.kernels.ddmath` for NumPy arrays."""


class _LongdoubleNamespace(_NumpyNamespace):
    """For the underflow rescue: the same forms evaluated in longdouble (symact.kernels.erfcx's tables work
    in longdouble; SciPy's erfc/erfcx exist in float64 only and are converted)."""

    erfc, erfcx = staticmethod(_to_double(_sc_erfc)), staticmethod(_to_double(_sc_erfcx))


LONGDOUBLE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "expit_poly": partial(expit_poly, _LongdoubleNamespace),
    "x_expit_poly": partial(x_expit_poly, _LongdoubleNamespace),
    "dexpit": partial(dexpit, _LongdoubleNamespace),
    "erfc_poly": partial(erfc_poly_dd, _LongdoubleNamespace),
    "x_erfc_poly": partial(x_erfc_poly_dd, _LongdoubleNamespace),
    "gauss_poly": partial(gauss_poly, _LongdoubleNamespace),
    "k_gauss_poly": partial(k_gauss_poly, _LongdoubleNamespace),
    "x_gauss_poly": partial(x_gauss_poly, _LongdoubleNamespace),
    "x_tanh_softplus": partial(x_tanh_softplus, _LongdoubleNamespace),
    "ncdf": partial(ncdf, _LongdoubleNamespace),
    "x_ncdf": partial(x_ncdf, _LongdoubleNamespace),
    "gauss": partial(gauss, _LongdoubleNamespace),
    "x_gauss": partial(x_gauss, _LongdoubleNamespace),
    "erfc_stable": _erfc_longdouble,
    "erf": _to_double(_sc_erf),
    "softplus_stable": lambda z: np.logaddexp(0, z),
}
"""Overrides of :data:`NUMPY_FUNCTIONS` for longdouble evaluation (the rest accept longdouble)."""

NUMPY_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "dexpit": partial(dexpit, _NumpyNamespace),
    "expit_poly": partial(expit_poly, _NumpyNamespace),
    "x_expit_poly": partial(x_expit_poly, _NumpyNamespace),
    "erfc_poly": partial(erfc_poly_dd, _NumpyNamespace),
    "x_erfc_poly": partial(x_erfc_poly_dd, _NumpyNamespace),
    "gauss_poly": partial(gauss_poly, _NumpyNamespace),
    "k_gauss_poly": _k_gauss_poly,
    "x_minus_tanh": partial(x_minus_tanh, _NumpyNamespace),
    "x_affine": partial(x_affine, _NumpyNamespace),
    "hypot": np.hypot,
    "x_gauss_poly": partial(x_gauss_poly, _NumpyNamespace),
    "x_tanh_softplus": partial(x_tanh_softplus, _NumpyNamespace),
    "ncdf": partial(ncdf, _NumpyNamespace),
    "x_ncdf": partial(x_ncdf, _NumpyNamespace),
    "gauss": partial(gauss, _NumpyNamespace),
    "x_gauss": partial(x_gauss, _NumpyNamespace),
    "expit": _expit,
    "x_expit": _x_expit,
    "dx_expit": _dx_expit,
    "dx_expit_fast": _dx_expit_fast,
    "dx_tanh_softplus": _dx_tanh_softplus,
    "dx_expit_cubic": _dx_expit_cubic,
    "dx_ncdf": _dx_ncdf,
    "expm1_shift": _expm1_shift,
    "expm1_lin": _expm1_lin,
    "hypot_pow": _hypot_pow,
    "pow_shift": _pow_shift,
    "tanh_sq": _tanh_sq,
    "dexpit_fast": _dexpit_fast,
    "x_tanh_softplus_fast": _x_tanh_softplus_fast,
    "ramp": _ramp,
    "erfc_stable": _sc_erfc,
    "erf": _sc_erf,
    "log1p": np.log1p,
    "expm1": np.expm1,
    "softplus_stable": _softplus,
    "expit_softplus_pow": _expit_softplus_pow,
    "near_root": _near_root,
    "maximum": np.maximum,
    "minimum": np.minimum,
    "where": np.where,
}
"""Name printed in a lowered expression → array function. Extend per call with ``functions=``."""


TAIL = 1e8
"""|x| from which every registered function equals its asymptote to double precision.

Only used where direct evaluation overflows into inf*0 = NaN (GELU-tanh' at x = 1e103).
"""


CHUNK = 16384
"""Lowered forms with double-double parts (tens of array operations per element) are evaluated in
pieces of this many elements: each piece's temporaries (128 KB) stay in cache and are recycled by
NumPy's allocator, where whole-array temporaries are fresh pages (a plain formula gains nothing, so it
is evaluated whole; benchmarks/bench.py measures the effect)."""

CHUNK_LIGHT = 1 << 17
"""Piece size for the other lowered forms with four or more operations (or a kernel with several
temporaries): fresh whole-array temporaries page-fault on every call. 2¹⁷ was the best of 2¹⁴…2¹⁸ at
10⁶ and 10⁷ elements (with glibc, 2 MB pieces are each a fresh mapping).
Shorter forms (σ, SiLU, softplus, hard-swish's x·ramp) are evaluated whole: a piece costs one more copy."""

JIT_FROM = 1 << 16
"""Input size from which a compiled kernel (numba, see :attr:`NumericFunction.compiled`) evaluates the lowered
expression instead of NumPy: loading even a cached kernel costs ~0.15 s once per process, compiling one
0.1–0.5 s once per machine, while NumPy evaluates 2¹⁶ elements in about a millisecond."""

PROBE_AT = 1 << 16
"""Input size from which :meth:`NumericFunction.probe` runs (once per function)."""

RESCUE_BELOW = 2.0**-900
"""Results smaller than this (in float64) are re-evaluated in ``numpy.longdouble`` when that type
has a wider exponent range than float64 (see :meth:`NumericFunction._rescue_underflow`)."""

RESCUE_MARGIN = 1.0
"""Width added on each side of a rescue band found by the probe's 1/64 sweep (the narrowest known
band, GELU-tanh' near −21.2, is 0.2 wide)."""

EXTENDED = np.finfo(np.longdouble).minexp < np.finfo(np.float64).minexp - 100
"""Whether ``numpy.longdouble`` reaches far below float64's underflow (x86-64 Linux: yes;
Windows and macOS on Arm: longdouble is float64, and no rescue happens)."""

class NumericFunction:
    """An array function lowered from a SymPy expression.

    Call it on any array-like of real numbers: the result has the input's shape, float32, float16, bfloat16
    and float8 input come back in their dtype (correctly rounded where :attr:`narrow` is set, else computed in
    float64 and rounded once), other real input becomes float64. NaN gives
    NaN, ±inf give the mathematical limits. ``expr`` is the symbolic source, ``lowered`` the
    stable form that is evaluated, ``source`` the generated Python code.
    """

    def __init__(self, func: Callable[[np.ndarray], Any], *, limits: Callable[[], tuple[float, float]],
                 tail: Callable[[], Callable[[np.ndarray], np.ndarray]],
                 rescue: Callable[[np.ndarray], Any] | None = None,
                 chunk: int | None = None, probe: bool = False, fast_form: Callable[[], NumericFunction] | None = None,
                 source: str = "", label: str = "") -> None:
        self._func = func
        self._rescue = rescue
        self._limits = limits
        self._tail = tail
        self.chunk = chunk
        """Large inputs are evaluated in pieces of this many elements (None: whole), see :data:`CHUNK`."""
        self.plain = False
        """True when the lowered code itself already gives NaN, the limits at ±inf and the tails (see
        :meth:`probe`): calls then skip the min/max reduction that routes input to the repairs."""
        self._to_probe = probe
        self.rescue_bands: tuple[tuple[float, float], ...] | None = None
        """x-intervals where the longdouble rescue changes results (set by :meth:`probe`): input outside
        them skips the rescue's scan of the output."""
        self.fast_form = fast_form
        """The function float32 input is evaluated with (the ``fast=True`` form), if not this one."""
        self.narrow: Callable[[np.ndarray], np.ndarray | None] | None = None
        """Set by symact's NumPy backend: float32/float16/bfloat16/float8 input → the correctly rounded results in
        that dtype (None for a dtype it does not know). Without it (an exported module) narrow input takes
        ``fast_form`` in float64 and is rounded once."""
        self.compiled: Callable[[], Callable[[np.ndarray], np.ndarray] | None] | None = None
        """Gives the compiled kernel that evaluates inputs of :data:`JIT_FROM` elements or more (None, or a
        factory returning None: NumPy evaluates everything). Set by the numba backend; asked once."""
        self._kernel: Callable[[np.ndarray], np.ndarray] | None = None
        self._large: NumericFunction | None = None
        """The compiled kernel as a function of its own (:meth:`with_kernel`), for inputs of :data:`JIT_FROM`
        elements or more: probed on its own, so that the repairs it drops are those *it* does not need (SiLU's loop
        needs no longdouble rescue where the NumPy kernels do: the rescue's scans of the output cost the default
        path 2.4 ms per 10⁶ more than the numba backend's 3.7, GELU-tanh's 68 of 130 ms at 10⁷)."""
        self.source = source
        """The generated Python code of the evaluated function."""
        self.label = label
        self.expr: Any = None
        """The symbolic expression (set by symact's NumPy backend; None in an exported module)."""
        self.lowered: Any = None
        """The lowered expression that ``source`` evaluates (set like ``expr``)."""

    def with_kernel(self, func: Callable[[np.ndarray], Any],
                    fast_form: Callable[[], NumericFunction] | None = None) -> NumericFunction:
        """A copy that evaluates ``func`` (a compiled kernel: whole arrays, no chunks) with the same limits,
        tails and underflow rescue, probed afresh on its first large call."""
        out = copy.copy(self)
        out._func, out.chunk, out.fast_form, out.compiled, out._kernel = func, None, fast_form, None, None
        out._large = None
        out._to_probe, out.plain, out.rescue_bands, out.narrow = True, False, None, None
        return out

    def probe(self) -> NumericFunction:
        """Decide by evaluation which repairs this function needs, and drop the others.

        Plain: the raw lowered code equals the repaired result on ±inf, NaN, ±0 and 4000 magnitudes
        from TAIL/10 to the largest float, both signs (an overflow into inf·0 starts at a threshold
        and lasts to the end of the range, so a dense geometric sweep sees it). Rescue: kept only if
        re-evaluating in longdouble changes some result by more than one ulp (or from 0) on [−1100, 1100] in
        steps of 1/64 (the narrowest underflow band known, GELU-tanh' near −21.2, is 0.2 wide); a lone σ(x) or eˣ
        underflows gracefully by itself.

        Done on the first call with at least :data:`PROBE_AT` elements (it needs the symbolic limits,
        a fraction of a second), where the savings are worth it.
        """
        self._to_probe = False
        with np.errstate(all="ignore"):
            big = np.geomspace(TAIL / 10, float(np.finfo(np.float64).max), 4000)
            points = np.concatenate([big, -big, [np.inf, -np.inf, np.nan, 0.0, -0.0, TAIL, -TAIL]])
            raw = np.broadcast_to(np.asarray(self._func(points), dtype=np.float64), points.shape)
            fixed = self._call_special(points)
            signs = ~np.isnan(fixed)  # a NaN's sign bit means nothing (scipy's expit(nan) is -nan)
            self.plain = bool(np.array_equal(raw, fixed, equal_nan=True)
                              and np.array_equal(np.signbit(raw[signs]), np.signbit(fixed[signs])))
            if self._rescue is not None:
                sweep = np.arange(-1100.0, 1100.0, 1 / 64)
                raw = np.array(np.broadcast_to(np.asarray(self._func(sweep), dtype=np.float64), sweep.shape))
                fixed = self._rescue_underflow(sweep, raw)
                # A change of one ulp is a double rounding at the foot of the range, inside the targets (≤ 2 ulp);
                # the rescue is for lost bits (GELU-tanh' near −21.2: 13 ulp) and for a nonzero result flushed to 0
                # (GELU near −38.6). Kept for a 1-ulp change, it cost Laplace a scan and a longdouble pass on every
                # call with x < −8 (14 of its 28 ms at 10⁶).
                close = (fixed == raw) | ((np.abs(fixed - raw) <= np.spacing(np.abs(fixed))) & (raw != 0))
                changed = ~(close | (np.isnan(fixed) & np.isnan(raw)))
                if changed.any():
                    self.rescue_bands = _bands(sweep[changed], RESCUE_MARGIN)
                else:
                    self._rescue = None
        return self

    def _needs_rescue(self, lo: float, hi: float) -> bool:
        """Whether input spanning [lo, hi] can meet a rescue band (always, when the bands are unknown)."""
        if self.rescue_bands is None or not (lo <= hi):  # NaN bounds: unknown
            return True
        return any(lo <= b and hi >= a for a, b in self.rescue_bands)

    def _ranged(self, work: np.ndarray) -> Callable[..., tuple[np.ndarray, int, int]] | None:
        """The compiled loop that will evaluate ``work``, where it also counts what the repairs need (see
        symact.backends.numba._array_function); None where NumPy evaluates (large inputs with a compiled kernel
        are :attr:`_large`'s)."""
        return getattr(self._func, "ranged", None) if self.chunk is None else None

    def _band_hull(self) -> tuple[float, float]:
        """[a, b] holding every rescue band (everything while the bands are unknown; nothing without a rescue)."""
        if self._rescue is None:
            return math.inf, -math.inf
        if self.rescue_bands is None:
            return -math.inf, math.inf
        return min(a for a, _ in self.rescue_bands), max(b for _, b in self.rescue_bands)

    def _evaluate(self, work: np.ndarray) -> np.ndarray:
        if self.chunk is None or work.size <= self.chunk:
            return np.asarray(self._func(work), dtype=np.float64)
        flat = work.reshape(-1)
        out = np.empty(flat.shape)
        for start in range(0, flat.size, self.chunk):
            piece = flat[start:start + self.chunk]
            out[start:start + self.chunk] = self._func(piece)
        return out.reshape(work.shape)

    def limits(self) -> tuple[float, float]:
        """The values at -inf and +inf (NaN where the limit is not a real number or infinity)."""
        return self._limits()

    def __call__(self, values: Any) -> Any:
        arr = np.asarray(values)
        floating = arr.dtype.kind == "f" or _is_ml_float(arr.dtype)
        if not floating and arr.dtype.kind not in "iub":
            raise InvalidArgumentError(
                f"expected real numbers (a float, list or NumPy array), got {type(values).__name__} "
                f"of dtype {arr.dtype}"
            )
        narrow = floating and arr.dtype.itemsize < 8  # float32, float16, bfloat16, float8 (ml_dtypes)
        if narrow and self.narrow is not None:
            done = self.narrow(arr)
            if done is not None:
                return done if arr.ndim else done[()]
        if narrow and self.fast_form is not None:
            return self.fast_form()(arr)
        # every float dtype comes back as itself: computed in float64, rounded once at the end
        out_dtype = arr.dtype if floating else np.dtype(np.float64)
        work = arr if arr.dtype == np.float64 else arr.astype(np.float64)
        if self.compiled is not None and work.size >= JIT_FROM:
            self._kernel, self.compiled = self.compiled(), None
            self._large = None if self._kernel is None else self.with_kernel(self._kernel)
        # probed on the first large call even where the compiled loop takes it: smaller calls after it are then
        # those of the probed function, as without numba
        self._probe_once(work.size)
        evaluator = self._large if self._large is not None and work.size >= JIT_FROM else self
        evaluator._probe_once(work.size)  # the loop's own probe (done already where the evaluator is self)
        out = evaluator._float64(work, rescue=out_dtype.itemsize >= 8)
        if out_dtype == np.float64:
            result = out
        else:
            with np.errstate(over="ignore"):  # beyond float32's range inf is the correctly rounded value
                result = out.astype(out_dtype)
        return result if arr.ndim else result[()]

    def _probe_once(self, size: int) -> None:
        """:meth:`probe` on the first call of at least :data:`PROBE_AT` elements."""
        if self._to_probe and size >= PROBE_AT:
            try:
                self.probe()
            except (TypeError, ValueError):  # a user-supplied function (functions=) that rejects the probe
                pass

    def _float64(self, work: np.ndarray, *, rescue: bool) -> np.ndarray:
        """The results for float64 ``work`` (probed already, :meth:`_probe_once`): repairs routed by one reduction
        (or by the compiled loop's counts), the longdouble rescue where ``rescue`` (float64 output) and needed."""
        # numpy.where evaluates every Piecewise branch everywhere, and far tails overflow into
        # inf*0: neither is an error of the result, hence errstate and the repairs below.
        with np.errstate(all="ignore"):
            # one reduction decides the common case: no NaN, no inf, nothing beyond TAIL
            known = bool(work.size) and not self.plain
            ranged = self._ranged(work) if known else None
            if ranged is not None:  # a compiled loop counts what the min/max below would tell, in the same pass
                out, inside, band = ranged(work, *self._band_hull())
                if inside != work.size:
                    out = self._call_special(work)
                needs_rescue = band > 0
            else:
                lo, hi = (work.min(), work.max()) if known else (0.0, 0.0)
                if -TAIL < lo and hi < TAIL:
                    out = self._evaluate(work)
                    if out.shape != work.shape:
                        out = np.array(np.broadcast_to(out, work.shape))
                else:
                    out = self._call_special(work)
                needs_rescue = not known or self._needs_rescue(lo, hi)
            if self._rescue is not None and rescue and work.size and needs_rescue:
                out = self._rescue_underflow(work, out)
        return out

    def _call_special(self, work: np.ndarray) -> np.ndarray:
        """Input with NaN, ±inf or |x| ≥ TAIL: limits at ±inf, NaN kept, inf*0 in the tails repaired."""
        finite = np.isfinite(work)
        out = np.array(np.broadcast_to(self._evaluate(np.where(finite, work, 0.0)),
                                       work.shape))
        lo, hi = self.limits()
        out[work == np.inf] = hi
        out[work == -np.inf] = lo
        out[np.isnan(work)] = np.nan
        broken = finite & np.isnan(out) & (np.abs(work) >= TAIL)
        if broken.any():
            out[broken] = self._tail()(work[broken])
        return out

    def _rescue_underflow(self, work: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Re-evaluate in extended precision where the result is within 2**-900 of zero.

        A normal result can be a product of a subnormal factor and a large one (GELU-tanh' at
        x = −21.2 is 2e-307 = 1e-310 · 2000): float64 loses the factor's bits, or all of them.
        ``numpy.longdouble`` (x87 80-bit on x86-64 Linux) has exponents down to 1e-4951, so the
        same lowered expression evaluated there does not underflow. Only these few points pay.
        """
        flat_out, flat_in = out.reshape(-1), work.reshape(-1)
        if np.fmin.reduce(flat_out) >= RESCUE_BELOW:  # positive results (σ): one pass, no temporary
            return out
        magnitude = np.abs(flat_out)
        if not np.fmin.reduce(magnitude) < RESCUE_BELOW:  # the common case: one reduction (NaN skipped)
            return out
        small = np.isfinite(flat_in) & (magnitude < RESCUE_BELOW)
        if not small.any():
            return out
        try:
            redo = np.asarray(self._rescue(flat_in[small].astype(np.longdouble)), dtype=np.float64)
        except TypeError:  # a user-supplied function (functions=) without a longdouble loop
            return out
        fixed = np.array(flat_out)
        fixed[small] = redo
        return fixed.reshape(out.shape)

    def __repr__(self) -> str:
        return f"<NumericFunction {self.label}>"


def _is_ml_float(dtype: np.dtype) -> bool:
    """bfloat16 and the float8 types of ml_dtypes (NumPy sees some of them as void, kind "V")."""
    return getattr(dtype.type, "__module__", "") == "ml_dtypes" and "float" in dtype.name


def _bands(points: np.ndarray, margin: float) -> tuple[tuple[float, float], ...]:
    """Sorted points grouped into intervals (a gap wider than 2·margin starts a new one), each widened
    by margin on both sides."""
    breaks = np.flatnonzero(np.diff(points) > 2 * margin)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [points.size - 1]])
    return tuple((float(points[i]) - margin, float(points[j]) + margin) for i, j in zip(starts, ends, strict=True))




NUMPY_KERNELS = SimpleNamespace(**NUMPY_FUNCTIONS)
"""The kernel namespace generated functions take as ``_k``."""


def numeric_function(func: Callable[..., Any], *, limits: Callable[[], tuple[float, float]],
                     tail: Callable[[], Callable[..., Any]], rescue: bool = False, chunk: int | None = None,
                     probe: bool = True,
                     fast_form: Callable[[], NumericFunction] | None = None,
                     functions: Mapping[str, Callable[..., Any]] | None = None, source: str = "",
                     label: str = "") -> NumericFunction:
    """A :class:`NumericFunction` from a generated ``func(x, _k)`` (``tail()`` gives ``tail(x, _k)``: the
    asymptotes).

    ``rescue``: re-evaluate results near underflow in longdouble (where that type is wider);
    ``functions`` adds or overrides kernels by name (the longdouble ones still take precedence there).
    """
    table = {**NUMPY_FUNCTIONS, **(functions or {})}
    kernels = NUMPY_KERNELS if not functions else SimpleNamespace(**table)
    wide = SimpleNamespace(**{**table, **LONGDOUBLE_FUNCTIONS})
    return NumericFunction(partial(func, _k=kernels), limits=limits, tail=lambda: partial(tail(), _k=kernels),
                           rescue=partial(func, _k=wide) if rescue and EXTENDED else None, chunk=chunk,
                           probe=probe, fast_form=fast_form, source=source, label=label)
