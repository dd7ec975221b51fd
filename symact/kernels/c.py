"""The scalar kernels in C99 (and CUDA): the algorithms of :mod:`.numba`, line for line, for exported headers.

Every exact product's error is ``fma(a, b, −p)`` (``__fma_rn`` on CUDA). A compiler that fuses a multiply into an
add *that also uses the rounded product* breaks an error-free transformation: nvcc's default ``--fmad=true`` lets
ptxas fuse ``p = a*b`` into ``s = p + c`` and into ``s − p`` of two_sum even where ``p`` has other uses (measured on an
H200: the σ-polynomial forms lost the low word of their argument, 300–1200 ulp in the left tail). So the rounded
product of an exact product is ``SYMACT_MUL`` and the sums of two_sum are ``SYMACT_ADD``/``SYMACT_SUB``: plain
``*``/``+``/``-`` in C, ``__dmul_rn``/``__dadd_rn``/``__dsub_rn`` on CUDA, which are never fused. Every other
multiply-add that a compiler contracts loses a rounding from a correction term only. GCC's ``-ffp-contract=fast``
(its default outside ISO mode; it ignores ``#pragma STDC FP_CONTRACT``) fuses only single-use products; the tests
compile both ways and run the CUDA export on a GPU where one is lent.

:func:`kernels_source` gives the kernels for a target: ``SYMACT_FN`` qualifies every function (``static inline``,
or ``static __device__ __forceinline__``), ``SYMACT_TABLE`` the erfcx tables (``static const``, or
``static __device__ const``). The tables are written out from :mod:`.erfcx` (mpmath) with ``repr`` of each double,
so the C values are bit for bit NumPy's.
"""

from __future__ import annotations

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
    _TANH_SQ_G,
    _TANH_SQ_G0_LO,
    _TANH_SQ_SMALL,
    _TWO_OVER_SQRT_PI,
    _UP,
    _XMT_D,
    _XMT_N,
    _XMT_SMALL,
)
from .erfcx import ERFCX, ERFCX_RSQRT2

TARGETS = {
    "c": ("static inline", "static const", "fma", "((a) * (b))", "((a) + (b))", "((a) - (b))"),
    # unused: a header holds every kernel, a program calls a few (nvcc warns #177 on each other one)
    "cuda": ("static __device__ __forceinline__ __attribute__((unused))", "static __device__ const", "__fma_rn",
             "__dmul_rn((a), (b))", "__dadd_rn((a), (b))", "__dsub_rn((a), (b))"),
}
"""Target → (function qualifier, table qualifier, exact fused multiply-add, and a product, sum and difference that
the compiler never fuses: SYMACT_MUL/ADD/SUB(a, b))."""

