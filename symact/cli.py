"""Command-line front end. It composes the library's functions and holds no mathematics."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

import sympy as sp

from . import calculus
from .errors import SymactError, UndecidedError
from .latex import expression as latex_expression
from .latex import lhs as latex_lhs
from .registry import Activation, get, names


def _parse_params(items: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise SystemExit(f"symact: --param takes NAME=VALUE (e.g. --param beta=2), got {item!r}")
        try:
            out[key.strip()] = sp.Rational(value.strip())
        except (TypeError, ValueError, sp.SympifyError):
            raise SystemExit(f"symact: --param {key}: {value!r} is not a number (e.g. --param {key}=1.5)") from None
    return out


def _try(fn: Any, *args: Any, **kwargs: Any) -> sp.Expr | str:
    try:
        return fn(*args, **kwargs)
    except UndecidedError as exc:
        return f"undecided ({str(exc).splitlines()[0][:80]})"
    except SymactError as exc:
        return f"n/a ({exc})"


def summary(act: Activation, order: int = 6) -> dict[str, Any]:
    """Definition, derivatives, limits, asymptotes and series of ``act`` (values are SymPy objects)."""
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


def _cmd_list(args: argparse.Namespace) -> int:
    for name in names():
        act = get(name)
        params = ", ".join(f"{p.name}={float(p.default)!r}" for p in act.parameters)
        alias = f" (aliases: {', '.join(act.aliases)})" if act.aliases else ""
        print(f"{name:14s} {act.formula}" + (f"  [{params}]" if params else "") + alias)
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    act = get(args.name)
    params = _parse_params(args.param)
    if params:
        given = ", ".join(f"{k}={v}" for k, v in params.items())
        act = act.specialise(act.name, latex_name=act.latex_name, formula=f"{act.formula} with {given}",
                             aliases=act.aliases, notes=act.notes, **params)
    info = summary(act, args.order)
    if args.json:
        print(json.dumps({k: v if isinstance(v, (str, list)) else
                          ({kk: str(vv) for kk, vv in v.items()} if isinstance(v, dict) else str(v))
                          for k, v in info.items()}, indent=2))
        return 0
    render = latex_expression if args.latex else sp.sstr
    print(f"{act.name}: {act.formula}")
    if act.parameters:
        print("parameters: " + ", ".join(f"{k} = {v}" for k, v in info["parameters"].items()))
    rows = [("definition", latex_lhs(act, 0) if args.latex else f"{act.name}(x)", info["definition"]),
            ("1st derivative", latex_lhs(act, 1) if args.latex else f"{act.name}'(x)", info["derivative_1"]),
            ("2nd derivative", latex_lhs(act, 2) if args.latex else f"{act.name}''(x)", info["derivative_2"])]
    for label, left, value in rows:
        print(f"{label:16s} {left} = {render(value)}")
    for key, value in info.items():
        if key.startswith(("limit", "asymptote", "series")):
            print(f"{key:16s} {value if isinstance(value, str) else render(value)}")
    for ref in act.references:
        print(f"reference        {ref}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="symact", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_list = sub.add_parser("list", help="registered activations with their formulas and parameters")
    p_list.set_defaults(func=_cmd_list)
    p_show = sub.add_parser("show", help="definition, derivatives, limits, asymptotes and series of one activation")
    p_show.add_argument("name", help="activation name or alias (see `symact list`)")
    p_show.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="parameter value, e.g. --param beta=2 (repeatable)")
    p_show.add_argument("--order", type=int, default=6, help="series order: terms of degree < ORDER (default 6)")
    fmt = p_show.add_mutually_exclusive_group()
    fmt.add_argument("--latex", action="store_true", help="print formulas as LaTeX")
    fmt.add_argument("--json", action="store_true", help="print one JSON object")
    p_show.set_defaults(func=_cmd_show)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except SymactError as exc:
        print(f"symact: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `symact show gelu | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
