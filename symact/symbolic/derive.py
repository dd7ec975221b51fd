"""A kernel author's sheet for a formula: forward and derivatives in closed form, their stable lowered forms,
and where every numeric constant of the derivatives comes from (0.1070322243 = 3·0.044715·√2/√π).

SymPy folds ``3*0.044715`` into one number the moment both are numbers, so the formula is parsed with its
decimal literals as symbols (:func:`symact.symbolic.formula.parse` with ``literals=``): the derivatives keep
``3*c_2*sqrt(2)/sqrt(pi)``, each constant is read off there, and only then are the values put back.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..lowering import lower
from ..symbols import x
from .calculus import derivative
from .formula import parse


@dataclass(frozen=True)
class Constant:
    """A numeric constant of a derivative and its exact origin in the formula's literals."""

    value: float
    origin: str
    exact: sp.Expr
    where: str
    """"chain rule: d/dx of tanh's argument" or "f'" / "f''" (a coefficient of the expanded derivative)."""


@dataclass(frozen=True)
class Sheet:
    formula: str
    forms: tuple[sp.Expr, sp.Expr, sp.Expr]
    """f, f', f'' with the literals' values (exact rationals)."""
    lowered: tuple[sp.Expr, sp.Expr, sp.Expr]
    constants: tuple[Constant, ...]


def _constants(expr: sp.Expr, values: dict[sp.Symbol, sp.Rational]) -> list[sp.Expr]:
    """Every x-free factor of a product in ``expr`` (expanded) that is not a plain rational: the origins."""
    expanded = sp.expand(expr, deep=True, power_exp=False, log=False)
    found: dict[sp.Expr, None] = {}
    for node in sp.preorder_traversal(expanded):
        if not (node.is_Mul and node.has(x)):
            continue
        coeff, _ = node.as_independent(x, as_Add=False)
        if coeff.free_symbols - set(values) or coeff.is_Rational:
            continue
        found.setdefault(abs(coeff), None)
    return list(found)


def _chain_factors(expr: sp.Expr) -> list[tuple[str, sp.Expr]]:
    """(function name, d/dx of its argument) for every function applied to something in x other than x:
    the chain-rule factors a hand-written backward pass hard-codes (√(2/π)(1 + 3κx²) in GELU-tanh')."""
    out = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Function) and node.args and node.args[0].has(x) and node.args[0] != x:
            out.append((type(node).__name__, sp.diff(node.args[0], x)))
    return out


def derive(formula: str) -> Sheet:
    """The sheet for ``formula`` (a string of the formula grammar, in x)."""
    literals: dict[sp.Symbol, sp.Rational] = {}
    symbolic = parse(formula, literals=literals)
    orders = (symbolic, derivative(symbolic), derivative(symbolic, 2))
    forms = tuple(e.xreplace(literals) for e in orders)
    names = {s: sp.Symbol(_decimal(v)) for s, v in literals.items()}
    found: list[tuple[sp.Expr, str]] = []
    for fname, inner in _chain_factors(symbolic):
        terms = sp.Add.make_args(sp.expand(inner, deep=True, power_exp=False, log=False))
        coefficients = [abs(t.as_independent(x, as_Add=False)[0]) for t in terms]
        found += [(o, f"chain rule: d/dx of {fname}'s argument") for o in coefficients if not o.is_Rational]
    for label, e in (("f'", orders[1]), ("f''", orders[2])):
        found += [(o, f"{label} (expanded)") for o in _constants(e, literals)]
    unique: dict[str, Constant] = {}
    for origin, where in found:
        exact = origin.xreplace(literals)
        text = sp.sstr(origin.xreplace(names))
        if exact.is_number and exact.is_finite and exact != 0 and text not in unique:
            unique[text] = Constant(float(exact), text, exact, where)
    return Sheet(formula.strip(), forms, tuple(lower(f) for f in forms),  # type: ignore[arg-type]
                 tuple(sorted(unique.values(), key=lambda c: c.value)))


def _decimal(value: sp.Rational) -> str:
    text = f"{float(value):.15g}"
    return text if sp.Rational(text) == value else sp.sstr(value)


__all__ = ["Constant", "Sheet", "derive"]
