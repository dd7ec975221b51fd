"""Lowering to array code: NumPy functions (via :mod:`symact.lowering`) and mpmath functions.

``sympy.lambdify(expr, "numpy")`` maps ``erf`` to ``math.erf``, which fails on arrays, and
evaluates the textbook formula with all its cancellations. :func:`lambdify` evaluates the lowered
expression with SciPy's vectorised special functions instead, on arrays of any shape.
"""

from __future__ import annotations

import inspect
from collections import ChainMap
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import mpmath
import numpy as np
import scipy.special as sc
import sympy as sp

from .calculus import ActOrExpr, as_expr, derivative
from .errors import InvalidArgumentError, MissingParameterError, UnknownParameterError
from .functions import to_elementary
from .lowering import lower
from .registry import Activation, check_value, get
from .symbols import x


def _softplus(z: np.ndarray) -> np.ndarray:
    return np.logaddexp(0, z)


NUMPY_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "expit": sc.expit,
    "erfc_stable": sc.erfc,
    "erf": sc.erf,
    "log1p": np.log1p,
    "expm1": np.expm1,
    "softplus_stable": _softplus,
    "maximum": np.maximum,
    "minimum": np.minimum,
}
"""Name printed in a lowered expression → array function. Extend per call with ``functions=``."""


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
            from .registry import Param  # a throwaway Param gives the same checks as registered ones

            subs[by_name[key]] = check_value(Param(key, by_name[key], sp.S.Zero, sp.Reals), value)
        expr = expr.xreplace(subs)
    expr = derivative(expr, order) if order else expr
    missing = sorted(s.name for s in expr.free_symbols if s != x)
    if missing:
        example = ", ".join(f"{m}=1.0" for m in missing)
        raise MissingParameterError(f"give a numeric value for {', '.join(missing)}, e.g. lambdify(..., {example})")
    return expr


class NumericFunction:
    """An array function lowered from a SymPy expression.

    Call it on any array-like of real numbers: the result has the input's shape, float32 stays
    float32, other real input becomes float64. ``expr`` is the symbolic source, ``lowered`` the
    stable form that is evaluated, ``source`` the generated Python code.
    """

    def __init__(self, expr: sp.Expr, lowered: sp.Expr, func: Callable[[np.ndarray], Any]) -> None:
        self.expr = expr
        self.lowered = lowered
        self._func = func

    @property
    def source(self) -> str:
        return inspect.getsource(self._func)

    def __call__(self, values: Any) -> Any:
        arr = np.asarray(values)
        if arr.dtype.kind not in "fiub":
            raise InvalidArgumentError(
                f"expected real numbers (a float, list or NumPy array), got {type(values).__name__} "
                f"of dtype {arr.dtype}"
            )
        if arr.dtype not in (np.float32, np.float64):
            arr = arr.astype(np.float64)
        # numpy.select evaluates every Piecewise branch everywhere; an overflow in a branch that
        # is not selected (ELU's exp(x) for large x) is not an error of the result.
        with np.errstate(over="ignore", under="ignore"):
            out = np.asarray(self._func(arr), dtype=arr.dtype)
        if out.shape != arr.shape:
            out = np.broadcast_to(out, arr.shape).copy()
        return out if arr.ndim else out[()]

    def __repr__(self) -> str:
        return f"<NumericFunction {self.expr}>"


def lambdify(obj: ActOrExpr, *, derivative: int = 0, lowering: bool = True,
             functions: Mapping[str, Callable[..., Any]] | None = None, **params: Any) -> NumericFunction:
    """A NumPy function of ``x`` for an activation (or expression) or its ``derivative``-th derivative.

    >>> import numpy as np, symact
    >>> f = symact.lambdify("gelu")
    >>> f(np.array([[-1.0, 0.0], [1.0, 2.0]])).shape
    (2, 2)

    ``lowering=False`` evaluates the textbook formula as written (for comparisons);
    ``functions`` adds or overrides entries of :data:`NUMPY_FUNCTIONS`.
    """
    expr = resolve(obj, derivative, params)
    table = ChainMap(dict(functions or {}), NUMPY_FUNCTIONS)
    return _lambdify(expr, lowering, tuple(sorted(table.items(), key=lambda kv: kv[0])))


@lru_cache(maxsize=512)
def _lambdify(expr: sp.Expr, lowering: bool, table: tuple[tuple[str, Any], ...]) -> NumericFunction:
    lowered = lower(expr, stable=lowering)
    func = sp.lambdify(x, lowered, modules=[dict(table), "scipy", "numpy"], cse=True)
    return NumericFunction(expr, lowered, func)


def exact_value(func: Callable[[Any], Any], value: Any, *, maxprec: int = 1 << 14) -> Any:
    """``func(value)`` correct to the current ``mpmath.mp.prec``, whatever cancellation ``func`` has.

    Evaluates at increasing working precision until two precisions agree; an exact zero is not
    trusted (``1 + erf(-14)`` is exactly 0 at 40 digits) until ``maxprec`` bits also give zero.
    """
    target = mpmath.mp.prec
    prec, previous = target + 32, None
    while True:
        with mpmath.workprec(prec):
            current = func(mpmath.mpf(value))
        agree = previous is not None and current != 0 and (
            abs(current - previous) <= abs(current) * mpmath.mpf(2) ** (-target - 8))
        if agree or prec >= maxprec:
            return +current  # unary plus rounds to the caller's precision
        previous, prec = current, prec * 2


def to_mpmath(obj: ActOrExpr, derivative: int = 0, **params: Any) -> Callable[[Any], Any]:
    """An mpmath function of the expression (or its derivative), exact to ``mpmath.mp.prec`` bits.

    The textbook form is evaluated (named functions expanded) with :func:`exact_value`, so its
    cancellations cost precision, never accuracy.
    """
    expr = to_elementary(resolve(obj, derivative, params))
    f = sp.lambdify(x, expr, modules="mpmath")
    return lambda value: exact_value(f, value)


__all__ = ["NUMPY_FUNCTIONS", "NumericFunction", "exact_value", "lambdify", "resolve", "to_mpmath"]
