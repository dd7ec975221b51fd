"""Scalar numba kernels: every lowered function of :mod:`symact.lowering.ir`, by name, for one float64.

The algorithms are those of :mod:`.ddmath` and :mod:`.numpy` (same steps, same constants, same erfcx
tables), written for one element at a time: no temporaries, each branch evaluated only where taken, and
every exact product ``a·b = p + e`` taken as ``e = fma(a, b, −p)`` (a hardware FMA through llvmlite's
intrinsic; numba has no ``math.fma``) instead of Dekker's 17-operation split.

Compiled with ``cache=True`` (this is a real module, so numba can cache it on disk), ``error_model="numpy"``
(division by zero gives ±inf or NaN, never an exception) and without fastmath (which would reassociate the
error-free transformations away). :mod:`symact.backends.numba` generates one scalar function per lowered
expression that calls these, and a loop over the array.

Double-double argument forms take the polynomial's coefficients as one tuple (hi, lo pairs, highest degree
first) where the NumPy kernels take them as separate arguments.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, types
from numba.extending import intrinsic

from .ddmath import (
    _DOWN,
    _EXPM1X_Q,
    _INV_FACT,
    _LN2_HI,
    _LN2_LO,
    _LOG2E,
    _MISH_C0_HI,
    _MISH_C0_LO,
    _MISH_C1_HI,
    _MISH_C1_LO,
    _MISH_HI,
    _MISH_LO,
    _MISH_Q,
    _TWO_OVER_SQRT_PI,
    _UP,
    _XMT_D,
    _XMT_N,
    _XMT_SMALL,
)
from .erfcx import ERFCX, ERFCX_RSQRT2

jit = njit(cache=True, nogil=True, error_model="numpy")
"""How every generated function is compiled."""
kernel = njit(cache=True, nogil=True, error_model="numpy", inline="always")
"""How every kernel here is compiled: inlined into its caller (numba IR), so that a generated loop is one
straight-line body that LLVM vectorizes; left to LLVM's own inliner, mish's loop kept a call to exp and ran
at a tenth of the speed."""


@intrinsic
def fma(typingctx, a, b, c):  # type: ignore[no-untyped-def]  # numba's intrinsic signature
    """a·b + c with one rounding: llvm.fma.f64, a ``vfmadd`` where the CPU has FMA (else libm's fma, still exact)."""
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        return builder.fma(*args)

    return sig, codegen


def _bitcast(source: types.Type, target: types.Type) -> object:
    """An intrinsic reinterpreting a ``source`` value's bits as ``target`` (a bitcast, which LLVM vectorizes)."""

    @intrinsic
    def cast(typingctx, a):  # type: ignore[no-untyped-def]
        def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
            return builder.bitcast(args[0], context.get_value_type(target))

        return target(source), codegen

    return cast


_bits = _bitcast(types.float64, types.int64)  # the IEEE bits of a float64
_from_bits = _bitcast(types.int64, types.float64)


_C2, _C3, _C4, _C5, _C6, _C7, _C8, _C9, _C10, _C11, _C12, _C13 = _INV_FACT
_SHIFT = 6755399441055744.0  # 1.5·2⁵²: adding it rounds to an integer held in the low bits
_SHIFT_BITS = int(np.float64(_SHIFT).view(np.int64))
_TWO_M600 = 2.0**-600


@kernel
def exp_parts(x):  # type: ignore[no-untyped-def]
    """eˣ = (e + e_lo)·2ᵏ, e ∈ [1/√2, √2] carried to ~2⁻⁶⁰ relative: x = k·ln 2 + r, |r| ≤ ln 2/2, r carried as
    r + r_lo (k·ln2_hi exact, k·ln2_lo's product error kept), e^r = (1 + r) + (r_lo + r²·Σ rⁿ/(n + 2)!) by an
    exact two-sum. The sum: Horner's rule for its two leading terms, whose rounding shows in e, and Estrin's scheme
    for the rest — 7 dependent steps instead of 12, for loops that wait on latency (SiLU' 2.37 → 2.13 ms per 10⁶ in
    the bare loop on an AVX-512 EPYC; exp 0.62 ulp; all-Estrin was 2.01 ms but 0.66 ulp). The NumPy and C kernels
    keep Horner's rule: the same bits nearly everywhere. x is clamped to [−760, 710]; NaN stays NaN."""
    x = -760.0 if x < -760.0 else x  # one vmaxpd each, NaN kept (min/max and a NaN select were four)
    x = 710.0 if x > 710.0 else x
    kd = fma(x, _LOG2E, _SHIFT)
    k = _bits(kd) - _SHIFT_BITS
    kd = kd - _SHIFT
    rh = fma(-kd, _LN2_HI, x)  # kd·ln2_hi is exact (32-bit hi): the same bits in one instruction instead of two
    c = kd * _LN2_LO  # its rounding error is < 2⁻⁷⁵ (|c| < 2.2e-7): below what e carries, no FMA to keep it
    r = rh - c
    r_lo = (rh - r) - c
    r2 = r * r
    r4 = r2 * r2
    lo = fma(fma(_C7, r, _C6), r2, fma(_C5, r, _C4))  # 1/4! … 1/7!
    hi = fma(fma(_C11, r, _C10), r2, fma(_C9, r, _C8))  # 1/8! … 1/11!
    p = fma(fma(fma(_C13, r, _C12), r4, hi), r4, lo)
    q = fma(fma(p, r, _C3), r, _C2)
    t = fma(q, r2, r_lo)
    s = 1.0 + r
    tail = ((1.0 - s) + r) + t
    e = s + tail
    return e, (s - e) + tail, k


@kernel
def scale(v, k):  # type: ignore[no-untyped-def]
    """v·2ᵏ as ·2^⌊k/2⌋·2^⌈k/2⌉ (two normal factors: exact down to the subnormals), |k| ≤ 2100."""
    k1 = k >> 1
    return v * _from_bits((k1 + 1023) << 52) * _from_bits((k - k1 + 1023) << 52)


@kernel
def scale_down(v, n):  # type: ignore[no-untyped-def]
    """v·2ⁿ for −1622 ≤ n ≤ 423 (|v| < 2¹⁰⁰), rounded once: ·2ⁿ⁺⁶⁰⁰ (exact, normal) then ·2⁻⁶⁰⁰. Where
    :func:`scale` halves k by an arithmetic shift of int64 lanes, which AVX2 lacks (emulated), this needs an add and
    a left shift (σ, SiLU: their 2ⁿ is ≤ 1)."""
    return v * _from_bits((n + 1623) << 52) * _TWO_M600


@kernel
def scale_absorbed(e, el, n):  # type: ignore[no-untyped-def]
    """t = (e + el)·2ⁿ as (t, tl) with 2ⁿ one normal factor, 2⁻¹⁰⁰⁰ for n < −1000: for callers where t only meets
    terms near 1 (1 + t, (1 + u) + t, u·t next to 1 + t) and t's own 2ⁿ is applied apart, so that a t below 2⁻¹⁰⁰⁰
    cannot change the result — one multiply each where :func:`scale`'s two keep subnormals exact (SiLU' 2.13 →
    1.96 ms per 10⁶ in the bare loop, the same bits)."""
    f = _from_bits((max(n, -1000) + 1023) << 52)
    return e * f, el * f


@kernel
def exp(x):  # type: ignore[no-untyped-def]
    """eˣ without a call into libm, so that loops over it vectorize (libm's exp is scalar: numba's loops ran at
    a quarter of NumPy's SIMD speed): :func:`exp_parts` rounded once, then scaled. 0.63 ulp measured
    (tests/kernels/test_numba.py; NumPy's SIMD exp: 0.67); inf beyond 709.79, 0 below −745.2, NaN stays NaN."""
    e, _, k = exp_parts(x)
    return scale(e, k)


_MISH_DEGREE = len(_MISH_Q) - 1

# The erfcx tables as constant arrays (numba freezes global arrays into the compiled code).
_RS2_ROWS, _RS2_B0_LO = ERFCX_RSQRT2.arrays
_RS2_WIDTH, _RS2_LIMIT = ERFCX_RSQRT2.width, ERFCX_RSQRT2.limit
_X_ROWS, _X_B0_LO = ERFCX.arrays
_X_WIDTH, _X_LIMIT = ERFCX.width, ERFCX.limit


@kernel
def two_prod(a, b):  # type: ignore[no-untyped-def]
    """a·b = p + e exactly; e = 0 where a·b overflows (as ddmath.dekker: those results saturate)."""
    p = a * b
    e = fma(a, b, -p)
    return p, (e if e - e == 0 else 0.0)  # a select, not a branch: loops over it still vectorize


@kernel
def two_prod_finite(a, b):  # type: ignore[no-untyped-def]
    """:func:`two_prod` for operands whose product cannot overflow (bounded by the algorithm): no select."""
    p = a * b
    return p, fma(a, b, -p)


@kernel
def two_sum(a, b):  # type: ignore[no-untyped-def]
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


@kernel
def poly(x, coeffs):  # type: ignore[no-untyped-def]
    """P(x) = hi + lo by Horner's rule in double-double (ddmath.poly)."""
    hi, lo = coeffs[0], coeffs[1]
    for i in range(2, len(coeffs), 2):
        p, e = two_prod(hi, x)
        e = e + lo * x
        # no skip for zero coefficients (a branch): two_sum(p, 0) = (p, 0) gives the same bits
        s, f = two_sum(p, coeffs[i])
        f = f + e + coeffs[i + 1]
        hi = s + f
        lo = f - (hi - s)
    return hi, lo


@kernel
def _expit_quotient(neg, far, e, el, n):  # type: ignore[no-untyped-def]
    """σ = (r + c)·2ⁿ from t = e^{−|z|} = (e + el)·2ⁿ (:func:`_expit_parts`): the quotient num/(1 + t) corrected by
    its residual (exact by an FMA)."""
    e = 0.0 if far else e  # exp_parts clamps there: σ is 0, and x·σ too however large x
    el = 0.0 if far else el
    t, tl = scale_absorbed(e, el, n)
    d, dl = one_plus(t, tl)
    num = e if neg else 1.0
    inv = 1.0 / d  # one division: r may be an ulp off, the residual corrects it (SiLU's loop 5 % faster than two)
    r = num * inv
    c = ((fma(-r, d, num) + (el if neg else 0.0)) - r * dl) * inv
    return r, c, (n if neg else 0)


@kernel
def _expit_parts(h, lo):  # type: ignore[no-untyped-def]
    """σ(h + lo) = (r + c)·2ⁿ (ddmath.expit_dd): t = e^{−|h + lo|} from :func:`exp_parts` (~2⁻⁶⁰, lo folded in), the
    quotient num/(1 + t) corrected by its residual (exact by an FMA). 2ⁿ (n = 0 for h ≥ 0) is the caller's to apply
    last (:func:`_sigma`, :func:`_x_sigma`), so that x·σ stays exact where σ is subnormal and x·σ is not. With t
    rounded first (0.63 ulp), σ of a polynomial reached 1.37 ulp (GELU-tanh at x = −7.3) and SiLU 2.47 (x = −6.78)."""
    neg = h < 0.0
    lo = lo if abs(h) < 800.0 else 0.0  # beyond, t is 0: no error term (lo may be huge, or NaN from inf − inf)
    e, el, n = exp_parts(-abs(h))
    return _expit_quotient(neg, h < -760.0, e, el + e * (lo if neg else -lo), n)  # e^{−|h + lo|} = e^{−|h|}·(1 ± lo)


@kernel
def _expit_parts_exact(h):  # type: ignore[no-untyped-def]
    """:func:`_expit_parts` of h alone (σ(x), SiLU): without a low part's five operations, which LLVM cannot drop
    (e·0 is not 0 for it): σ's loop 1.64 → 1.5 ms per 10⁶ (AVX-512 Xeon), the same bits."""
    e, el, n = exp_parts(-abs(h))
    return _expit_quotient(h < 0.0, h < -760.0, e, el, n)


@kernel
def _sigma(r, c, n):  # type: ignore[no-untyped-def]
    """σ from :func:`_expit_parts`, rounded once; n = 0 is scaled too (v ≤ 1: v·2⁶⁰⁰·2⁻⁶⁰⁰ is v), no select."""
    return scale_down(r + c, n)


@kernel
def _x_sigma(x, r, c, n):  # type: ignore[no-untyped-def]
    """x·σ from :func:`_expit_parts`: x·(r + c) by an exact product, 2ⁿ last, rounded once."""
    a, b = two_prod(x, r)
    v = a + (b + x * c)
    return scale_down(v, n) if n < 0 else v  # n = 0: none (scale_down's ·2⁶⁰⁰ would overflow x·σ beyond 2⁴²⁴)


@kernel
def expit_poly(x, coeffs):  # type: ignore[no-untyped-def]
    h, lo = poly(x, coeffs)
    r, c, n = _expit_parts(h, lo)
    return _sigma(r, c, n)


@kernel
def x_expit_poly(x, coeffs):  # type: ignore[no-untyped-def]
    h, lo = poly(x, coeffs)
    r, c, n = _expit_parts(h, lo)
    return _x_sigma(x, r, c, n)


@kernel
def _expit_kx_parts(x, k, k_lo):  # type: ignore[no-untyped-def]
    """:func:`_expit_parts` of (k + k_lo)·x, kx as hi + lo by one FMA."""
    u = x * k
    return _expit_parts(u, fma(x, k, -u) + x * k_lo)


@kernel
def expit_kx(x, k, k_lo):  # type: ignore[no-untyped-def]
    """expit_poly of (k + k_lo)·x (σ(1.702x)): kx as hi + lo by one FMA instead of :func:`poly`'s Horner step
    with a zero constant term (the generated code calls it where the lowered form is expit_poly(x, k, k_lo, 0, 0))."""
    r, c, n = _expit_kx_parts(x, k, k_lo)
    return _sigma(r, c, n)


@kernel
def x_expit_kx(x, k, k_lo):  # type: ignore[no-untyped-def]
    """x_expit_poly of (k + k_lo)·x (QuickGELU), as :func:`expit_kx`."""
    r, c, n = _expit_kx_parts(x, k, k_lo)
    return _x_sigma(x, r, c, n)


@kernel
def _cubic_dd(x, a1, a1_lo, a3, a3_lo):  # type: ignore[no-untyped-def]
    """z = a₁x + a₃x³ = x·(a₁ + a₃x²) as hi + lo: 19 operations where :func:`poly`'s Horner rule over (a₃, 0, a₁, 0)
    takes 45. Returns (x, z, zl, m, ml) with x clamped to ±10⁵, where σ(z) is 0 or 1 already (no inf − inf in the
    products' error terms), and m + ml = a₃x² (:func:`dx_expit_cubic` builds z′ from it)."""
    x = min(max(x, -1e5), 1e5) if x == x else x
    q, ql = two_prod(x, x)
    m, ml = dd_mul(a3, a3_lo, q, ql)
    s, sl = dd_add(m, ml, a1, a1_lo)
    z, zl = dd_mul(x, 0.0, s, sl)
    return x, z, zl, m, ml


@kernel
def expit_cubic(x, a1, a1_lo, a3, a3_lo):  # type: ignore[no-untyped-def]
    """expit_poly of the odd cubic a₁x + a₃x³ (the tanh forms of GELU: σ(2·√(2/π)(x + 0.044715x³)))."""
    _, h, lo, _, _ = _cubic_dd(x, a1, a1_lo, a3, a3_lo)
    r, c, n = _expit_parts(h, lo)
    return _sigma(r, c, n)


@kernel
def x_expit_cubic(x, a1, a1_lo, a3, a3_lo):  # type: ignore[no-untyped-def]
    """x_expit_poly of the odd cubic a₁x + a₃x³ (GELU-tanh, GELU-fast): GELU-fast 2.44 → 1.97 ms per 10⁶
    on a 2-core AVX-512 EPYC (bench.py --speed --only gelu_fast, before and after)."""
    _, h, lo, _, _ = _cubic_dd(x, a1, a1_lo, a3, a3_lo)
    r, c, n = _expit_parts(h, lo)
    return _x_sigma(x, r, c, n)


@kernel
def _table(u, rows, b0_lo, width, limit):  # type: ignore[no-untyped-def]
    """erfcx(u/√m) = hi + lo from a Taylor table (ddmath.erfcx_table); u ≥ 0 (NaN reads the last piece: the
    caller's e^{−u²} carries the NaN)."""
    inside = u if u < limit else limit
    k = min(int(inside * (1 / width)), b0_lo.size - 1)
    t = inside - (k + 0.5) * width
    degree = rows.shape[0] - 1
    q = rows[degree, k]
    for n in range(degree - 1, 0, -1):
        q = q * t + rows[n, k]
    q = q * t
    b0 = rows[0, k]
    hi = b0 + q
    return hi, ((b0 - hi) + q) + b0_lo[k]


@kernel
def _erfc_dd(hi, lo):  # type: ignore[no-untyped-def]
    """erfc(hi + lo) = r + c (ddmath.erfc_dd)."""
    a = abs(hi)
    s, s_lo = _table(a, _X_ROWS, _X_B0_LO, _X_WIDTH, _X_LIMIT)
    sq, sq_err = two_prod(a, a)
    e = exp(-sq)
    r, c = two_prod(s, e)
    c = c + (s_lo - s * sq_err) * e
    r2, c2 = two_sum(2.0, -r)
    neg = hi < 0
    return (r2 if neg else r), (c2 - c if neg else c) - lo * _TWO_OVER_SQRT_PI * e


@kernel
def erfc_poly(x, coeffs):  # type: ignore[no-untyped-def]
    h, lo = poly(x, coeffs)
    r, c = _erfc_dd(h, lo)
    return r + c


@kernel
def x_erfc_poly(x, k, coeffs):  # type: ignore[no-untyped-def]
    h, lo = poly(x, coeffs)
    r, c = _erfc_dd(h, lo)
    r, e = two_prod(r, k)
    c = e + c * k
    a, b = two_prod(x, r)
    return a + (b + x * c)


@kernel
def ncdf(x):  # type: ignore[no-untyped-def]
    """Φ(x) (ddmath._ncdf_dd)."""
    u = abs(x)
    g, g_lo = _table(u, _RS2_ROWS, _RS2_B0_LO, _RS2_WIDTH, _RS2_LIMIT)
    sq, sq_err = two_prod(u, u)
    e = exp(-0.5 * sq)
    r, c = two_prod(g, e)
    c = c + (g_lo - 0.5 * g * sq_err) * e
    r, c = 0.5 * r, 0.5 * c
    r2, c2 = two_sum(1.0, -r)
    return (r2 + (c2 - c)) if x > 0 else (r + c)


@kernel
def dx_ncdf(x, k, k_lo):  # type: ignore[no-untyped-def]
    """GELU' = Φ(x) + k·x·e^{−x²/2} (k = 1/√(2π)) with E = e^{−x²/2} and g = erfcx(|x|/√2) from the table:

        x < 0:  E·(g/2 + kx)        x ≥ 0:  1 − E·(g/2 − kx)

    the bracket in double-double (it cancels at the root, −0.752), x² exact, E from :func:`exp_parts` with its
    2ⁿ applied last: one rounding (≤ 0.6 ulp), where Φ and x·φ rounded apart cancelled to 3.3 ulp beyond the
    root's patch. Where x²/2 > 760 the result is 0 or 1 (exp_parts clamps there)."""
    u = abs(x)
    g, g_lo = _table(u, _RS2_ROWS, _RS2_B0_LO, _RS2_WIDTH, _RS2_LIMIT)
    sq, sq_err = two_prod(u, u)
    e, el, n = exp_parts(-0.5 * sq)
    el = el - e * (0.5 * sq_err)  # e^{−(sq + err)/2} = e^{−sq/2}(1 − err/2)
    kx, kxl = two_prod(x, k)
    kxl = kxl + x * k_lo
    neg = x < 0.0
    b, bl = dd_add(0.5 * g, 0.5 * g_lo, kx if neg else -kx, kxl if neg else -kxl)
    far = 0.5 * sq > 760.0
    e = 0.0 if far else e
    el = 0.0 if far else el
    p, pl = two_prod(e, b)
    pl = pl + e * bl + el * b
    ph = scale(p, n)
    r, rl = two_sum(1.0, -ph)
    return scale(p + pl, n) if neg else r + (rl - scale(pl, n))


@kernel
def x_ncdf(x, k):  # type: ignore[no-untyped-def]
    """k·x·Φ(x) (ddmath.x_ncdf)."""
    u = abs(x)
    g, g_lo = _table(u, _RS2_ROWS, _RS2_B0_LO, _RS2_WIDTH, _RS2_LIMIT)
    sq, sq_err = two_prod(u, u)
    e = exp(-0.5 * sq) * _UP
    kx, kx_lo = two_prod(x, 0.5 * k)
    p, f = two_prod(kx, g)
    f = f + kx * g_lo + kx_lo * g
    r, c = two_prod(p, e)
    c = c + (f - p * (0.5 * sq_err)) * e
    kx, kx_lo = two_prod(x, k)
    s, s_lo = two_sum(kx, -(r * _DOWN))
    return (s + ((s_lo + kx_lo) - c * _DOWN)) if x > 0 else (r + c) * _DOWN


@kernel
def gauss(x):  # type: ignore[no-untyped-def]
    sq, sq_err = two_prod(x, x)
    e = exp(-0.5 * sq) * _UP
    return (e - e * (0.5 * sq_err)) * _DOWN


@kernel
def x_gauss(x, k):  # type: ignore[no-untyped-def]
    sq, sq_err = two_prod(x, x)
    r, f = two_prod(exp(-0.5 * sq) * _UP, k)
    f = f - r * (0.5 * sq_err)
    a, b = two_prod(x, r)
    return (a + (b + x * f)) * _DOWN


@kernel
def gauss_poly(x, coeffs):  # type: ignore[no-untyped-def]
    hi, lo = poly(x, coeffs)
    sq, sq_err = two_prod(hi, hi)
    return exp(-sq) * (1 - sq_err - 2 * hi * lo)


@kernel
def x_gauss_poly(x, k, coeffs):  # type: ignore[no-untyped-def]
    hi, lo = poly(x, coeffs)
    sq, sq_err = two_prod(hi, hi)
    r, f = two_prod(exp(-sq), k)
    f = f - r * (sq_err + 2 * hi * lo)
    a, b = two_prod(x, r)
    return a + (b + x * f)


@kernel
def k_gauss_poly(x, k_hi, k_lo, coeffs):  # type: ignore[no-untyped-def]
    """k·e^{−P²} (Laplace'): e^{−s} as (e + e_lo)·2ⁿ from :func:`exp_parts` (libm's rounding of e^{−s} was most of
    ddmath.k_gauss_poly's 2.1 ulp), the square's and the product's errors carried, 2ⁿ applied last: one rounding."""
    hi, lo = poly(x, coeffs)
    sq, sq_err = two_prod(hi, hi)
    e, el, n = exp_parts(-sq)
    far = sq > 800.0  # exp_parts clamps its argument: beyond, the true e^{−s} is 0 (and s·0, not inf)
    e, el = (0.0 if far else e), (0.0 if far else el)
    r, f = two_prod_finite(e, k_hi)
    return scale(r + ((f + e * k_lo + k_hi * el) - r * (sq_err + 2.0 * hi * lo)), n)


@kernel
def dexpit(z):  # type: ignore[no-untyped-def]
    """σ'(z) = t/(1 + t)² (ddmath.dexpit). The products are bounded (1 ≤ d ≤ 2, r ≤ 1/4): no overflow select
    (tanh' = 4σ'(−2x) 1.24 → 1.12 ms per 10⁶ in the bare loop)."""
    t = exp(-abs(z))
    d = 1 + t
    dl = t - (d - 1)
    p, q = two_prod_finite(d, d)
    r = t / p
    rp, rq = two_prod_finite(r, p)
    return r + (((t - rp) - rq) - r * (q + 2 * d * dl)) / p


@kernel
def dexpit_fast(z):  # type: ignore[no-untyped-def]
    return 0.5 / (math.cosh(z) + 1)


@kernel
def x_minus_tanh(x):  # type: ignore[no-untyped-def]
    """x − tanh(x) (ddmath.x_minus_tanh, the same steps: plain Horner sums and the quotient's residual from an
    exact product, so that the bits match NumPy's): x³/(3 + u + R) below |x| = 3/2, R = u·N(u)/D(u) the continued
    fraction's tail; beyond, (x − sign) + sign·2t/(1 + t), t = e^{−2|x|}. Two divisions where the fraction's
    levels took eleven (tanhshrink 1.92 → 1.43 ms per 10⁶ in the bare loop)."""
    a = abs(x)
    small = a < _XMT_SMALL
    xs = x if small else 0.0
    u, u_err = two_prod_finite(xs, xs)
    rn = _XMT_N[0]
    for i in range(1, 6):
        rn = rn * u + _XMT_N[i]
    rd = _XMT_D[0]
    for i in range(1, 6):
        rd = rd * u + _XMT_D[i]
    r = u * rn / rd
    dh = 3.0 + u
    dl = ((3.0 - dh) + u) + u_err
    d0 = dh + r
    dl = (r - (d0 - dh)) + dl
    c3, c3_err = two_prod_finite(xs, u)
    c3l = c3_err + xs * u_err
    inv = 1.0 / d0
    q = c3 * inv
    p, pe = two_prod_finite(q, d0)
    near = q + ((((c3 - p) - pe) + c3l) - q * dl) * inv
    t = exp(-2 * (_XMT_SMALL if small else a))
    sign = -1.0 if x < 0 else 1.0
    return near if small else (x - sign) + sign * (2 * t / (1 + t))


@kernel
def x_affine(x, a, a_lo, b, b_lo):  # type: ignore[no-untyped-def]
    """x·(a·x + b) in double-double, one rounding (ddmath.x_affine)."""
    p, pe = two_prod(x, a)
    s, se = two_sum(p, b)
    lo = se + (pe + (a_lo * x + b_lo))
    r, rl = two_prod(x, s)
    return r + (rl + x * lo)


@kernel
def tanh_sq(x):  # type: ignore[no-untyped-def]
    """tanh(x)² = ((1 − t)/(1 + t))², t = e^{−2|x|} from :func:`exp_parts` as t + tl: 1 − t as a renormalized
    double-double (where t is next to 1, tl holds all of 1 − t's low digits: exact to the exponential's accuracy,
    down to x = 0), the quotient by one division and its residual, squared, one rounding. One branch for all x
    (a fitted polynomial below |x| = 1/2 and this beyond, both computed and one selected, took 1.8 ns an element
    where this takes 1.2). Where t's exponent changes (|x| = ln 2/4, t = 1/√2), t's error of ~2⁻⁵⁶ grows 5.6-fold
    through 1 − t: 1.41 ulp measured there, ≤ 0.7 elsewhere (the C kernel keeps the polynomial: 0.64)."""
    a = abs(x)
    e, el, n = exp_parts(-2.0 * a)
    t, tl = scale_absorbed(e, el, n)  # below 2⁻¹⁰⁰⁰, t leaves the result 1
    u = 1.0 - t
    ul = ((1.0 - u) - t) - tl
    h = u + ul
    ul = ul - (h - u)
    v, vl = one_plus(t, tl)
    inv = 1.0 / v
    q = h * inv
    ql = (fma(-q, v, h) + ul - q * vl) * inv
    p, pl = dd_mul(q, ql, q, ql)
    return p + pl


@kernel
def tanh(x):  # type: ignore[no-untyped-def]
    """tanh without libm (so that loops vectorize): for |x| < 1 Lambert's continued fraction x − x·q/(1 + q),
    q = x²/(3 + x²/(5 + …)) (12 levels: positive terms only); beyond,
    sign(x)·(1 − 2t/(1 + t)) with t = e^{−2|x|} ≤ 0.14. 0.89 ulp measured (NumPy's tanh: 1.14)."""
    a = abs(x)
    small = a < 1.0
    xs = x if small else 0.0
    x2 = xs * xs
    t_cf = 25.0
    for k in range(11, 0, -1):
        t_cf = (2 * k + 1) + x2 / t_cf
    # x − x·q/(1 + q): the correction's roundings are damped by q/(1 + q); x itself where x² underflows (keeps −0)
    near = xs - xs * x2 / (t_cf + x2) if x2 != 0 else xs
    t = exp(-2 * (1.0 if small else a))
    far = 1 - 2 * t / (1 + t)
    return near if small else (-far if x < 0 else far)


@kernel
def dd_ratio_scaled(b, bl, d, dl, m, ml, n):  # type: ignore[no-untyped-def]
    """(m + ml)·(b + bl)/(d + dl)·2ⁿ rounded once: one division, whose extra rounding in b·(1/d) the residual's
    correction makes up for (the last step of the double-double derivative kernels)."""
    inv = 1.0 / d
    g = b * inv
    gl = (fma(-g, d, b) + bl - g * dl) * inv
    p, pl = two_prod_finite(m, g)  # m ≤ √2, g ≤ 4 in every caller
    return scale(p + (pl + m * gl + ml * g), n)


@kernel
def one_plus(t, tl):  # type: ignore[no-untyped-def]
    """1 + (t + tl) as hi + lo for 0 ≤ t ≤ 1 (t = e^{−|z|}): the fast two-sum, exact."""
    d = 1.0 + t
    return d, (t - (d - 1.0)) + tl


@kernel
def dd_add(a, al, b, bl):  # type: ignore[no-untyped-def]
    """(a + al) + (b + bl) in double-double, renormalized."""
    s, e = two_sum(a, b)
    e = e + (al + bl)
    h = s + e
    return h, e - (h - s)


@kernel
def dd_mul(a, al, b, bl):  # type: ignore[no-untyped-def]
    """(a + al)·(b + bl) in double-double (not renormalized: |lo| stays within a few ulp of hi)."""
    p = a * b
    return p, fma(a, b, -p) + (a * bl + al * b)


@kernel
def dx_tanh_softplus(x):  # type: ignore[no-untyped-def]
    """Mish' = tanh(sp) + x·σ(x)·sech²(sp), sp = softplus(x), as one rational function of t = e^{−|x|}:

        x < 0:  t·(P(t) + 4x(1 + t))/D(t)²,      P = t³ + 4t² + 6t + 4,   D = t² + 2t + 2
        x ≥ 0:  (P̃(t) + 4x·t²(1 + t))/D̃(t)²,     P̃ = 4t³ + 6t² + 4t + 1,  D̃ = 2t² + 2t + 1

    (tanh(sp) = N/(N + 2) with N = eˣ(eˣ + 2), sech²(sp) = 4(eˣ + 1)²/(N + 2)²; x ≥ 0 multiplied through by t⁴).
    t from :func:`exp_parts`, everything in double-double, t's 2ⁿ applied last: one rounding (≤ 0.6 ulp), where
    tanh, log1p and σ rounded apart reached 6.9 ulp left of the root. Within 2⁻⁶ of the root (−1.19) the sum
    P + 4x(1 + t) cancels past the exponential's 2⁻⁵⁶: near_root's patch."""
    x = min(max(x, -760.0), 760.0) if x == x else x  # ±inf: t = 0 without inf·0
    neg = x < 0.0
    e, el, n = exp_parts(-abs(x))
    t, tl = scale_absorbed(e, el, n)  # t meets P(t) ≈ 4, D(t) ≈ 2 (and 4x(1 + t)); its own 2ⁿ is applied last
    a3 = 1.0 if neg else 4.0
    a2 = 4.0 if neg else 6.0
    a1 = 6.0 if neg else 4.0
    a0 = 4.0 if neg else 1.0
    p, pl = two_sum(a3 * t, a2)  # a3·t exact: a3 is 1 or 4
    pl = pl + a3 * tl
    p, pl = dd_mul(p, pl, t, tl)
    p, pl = dd_add(p, pl, a1, 0.0)
    p, pl = dd_mul(p, pl, t, tl)
    p, pl = dd_add(p, pl, a0, 0.0)
    # W = 4x(1 + t)·(1 or t²)
    o, ol = two_sum(1.0, t)
    ol = ol + tl
    s2, s2l = dd_mul(t, tl, t, tl)
    sq = 1.0 if neg else s2
    sql = 0.0 if neg else s2l
    w, wl = dd_mul(o, ol, sq, sql)
    w, wl = dd_mul(w, wl, 4.0 * x, 0.0)
    b, bl = dd_add(p, pl, w, wl)
    # D = t² + 2t + 2 or 2t² + 2t + 1
    c2 = 1.0 if neg else 2.0
    c0 = 2.0 if neg else 1.0
    d, dl = two_sum(c2 * t, 2.0)
    dl = dl + c2 * tl
    d, dl = dd_mul(d, dl, t, tl)
    d, dl = dd_add(d, dl, c0, 0.0)
    dd, ddl = dd_mul(d, dl, d, dl)
    return dd_ratio_scaled(b, bl, dd, ddl, e if neg else 1.0, el if neg else 0.0, n if neg else 0)


@kernel
def x_tanh_softplus(x):  # type: ignore[no-untyped-def]
    """Mish (ddmath.x_tanh_softplus), with t = e^{−|x|} from :func:`exp_parts` carried as t + tl into x·t: 1.38 →
    0.84 ulp left of −1 (t rounded first, 0.63 ulp, went into x·t whole). The far left, where t is subnormal and
    x·t is not, is the NumPy kernels' (the loop's tail count)."""
    ep, epl, n = exp_parts(-abs(x))
    t, tl = scale(ep, n), scale(epl, n)
    w = t + 1
    tt = 2 * t
    neg = x < 0
    d = (t * w / (t * (w + 1) + 2)) if neg else (tt * t / (tt * w + 1))
    p, e = two_prod(x, t if neg else 1.0)
    e = e + (x * tl if neg else 0.0)
    small = (x > _MISH_LO) & (x < _MISH_HI)  # 3/5·x + 8/25·x² + x³·H(x), H fitted (ddmath.x_tanh_softplus)
    xs = x if small else 0.0
    h = _MISH_Q[_MISH_DEGREE]
    for i in range(_MISH_DEGREE - 1, 0, -1):
        h = h * xs + _MISH_Q[i]
    a, ae = two_prod_finite(xs, _MISH_C0_HI)
    s, se = two_prod_finite(xs, xs)
    b, be = two_prod_finite(s, _MISH_C1_HI)
    hi, lo = two_sum(a, b)
    lo = lo + (((ae + xs * _MISH_C0_LO) + (be + (se * _MISH_C1_HI + s * _MISH_C1_LO))) + (s * xs) * h)
    return (hi + lo) if small else (p + (e - p * d))


@kernel
def x_tanh_softplus_fast(x):  # type: ignore[no-untyped-def]
    u = exp(20.0 if x > 20.0 else x)
    n = (u + 2) * u
    return n / (n + 2) * x


@kernel
def expit(z):  # type: ignore[no-untyped-def]
    """σ(z) rounded once (:func:`_expit_parts`; 0.61 ulp measured, where t and 1 + t rounded apart reached 1.67 at
    z = −1.32). Never 1 + e^{−z} past 2⁵³ (the NumPy kernel's far-left repair, numpy._expit), and no branch."""
    e, el, n = exp_parts(-abs(z))
    r, c, n = _expit_quotient(z < 0.0, False, e, el, n)  # not far: σ(−760 and below) = e·2ⁿ rounds to 0 anyway
    return _sigma(r, c, n)


@kernel
def x_expit(x, k):  # type: ignore[no-untyped-def]
    """x·σ(kx) rounded once: :func:`x_expit_kx` with k exact (0.63 ulp measured for SiLU, where t, x·t, 1 + t and
    the quotient rounded apart reached 2.47 ulp at x = −6.78). k = 1 (SiLU; k is a constant of the generated code,
    so the branch folds away) without kx's low part."""
    if k == 1:
        r, c, n = _expit_parts_exact(x)
        return _x_sigma(x, r, c, n)
    return x_expit_kx(x, k, 0.0)


@kernel
def _dx_expit_tail(u, t, tl, e, el, n, cl, wl_extra):  # type: ignore[no-untyped-def]
    """What :func:`dx_expit` and :func:`dx_silu` share, from u (clamped) and t = e^{−|u|} = (e + el)·2ⁿ = t + tl:
    B = (1 + c) + w with c = u, w = t (u < 0) or c = t, w = u·t (u ≥ 0), c's error cl and w's extra error wl_extra
    from the caller, over (1 + t)², one rounding. Selects, not branches: the loop vectorizes."""
    neg = u < 0.0
    c = u if neg else t
    f1 = 1.0 if neg else u
    w, wl = two_prod_finite(f1, t)  # |u| ≤ 760, t ≤ 1
    wl = wl + f1 * tl + wl_extra
    h, hl = two_sum(1.0, c)
    b, bl = two_sum(h, w)
    bl = bl + (hl + cl + wl)
    d, dl = one_plus(t, tl)
    dd, ddl = two_prod_finite(d, d)
    ddl = ddl + 2.0 * d * dl
    return dd_ratio_scaled(b, bl, dd, ddl, e if neg else 1.0, el if neg else 0.0, n if neg else 0)


@kernel
def dx_expit(x, k, k_lo):  # type: ignore[no-untyped-def]
    """d/dx x·σ(u), u = (k + k_lo)·x, in double-double: with t = e^{−|u|},

        u < 0:  t·((1 + u) + t)/(1 + t)²        u ≥ 0:  ((1 + t) + u·t)/(1 + t)²

    u = kx and t (:func:`exp_parts`) carried as hi + lo, the sums and the quotient exact to ~2⁻¹⁰⁰, the factor t
    applied last with its 2ᵏ (results from a subnormal t stay exact): one rounding plus the exponential's 2⁻⁵⁶,
    0.55 ulp measured, where σ(u)(1 + u·σ(−u)) rounded five times (4.5 ulp left of the root, 2.3 right of 0).
    Within 2⁻⁶ of the root the exponential's error, next to a sum that cancels, exceeds 1 ulp: near_root's
    patch takes over there (ir.dx_expit.root_window)."""
    u = x * k
    ul = fma(x, k, -u) + x * k_lo
    ul = ul if abs(u) < 800.0 else 0.0  # beyond, t is 0 (or 1): no error term (x·k_lo may be huge, x·k inf)
    u = min(max(u, -760.0), 760.0) if u == u else u  # ±inf: t = 0 without inf·0
    neg = u < 0.0
    e, el, n = exp_parts(-abs(u))
    el = el + e * (ul if neg else -ul)  # e^{−|u| ∓ ul} = e·(1 ∓ ul)
    t, tl = scale_absorbed(e, el, n)
    return _dx_expit_tail(u, t, tl, e, el, n, ul if neg else tl, 0.0 if neg else ul * t)


@kernel
def dx_silu(x):  # type: ignore[no-untyped-def]
    """:func:`dx_expit` for k = 1 exactly (SiLU', Swish' at β = 1): u = x, so none of u's error terms — the same
    bits with 16 % fewer operations (SiLU' 8.0 → 6.7 ms per 10⁶ in the bare loop)."""
    u = min(max(x, -760.0), 760.0) if x == x else x
    neg = u < 0.0
    e, el, n = exp_parts(-abs(u))
    t, tl = scale_absorbed(e, el, n)
    return _dx_expit_tail(u, t, tl, e, el, n, 0.0 if neg else tl, 0.0)


@kernel
def dx_expit_cubic(x, a1, a1_lo, a3, a3_lo):  # type: ignore[no-untyped-def]
    """d/dx x·σ(z), z = a₁x + a₃x³ (GELU-tanh'): σ(z)(1 + y·σ(−z)) with y = x·z′ = a₁x + 3a₃x³, z and y in
    double-double; with t = e^{−|z|}, t·((1 + t) + y)/(1 + t)² for z < 0 and ((1 + t) + y·t)/(1 + t)² for z ≥ 0,
    as :func:`dx_expit` (one rounding; t's 2ⁿ applied last, so GELU-tanh' near −21.2, where σ(z) is subnormal and
    the result normal, is exact too). |x| is clamped to 10⁵, where the result is 0 or 1 already."""
    x, z, zl, m, ml = _cubic_dd(x, a1, a1_lo, a3, a3_lo)
    m3, m3l = two_prod(3.0, m)
    s3, s3l = dd_add(m3, m3l + 3.0 * ml, a1, a1_lo)
    y, yl = dd_mul(x, 0.0, s3, s3l)
    neg = z < 0.0
    e, el, n = exp_parts(-abs(z))
    el = el + e * (zl if neg else -zl)
    t, tl = scale_absorbed(e, el, n)  # t meets 1 + t and y·t (|y| ≤ 10¹⁶); its own 2ⁿ is applied last
    o, ol = two_sum(1.0, t)
    ol = ol + tl
    yt, ytl = dd_mul(y, yl, t, tl)
    w = y if neg else yt
    wl = yl if neg else ytl
    b, bl = dd_add(o, ol, w, wl)
    dd, ddl = dd_mul(o, ol, o, ol)
    far = z <= -760.0  # exp_parts clamps there, and t·y would be e⁻⁷⁶⁰·y: the result is 0
    mm = (0.0 if far else e) if neg else 1.0
    mml = (0.0 if far else el) if neg else 0.0
    return dd_ratio_scaled(b, bl, dd, ddl, mm, mml, n if neg else 0)


@kernel
def dd_div(a, al, b, bl):  # type: ignore[no-untyped-def]
    """(a + al)/(b + bl) in double-double: the quotient and its residual's correction (not renormalized)."""
    q = a / b
    return q, (fma(-q, b, a) + al - q * bl) / b


@kernel
def pow_shift(x, c, m):  # type: ignore[no-untyped-def]
    """(x + c)ᵐ, m an integer in ±1 … ±4: x + c exactly as u + ul, the power by double-double products, a
    reciprocal for m < 0, one rounding. Beyond |u| = 1e75 (a product could overflow into inf − inf) plainly."""
    u, ul = two_sum(x, c)
    k = int(abs(m))
    if not abs(u) < 1e75:
        return u**m
    p, pl = u, ul
    for _ in range(k - 1):
        p, pl = dd_mul(p, pl, u, ul)
    if m < 0:
        p, pl = dd_div(1.0, 0.0, p, pl)
    return p + pl


@kernel
def dd_sqrt(a, al):  # type: ignore[no-untyped-def]
    """√(a + al) in double-double: the rounded root and one Newton correction from the exact residual."""
    h = math.sqrt(a)
    return h, (fma(-h, h, a) + al) / (2.0 * h)


@kernel
def hypot_pow(x, c, c_lo, s, m, n):  # type: ignore[no-untyped-def]
    """(h + s·x)ᵐ·hⁿ, h = √(x² + c) (squareplus, its derivative): h as hi + lo (x² exact, one Newton step for the
    root), h + s·x summed exactly or, where it cancels (s·x < 0), c/(h + |x|); the power product in double-double,
    one rounding. Beyond |x| = 1e150 (x² overflows) h = |x| + c/(2|x|)."""
    ax = abs(x)
    if ax > 1e150:
        h, hl = ax, c / (2.0 * ax)
    else:
        p, pl = two_prod(x, x)
        sq, sql = two_sum(p, c)
        h, hl = dd_sqrt(sq, sql + pl + c_lo)
    sx = s * x
    if sx >= 0.0:
        u, ul = two_sum(h, sx)
        ul = ul + hl
    else:
        d, dl = two_sum(h, ax)
        u, ul = dd_div(c, c_lo, d, dl + hl)
    r, rl = 1.0, 0.0
    if n > 0:
        r, rl = h, hl
    elif n < 0:
        r, rl = dd_div(1.0, 0.0, h, hl)
    if m > 0:
        r, rl = dd_mul(r, rl, u, ul)
    elif m < 0:
        r, rl = dd_div(r, rl, u, ul)
    return r + rl


@kernel
def big_exp(d, dl, c, c_lo):  # type: ignore[no-untyped-def]
    """(c + c_lo)·e^{d + dl} for d > 700 as c·(e^{d/2})²: d/2 is exact and stays inside :func:`exp_parts`' range,
    2²ⁿ is applied last (finite up to the largest double for c < 1, inf beyond)."""
    e, el, n = exp_parts(0.5 * d)
    e2, e2l = dd_mul(e, el, e, el)
    p, pl = dd_mul(c, c_lo, e2, e2l + e2 * dl)
    return scale(scale(p + pl, n), n)


@kernel
def expm1_dd(d):  # type: ignore[no-untyped-def]
    """eᵈ − 1 as hi + lo without libm, d ≤ 700, within 2⁻⁵⁵ relative (the Horner sum's rounding: a quarter of an
    ulp of the caller's result at most): d + d²·Σ dᵏ/(k + 2)! for |d| ≤ 1/2 (d² exact, Horner), beyond
    (e + e_lo)·2ⁿ − 1 from :func:`exp_parts` by an exact two-sum. Both sides are computed and one selected: no call,
    no load, so loops over it vectorize."""
    q = _EXPM1X_Q[14]
    for i in range(13, -1, -1):
        q = fma(q, d, _EXPM1X_Q[i])
    d2, d2l = two_prod(d, d)
    p, pl = two_prod(d2, q)
    small_hi, small_lo = two_sum(d, p)
    small_lo = small_lo + (pl + d2l * q)
    e, el, n = exp_parts(d)
    big_hi, big_lo = two_sum(scale(e, n), -1.0)
    big_lo = big_lo + scale(el, n)
    small = abs(d) <= 0.5
    return (small_hi if small else big_hi), (small_lo if small else big_lo)


@kernel
def expm1_shift(x, r, r_lo, c, c_lo):  # type: ignore[no-untyped-def]
    """c·(e^{x − r} − 1), r and c double-double (a·eˣ + b with its root r = ln(−b/a), c = −b: xIELU'): x − r as
    d + d_lo exactly, expm1(d + d_lo) = expm1(d) + eᵈ·d_lo with expm1(d) from :func:`expm1_dd` (libm's expm1, a
    scalar call, kept xIELU''s loop at NumPy's speed), the product by c exact, one rounding: relative accuracy at
    the root itself. Beyond d = 700, c·eᵈ from :func:`exp_parts` and 2ⁿ last."""
    s, sl = two_sum(x, -r)
    t = sl - r_lo if abs(x) < 1e300 else 0.0  # ±inf: no inf − inf in the error terms
    d = s + t
    dl = t - (d - s) if abs(x) < 1e300 else 0.0
    if d > 700.0:
        return big_exp(d, dl, c, c_lo)
    m, ml = expm1_dd(d)
    p, pl = two_prod(c, m)
    return p + (pl + c * ml + c_lo * m + c * (m + 1.0) * dl)


@kernel
def expm1_lin(x, a, a_lo, s, s_lo):  # type: ignore[no-untyped-def]
    """a·(eˣ − 1 − x) + s·x in double-double (xIELU for x ≤ ε, s = β): p = eˣ − 1 − x is x²·Σ xᵏ/(k + 2)! for
    |x| ≤ 1/2 (x² exact, Horner), beyond (e + e_lo)·2ⁿ − (1 + x) in double-double (:func:`exp_parts`); a·p + s·x
    carried to ~2⁻¹⁰⁰ and rounded once: the two terms cancel at xIELU's root near −2.45. Beyond x = 700, a·eˣ."""
    if abs(x) <= 0.5:
        q = _EXPM1X_Q[14]
        for i in range(13, -1, -1):
            q = fma(q, x, _EXPM1X_Q[i])
        x2, x2l = two_prod(x, x)
        p, pl = two_prod(x2, q)
        pl = pl + x2l * q
    elif x > 700.0:
        return big_exp(x, 0.0, a, a_lo)
    else:
        e, el, n = exp_parts(x)
        h, hl = two_sum(1.0, x)
        p, pl = two_sum(scale(e, n), -h)
        pl = pl + (scale(el, n) - hl)
    m, ml = dd_mul(a, a_lo, p, pl)
    t, tl = two_prod(s, x)
    h, hl = dd_add(m, ml, t, tl + s_lo * x)
    return h + hl


@kernel
def dx_expit_fast(x, k):  # type: ignore[no-untyped-def]
    """fast=True: d/dx x·σ(kx) = s·(1 + kx·σ(−kx)), s = σ(kx): with t = e^{−|kx|}, σ(±kx) = (1 or t)/(1 + t)."""
    m = x * -k
    t = exp(-abs(m))
    d = 1 + t
    pos = m <= 0  # kx ≥ 0
    s = (1.0 if pos else t) / d
    kx = x * k
    # kx ≥ 0: 1 + kx·t/(1 + t), no cancellation; kx < 0: (1 + kx) − kx·s with 1 + kx an exact two-sum, so that
    # the far left (≈ 1 + kx) keeps it exactly and only the root's neighbourhood (near_root's) cancels
    h, lo = two_sum(1.0, kx)
    inner = fma(kx, t / d, 1.0) if pos else fma(-kx, s, h) + lo
    return s * inner


@kernel
def ramp(x, a, b):  # type: ignore[no-untyped-def]
    v = a if x < a else (b if x > b else x)
    return (v - a) / (b - a)


# fdlibm's log1p (s_log1p.c): log1p(f) = f − (f²/2 − s(f²/2 + R(s²))), s = f/(2 + f), for f in [√2/2 − 1, √2 − 1]
_LP1, _LP2, _LP3, _LP4 = 6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01, \
    2.222219843214978396e-01
_LP5, _LP6, _LP7 = 1.818357216161805012e-01, 1.531383769920937332e-01, 1.479819860511658591e-01
_SQRT2_M1 = 0.41421356237309503


@kernel
def log1p_dd(t, tl):  # type: ignore[no-untyped-def]
    """log1p(t + tl) for t in [0, 1] (tl ≪ t) as hi + lo, without libm (so that loops vectorize): fdlibm's reduction
    and polynomial, 1 + t = 2·(1 + f) past √2 − 1 with the rounding of 1 + t carried as c/(1 + t), and the last
    subtraction exact; ~0.3 ulp before the caller's rounding (0.78 ulp measured once rounded)."""
    big = t >= _SQRT2_M1
    u = 1.0 + t
    f = 0.5 * u - 1.0 if big else t  # exact: Sterbenz
    c = (((t - (u - 1.0)) if big else 0.0) + tl) / u
    hfsq = 0.5 * f * f
    s = f / (2.0 + f)
    z = s * s
    r = z * (_LP1 + z * (_LP2 + z * (_LP3 + z * (_LP4 + z * (_LP5 + z * (_LP6 + z * _LP7))))))
    r = hfsq - s * (hfsq + r)  # log1p(f) = f − r
    h, hl = two_sum(_LN2_HI if big else 0.0, f)
    hl = hl + (((_LN2_LO if big else 0.0) + c) - r)
    lg = h + hl
    return lg, hl - (lg - h)


@kernel
def softplus_stable(z):  # type: ignore[no-untyped-def]
    """max(z, 0) + log1p(e^{−|z|}): the exponential from :func:`exp_parts` with its low part, :func:`log1p_dd`, one
    rounding at the end (0.5 ulp measured, libm's log1p(eᶻ) 1.1); no libm call, so that loops vectorize. NaN stays
    NaN, ±inf give inf and 0."""
    e, el, n = exp_parts(-abs(z))
    lg, lgl = log1p_dd(scale(e, n), scale(el, n))
    s, sl = two_sum(max(z, 0.0), lg)  # exact: s = lg, sl = 0 for z ≤ 0
    r = s + (sl + lgl)
    return r if r == r else z  # +inf: inf − inf in the two-sum


@kernel
def expit_softplus_pow(z, a, b):  # type: ignore[no-untyped-def]
    """σ(z)^a·softplus(z)^b; e^{(a+b)z} below −37 (numpy._expit_softplus_pow). For b = ±1/2 or −1 and a = 0, 1, 2
    (√softplus and its derivatives) in double-double: t = e^{−|z|} from :func:`exp_parts`, softplus = max(z, 0) +
    log1p(t) with t's low part carried (:func:`log1p_dd`, ~0.3 ulp before the last rounding), σ, the square root
    and the products exact to ~2⁻¹⁰⁰ (√softplus' 3.0 → 1.1 ulp with libm's log1p; no libm call now)."""
    if z < -37.0:
        return exp((a + b) * z)
    if (b == 0.5 or b == -0.5 or b == -1.0) and (a == 0.0 or a == 1.0 or a == 2.0):
        e, el, n = exp_parts(-abs(z))
        t = scale(e, n)
        tl = scale(el, n)
        d, dl = one_plus(t, tl)
        lg, lgl = log1p_dd(t, tl)
        if z > 0.0:
            s, sl = two_sum(z, lg)
            sl = sl + lgl
        else:
            s, sl = lg, lgl
        if b == -1.0:
            r, rl = dd_div(1.0, 0.0, s, sl)
        else:
            h, hl = dd_sqrt(s, sl)
            r, rl = (h, hl) if b == 0.5 else dd_div(1.0, 0.0, h, hl)
        if a != 0.0:
            g, gl = dd_div(1.0 if z >= 0.0 else t, 0.0 if z >= 0.0 else tl, d, dl)
            r, rl = dd_mul(r, rl, g, gl)
            if a == 2.0:
                r, rl = dd_mul(r, rl, g, gl)
        return r + rl
    sp = softplus_stable(z)
    if b == 0.5:
        out = math.sqrt(sp)
    elif b == -0.5:
        out = 1 / math.sqrt(sp)
    else:
        out = sp**b
    if a != 0:
        out = out * expit(z) ** a
    return out


@kernel
def erfc_stable(z):  # type: ignore[no-untyped-def]
    return math.erfc(z)


@kernel
def erf(z):  # type: ignore[no-untyped-def]
    return math.erf(z)


@kernel
def log1p(z):  # type: ignore[no-untyped-def]
    return math.log1p(z)


@kernel
def expm1(z):  # type: ignore[no-untyped-def]
    """eᶻ − 1 without libm: :func:`expm1_dd` rounded once (≤ 0.75 ulp), so loops over it vectorize — libm's expm1
    is a scalar call that kept ELU, SELU and CELU on NumPy's passes (ELU 12 ms at 10⁶ against torch's 5.2). Beyond
    z ≈ 709.8 the hi part is inf and its error term NaN: hi is taken; −0 stays −0."""
    h, lo = expm1_dd(z)
    s = h + lo
    s = s if s == s else h
    return s if z != 0.0 else z


@kernel
def hypot(a, b):  # type: ignore[no-untyped-def]
    return math.hypot(a, b)


@kernel
def near_root(x, value, r_hi, r_lo, w, c1_hi, c1_lo, q):  # type: ignore[no-untyped-def]
    """``value``, or within ``w`` of the root r_hi + r_lo its Taylor polynomial (ddmath.root_taylor). q = c₂ + c₃d
    + … comes evaluated by Horner's rule in the generated code (symact.backends.numba prints it out): a loop over a
    coefficient tuple here kept the array loop from vectorizing (SiLU' 1.2 → 21 ms per 10⁶)."""
    d0 = x - r_hi
    d, d_lo = two_sum(d0, -r_lo)
    p, e = two_prod_finite(d, c1_hi)  # inf only where x is, and then the window's test fails: value is taken
    near = p + (e + (d * c1_lo + d_lo * c1_hi) + d * d * q)
    return near if abs(d0) < w else value


@kernel
def maximum(a, b):  # type: ignore[no-untyped-def]
    """numpy.maximum: NaN from either side propagates."""
    if a != a or a >= b:
        return a
    return b


@kernel
def minimum(a, b):  # type: ignore[no-untyped-def]
    if a != a or a <= b:
        return a
    return b


@kernel
def where(c, a, b):  # type: ignore[no-untyped-def]
    return a if c else b


def fused() -> frozenset[str]:
    """The names this module implements (the backend checks a lowered expression against them)."""
    return frozenset(name for name, obj in globals().items() if hasattr(obj, "py_func") and not name.startswith("_")
                     and name not in {"two_prod", "two_sum", "poly", "exp_parts", "scale", "dd_add", "dd_mul",
                                           "dd_ratio_scaled", "big_exp", "dd_div", "dd_sqrt", "two_prod_finite",
                                           "expit_kx", "x_expit_kx", "expm1_dd"})


TAKES_COEFFS = frozenset({"expit_poly", "x_expit_poly", "erfc_poly", "x_erfc_poly", "gauss_poly", "x_gauss_poly",
                          "k_gauss_poly"})
"""Kernels whose trailing arguments are polynomial coefficients, passed here as one tuple."""

LEADING = {"x_erfc_poly": 2, "x_gauss_poly": 2, "k_gauss_poly": 3}
"""How many arguments come before the coefficients (1, x, where not listed)."""


__all__ = ["LEADING", "TAKES_COEFFS", "exp", "fma", "fused", "jit", "kernel"]
