"""The lowered functions: every function a lowered expression may contain, one class each.

A lowered function is never evaluated by SymPy; backends print it by name and implement it once per
kernel family (:mod:`symact.kernels`). Each class carries

* its **meaning** (:meth:`Lowered.meaning`, also ``sympy.expand_func``): the same value written with
  elementary and named functions (Φ, φ, σ, softplus), which the tests and the mpmath oracle evaluate;
* its **flags**, which the runtime reads instead of keeping name lists:
  ``double_double`` (built from :mod:`symact.kernels.ddmath`, tens of array operations per element),
  ``underflows`` (its value can be 0 or subnormal where the whole result is normal: the longdouble
  rescue may be needed), ``temporaries`` (a kernel with several whole-array temporaries), and
  ``fast`` (emitted only by ``lower(..., fast=True)``).

Double-double argument forms take ``x`` then the coefficients of a polynomial P(x), highest degree
first, as (hi, lo) pairs flattened: ``f(x, c_n_hi, c_n_lo, ..., c_0_hi, c_0_lo) = f(P(x))``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import sympy as sp

from ..functions import Phi, sigma, softplus


def _poly(var: sp.Expr, coeffs: tuple[sp.Expr, ...]) -> sp.Expr:
    """P(var) from (hi, lo) pairs, highest degree first, each pair summed exactly."""
    out: sp.Expr = sp.S.Zero
    for hi, lo in zip(coeffs[0::2], coeffs[1::2], strict=True):
        out = out * var + sp.Rational(hi) + sp.Rational(lo)
    return out


class Lowered(sp.Function):
    """Base of the lowered functions (see the module docstring)."""

    double_double: ClassVar[bool] = False
    underflows: ClassVar[bool] = False
    temporaries: ClassVar[bool] = False
    fast: ClassVar[bool] = False

    @classmethod
    def meaning(cls, *args: sp.Expr) -> sp.Expr:
        """The value in elementary and named functions."""
        raise NotImplementedError

    @classmethod
    def root_window(cls, *args: sp.Expr) -> float | None:
        """How far from a simple root of its value this kernel needs near_root's polynomial (None: as far as the
        polynomial reaches): a kernel accurate in double-double loses relative accuracy only very near a root."""
        return None

    def _eval_expand_func(self, **hints: Any) -> sp.Expr:
        return self.meaning(*self.args)


class expit(Lowered):
    """σ(z) = 1/(1 + e^{−z}) (in-place kernel; beyond z = −36.7, e^z(1 − e^z))."""

    nargs = 1
    underflows = True

    @classmethod
    def meaning(cls, z: sp.Expr) -> sp.Expr:
        return sigma(z)


class erfc_stable(Lowered):
    """erfc(z) evaluated directly (SciPy's erfc), never as 1 − erf."""

    nargs = 1
    underflows = True

    @classmethod
    def meaning(cls, z: sp.Expr) -> sp.Expr:
        return sp.erfc(z)


class log1p(Lowered):
    """log(1 + w) without the rounding of 1 + w."""

    nargs = 1

    @classmethod
    def meaning(cls, w: sp.Expr) -> sp.Expr:
        return sp.log(1 + w)


class expm1(Lowered):
    """eᶻ − 1 without cancellation near 0."""

    nargs = 1

    @classmethod
    def meaning(cls, z: sp.Expr) -> sp.Expr:
        return sp.exp(z) - 1


class softplus_stable(Lowered):
    """softplus(z) = max(log1p(e^min(z, 37)), z): no overflow, no cancellation."""

    nargs = 1

    @classmethod
    def meaning(cls, z: sp.Expr) -> sp.Expr:
        return softplus(z)


class maximum(Lowered):
    """Elementwise max of two values (NaN propagates)."""

    nargs = 2

    @classmethod
    def meaning(cls, a: sp.Expr, b: sp.Expr) -> sp.Expr:
        return sp.Max(a, b)


class minimum(Lowered):
    """Elementwise min of two values (NaN propagates)."""

    nargs = 2

    @classmethod
    def meaning(cls, a: sp.Expr, b: sp.Expr) -> sp.Expr:
        return sp.Min(a, b)


class where(Lowered):
    """where(c, a, b): a where c holds, else b."""

    nargs = 3

    @classmethod
    def meaning(cls, c: sp.Expr, a: sp.Expr, b: sp.Expr) -> sp.Expr:
        return sp.Piecewise((a, c), (b, True))


class ramp(Lowered):
    """ramp(x, a, b) = (min(max(x, a), b) − a)/(b − a): 0 below a, 1 above b, x − a exact near a."""

    nargs = 3

    @classmethod
    def meaning(cls, v: sp.Expr, a: sp.Expr, b: sp.Expr) -> sp.Expr:
        return (sp.Min(sp.Max(v, a), b) - a) / (b - a)


class x_expit(Lowered):
    """x_expit(x, k) = x·σ(kx) = x/(1 + e^{−kx}) in place (kx exact, or fast=True)."""

    nargs = 2
    underflows = True

    @classmethod
    def meaning(cls, v: sp.Expr, k: sp.Expr) -> sp.Expr:
        return v * sigma(k * v)


class dx_expit(Lowered):
    """dx_expit(x, k_hi, k_lo) = d/dx x·σ(kx) = σ(kx)(1 + kx·σ(−kx)), k = k_hi + k_lo: one exponential, every sum
    and the quotient in double-double (≤ 0.5 ulp plus the exponential's 2⁻⁵⁶; within 2⁻⁶/|k| of the root
    near_root's polynomial takes over, see :meth:`root_window`)."""

    nargs = 3
    underflows = True
    temporaries = True

    @classmethod
    def meaning(cls, v: sp.Expr, k_hi: sp.Expr, k_lo: sp.Expr) -> sp.Expr:
        k = k_hi + k_lo
        return sigma(k * v) * (1 + k * v * sigma(-k * v))

    @classmethod
    def root_window(cls, v: sp.Expr, k_hi: sp.Expr, k_lo: sp.Expr) -> float | None:
        # measured (SiLU'): ≤ 0.76 ulp at 0.005–0.01 from the root, 1.6 at 0.0015–0.003; 2⁻⁶ leaves a margin
        return 2.0**-6 / abs(float(k_hi))


class dx_expit_cubic(Lowered):
    """dx_expit_cubic(x, a₁_hi, a₁_lo, a₃_hi, a₃_lo) = d/dx x·σ(z), z = a₁x + a₃x³: σ(z)(1 + y·σ(−z)) with
    y = x·z′ = a₁x + 3a₃x³ (GELU-tanh' = d/dx x·σ(2√(2/π)(x + 0.044715x³))), z and y in double-double, then as
    :class:`dx_expit`: ≤ 0.6 ulp, results from a subnormal σ(z) exact (GELU-tanh' near −21.2)."""

    nargs = 5
    underflows = True
    temporaries = True

    @classmethod
    def meaning(cls, v: sp.Expr, a1_hi: sp.Expr, a1_lo: sp.Expr, a3_hi: sp.Expr, a3_lo: sp.Expr) -> sp.Expr:
        a1, a3 = a1_hi + a1_lo, a3_hi + a3_lo
        z = a1 * v + a3 * v**3
        return sigma(z) * (1 + (a1 * v + 3 * a3 * v**3) * sigma(-z))

    @classmethod
    def root_window(cls, v: sp.Expr, a1_hi: sp.Expr, *rest: sp.Expr) -> float | None:
        return 2.0**-6 / abs(float(a1_hi))


class dx_ncdf(Lowered):
    """dx_ncdf(x, k_hi, k_lo) = Φ(x) + k·x·e^{−x²/2} (GELU' with k = 1/√(2π)): e^{−x²/2}·(erfcx(|x|/√2)/2 ± kx)
    with the bracket in double-double (symact.kernels.numba.dx_ncdf): ≤ 0.6 ulp outside 2⁻⁴ of its root."""

    nargs = 3
    underflows = True
    temporaries = True

    @classmethod
    def meaning(cls, v: sp.Expr, k_hi: sp.Expr, k_lo: sp.Expr) -> sp.Expr:
        return Phi(v) + (k_hi + k_lo) * v * sp.exp(-(v**2) / 2)

    @classmethod
    def root_window(cls, *args: sp.Expr) -> float | None:
        # the erfcx table's ~2⁻⁵⁸ next to a bracket that cancels: measured 1.2 ulp at 0.015–0.03 from the root
        # (−0.752), 0.54 at 0.05–0.1
        return 2.0**-4


class expm1_shift(Lowered):
    """expm1_shift(x, r_hi, r_lo, c_hi, c_lo) = c·(e^{x − r} − 1): a·eˣ + b with a root r = ln(−b/a), c = −b
    (xIELU' = α·eˣ + β − α): x − r carried exactly, libm's expm1 and one rounding, so relative accuracy holds at
    the root itself (no near_root patch needed; 3.3 ulp before)."""

    nargs = 5
    temporaries = True

    @classmethod
    def meaning(cls, v: sp.Expr, r_hi: sp.Expr, r_lo: sp.Expr, c_hi: sp.Expr, c_lo: sp.Expr) -> sp.Expr:
        return (c_hi + c_lo) * (sp.exp(v - r_hi - r_lo) - 1)

    @classmethod
    def root_window(cls, *args: sp.Expr) -> float | None:
        return 0.0


class expm1_lin(Lowered):
    """expm1_lin(x, a_hi, a_lo, s_hi, s_lo) = a·(eˣ − 1 − x) + s·x in double-double (xIELU for x ≤ ε:
    α(expm1(x) − x) + βx, s = β, whose two terms cancel at its root near −2.45: 7.9 ulp at −3.29 before)."""

    nargs = 5
    temporaries = True

    @classmethod
    def meaning(cls, v: sp.Expr, a_hi: sp.Expr, a_lo: sp.Expr, s_hi: sp.Expr, s_lo: sp.Expr) -> sp.Expr:
        return (a_hi + a_lo) * (sp.exp(v) - 1 - v) + (s_hi + s_lo) * v


class dx_expit_fast(Lowered):
    """d/dx x·σ(kx) as σ(kx)(1 + kx·σ(−kx)) in plain double (fast=True: ~5 ulp left of the root)."""

    nargs = 2
    underflows = True
    temporaries = True
    fast = True

    @classmethod
    def meaning(cls, v: sp.Expr, k: sp.Expr) -> sp.Expr:
        return sigma(k * v) * (1 + k * v * sigma(-k * v))

class dexpit(Lowered):
    """σ(z)σ(−z) = σ'(z) as e^{−|z|}/(1 + e^{−|z|})² with a compensated quotient."""

    nargs = 1
    double_double = True
    underflows = True

    @classmethod
    def meaning(cls, z: sp.Expr) -> sp.Expr:
        return sigma(z) * sigma(-z)


class dexpit_fast(Lowered):
    """σ'(z) = 1/(2 + 2 cosh z) (fast=True: 3 passes, ~2 ulp)."""

    nargs = 1
    underflows = True
    fast = True

    @classmethod
    def meaning(cls, z: sp.Expr) -> sp.Expr:
        return sigma(z) * sigma(-z)


class x_tanh_softplus(Lowered):
    """x·tanh(softplus(x)) (Mish) with D = 1 − tanh(softplus x) a small rational in e^{−|x|}."""

    nargs = 1
    double_double = True
    underflows = True

    @classmethod
    def meaning(cls, v: sp.Expr) -> sp.Expr:
        return v * sp.tanh(softplus(v))


class dx_tanh_softplus(Lowered):
    """Mish' = tanh(softplus x) + x·σ(x)·sech²(softplus x), one rational function of e^{−|x|} in double-double
    (symact.kernels.numba.dx_tanh_softplus): ≤ 0.6 ulp outside 2⁻⁶ of its root, near_root's polynomial inside."""

    nargs = 1
    underflows = True
    temporaries = True

    @classmethod
    def meaning(cls, v: sp.Expr) -> sp.Expr:
        s = softplus(v)
        return sp.tanh(s) + v * sigma(v) * (1 - sp.tanh(s) ** 2)

    @classmethod
    def root_window(cls, v: sp.Expr) -> float | None:
        # measured: ≤ 0.95 ulp from 0.009 to 0.06 from the root (−1.19), 3.4 at 0.0013
        return 2.0**-6


class x_tanh_softplus_fast(Lowered):
    """Mish as x·n/(n + 2), n = eˣ(eˣ + 2) (fast=True: one exponential)."""

    nargs = 1
    underflows = True
    temporaries = True
    fast = True

    @classmethod
    def meaning(cls, v: sp.Expr) -> sp.Expr:
        return v * sp.tanh(softplus(v))


class ncdf(Lowered):
    """Φ(x) with argument exactly x: erfcx(|x|/√2) tabulated in |x| (:mod:`symact.kernels.erfcx`)."""

    nargs = 1
    double_double = True
    underflows = True

    @classmethod
    def meaning(cls, v: sp.Expr) -> sp.Expr:
        return Phi(v)


class x_ncdf(Lowered):
    """x_ncdf(x, k) = k·x·Φ(x) (GELU), the products compensated."""

    nargs = 2
    double_double = True
    underflows = True

    @classmethod
    def meaning(cls, v: sp.Expr, k: sp.Expr) -> sp.Expr:
        return k * v * Phi(v)


class gauss(Lowered):
    """e^{−x²/2} with x² exact."""

    nargs = 1
    double_double = True
    underflows = True

    @classmethod
    def meaning(cls, v: sp.Expr) -> sp.Expr:
        return sp.exp(-(v**2) / 2)


class x_gauss(Lowered):
    """x_gauss(x, k) = k·x·e^{−x²/2}, compensated."""

    nargs = 2
    double_double = True
    underflows = True

    @classmethod
    def meaning(cls, v: sp.Expr, k: sp.Expr) -> sp.Expr:
        return k * v * sp.exp(-(v**2) / 2)


class expit_poly(Lowered):
    """σ(P(x)), P in double-double: no |x|·ulp amplification of the rounding of P (QuickGELU's 1.702x)."""

    double_double = True
    underflows = True

    @classmethod
    def meaning(cls, v: sp.Expr, *c: sp.Expr) -> sp.Expr:
        return sigma(_poly(v, c))


class x_expit_poly(Lowered):
    """x·σ(P(x)), the product compensated."""

    double_double = True
    underflows = True

    @classmethod
    def meaning(cls, v: sp.Expr, *c: sp.Expr) -> sp.Expr:
        return v * sigma(_poly(v, c))


class erfc_poly(Lowered):
    """erfc(P(x)) via erfcx·exp(−P²) with P² exact."""

    double_double = True
    underflows = True

    @classmethod
    def meaning(cls, v: sp.Expr, *c: sp.Expr) -> sp.Expr:
        return sp.erfc(_poly(v, c))


class x_erfc_poly(Lowered):
    """x_erfc_poly(x, k, ...) = k·x·erfc(P(x)), compensated."""

    double_double = True
    underflows = True

    @classmethod
    def meaning(cls, v: sp.Expr, k: sp.Expr, *c: sp.Expr) -> sp.Expr:
        return k * v * sp.erfc(_poly(v, c))


class gauss_poly(Lowered):
    """e^{−P(x)²} with P² exact."""

    double_double = True
    underflows = True

    @classmethod
    def meaning(cls, v: sp.Expr, *c: sp.Expr) -> sp.Expr:
        return sp.exp(-_poly(v, c) ** 2)


class x_gauss_poly(Lowered):
    """x_gauss_poly(x, k, ...) = k·x·e^{−P(x)²}, compensated."""

    double_double = True
    underflows = True

    @classmethod
    def meaning(cls, v: sp.Expr, k: sp.Expr, *c: sp.Expr) -> sp.Expr:
        return k * v * sp.exp(-_poly(v, c) ** 2)


class k_gauss_poly(Lowered):
    """k·e^{−P(x)²} with k = k_hi + k_lo and the product carried exactly (Laplace': φ((x − μ)/s)/s)."""

    double_double = True
    underflows = True

    @classmethod
    def meaning(cls, v: sp.Expr, k_hi: sp.Expr, k_lo: sp.Expr, *c: sp.Expr) -> sp.Expr:
        return (k_hi + k_lo) * sp.exp(-_poly(v, c) ** 2)


class hypot(Lowered):
    """√(a² + b²) without the overflow of a² (squareplus beyond |x| ≈ 1e154)."""

    nargs = 2

    @classmethod
    def meaning(cls, a: sp.Expr, b: sp.Expr) -> sp.Expr:
        return sp.sqrt(a**2 + b**2)


class tanh_sq(Lowered):
    """tanh(x)² (tanhshrink' = tanh²): tanh|x| = (1 − t)/(1 + t) in double-double, t = e^{−2|x|} from exp_parts
    and 1 − t renormalized (exact down to x = 0), squared, one rounding: ≤ 1.41 ulp (2.5 as libm's tanh squared).
    The C kernel takes u + u²·G(u), u = x² exact and G a fitted polynomial, below |x| = 1/2 (0.64 ulp)."""

    nargs = 1

    @classmethod
    def meaning(cls, v: sp.Expr) -> sp.Expr:
        return sp.tanh(v) ** 2


class pow_shift(Lowered):
    """pow_shift(x, c, m) = (x + c)ᵐ, c a double, m an integer in ±1 … ±4 (softsign' = (1 + |x|)⁻², sparse_plus):
    x + c exact as hi + lo, the power in double-double and one rounding (softsign' 2.3 ulp → 0.5)."""

    nargs = 3

    @classmethod
    def meaning(cls, v: sp.Expr, c: sp.Expr, m: sp.Expr) -> sp.Expr:
        return (v + c) ** m


class hypot_pow(Lowered):
    """hypot_pow(x, c_hi, c_lo, s, m, n) = (h + s·x)ᵐ·hⁿ, h = √(x² + c), s = ±1, m, n ∈ {−1, 0, 1} (squareplus
    (x + h)/2 and b/(2(h − x)), its derivative (h + x)/(2h) and b/(2h(h − x))): h in double-double (x² exact, one
    Newton correction of the square root), h − |x| as c/(h + |x|), the product or quotient in double-double and
    one rounding (4.4 ulp → 0.6 for squareplus'). Beyond |x| = 1e150, h = |x| (x² would overflow)."""

    nargs = 6
    temporaries = True

    @classmethod
    def meaning(cls, v: sp.Expr, c_hi: sp.Expr, c_lo: sp.Expr, s: sp.Expr, m: sp.Expr, n: sp.Expr) -> sp.Expr:
        h = sp.sqrt(v**2 + c_hi + c_lo)
        return (h + s * v) ** m * h**n


class x_minus_tanh(Lowered):
    """x − tanh(x) without the cancellation near 0 (tanhshrink): Lambert's continued fraction."""

    nargs = 1
    double_double = True

    @classmethod
    def meaning(cls, v: sp.Expr) -> sp.Expr:
        return v - sp.tanh(v)


class x_affine(Lowered):
    """x_affine(x, a_hi, a_lo, b_hi, b_lo) = x·(a·x + b) in double-double with one rounding (xIELU right of 0:
    αₚx² + βx rounded four times, 2.09 ulp at x = 4.01, and its x² overflowed from 1.34e154 where the value is
    finite to 1.5e154)."""

    nargs = 5
    double_double = True

    @classmethod
    def meaning(cls, v: sp.Expr, a_hi: sp.Expr, a_lo: sp.Expr, b_hi: sp.Expr, b_lo: sp.Expr) -> sp.Expr:
        return v * ((a_hi + a_lo) * v + b_hi + b_lo)


class expit_softplus_pow(Lowered):
    """σ(z)^a·softplus(z)^b (√softplus: a = 0, b = 1/2; its derivatives' σ/√softplus, σ/softplus), e^{(a + b)z}
    below z = −37, where σ = softplus = e^z to double precision and e^z underflows long before e^{z/2}: no 0/0."""

    nargs = 3

    @classmethod
    def meaning(cls, z: sp.Expr, a: sp.Expr, b: sp.Expr) -> sp.Expr:
        return sigma(z) ** a * softplus(z) ** b


class near_root(Lowered):
    """near_root(x, value, r_hi, r_lo, w, c1_hi, c1_lo, c2, …, cn): ``value`` (an expression in x with a simple
    root r = r_hi + r_lo), evaluated for |x − r_hi| < w as its Taylor polynomial about r, Σ cₖ(x − r)ᵏ, with
    x − r carried exactly and c₁(x − r) exact: relative accuracy where ``value`` cancels (its own terms are
    ~1 while the result is ~x − r). The coefficients come from mpmath (:mod:`symact.roots`)."""

    double_double = True

    @classmethod
    def meaning(cls, v: sp.Expr, value: sp.Expr, *rest: sp.Expr) -> sp.Expr:
        return value


LOWERED: dict[str, type[Lowered]] = {cls.__name__: cls for cls in Lowered.__subclasses__()}
"""Name → class: the one list of lowered functions (every subclass of :class:`Lowered`)."""


def meaning(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every lowered function replaced by its meaning (named functions kept)."""
    return expr.replace(lambda e: isinstance(e, Lowered), lambda e: e.meaning(*e.args))


def names_where(flag: str) -> frozenset[str]:
    """Names of the lowered functions whose ``flag`` is set (``double_double``, ``underflows``, ...)."""
    return frozenset(name for name, cls in LOWERED.items() if getattr(cls, flag))


__all__ = ["LOWERED", "Lowered", "meaning", "names_where", *LOWERED]
