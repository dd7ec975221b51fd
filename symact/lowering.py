"""Stability-aware lowering: SymPy expression → an equivalent expression that evaluates accurately.

Textbook formulas lose accuracy in floating point: ``x/2 (1 + erf(x/√2))`` cancels for x ≪ 0,
``1 − tanh²`` is 0 where sech² is merely small, ``log(1 + eˣ)`` overflows. SymPy's own rewrites
keep those cancellations (``erfc(−z)`` evaluates back to ``2 − erfc(z)``), so lowering works on
*unevaluated* numeric functions (:data:`NUMERIC`) that only the array printer knows.

Two passes, each a table of small rules:

1. :data:`PAIR_RULES` and :data:`NODE_RULES` rewrite sums and compositions among the named
   functions (σ, Φ, softplus) and elementary ones, bottom-up, to a fixed point.
2. :data:`FUNCTION_RULES` replace each named function by a stable numeric form.

Finally constants become Python floats (weakly typed, so float32 input stays float32).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from .functions import Phi, phi, sigma, softplus, to_elementary
from .symbols import x

# Lowering-only functions: never evaluated by SymPy, printed by name, bound by numeric.py.
expit = sp.Function("expit")
erfc = sp.Function("erfc_stable")
log1p = sp.Function("log1p")
expm1 = sp.Function("expm1")
softplus_stable = sp.Function("softplus_stable")
maximum = sp.Function("maximum")
minimum = sp.Function("minimum")
# Double-double argument forms (symact.ddmath): f(x, c_n_hi, c_n_lo, ..., c_0_hi, c_0_lo) = f(P(x)).
where = sp.Function("where")
expit_poly = sp.Function("expit_poly")
x_expit_poly = sp.Function("x_expit_poly")  # x·expit_poly(x, ...), the product compensated
erfc_poly = sp.Function("erfc_poly")
x_erfc_poly = sp.Function("x_erfc_poly")  # x_erfc_poly(x, k, ...) = k·x·erfc_poly(x, ...), compensated
gauss_poly = sp.Function("gauss_poly")
x_gauss_poly = sp.Function("x_gauss_poly")  # x_gauss_poly(x, k, ...) = k·x·gauss_poly(x, ...), compensated
ncdf = sp.Function("ncdf")  # Φ(x), argument exactly x: erfcx(|x|/√2) tabulated in |x| (symact.erfcx)
x_ncdf = sp.Function("x_ncdf")  # x_ncdf(x, k) = k·x·Φ(x) (GELU), compensated
gauss = sp.Function("gauss")  # e^{−x²/2} with x² exact
x_gauss = sp.Function("x_gauss")  # x_gauss(x, k) = k·x·e^{−x²/2}, compensated
x_tanh_softplus = sp.Function("x_tanh_softplus")  # x·tanh(softplus(x)), Mish (symact.ddmath)
dexpit = sp.Function("dexpit")  # σ(z)σ(−z) = σ'(z), evaluated as e^{−|z|}/(1 + e^{−|z|})² with a compensated quotient
x_expit = sp.Function("x_expit")  # x_expit(x, k) = x·σ(kx) = x/(1 + e^{−kx}), in place (kx exact, or fast=True)
dx_expit = sp.Function("dx_expit")  # dx_expit(x, k) = d/dx x·σ(kx) = σ(kx)(1 + kx·σ(−kx)), one exponential
ramp = sp.Function("ramp")  # ramp(x, a, b) = (min(max(x, a), b) − a)/(b − a): 0 below a, 1 above b
# compensated=False only:
dexpit_fast = sp.Function("dexpit_fast")  # σ'(z) = 1/(2 + 2 cosh z)
x_tanh_softplus_fast = sp.Function("x_tanh_softplus_fast")  # Mish as x·n/(n + 2), n = eˣ(eˣ + 2)

NUMERIC: dict[str, sp.Function] = {
    f.__name__: f for f in (expit, erfc, log1p, expm1, softplus_stable, maximum, minimum, where, expit_poly,
                            erfc_poly, gauss_poly, dexpit, x_expit_poly, x_erfc_poly,
                            x_gauss_poly, x_tanh_softplus, ncdf, x_ncdf, gauss, x_gauss, x_expit, dx_expit, ramp,
                            dexpit_fast, x_tanh_softplus_fast)
}
"""Name → unevaluated function that the lowered expression may contain."""


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
             _func_arg(sp.erf), +1, lambda a, z: a * erfc(-z)),
    PairRule("one_minus_erf", "1 − erf z = erfc(z)",
             _func_arg(sp.erf), -1, lambda a, z: a * erfc(z)),
    PairRule("exp_minus_one", "eᶻ − 1 = expm1(z): ELU near 0 keeps its relative accuracy",
             _func_arg(sp.exp), -1, lambda a, z: -a * expm1(z)),
)


def _split_factors(term: sp.Expr) -> list[tuple[sp.Expr, sp.Expr]]:
    """Every way to write ``term`` as ``cofactor * F`` with ``F`` one factor of it."""
    factors = term.args if term.is_Mul else (term,)
    return [(sp.Mul(*(factors[:i] + factors[i + 1:])), f) for i, f in enumerate(factors)]


def _apply_pair_rules(expr: sp.Add) -> sp.Expr | None:
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


NODE_RULES: tuple[NodeRule, ...] = (
    NodeRule("kink", "Piecewise((f, x > 0), (g, True)) with f(0) = g(0) = 0 → f(max(x, 0)) + g(min(x, 0)): no "
             "numpy.where select (~7× a multiplication), and each branch sees only its own half (ELU, SELU, "
             "ReLU²)", _kink_rule),
    NodeRule("log_one_plus", "log(1 + eᶻ) = softplus(z), log(1 + w) = log1p(w), log σ(z) = −softplus(−z)",
             _log_rule),
    NodeRule("logistic", "1/(1 + e^w) = σ(−w): no overflow of e^w", _reciprocal_rule),
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
    return erfc_poly(x, *coeffs) / 2 if coeffs else erfc(-z / sp.sqrt(2)) / 2


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
    FunctionRule("Piecewise", "a ramp between 0 and g·r (hard-sigmoid, hard-swish, ReLU6) → g·r·ramp(x, a, b): a "
                 "clip and two arithmetic passes; otherwise where(c, a, b), one pass instead of numpy.select's",
                 sp.Piecewise,
                 lambda *pairs: _where(pairs)),
)


FAST_FUNCTION_RULES: dict[str, FunctionRule] = {
    "Phi": FunctionRule("Phi", "Φ(z) = erfc(−z/√2)/2 (SciPy's erfc: up to ~500 ulp in float64 where GELU is ~1e-150, "
                        "never a cancellation)", Phi, lambda z: erfc(-z / sp.sqrt(2)) / 2),
    "phi": FunctionRule("phi", "φ(z) = exp(−z²/2)/√(2π)", phi, lambda z: sp.exp(-(z**2) / 2) / sp.sqrt(2 * sp.pi)),
    "sigma": FunctionRule("sigma", "σ = expit(z), a polynomial argument such as 1.702x rounded (QuickGELU: ~60 ulp "
                          "at x = −38, ~600 at −330)", sigma, expit),
}
"""The rules :func:`lower` uses instead with ``compensated=False`` (the others are shared)."""


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

    Hard-sigmoid (r = 1, g = 1), hard-swish (g = x), ReLU6 (g = 1, r = 6): one clip and two
    arithmetic passes instead of two numpy.where selects (each ~7× a multiplication), exactly 0 and
    g·r at the ends, and x − a exact near a (Sterbenz) where x/6 + 1/2 would cancel.
    """
    if len(pairs) != 3:
        return None
    (left, c_left), (right, c_right), (mid, _) = pairs
    a, b = _bound(c_left, below=True), _bound(c_right, below=False)
    if a is None or b is None or not bool(a < b) or left != 0:
        return None
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


