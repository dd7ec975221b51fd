"""The registry: one frozen :class:`Activation` per definition, looked up by name or alias.

Adding an activation is one :func:`register` call in ``activations.py``; every test parametrised
over :func:`names` then covers it.
"""

from __future__ import annotations

import difflib
import math
import numbers
from dataclasses import dataclass, field, replace
from typing import Any

import sympy as sp

from .errors import InvalidArgumentError, InvalidParameterError, UnknownActivationError, UnknownParameterError
from .symbols import x


@dataclass(frozen=True)
class Param:
    """A parameter of a definition: its SymPy symbol (with assumptions), default and domain."""

    name: str
    symbol: sp.Symbol
    default: sp.Expr
    domain: sp.Set = sp.Interval.open(0, sp.oo)
    doc: str = ""


@dataclass(frozen=True)
class Activation:
    """One activation function, defined symbolically in the canonical symbol :data:`symact.x`.

    ``expr`` keeps the parameters as symbols; :meth:`__call__` substitutes values and
    :attr:`default_expr` has every parameter at its default.
    """

    name: str
    expr: sp.Expr
    latex_name: str
    formula: str
    parameters: tuple[Param, ...] = ()
    aliases: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    notes: str = ""
    fixed: tuple[tuple[str, sp.Expr], ...] = field(default=(), compare=False)
    """Parameters fixed by a specialisation (SiLU is Swish with beta=1), for display."""

    @property
    def params(self) -> dict[str, Param]:
        """Parameter name → :class:`Param` (symbol, default, domain)."""
        return {p.name: p for p in self.parameters}

    @property
    def defaults(self) -> dict[sp.Symbol, sp.Expr]:
        """Symbol → default value, ready for ``expr.subs``."""
        return {p.symbol: p.default for p in self.parameters}

    @property
    def default_expr(self) -> sp.Expr:
        """The expression with every parameter at its default."""
        return self.expr.xreplace(self.defaults)

    def values(self, values: dict[str, Any], *, use_defaults: bool) -> dict[sp.Symbol, sp.Expr]:
        """Validate ``name → value`` and return ``symbol → value`` (with defaults if asked)."""
        params = self.params
        out: dict[sp.Symbol, sp.Expr] = dict(self.defaults) if use_defaults else {}
        for key, value in values.items():
            if key not in params:
                raise UnknownParameterError(_unknown_param_message(self, key))
            out[params[key].symbol] = check_value(params[key], value, activation=self.name)
        return out

    def __call__(self, arg: Any = x, **param_values: Any) -> sp.Expr:
        """The definition applied to ``arg``; parameters not given stay symbolic.

        >>> get("swish")(x, beta=0)
        x/2
        """
        try:
            arg = sp.sympify(arg, strict=True)
        except (sp.SympifyError, TypeError) as exc:
            raise InvalidArgumentError(
                f"{self.name}(): the argument must be a number or a SymPy expression, got {arg!r}"
            ) from exc
        subs = self.values(param_values, use_defaults=False)
        return self.expr.xreplace(subs).xreplace({x: arg}) if subs else self.expr.xreplace({x: arg})

    def specialise(self, name: str, *, latex_name: str, formula: str, aliases: tuple[str, ...] = (),
                   references: tuple[str, ...] | None = None, notes: str = "",
                   **param_values: Any) -> Activation:
        """A new definition with some parameters fixed (SiLU = Swish with beta=1)."""
        subs = self.values(param_values, use_defaults=False)
        fixed_names = set(param_values)
        return Activation(
            name=name,
            expr=self.expr.xreplace(subs),
            latex_name=latex_name,
            formula=formula,
            parameters=tuple(p for p in self.parameters if p.name not in fixed_names),
            aliases=aliases,
            references=self.references if references is None else references,
            notes=notes,
            fixed=tuple((k, subs[self.params[k].symbol]) for k in sorted(fixed_names)),
        )

    def with_defaults(self, **param_values: Any) -> Activation:
        """A copy whose defaults are replaced by the given values (parameters stay symbolic)."""
        subs = self.values(param_values, use_defaults=False)
        params = tuple(replace(p, default=subs.get(p.symbol, p.default)) for p in self.parameters)
        return replace(self, parameters=params)

    def _repr_latex_(self) -> str | None:
        # symact.latex (which builds on the registry) installs the printer: no import upwards
        return f"$\\displaystyle {LATEX_PRINTER[0](self)}$" if LATEX_PRINTER else None

    def __repr__(self) -> str:
        return f"<Activation {self.name}: {self.formula}>"


