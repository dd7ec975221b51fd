"""The sign of a function on a tail [L, ∞), proved: one term dominates the sum of all the others.

Each saturating call F(u) (u → +∞ a polynomial, u ≥ U on the tail) is written as its limit plus s·R(u) with s in
a proved interval [s_lo, 1], s_lo > 0 (two-sided bounds, so that a function known only through its remainder
keeps its sign):

* 1 − σ(u) = s·e^{−u},            s ≥ 1/(1 + e^{−U})
* 1 − tanh u = 2s·e^{−2u},        s ≥ 1/(1 + e^{−2U})
* 1 − Φ(u) = s·φ(u)/u,            s ≥ U²/(1 + U²)        (Mills' ratio bounds, Gordon 1941)
* erfc u = s·e^{−u²}/(u√π),       s ≥ 2U²/(1 + 2U²)      (the same bounds at u√2)
* softplus(u) − u = s·e^{−u},     s ≥ 1 − e^{−U}/2       (log1p(t) ≥ t − t²/2)

The function is then a sum of parts c(x)·Π s. A leader T is chosen; every other part divided by T (the s bounded by
1 above and s_lo below) must be non-increasing on [L, ∞) — the sign of its logarithmic derivative, a rational
function, decided from the coefficients of its numerator and denominator at L + t — and the ratios must sum to
less than 1 at L. Then sign(f) = sign(T) on the whole tail.
"""

from __future__ import annotations

import sympy as sp
from flint import arb

from ..functions import Phi, phi, sigma, softplus
from ..symbols import x
from .arb import OutOfReach, enclosure, working_precision
from .tails import _SATURATING, TailBound, _direction, _resolve_piecewise, _sign_on_tail, tail_bound


def _phi_as_exp(e: sp.Expr) -> sp.Expr:
    """φ(z) as e^{−z²/2}/√(2π): an exponential the remainder and monotonicity rules read."""
    return e.replace(lambda t: isinstance(t, phi), lambda t: sp.exp(-t.args[0] ** 2 / 2) / sp.sqrt(2 * sp.pi))


def _at(e: sp.Expr, L: sp.Expr) -> arb:
    """An enclosure of e at x = L (an integer)."""
    return enclosure(sp.sympify(e))(arb(int(L)))


_RATE = {sigma: 1, sp.tanh: 2, softplus: 1}
"""Saturating functions whose remainder is e^{−k·u}: a bounded shift of u only scales it (nested calls)."""


def _shift_bound(q: sp.Expr, inner: list[sp.Symbol], L: sp.Expr) -> arb:
    """An upper bound of |q| on [L, ∞), q a polynomial in remainder symbols (each in (0, 1]) whose coefficients
    are non-increasing in |·| there."""
    total = arb(0)
    for _, coeff in sp.Poly(q, *inner).terms():
        if not _non_increasing(sp.powsimp(coeff, combine="exp"), L):
            raise OutOfReach(f"cannot bound {coeff} on [{L}, ∞)")
        total += abs(_at(coeff, L))
    return total.upper()