_KERNELS = r"""
typedef struct { double hi, lo; } symact_dd;

SYMACT_FN symact_dd symact_two_prod(double a, double b) {
    symact_dd r;
    double e;
    r.hi = SYMACT_MUL(a, b); /* never fused into a later add: the error term below is of this rounding */
    e = SYMACT_FMA(a, b, -r.hi);
    r.lo = (e - e == 0.0) ? e : 0.0; /* an overflowing product: no error term (those results saturate) */
    return r;
}

SYMACT_FN symact_dd symact_two_sum(double a, double b) {
    symact_dd r;
    double bb;
    /* unfusable: nvcc would fuse a product argument into a + b and into r.hi - a (see the module notes) */
    r.hi = SYMACT_ADD(a, b);
    bb = SYMACT_SUB(r.hi, a);
    r.lo = SYMACT_ADD(SYMACT_SUB(a, SYMACT_SUB(r.hi, bb)), SYMACT_SUB(b, bb));
    return r;
}

/* P(x) = hi + lo by Horner's rule in double-double; c holds (hi, lo) pairs, highest degree first */
SYMACT_FN symact_dd symact_poly(double x, int n, const double *c) {
    symact_dd r, p, s;
    double f;
    int i;
    r.hi = c[0];
    r.lo = c[1];
    for (i = 2; i < n; i += 2) {
        p = symact_two_prod(r.hi, x);
        p.lo = p.lo + r.lo * x;
        s = symact_two_sum(p.hi, c[i]);
        f = s.lo + p.lo + c[i + 1];
        r.hi = s.hi + f;
        r.lo = f - (r.hi - s.hi);
    }
    return r;
}

/* e^a = (e + lo) * 2^n to ~2^-56 relative (symact.kernels.numba.exp_parts); a clamped to [-760, 710] */
SYMACT_FN symact_dd symact_exp_parts(double a, int *n) {
    symact_dd out;
    double kd, rh, c, c_err, r, r_lo, q, t, s, tail;
    int i;
    a = a != a ? a : (a < -760.0 ? -760.0 : (a > 710.0 ? 710.0 : a));
    kd = nearbyint(a * SYMACT_LOG2E);
    *n = a == a ? (int)kd : 0;
    rh = a - kd * SYMACT_LN2_HI;
    c = SYMACT_MUL(kd, SYMACT_LN2_LO);
    c_err = SYMACT_FMA(kd, SYMACT_LN2_LO, -c);
    r = rh - c;
    r_lo = ((rh - r) - c) - c_err;
    q = SYMACT_INV_FACT[11];
    for (i = 10; i >= 0; i--) q = SYMACT_FMA(q, r, SYMACT_INV_FACT[i]);
    t = SYMACT_FMA(q, r * r, r_lo);
    s = 1.0 + r;
    tail = ((1.0 - s) + r) + t;
    out.hi = s + tail;
    out.lo = (s - out.hi) + tail;
    return out;
}

/* sigma(h + lo) = (hi + lo)*2^n (symact.kernels.numba._expit_dd): t = e^-|h + lo| from symact_exp_parts, the
   quotient num/(1 + t) corrected by its residual; 2^n (n = 0 for h >= 0) is left to the caller, so that
   x*sigma(h) stays exact where sigma is subnormal and the product is not (QuickGELU near x = -418) */
SYMACT_FN symact_dd symact_expit_parts(double h, double lo, int *n) {
    symact_dd e, out;
    int neg = h < 0.0;
    double t, tl, d, dl, num;
    lo = fabs(h) < 800.0 ? lo : 0.0; /* beyond, t is 0: no error term (lo may be huge, or NaN from inf - inf) */
    e = symact_exp_parts(-fabs(h), n);
    if (h < -760.0) e.hi = e.lo = 0.0; /* exp_parts clamps there: sigma is 0 (x*sigma too, however large x) */
    e.lo = e.lo + e.hi * (neg ? lo : -lo); /* e^-|h + lo| = e^-|h| (1 +- lo) */
    t = ldexp(e.hi, *n);
    tl = ldexp(e.lo, *n);
    d = 1.0 + t;
    dl = (t - (d - 1.0)) + tl;
    num = neg ? e.hi : 1.0;
    out.hi = num / d;
    out.lo = ((SYMACT_FMA(-out.hi, d, num) + (neg ? e.lo : 0.0)) - out.hi * dl) / d;
    *n = neg ? *n : 0;
    return out;
}

SYMACT_FN double symact_expit_poly(double x, int n, const double *c) {
    symact_dd p = symact_poly(x, n, c), r;
    int m;
    r = symact_expit_parts(p.hi, p.lo, &m);
    return ldexp(r.hi + r.lo, m);
}

/* x*sigma(h + lo) from symact_expit_parts: x*(hi + lo) by an exact product, 2^n last, rounded once */
SYMACT_FN double symact_x_times_expit(double x, double h, double lo) {
    symact_dd r, a;
    int m;
    r = symact_expit_parts(h, lo, &m);
    a = symact_two_prod(x, r.hi);
    return ldexp(a.hi + (a.lo + x * r.lo), m);
}

SYMACT_FN double symact_x_expit_poly(double x, int n, const double *c) {
    symact_dd p = symact_poly(x, n, c);
    return symact_x_times_expit(x, p.hi, p.lo);
}

/* erfcx(u/sqrt(m)) = hi + lo from a Taylor table: rows[n][k], n = 0 .. degree */
SYMACT_FN symact_dd symact_table(double u, const double *rows, const double *b0_lo, int count, int degree,
                                 double width, double limit) {
    symact_dd out;
    double inside = u < limit ? u : limit, t, q, b0;
    int k = (int)(inside * (1 / width)), n;
    if (k > count - 1) k = count - 1;
    t = inside - (k + 0.5) * width;
    q = rows[degree * count + k];
    for (n = degree - 1; n > 0; n--) q = q * t + rows[n * count + k];
    q = q * t;
    b0 = rows[k];
    out.hi = b0 + q;
    out.lo = ((b0 - out.hi) + q) + b0_lo[k];
    return out;
}

SYMACT_FN symact_dd symact_erfc_dd(double hi, double lo) {
    symact_dd out, s, sq, r, r2;
    double a = fabs(hi), e;
    s = symact_table(a, &SYMACT_X_ROWS[0][0], SYMACT_X_B0_LO, SYMACT_X_COUNT, SYMACT_X_DEGREE, SYMACT_X_WIDTH,
                     SYMACT_X_LIMIT);
    sq = symact_two_prod(a, a);
    e = exp(-sq.hi);
    r = symact_two_prod(s.hi, e);
    r.lo = r.lo + (s.lo - s.hi * sq.lo) * e;
    r2 = symact_two_sum(2.0, -r.hi);
    out.hi = hi < 0 ? r2.hi : r.hi;
    out.lo = (hi < 0 ? r2.lo - r.lo : r.lo) - lo * SYMACT_TWO_OVER_SQRT_PI * e;
    return out;
}

SYMACT_FN double symact_erfc_poly(double x, int n, const double *c) {
    symact_dd p = symact_poly(x, n, c), r = symact_erfc_dd(p.hi, p.lo);
    return r.hi + r.lo;
}

SYMACT_FN double symact_x_erfc_poly(double x, double k, int n, const double *c) {
    symact_dd p = symact_poly(x, n, c), r = symact_erfc_dd(p.hi, p.lo), rk, a;
    rk = symact_two_prod(r.hi, k);
    rk.lo = rk.lo + r.lo * k;
    a = symact_two_prod(x, rk.hi);
    return a.hi + (a.lo + x * rk.lo);
}

SYMACT_FN double symact_ncdf(double x) {
    symact_dd g, sq, r, r2;
    double u = fabs(x), e;
    g = symact_table(u, &SYMACT_RS2_ROWS[0][0], SYMACT_RS2_B0_LO, SYMACT_RS2_COUNT, SYMACT_RS2_DEGREE,
                     SYMACT_RS2_WIDTH, SYMACT_RS2_LIMIT);
    sq = symact_two_prod(u, u);
    e = exp(-0.5 * sq.hi);
    r = symact_two_prod(g.hi, e);
    r.lo = r.lo + (g.lo - 0.5 * g.hi * sq.lo) * e;
    r.hi = 0.5 * r.hi;
    r.lo = 0.5 * r.lo;
    r2 = symact_two_sum(1.0, -r.hi);
    return x > 0 ? r2.hi + (r2.lo - r.lo) : r.hi + r.lo;
}

SYMACT_FN double symact_x_ncdf(double x, double k) {
    symact_dd g, sq, kx, p, r, kx1, s;
    double u = fabs(x), e, f, c;
    g = symact_table(u, &SYMACT_RS2_ROWS[0][0], SYMACT_RS2_B0_LO, SYMACT_RS2_COUNT, SYMACT_RS2_DEGREE,
                     SYMACT_RS2_WIDTH, SYMACT_RS2_LIMIT);
    sq = symact_two_prod(u, u);
    e = exp(-0.5 * sq.hi) * SYMACT_UP;
    kx = symact_two_prod(x, 0.5 * k);
    p = symact_two_prod(kx.hi, g.hi);
    f = p.lo + kx.hi * g.lo + kx.lo * g.hi;
    r = symact_two_prod(p.hi, e);
    c = r.lo + (f - p.hi * (0.5 * sq.lo)) * e;
    kx1 = symact_two_prod(x, k);
    s = symact_two_sum(kx1.hi, -(r.hi * SYMACT_DOWN));
    return x > 0 ? s.hi + ((s.lo + kx1.lo) - c * SYMACT_DOWN) : (r.hi + c) * SYMACT_DOWN;
}

SYMACT_FN double symact_gauss(double x) {
    symact_dd sq = symact_two_prod(x, x);
    double e = exp(-0.5 * sq.hi) * SYMACT_UP;
    return (e - e * (0.5 * sq.lo)) * SYMACT_DOWN;
}

SYMACT_FN double symact_x_gauss(double x, double k) {
    symact_dd sq = symact_two_prod(x, x), r, a;
    double f;
    r = symact_two_prod(exp(-0.5 * sq.hi) * SYMACT_UP, k);
    f = r.lo - r.hi * (0.5 * sq.lo);
    a = symact_two_prod(x, r.hi);
    return (a.hi + (a.lo + x * f)) * SYMACT_DOWN;
}

SYMACT_FN double symact_gauss_poly(double x, int n, const double *c) {
    symact_dd p = symact_poly(x, n, c), sq = symact_two_prod(p.hi, p.hi);
    return exp(-sq.hi) * (1 - sq.lo - 2 * p.hi * p.lo);
}

SYMACT_FN double symact_x_gauss_poly(double x, double k, int n, const double *c) {
    symact_dd p = symact_poly(x, n, c), sq = symact_two_prod(p.hi, p.hi), r, a;
    double f;
    r = symact_two_prod(exp(-sq.hi), k);
    f = r.lo - r.hi * (sq.lo + 2 * p.hi * p.lo);
    a = symact_two_prod(x, r.hi);
    return a.hi + (a.lo + x * f);
}


SYMACT_FN double symact_dexpit(double z) {
    symact_dd p, rp;
    double t = exp(-fabs(z)), d = 1 + t, dl = t - (d - 1), r;
    p = symact_two_prod(d, d);
    r = t / p.hi;
    rp = symact_two_prod(r, p.hi);
    return r + (((t - rp.hi) - rp.lo) - r * (p.lo + 2 * d * dl)) / p.hi;
}

SYMACT_FN double symact_dexpit_fast(double z) { return 0.5 / (cosh(z) + 1); }

/* x - tanh x: x^3/(3 + u + R) below |x| = 3/2, R = u N(u)/D(u) the continued fraction's tail, the quotient
   corrected by its residual (symact.kernels.numba.x_minus_tanh, the same steps) */
SYMACT_FN double symact_x_minus_tanh(double x) {
    symact_dd u, c3, p;
    double a = fabs(x), xs = a < SYMACT_XMT_SMALL ? x : 0.0, rn = SYMACT_XMT_N[0], rd = SYMACT_XMT_D[0];
    double r, dh, dl, d0, c3l, inv, q, near, t, sign;
    int i;
    u = symact_two_prod(xs, xs);
    for (i = 1; i < 6; i++) rn = rn * u.hi + SYMACT_XMT_N[i];
    for (i = 1; i < 6; i++) rd = rd * u.hi + SYMACT_XMT_D[i];
    r = u.hi * rn / rd;
    dh = SYMACT_ADD(3.0, u.hi);
    dl = (SYMACT_SUB(3.0, dh) + u.hi) + u.lo;
    d0 = SYMACT_ADD(dh, r);
    dl = SYMACT_SUB(r, SYMACT_SUB(d0, dh)) + dl;
    c3 = symact_two_prod(xs, u.hi);
    c3l = c3.lo + xs * u.lo;
    inv = 1.0 / d0;
    q = c3.hi * inv;
    p = symact_two_prod(q, d0);
    near = q + (((SYMACT_SUB(c3.hi, p.hi) - p.lo) + c3l) - q * dl) * inv;
    if (a < SYMACT_XMT_SMALL) return near;
    t = exp(-2 * a);
    sign = x < 0 ? -1.0 : 1.0;
    return (x - sign) + sign * (2 * t / (1 + t));
}

/* tanh as symact.kernels.numba.tanh: glibc's tanh is ~2 ulp off, which tanh^2 (tanhshrink') doubles to 5 */
SYMACT_FN double symact_tanh(double x) {
    double a = fabs(x), xs = a < 1.0 ? x : 0.0, x2 = xs * xs, t_cf = 25.0, near, t, far;
    int k;
    for (k = 11; k > 0; k--) t_cf = (2 * k + 1) + x2 / t_cf;
    near = x2 != 0 ? xs - xs * x2 / (t_cf + x2) : xs;
    t = exp(-2 * (a < 1.0 ? 1.0 : a));
    far = 1 - 2 * t / (1 + t);
    return a < 1.0 ? near : (x < 0 ? -far : far);
}

SYMACT_FN double symact_x_tanh_softplus(double x) {
    symact_dd p, e;
    int n, neg = x < 0;
    double t, w, tt, d;
    int small = x > SYMACT_MISH_LO && x < SYMACT_MISH_HI;
    double xs = small ? x : 0.0, h;
    symact_dd a, s, b, hl;
    int i;
    /* t = e^-|x| = (e.hi + e.lo)*2^n, the 2^n of x*t applied last: exact where t is subnormal and x*t is not
       (x*t rounded there was 355 ulp off near x = -714) */
    e = symact_exp_parts(-fabs(x), &n);
    if (x < -760.0) e.hi = e.lo = 0.0; /* exp_parts clamps there: the result is x*0 */
    t = ldexp(e.hi, n);
    w = t + 1;
    tt = 2 * t;
    d = neg ? t * w / (t * (w + 1) + 2) : tt * t / (tt * w + 1);
    p = symact_two_prod(x, neg ? e.hi : 1.0);
    p.lo = p.lo + (neg ? x * e.lo : 0.0);
    /* -1 < x < 1: 3/5 x + 8/25 x^2 + x^3 H(x), H fitted, the two leading terms carried exactly
       (symact.kernels.ddmath.x_tanh_softplus) */
    h = SYMACT_MQ[SYMACT_MQ_DEGREE];
    for (i = SYMACT_MQ_DEGREE - 1; i > 0; i--) h = h * xs + SYMACT_MQ[i];
    a = symact_two_prod(xs, SYMACT_MISH_C0_HI);
    s = symact_two_prod(xs, xs);
    b = symact_two_prod(s.hi, SYMACT_MISH_C1_HI);
    hl = symact_two_sum(a.hi, b.hi);
    hl.lo += ((a.lo + xs * SYMACT_MISH_C0_LO) + (b.lo + (s.lo * SYMACT_MISH_C1_HI + s.hi * SYMACT_MISH_C1_LO)))
             + (s.hi * xs) * h;
    return small ? hl.hi + hl.lo : ldexp(p.hi + (p.lo - p.hi * d), neg ? n : 0);
}

SYMACT_FN double symact_x_tanh_softplus_fast(double x) {
    double u = exp(x > 20.0 ? 20.0 : x), n = (u + 2) * u;
    return n / (n + 2) * x;
}

/* sigma(z) rounded once: symact_expit_parts with lo = 0 (symact.kernels.numba.expit) */
SYMACT_FN double symact_expit(double z) {
    int n;
    symact_dd r = symact_expit_parts(z, 0.0, &n);
    return ldexp(r.hi + r.lo, n);
}

/* x*sigma(kx) rounded once, kx carried as hi + lo into symact_expit_parts (symact.kernels.numba.x_expit): t, x*t,
   1 + t and the quotient rounded apart reached 2.5 ulp, and 355 where t is subnormal and the result is not (SiLU
   near x = -714) */
SYMACT_FN double symact_x_expit(double x, double k) {
    double h = SYMACT_MUL(x, k);
    return symact_x_times_expit(x, h, SYMACT_FMA(x, k, -h));
}

/* k*e^(-P^2) with e^(-s) from symact_exp_parts and 2^n applied last (symact.kernels.numba.k_gauss_poly) */
SYMACT_FN double symact_k_gauss_poly(double x, double k_hi, double k_lo, int n, const double *c) {
    symact_dd p = symact_poly(x, n, c), sq = symact_two_prod(p.hi, p.hi), e, r;
    int m;
    e = symact_exp_parts(-sq.hi, &m);
    if (sq.hi > 800.0) e.hi = e.lo = 0.0; /* exp_parts clamps its argument: e^(-s) is 0 there */
    r = symact_two_prod(e.hi, k_hi);
    return ldexp(r.hi + ((r.lo + e.hi * k_lo + k_hi * e.lo) - r.hi * (sq.lo + 2.0 * p.hi * p.lo)), m);
}

/* (m + ml)*(b/d)*2^n rounded once, b and d double-double (symact.kernels.numba.dd_ratio_scaled) */
SYMACT_FN double symact_dd_ratio_scaled(symact_dd b, symact_dd d, double m, double ml, int n) {
    double inv = 1.0 / d.hi, g = b.hi * inv, gl = (SYMACT_FMA(-g, d.hi, b.hi) + b.lo - g * d.lo) * inv;
    symact_dd p = symact_two_prod(m, g);
    return ldexp(p.hi + (p.lo + m * gl + ml * g), n);
}

/* d/dx x*sigma(u), u = (k + k_lo)*x, in double-double (symact.kernels.numba.dx_expit): with t = e^-|u|,
   t*((1 + u) + t)/(1 + t)^2 for u < 0, ((1 + t) + u*t)/(1 + t)^2 for u >= 0, rounded once */
SYMACT_FN double symact_dx_expit(double x, double k, double k_lo) {
    double u = SYMACT_MUL(x, k), ul = SYMACT_FMA(x, k, -u) + x * k_lo, t, tl, c, cl, f1;
    symact_dd e, w, h, b, d, dd;
    int n, neg;
    ul = fabs(u) < 800.0 ? ul : 0.0;
    u = u != u ? u : (u < -760.0 ? -760.0 : (u > 760.0 ? 760.0 : u));
    neg = u < 0.0;
    e = symact_exp_parts(-fabs(u), &n);
    e.lo = e.lo + e.hi * (neg ? ul : -ul);
    t = ldexp(e.hi, n);
    tl = ldexp(e.lo, n);
    c = neg ? u : t;
    cl = neg ? ul : tl;
    f1 = neg ? 1.0 : u;
    w = symact_two_prod(f1, t);
    w.lo = w.lo + f1 * tl + (neg ? 0.0 : ul * t);
    h = symact_two_sum(1.0, c);
    b = symact_two_sum(h.hi, w.hi);
    b.lo = b.lo + (h.lo + cl + w.lo);
    d = symact_two_sum(1.0, t);
    d.lo = d.lo + tl;
    dd = symact_two_prod(d.hi, d.hi);
    dd.lo = dd.lo + 2.0 * d.hi * d.lo;
    return symact_dd_ratio_scaled(b, dd, neg ? e.hi : 1.0, neg ? e.lo : 0.0, neg ? n : 0);
}

SYMACT_FN double symact_dx_expit_fast(double x, double k) {
    double m = x * -k, t = exp(-fabs(m)), d = 1 + t, s = (m <= 0 ? 1.0 : t) / d, kx = x * k;
    symact_dd h = symact_two_sum(1.0, kx); /* kx < 0: (1 + kx) - kx*s, 1 + kx exact (see symact.kernels.numba) */
    return s * (m <= 0 ? SYMACT_FMA(kx, t / d, 1.0) : SYMACT_FMA(-kx, s, h.hi) + h.lo);
}

/* Mish' as one rational function of t = e^-|x| in double-double (symact.kernels.numba.dx_tanh_softplus) */
SYMACT_FN symact_dd symact_dd_add(symact_dd a, symact_dd b) {
    symact_dd s = symact_two_sum(a.hi, b.hi), r;
    double e = s.lo + (a.lo + b.lo);
    r.hi = s.hi + e;
    r.lo = e - (r.hi - s.hi);
    return r;
}

SYMACT_FN symact_dd symact_dd_mul(symact_dd a, symact_dd b) {
    symact_dd r;
    r.hi = SYMACT_MUL(a.hi, b.hi);
    r.lo = SYMACT_FMA(a.hi, b.hi, -r.hi) + (a.hi * b.lo + a.lo * b.hi);
    return r;
}

SYMACT_FN symact_dd symact_dd_of(double hi, double lo) {
    symact_dd r;
    r.hi = hi;
    r.lo = lo;
    return r;
}

SYMACT_FN double symact_dx_tanh_softplus(double x) {
    symact_dd e, t, p, o, s2, w, b, d, dd;
    double a3, a2, a1, a0, c2, c0;
    int n, neg;
    x = x != x ? x : (x < -760.0 ? -760.0 : (x > 760.0 ? 760.0 : x));
    neg = x < 0.0;
    e = symact_exp_parts(-fabs(x), &n);
    t = symact_dd_of(ldexp(e.hi, n), ldexp(e.lo, n));
    a3 = neg ? 1.0 : 4.0; a2 = neg ? 4.0 : 6.0; a1 = neg ? 6.0 : 4.0; a0 = neg ? 4.0 : 1.0;
    p = symact_two_sum(a3 * t.hi, a2);
    p.lo = p.lo + a3 * t.lo;
    p = symact_dd_add(symact_dd_mul(p, t), symact_dd_of(a1, 0.0));
    p = symact_dd_add(symact_dd_mul(p, t), symact_dd_of(a0, 0.0));
    o = symact_two_sum(1.0, t.hi);
    o.lo = o.lo + t.lo;
    s2 = symact_dd_mul(t, t);
    w = symact_dd_mul(o, neg ? symact_dd_of(1.0, 0.0) : s2);
    w = symact_dd_mul(w, symact_dd_of(4.0 * x, 0.0));
    b = symact_dd_add(p, w);
    c2 = neg ? 1.0 : 2.0; c0 = neg ? 2.0 : 1.0;
    d = symact_two_sum(c2 * t.hi, 2.0);
    d.lo = d.lo + c2 * t.lo;
    d = symact_dd_add(symact_dd_mul(d, t), symact_dd_of(c0, 0.0));
    dd = symact_dd_mul(d, d);
    return symact_dd_ratio_scaled(b, dd, neg ? e.hi : 1.0, neg ? e.lo : 0.0, neg ? n : 0);
}

/* d/dx x*sigma(a1*x + a3*x^3) (GELU-tanh') in double-double (symact.kernels.numba.dx_expit_cubic) */
SYMACT_FN double symact_dx_expit_cubic(double x, double a1, double a1_lo, double a3, double a3_lo) {
    symact_dd q, m, m3, s, z, s3, y, e, t, o, yt, b, dd;
    double mm, mml;
    int n, neg;
    x = x != x ? x : (x < -1e5 ? -1e5 : (x > 1e5 ? 1e5 : x));
    q = symact_two_prod(x, x);
    m = symact_dd_mul(symact_dd_of(a3, a3_lo), q);
    s = symact_dd_add(m, symact_dd_of(a1, a1_lo));
    z = symact_dd_mul(symact_dd_of(x, 0.0), s);
    m3 = symact_two_prod(3.0, m.hi);
    m3.lo = m3.lo + 3.0 * m.lo;
    s3 = symact_dd_add(m3, symact_dd_of(a1, a1_lo));
    y = symact_dd_mul(symact_dd_of(x, 0.0), s3);
    neg = z.hi < 0.0;
    e = symact_exp_parts(-fabs(z.hi), &n);
    e.lo = e.lo + e.hi * (neg ? z.lo : -z.lo);
    t = symact_dd_of(ldexp(e.hi, n), ldexp(e.lo, n));
    o = symact_two_sum(1.0, t.hi);
    o.lo = o.lo + t.lo;
    yt = symact_dd_mul(y, t);
    b = symact_dd_add(o, neg ? y : yt);
    dd = symact_dd_mul(o, o);
    mm = neg ? (z.hi > -760.0 ? e.hi : 0.0) : 1.0; /* exp_parts clamps at -760: the result is 0 beyond */
    mml = neg && z.hi > -760.0 ? e.lo : 0.0;
    return symact_dd_ratio_scaled(b, dd, mm, mml, neg ? n : 0);
}

/* GELU' = Phi(x) + k*x*e^(-x^2/2) as e^(-x^2/2)*(g/2 +- k*x), g = erfcx(|x|/sqrt 2), the bracket in
   double-double (symact.kernels.numba.dx_ncdf) */
SYMACT_FN double symact_dx_ncdf(double x, double k, double k_lo) {
    symact_dd g, sq, e, kx, b, p, r;
    double u = fabs(x);
    int n, neg = x < 0.0, far;
    g = symact_table(u, &SYMACT_RS2_ROWS[0][0], SYMACT_RS2_B0_LO, SYMACT_RS2_COUNT, SYMACT_RS2_DEGREE,
                     SYMACT_RS2_WIDTH, SYMACT_RS2_LIMIT);
    sq = symact_two_prod(u, u);
    e = symact_exp_parts(-0.5 * sq.hi, &n);
    e.lo = e.lo - e.hi * (0.5 * sq.lo);
    kx = symact_two_prod(x, k);
    kx.lo = kx.lo + x * k_lo;
    b = symact_dd_add(symact_dd_of(0.5 * g.hi, 0.5 * g.lo), neg ? kx : symact_dd_of(-kx.hi, -kx.lo));
    far = 0.5 * sq.hi > 760.0; /* exp_parts clamps: the result is 0 or 1 */
    if (far) e = symact_dd_of(0.0, 0.0);
    p = symact_two_prod(e.hi, b.hi);
    p.lo = p.lo + e.hi * b.lo + e.lo * b.hi;
    if (neg) return ldexp(p.hi + p.lo, n);
    r = symact_two_sum(1.0, -ldexp(p.hi, n));
    return r.hi + (r.lo - ldexp(p.lo, n));
}

/* (a + al)/(b + bl) in double-double (symact.kernels.numba.dd_div) */
SYMACT_FN symact_dd symact_dd_div(symact_dd a, symact_dd b) {
    symact_dd r;
    r.hi = a.hi / b.hi;
    r.lo = (SYMACT_FMA(-r.hi, b.hi, a.hi) + a.lo - r.hi * b.lo) / b.hi;
    return r;
}

/* x (a x + b) in double-double, one rounding (symact.kernels.numba.x_affine) */
SYMACT_FN double symact_x_affine(double x, double a, double a_lo, double b, double b_lo) {
    symact_dd p = symact_two_prod(x, a), s = symact_two_sum(p.hi, b), r;
    double lo = s.lo + (p.lo + (a_lo * x + b_lo));
    r = symact_two_prod(x, s.hi);
    return r.hi + (r.lo + x * lo);
}

/* tanh(a)^2 for |a| <= 1/2 as u + u^2 G(u), u = a^2 exact, G fitted (symact.kernels.ddmath._TANH_SQ_G) */
SYMACT_FN double symact_tanh_sq_small(double a) {
    symact_dd s = symact_two_prod(a, a), r, c;
    double q = SYMACT_TSQ_G[0], h, lo;
    int i;
    for (i = 1; i < 10; i++) q = q * s.hi + SYMACT_TSQ_G[i];
    r = symact_two_prod(s.hi, SYMACT_TSQ_G[10]);
    r.lo += s.hi * (SYMACT_TSQ_G0_LO + s.hi * q);
    c = symact_two_prod(s.hi, r.hi);
    h = SYMACT_ADD(s.hi, c.hi);
    lo = (SYMACT_SUB(s.hi, h) + c.hi) + ((c.lo + s.hi * r.lo) + s.lo * (1.0 + 2.0 * r.hi));
    return h + (a > 1e-60 ? lo : 0.0);
}

/* tanh(x)^2 with tanh|x| in double-double beyond |x| = 1/2 (as symact.kernels.numba.tanh_sq, whose loop takes this
   branch for all x: scalar code pays only the branch taken, and the polynomial keeps 0.64 ulp where 1.41 is) */
SYMACT_FN double symact_tanh_sq(double x) {
    double a = fabs(x), t, tl, u, v;
    symact_dd h, e;
    int n;
    if (a < SYMACT_TSQ_SMALL) return symact_tanh_sq_small(a);
    e = symact_exp_parts(-2.0 * a, &n);
    t = ldexp(e.hi, n);
    tl = ldexp(e.lo, n);
    u = 1.0 - t;
    v = 1.0 + t;
    h = symact_dd_div(symact_dd_of(u, ((1.0 - u) - t) - tl), symact_dd_of(v, (t - (v - 1.0)) + tl));
    h = symact_dd_mul(h, h);
    return h.hi + h.lo;
}

/* (x + c)^m in double-double, m an integer in +-1 ... +-4 (symact.kernels.numba.pow_shift) */
SYMACT_FN double symact_pow_shift(double x, double c, double m) {
    symact_dd u = symact_two_sum(x, c), p = u;
    int k = (int)fabs(m), i;
    if (!(fabs(u.hi) < 1e75)) return pow(u.hi, m);
    for (i = 1; i < k; i++) p = symact_dd_mul(p, u);
    if (m < 0) p = symact_dd_div(symact_dd_of(1.0, 0.0), p);
    return p.hi + p.lo;
}

/* sqrt(a + al) in double-double: the rounded root and one Newton correction (symact.kernels.numba.dd_sqrt) */
SYMACT_FN symact_dd symact_dd_sqrt(double a, double al) {
    double h = sqrt(a);
    return symact_dd_of(h, (SYMACT_FMA(-h, h, a) + al) / (2.0 * h));
}

/* (h + s*x)^m * h^n, h = sqrt(x^2 + c), in double-double (symact.kernels.numba.hypot_pow) */
SYMACT_FN double symact_hypot_pow(double x, double c, double c_lo, double s, double m, double n) {
    double ax = fabs(x), sx = s * x;
    symact_dd h, u, r, d;
    if (ax > 1e150) {
        h = symact_dd_of(ax, c / (2.0 * ax));
    } else {
        symact_dd p = symact_two_prod(x, x), sq = symact_two_sum(p.hi, c);
        h = symact_dd_sqrt(sq.hi, sq.lo + p.lo + c_lo);
    }
    if (sx >= 0.0) {
        u = symact_two_sum(h.hi, sx);
        u.lo = u.lo + h.lo;
    } else {
        d = symact_two_sum(h.hi, ax);
        d.lo = d.lo + h.lo;
        u = symact_dd_div(symact_dd_of(c, c_lo), d);
    }
    r = n > 0 ? h : (n < 0 ? symact_dd_div(symact_dd_of(1.0, 0.0), h) : symact_dd_of(1.0, 0.0));
    if (m > 0) r = symact_dd_mul(r, u);
    else if (m < 0) r = symact_dd_div(r, u);
    return r.hi + r.lo;
}

/* (c + c_lo)*e^(d + dl) for d > 700 as c*(e^(d/2))^2, 2^2n last (symact.kernels.numba.big_exp) */
SYMACT_FN double symact_big_exp(double d, double dl, double c, double c_lo) {
    int n;
    symact_dd e = symact_exp_parts(0.5 * d, &n), e2 = symact_dd_mul(e, e), p;
    e2.lo = e2.lo + e2.hi * dl;
    p = symact_dd_mul(symact_dd_of(c, c_lo), e2);
    return ldexp(ldexp(p.hi + p.lo, n), n);
}

/* c*(e^(x - r) - 1) with x - r carried exactly and one rounding (symact.kernels.numba.expm1_shift) */
SYMACT_FN double symact_expm1_shift(double x, double r, double r_lo, double c, double c_lo) {
    symact_dd s = symact_two_sum(x, -r), p;
    int finite = fabs(x) < 1e300;
    double t = finite ? s.lo - r_lo : 0.0, d = s.hi + t, dl = finite ? t - (d - s.hi) : 0.0, em;
    if (d > 700.0) return symact_big_exp(d, dl, c, c_lo);
    em = expm1(d);
    p = symact_two_prod(c, em);
    return p.hi + (p.lo + c_lo * em + c * (em + 1.0) * dl);
}

/* a*(e^x - 1 - x) + s*x in double-double (symact.kernels.numba.expm1_lin) */
SYMACT_FN double symact_expm1_lin(double x, double a, double a_lo, double s, double s_lo) {
    symact_dd p, h, t, m;
    double q;
    int i, n;
    if (fabs(x) <= 0.5) {
        symact_dd x2 = symact_two_prod(x, x);
        q = SYMACT_EXPM1X_Q[14];
        for (i = 13; i >= 0; i--) q = SYMACT_FMA(q, x, SYMACT_EXPM1X_Q[i]);
        p = symact_two_prod(x2.hi, q);
        p.lo = p.lo + x2.lo * q;
    } else if (x > 700.0) {
        return symact_big_exp(x, 0.0, a, a_lo);
    } else {
        symact_dd e = symact_exp_parts(x, &n);
        h = symact_two_sum(1.0, x);
        p = symact_two_sum(ldexp(e.hi, n), -h.hi);
        p.lo = p.lo + (ldexp(e.lo, n) - h.lo);
    }
    m = symact_dd_mul(symact_dd_of(a, a_lo), p);
    t = symact_two_prod(s, x);
    t.lo = t.lo + s_lo * x;
    h = symact_dd_add(m, t);
    return h.hi + h.lo;
}

SYMACT_FN double symact_ramp(double x, double a, double b) {
    double v = x < a ? a : (x > b ? b : x);
    return (v - a) / (b - a);
}

SYMACT_FN double symact_softplus_stable(double z) { return z > 37.0 ? z : log1p(exp(z)); }

SYMACT_FN double symact_expit_softplus_pow(double z, double a, double b) {
    double sp, out;
    if (z < -37.0) return exp((a + b) * z);
    if ((b == 0.5 || b == -0.5 || b == -1.0) && (a == 0.0 || a == 1.0 || a == 2.0)) {
        /* in double-double (symact.kernels.numba.expit_softplus_pow) */
        int n;
        symact_dd e = symact_exp_parts(-fabs(z), &n), s, r, g;
        double t = ldexp(e.hi, n), tl = ldexp(e.lo, n), d = 1.0 + t, dl = (t - (d - 1.0)) + tl;
        double lg = log1p(t), lgl = tl / d;
        if (z > 0.0) {
            s = symact_two_sum(z, lg);
            s.lo = s.lo + lgl;
        } else {
            s = symact_dd_of(lg, lgl);
        }
        if (b == -1.0) {
            r = symact_dd_div(symact_dd_of(1.0, 0.0), s);
        } else {
            r = symact_dd_sqrt(s.hi, s.lo);
            if (b == -0.5) r = symact_dd_div(symact_dd_of(1.0, 0.0), r);
        }
        if (a != 0.0) {
            g = symact_dd_div(z >= 0.0 ? symact_dd_of(1.0, 0.0) : symact_dd_of(t, tl), symact_dd_of(d, dl));
            r = symact_dd_mul(r, g);
            if (a == 2.0) r = symact_dd_mul(r, g);
        }
        return r.hi + r.lo;
    }
    sp = symact_softplus_stable(z);
    out = b == 0.5 ? sqrt(sp) : (b == -0.5 ? 1 / sqrt(sp) : pow(sp, b));
    return a != 0 ? out * pow(symact_expit(z), a) : out;
}

/* value, or within w of the root r_hi + r_lo its Taylor polynomial; c = (c1_hi, c1_lo, c2, ..., cn) */
SYMACT_FN double symact_near_root(double x, double value, double r_hi, double r_lo, double w, int n,
                                  const double *c) {
    double d0 = x - r_hi, q = n > 2 ? c[n - 1] : 0.0;
    symact_dd d = symact_two_sum(d0, -r_lo), p;
    int i;
    for (i = n - 2; i > 1; i--) q = q * d.hi + c[i];
    p = symact_two_prod(d.hi, c[0]);
    return fabs(d0) < w ? p.hi + (p.lo + (d.hi * c[1] + d.lo * c[0]) + d.hi * d.hi * q) : value;
}

SYMACT_FN double symact_erfc_stable(double z) { return erfc(z); }
SYMACT_FN double symact_erf(double z) { return erf(z); }
SYMACT_FN double symact_log1p(double z) { return log1p(z); }
SYMACT_FN double symact_expm1(double z) { return expm1(z); }
SYMACT_FN double symact_hypot(double a, double b) { return hypot(a, b); }
/* numpy.maximum/minimum: NaN from either side propagates (C's fmax drops it) */
SYMACT_FN double symact_maximum(double a, double b) { return (a != a || a >= b) ? a : b; }
SYMACT_FN double symact_minimum(double a, double b) { return (a != a || a <= b) ? a : b; }
"""