def _rewrite_node(e: sp.Expr) -> sp.Expr:
    for _ in range(100):  # each rule removes a pattern, so this terminates long before
        new = _apply_pair_rules(e) if e.is_Add else None
        if new is None:
            for rule in NODE_RULES:
                new = rule.apply(e)
                if new is not None:
                    break
        if new is None or new == e:
            return e
        e = _algebraic_pass(new)
    return e


def _algebraic_pass(e: sp.Expr) -> sp.Expr:
    if e.is_Atom:
        return e
    args = [_algebraic_pass(a) for a in e.args]
    if isinstance(e, sp.Piecewise):
        node = sp.Piecewise(*args, evaluate=False)
    else:
        node = e.func(*args) if args != list(e.args) else e
    return _rewrite_node(node)


@lru_cache(maxsize=1024)
def lower(expr: sp.Expr, *, stable: bool = True, compensated: bool = True) -> sp.Expr:
    """The form of ``expr`` that array code evaluates.

    ``stable=True``: algebraic rules, then numeric functions, then float constants.
    ``compensated=False`` (with ``stable``): the same rewrites without the double-double forms of
    :mod:`symact.ddmath` (:data:`FAST_FUNCTION_RULES` instead; σ(z)σ(−z) as 1/(2 + 2 cosh z), Mish with
    one exponential, x·σ(kx) fused with kx rounded): no cancellation, overflow or x² amplification
    catastrophe, a few ulp in float64 instead of ≤ 2 (up to ~1500 in GELU's and QuickGELU's far left
    tails), at the cost of the textbook formula. Float32 input uses it (its errors are far below float32's ulp).
    ``stable=False``: the textbook formula (named functions in elementary form), for comparisons;
    only ``Max``/``Min`` become ``maximum``/``minimum`` so that arrays work.
    """
    # Constants built from special functions (SELU's λ and α) become numbers first, so that no rule
    # rewrites them into lowering-only functions that cannot be evaluated.
    expr = expr.replace(lambda e: e.is_number and not e.is_Atom and e.has(sp.Function), lambda e: e.evalf(30))
    if stable:
        out = _factor_linear(_algebraic_pass(sp.piecewise_fold(expr)))
        table = FUNCTION_RULES
        if not compensated:
            out = out.replace(lambda e: isinstance(e, dexpit), lambda e: dexpit_fast(e.args[0]))
            table = tuple(FAST_FUNCTION_RULES.get(r.name, r) for r in FUNCTION_RULES)
    else:
        out = to_elementary(expr)
        table = tuple(r for r in FUNCTION_RULES if r.cls in (sp.Max, sp.Min))
    for rule in table:
        out = out.replace(lambda e, cls=rule.cls: isinstance(e, cls), lambda e, b=rule.build: b(*e.args))
    if stable:
        out = out.replace(lambda e: e.is_Mul, lambda e: _fuse_dx_expit(_fuse_x_times(e, compensated)))
    return _float_constants(out)


