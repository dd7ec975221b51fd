"""Derivatives, limits, asymptotes and series — pure functions of a definition or an expression.

Every function accepts a registered :class:`~symact.registry.Activation`, its name, or any SymPy
expression in :data:`symact.x`. Results are cached, so repeated questions cost nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import mpmath
import sympy as sp

from ..budget import budgeted
from ..errors import (
    InvalidArgumentError,
    MissingParameterError,
    NotAnalyticError,
    SymactError,
    UndecidedError,
    UnknownParameterError,
)
from ..functions import to_elementary
from ..oracle import mp_function
from ..registry import Activation, Param, check_value, get
from ..symbols import normalise, x
from .asymptotic import limit_at_infinity
from .taylor import Unsupported, taylor

ActOrExpr = Activation | str | sp.Expr

_T = sp.Dummy("t", positive=True)  # stands for |var| when var is sent to +-oo
_P = sp.Dummy("p", positive=True)  # stands for |x| when a parameter limit is split on the sign of x


def as_expr(obj: Any) -> sp.Expr:
    """The SymPy expression behind an activation, a registered name, or an expression.

    Foreign symbols are normalised (:func:`normalise`): ``sympy.Symbol("x")``, with any assumptions, is
    symact's variable :data:`symact.x`."""
    if isinstance(obj, Activation):
        return obj.expr
    if isinstance(obj, str):
        return get(obj).expr
    if isinstance(obj, sp.Basic) and not isinstance(obj, sp.Expr):
        raise InvalidArgumentError(f"expected a SymPy expression, got {type(obj).__name__}: {obj}")
    if isinstance(obj, (sp.Expr, int, float)) and not isinstance(obj, bool):
        return normalise(sp.sympify(obj))
    raise InvalidArgumentError(
        f"expected an activation, its name (see symact.names()) or a SymPy expression, got {obj!r}"
    )


def _as_symbol(wrt: Any, expr: sp.Expr | None = None) -> sp.Symbol:
    """The variable: x by default; a symbol named like one of ``expr``'s is that one (a plain
    ``Symbol("beta")`` means the expression's β whatever its assumptions)."""
    if wrt is None:
        return x
    if isinstance(wrt, sp.Symbol):
        if wrt.name == x.name:
            return x
        same = [s for s in (expr.free_symbols if expr is not None else ()) if getattr(s, "name", None) == wrt.name]
        return same[0] if len(same) == 1 else wrt
    raise InvalidArgumentError(f"wrt must be a SymPy symbol such as symact.x or symact.symbols.beta, got {wrt!r}")


def tidy(expr: sp.Expr) -> sp.Expr:
    """Cheap, deterministic tidying: pull out common factors without expanding named functions.

    ``simplify`` would rewrite σ and Φ into exponentials and costs seconds on tanh-GELU''.
    """
    return sp.factor_terms(expr)


@budgeted("derivative")
def derivative(obj: ActOrExpr, order: int = 1, wrt: sp.Symbol | None = None) -> sp.Expr:
    r"""The ``order``-th derivative in closed form, named functions kept.

    GELU' comes out as $\Phi(x) + x\varphi(x)$, σ' as $\sigma(1-\sigma)$, softplus' as σ.
    Piecewise definitions give piecewise derivatives (one-sided at the kinks, as the branches say).
    """
    if isinstance(order, bool) or not isinstance(order, int) or order < 0:
        raise InvalidArgumentError(f"order must be a non-negative integer, got {order!r}")
    expr = as_expr(obj)
    return _derivative(expr, order, _as_symbol(wrt, expr))


@lru_cache(maxsize=1024)
def _derivative(expr: sp.Expr, order: int, wrt: sp.Symbol) -> sp.Expr:
    out = expr
    for _ in range(order):
        out = tidy(sp.piecewise_fold(sp.diff(out, wrt)))
    return out


