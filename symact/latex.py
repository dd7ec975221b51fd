r"""LaTeX printing with conventional notation: $\operatorname{GELU}$, $\Phi$, $\varphi$, $\sigma$.

The named functions print themselves (see :mod:`symact.functions`); this module adds the
left-hand side (the activation's name, primes for derivatives) and fixes printer settings, so the
output is deterministic for a given expression.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from .errors import InvalidArgumentError
from .registry import LATEX_PRINTER, Activation, get
from .symbolic.calculus import derivative as _derivative

SETTINGS: dict[str, Any] = {"ln_notation": False, "mul_symbol": None, "inv_trig_style": "abbreviated"}
"""Printer settings shared by every LaTeX string symact emits."""


def expression(expr: sp.Expr) -> str:
    """LaTeX of a SymPy expression with symact's settings."""
    return sp.latex(expr, **SETTINGS)


def lhs(act: Activation, order: int = 0, arg: str = "x") -> str:
    r"""``\operatorname{GELU}(x)``, ``{\operatorname{GELU}}'(x)``, ``{\operatorname{GELU}}^{(3)}(x)``."""
    if order == 0:
        return f"{act.latex_name}\\left({arg}\\right)"
    mark = "'" * order if order <= 2 else f"^{{({order})}}"
    return f"{{{act.latex_name}}}{mark}\\left({arg}\\right)"


def interval_text(domain: sp.Set) -> str:
    """A parameter's domain as people write it: (0, ∞), [0, ∞), ℝ (SymPy prints Interval.open(0, oo))."""
    if domain == sp.Reals:
        return "ℝ"
    if isinstance(domain, sp.Interval):
        def end(v: sp.Expr) -> str:
            return "∞" if v == sp.oo else "−∞" if v == -sp.oo else sp.sstr(v)
        left = "(" if domain.left_open or domain.inf == -sp.oo else "["
        right = ")" if domain.right_open or domain.sup == sp.oo else "]"
        return f"{left}{end(domain.inf)}, {end(domain.sup)}{right}"
    return sp.pretty(domain, use_unicode=True)


def latex(obj: Activation | str | sp.Expr, derivative: int = 0) -> str:
    r"""LaTeX of a definition (``name(x) = formula``) or of an expression; ``derivative=n`` for the n-th.

    >>> latex("gelu")
    '\\operatorname{GELU}\\left(x\\right) = x \\Phi\\left(x\\right)'
    """
    if isinstance(obj, (Activation, str)):
        act = get(obj)
        return f"{lhs(act, derivative)} = {expression(_derivative(act, derivative) if derivative else act.expr)}"
    if isinstance(obj, sp.Basic):
        return expression(_derivative(obj, derivative) if derivative else obj)
    raise InvalidArgumentError(f"latex() takes an activation, its name or a SymPy expression, got {obj!r}")


LATEX_PRINTER[:] = [latex]

__all__ = ["SETTINGS", "expression", "interval_text", "latex", "lhs"]
