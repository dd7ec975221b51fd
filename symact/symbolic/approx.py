r"""Approximation analysis: error expressions and series, located maximum errors, fitted constants.

An *approximation* here is any pair of expressions in :data:`symact.x` — GELU and its tanh form,
$\Phi$ and $\tfrac12(1 + \tanh(\sqrt{2/\pi}(x + \kappa x^3)))$, Swish and ReLU. Errors are
``approx - exact``. Numbers come from mpmath (30+ digits): extrema are found on a grid and then
refined by root-finding the error's derivative; constants are fitted by Taylor matching (closed
form), minimax (equioscillation, solved to ~20 digits) and least squares (∫ error² minimised by
root-finding its derivative in the constant).

Evaluation is plain mpmath at ``dps`` digits: maximum errors need absolute accuracy only, and the
tails, where the textbook forms cancel, hold errors far below any maximum studied here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import mpmath as mp
import sympy as sp

from ..errors import InvalidArgumentError, UndecidedError
from ..oracle import mp_function
from ..registry import Activation, get
from ..symbols import x
from .calculus import ActOrExpr, as_expr, series

REAL_LINE_WINDOW = 40
"""|x| beyond which 'on the real line' is not searched: every error studied here decays well before."""


@dataclass(frozen=True)
class Extremum:
    """A local extremum of the error: where, and the signed error there."""

    x: mp.mpf
    error: mp.mpf


@dataclass(frozen=True)
class MaxError:
    """The largest |error| on an interval, where it is reached, and every local extremum found."""

    value: mp.mpf
    at: mp.mpf
    interval: tuple[mp.mpf, mp.mpf]
    extrema: tuple[Extremum, ...]

    def equioscillation(self, rtol: float = 1e-6) -> list[Extremum]:
        """Extrema within ``rtol`` of the maximum magnitude, keeping only sign alternations."""
        top = [e for e in self.extrema if abs(e.error) >= self.value * (1 - rtol)]
        out: list[Extremum] = []
        for e in sorted(top, key=lambda e: e.x):
            if not out or mp.sign(e.error) != mp.sign(out[-1].error):
                out.append(e)
        return out


def error_expr(exact: ActOrExpr, approx: ActOrExpr, *, relative: bool = False) -> sp.Expr:
    """``approx - exact`` (or divided by ``exact`` when ``relative``), parameters kept symbolic."""
    e = as_expr(approx) - as_expr(exact)
    return e / as_expr(exact) if relative else e


def error_series(exact: ActOrExpr, approx: ActOrExpr, order: int = 8) -> sp.Expr:
    """Taylor polynomial of the error at 0, every term of degree < ``order``."""
    return series(error_expr(exact, approx), order)


def leading_error_term(exact: ActOrExpr, approx: ActOrExpr, *, max_order: int = 16) -> tuple[sp.Expr, int]:
    """(coefficient, power) of the first non-zero term of the error series at 0.

    For GELU-tanh − GELU it is the x⁴ term, ``sqrt(2)*(6*pi*kappa - 4 + pi)/(12*pi**(3/2))``.
    """
    poly = sp.Poly(error_series(exact, approx, max_order), x)
    for k in range(max_order):
        coeff = sp.factor(sp.simplify(poly.coeff_monomial(x**k)))
        if coeff != 0:
            return coeff, k
    raise UndecidedError(f"the error vanishes to order x^{max_order}: are the two expressions equal?")


# --- numeric error functions ----------------------------------------------------------------


def _mp_function(expr: sp.Expr, variables: Sequence[sp.Symbol]) -> Callable[..., Any]:
    free = expr.free_symbols - set(variables)
    if free:
        names = ", ".join(sorted(s.name for s in free))
        raise InvalidArgumentError(f"give values for {names} (params={{...}}) or fit them (param=...)")
    return mp_function(expr, variables, named=False)


def _interval(interval: Any) -> tuple[mp.mpf, mp.mpf]:
    if interval is None:
        return mp.mpf(-REAL_LINE_WINDOW), mp.mpf(REAL_LINE_WINDOW)
    try:
        lo, hi = (sp.sympify(v) for v in interval)
    except (TypeError, ValueError, sp.SympifyError) as exc:
        raise InvalidArgumentError(f"interval must be a pair (a, b) or None for the real line, got {interval!r}") \
            from exc
    lo = mp.mpf(-REAL_LINE_WINDOW) if lo == -sp.oo else mp.mpf(str(sp.N(lo, 40)))
    hi = mp.mpf(REAL_LINE_WINDOW) if hi == sp.oo else mp.mpf(str(sp.N(hi, 40)))
    if not lo < hi:
        raise InvalidArgumentError(f"interval must have a < b, got ({lo}, {hi})")
    return lo, hi


def _substitute(expr: sp.Expr, params: dict[Any, Any] | None) -> sp.Expr:
    if not params:
        return expr
    by_name = {s.name: s for s in expr.free_symbols}
    subs = {}
    for key, value in params.items():
        sym = key if isinstance(key, sp.Symbol) else by_name.get(key)
        if sym is None:
            raise InvalidArgumentError(f"the error has no symbol {key!r}; its symbols are {sorted(by_name)}")
        subs[sym] = sp.nsimplify(value) if isinstance(value, float) else sp.sympify(value)
    return expr.xreplace(subs)


def _max_error(err: Callable, derr: Callable, lo: mp.mpf, hi: mp.mpf, points: int) -> MaxError:
    xs = [lo + (hi - lo) * i / (points - 1) for i in range(points)]
    es = [err(t) for t in xs]
    extrema = [Extremum(xs[0], es[0]), Extremum(xs[-1], es[-1])]
    for i in range(1, points - 1):
        if abs(es[i]) >= abs(es[i - 1]) and abs(es[i]) >= abs(es[i + 1]) and es[i] != 0:
            extrema.append(_refine(err, derr, xs[i - 1], xs[i], xs[i + 1]))
    best = max(extrema, key=lambda e: abs(e.error))
    return MaxError(abs(best.error), best.x, (lo, hi), tuple(sorted(extrema, key=lambda e: e.x)))


def _refine(err: Callable, derr: Callable, a: mp.mpf, m: mp.mpf, b: mp.mpf) -> Extremum:
    """Root of the error's derivative in [a, b] (bisection-safe), else golden-section on |error|."""
    da, db = derr(a), derr(b)
    if mp.sign(da) * mp.sign(db) < 0:
        try:
            root = mp.findroot(derr, (a, b), solver="anderson")
            if a <= root <= b:
                candidate = Extremum(root, err(root))
                if abs(candidate.error) >= abs(err(m)):
                    return candidate
        except (ValueError, ZeroDivisionError):
            pass
    phi = (mp.sqrt(5) - 1) / 2
    for _ in range(200):  # golden-section fallback, for kinks where the derivative jumps
        c, d = b - phi * (b - a), a + phi * (b - a)
        if abs(err(c)) > abs(err(d)):  # noqa: SIM108
            b = d
        else:
            a = c
        if b - a < mp.mpf(2) ** (-mp.mp.prec + 8):
            break
    t = (a + b) / 2
    return Extremum(t, err(t))