def toward_infinity(expr: sp.Expr, var: sp.Symbol, sign: int) -> tuple[sp.Expr, sp.Symbol]:
    """``expr`` with ``var`` = ±t, t > 0 tending to +∞, beyond its last breakpoint: (the expression, t)."""
    # sympy.limit trips over Piecewise (hard-sigmoid's x >= 3 branch) and Min/Max with a constant (a
    # clamp), so first pick the branch that holds beyond the last breakpoint; substituting var = +-t
    # with t > 0 then settles sign-dependent terms.
    expr = _as_branches(expr)
    if expr.has(sp.Piecewise):
        far = max((abs(p) for p in _breakpoints(expr, var) if p.is_number), default=sp.S.Zero) + 1
        expr = _select_branches(expr, sign * far, var)
    return expr.xreplace({var: sign * _T}), _T


def _limit_at_infinity(expr: sp.Expr, var: sp.Symbol, sign: int) -> sp.Expr:
    expr_t, _ = toward_infinity(expr, var, sign)
    fast = limit_at_infinity(expr_t, _T)  # leading terms: milliseconds where Gruntz takes 0.1-0.7 s
    return fast if fast is not None else gruntz_at_infinity(expr_t)


def gruntz_at_infinity(expr_t: sp.Expr) -> sp.Expr:
    """SymPy's limit as t -> +oo, checked against the expression at large t and retried once simplified."""
    result = sp.limit(expr_t, _T, sp.oo)
    if _plausible(expr_t, result):
        return result
    # SymPy 1.14 gets some limits wrong (GELU-sigmoid' -> 0 at +oo, though it tends to 1); the
    # simplified expression usually goes through a different, correct path.
    retry = sp.limit(sp.simplify(expr_t), _T, sp.oo)
    if _plausible(expr_t, retry):
        return retry
    raise UndecidedError(f"SymPy's limit of {expr_t} (x = ±t) as t -> oo ({result}) disagrees with numerical "
                         "evaluation at large arguments")


def _plausible(expr_t: sp.Expr, result: sp.Expr) -> bool:
    """Does ``expr_t`` at t = 1e6, 1e8 (other symbols at sample values) look like tending to ``result``?

    A numerical cross-check of SymPy's answer; inconclusive evaluations count as plausible.
    """
    others = sorted(expr_t.free_symbols - {_T}, key=lambda s: s.name)
    for sample in (sp.Rational(7, 10), sp.Rational(19, 10)):
        subs = {s: sample for s in others}
        try:
            f = mp_function(expr_t.xreplace(subs), (_T,), named=False)
            target = result.xreplace(subs)
            with mpmath.workdps(40):
                near, far = f(mpmath.mpf(10) ** 6), f(mpmath.mpf(10) ** 8)
        except (TypeError, ValueError, ZeroDivisionError, OverflowError, AttributeError, NameError):
            continue
        if not (isinstance(far, mpmath.mpf) and isinstance(near, mpmath.mpf)):
            continue
        if target in (sp.oo, -sp.oo):
            if mpmath.sign(far) != (1 if target == sp.oo else -1) or abs(far) < abs(near) * (1 - 1e-9):
                return False
        elif target.is_number and target.is_finite:
            if abs(far - mpmath.mpf(str(sp.N(target, 30)))) > 1e-3 * (1 + abs(far)):
                return False
    return True


@budgeted("limit")
def limit(obj: ActOrExpr, point: Any, wrt: sp.Symbol | None = None, dir: str = "+-") -> sp.Expr:
    """The limit as ``wrt`` (default ``x``) tends to ``point`` (``sympy.oo``, ``-sympy.oo`` or a number).

    For a parameter limit (``wrt=beta``) whose answer depends on the sign of ``x``, the result is a
    ``Piecewise`` in ``x``: Swish as beta -> oo gives ``Piecewise((x, x > 0), (0, True))``, i.e. ReLU.
    ``dir`` is ``"+"``, ``"-"`` or ``"+-"`` (two-sided) for a finite point.
    """
    expr = as_expr(obj)
    var = _as_symbol(wrt, expr)
    try:
        point = sp.sympify(point, strict=True)
    except (sp.SympifyError, TypeError) as exc:
        raise InvalidArgumentError(f"point must be a number or +-sympy.oo, got {point!r}") from exc
    if dir not in ("+", "-", "+-"):
        raise InvalidArgumentError(f"dir must be '+', '-' or '+-', got {dir!r}")
    return _limit(expr, point, var, dir)


