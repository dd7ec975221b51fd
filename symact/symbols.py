"""Canonical symbols with the assumptions that make SymPy's calculus work.

Every registered definition is written in these symbols, so expressions from different
definitions combine without clashing symbols of the same name but other assumptions.
"""

from __future__ import annotations

import sympy as sp

from .errors import InvalidArgumentError

x = sp.Symbol("x", real=True)
"""The activation's argument (a real pre-activation)."""

beta = sp.Symbol("beta", positive=True)
"""Swish / softplus sharpness."""

kappa = sp.Symbol("kappa", positive=True)
"""Cubic coefficient of the tanh approximation of GELU (0.044715 in the paper)."""

alpha = sp.Symbol("alpha", positive=True)
"""ELU / SELU negative saturation, or the slope of GELU's sigmoid approximation."""

lam = sp.Symbol("lambda", positive=True)
"""SELU's output scale."""

def normalise(expr: sp.Expr) -> sp.Expr:
    """Every symbol named ``x`` (``sympy.Symbol("x")``, any assumptions) becomes :data:`symact.x`, so that
    an expression built with plain SymPy is not constant in symact's variable. Other symbols stay: they are
    parameters. Symbols named like symact's variable but written differently (``X``) are left alone."""
    foreign = {s: x for s in expr.free_symbols if isinstance(s, sp.Symbol) and s.name == x.name and s != x}
    expr = expr.xreplace(foreign) if foreign else expr
    seen: dict[str, sp.Symbol] = {}
    for s in sorted(expr.free_symbols, key=sp.default_sort_key):
        if s.name in seen:
            raise InvalidArgumentError(
                f"the expression has two different symbols named {s.name!r} (assumptions "
                f"{seen[s.name].assumptions0} and {s.assumptions0}): build it with one of them")
        seen[s.name] = s
    return expr


__all__ = ["alpha", "beta", "kappa", "lam", "normalise", "x"]