def check_value(param: Param, value: Any, *, activation: str = "") -> sp.Expr:
    """Return ``value`` as a SymPy number (or expression), or raise a message that names the fix."""
    where = f"{activation}: parameter {param.name!r}" if activation else f"parameter {param.name!r}"
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, sp.Expr)):
        raise InvalidParameterError(
            f"{where} must be a real number (e.g. {param.name}={param.default}), got {value!r} "
            f"of type {type(value).__name__}"
        )
    if isinstance(value, numbers.Real) and not isinstance(value, sp.Basic):
        if not math.isfinite(float(value)):
            raise InvalidParameterError(f"{where} must be finite, got {value!r}")
        value = sp.Rational(value) if isinstance(value, numbers.Rational) else sp.Float(value)
    value = sp.sympify(value)
    if value.free_symbols:
        return value  # symbolic values are allowed; numeric lowering checks them later
    if value.has(sp.nan, sp.zoo) or not value.is_finite or not value.is_extended_real:
        raise InvalidParameterError(f"{where} must be a finite real number, got {value}")
    if value not in param.domain:
        raise InvalidParameterError(f"{where} must lie in {param.domain}, got {value}")
    return value


QUALIFIED_RESOLVER: list[Any] = []
"""Resolves ``framework:name`` (set by :mod:`symact.spellings`, which builds on the registry)."""

LATEX_PRINTER: list[Any] = []
"""The LaTeX printer of definitions, set by :mod:`symact.latex` when it is imported (Jupyter display)."""

REGISTRY: dict[str, Activation] = {}
"""Canonical name → definition."""

ALIASES: dict[str, str] = {}
"""Alias → canonical name."""


def _normalise(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def register(act: Activation, *, replace_existing: bool = False) -> Activation:
    """Add ``act`` (and its aliases) to the registry; returns it, so entries read as assignments."""
    keys = [act.name, *act.aliases]
    if keys != [_normalise(k) for k in keys]:
        raise InvalidArgumentError(f"names must be lower-case snake_case: {keys}")
    for key in keys:
        owner = REGISTRY.get(key) or (REGISTRY.get(ALIASES[key]) if key in ALIASES else None)
        if owner is not None and owner != act and not replace_existing:
            raise InvalidArgumentError(
                f"{key!r} is already taken by {owner.name!r}; pass replace_existing=True to override"
            )
    REGISTRY[act.name] = act
    for alias in act.aliases:
        ALIASES[alias] = act.name
    return act


def names() -> list[str]:
    """Sorted canonical names of every registered activation."""
    return sorted(REGISTRY)


def lookup(name: str, table: dict[str, Any], aliases: dict[str, str], what: str, see: str) -> Any:
    """``table[name]`` after normalising case/dashes and resolving ``aliases``; else a KeyError-type
    error listing close matches (shared by activations and blocks)."""
    key = _normalise(name)
    key = aliases.get(key, key)
    if key in table:
        return table[key]
    close = difflib.get_close_matches(key, [*table, *aliases], n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(repr(c) for c in close)}? " if close else ""
    raise UnknownActivationError(f"unknown {what} {name!r}: {hint}see {see}")


def get(name: str | Activation) -> Activation:
    """The definition called ``name`` (case-insensitive; aliases such as ``"silu"`` resolve)."""
    if isinstance(name, Activation):
        return name
    if not isinstance(name, str):
        raise InvalidArgumentError(f"get() takes an activation name such as 'gelu', got {name!r}")
    if ":" in name and QUALIFIED_RESOLVER:
        found = QUALIFIED_RESOLVER[0](name)
        if not isinstance(found, Activation):
            raise UnknownActivationError(f"{name!r} is a block, not an activation: use symact.blocks.get_block")
        return found
    return lookup(name, REGISTRY, ALIASES, "activation", f"symact.names() for the {len(REGISTRY)} registered names")


def _unknown_param_message(act: Activation, key: str) -> str:
    known = list(act.params)
    close = difflib.get_close_matches(key, known, n=2, cutoff=0.5)
    if not known:
        return f"{act.name} has no parameters, but {key!r} was given: remove it"
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{act.name} has no parameter {key!r}{hint}; its parameters are {', '.join(known)}"


__all__ = ["ALIASES", "REGISTRY", "Activation", "Param", "check_value", "get", "lookup", "names", "register"]