@lru_cache(maxsize=1024)
def _limit(expr: sp.Expr, point: sp.Expr, var: sp.Symbol, dir: str) -> sp.Expr:
    expr = to_elementary(expr)
    if var != x and x in expr.free_symbols:
        return _limit_split_on_sign(expr, point, var, dir)
    try:
        if point in (sp.oo, -sp.oo):
            result = _limit_at_infinity(expr, var, 1 if point == sp.oo else -1)
        else:
            result = sp.limit(expr, var, point, dir)
    except (NotImplementedError, ValueError, TypeError) as exc:  # SymPy's internals fail in all three ways
        raise UndecidedError(f"SymPy cannot compute the limit of {expr} as {var} -> {point}: {exc}") from exc
    if isinstance(result, sp.Limit) or result.has(sp.AccumBounds):
        raise UndecidedError(f"SymPy cannot decide the limit of {expr} as {var} -> {point} (got {result})")
    if result.has(sp.oo, -sp.oo) and not result.is_number:
        return result  # simplify turns oo*sign(exp(-p) - 1) into nan
    if result.has(sp.nan):
        raise UndecidedError(f"SymPy gives an undefined limit of {expr} as {var} -> {point}")
    return result if sp.count_ops(result) <= 1 else sp.simplify(result)  # -alpha, 1/2: nothing to simplify


def _settle_signs(e: sp.Expr) -> sp.Expr:
    """sign(a(p)) → ±1 where a keeps one sign for every p > 0 (SymPy leaves ∞·sign(e^{−p} − 1), which is −∞)."""
    def settle(node: sp.Expr) -> sp.Expr:
        a = node.args[0]
        if a.free_symbols != {_P}:
            return node
        for value, relation in ((1, a > 0), (-1, a < 0)):
            try:
                if sp.solveset(relation, _P, sp.Interval.open(0, sp.oo)) == sp.Interval.open(0, sp.oo):
                    return sp.Integer(value)
            except (NotImplementedError, ValueError, TypeError):
                return node
        return node

    return e.replace(lambda n: isinstance(n, sp.sign), settle) if e.has(sp.sign) else e


def _limit_split_on_sign(expr: sp.Expr, point: sp.Expr, var: sp.Symbol, dir: str) -> sp.Expr:
    # sympy.limit(x*sigmoid(beta*x), beta, oo) fails for x of unknown sign: decide x > 0, x < 0, x = 0.
    pos = _settle_signs(_limit(expr.xreplace({x: _P}), point, var, dir)).xreplace({_P: x})
    neg = _settle_signs(_limit(expr.xreplace({x: -_P}), point, var, dir)).xreplace({_P: -x})
    zero = _limit(expr.xreplace({x: sp.S.Zero}), point, var, dir) if expr.xreplace({x: 0}).free_symbols & {var} \
        else sp.simplify(expr.xreplace({x: sp.S.Zero}))
    if sp.simplify(pos - neg) == 0 and sp.simplify(pos.xreplace({x: 0}) - zero) == 0:
        return pos
    if sp.simplify(neg.xreplace({x: 0}) - zero) == 0:
        return sp.Piecewise((pos, x > 0), (neg, True))
    if sp.simplify(pos.xreplace({x: 0}) - zero) == 0:
        return sp.Piecewise((neg, x < 0), (pos, True))
    return sp.Piecewise((pos, x > 0), (neg, x < 0), (zero, True))


@budgeted("asymptote")
def asymptote(obj: ActOrExpr, point: Any = sp.oo) -> sp.Expr:
    """The asymptote as x -> ``point`` (+-oo): ``a*x + b`` (oblique), a constant, ``c*x**k``, or ``c*|x|**k``
    for sublinear growth (√softplus: √|x|).

    GELU: ``x`` at +oo and ``0`` at -oo. For growth faster than linear the leading power ``c*x**k``.
    """
    point = sp.sympify(point)
    if point not in (sp.oo, -sp.oo):
        raise InvalidArgumentError(f"asymptote() takes point=sympy.oo or -sympy.oo, got {point}")
    return _asymptote(as_expr(obj), point)


