"""Limits at +∞ by leading terms: each subexpression as c·tᵖ·(log t)^q·e^{g(t)}, g a polynomial.

SymPy's Gruntz algorithm decides every limit of the catalog but costs 0.1–0.7 s each (GELU's tanh form,
Laplace GELU at −∞), most of the cold catalog. The elementary forms of the registry's definitions (exp, log,
powers, erf, erfc, tanh) have leading terms that compose exactly: products add exponents, a sum keeps
its dominant scale, e^{poly} and erfc(poly) stay in the class. Where leading terms cancel, a sign is
unknown under the symbols' assumptions or a function is outside the class, this module answers None
and the caller asks SymPy. Complements are taken first so that 1 + tanh(u) at u → −∞ does not cancel:
tanh(u) is rewritten −1 + 2/(1 + e^{−2u}) and SymPy's own Add folds the ±1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp


class _Undecided(Exception):
    """Raised inside the walk; ``limit_at_infinity`` turns it into None."""


@dataclass(frozen=True)
class Lead:
    """c·tᵖ·(log t)^q·exp(Σ gₖ tᵏ), c ≠ 0 and free of t, every k > 0."""

    c: sp.Expr
    p: sp.Expr = sp.S.Zero
    q: sp.Expr = sp.S.Zero
    g: dict[sp.Expr, sp.Expr] = field(default_factory=dict)

    def times(self, other: Lead) -> Lead:
        g = dict(self.g)
        for k, v in other.g.items():
            g[k] = g.get(k, sp.S.Zero) + v
        return Lead(self.c * other.c, self.p + other.p, self.q + other.q, _nonzero(g))

    def power(self, e: sp.Expr) -> Lead:
        if not (e.is_integer or self.c.is_positive):
            raise _Undecided  # a negative base to a fractional power
        return Lead(self.c**e, self.p * e, self.q * e, {k: v * e for k, v in self.g.items()})

    @property
    def growth(self) -> int:
        """+1 if |lead| → ∞, −1 if → 0, 0 if it tends to c."""
        top = _top(self.g)
        for v in (top[1] if top else sp.S.Zero, self.p, self.q):
            s = _sign(v)
            if s:
                return s
        return 0


def _sign(v: sp.Expr) -> int:
    if v.is_zero:
        return 0
    if v.is_positive:
        return 1
    if v.is_negative:
        return -1
    raise _Undecided


def _nonzero(g: dict[sp.Expr, sp.Expr]) -> dict[sp.Expr, sp.Expr]:
    """Drops the terms known to vanish; one of unknown zero-ness (μ·t under e^{…}) stays until it decides."""
    return {k: v for k, v in g.items() if not v.is_zero}


def _top(g: dict[sp.Expr, sp.Expr]) -> tuple[sp.Expr, sp.Expr] | None:
    """The highest-order nonzero term of the exponent, None if there is none (exponents are numbers:
    as_coeff_exponent of a polynomial)."""
    for k in sorted(g, key=float, reverse=True):
        v = g[k]
        if v.is_zero is None:
            v = sp.simplify(v)
        if v.is_zero is None:
            raise _Undecided
        if not v.is_zero:
            return k, v
    return None


def _compare(a: Lead, b: Lead) -> int:
    """+1 if a's scale dominates b's, −1 if b's does, 0 if they are the same scale."""
    d = dict(a.g)
    for k, v in b.g.items():
        d[k] = d.get(k, sp.S.Zero) - v
    top = _top(d)
    if top:
        return _sign(top[1])
    return _sign(a.p - b.p) or _sign(a.q - b.q)


