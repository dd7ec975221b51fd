"""The lowering's rewrite rules, as tables of small documented rules (see :mod:`symact.lowering.lower`).

1. :data:`PAIR_RULES` and :data:`NODE_RULES` rewrite sums and compositions among the named functions
   (σ, Φ, softplus) and elementary ones, bottom-up, to a fixed point.
2. :data:`FUNCTION_RULES` replace each named function by a stable numeric form (:data:`FAST_FUNCTION_RULES`
   instead with ``fast=True``).
3. :data:`TREE_FUSIONS` rewrite whole subexpressions into double-double kernels (hypot, (x + c)ᵐ, tanh²).
4. :data:`FUSIONS` merge a product with the factor ``x`` into one compensated lowered function, and
   :data:`SUM_FUSIONS` a sum.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from ..functions import Phi, phi, sigma, softplus
from ..symbols import x
from .ir import (
    dexpit,
    dx_expit,
    dx_expit_cubic,
    dx_expit_fast,
    dx_ncdf,
    dx_tanh_softplus,
    erfc_poly,
    erfc_stable,
    expit,
    expit_poly,
    expit_softplus_pow,
    expm1,
    expm1_lin,
    expm1_shift,
    gauss,
    gauss_poly,
    hypot,
    hypot_pow,
    k_gauss_poly,
    log1p,
    maximum,
    minimum,
    ncdf,
    pow_shift,
    ramp,
    softplus_stable,
    tanh_sq,
    where,
    x_erfc_poly,
    x_expit,
    x_expit_poly,
    x_gauss,
    x_gauss_poly,
    x_minus_tanh,
    x_ncdf,
    x_tanh_softplus,
    x_tanh_softplus_fast,
)


@dataclass(frozen=True)
class PairRule:
    """``a + r·a·F(z)`` → ``build(a, z)`` inside any sum, where ``F`` is matched by ``match``.

    ``a`` is any term of the sum (a number, or ``x/2``), ``r`` is +1 or -1.
    """

    name: str
    doc: str
    match: Callable[[sp.Expr], sp.Expr | None]  # the factor F(z) → z, else None
    sign: int
    build: Callable[[sp.Expr, sp.Expr], sp.Expr]


def _func_arg(cls: type) -> Callable[[sp.Expr], sp.Expr | None]:
    return lambda f: f.args[0] if isinstance(f, cls) else None


def _tanh_squared(f: sp.Expr) -> sp.Expr | None:
    return f.base.args[0] if f.is_Pow and f.exp == 2 and isinstance(f.base, sp.tanh) else None


PAIR_RULES: tuple[PairRule, ...] = (
    PairRule("one_plus_tanh", "1 + tanh z = 2σ(2z): no cancellation as z → −∞ (GELU-tanh's left tail)",
             _func_arg(sp.tanh), +1, lambda a, z: 2 * a * sigma(2 * z)),
    PairRule("one_minus_tanh", "1 − tanh z = 2σ(−2z): no cancellation as z → +∞",
             _func_arg(sp.tanh), -1, lambda a, z: 2 * a * sigma(-2 * z)),
    PairRule("sech_squared", "1 − tanh² z = 4σ(2z)σ(−2z): tiny but not 0 for large |z|; no cosh overflow",
             _tanh_squared, -1, lambda a, z: 4 * a * sigma(2 * z) * sigma(-2 * z)),
    PairRule("one_minus_sigma", "1 − σ(z) = σ(−z): keeps relative accuracy where σ(z) → 1",
             _func_arg(sigma), -1, lambda a, z: a * sigma(-z)),
    PairRule("one_minus_Phi", "1 − Φ(z) = Φ(−z): the upper tail without cancellation",
             _func_arg(Phi), -1, lambda a, z: a * Phi(-z)),
    PairRule("one_plus_erf", "1 + erf z = erfc(−z): GELU's left tail without cancellation",
             _func_arg(sp.erf), +1, lambda a, z: a * erfc_stable(-z)),
    PairRule("one_minus_erf", "1 − erf z = erfc(z)",
             _func_arg(sp.erf), -1, lambda a, z: a * erfc_stable(z)),
    PairRule("exp_minus_one", "eᶻ − 1 = expm1(z): ELU near 0 keeps its relative accuracy",
             _func_arg(sp.exp), -1, lambda a, z: -a * expm1(z)),
)


def _split_factors(term: sp.Expr) -> list[tuple[sp.Expr, sp.Expr]]:
    """Every way to write ``term`` as ``cofactor * F`` with ``F`` one factor of it."""
    factors = term.args if term.is_Mul else (term,)
    return [(sp.Mul(*(factors[:i] + factors[i + 1:])), f) for i, f in enumerate(factors)]


def apply_pair_rules(expr: sp.Add) -> sp.Expr | None:
    terms = list(expr.args)
    for j, term in enumerate(terms):
        for cofactor, factor in _split_factors(term):
            for rule in PAIR_RULES:
                z = rule.match(factor)
                if z is None:
                    continue
                a = cofactor if rule.sign > 0 else -cofactor
                for i, other in enumerate(terms):
                    if i != j and other == a:
                        rest = [t for k, t in enumerate(terms) if k not in (i, j)]
                        return sp.Add(rule.build(a, z), *rest)
    return None


@dataclass(frozen=True)
class NodeRule:
    """A rewrite of one node (``apply`` returns the replacement, or None when it does not match)."""

    name: str
    doc: str
    apply: Callable[[sp.Expr], sp.Expr | None]


def _log_rule(e: sp.Expr) -> sp.Expr | None:
    if not isinstance(e, sp.log):
        return None
    arg = e.args[0]
    if isinstance(arg, sigma):
        return -softplus(-arg.args[0])
    if arg.is_Add and sp.S.One in arg.args:
        w = arg - 1
        return softplus(w.args[0]) if isinstance(w, sp.exp) else log1p(w)
    return None


def _reciprocal_rule(e: sp.Expr) -> sp.Expr | None:
    if e.is_Pow and e.exp == -1 and e.base.is_Add and len(e.base.args) == 2 and sp.S.One in e.base.args:
        w = e.base - 1
        if isinstance(w, sp.exp):
            return sigma(-w.args[0])
    return None


def _sigma_pair_rule(e: sp.Expr) -> sp.Expr | None:
    if not e.is_Mul:
        return None
    sigmas = [f for f in e.args if isinstance(f, sigma)]
    for f in sigmas:
        z = f.args[0]
        partner = sigma(-z)
        if partner in e.args and _dd_coefficients(z) is None:
            rest = list(e.args)
            rest.remove(f)
            rest.remove(partner)
            return sp.Mul(dexpit(z), *rest)
    return None


def _is_zero_at_0(e: sp.Expr) -> bool:
    # the algebraic pass works bottom-up: a branch may already hold expm1/log1p (opaque to SymPy)
    e = e.replace(lambda n: isinstance(n, expm1), lambda n: sp.exp(n.args[0]) - 1)
    e = e.replace(lambda n: isinstance(n, log1p), lambda n: sp.log(1 + n.args[0]))
    return sp.simplify(e.subs(x, 0)) == 0


def _kink_rule(e: sp.Expr) -> sp.Expr | None:
    if not isinstance(e, sp.Piecewise) or len(e.args) != 2 or e.args[1].cond != sp.true:
        return None
    (f, cond), (g, _) = e.args
    if not isinstance(cond, (sp.StrictGreaterThan, sp.GreaterThan, sp.StrictLessThan, sp.LessThan)):
        return None
    rel = cond if cond.lhs == x else cond.reversed
    if rel.lhs != x or rel.rhs != 0:
        return None
    if isinstance(rel, (sp.StrictLessThan, sp.LessThan)):
        f, g = g, f  # f: the branch for x > 0
    if not (_is_zero_at_0(f) and _is_zero_at_0(g)):
        return None
    return f.xreplace({x: sp.Max(x, 0)}) + g.xreplace({x: sp.Min(x, 0)})


def _hypot_rule(e: sp.Expr) -> sp.Expr | None:
    if e.is_Pow and e.exp in (sp.S.Half, -sp.S.Half) and e.base.is_Add:
        rest = e.base - x**2
        if x**2 in e.base.args and rest.is_number and rest.is_positive:
            h = hypot(x, sp.sqrt(rest))
            return h if e.exp > 0 else 1 / h
    return None


def _x_minus_tanh_rule(e: sp.Expr) -> sp.Expr | None:
    if e.is_Add and x in e.args and -sp.tanh(x) in e.args:
        return sp.Add(x_minus_tanh(x), *(a for a in e.args if a not in (x, -sp.tanh(x))))
    return None


def _expit_softplus_rule(e: sp.Expr) -> sp.Expr | None:
    # softplus(z)^b (b not a positive integer) → expit_softplus_pow(z, 0, b); σ(z)^a times it → (z, a, b)
    if e.is_Pow and isinstance(e.base, softplus) and not (e.exp.is_Integer and e.exp > 0):
        return expit_softplus_pow(e.base.args[0], 0, e.exp)
    if e.is_Mul:
        for f in e.args:
            if isinstance(f, expit_softplus_pow):
                z, a, b = f.args
                for g in e.args:
                    base, k = g.as_base_exp()
                    if isinstance(base, sigma) and base.args[0] == z and k.is_Integer and k > 0:
                        rest = [h for h in e.args if h not in (f, g)]
                        return sp.Mul(expit_softplus_pow(z, a + k, b), *rest)
    return None


def _rational_rule(e: sp.Expr) -> sp.Expr | None:
    if not e.is_Add or e.free_symbols != {x} or not e.is_rational_function(x) or e.is_polynomial(x):
        return None
    out = sp.factor(sp.together(e))
    return out if out != e else None


NODE_RULES: tuple[NodeRule, ...] = (
    NodeRule("kink", "Piecewise((f, x > 0), (g, True)) with f(0) = g(0) = 0 → f(max(x, 0)) + g(min(x, 0)): no "
             "numpy.where select (~7× a multiplication), and each branch sees only its own half (ELU, SELU, "
             "ReLU²)", _kink_rule),
    NodeRule("log_one_plus", "log(1 + eᶻ) = softplus(z), log(1 + w) = log1p(w), log σ(z) = −softplus(−z)",
             _log_rule),
    NodeRule("logistic", "1/(1 + e^w) = σ(−w): no overflow of e^w", _reciprocal_rule),
    NodeRule("hypot", "√(x² + c) → hypot(x, √c): no overflow of x² (squareplus)", _hypot_rule),
    NodeRule("x_minus_tanh", "x − tanh x → x_minus_tanh(x), a continued fraction near 0 where the difference "
             "(x³/3) cancels (tanhshrink)", _x_minus_tanh_rule),
    NodeRule("expit_softplus", "σ(z)^a·softplus(z)^b (√softplus and its derivatives) → e^{(a+b)z} below z = −37: "
             "softplus underflows from −745, its root only from −1490, and σ/√softplus is 0/0 there",
             _expit_softplus_rule),
    NodeRule("rational", "a sum of rational functions of x → one factored quotient: 1/(1 + x) − x/(1 + x)² "
             "= 1/(1 + x)² (softsign') without the cancellation", _rational_rule),
    NodeRule("sigma_pair", "σ(z)σ(−z) = σ'(z) = t/(1 + t)², t = e^−|z|, one compensated quotient: ≤ 1.3 ulp "
             "where the product of two rounded σ reaches 2.4 (σ', tanh' = 4σ'(2x))", _sigma_pair_rule),
)


@dataclass(frozen=True)
class FunctionRule:
    """How a named function is evaluated in floating point."""

    name: str
    doc: str
    cls: type
    build: Callable[[sp.Expr], sp.Expr]


def _dd_coefficients(z: sp.Expr, scale: sp.Expr = sp.S.One) -> tuple[sp.Float, ...] | None:
    """(hi, lo) pairs of scale·z as a polynomial in x, highest degree first; None if not one.

    None also when every coefficient is a small dyadic number (σ(x), σ(−2x)): then the argument
    is exact in float64 and the plain function is as good.
    """
    if z.free_symbols != {x} or not z.is_polynomial(x):
        return None
    coeffs = [scale * c for c in sp.Poly(z, x).all_coeffs()]
    if not any(c.is_number for c in coeffs):
        return None
    exact = all(c.is_Rational and c.q & (c.q - 1) == 0 and abs(c.p) < 2**20 for c in coeffs)
    if exact:
        return None
    out: list[sp.Float] = []
    for c in coeffs:
        value = sp.N(c, 40)
        hi = float(value)
        out += [sp.Float(hi, 17), sp.Float(float(value - sp.Float(hi, 40)), 17)]
    return tuple(out)


def _sigma_rule(z: sp.Expr) -> sp.Expr:
    coeffs = _dd_coefficients(z)
    return expit_poly(x, *coeffs) if coeffs else expit(z)


def _Phi_rule(z: sp.Expr) -> sp.Expr:
    if z == x:
        return ncdf(x)
    coeffs = _dd_coefficients(z, -1 / sp.sqrt(2))
    return erfc_poly(x, *coeffs) / 2 if coeffs else erfc_stable(-z / sp.sqrt(2)) / 2


def _phi_rule(z: sp.Expr) -> sp.Expr:
    if z == x:
        return gauss(x) / sp.sqrt(2 * sp.pi)
    coeffs = _dd_coefficients(z, 1 / sp.sqrt(2))
    if coeffs:
        return gauss_poly(x, *coeffs) / sp.sqrt(2 * sp.pi)
    return sp.exp(-(z**2) / 2) / sp.sqrt(2 * sp.pi)


FUNCTION_RULES: tuple[FunctionRule, ...] = (
    FunctionRule("Phi", "Φ(z) = erfc(−z/√2)/2, the argument in double-double and erfc via erfcx·exp(−w²) with "
                 "w² exact: the x² amplification of the rounding of x/√2 is gone", Phi, _Phi_rule),
    FunctionRule("phi", "φ(z) = exp(−z²/2)/√(2π) with z²/2 carried exactly", phi, _phi_rule),
    FunctionRule("sigma", "σ = expit(z) = 1/(1 + e^{−z}) (an overflow of e^{−z} gives the limit 0); a polynomial "
                 "argument such as 1.702x is carried in double-double, removing the |z|·ulp amplification", sigma,
                 _sigma_rule),
    FunctionRule("softplus", "softplus(z) = max(log1p(e^min(z, 37)), z): no overflow, no cancellation", softplus,
                 softplus_stable),
    FunctionRule("Max", "binary Max → numpy.maximum (SymPy prints numpy.amax over a tuple)", sp.Max,
                 lambda *args: _fold(maximum, args)),
    FunctionRule("Min", "binary Min → numpy.minimum", sp.Min, lambda *args: _fold(minimum, args)),
    FunctionRule("Piecewise", "a ramp between 0 and g·r (hard-sigmoid, hard-swish; not a clamp) → g·r·ramp(x, a, b): a "
                 "clip and two arithmetic passes; otherwise where(c, a, b), one pass instead of numpy.select's",
                 sp.Piecewise,
                 lambda *pairs: _where(pairs)),
)


FAST_FUNCTION_RULES: dict[str, FunctionRule] = {
    "Phi": FunctionRule("Phi", "Φ(z) = erfc(−z/√2)/2 (SciPy's erfc: up to ~500 ulp in float64 where GELU is ~1e-150, "
                        "never a cancellation)", Phi, lambda z: erfc_stable(-z / sp.sqrt(2)) / 2),
    "phi": FunctionRule("phi", "φ(z) = exp(−z²/2)/√(2π)", phi, lambda z: sp.exp(-(z**2) / 2) / sp.sqrt(2 * sp.pi)),
    "sigma": FunctionRule("sigma", "σ = expit(z), a polynomial argument such as 1.702x rounded (QuickGELU: ~60 ulp "
                          "at x = −38, ~600 at −330)", sigma, expit),
}
"""The rules :func:`~symact.lowering.lower` uses instead with ``fast=True`` (the others are shared)."""


def _where(pairs: tuple[tuple[sp.Expr, sp.Expr], ...]) -> sp.Expr:
    """Piecewise((a, c1), (b, c2), ..., (z, True)) → where(c1, a, where(c2, b, ... z)).

    where(u > v, u, v) is maximum(u, v) (and < gives minimum): one ufunc pass, 7× faster than
    numpy.where's masked select, and NaN propagates (ReLU).
    """
    if pairs[-1][1] != sp.true:
        return sp.Piecewise(*pairs, evaluate=False)
    ramped = _ramp_form(pairs)
    if ramped is not None:
        return ramped
    out = pairs[-1][0]
    for value, cond in reversed(pairs[:-1]):
        out = _extremum(cond, value, out) or where(cond, value, out)
    return out


def _bound(cond: sp.Expr, below: bool) -> sp.Expr | None:
    """a for ``x ≤ a`` / ``x < a`` (below=True) or ``x ≥ a`` / ``x > a`` (below=False), else None."""
    less = (sp.LessThan, sp.StrictLessThan)
    more = (sp.GreaterThan, sp.StrictGreaterThan)
    if not isinstance(cond, less + more):
        return None
    if cond.lhs == x and cond.rhs.is_number:
        return cond.rhs if isinstance(cond, less if below else more) else None
    if cond.rhs == x and cond.lhs.is_number:
        return cond.lhs if isinstance(cond, more if below else less) else None
    return None


def _ramp_form(pairs: tuple[tuple[sp.Expr, sp.Expr], ...]) -> sp.Expr | None:
    """Piecewise((0, x ≤ a), (g·r, x ≥ b), (g·r·(x − a)/(b − a), True)) with g = 1 or x → g·r·ramp(x, a, b).

    Hard-sigmoid (r = 1, g = 1), hard-swish (g = x): one clip and two
    arithmetic passes instead of two numpy.where selects (each ~7× a multiplication), exactly 0 and
    g·r at the ends, and x − a exact near a (Sterbenz) where x/6 + 1/2 would cancel.
    """
    if len(pairs) != 3:
        return None
    (left, c_left), (right, c_right), (mid, _) = pairs
    a, b = _bound(c_left, below=True), _bound(c_right, below=False)
    if a is None or b is None or not bool(a < b) or left != 0 or mid == x:
        return None  # mid == x: a clamp (ReLU6), exact as min/max; 6·(x/6) was 2 ulp off at 2.2e-308
    for g in (sp.S.One, x):
        r = sp.cancel(right / g)
        if r.free_symbols or r == 0:
            continue
        if sp.simplify(mid - g * r * (x - a) / (b - a)) == 0:
            return g * r * ramp(x, a, b)
    return None


def _extremum(cond: sp.Expr, a: sp.Expr, b: sp.Expr) -> sp.Expr | None:
    if not isinstance(cond, (sp.StrictGreaterThan, sp.StrictLessThan, sp.GreaterThan, sp.LessThan)):
        return None
    big = isinstance(cond, (sp.StrictGreaterThan, sp.GreaterThan))
    if (cond.lhs, cond.rhs) == (a, b):
        return maximum(a, b) if big else minimum(a, b)
    if (cond.lhs, cond.rhs) == (b, a):
        return minimum(a, b) if big else maximum(a, b)
    return None


def _fold(f: sp.Function, args: tuple[sp.Expr, ...]) -> sp.Expr:
    # arrays first: numpy.maximum(x, 0) takes a fast scalar loop that maximum(0, x) does not (−25%)
    args = tuple(sorted(args, key=lambda a: bool(a.is_number)))
    out = args[0]
    for a in args[1:]:
        out = f(out, a)
    return out


def _slope(z: sp.Expr) -> sp.Expr | None:
    """k where z = k·x with k a number, else None."""
    k, rest = z.as_coeff_Mul()
    return k if rest == x else None


def _fuse_x_times(e: sp.Expr, fast: bool = False) -> sp.Expr:
    """x·expit_poly(x, …) → x_expit_poly(x, …), k·x·erfc_poly(x, …) → x_erfc_poly(x, k, …) (and
    gauss_poly likewise), x·tanh(softplus x) → x_tanh_softplus(x) (Mish, 2.9 → 1.5 ulp): the
    product's rounding is the last one that double-double arithmetic removes (GELU-sigmoid 2.7 → 1.05
    ulp). The constant k (GELU's 1/2) goes inside, so that x·erfc ≈ 2x cannot overflow before it.

    x·σ(kx) with kx exact (SiLU, Swish with a dyadic β) → x_expit(x, k) = x/(1 + e^{−kx}): as accurate
    as x times a correctly rounded σ, in the textbook's 4 passes. With ``fast=True`` that and
    Mish's x_tanh_softplus_fast are the only fusions (kx then rounded)."""
    if x not in e.args:
        return e
    rest = list(e.args)
    rest.remove(x)
    for f in rest:
        if isinstance(f, expit) and (k := _slope(f.args[0])) is not None:
            rest.remove(f)
            return sp.Mul(x_expit(x, k), *rest)
        if f == sp.tanh(softplus_stable(x)):
            rest.remove(f)
            return sp.Mul(x_tanh_softplus_fast(x) if fast else x_tanh_softplus(x), *rest)
        if fast:
            continue
        if isinstance(f, expit_poly):
            rest.remove(f)
            return sp.Mul(x_expit_poly(*f.args), *rest)
        if isinstance(f, (ncdf, gauss)) and f.args == (x,):
            rest.remove(f)
            k = sp.Mul(*(a for a in rest if a.is_number))
            fused = x_ncdf if isinstance(f, ncdf) else x_gauss
            return sp.Mul(fused(x, k), *(a for a in rest if not a.is_number))
        if isinstance(f, (erfc_poly, gauss_poly)):
            rest.remove(f)
            k = sp.Mul(*(a for a in rest if a.is_number))
            fused = x_erfc_poly if isinstance(f, erfc_poly) else x_gauss_poly
            return sp.Mul(fused(x, k, *f.args[1:]), *(a for a in rest if not a.is_number))
    return e


def _fuse_k_gauss(e: sp.Expr) -> sp.Expr:
    """k·gauss_poly(x, …) → k_gauss_poly(x, k_hi, k_lo, …): the constant's product carried exactly."""
    polys = [f for f in e.args if isinstance(f, gauss_poly)]
    k = sp.Mul(*(a for a in e.args if a.is_number))
    if len(polys) != 1 or k == 1 or len(e.args) != 1 + sum(1 for a in e.args if a.is_number):
        return e
    return k_gauss_poly(x, *_split_constant(k), *polys[0].args[1:])


def _split_constant(k: sp.Expr) -> tuple[sp.Float, sp.Float]:
    """k = hi + lo, hi the double nearest k, lo the double nearest the rest."""
    value = sp.N(k, 40)
    hi = float(value)
    return sp.Float(hi, 17), sp.Float(float(value - sp.Float(hi, 40)), 17)


def _fuse_dx_expit(e: sp.Expr, fast: bool) -> sp.Expr:
    """(1 + k·x_expit(x, −k))·σ(kx) → dx_expit(x, k_hi, k_lo): SiLU', Swish', QuickGELU' with one exponential
    instead of two (e^{−kx} gives σ(kx) = 1/(1 + e^{−kx}) and σ(−kx) = e^{−kx}·σ(kx)), in double-double; with k
    not a double (QuickGELU's 1.702) the two factors come as expit_poly and x_expit_poly of k_hi·x + k_lo·x.
    fast=True: dx_expit_fast(x, k), kx rounded."""
    if not e.is_Mul:
        return e
    for f in e.args:
        if isinstance(f, expit) and (k := _slope(f.args[0])) is not None:
            partner = 1 + k * x_expit(x, -k)
            hi, lo = _split_constant(k)
        elif isinstance(f, expit_poly) and len(f.args) == 5 and all(c.is_zero for c in f.args[3:]):
            hi, lo = f.args[1], f.args[2]
            k = _exact_sum(hi, lo)
            partner = next((g for g in e.args if g.is_Add and len(g.args) == 2 and 1 in g.args
                            and any(_is_x_expit_of(t, hi, lo, k) for t in g.args)), None)
        else:
            continue
        if partner is not None and partner in e.args:
            rest = list(e.args)
            rest.remove(f)
            rest.remove(partner)
            return sp.Mul(dx_expit_fast(x, k) if fast else dx_expit(x, hi, lo), *rest)
    return e


def _is_x_expit_of(term: sp.Expr, hi: sp.Expr, lo: sp.Expr, k: sp.Expr) -> bool:
    """term = c·x_expit_poly(x, −hi, −lo, 0, 0) with c = hi + lo to 1e-25 (QuickGELU's 1.702 printed as a Float)."""
    c, rest = term.as_coeff_Mul()
    return (isinstance(rest, x_expit_poly) and len(rest.args) == 5 and rest.args[:3] == (x, -hi, -lo)
            and all(a.is_zero for a in rest.args[3:]) and abs(sp.N(c - k, 40)) <= sp.Float("1e-25") * abs(k))




@dataclass(frozen=True)
class Fusion:
    """A rewrite of a product (``apply(e, fast)`` returns the fused node, or ``e`` unchanged)."""

    name: str
    doc: str
    apply: Callable[[sp.Expr, bool], sp.Expr]


FUSIONS: tuple[Fusion, ...] = (
    Fusion("x_times", "x·σ(P), k·x·Φ, k·x·φ, x·tanh(softplus x) → one compensated function: the product's "
           "rounding is the last one double-double arithmetic removes; x·σ(kx) → x/(1 + e^{−kx}) in place",
           _fuse_x_times),
    Fusion("k_gauss", "k·e^{−P²} (a constant times φ of a polynomial: Laplace') → k_gauss_poly with k in "
           "double-double", lambda e, fast: e if fast else _fuse_k_gauss(e)),
    Fusion("dx_expit", "(1 + k·x·σ(−kx))·σ(kx) → dx_expit(x, k_hi, k_lo): SiLU', Swish', QuickGELU' with one "
           "exponential, in double-double", _fuse_dx_expit),
    Fusion("exp_affine_scaled", "k·(a·eˣ + b) → exp_affine's kernels with k inside, exactly",
           lambda e, fast: _fuse_exp_affine(e, fast)),
)


def _fuse_mish_d1(e: sp.Expr, fast: bool) -> sp.Expr:
    """tanh(sp) + 4·σ'(−2sp)·x·σ(x) with sp = softplus(x) — Mish' as lowered term by term — → dx_tanh_softplus(x):
    one rational function of e^{−|x|} in double-double instead of tanh, log1p and σ rounded apart (6.9 ulp)."""
    if fast or not e.is_Add:
        return e
    sp_x = softplus_stable(x)
    return dx_tanh_softplus(x) if e == sp.tanh(sp_x) + 4 * dexpit(-2 * sp_x) * x_expit(x, 1) else e


def _fuse_dx_expit_cubic(e: sp.Expr, fast: bool) -> sp.Expr:
    """σ(z) + R(x)·σ(−z)·x·σ(z) with z = a₁x + a₃x³ and R = a₁ + 3a₃x² — d/dx x·σ(z) as lowered term by term
    (GELU-tanh', its 0.7978845608 variant) — → dx_expit_cubic(x, a₁, a₃) in double-double (7.0 ulp → 0.6)."""
    if fast or not e.is_Add or len(e.args) != 2:
        return e
    for first, second in (e.args, e.args[::-1]):
        if not (isinstance(first, expit_poly) and len(first.args) == 9 and second.is_Mul):
            continue
        a3h, a3l, z2h, z2l, a1h, a1l, z0h, z0l = first.args[1:]
        if not all(c.is_zero for c in (z2h, z2l, z0h, z0l)):
            continue
        mirror = expit_poly(x, *(-c for c in first.args[1:]))
        if mirror not in second.args or x_expit_poly(*first.args) not in second.args:
            continue
        rest = sp.Mul(*(a for a in second.args if a not in (mirror, x_expit_poly(*first.args))))
        if not rest.is_polynomial(x):
            continue
        c = [sp.S(v) for v in sp.Poly(sp.expand(rest), x).all_coeffs()[::-1]] + [sp.S.Zero] * 3
        a1, a3 = _exact_sum(a1h, a1l), _exact_sum(a3h, a3l)
        if all(v.is_zero for v in (c[1], *c[3:])) and _near(c[0], a1) and _near(c[2], 3 * a3):
            return dx_expit_cubic(x, a1h, a1l, a3h, a3l)
    return e


def _exact_sum(hi: sp.Expr, lo: sp.Expr) -> sp.Expr:
    """hi + lo without rounding (the Floats of a double-double pair hold doubles exactly; their sum as Floats would
    round to 17 digits)."""
    return sp.Rational(hi) + sp.Rational(lo)


def _near(a: sp.Expr, b: sp.Expr) -> bool:
    return bool(abs(sp.N(a - b, 40)) <= sp.Float("1e-25") * abs(sp.N(b, 40)))


def _fuse_dx_ncdf(e: sp.Expr, fast: bool) -> sp.Expr:
    """Φ(x) + k·x·φ(x) (GELU' as lowered term by term, φ without its 1/√(2π)) → dx_ncdf(x, k_hi, k_lo): one
    bracket in double-double instead of two rounded terms that cancel (3.3 ulp → 0.6)."""
    if fast or not e.is_Add or len(e.args) != 2 or ncdf(x) not in e.args:
        return e
    other = e.args[1] if e.args[0] == ncdf(x) else e.args[0]
    if isinstance(other, x_gauss) and other.args[0] == x and other.args[1].is_number:
        return dx_ncdf(x, *_split_constant(other.args[1]))
    return e


def fuse_hypot(e: sp.Expr) -> sp.Expr:
    """The largest subexpressions rational in x and h = hypot(x, a) that factor as k·(h ± x)ᵐ·hⁿ (m, n ∈ {−1, 0, 1},
    m ≠ 0) → k·hypot_pow(x, a², ±1, m, n), top-down: SymPy's factor with h opaque cancels squareplus's derivative
    4(2 − 2x/h)/(2h − 2x)² to 2/(h(h − x)), which hypot_pow evaluates in double-double."""
    hyps = e.atoms(hypot)
    if not hyps or e.is_Atom:
        return e
    if len(hyps) == 1 and (e.is_Add or e.is_Mul or e.is_Pow) and e.free_symbols == {x}:
        h = next(iter(hyps))
        if h.args[0] == x and h.args[1].is_number:
            fused = _hypot_factors(sp.factor(e.xreplace({h: _H})), h.args[1] ** 2)
            if fused is not None:
                return fused
    args = [fuse_hypot(a) for a in e.args]
    if args == list(e.args):
        return e
    return sp.Piecewise(*args, evaluate=False) if isinstance(e, sp.Piecewise) else e.func(*args)


def fuse_tanh_sq(e: sp.Expr) -> sp.Expr:
    """tanh(x)² → tanh_sq(x) (tanhshrink'; 1 − tanh² became 4σ(2x)σ(−2x) earlier)."""
    return e.replace(lambda p: p.is_Pow and p.exp == 2 and p.base == sp.tanh(x), lambda p: tanh_sq(x))


def fuse_pow_shift(e: sp.Expr) -> sp.Expr:
    """(x + c)ᵐ with c a double and m in ±1 … ±4 → pow_shift(x, c, m): the sum and the power carried exactly."""
    def match(p: sp.Expr) -> bool:
        if not (p.is_Pow and p.exp.is_Integer and 1 <= abs(int(p.exp)) <= 4 and p.exp != 1 and p.base.is_Add):
            return False
        c = p.base - x
        return x in p.base.args and c.is_Rational and c != 0 and sp.Rational(float(c)) == c

    return e.replace(match, lambda p: pow_shift(x, p.base - x, p.exp))


_H = sp.Dummy("h", positive=True)


def _hypot_factors(f: sp.Expr, c: sp.Expr) -> sp.Expr | None:
    """k·hypot_pow(x, c, s, m, n) where f = k·(_H + s·x)ᵐ·_Hⁿ, else None."""
    k, s, m, n = sp.S.One, None, 0, 0
    for factor in sp.Mul.make_args(f):
        base, ex = factor.as_base_exp()
        if factor.is_number:
            k *= factor
        elif base == _H and ex.is_Integer:
            n += int(ex)
        elif base.is_Add and ex.is_Integer and base.free_symbols == {x, _H}:
            content, prim = base.as_content_primitive()
            ch, cx = prim.coeff(_H), prim.coeff(x)
            if sp.expand(prim - ch * _H - cx * x) != 0 or ch not in (1, -1) or cx / ch not in (1, -1) \
                    or s not in (None, cx / ch):
                return None
            s, m, k = cx / ch, m + int(ex), k * (content * ch) ** ex
        else:
            return None
    if s is None or m not in (-1, 1) or n not in (-1, 0, 1) or not c.is_Rational:
        return None
    return k * hypot_pow(x, *_split_constant(c), s, m, n)


def _fuse_exp_affine(e: sp.Expr, fast: bool) -> sp.Expr:
    """a·eˣ + b with a root (ab < 0) → expm1_shift(x, r, −b), r = ln(−b/a) (xIELU'); a·expm1(x) + b likewise (as
    a·eˣ + b − a); a·expm1(x) + b·x → expm1_lin(x, a, a + b) (xIELU for x ≤ ε): a, b rational numbers (a learned
    parameter left symbolic keeps the plain form). A rational factor outside the sum ((8eˣ − 3)/10, as SymPy
    writes xIELU' with its defaults) goes inside, exactly."""
    if fast:
        return e
    if e.is_Mul:
        k, rest = e.as_coeff_Mul()
        if not (k.is_Rational and rest.is_Add):
            return e
        fused = _fuse_exp_affine(sp.Add(*(k * t for t in rest.args)), fast)
        return fused if isinstance(fused, (expm1_shift, expm1_lin)) else e
    if not e.is_Add or len(e.args) != 2:
        return e
    for first, second in (e.args, e.args[::-1]):
        a, f = first.as_coeff_Mul()
        if not (a.is_Rational and a != 0 and isinstance(f, (sp.exp, expm1)) and f.args == (x,)):
            continue
        if isinstance(f, expm1) and second.free_symbols == {x}:
            b, rest = second.as_coeff_Mul()
            if rest == x and b.is_Rational:
                return expm1_lin(x, *_split_constant(a), *_split_constant(a + b))
            continue
        if not second.is_Rational:
            continue
        b = second - a if isinstance(f, expm1) else second
        if b != 0 and (a > 0) != (b > 0):
            return expm1_shift(x, *_split_constant(sp.log(-b / a)), *_split_constant(-b))
    return e


@dataclass(frozen=True)
class TreeFusion:
    """A rewrite of the whole lowered tree (``apply(e)``), applied before :data:`FUSIONS` unless ``fast=True``."""

    name: str
    doc: str
    apply: Callable[[sp.Expr], sp.Expr]


TREE_FUSIONS: tuple[TreeFusion, ...] = (
    TreeFusion("hypot_pow", "a quotient in x and h = √(x² + c) that factors as k·(h ± x)ᵐhⁿ → hypot_pow in "
               "double-double (squareplus, squareplus': 4.4 ulp → 0.5)", fuse_hypot),
    TreeFusion("pow_shift", "(x + c)ᵐ → pow_shift, the sum and the power exact (softsign': 2.3 ulp → 0.5)",
               fuse_pow_shift),
    TreeFusion("tanh_sq", "tanh(x)² → tanh_sq, tanh in double-double (tanhshrink': 2.5 ulp → 1.41)", fuse_tanh_sq),
)


SUM_FUSIONS: tuple[Fusion, ...] = (
    Fusion("dx_ncdf", "Φ(x) + k·x·e^{−x²/2} (GELU') → dx_ncdf(x, k): e^{−x²/2}(erfcx(|x|/√2)/2 ± kx), the bracket "
           "in double-double", _fuse_dx_ncdf),
    Fusion("dx_expit_cubic", "σ(z)(1 + x·z′·σ(−z)), z = a₁x + a₃x³ (GELU-tanh') → dx_expit_cubic(x, a₁, a₃), in "
           "double-double", _fuse_dx_expit_cubic),
    Fusion("mish_d1", "tanh(softplus x) + x·σ(x)·sech²(softplus x) (Mish') → dx_tanh_softplus(x), one rational "
           "function of e^{−|x|} in double-double", _fuse_mish_d1),
    Fusion("exp_affine", "a·eˣ + b with a root → c·expm1(x − r) (xIELU'); a·expm1(x) + b·x → expm1_lin, a·(eˣ − 1 − x) "
           "+ s·x in double-double (xIELU, whose terms cancel at its root)", _fuse_exp_affine),
)
"""Rewrites of a sum, applied after :data:`FUSIONS` (which rewrite products)."""