@lru_cache(maxsize=256)
def _asymptote(expr: sp.Expr, point: sp.Expr) -> sp.Expr:
    slope = _limit(expr / x, point, x, "+-")
    if slope == 0:
        level = _limit(expr, point, x, "+-")
        if level.is_finite:
            return level
        # sublinear growth (√softplus ~ √x): the leading power c·|x|^k with 0 < k < 1
        for k in (sp.S.Half, sp.Rational(1, 3), sp.Rational(2, 3), sp.Rational(1, 4), sp.Rational(3, 4)):
            coeff = _limit(expr / sp.Abs(x) ** k, point, x, "+-")
            if coeff.is_finite and coeff != 0:
                return coeff * sp.Abs(x) ** k
        raise UndecidedError(f"{expr} grows to {level} slower than x but not like x^k (k = 1/4 … 3/4) as x -> {point}")
    if slope.is_finite:
        return slope * x + _limit(expr - slope * x, point, x, "+-")
    for k in range(2, 9):
        coeff = _limit(expr / x**k, point, x, "+-")
        if coeff.is_finite and coeff != 0:
            return coeff * x**k
    raise UndecidedError(f"{expr} grows faster than any power up to x^8 as x -> {point}")


def breakpoints(obj: ActOrExpr) -> list[sp.Expr]:
    """Sorted x-values where a Piecewise definition switches branch (its possible kinks)."""
    return _breakpoints(as_expr(obj), x)


def _as_branches(expr: sp.Expr) -> sp.Expr:
    """Min/Max (a clamp) as Piecewise, so that limits, series and breakpoints pick branches the same way."""
    return sp.piecewise_fold(expr.rewrite(sp.Piecewise)) if expr.has(sp.Min, sp.Max) else expr


def _breakpoints(expr: sp.Expr, var: sp.Symbol) -> list[sp.Expr]:
    expr = _as_branches(expr)
    points: set[sp.Expr] = set()
    for pw in expr.atoms(sp.Piecewise):
        for _, cond in pw.args:
            for rel in cond.atoms(sp.core.relational.Relational):
                if var in rel.free_symbols:
                    points.update(sp.solve(sp.Eq(rel.lhs, rel.rhs), var))
    return sorted(points, key=lambda p: float(p) if p.is_number else 0.0)


def _same_function(a: sp.Expr, b: sp.Expr) -> bool:
    """Whether two branches are one formula written two ways (squareplus's x/2 + √(x² + b)/2 and its stable
    b/(2√(x² + b) − 2x)): then a switch between them is no kink. Rationalising decides these cheaply."""
    diff = sp.radsimp(sp.together(a - b))
    return bool(diff == 0 or sp.cancel(diff) == 0)


def _select_branches(expr: sp.Expr, at: sp.Expr, var: sp.Symbol = x) -> sp.Expr:
    """Replace each Piecewise by the branch that holds on a neighbourhood of ``var = at``."""
    if not expr.has(sp.Piecewise):
        return expr
    eps = sp.Rational(1, 10**30)

    def branch(pw: sp.Piecewise) -> sp.Expr:
        chosen = []
        for point in (at - eps, at, at + eps):
            for e, c in pw.args:
                truth = c.xreplace({var: point})
                if truth == sp.true:
                    chosen.append(e)
                    break
                if truth != sp.false:
                    raise UndecidedError(f"cannot decide the branch condition {c} at x = {point}")
        if len(set(chosen)) != 1 and not all(_same_function(chosen[0], e) for e in chosen[1:]):
            raise NotAnalyticError(
                f"the definition switches branch at {var} = {at} (a kink); ask for a series at another point"
            )
        return chosen[0]

    return expr.replace(lambda e: isinstance(e, sp.Piecewise), branch)


MAX_SERIES_ORDER = 30
"""The highest series order :func:`series` computes: at 0 power-series arithmetic takes Mish to order 20 in
0.1 s, but what falls back to SymPy's series (at another point, asinh, ...) can take minutes at order 20."""