def _table_source(prefix: str, table: object, qualifier: str) -> str:
    rows, b0_lo = table.arrays  # type: ignore[attr-defined]
    count, degree = rows.shape[1], rows.shape[0] - 1
    body = ",\n".join("    {" + ", ".join(repr(float(v)) for v in row) + "}" for row in rows)
    return "\n".join([
        f"#define SYMACT_{prefix}_COUNT {count}", f"#define SYMACT_{prefix}_DEGREE {degree}",
        f"#define SYMACT_{prefix}_WIDTH {table.width!r}", f"#define SYMACT_{prefix}_LIMIT {table.limit!r}",  # type: ignore[attr-defined]
        f"{qualifier} double SYMACT_{prefix}_ROWS[{degree + 1}][{count}] = {{\n{body}\n}};",
        f"{qualifier} double SYMACT_{prefix}_B0_LO[{count}] = {{" + ", ".join(repr(float(v)) for v in b0_lo) + "};",
    ])


def kernels_source(target: str) -> str:
    """The kernels and tables for ``target`` ("c" or "cuda"), guarded so that several headers can be included in
    one translation unit."""
    fn, table, fma, mul, add, sub = TARGETS[target]
    return "\n".join([
        "#ifndef SYMACT_KERNELS", "#define SYMACT_KERNELS",
        f"#define SYMACT_FN {fn}", f"#define SYMACT_FMA {fma}", f"#define SYMACT_MUL(a, b) {mul}",
        f"#define SYMACT_ADD(a, b) {add}", f"#define SYMACT_SUB(a, b) {sub}",
        f"#define SYMACT_UP {_UP!r}", f"#define SYMACT_DOWN {_DOWN!r}",
        f"#define SYMACT_TWO_OVER_SQRT_PI {_TWO_OVER_SQRT_PI!r}",
        f"#define SYMACT_MISH_LO {_MISH_LO!r}", f"#define SYMACT_MISH_HI {_MISH_HI!r}",
        f"#define SYMACT_MISH_C0_HI {_MISH_C0_HI!r}",
        f"#define SYMACT_MISH_C0_LO {_MISH_C0_LO!r}",
        f"#define SYMACT_MISH_C1_HI {_MISH_C1_HI!r}", f"#define SYMACT_MISH_C1_LO {_MISH_C1_LO!r}",
        f"#define SYMACT_LOG2E {_LOG2E!r}", f"#define SYMACT_LN2_HI {_LN2_HI!r}", f"#define SYMACT_LN2_LO {_LN2_LO!r}",
        f"{table} double SYMACT_INV_FACT[{len(_INV_FACT)}] = {{" + ", ".join(repr(c) for c in _INV_FACT) + "};",
        f"{table} double SYMACT_EXPM1X_Q[{len(_EXPM1X_Q)}] = {{" + ", ".join(repr(c) for c in _EXPM1X_Q) + "};",
        f"#define SYMACT_MQ_DEGREE {len(_MISH_Q) - 1}",
        f"{table} double SYMACT_MQ[{len(_MISH_Q)}] = {{" + ", ".join(repr(c) for c in _MISH_Q) + "};",
        f"#define SYMACT_TSQ_SMALL {_TANH_SQ_SMALL!r}", f"#define SYMACT_TSQ_G0_LO {_TANH_SQ_G0_LO!r}",
        f"{table} double SYMACT_TSQ_G[{len(_TANH_SQ_G)}] = {{" + ", ".join(repr(c) for c in _TANH_SQ_G) + "};",
        f"#define SYMACT_XMT_SMALL {_XMT_SMALL!r}",
        f"{table} double SYMACT_XMT_N[{len(_XMT_N)}] = {{" + ", ".join(repr(c) for c in _XMT_N) + "};",
        f"{table} double SYMACT_XMT_D[{len(_XMT_D)}] = {{" + ", ".join(repr(c) for c in _XMT_D) + "};",
        "/* erfcx(u) and erfcx(u/sqrt 2): Taylor pieces (symact.kernels.erfcx), coefficients from mpmath */",
        _table_source("X", ERFCX, table), _table_source("RS2", ERFCX_RSQRT2, table),
        _KERNELS.strip(), "#endif /* SYMACT_KERNELS */",
    ])


TAKES_COEFFS = frozenset({"expit_poly", "x_expit_poly", "erfc_poly", "x_erfc_poly", "gauss_poly", "x_gauss_poly",
                          "k_gauss_poly", "near_root"})
"""Kernels whose trailing arguments are polynomial coefficients, passed as (count, array)."""

__all__ = ["TAKES_COEFFS", "TARGETS", "kernels_source"]