def _replace(e: sp.Expr, lows: dict[sp.Symbol, arb], L: sp.Expr) -> sp.Expr:
    """Each saturating call as limit ± s·R (SymPy replaces inner calls first, so an argument may already hold
    remainder symbols: Mish's tanh(softplus x) sees x + s·e^{−x} at +∞ and s·e^{−x}·… at −∞)."""
    def remainder(f: sp.Function) -> sp.Expr:
        z = f.args[0]
        if x not in z.free_symbols:  # a constant such as SELU's erfc(√2/2): enclosed as it is
            return f
        if z.has(*_SATURATING):
            raise OutOfReach(f"{f} nests saturating functions")
        kind = type(f)
        inner = [t for t in z.free_symbols if t in lows]
        shift = sp.S.Zero
        if inner:
            base = sp.expand(z.subs({t: 0 for t in inner}))
            shift = sp.expand(z - base)
            with working_precision():
                q = _shift_bound(shift, inner, L)
                if base == 0 and kind in (sp.tanh, sp.erf):
                    # F(v) for 0 ≤ v ≤ q → 0: tanh v ∈ [v − v³/3, v], erf v ∈ (2/√π)·[v − v³/3, v]
                    if {_part_sign(c, L) for _, c in sp.Poly(shift, *inner).terms()} != {1}:
                        raise OutOfReach(f"cannot show {shift} positive on [{L}, ∞)")
                    t = sp.Dummy(f"s{len(lows)}", positive=True)
                    lows[t] = 1 - q * q / 3
                    return shift * t * (1 if kind is sp.tanh else 2 / sp.sqrt(sp.pi))
            if kind not in _RATE:
                raise OutOfReach(f"no tail rule for {f} with a remainder inside")
            z = base
        d = _direction(z)
        u = sp.expand(z if d > 0 else -z)
        if _sign_on_tail(u, L) != 1:
            raise OutOfReach(f"cannot show {u} positive and growing on [{L}, ∞)")
        with working_precision():
            U = _at(u, L)  # u(L + t) has positive coefficients in t: u ≥ u(L) on the tail
            s = sp.Dummy(f"s{len(lows)}", positive=True)
            scale = sp.S.One
            if inner:  # u shifted by at most q: e^{−k·u} changes by a factor in [e^{−kq}, e^{kq}]
                k = _RATE[kind]
                U = U - q
                scale = sp.exp(k * sp.Rational(q.mid().str(30, radius=False)) + sp.Rational(1, 10**25))
                spread = (-2 * k * q).exp() * (-arb(2) / 10**25).exp()
            else:
                spread = arb(1)
            if kind is sigma:
                lows[s] = spread / (1 + (-U).exp())
                r = scale * s * sp.exp(-u)
                return 1 - r if d > 0 else r
            if kind is sp.tanh:
                lows[s] = spread / (1 + (-2 * U).exp())
                r = 2 * scale * s * sp.exp(-2 * u)
                return d * (1 - r)
            if kind is Phi:
                lows[s] = U * U / (1 + U * U)
                r = s * sp.exp(-u**2 / 2) / (u * sp.sqrt(2 * sp.pi))
                return 1 - r if d > 0 else r
            if kind in (sp.erfc, sp.erf):
                lows[s] = 2 * U * U / (1 + 2 * U * U)
                r = s * sp.exp(-u**2) / (u * sp.sqrt(sp.pi))
                if kind is sp.erfc:
                    return r if d > 0 else 2 - r
                return d * (1 - r)
            if kind is softplus:
                lows[s] = spread * (1 - (-U).exp() / 2)
                r = scale * s * sp.exp(-u)
                return z + shift + r if d > 0 else r
        raise OutOfReach(f"no tail rule for {f}")

    return e.replace(lambda t: isinstance(t, _SATURATING), remainder)


def _non_increasing(ratio: sp.Expr, L: sp.Expr) -> bool:
    logd = sp.together(sp.diff(sp.expand_log(sp.log(ratio), force=True), x))
    if logd == 0:
        return True
    num, den = sp.fraction(logd)
    if not (num.is_polynomial(x) and den.is_polynomial(x)):
        return False
    return _sign_on_tail(num, L) * _sign_on_tail(den, L) == -1


_POSITIVE = (sigma, Phi, phi, softplus, sp.exp, sp.erfc)