@budgeted("series")
def series(obj: ActOrExpr, order: int = 6, at: Any = 0, *, with_order_term: bool = False) -> sp.Expr:
    """Taylor polynomial about ``at`` with every term of degree < ``order`` (SymPy's convention).

    Coefficients are simplified (``tanh(log 2)`` becomes ``3/5``). ``with_order_term=True`` appends
    ``O((x - at)**order)``. A kink at ``at`` (ReLU at 0) raises :class:`~symact.errors.NotAnalyticError`.
    """
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise InvalidArgumentError(f"order must be a positive integer, got {order!r}")
    if order > MAX_SERIES_ORDER:
        raise InvalidArgumentError(f"order {order} is above the cap of {MAX_SERIES_ORDER} (higher orders take minutes "
                                   "to hours in SymPy): call sympy.series(symact.to_elementary(expr), x, 0, n) "
                                   "yourself for more terms")
    try:
        at = sp.sympify(at, strict=True)
    except (sp.SympifyError, TypeError) as exc:
        raise InvalidArgumentError(f"at must be a finite real number, got {at!r}") from exc
    if not (at.is_number and at.is_finite and at.is_real):
        raise InvalidArgumentError(f"at must be a finite real number, got {at}")
    poly = _series(as_expr(obj), order, at)
    return poly + sp.O((x - at) ** order, (x, at)) if with_order_term else poly


@lru_cache(maxsize=512)
def _series(expr: sp.Expr, order: int, at: sp.Expr) -> sp.Expr:
    expr = _as_branches(expr)
    if expr.has(sp.Abs, sp.sign, sp.Heaviside):  # a user's |x|: SymPy's series would silently expand x > 0's side
        expr = sp.piecewise_fold(expr.rewrite(sp.Piecewise))
    expr = to_elementary(_select_branches(expr, at))
    if at == 0:
        try:  # power-series arithmetic: 0.1 s where SymPy's series takes 16 s (Mish to x²⁰)
            coeffs = taylor(expr, order)
        except Unsupported:
            pass
        else:
            return sp.Add(*(_simplify_constant(c) * x**k for k, c in enumerate(coeffs)))
    try:
        raw = sp.series(expr, x, at, order).removeO()
    except (NotImplementedError, ValueError, TypeError) as exc:  # SymPy's series fails in all three ways
        raise UndecidedError(f"SymPy cannot expand {expr} in a series at x = {at}: {exc}") from exc
    shifted = sp.expand(raw.xreplace({x: x + at})) if at != 0 else sp.expand(raw)
    try:
        poly = sp.Poly(shifted, x)
    except sp.PolynomialError:
        raise NotAnalyticError(f"{expr} is not analytic at x = {at}: its expansion {raw} is not a polynomial (a "
                               "pole, a logarithm or a fractional power); ask for a series at another point") from None
    terms = []
    for (power,), coeff in sorted(poly.terms()):
        coeff = _simplify_constant(coeff)
        if coeff != 0:
            terms.append(coeff * (x - at) ** power)
    return sp.Add(*terms)


_SIMPLIFY_OPS = 40  # above this many operations sp.simplify takes minutes (√softplus's x¹⁹ coefficient)


@lru_cache(maxsize=4096)  # entries share coefficients (GELU capped at 10 is GELU at 0)
def _simplify_constant(c: sp.Expr) -> sp.Expr:
    """A series coefficient in its shortest form among simplify's (small ones only) and factor's."""
    if c.is_Rational:
        return c
    if c.has(sp.tanh, sp.sinh, sp.cosh):  # hyperbolic functions of logs (tanh(log 2) in Mish) collapse as exp
        c = sp.expand(c.rewrite(sp.exp))
    # exp of a fraction is opaque here: SymPy's polynomials read exp(p/q) as exp(1/q)**p, and factor then
    # builds a polynomial of degree p (5·10¹¹ for the Laplace GELU at its default μ, σ) and never returns
    opaque = {a: sp.Dummy() for a in c.atoms(sp.exp) if a.args[0].is_Rational}
    back = {d: a for a, d in opaque.items()}
    c = c.xreplace(opaque)
    forms = [sp.simplify(c)] if sp.count_ops(c) <= _SIMPLIFY_OPS else []
    forms.append(sp.factor(c))
    # simplify merges 36·log 2 into log(68719476736): unreadable, so such a form loses
    readable = [f for f in forms if not any(a.is_Integer and a > 1000 for g in f.atoms(sp.log) for a in g.args)]
    return min(readable or forms, key=sp.count_ops).xreplace(back)


