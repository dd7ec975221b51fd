"""Everything symact derives about one activation, gathered for the CLI and the catalog."""

from __future__ import annotations

from typing import Any

import sympy as sp

from .errors import SymactError, UndecidedError
from .registry import Activation
from .symbolic import calculus


def _try(fn: Any, *args: Any, **kwargs: Any) -> sp.Expr | str:
    try:
        return fn(*args, **kwargs)
    except UndecidedError as exc:
        return f"undecided ({str(exc).splitlines()[0][:80]})"
    except SymactError as exc:
        return f"n/a ({exc})"


def summary(act: Activation, order: int = 6) -> dict[str, Any]:
    """Definition, derivatives, limits, asymptotes and series of ``act``.

    Values are SymPy objects, or a string saying why a value is not available (a series at a kink,
    a limit SymPy cannot decide).
    """
    out: dict[str, Any] = {
        "name": act.name,
        "aliases": list(act.aliases),
        "formula": act.formula,
        "parameters": {p.name: p.default for p in act.parameters},
        "definition": act.expr,
        "derivative_1": calculus.derivative(act, 1),
        "derivative_2": calculus.derivative(act, 2),
        "limit_+oo": _try(calculus.limit, act, sp.oo),
        "limit_-oo": _try(calculus.limit, act, -sp.oo),
        "asymptote_+oo": _try(calculus.asymptote, act, sp.oo),
        "asymptote_-oo": _try(calculus.asymptote, act, -sp.oo),
        "series_0": _try(calculus.series, act, order),
    }
    for p in act.parameters:
        lo = p.domain.inf
        out[f"limit_{p.name}->{lo}"] = _try(calculus.limit, act, lo, wrt=p.symbol, dir="+")
        out[f"limit_{p.name}->oo"] = _try(calculus.limit, act, sp.oo, wrt=p.symbol)
    out["references"] = list(act.references)
    return out


__all__ = ["summary"]
