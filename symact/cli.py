"""Command-line front end. It composes the library's functions and holds no mathematics."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sympy as sp

from . import blocks as B
from .backends import BACKENDS
from .budget import DEFAULT_TIMEOUT, time_budget
from .errors import BackendUnavailableError, InvalidArgumentError, SymactError, UndecidedError, UnknownActivationError
from .latex import expression as latex_expression
from .latex import interval_text, latex
from .latex import lhs as latex_lhs
from .parity import FRAMEWORKS
from .registry import get, names
from .render import ENGINES
from .summary import summary
from .symbolic.calculus import MAX_SERIES_ORDER
from .symbolic.formula import MAX_DEPTH, MAX_LENGTH, MAX_NODES


def _parse_params(items: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidArgumentError(f"--param takes NAME=VALUE (e.g. --param beta=2), got {item!r}")
        try:
            out[key.strip()] = sp.Rational(value.strip())
        except (TypeError, ValueError, sp.SympifyError):
            raise InvalidArgumentError(f"--param {key}: {value!r} is not a number (e.g. --param {key}=1.5)") from None
    return out


def _text(expr: sp.Expr) -> str:
    """SymPy's string form, with ∞ for SymPy's oo (the JSON output keeps SymPy's spelling)."""
    return re.sub(r"\boo\b", "∞", sp.sstr(expr))


def _cmd_list(args: argparse.Namespace) -> int:
    for name in names():
        act = get(name)
        params = ", ".join(f"{p.name}={float(p.default)!r}" for p in act.parameters)
        alias = f" (aliases: {', '.join(act.aliases)})" if act.aliases else ""
        print(f"{name:14s} {act.formula}" + (f"  [{params}]" if params else "") + alias)
    return 0


def _subject(text: str) -> Any:
    """A registered activation, a block (by name), or an unnamed definition of a formula in x."""
    from .symbolic.define import from_formula

    try:
        return get(text)
    except UnknownActivationError as missing:
        try:
            return B.get_block(text)
        except UnknownActivationError:
            pass
        if text.strip().isidentifier() or ":" in text.split("(")[0]:  # a misspelt name or framework spelling
            raise missing from None
        return from_formula(text)


def _show_block(block: Any, args: argparse.Namespace) -> int:
    grads = B.gradient_latex(block)
    if args.json:
        print(json.dumps({"name": block.name, "formula": block.formula, "latex": B.latex(block),
                          "ffn_latex": B.latex(block, output=True), "scalar": str(block.scalar()),
                          "gradients": grads, "references": list(block.references)}, indent=2))
        return 0
    print(f"{block.name}: {block.formula}")
    print(f"{'definition':16s} {B.latex(block) if args.latex else _text(block.scalar())}")
    print(f"{'ffn form':16s} {B.latex(block, output=True) if args.latex else _text(block.scalar(output=True))}")
    for key, tex in grads.items():
        print(f"{'gradient ' + key if key != 'definitions' else 'with':16s} {tex}")
    print(f"{'parameters':16s} {_text(B.param_count(block))} (without biases)")
    for ref in block.references:
        print(f"reference        {ref}")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    subject = _subject(args.name)
    if isinstance(subject, B.Block):
        return _show_block(subject, args)
    act = subject
    params = _parse_params(args.param)
    if params:
        given = ", ".join(f"{k}={v}" for k, v in params.items())
        act = act.specialise(act.name, latex_name=act.latex_name, formula=f"{act.formula} with {given}",
                             aliases=act.aliases, notes=act.notes, **params)
    if not 1 <= args.order <= MAX_SERIES_ORDER:
        raise InvalidArgumentError(f"--order must be between 1 and {MAX_SERIES_ORDER} (terms of degree < ORDER), got "
                                   f"{args.order}; for more terms use symact.series or sympy.series in Python")
    with time_budget(args.timeout, f"symact show {act.name}"):
        info = summary(act, args.order)
    if args.json:
        print(json.dumps(info.as_dict(), indent=2))
        return 0
    render = latex_expression if args.latex else _text
    print(f"{act.name}: {act.formula}")
    if act.parameters:
        # exact decimals as written in the papers (0.044715), closed forms (SELU) to 17 digits
        for p in act.parameters:
            v = info.parameters[p.name]
            value = f"{p.name} = {float(v)!r}" if v.is_Rational else f"{p.name} ≈ {sp.N(v, 17)}"
            print(f"parameter        {value}, in {interval_text(p.domain)}" + (f": {p.doc}" if p.doc else ""))
    rows = [("definition", latex_lhs(act, 0) if args.latex else f"{act.name}(x)", info.definition),
            ("1st derivative", latex_lhs(act, 1) if args.latex else f"{act.name}'(x)", info.derivatives[0]),
            ("2nd derivative", latex_lhs(act, 2) if args.latex else f"{act.name}''(x)", info.derivatives[1])]
    for label, left, value in rows:
        print(f"{label:16s} {left} = {render(value)}")
    at_infinity = [item for item in info.limits if item.variable == "x"]
    in_parameters = [item for item in info.limits if item.variable != "x"]
    for item in (*at_infinity, *info.asymptotes):
        print(f"{item.key:16s} {item.result.text(render)}")
    print(f"{'series_0':16s} {info.series.text(render)}")
    for item in in_parameters:
        print(f"{item.key:16s} {item.result.text(render)}")
    for ref in act.references:
        print(f"reference        {ref}")
    if act.notes:
        print(f"{'notes':16s} {act.notes}")
    if args.properties:
        print()
        budget = PROPERTIES_TIMEOUT if args.timeout == DEFAULT_TIMEOUT else args.timeout  # show's 20 s is short
        print(_property_sheet(args.name, params, budget).report())
    return 0


PROPERTIES_TIMEOUT = 120.0
"""Seconds ``symact properties`` gets by default (tanh-GELU's sheet takes ~12 s, Mish's ~18 s)."""


def _property_sheet(name: str, params: dict[str, Any], timeout: float | None) -> Any:
    from .symbolic.properties import properties

    subject = _subject(name)
    if isinstance(subject, B.Block):
        raise InvalidArgumentError(f"{name} is a block; properties describe activations (e.g. symact properties "
                                   "silu, or a formula such as 'x*sigma(1.5*x)')")
    with time_budget(timeout, f"the properties of {name}"):
        return properties(subject, **params)


def _cmd_properties(args: argparse.Namespace) -> int:
    sheet = _property_sheet(args.name, _parse_params(args.param), args.timeout)
    print(json.dumps(sheet.json(), indent=2) if args.json else sheet.report())
    return 0


def _cmd_which(args: argparse.Namespace) -> int:
    from .spellings import FRAMEWORKS, which

    if args.frameworks or not args.name:
        for fw in FRAMEWORKS.values():
            print(f"{fw.key:6s} {fw.label} {fw.version} ({fw.source}): {len(fw.spellings)} spellings")
        return 0
    w = which(args.name)
    if args.json:
        def rows(items: tuple[tuple[str, str, str, str], ...]) -> list[dict[str, str]]:
            return [dict(zip(("spelling", "means", "call", "notes"), r, strict=True)) for r in items]

        print(json.dumps({"name": w.name, "symact": w.canonical, "ambiguous": w.ambiguous,
                          "meanings": rows(w.meanings), "spellings": rows(w.spellings)}, indent=2))
        return 0
    if w.canonical is not None:
        print(f"symact: {args.name} is {w.canonical}")
    if w.meanings:
        print(f"'{w.name}' in the frameworks" + (" (they disagree):" if w.ambiguous else ":"))
        for q, means, call, notes in w.meanings:
            print(f"  {q:34s} = {means:14s} {call}" + (f"\n  {'':34s}   {notes}" if notes else ""))
    if w.spellings:
        print(f"every framework spelling of symact's {w.canonical}:")
        for q, _, call, _ in w.spellings:
            print(f"  {q:34s} {call}")
    return 0


def _cmd_model(args: argparse.Namespace) -> int:
    from .models import MODELS, model

    if args.list or not args.name:
        print(f"{'model':12s} {'size':48s} {'block':17s} {'activation':24s} {'d':>6s} {'hidden':>7s} experts")
        for m in MODELS.values():
            moe = f"{m.routed}/{m.routed_total}" + (f" + {m.shared} shared" if m.shared else "") if m.routed else "-"
            print(f"{m.name:12s} {m.size:48s} {m.block:17s} {m.activation:24s} {m.d_model:6d} {m.hidden:7d} {moe}")
        return 0
    m = model(args.name)
    block = B.get_block(m.block)
    sizes = m.sizes()
    if args.json:
        print(json.dumps({"name": m.name, "size": m.size, "block": m.block, "formula": block.formula,
                          "activation": m.activation, "source": m.source, "notes": m.notes,
                          "rule": m.rule[0] if m.rule else None, **sizes}, indent=2))
        return 0
    print(f"{m.name}: {m.size}")
    print(f"{'ffn block':16s} {block.name}: {block.formula}" + (" (with biases)" if m.bias else ""))
    print(f"{'scalar form':16s} {_text(block.scalar(output=True))}")
    if block.layout is not None:
        print(f"{'layout':16s} {block.layout.fused}, gate {'first' if block.layout.gate_first else 'second'}"
              + (f": {block.layout.source}" if block.layout.source else ""))
    print(f"{'activation':16s} {m.activation}")
    print(f"{'d_model':16s} {m.d_model}")
    rule = f"  ({m.rule[0]}: {m.rule[1]()})" if m.rule else ""
    print(f"{'hidden':16s} {m.hidden}{rule}")
    what = "one expert's FFN" if m.routed else "one FFN"
    print(f"{'parameters':16s} {sizes['ffn_params']:,} ({what})")
    print(f"{'FLOPs/token':16s} {sizes['flops_forward']:,} forward, {sizes['flops_backward']:,} backward (matrix "
          f"products, 2 per multiply-add) + {sizes['elementwise']:,} elementwise ops")
    if m.routed:
        print(f"{'experts':16s} {m.routed} routed of {m.routed_total}" + (f" + {m.shared} shared" if m.shared else "")
              + f" per token: {sizes['active_params']:,} active parameters, {sizes['total_params']:,} in all, "
              f"{sizes['active_flops_forward']:,} forward FLOPs/token")
    if m.notes:
        print(f"{'notes':16s} {m.notes}")
    print(f"{'source':16s} {m.source}")
    return 0


def _cmd_latex(args: argparse.Namespace) -> int:
    if not 0 <= args.order <= 6:
        raise InvalidArgumentError(f"--order takes 0 to 6 (derivatives), got {args.order}")
    subject = _subject(args.name)
    with time_budget(args.timeout, f"symact latex {args.name}"):
        if isinstance(subject, B.Block):
            lines = [B.latex(subject), B.latex(subject, output=True),
                     *(v for k, v in B.gradient_latex(subject).items() if k != "definitions")]
        else:
            lines = [latex(subject, k) for k in range(args.order + 1)]
    print("\n".join(lines))
    return 0


def _cmd_accuracy(args: argparse.Namespace) -> int:
    import numpy as np

    from .accuracy import measure, standard_grid
    from .evaluate import lambdify

    subject = _subject(args.name)
    if isinstance(subject, B.Block):
        raise InvalidArgumentError(f"{subject.name} is a block: accuracy measures activations (e.g. its factors)")
    if not args.step > 0:
        raise InvalidArgumentError(f"--step must be positive, got {args.step}")
    with time_budget(args.timeout, f"symact accuracy {args.name}"):
        rows = []
        for label, dtype, kwargs in (("float64", np.float64, {}), ("float32", np.float32, {}),
                                     ("float64, textbook formula", np.float64, {"lowering": False})):
            grid = standard_grid(dtype, dense_step=args.step)
            func = lambdify(subject, derivative=args.derivative, **kwargs)
            rows.append((label, measure(subject, derivative=args.derivative, dtype=dtype, grid=grid, func=func)))
    name = subject.name + "'" * args.derivative
    print(f"{name}: ulp against the mpmath oracle on the standard grid (dense step {args.step:g} on [-40, 40], "
          "tails, subnormals, specials)")
    for label, r in rows:
        special = f"; special values wrong: {', '.join(r.special_failures[:3])}" if r.special_failures else ""
        print(f"{label:26s} max {r.max_ulp:.3g} ulp, median {r.median_ulp:.3g}, worst x = {r.worst_x:.6g}{special}")
    ours, textbook = rows[0][1], rows[2][1]
    if textbook.max_ulp > 64 * max(ours.max_ulp, 1.0):
        print(f"the textbook formula cancels or overflows ({textbook.max_ulp:.3g} ulp at x = {textbook.worst_x:.6g}): "
              "the lowered form avoids it")
    return 0 if ours.max_ulp <= 2 and not ours.special_failures else 1


def _cmd_derive(args: argparse.Namespace) -> int:
    from .symbolic.derive import derive

    with time_budget(args.timeout, "symact derive"):
        sheet = derive(args.formula)
    render = latex_expression if args.latex else _text
    print(f"f(x) = {sheet.formula}")
    for label, form, low in zip(("f", "f'", "f''"), sheet.forms, sheet.lowered, strict=True):
        print(f"{label + '(x)':8s} = {render(form)}")
        print(f"{'  stable':8s} = {_text(low)}")
    if sheet.constants:
        print("constants:")
        for c in sheet.constants:
            print(f"  {c.value:.10g} = {c.origin}   ({c.where})")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from .symbolic.claims import DISPROVED, UNDECIDED, check

    interval = None
    if args.interval:
        lo, sep, hi = args.interval.partition(",")
        try:
            interval = (float(lo), float(hi))
        except ValueError:
            raise InvalidArgumentError(f"--interval takes A,B (e.g. --interval -5,5), got {args.interval!r}") from None
        if not sep:
            raise InvalidArgumentError(f"--interval takes A,B (e.g. --interval -5,5), got {args.interval!r}")
    with time_budget(args.timeout, "symact check"):
        verdict = check(args.claim, tol=args.tol, interval=interval)
    if args.json:
        print(json.dumps({"claim": verdict.claim, "kind": verdict.kind, "verdict": verdict.verdict,
                          "detail": verdict.detail, "counterexample": verdict.counterexample,
                          "max_error": verdict.max_error, "at": verdict.at}, indent=2))
    else:
        print(verdict)
    return 1 if verdict.verdict == DISPROVED else 3 if verdict.verdict == UNDECIDED else 0


def _cmd_plot(args: argparse.Namespace) -> int:
    from .plot import plot

    lo, sep, hi = args.x_range.partition(",")
    try:
        x_range = (float(lo), float(hi))
    except ValueError:
        raise InvalidArgumentError(f"--range takes A,B (e.g. --range -4,4), got {args.x_range!r}") from None
    path = plot(args.names, args.output, derivative=args.derivative, x_range=x_range)
    print(f"wrote {path}")
    return 0


def _cmd_catalog(args: argparse.Namespace) -> int:
    from .catalog import build

    written = build(args.output, html_page=not args.no_html, engine=args.engine, properties=not args.no_properties)
    print(f"wrote {len(written)} files to {args.output}")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from .evaluate import export

    params = {k: float(v) for k, v in _parse_params(args.param).items()}
    with time_budget(args.timeout, f"symact export {args.name}"):
        text = export(args.name, backend=args.to, derivative=args.derivative, fast=args.fast, **params)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InvalidArgumentError(f"cannot write {args.output}: {exc.strerror}") from None
        print(f"wrote {args.output}")
    else:
        print(text, end="")
    return 0


def _cmd_derivation(args: argparse.Namespace) -> int:
    from .derivations import main as derivations_main

    return derivations_main([*args.names, "--out", args.out, *(["--check"] if args.check else [])])


def _cmd_parity(args: argparse.Namespace) -> int:
    from .parity import report

    chosen = tuple(args.framework or FRAMEWORKS)
    missing = [f for f in chosen if importlib.util.find_spec(f) is None]
    if len(missing) == len(chosen):  # nothing to measure: an empty report would look like a result
        hints = "; ".join(BACKENDS[f].install for f in missing)
        raise BackendUnavailableError(f"parity needs {' or '.join(missing)}, none of which is installed: {hints}")
    text = report(chosen, device=args.device, dense_step=args.step)
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
        print(f"wrote {args.output}")
    else:
        print(text, end="")
    return 0


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"the timeout must be a positive number of seconds, got {text!r}")
    return value


