"""The one mpmath evaluator: every check, table and accuracy measurement evaluates expressions here.

Two ways to evaluate, one function each:

* :func:`mp_function` — plain mpmath at the current precision. ``named=True`` (the default) evaluates
  Φ, φ, σ and softplus with mpmath's own ``ncdf``/``npdf``/``log1p`` (:data:`MP_NAMED`), so that the
  oracle itself does not cancel; ``named=False`` first writes them in elementary form (erf, exp, log),
  as the textbook does. Lowered functions (:mod:`symact.lowering.ir`) are evaluated by their meaning.
* :func:`exact` / :func:`exact_value` — correct to the current ``mpmath.mp.prec`` bits whatever the
  expression cancels: evaluated at rising working precision until two precisions agree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import mpmath as mp
import sympy as sp

from .functions import Phi, phi, sigma, softplus, to_elementary
from .lowering.ir import meaning
from .symbols import x


def _ncdf(z: mp.mpf) -> mp.mpf:
    # mpmath's erfc overflows a float inside for |z| beyond ~1e150; the asymptotic series is exact
    # to ~1/z^6 relative there, far below an ulp.
    if abs(z) < 10**8:
        return mp.ncdf(z)
    tail = mp.npdf(z) / abs(z) * (1 - 1 / z**2 + 3 / z**4)
    return 1 - tail if z > 0 else tail


MP_NAMED: dict[str, Callable[[Any], Any]] = {
    Phi.__name__: _ncdf, phi.__name__: mp.npdf,
    sigma.__name__: lambda z: 1 / (1 + mp.exp(-z)), softplus.__name__: lambda z: mp.log1p(mp.exp(z)),
}
"""Named function → its mpmath evaluation without cancellation."""


def _complement(term: sp.Expr) -> sp.Expr | None:
    """``a`` where ``term`` is ``−σ(a)``, else None."""
    negated = -term
    return negated.args[0] if isinstance(negated, sigma) else None


def _uncancelled(expr: sp.Expr) -> sp.Expr:
    """``expr`` with 1 − σ(a) written σ(−a) and log σ(a) written −softplus(−a): identities whose left sides
    cancel to an exact 0 for large a at every precision, which :func:`exact_value` then escalates to ``maxprec``
    (0.5 s a point at a = 1e308) before returning 0 for e^{−a}."""

    def one_minus_sigma(e: sp.Expr) -> bool:
        return e.is_Add and sp.S.One in e.args and any(_complement(t) is not None for t in e.args)

    def rewrite(e: sp.Expr) -> sp.Expr:
        terms = list(e.args)
        i = next(i for i, t in enumerate(terms) if _complement(t) is not None)
        a = _complement(terms.pop(i))
        terms.remove(sp.S.One)
        return sp.Add(sigma(-a), *terms)

    expr = expr.replace(one_minus_sigma, rewrite)
    return expr.replace(lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sigma),
                        lambda e: -softplus(-e.args[0].args[0]))


def mp_function(expr: sp.Expr, variables: Sequence[sp.Symbol] = (x,), *, named: bool = True) -> Callable[..., Any]:
    """``expr`` as a plain mpmath function of ``variables`` (at the caller's precision)."""
    expr = meaning(sp.sympify(expr))
    if named:
        return sp.lambdify(tuple(variables), _uncancelled(expr), modules=[MP_NAMED, "mpmath"])
    return sp.lambdify(tuple(variables), to_elementary(expr), modules="mpmath")


def exact_value(func: Callable[[Any], Any], value: Any, *, maxprec: int = 1 << 14) -> Any:
    """``func(value)`` correct to the current ``mpmath.mp.prec``, whatever cancellation ``func`` has.

    Evaluates at increasing working precision until two precisions agree; an exact zero is not
    trusted (``1 + erf(-14)`` is exactly 0 at 40 digits) until ``maxprec`` bits also give zero.
    """
    target = mp.mp.prec
    prec, previous = target + 32, None
    while True:
        with mp.workprec(prec):
            current = func(mp.mpf(value))
        agree = previous is not None and current != 0 and (
            abs(current - previous) <= abs(current) * mp.mpf(2) ** (-target - 8))
        if agree or prec >= maxprec:
            return +current  # unary plus rounds to the caller's precision
        previous, prec = current, prec * 2


def exact(expr: sp.Expr, *, named: bool = True) -> Callable[[Any], Any]:
    """An mpmath function of x giving ``expr``'s value correct to the current precision."""
    f = mp_function(expr, named=named)
    return lambda value: exact_value(f, value)


__all__ = ["MP_NAMED", "exact", "exact_value", "mp_function"]