def _part_sign(part: sp.Expr, L: sp.Expr) -> int:
    """The sign on [L, ∞) of a product of constants, powers of x and of polynomials positive there, and
    exponentials; anything else is out of reach."""
    sign = 1
    for factor in sp.Mul.make_args(part):
        if factor.is_number:
            with working_precision():
                v = enclosure(factor)(arb(0))
            if not (v > 0 or v < 0):
                raise OutOfReach(f"cannot decide the sign of {factor}")
            sign *= 1 if v > 0 else -1
        elif isinstance(factor, sp.exp) or factor == x:
            continue
        elif isinstance(factor, sp.Pow) and (isinstance(factor.base, sp.exp) or factor.base == x):
            continue
        elif isinstance(factor, sp.Pow) and (factor.exp.is_Integer or tail_sign(factor.base, L) == 1):
            base = tail_sign(factor.base, L)  # an integer power of a base of known sign (1/(−x − √(x²+4)))
            if base == 0:
                raise OutOfReach(f"cannot decide the sign of {factor} on [{L}, ∞)")
            sign *= base ** int(factor.exp) if factor.exp.is_Integer else 1
        else:
            raise OutOfReach(f"cannot decide the sign of {factor} on [{L}, ∞)")
    return sign


def _by_factors(h: sp.Expr, L: sp.Expr) -> int:
    """The product of the factors' signs (σ, Φ, φ, softplus, exp, erfc are positive everywhere), or 0."""
    if not isinstance(h, (sp.Mul, sp.Pow)) and not isinstance(h, _POSITIVE):
        return 0
    if isinstance(h, _POSITIVE):
        return 1
    if isinstance(h, sp.Pow):
        if h.exp.is_Integer:
            inner = tail_sign(h.base, L)
            return inner ** int(h.exp) if inner else 0
        return 1 if tail_sign(h.base, L) == 1 else 0  # a real power of a positive base
    sign = 1
    for factor in h.args:
        sign *= tail_sign(factor, L)
    return sign


def tail_sign(h: sp.Expr, L: sp.Expr) -> int:
    """+1 or −1: the sign of h(x) for every x ≥ L (L > 0), 0 where h vanishes there identically; raises
    :class:`OutOfReach` where the method fails."""
    h = _phi_as_exp(h)
    h = _resolve_piecewise(h, L)
    if h.is_number:
        return _part_sign(h, L) if h != 0 else 0
    if h.is_polynomial(x):
        sign = _sign_on_tail(sp.expand(h), L)
        if sign or sp.expand(h) == 0:
            return sign
        raise OutOfReach(f"cannot decide the sign of the polynomial {h} on [{L}, ∞)")
    if h.is_rational_function(x):
        num, den = sp.fraction(sp.cancel(sp.together(h)))
        sign = _sign_on_tail(sp.expand(num), L) * _sign_on_tail(sp.expand(den), L)
        if sign:
            return sign
    try:
        sign = _by_factors(h, L)
    except OutOfReach:
        sign = 0
    if sign:
        return sign
    if not h.has(*_SATURATING):
        # algebraic (squareplus''): one fraction over a common denominator cancels what the sum hid
        together = sp.factor(sp.together(h))
        if together != h:
            try:
                return tail_sign(together, L)
            except OutOfReach:
                pass
    lows: dict[sp.Symbol, arb] = {}
    replaced = sp.expand(_replace(h, lows, L))
    leftover = [f for f in replaced.atoms(sp.Function) if not isinstance(f, sp.exp) and x in f.free_symbols]
    if leftover:
        raise OutOfReach(f"no tail rule for {leftover[0]}")
    symbols = list(lows)
    parts: list[tuple[sp.Expr, tuple[int, ...]]] = []
    try:
        terms = sp.Poly(replaced, *symbols).terms() if symbols else [((), replaced)]
    except sp.PolynomialError as exc:
        raise OutOfReach(f"a remainder sits inside a non-polynomial term of {replaced}") from exc
    for monom, coeff in terms:
        for part in sp.Add.make_args(sp.expand(coeff)):
            if part != 0:
                parts.append((sp.powsimp(part, combine="exp"), monom))
    if not parts:
        return 0
    signs = {_part_sign(p, L) for p, _ in parts}
    if len(signs) == 1:  # every part of one sign (the remainders' s are positive)
        return signs.pop()
    with working_precision():
        sizes = [abs(_at(p, L)) for p, _ in parts]
        order = sorted(range(len(parts)), key=lambda i: -float(sizes[i].mid()))
        for lead in order[:3]:
            T, tm = parts[lead]
            low_T = arb(1)
            for s, k in zip(symbols, tm, strict=True):
                low_T *= lows[s] ** k
            total = arb(0)
            ok = True
            for i, (p, _) in enumerate(parts):
                if i == lead:
                    continue
                ratio = sp.powsimp(sp.simplify(p / T), combine="exp")
                if not _non_increasing(ratio, L):
                    ok = False
                    break
                total += abs(_at(ratio, L))
            total = total / low_T
            if ok and total < 1:
                return _part_sign(T, L)
    raise OutOfReach(f"no term of {h} dominates the others on [{L}, ∞)")