def max_error(exact: ActOrExpr, approx: ActOrExpr, interval: Any = None, *, relative: bool = False,
              params: dict[Any, Any] | None = None, points: int = 801, dps: int = 30) -> MaxError:
    """The maximum |approx − exact| (or relative error) on ``interval`` (None: the real line), located.

    Local maxima of |error| on a grid are refined by root-finding the error's derivative, so the
    argmax is exact to the working precision, not to the grid spacing. ``params`` gives values for
    symbols such as ``kappa``; parameters of a registered activation not given take their defaults
    (``max_error("gelu", "gelu_tanh")`` uses κ = 0.044715). The real line is searched on [−40, 40].
    """
    expr = _substitute(error_expr(exact, approx, relative=relative), params)
    defaults: dict[sp.Symbol, sp.Expr] = {}
    for obj in (exact, approx):
        if isinstance(obj, (str, Activation)):
            defaults.update(get(obj).defaults)
    expr = expr.xreplace({s: v for s, v in defaults.items() if s in expr.free_symbols})
    lo, hi = _interval(interval)
    err = _mp_function(expr, [x])
    derr = _mp_function(sp.diff(expr, x), [x])
    with mp.workdps(dps):
        return _max_error(err, derr, lo, hi, points)


# --- fitted constants ----------------------------------------------------------------------------


def taylor_constant(exact: ActOrExpr, approx: ActOrExpr, param: sp.Symbol, *, max_order: int = 16) -> sp.Expr:
    """The value of ``param`` that cancels the lowest-order error term depending on it (closed form).

    GELU-tanh: kappa = (4 − π)/(6π); GELU-sigmoid: alpha = sqrt(8/π).
    """
    poly = sp.Poly(error_series(exact, approx, max_order), x)
    for k in range(max_order):
        coeff = sp.simplify(poly.coeff_monomial(x**k))
        if coeff.has(param):
            roots = [r for r in sp.solve(coeff, param) if r.is_real is not False and r.is_positive is not False]
            if len(roots) != 1:
                raise UndecidedError(f"the x^{k} error coefficient {coeff} has roots {roots} in {param}")
            return sp.simplify(roots[0])
        if coeff != 0:
            raise UndecidedError(f"the x^{k} error term {coeff} does not depend on {param}: no Taylor match")
    raise UndecidedError(f"no error term up to x^{max_order} depends on {param}")


