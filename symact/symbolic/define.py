"""Your own activations from a formula: :func:`define` (Python), :func:`load_definitions` (a TOML file), and
:func:`from_formula` (an unnamed definition, for ``symact show "x*sigma(1.5*x)"``).

A defined entry is an ordinary :class:`~symact.registry.Activation` in the registry, so every surface treats
it like a built-in one: derivatives, limits, series, LaTeX, lowering, ``lambdify``, ``check``, ``plot``,
``export``, the catalog and ``symact accuracy``.
"""

from __future__ import annotations

import math
import numbers
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import sympy as sp

from ..blocks.model import BLOCKS, is_block
from ..errors import InvalidArgumentError, SymactError
from ..registry import ALIASES, REGISTRY, Activation, Param, check_value, register
from ..symbols import normalise, x
from .formula import parse

USER_DEFINED: set[str] = set()
"""Names registered by :func:`define` (only these may be defined again or removed)."""

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _params(params: Mapping[str, Any] | None) -> dict[str, Param]:
    out: dict[str, Param] = {}
    for key, value in (params or {}).items():
        if not isinstance(key, str) or not key.isidentifier() or key == "x":
            raise InvalidArgumentError(f"parameter names are identifiers other than x, got {key!r}")
        if isinstance(value, Param):
            out[key] = value
            continue
        if isinstance(value, bool) or not isinstance(value, (numbers.Real, sp.Expr, str)):
            raise InvalidArgumentError(f"parameter {key!r}: give a default number (e.g. {key}=1.5) or a "
                                       f"symact.Param, got {value!r}")
        symbol = sp.Symbol(key, real=True)
        probe = Param(key, symbol, sp.S.Zero, sp.Reals)
        if isinstance(value, str) or (isinstance(value, float) and math.isfinite(value)):
            try:  # a decimal means exactly what it says (1.5 = 3/2), as in formulas
                value = sp.Rational(value if isinstance(value, str) else repr(value))
            except (TypeError, ValueError):
                raise InvalidArgumentError(f"parameter {key!r}: {value!r} is not a number") from None
        out[key] = Param(key, symbol, check_value(probe, value), sp.Reals, "")
    return out


def _expression(formula: str | sp.Expr, params: dict[str, Param]) -> sp.Expr:
    if isinstance(formula, str):
        return parse(formula, symbols={k: p.symbol for k, p in params.items()})
    if isinstance(formula, sp.Expr):
        expr = normalise(formula)
        by_name = {p.name: p.symbol for p in params.values()}
        return expr.xreplace({s: by_name[s.name] for s in expr.free_symbols if s.name in by_name})
    raise InvalidArgumentError(f"a formula is a string such as 'x*sigma(1.5*x)' or a SymPy expression, got {formula!r}")


def _check_free(expr: sp.Expr, params: dict[str, Param], label: str) -> None:
    allowed = {x} | {p.symbol for p in params.values()}
    loose = sorted(s.name for s in expr.free_symbols - allowed)
    if loose:
        example = ", ".join(f"'{n}': 1.0" for n in loose)
        raise InvalidArgumentError(f"{label}: {', '.join(loose)} has no value: give params={{{example}}}")
    if x not in expr.free_symbols:
        raise InvalidArgumentError(f"{label}: the formula does not use x, the activation's argument")


def define(name: str, formula: str | sp.Expr, params: Mapping[str, Any] | None = None, latex: str | None = None,
           references: Iterable[str] = (), *, replace: bool = True) -> Activation:
    """Register an activation ``name(x) = formula`` and return it.

    >>> define("my_swish", "x*sigma(a*x)", params={"a": 1.5}).default_expr
    x*sigma(3*x/2)

    ``formula``: a string in the formula grammar (:mod:`symact.symbolic.formula`: registered activations,
    Φ, φ, σ, ``Piecewise``, ``where``, ``min``, ``max``, ``clamp``, ``^`` …), or a SymPy expression in ``x``.
    ``params``: name → default number (domain ℝ) or a :class:`~symact.Param`. ``latex``: the name's LaTeX
    (default ``\\operatorname{name}``). Names of built-in activations and blocks are refused; a name you defined
    before is replaced (``replace=False`` refuses that too).
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidArgumentError(f"a definition's name is lower-case snake_case (e.g. my_gelu), got {name!r}")
    builtin = (name in REGISTRY or name in ALIASES) and name not in USER_DEFINED
    if builtin or name in BLOCKS or is_block(name):
        raise InvalidArgumentError(f"{name!r} is a built-in activation or block: choose another name (e.g. my_{name})")
    if name in USER_DEFINED and not replace:
        raise InvalidArgumentError(f"{name!r} is already defined (pass replace=True to redefine it)")
    parameters = _params(params)
    expr = _expression(formula, parameters)
    _check_free(expr, parameters, name)
    if latex is not None and not isinstance(latex, str):
        raise InvalidArgumentError(f"latex is a string such as r'\\operatorname{{MyAct}}', got {latex!r}")
    text = formula if isinstance(formula, str) else sp.sstr(formula)
    escaped = name.replace("_", "\\_")
    act = Activation(name=name, expr=expr, latex_name=latex or rf"\operatorname{{{escaped}}}",
                     formula=text, parameters=tuple(parameters.values()),
                     references=tuple(str(r) for r in references), notes="defined by the user")
    register(act, replace_existing=name in USER_DEFINED)
    USER_DEFINED.add(name)
    return act


def undefine(name: str) -> None:
    """Remove a definition made with :func:`define`."""
    if name not in USER_DEFINED:
        raise InvalidArgumentError(f"{name!r} was not defined with symact.define")
    act = REGISTRY.pop(name)
    for alias in act.aliases:
        ALIASES.pop(alias, None)
    USER_DEFINED.discard(name)


def from_formula(formula: str, name: str = "f") -> Activation:
    """An unregistered definition of a formula in x alone (``symact show "x*sigma(1.5*x)"``)."""
    expr = parse(formula)
    _check_free(expr, {}, repr(formula))
    return Activation(name=name, expr=expr, latex_name=r"f", formula=formula.strip())


def load_definitions(path: str | Path) -> list[Activation]:
    """Define every ``[[activation]]`` table of a TOML file (``name``, ``formula``, optional ``params``
    such as ``{a = 1.5}``, ``latex``, ``references``); errors name the file and, for syntax, the line."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidArgumentError(f"cannot read definitions file {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidArgumentError(f"definitions file {path}: {exc}") from None
    tables = data.get("activation", [])
    unknown = sorted(set(data) - {"activation"})
    if unknown or not isinstance(tables, list):
        raise InvalidArgumentError(f"definitions file {path}: only [[activation]] tables are read, found {unknown}")
    out = []
    for i, table in enumerate(tables, 1):
        extra = sorted(set(table) - {"name", "formula", "params", "latex", "references"})
        if extra or "name" not in table or "formula" not in table:
            raise InvalidArgumentError(f"definitions file {path}, activation #{i}: needs name and formula "
                                       f"(optional params, latex, references); unknown keys {extra}")
        try:
            out.append(define(table["name"], table["formula"], table.get("params"), table.get("latex"),
                              table.get("references", ())))
        except SymactError as exc:
            raise InvalidArgumentError(f"definitions file {path}, activation {table.get('name')!r}: {exc}") from None
    return out


__all__ = ["USER_DEFINED", "define", "from_formula", "load_definitions", "undefine"]