@budgeted("equivalence")
def equivalent(a: ActOrExpr, b: ActOrExpr) -> bool:
    """True when ``a - b`` simplifies to 0 symbolically (named functions expanded; Piecewise folded)."""
    diff = sp.piecewise_fold(to_elementary(as_expr(a) - as_expr(b)))
    if isinstance(diff, sp.Piecewise):
        return all(_is_zero(e) for e, _ in diff.args)
    return _is_zero(diff)


def _is_zero(e: sp.Expr) -> bool:
    if e == 0:
        return True
    for step in (sp.expand, sp.simplify, lambda z: sp.simplify(z.rewrite(sp.exp))):
        if step(e) == 0:
            return True
    return False


# --- symbolic preparation for the numeric layer -----------------------------------------------


def resolve(obj: ActOrExpr, order: int = 0, params: Mapping[str, Any] | None = None) -> sp.Expr:
    """The expression (or its ``order``-th derivative) with every parameter replaced by a number.

    Activations take their defaults for parameters not given; raw expressions must get a value
    for every symbol other than ``x``.
    """
    params = dict(params or {})
    if isinstance(obj, (Activation, str)):
        act = get(obj)
        expr = act.expr.xreplace(act.values(params, use_defaults=True))
    else:
        expr = as_expr(obj)
        by_name = {s.name: s for s in expr.free_symbols if s != x}
        subs = {}
        for key, value in params.items():
            if key not in by_name:
                raise UnknownParameterError(
                    f"the expression has no symbol {key!r}; its symbols are {sorted(by_name) or 'none but x'}"
                )
            # a throwaway Param gives the same checks as registered ones
            subs[by_name[key]] = check_value(Param(key, by_name[key], sp.S.Zero, sp.Reals), value)
        expr = expr.xreplace(subs)
    expr = derivative(expr, order) if order else expr
    loose = sorted((s for s in expr.free_symbols if s != x), key=lambda s: s.name)
    if loose:
        example = ", ".join(f"{s.name}=1.0" for s in loose)
        raise MissingParameterError(f"give a numeric value for {', '.join(s.name for s in loose)}, e.g. "
                                    f"lambdify(..., {example}){_registered_origin(expr, loose)}")
    return expr


def _registered_origin(expr: sp.Expr, loose: list[sp.Symbol]) -> str:
    """", or lambdify('softplus', derivative=1), which takes beta's default" when ``expr`` is a registered
    definition's derivative written with its parameter symbols."""
    from ..registry import REGISTRY

    for act in REGISTRY.values():
        if not set(loose) <= {p.symbol for p in act.parameters}:
            continue
        for k in range(4):
            if _derivative(act.expr, k, x) == expr:
                defaults = ", ".join(f"{p.name} = {p.default}" for p in act.parameters if p.symbol in loose)
                call = f"lambdify('{act.name}'" + (f", derivative={k})" if k else ")")
                return f", or {call}, which takes the default {defaults}"
    return ""


@lru_cache(maxsize=512)
def limits_at_infinity(expr: sp.Expr) -> tuple[float, float]:
    """(limit at -oo, limit at +oo) as floats; NaN where SymPy finds no real or infinite limit."""
    out = []
    for point in (-sp.oo, sp.oo):
        try:
            value = limit(expr, point)
            out.append(float(value) if value.is_number and value.is_extended_real else float("nan"))
        except (SymactError, TypeError, ValueError):
            out.append(float("nan"))
    return out[0], out[1]


@lru_cache(maxsize=512)
def asymptotes(expr: sp.Expr) -> tuple[sp.Expr | None, sp.Expr | None]:
    """The asymptotes at -oo and +oo (None where SymPy cannot find one): where direct evaluation
    overflows into inf·0 (|x| ≥ 1e8), every registered function equals its asymptote to double precision."""
    out: list[sp.Expr | None] = []
    for point in (-sp.oo, sp.oo):
        try:
            out.append(asymptote(expr, point))
        except SymactError:
            out.append(None)
    return out[0], out[1]


__all__ = ["MAX_SERIES_ORDER", "as_expr", "asymptote", "asymptotes", "breakpoints", "derivative", "equivalent", "limit",
           "limits_at_infinity", "normalise", "resolve", "series", "tidy"]
