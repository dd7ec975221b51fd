"""SymPy expressions evaluated in Arb ball arithmetic: an enclosure of the image of an interval, guaranteed.

Monotone primitives (exp, log, erf, erfc, tanh, Φ, σ, softplus, sqrt) are evaluated at the interval's two ends
and joined, which keeps enclosures tight; sums, products and powers use Arb's ball operations; a Piecewise takes
the branch its condition certainly selects, else the union of the candidates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from fractions import Fraction
from functools import lru_cache
from typing import Any

import sympy as sp
from flint import arb, ctx

from ..errors import InvalidArgumentError
from ..functions import Phi, phi, sigma, softplus
from ..symbols import x

PREC = 256
"""Working precision of the enclosures, in bits (Arb keeps each ball's radius rigorous at any precision)."""

Ball = Any  # flint.arb


class OutOfReach(InvalidArgumentError):
    """An expression holds a function the enclosures do not know (the message names it)."""


def interval(lo: Any, hi: Any) -> Ball:
    """The ball containing [lo, hi] (exact ends: floats, ints, Fractions, strings or arbs)."""
    a, b = _exact(lo), _exact(hi)
    return a.union(b)


def _exact(v: Any) -> Ball:
    if isinstance(v, arb):
        return v
    if isinstance(v, Fraction):
        return arb(v.numerator) / arb(v.denominator)
    return arb(v)


def ends(ball: Ball) -> tuple[Ball, Ball]:
    """The exact lower and upper ends of a ball, as point balls."""
    return ball.lower(), ball.upper()


def _monotone(f: Callable[[Ball], Ball]) -> Callable[[Ball], Ball]:
    """f on a ball, for f monotone (either way): the union of its values at the two ends."""
    def g(z: Ball) -> Ball:
        if z.rad() == 0:
            return f(z)
        lo, hi = ends(z)
        return f(lo).union(f(hi))
    return g


def _sigma(z: Ball) -> Ball:
    return 1 / (1 + (-z).exp())


def _softplus(z: Ball) -> Ball:
    # log(1 + e^z) = max(z, 0) + log1p(e^-|z|): no overflow of e^z for large z
    if z > 0:
        return z + ((-z).exp()).log1p()
    return z.exp().log1p()


def _phi_cdf(z: Ball) -> Ball:
    return (-z / arb(2).sqrt()).erfc() / 2


def _phi_pdf(z: Ball) -> Ball:
    return (-(z * z) / 2).exp() / (2 * arb.pi()).sqrt()


_UNARY: dict[Any, Callable[[Ball], Ball]] = {
    sp.exp: _monotone(lambda z: z.exp()),
    sp.log: _monotone(lambda z: z.log()),
    sp.erf: _monotone(lambda z: z.erf()),
    sp.erfc: _monotone(lambda z: z.erfc()),
    sp.tanh: _monotone(lambda z: z.tanh()),
    sp.atan: _monotone(lambda z: z.atan()),
    sp.asinh: _monotone(lambda z: z.asinh()),
    Phi: _monotone(_phi_cdf),
    sigma: _monotone(_sigma),
    softplus: _monotone(_softplus),
    phi: lambda z: _phi_pdf(z),
    sp.Abs: lambda z: abs(z),
    sp.LambertW: _monotone(lambda z: z.lambertw()),  # the principal branch, increasing on [−1/e, ∞)
}


def _number(e: sp.Expr) -> Ball:
    if e.is_Integer:
        return arb(int(e))
    if e.is_Rational:
        return arb(int(e.p)) / arb(int(e.q))
    if e.is_Float:
        r = sp.Rational(e)  # the Float's exact binary value
        return arb(int(r.p)) / arb(int(r.q))
    if e is sp.pi:
        return arb.pi()
    if e is sp.E:
        return arb(1).exp()
    value = sp.N(e, 80)
    unknown = isinstance(e, sp.Function) and (type(e) not in _UNARY or len(e.args) != 1)
    # a constant SymPy can evaluate (sqrt(2), log(2) …): built from its parts
    if value.is_real and value.is_Float and not unknown:
        return _compile(e)(arb(0))
    raise OutOfReach(f"cannot enclose the constant {e}")


def _compile(e: sp.Expr) -> Callable[[Ball], Ball]:
    if e == x:
        return lambda v: v
    if e.is_Number or e in (sp.pi, sp.E):
        c = _number(e)
        return lambda v: c
    if isinstance(e, sp.Add):
        parts = [_compile(a) for a in e.args]
        return lambda v: sum((p(v) for p in parts[1:]), parts[0](v))
    if isinstance(e, sp.Mul):
        parts = [_compile(a) for a in e.args]

        def product(v: Ball) -> Ball:
            out = parts[0](v)
            for p in parts[1:]:
                out = out * p(v)
            return out
        return product
    if isinstance(e, sp.Pow):
        base, power = _compile(e.base), e.exp
        if power.is_Integer:
            n = int(power)
            if n % 2 == 0 and n > 0:  # an even power of a ball that straddles 0 starts at 0
                return lambda v: abs(base(v)) ** n
            return lambda v: base(v) ** n
        if power == sp.Rational(1, 2):
            return lambda v: _monotone(lambda z: z.sqrt())(base(v))
        if power == sp.Rational(-1, 2):
            return lambda v: 1 / _monotone(lambda z: z.sqrt())(base(v))
        exponent = _compile(power)
        return lambda v: (base(v).log() * exponent(v)).exp()
    if isinstance(e, sp.Piecewise):
        return _piecewise(e)
    if isinstance(e, (sp.Max, sp.Min)):
        parts = [_compile(a) for a in e.args]
        pick = max if isinstance(e, sp.Max) else min

        def extreme(v: Ball) -> Ball:
            balls = [p(v) for p in parts]
            lo = pick(b.lower() for b in balls)
            hi = pick(b.upper() for b in balls)
            return lo.union(hi)
        return extreme
    if isinstance(e, sp.Function) and type(e) in _UNARY and len(e.args) == 1:
        f, inner = _UNARY[type(e)], _compile(e.args[0])
        return lambda v: f(inner(v))
    if e.is_number:
        c = _number(e)
        return lambda v: c
    raise OutOfReach(f"cannot enclose {type(e).__name__} ({e}): certified bounds know +, ×, powers, exp, log, "
                     "erf, erfc, tanh, Φ, φ, σ, softplus, |·|, max, min and Piecewise")


def _condition(c: Any) -> Callable[[Ball], bool | None]:
    """True / False where the condition certainly holds / fails on the whole ball; None where it depends."""
    if c is sp.true:
        return lambda v: True
    if c is sp.false:
        return lambda v: False
    if isinstance(c, (sp.And, sp.Or)):
        parts = [_condition(a) for a in c.args]
        # And: False decides, all True makes True; Or: the other way round
        decisive = isinstance(c, sp.Or)

        def combined(v: Ball) -> bool | None:
            got = [p(v) for p in parts]
            if decisive in got:
                return decisive
            return (not decisive) if all(g is (not decisive) for g in got) else None
        return combined
    if isinstance(c, (sp.StrictGreaterThan, sp.GreaterThan, sp.StrictLessThan, sp.LessThan)):
        diff = _compile(c.lhs - c.rhs)
        strict = isinstance(c, (sp.StrictGreaterThan, sp.StrictLessThan))
        sign = 1 if isinstance(c, (sp.StrictGreaterThan, sp.GreaterThan)) else -1

        def rel(v: Ball) -> bool | None:
            d = diff(v) * sign
            if (d > 0) if strict else (d >= 0):
                return True
            if (d <= 0) if strict else (d < 0):
                return False
            return None
        return rel
    raise OutOfReach(f"cannot decide the condition {c}")


def _piecewise(e: sp.Piecewise) -> Callable[[Ball], Ball]:
    branches = [(_compile(b), _condition(c)) for b, c in e.args]

    def value(v: Ball) -> Ball:
        out = None
        for f, cond in branches:
            decided = cond(v)
            if decided is False:
                continue
            got = f(v)
            out = got if out is None else out.union(got)
            if decided is True:
                return out
        if out is None:
            raise OutOfReach(f"no branch of {e} applies")
        return out
    return value


@lru_cache(maxsize=256)
def enclosure(expr: sp.Expr) -> Callable[[Ball], Ball]:
    """A function of a ball giving a ball that contains the image of ``expr`` (a function of symact's x)."""
    free = expr.free_symbols - {x}
    if free:
        raise InvalidArgumentError(f"certified bounds need numbers for {', '.join(sorted(map(str, free)))}")
    with working_precision():  # constants are computed while compiling: at the working precision too
        f = _compile(expr)

    def evaluate(v: Ball, prec: int = PREC) -> Ball:
        with working_precision(prec):
            return f(v)
    return evaluate


@contextmanager
def working_precision(prec: int = PREC) -> Iterator[None]:
    """Arb's global precision set to ``prec`` bits for the block, and restored after it."""
    old = ctx.prec
    ctx.prec = prec
    try:
        yield
    finally:
        ctx.prec = old


__all__ = ["PREC", "OutOfReach", "enclosure", "ends", "interval", "working_precision"]