@dataclass(frozen=True)
class Fit:
    """A fitted constant and the maximum error it gives."""

    method: str
    value: mp.mpf
    max_error: MaxError


def minimax_constant(exact: ActOrExpr, approx: ActOrExpr, param: sp.Symbol, bracket: tuple[Any, Any],
                     interval: Any = None, *, relative: bool = False, points: int = 401, dps: int = 30) -> Fit:
    """The ``param`` in ``bracket`` minimising the maximum |error| on ``interval`` (None: the real line).

    A golden-section search narrows the bracket; then the equioscillation condition — the largest
    positive and largest negative error have equal magnitude — is solved by root-finding, which
    pins the constant to ~20 digits. The result's ``max_error.equioscillation()`` lists the points.
    Results are cached.
    """
    expr = error_expr(exact, approx, relative=relative)
    return _minimax(expr, param, tuple(bracket), None if interval is None else tuple(interval), points, dps)


@lru_cache(maxsize=64)
def _minimax(expr: sp.Expr, param: sp.Symbol, bracket: tuple[Any, Any], interval: Any, points: int,
             dps: int) -> Fit:
    err2 = _mp_function(expr, [x, param])
    derr2 = _mp_function(sp.diff(expr, x), [x, param])
    lo, hi = _interval(interval)

    with mp.workdps(dps):
        def at(p: mp.mpf) -> MaxError:
            return _max_error(lambda t: err2(t, p), lambda t: derr2(t, p), lo, hi, points)

        a, b = (mp.mpf(str(sp.N(v, 40))) for v in bracket)
        phi = (mp.sqrt(5) - 1) / 2
        c, d = b - phi * (b - a), a + phi * (b - a)
        fc, fd = at(c).value, at(d).value
        for _ in range(40):
            if fc < fd:
                b, d, fd = d, c, fc
                c = b - phi * (b - a)
                fc = at(c).value
            else:
                a, c, fc = c, d, fd
                d = a + phi * (b - a)
                fd = at(d).value

        # At the optimum two extrema that move in opposite directions with the constant have equal
        # magnitude (by symmetry several may share each magnitude). Track both and solve |e_A| = |e_B|.
        best = (a + b) / 2
        found = at(best)
        ranked = sorted(found.extrema, key=lambda e: -abs(e.error))
        h = (b - a) * 4

        def tracked(x0: mp.mpf) -> Callable[[mp.mpf], mp.mpf]:
            def magnitude(p: mp.mpf) -> mp.mpf:
                t = mp.findroot(lambda s: derr2(s, p), x0)
                return abs(err2(t, p))
            return magnitude

        top = tracked(ranked[0].x)
        slope_top = top(best + h) - top(best - h)
        for other in ranked[1:]:
            if abs(other.error) < found.value * (1 - mp.mpf(10) ** -4) or other.x in (lo, hi):
                continue
            mag = tracked(other.x)
            if mp.sign(mag(best + h) - mag(best - h)) == mp.sign(slope_top):
                continue
            try:
                root = mp.findroot(lambda p, m=mag: top(p) - m(p), (best - h, best + h), solver="secant")
            except (ValueError, ZeroDivisionError):
                continue
            if abs(root - best) <= 4 * h and at(root).value <= found.value * (1 + mp.mpf(10) ** -12):
                best = root
            break
        return Fit("minimax", best, at(best))


def least_squares_constant(exact: ActOrExpr, approx: ActOrExpr, param: sp.Symbol, start: Any,
                           interval: Any = None, *, dps: int = 30) -> Fit:
    """The ``param`` minimising ∫ error² dx on ``interval`` (None: the whole real line).

    Solves d/dparam ∫ error² = 2 ∫ error · ∂error/∂param = 0 with mpmath quadrature.
    """
    expr = error_expr(exact, approx)
    err2 = _mp_function(expr, [x, param])
    derr_p = _mp_function(sp.diff(expr, param), [x, param])
    derr_x = _mp_function(sp.diff(expr, x), [x, param])
    with mp.workdps(dps):
        if interval is None:
            nodes = [-mp.inf, -3, 0, 3, mp.inf]
        else:
            lo, hi = _interval(interval)
            nodes = [lo, (lo + hi) / 2, hi]

        def gradient(p: mp.mpf) -> mp.mpf:
            return mp.quad(lambda t: err2(t, p) * derr_p(t, p), nodes)

        value = mp.findroot(gradient, mp.mpf(str(sp.N(start, 40))), solver="secant")
        lo, hi = _interval(interval)
        found = _max_error(lambda t: err2(t, value), lambda t: derr_x(t, value), lo, hi, 801)
        return Fit("least squares", value, found)


__all__ = [
    "Extremum", "Fit", "MaxError", "error_expr", "error_series", "leading_error_term", "least_squares_constant",
    "max_error", "minimax_constant", "taylor_constant",
]
