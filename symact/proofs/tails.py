"""Bounds on the tails x ≥ L that are theorems: each saturating function is replaced by its limit and a
remainder with a textbook bound, the limits must cancel, and what is left is shown decreasing on [L, ∞).

Remainders (z → +∞; the mirrored ones for z → −∞), each for z ≥ 0:
erfc z ≤ e^{−z²} (so 1 − erf z too), 1 − Φ(z) ≤ e^{−z²/2}/2, 1 − tanh z ≤ 2e^{−2z}, 1 − σ(z) ≤ e^{−z},
softplus(z) − z ≤ e^{−z}. With every remainder written s·R(z), s ∈ [0, 1] a fresh symbol, the difference
is e₀(x) + Σ c_k(x)·s_k + (products of the s); e₀ must be 0, and then |e(x)| ≤ Σ |c(x)|. Each term
|P(x)|·e^{−q(x)} is decreasing where P'/P − q' < 0, a rational function whose sign on [L, ∞) SymPy decides
from the real roots of its numerator and denominator. The tail's supremum is then at most the bound at L.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp
from flint import arb

from ..functions import Phi, sigma, softplus
from ..symbols import x
from .arb import OutOfReach, enclosure

_SATURATING = (sp.erf, sp.erfc, Phi, sp.tanh, sigma, softplus)


@dataclass(frozen=True)
class TailBound:
    """|e(x)| ≤ bound(x) for x ≥ L (after x → −x for the left tail), with bound decreasing there (a constant plus
    decreasing terms, so its value at L bounds the whole tail)."""

    bound: sp.Expr
    L: sp.Expr


def _direction(z: sp.Expr) -> int:
    lim = sp.limit(z, x, sp.oo)
    if lim is sp.oo:
        return 1
    if lim is sp.S.NegativeInfinity:
        return -1
    raise OutOfReach(f"the argument {z} does not tend to ±∞ as x → ∞")


def _replace(e: sp.Expr, symbols: list[sp.Symbol], L: sp.Expr) -> sp.Expr:
    """Each saturating call F(z) (z free of saturating calls) as its limit ± s·R(z)."""
    def remainder(f: sp.Function) -> sp.Expr:
        z = f.args[0]
        s = sp.Dummy(f"s{len(symbols)}", nonnegative=True)
        symbols.append(s)
        d = _direction(z)
        u = z if d > 0 else -z  # u → +∞
        if _sign_on_tail(u, L) != 1:  # every remainder bound below holds for u ≥ 0
            raise OutOfReach(f"cannot show {u} positive on [{L}, ∞)")
        kind = type(f)
        if kind is sp.erf:
            return d * (1 - s * sp.exp(-u**2))
        if kind is sp.erfc:
            return s * sp.exp(-u**2) if d > 0 else 2 - s * sp.exp(-u**2)
        if kind is Phi:
            return 1 - s * sp.exp(-u**2 / 2) / 2 if d > 0 else s * sp.exp(-u**2 / 2) / 2
        if kind is sp.tanh:
            return d * (1 - 2 * s * sp.exp(-2 * u))
        if kind is sigma:
            return 1 - s * sp.exp(-u) if d > 0 else s * sp.exp(-u)
        if kind is softplus:
            return z + s * sp.exp(-u) if d > 0 else s * sp.exp(-u)
        raise OutOfReach(f"no tail bound for {f}")

    return e.replace(lambda t: isinstance(t, _SATURATING), remainder)


def _sign_on_tail(p: sp.Expr, L: sp.Expr) -> int:
    """+1 / −1 where the polynomial p(x) is certainly positive / negative on [L, ∞), else 0: all coefficients of
    p(L + t) in t, enclosed in Arb, of one strict sign (no root for t ≥ 0 then)."""
    t = sp.Dummy("t", nonnegative=True)
    try:
        poly = sp.Poly(sp.expand(p.subs(x, L + t)), t)
    except sp.PolynomialError:
        return 0
    signs = set()
    for c in poly.all_coeffs():
        if c == 0:
            continue
        ball = enclosure(sp.sympify(c))(arb(0))
        signs.add(1 if ball > 0 else (-1 if ball < 0 else 0))
    return signs.pop() if len(signs) == 1 else 0


def _decreasing(term: sp.Expr, L: sp.Expr) -> bool:
    """Whether |term| (a product of powers of x, constants and exponentials) decreases on [L, ∞): the sign of
    its logarithmic derivative, a rational function, decided by :func:`_sign_on_tail`."""
    logd = sp.together(sp.diff(sp.expand_log(sp.log(term), force=True), x))
    num, den = sp.fraction(logd)
    return _sign_on_tail(num, L) * _sign_on_tail(den, L) == -1


def _resolve_piecewise(e: sp.Expr, L: sp.Expr) -> sp.Expr:
    """Each Piecewise as the branch that holds on all of [L, ∞) (L > 0)."""
    t = sp.Dummy("t", nonnegative=True)

    def pick(*pairs: tuple[sp.Expr, sp.Expr]) -> sp.Expr:
        for value, cond in pairs:
            held = cond.subs(x, L + t) if cond not in (sp.true, sp.false) else cond
            if held is sp.true:
                return value
            if held is not sp.false:
                raise OutOfReach(f"the condition {cond} is not decided on [{L}, ∞)")
        raise OutOfReach("no branch applies")

    return e.replace(lambda u: isinstance(u, sp.Piecewise), lambda u: pick(*u.args))


Replace = Callable[[sp.Expr, list[sp.Symbol], sp.Expr], sp.Expr]


def tail_bound(e: sp.Expr, L: sp.Expr, replace: Replace | None = None) -> TailBound:
    """A decreasing bound of |e(x)| on [L, ∞) (raises OutOfReach when the method does not apply). ``replace``
    writes the saturating calls as limit ± s·R with every s in [0, 1] (default: the one-sided rules above, no
    nesting; :func:`symact.proofs.signs.nested_tail_bound` passes its two-sided ones, which nest)."""
    if replace is None:
        for f in e.atoms(*_SATURATING):
            if f.args[0].has(*_SATURATING):
                raise OutOfReach(f"{f} nests saturating functions: no tail rule bounds it")
    symbols: list[sp.Symbol] = []
    replaced = sp.expand((replace or _replace)(_resolve_piecewise(e, L), symbols, L))
    pairs = sp.Poly(replaced, *symbols).terms() if symbols else [((), replaced)]
    terms, constant = [], sp.S.Zero
    for monom, coeff in pairs:
        coeff = sp.simplify(coeff)
        if coeff == 0:
            continue
        if not any(monom):
            # a constant limit is allowed (f' → 1): it adds |c| to a bound that is then decreasing plus a constant
            constant = sp.limit(coeff, x, sp.oo)
            if not constant.is_number or not constant.is_finite:
                raise OutOfReach(f"the difference does not tend to a finite constant as x → ∞: {coeff} remains")
            coeff = sp.simplify(coeff - constant)
            if coeff == 0:
                continue
        terms.append(coeff)
    bound = sp.Abs(constant)
    for c in terms:
        for part in sp.Add.make_args(sp.expand(c)):
            if not _decreasing(sp.powsimp(part, combine="exp"), L):
                raise OutOfReach(f"cannot show {part} decreasing on [{L}, ∞)")
            bound += sp.Abs(part)
    return TailBound(bound, L)


__all__ = ["TailBound", "tail_bound"]