LOW_PRECISION_TIMEOUT = 600.0
"""Default budget of rounded/audit/tolerance: a user's formula is decided by mpmath at each of up to 65,536 inputs."""


def _timeout_option(p: argparse.ArgumentParser, default: float = DEFAULT_TIMEOUT) -> None:
    p.add_argument("--timeout", type=_timeout, default=default, metavar="SECONDS",
                   help=f"time budget for the symbolic work (default {default:g} s); past it the answer is "
                        "UNDECIDED, exit 3")


# options whose value may start with '-' (a negative number): --interval -3,3 is read as --interval=-3,3
_SIGNED_VALUES = ("--interval", "--range", "--tol", "--step")


def _join_signed(argv: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        if token in _SIGNED_VALUES and i + 1 < len(argv) and argv[i + 1][:1] == "-" and argv[i + 1][1:2] in \
                tuple("0123456789.") + ("i",):  # -3,3  -.5  -inf
            out.append(f"{token}={argv[i + 1]}")
            i += 2
            continue
        out.append(token)
        i += 1
    return out


def _cmd_rounded(args: argparse.Namespace) -> int:
    with time_budget(args.timeout, f"symact rounded {args.name}"):
        return _rounded(args)


def _rounded(args: argparse.Namespace) -> int:
    import numpy as np

    from .lowprec.formats import get_format
    from .lowprec.rounding import rounded, table

    fmt = get_format(args.dtype)
    subject = _subject(args.name)
    params = _parse_params(args.param)
    if fmt.enumerable:
        built = table(subject, fmt, derivative=args.derivative, **params)
        inputs, values = rounded(subject, fmt, derivative=args.derivative, saturate=args.saturate, **params)
        note = (f"built in {built.seconds:.2f} s ({built.by_oracle} inputs decided by the oracle)" if built.seconds
                else "loaded from the cache")
    else:
        from .lowprec.audit import sample

        inputs = sample(fmt)
        values = rounded(subject, fmt, inputs, derivative=args.derivative, saturate=args.saturate, **params)
        note = "a stratified sample (256 per binade, seed 0)"
    if args.output and args.output.endswith(".npz"):
        # float32 holds every value of the narrow formats exactly, and loads without ml_dtypes
        np.savez_compressed(args.output, x=inputs.astype(np.float32), y=values.astype(np.float32),
                            dtype=np.array(fmt.name))
    else:
        rows = "\n".join(f"{float(a)!r},{float(b)!r}" for a, b in zip(inputs, values, strict=True))
        text = f"x,{args.name}{'_d' + str(args.derivative) if args.derivative else ''}\n{rows}\n"
        if args.output:
            Path(args.output).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
    if args.output:
        print(f"{len(inputs):,} correctly rounded {fmt} values written to {args.output}; {note}", file=sys.stderr)
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    from .lowprec.audit import audit

    with time_budget(args.timeout, f"symact audit {args.impl}"):
        result = audit(args.impl, _subject(args.against), args.dtype, array=args.array, derivative=args.derivative,
                       **_parse_params(args.param))
    print(result.report())
    if args.output:
        print(f"plot: {result.plot(args.output)}")
    return 0


def _cmd_tolerance(args: argparse.Namespace) -> int:
    from .lowprec.audit import tolerance

    with time_budget(args.timeout, f"symact tolerance {args.a} {args.b}"):
        result = tolerance(_subject(args.a), _subject(args.b), args.dtype, derivative=args.derivative)
    print(result.report())
    print(f"assert_close tolerance: atol={result.max_abs:.3g} (max |difference|), or {result.max_ulp:g} ulp of "
          f"{result.fmt}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="symact", description=__doc__,
        epilog=f"Exit status: 0 proved, holds or done; 1 disproved; 2 bad input; 3 undecided (including a time "
               f"budget that ran out: --timeout, default {DEFAULT_TIMEOUT:g} s). Claims and formulas: at most "
               f"{MAX_LENGTH} characters, {MAX_NODES} parts, nesting {MAX_DEPTH} deep. Series orders: 1 to "
               f"{MAX_SERIES_ORDER}.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--defs", action="append", default=[], metavar="FILE",
                        help="TOML file of [[activation]] definitions to load first (also: SYMACT_DEFS)")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, **kwargs: Any) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], **kwargs)  # every command takes --defs
    p_list = command("list", help="registered activations with their formulas and parameters")
    p_list.set_defaults(func=_cmd_list)
    p_show = command("show", help="definition, derivatives, limits, asymptotes and series of an activation, a "
                                         "formula in x, or a block (with its gradients)")
    p_show.add_argument("name", help="activation name or alias (see `symact list`), block, or formula such as "
                                     "'x*sigma(1.5*x)'")
    p_show.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="parameter value, e.g. --param beta=2 (repeatable)")
    p_show.add_argument("--order", type=int, default=6, help="series order: terms of degree < ORDER (default 6)")
    fmt = p_show.add_mutually_exclusive_group()
    fmt.add_argument("--latex", action="store_true", help="print formulas as LaTeX")
    fmt.add_argument("--json", action="store_true", help="print one JSON object")
    p_show.add_argument("--properties", action="store_true",
                        help="add the property sheet (range, monotonicity, extrema, … as in `symact properties`)")
    _timeout_option(p_show)
    p_show.set_defaults(func=_cmd_show)

    p_prop = command("properties", help="proved properties: range, monotonicity, extrema, convexity, Lipschitz "
                                        "constant, smoothness, asymptotes, each marked symbolic/certified/numeric")
    p_prop.add_argument("name", help="activation name or alias, or a formula such as 'x*sigma(1.5*x)'")
    p_prop.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="parameter value, e.g. --param alpha=2 (repeatable)")
    p_prop.add_argument("--json", action="store_true", help="print one JSON object")
    _timeout_option(p_prop, PROPERTIES_TIMEOUT)
    p_prop.set_defaults(func=_cmd_properties)

    p_check = command("check", help="decide a claim: PROVED, DISPROVED, HOLDS NUMERICALLY or UNDECIDED",
                             description="Decide a claim about formulas. Exit status: 0 proved or holds, "
                                         "1 disproved, 3 undecided (or out of time), 2 bad input. A claim has at "
                                         f"most {MAX_LENGTH} characters per side, {MAX_NODES} parts and "
                                         f"nesting {MAX_DEPTH} deep.")
    p_check.add_argument("claim", help="e.g. 'diff(gelu(x), x) == Phi(x) + x*phi(x)' or 'gelu_tanh(x) ~ gelu(x)'")
    p_check.add_argument("--tol", type=float, default=1e-2, help="tolerance for '~' claims (default 0.01)")
    p_check.add_argument("--interval", help="A,B: search '~' claims on [A, B] (default: the real line)")
    p_check.add_argument("--json", action="store_true", help="print one JSON object")
    _timeout_option(p_check)
    p_check.set_defaults(func=_cmd_check)

    p_which = command("which", help="which formula a name means in each framework, and every framework spelling "
                                    "of a definition (symact which gelu)")
    p_which.add_argument("name", nargs="?", help="a bare name such as gelu, or a symact name")
    p_which.add_argument("--frameworks", action="store_true", help="list the framework tables and their versions")
    p_which.add_argument("--json", action="store_true", help="print one JSON object")
    p_which.set_defaults(func=_cmd_which)

    p_model = command("model", help="the FFN of an open model: block, activation as spelled, widths, parameters, "
                                    "FLOPs per token (symact model gpt-oss; --list)")
    p_model.add_argument("name", nargs="?", help="e.g. llama-3, deepseek-v3, gpt-oss")
    p_model.add_argument("--list", action="store_true", help="the whole table")
    p_model.add_argument("--json", action="store_true", help="print one JSON object")
    p_model.set_defaults(func=_cmd_model)

    p_tex = command("latex", help="LaTeX of a definition and its derivatives (or a block and its gradients), "
                                         "one per line")
    p_tex.add_argument("name", help="activation, block, or formula in x")
    p_tex.add_argument("--order", type=int, default=1, help="derivatives up to this order (default 1)")
    _timeout_option(p_tex)
    p_tex.set_defaults(func=_cmd_latex)

    p_acc = command("accuracy", help="max and median ulp in float64 and float32 against the mpmath oracle",
                    description="Exit status 0 when float64 is within 2 ulp everywhere (and special values are "
                                "right), 1 when not, 2 bad input, 3 out of time.")
    p_acc.add_argument("name", help="activation or formula in x")
    p_acc.add_argument("--derivative", type=int, default=0, help="derivative order (default 0)")
    p_acc.add_argument("--step", type=float, default=0.01, help="dense grid step on [-40, 40] (default 0.01)")
    _timeout_option(p_acc)
    p_acc.set_defaults(func=_cmd_accuracy)

    p_drv = command("derive", help="kernel author's sheet: f, f', f'', their stable forms, and the origin "
                                          "of every constant")
    p_drv.add_argument("formula", help="e.g. '0.5*x*(1+tanh(sqrt(2/pi)*(x+0.044715*x^3)))' (^ is a power)")
    p_drv.add_argument("--latex", action="store_true", help="print f, f', f'' as LaTeX")
    _timeout_option(p_drv)
    p_drv.set_defaults(func=_cmd_derive)

    p_plot = command("plot", help="plot activations and blocks (and derivatives) to a PNG")
    p_plot.add_argument("names", nargs="+", help="activations or blocks; parameters as swish:beta=0.5")
    p_plot.add_argument("-o", "--output", required=True, help="PNG file to write")
    p_plot.add_argument("--derivative", action="store_true", help="add first derivatives (dashed)")
    p_plot.add_argument("--range", dest="x_range", default="-4,4", help="x range A,B (default -4,4)")
    p_plot.set_defaults(func=_cmd_plot)

    p_cat = command("catalog", help="Markdown pages and a static HTML site (index, a page per entry)")
    p_cat.add_argument("-o", "--output", required=True, help="folder to write into")
    p_cat.add_argument("--no-html", action="store_true", help="Markdown and plots only")
    p_cat.add_argument("--no-properties", action="store_true",
                       help="leave out the property sheets (they take about 70 s for all activations)")
    p_cat.add_argument("--engine", default="auto", choices=ENGINES,
                       help="LaTeX to MathML: latex2mathml (Python), katex (Node), auto (katex if found)")
    p_cat.set_defaults(func=_cmd_catalog)

    p_exp = command("export", help="standalone source code of an activation's lowered function")
    p_exp.add_argument("name", help="activation name or alias")
    p_exp.add_argument("--to", default="numpy", choices=[n for n, b in BACKENDS.items() if getattr(b, "exports", True)],
                       help="numpy, torch, jax: a Python module; c: a C99 header; cuda: a CUDA header (default numpy)")
    p_exp.add_argument("-o", "--output", help="write to this file instead of standard output")
    p_exp.add_argument("--fast", action="store_true", help="the fast=True form (numpy): textbook speed, a few ulp")
    p_exp.add_argument("--derivative", type=int, default=0, help="derivative order (default 0)")
    p_exp.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="parameter value")
    _timeout_option(p_exp)
    p_exp.set_defaults(func=_cmd_export)

    p_par = command("parity", help="accuracy and conventions of PyTorch/JAX kernels vs ours (Markdown)")
    p_par.add_argument("--framework", action="append", choices=FRAMEWORKS, help="default: all")
    p_par.add_argument("--device", default="cpu", choices=["cpu", "cuda"], help="where the kernels run")
    p_par.add_argument("--step", type=float, default=0.05, help="dense grid step on [-40, 40] (default 0.05)")
    p_par.add_argument("-o", "--output", help="Markdown file to write (default: print)")
    p_par.set_defaults(func=_cmd_parity)

    dtypes = "float32, float16, bfloat16, float8_e4m3fn, float8_e5m2 (or bf16, fp16, e4m3, e5m2)"
    p_rnd = command("rounded", help="correctly rounded values in a low-precision dtype, at every finite input (CSV "
                                    "or .npz)")
    p_rnd.add_argument("name", help="activation or formula in x")
    p_rnd.add_argument("--dtype", required=True, help=dtypes)
    p_rnd.add_argument("--derivative", type=int, default=0, help="derivative order (default 0)")
    p_rnd.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="parameter value")
    p_rnd.add_argument("--saturate", action="store_true", help="results beyond the largest value become ±max")
    p_rnd.add_argument("-o", "--output", help="CSV file, or .npz (x and y as float32, which holds every value exactly, "
                                              "and dtype); default: CSV on standard output")
    _timeout_option(p_rnd, LOW_PRECISION_TIMEOUT)
    p_rnd.set_defaults(func=_cmd_rounded)

    p_aud = command("audit", help="an implementation against correctly rounded values: every input of a 16- or "
                                  "8-bit dtype (a sample of float32), errors in ulps, worst inputs, a plot")
    p_aud.add_argument("impl", help="module:function[,key=value…], e.g. torch.nn.functional:gelu,approximate=tanh")
    p_aud.add_argument("--against", required=True, help="the activation it computes (name or formula in x)")
    p_aud.add_argument("--dtype", required=True, help=dtypes)
    p_aud.add_argument("--array", choices=["numpy", "torch", "jax"],
                       help="what IMPL receives (default: guessed from its module)")
    p_aud.add_argument("--derivative", type=int, default=0, help="compare with this derivative (default 0)")
    p_aud.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="parameter of --against")
    p_aud.add_argument("-o", "--output", help="PNG: histogram and error against x")
    _timeout_option(p_aud, LOW_PRECISION_TIMEOUT)
    p_aud.set_defaults(func=_cmd_audit)

    p_tol = command("tolerance", help="max difference between two definitions over every input of a dtype: the "
                                      "tolerance for assert_close when swapping them")
    p_tol.add_argument("a", help="activation or formula in x")
    p_tol.add_argument("b", help="activation or formula in x")
    p_tol.add_argument("--dtype", required=True, help=dtypes)
    p_tol.add_argument("--derivative", type=int, default=0, help="derivative order (default 0)")
    _timeout_option(p_tol, LOW_PRECISION_TIMEOUT)
    p_tol.set_defaults(func=_cmd_tolerance)

    p_der = command("derivation", help="regenerate the worked documents in derivations/")
    p_der.add_argument("names", nargs="*", help="documents (default all)")
    p_der.add_argument("--out", default="derivations", help="output folder (default derivations)")
    p_der.add_argument("--check", action="store_true", help="exit 1 if a committed document is stale")
    p_der.set_defaults(func=_cmd_derivation)
    return parser


def _load_definitions(files: Sequence[str]) -> None:
    from .symbolic.define import load_definitions

    for path in [*filter(None, os.environ.get("SYMACT_DEFS", "").split(os.pathsep)), *files]:
        load_definitions(path)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; the exit status is 0 (proved, holds, done), 1 (disproved), 2 (bad input), 3 (undecided)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(_join_signed(argv))
    except SystemExit as exc:  # argparse: 0 for --help, 2 for a usage error
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    try:
        _load_definitions(args.defs)
        return int(args.func(args))
    except UndecidedError as exc:
        print(f"UNDECIDED: {exc}", file=sys.stderr)
        return 3
    except SymactError as exc:
        print(f"symact: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):  # `symact show gelu | head`
            sys.stderr.close()
            return 0
        print(f"symact: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
