"""Everything symact derives about one activation, as a typed result for the CLI and the catalog."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sympy as sp

from .errors import SymactError, UndecidedError
from .registry import Activation
from .symbolic import calculus
from .symbols import x


@dataclass(frozen=True)
class Derived:
    """A derived expression, or why there is none (``note``: "undecided (…)" or "n/a (…)")."""

    value: sp.Expr | None
    note: str = ""

    def text(self, render: Callable[[sp.Expr], str] = sp.sstr) -> str:
        return render(self.value) if self.value is not None else self.note


@dataclass(frozen=True)
class Limit:
    """The limit of the activation as ``variable`` (``"x"`` or a parameter's name) tends to ``point``."""

    variable: str
    symbol: sp.Symbol
    point: sp.Expr
    result: Derived

    @property
    def key(self) -> str:
        """``limit_+oo``, ``limit_-oo``, ``limit_beta->0``, ``limit_beta->oo`` (text and JSON output)."""
        if self.variable == "x":
            return "limit_+oo" if self.point == sp.oo else "limit_-oo"
        return f"limit_{self.variable}->{self.point}"


@dataclass(frozen=True)
class Asymptote:
    """The asymptote as x → ``point`` (±∞)."""

    point: sp.Expr
    result: Derived

    @property
    def key(self) -> str:
        return "asymptote_+oo" if self.point == sp.oo else "asymptote_-oo"


@dataclass(frozen=True)
class Summary:
    """Definition, derivatives, limits, asymptotes and series of one activation."""

    name: str
    aliases: tuple[str, ...]
    formula: str
    parameters: dict[str, sp.Expr]
    definition: sp.Expr
    derivatives: tuple[sp.Expr, ...]
    limits: tuple[Limit, ...]
    asymptotes: tuple[Asymptote, ...]
    series: Derived
    order: int
    references: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: expressions as SymPy strings, missing values as their note."""
        out: dict[str, Any] = {
            "name": self.name, "aliases": list(self.aliases), "formula": self.formula,
            "parameters": {k: str(v) for k, v in self.parameters.items()},
            "definition": str(self.definition),
            **{f"derivative_{k}": str(d) for k, d in enumerate(self.derivatives, start=1)},
        }
        for item in (*self.limits, *self.asymptotes):
            out[item.key] = item.result.text()
        out["series_0"] = self.series.text()
        out["references"] = list(self.references)
        return out


def _try(fn: Any, *args: Any, **kwargs: Any) -> Derived:
    try:
        return Derived(fn(*args, **kwargs))
    except UndecidedError as exc:
        return Derived(None, f"undecided ({str(exc).splitlines()[0][:80]})")
    except SymactError as exc:
        return Derived(None, f"n/a ({exc})")


def summary(act: Activation, order: int = 6) -> Summary:
    """Definition, derivatives, limits, asymptotes and series of ``act`` (series to ``order``)."""
    limits = [Limit("x", x, point, _try(calculus.limit, act, point)) for point in (sp.oo, -sp.oo)]
    for p in act.parameters:
        lo = p.domain.inf
        limits.append(Limit(p.name, p.symbol, lo, _try(calculus.limit, act, lo, wrt=p.symbol, dir="+")))
        limits.append(Limit(p.name, p.symbol, sp.oo, _try(calculus.limit, act, sp.oo, wrt=p.symbol)))
    return Summary(
        name=act.name, aliases=tuple(act.aliases), formula=act.formula,
        parameters={p.name: p.default for p in act.parameters}, definition=act.expr,
        derivatives=(calculus.derivative(act, 1), calculus.derivative(act, 2)),
        limits=tuple(limits),
        asymptotes=tuple(Asymptote(point, _try(calculus.asymptote, act, point)) for point in (sp.oo, -sp.oo)),
        series=_try(calculus.series, act, order), order=order, references=tuple(act.references),
    )


__all__ = ["Asymptote", "Derived", "Limit", "Summary", "summary"]