_TEN = sp.Integer(10)


def tail_limit(h: sp.Expr, L: sp.Expr = _TEN) -> sp.Expr:
    """lim h(x) as x → +∞, with each saturating call replaced by its limit and a remainder that is shown to vanish:
    SymPy then takes the limit of an elementary expression (seconds faster on tanh-GELU than sympy.limit)."""
    h = _phi_as_exp(h)
    h = _resolve_piecewise(h, L)
    lows: dict[sp.Symbol, arb] = {}
    replaced = sp.expand(_replace(h, lows, L))
    if [f for f in replaced.atoms(sp.Function) if not isinstance(f, sp.exp) and x in f.free_symbols]:
        raise OutOfReach(f"no tail rule for every function of {h}")
    symbols = list(lows)
    try:
        terms = sp.Poly(replaced, *symbols).terms() if symbols else [((), replaced)]
    except sp.PolynomialError as exc:
        raise OutOfReach(f"a remainder sits inside a non-polynomial term of {replaced}") from exc
    base = sp.S.Zero
    frozen: dict[sp.Symbol, sp.Expr] = {}
    for monom, coeff in terms:
        if any(monom):
            if sp.limit(_freeze(coeff, frozen), x, sp.oo) != 0:  # s ≤ 1: a vanishing coefficient, a vanishing term
                raise OutOfReach(f"the remainder term {coeff} does not vanish")
        else:
            base = coeff
    return sp.limit(_freeze(base, frozen), x, sp.oo).xreplace(frozen)


def _freeze(e: sp.Expr, frozen: dict[sp.Symbol, sp.Expr]) -> sp.Expr:
    """Irrational constants (SELU's λα, a page of erfc) as symbols of their sign: SymPy's limit is then quick."""
    if e.is_number:
        if e.is_Rational or e in (sp.pi, sp.E):
            return e
        value = sp.N(e, 30)
        if not (value.is_real and value != 0):
            return e
        for sym, const in frozen.items():
            if const == e:
                return sym
        sym = sp.Dummy("c", positive=True) if value > 0 else sp.Dummy("c", negative=True)
        frozen[sym] = e
        return sym
    if not e.args:
        return e
    return e.func(*(_freeze(a, frozen) for a in e.args))


def nested_tail_bound(e: sp.Expr, L: sp.Expr) -> TailBound:
    """:func:`symact.proofs.tails.tail_bound` with these two-sided remainders, so that nested saturating calls
    (Mish's tanh(softplus x)) are bounded too; each s ≤ 1, so |s-monomial·c| ≤ |c| as there."""
    lows: dict[sp.Symbol, arb] = {}

    def replace(expr: sp.Expr, symbols: list[sp.Symbol], at: sp.Expr) -> sp.Expr:
        expr = _phi_as_exp(expr)
        out = _replace(expr, lows, at)
        symbols.extend(lows)
        return out

    return tail_bound(e, L, replace)


__all__ = ["nested_tail_bound", "tail_limit", "tail_sign"]