def _slope(z: sp.Expr) -> sp.Expr | None:
    """k where z = k·x with k a number, else None."""
    k, rest = z.as_coeff_Mul()
    return k if rest == x else None


def _fuse_x_times(e: sp.Expr, compensated: bool = True) -> sp.Expr:
    """x·expit_poly(x, …) → x_expit_poly(x, …), k·x·erfc_poly(x, …) → x_erfc_poly(x, k, …) (and
    gauss_poly likewise), x·tanh(softplus x) → x_tanh_softplus(x) (Mish, 2.9 → 1.5 ulp): the
    product's rounding is the last one that double-double arithmetic removes (GELU-sigmoid 2.7 → 1.05
    ulp). The constant k (GELU's 1/2) goes inside, so that x·erfc ≈ 2x cannot overflow before it.

    x·σ(kx) with kx exact (SiLU, Swish with a dyadic β) → x_expit(x, k) = x/(1 + e^{−kx}): as accurate
    as x times a correctly rounded σ, in the textbook's 4 passes. With ``compensated=False`` that and
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
            return sp.Mul(x_tanh_softplus(x) if compensated else x_tanh_softplus_fast(x), *rest)
        if not compensated:
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


def _fuse_dx_expit(e: sp.Expr) -> sp.Expr:
    """(1 + k·x_expit(x, −k))·σ(kx) → dx_expit(x, k): SiLU', Swish', fast QuickGELU' with one exponential
    instead of two (e^{−kx} gives σ(kx) = 1/(1 + e^{−kx}) and σ(−kx) = e^{−kx}·σ(kx))."""
    if not e.is_Mul:
        return e
    for f in e.args:
        if isinstance(f, expit) and (k := _slope(f.args[0])) is not None:
            partner = 1 + k * x_expit(x, -k)
            if partner in e.args:
                rest = list(e.args)
                rest.remove(f)
                rest.remove(partner)
                return sp.Mul(dx_expit(x, k), *rest)
    return e


def _factor_linear(e: sp.Expr) -> sp.Expr:
    """a·x + b → a·(x + b/a), kept unevaluated: x + b/a is exact near the root −b/a (Sterbenz),
    where a·x + b cancels (hard-sigmoid at −3, hard-swish' at −1.5)."""
    def rewrite(node: sp.Expr) -> sp.Expr:
        if node.is_Add and node.free_symbols == {x} and node.is_polynomial(x):
            poly = sp.Poly(node, x)
            a, b = (poly.all_coeffs() + [0])[:2] if poly.degree() == 1 else (None, None)
            if a is not None and b != 0 and a.is_Rational and b.is_Rational and a != 1:
                return sp.Mul(a, x + b / a, evaluate=False)
        return node

    return e.replace(lambda n: n.is_Add, rewrite)


def _float_constants(e: sp.Expr) -> sp.Expr:
    """Constant subexpressions → 30-digit Floats; the printed literal then rounds correctly to a
    Python float, which NumPy treats as weakly typed (a float32 array stays float32).

    ``evalf`` alone does not reach inside unevaluated functions such as ``expit(sqrt(2)*x)``.
    """
    if e.is_Integer or isinstance(e, sp.logic.boolalg.BooleanAtom):
        return e
    if e.is_number:
        value = e.evalf(30)
        return value if value.is_Float else e
    if e.is_Atom:
        return e
    args = [_float_constants(a) for a in e.args]
    if isinstance(e, sp.Piecewise):
        return sp.Piecewise(*args, evaluate=False)
    out = e.func(*args)
    if e.is_Mul and out.is_Add:
        return sp.Mul(*args, evaluate=False)  # SymPy distributed a·(x + b/a) from _factor_linear: undo
    return out


def rules() -> list[tuple[str, str]]:
    """(name, why) of every rule, in the order they apply — for docs and ``--help``."""
    return [(r.name, r.doc) for r in (*PAIR_RULES, *NODE_RULES, *FUNCTION_RULES)]


__all__ = ["FAST_FUNCTION_RULES", "FUNCTION_RULES", "NODE_RULES", "NUMERIC", "PAIR_RULES", "lower", "rules"]