class _Walk:
    def __init__(self, t: sp.Symbol) -> None:
        self.t = t
        self.memo: dict[sp.Expr, Lead | None] = {}

    # Complements first: erf and tanh of an argument tending to ±∞ become 1 - (small), so that a
    # surrounding 1 + erf(u) folds when SymPy rebuilds the Add.
    def prepare(self, e: sp.Expr) -> sp.Expr:
        if not e.has(self.t) or not e.args:
            return e
        args = [self.prepare(a) for a in e.args]
        if any(a is not b for a, b in zip(args, e.args, strict=True)):
            e = e.func(*args)
        if isinstance(e, (sp.erf, sp.tanh)):
            h = e.args[0]
            lh = self.lead(h)
            if lh is not None and lh.growth > 0:
                s = _sign(lh.c)
                if isinstance(e, sp.erf):  # unevaluated: erfc(-y) would turn back into 2 - erfc(y)
                    return s * (1 - sp.erfc(s * h, evaluate=False))
                return s * (1 - 2 / (1 + sp.exp(2 * s * h)))
        return e

    def lead(self, e: sp.Expr) -> Lead | None:
        """None means identically zero."""
        if e in self.memo:
            return self.memo[e]
        out = self._lead(e)
        self.memo[e] = out
        return out

    def _lead(self, e: sp.Expr) -> Lead | None:
        t = self.t
        if not e.has(t):
            if e.is_zero:
                return None
            if e.is_zero is None:
                raise _Undecided
            return Lead(e)
        if e == t:
            return Lead(sp.S.One, sp.S.One)
        if isinstance(e, sp.Add):
            return self._add(e)
        if isinstance(e, sp.Mul):
            out = Lead(sp.S.One)
            for a in e.args:
                la = self.lead(a)
                if la is None:
                    return None
                out = out.times(la)
            return out
        if isinstance(e, sp.Pow):
            base, ex = e.args
            if ex.has(t):
                return self.lead(sp.exp(ex * sp.log(base)))
            lb = self.lead(base)
            if lb is None:
                if ex.is_positive:
                    return None
                raise _Undecided
            return lb.power(ex)
        if isinstance(e, sp.exp):
            return self._exp(e.args[0])
        if isinstance(e, sp.log):
            return self._log(e.args[0])
        if isinstance(e, sp.erfc):
            return self._erfc(e.args[0])
        if isinstance(e, (sp.Abs, sp.sign)):
            lh = self.lead(e.args[0])
            if lh is None:
                return None
            s = _sign(lh.c)
            return Lead(sp.S(s)) if isinstance(e, sp.sign) else Lead(s * lh.c, lh.p, lh.q, lh.g)
        if isinstance(e, tuple(_ODD)):
            return self._odd(e)
        raise _Undecided

    def _add(self, e: sp.Add) -> Lead | None:
        const, terms = [], []
        for a in e.args:
            (terms if a.has(self.t) else const).append(a)
        leads = [la for la in (self.lead(a) for a in terms) if la is not None]
        k = sp.Add(*const)
        unknown = k != 0 and k.is_zero is None  # e.g. μ: it matters only if nothing beats a constant
        if k != 0 and not unknown:
            leads.append(Lead(k))
        best: list[Lead] = []
        for la in leads:
            order = _compare(la, best[0]) if best else 1
            if order > 0:
                best = [la]
            elif order == 0:
                best.append(la)
        if not best:
            if unknown:
                raise _Undecided
            return None
        if unknown and best[0].growth <= 0:
            raise _Undecided
        c = sp.Add(*(la.c for la in best))
        if c.is_zero is None:
            c = sp.simplify(c)
        if c.is_zero is False:
            return Lead(c, best[0].p, best[0].q, best[0].g)
        # leading terms cancel: over one denominator the numerator may cancel exactly (SiLU(t) − t is
        # −t·e^{−t}/(1 + e^{−t})); otherwise SymPy's Gruntz takes the next order
        num, den = sp.fraction(sp.together(e))
        num = sp.expand(num)
        if den == 1 and num == e:
            raise _Undecided
        ln = self.lead(num)
        if ln is None:
            return None
        ld = self.lead(den)
        if ld is None:
            raise _Undecided
        return ln.times(ld.power(sp.S.NegativeOne))

    def _poly(self, h: sp.Expr) -> tuple[sp.Expr, dict[sp.Expr, sp.Expr], sp.Expr]:
        """h = c0 + Σ gₖ tᵏ (k > 0) + rest."""
        t = self.t
        c0, g, rest = sp.S.Zero, {}, sp.S.Zero
        for term in sp.Add.make_args(sp.expand(h)):
            coeff, k = term.as_coeff_exponent(t)
            if coeff.has(t) or not k.is_number:
                rest += term
            elif k == 0:
                c0 += coeff
            elif k.is_positive:
                g[k] = g.get(k, sp.S.Zero) + coeff
            else:
                rest += term
        return c0, _nonzero(g), rest

    def _exp(self, h: sp.Expr) -> Lead:
        c0, g, rest = self._poly(h)
        if rest != 0:
            lr = self.lead(rest)
            if lr is not None:
                if lr.growth > 0:
                    raise _Undecided  # e^{non-polynomial growth} is outside the class
                if lr.growth == 0:
                    c0 += lr.c
        return Lead(sp.exp(c0), sp.S.Zero, sp.S.Zero, g)

    def _log(self, b: sp.Expr) -> Lead | None:
        if isinstance(b, sp.Pow) and not b.exp.has(self.t):
            inner = self.lead(b.base)
            if inner is None or _sign(inner.c) < 0:
                raise _Undecided
            lg = self._log(b.base)
            return None if lg is None else Lead(lg.c * b.exp, lg.p, lg.q, lg.g)
        lb = self.lead(b)
        if lb is None or _sign(lb.c) < 0:
            raise _Undecided
        top = _top(lb.g)
        if top:
            return Lead(top[1], top[0])
        if lb.p != 0:
            return Lead(lb.p, sp.S.Zero, sp.S.One)
        if lb.q != 0:
            raise _Undecided
        off = lb.c - 1
        if off.is_zero is None:
            raise _Undecided
        if not off.is_zero:
            return Lead(sp.log(lb.c))
        # b → 1: log(1 + u) ~ u
        lu = self.lead(sp.Add(b, -1))
        if lu is not None and lu.growth >= 0:
            raise _Undecided
        return lu

    def _erfc(self, h: sp.Expr) -> Lead:
        lh = self.lead(h)
        if lh is None or lh.growth < 0:
            return Lead(sp.S.One)
        if lh.growth == 0:
            return Lead(sp.erfc(lh.c))
        if _sign(lh.c) < 0:
            return Lead(sp.S(2))
        # erfc(h) ~ e^{-h²}/(√π h) for a polynomial h
        c0, g, rest = self._poly(h)
        if rest != 0:
            raise _Undecided
        k0, g2, rest2 = self._poly(-(h**2))
        if rest2 != 0:
            raise _Undecided
        return Lead(sp.exp(k0) / sp.sqrt(sp.pi), sp.S.Zero, sp.S.Zero, g2).times(lh.power(sp.S.NegativeOne))

    def _odd(self, e: sp.Expr) -> Lead | None:
        lh = self.lead(e.args[0])
        slope, at_inf = _ODD[type(e)]
        if lh is None:
            return None
        if lh.growth < 0:
            return Lead(slope * lh.c, lh.p, lh.q, lh.g)
        if lh.growth == 0:
            v = e.func(lh.c)
            if v.is_zero is not False:
                raise _Undecided
            return Lead(v)
        return Lead(_sign(lh.c) * at_inf)


# odd functions analytic at 0 with a finite limit at +∞: f(u) ~ f'(0)·u as u → 0
_ODD: dict[type, tuple[sp.Expr, sp.Expr]] = {
    sp.tanh: (sp.S.One, sp.S.One),
    sp.erf: (2 / sp.sqrt(sp.pi), sp.S.One),
    sp.atan: (sp.S.One, sp.pi / 2),
}


def limit_at_infinity(expr: sp.Expr, t: sp.Symbol) -> sp.Expr | None:
    """lim expr as t → +∞ (t a positive symbol) from leading terms, or None where they do not decide it."""
    walk = _Walk(t)
    try:
        lead = walk.lead(walk.prepare(expr))
        if lead is None:
            return sp.S.Zero
        growth = lead.growth
        if growth < 0:
            return sp.S.Zero
        if growth > 0:
            return _sign(lead.c) * sp.oo
        return lead.c
    except (_Undecided, TypeError, ValueError):
        return None
