"""Deciding claims about formulas: ``"diff(gelu(x), x) == Phi(x) + x*phi(x)"``.

Grammar (parsed with :mod:`ast` and a whitelist — nothing is ``eval``-ed):

* ``A == B`` — equality; ``diff(E, x[, n])`` and ``limit(E, var, point)`` may appear on either side.
* ``A ~ B`` — approximation, decided against a tolerance on an interval.

Registered activations (names and aliases) are functions: ``swish(x, beta=0)``, ``swish(x, beta)``;
parameters not given take their defaults. Also ``Phi, phi, sigma, exp, log, sqrt, tanh, erf, ...``,
the symbols ``x, beta, kappa, alpha, lam`` and the constants ``pi, E, oo``.

Verdicts: ``PROVED`` (SymPy reduces the difference to 0), ``DISPROVED`` (a concrete counterexample,
evaluated with mpmath), ``HOLDS NUMERICALLY`` (the measured maximum error and where), ``UNDECIDED``.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import mpmath as mp
import sympy as sp

from ..errors import InvalidArgumentError, SymactError, UndecidedError
from ..functions import Phi, phi, sigma, softplus, to_elementary
from ..oracle import exact_value, mp_function
from ..registry import ALIASES, REGISTRY, get
from ..symbols import alpha, beta, kappa, lam, x
from . import approx as _approx
from .calculus import derivative, equivalent, limit


class ClaimSyntaxError(InvalidArgumentError):
    """The claim is not in the grammar (the message says what is allowed)."""


PROVED, DISPROVED, HOLDS, UNDECIDED = "PROVED", "DISPROVED", "HOLDS NUMERICALLY", "UNDECIDED"

SYMBOLS: dict[str, sp.Expr] = {
    "x": x, "beta": beta, "kappa": kappa, "alpha": alpha, "lam": lam,
    "pi": sp.pi, "E": sp.E, "oo": sp.oo, "inf": sp.oo,
}

FUNCTIONS: dict[str, Callable[..., sp.Expr]] = {
    "Phi": Phi, "phi": phi, "sigma": sigma, "exp": sp.exp, "log": sp.log, "log1p": lambda z: sp.log(1 + z),
    "sqrt": sp.sqrt, "tanh": sp.tanh, "cosh": sp.cosh, "sinh": sp.sinh, "sech": sp.sech, "erf": sp.erf,
    "erfc": sp.erfc, "abs": sp.Abs, "Abs": sp.Abs, "max": sp.Max, "Max": sp.Max, "min": sp.Min, "Min": sp.Min,
    "LambertW": sp.LambertW, "softplus_fn": softplus,
}

_BINOPS: dict[type, Callable[[sp.Expr, sp.Expr], sp.Expr]] = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a**b,
}


def _fail(node: ast.AST | None, message: str) -> ClaimSyntaxError:
    where = f" (at column {node.col_offset + 1})" if node is not None and hasattr(node, "col_offset") else ""
    return ClaimSyntaxError(message + where)


MAX_LENGTH = 20_000
"""Characters a claim or formula may have (a pasted formula is far shorter)."""
MAX_NODES = 20_000
"""Syntax-tree nodes a claim may have."""
MAX_DEPTH = 100
"""Nesting a claim may have: calls, unary signs and mixed operators count; a chain of the same + or *
(x + x + … + x) counts once, however long."""


def _children(node: ast.AST) -> list[ast.AST]:
    """The sub-expressions the builder turns into SymPy (not a call's function name)."""
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return [*node.args, *(k.value for k in node.keywords)]
    return []


def _check_size(tree: ast.AST) -> None:
    """Refuse trees beyond :data:`MAX_NODES` or :data:`MAX_DEPTH`, without recursion."""
    count, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ClaimSyntaxError(f"the expression has more than {MAX_NODES} parts: split it or simplify it first")
        if depth > MAX_DEPTH:
            raise ClaimSyntaxError(f"the expression is nested more than {MAX_DEPTH} levels deep "
                                   "(calls, signs and mixed operators): simplify it first")
        for child in _children(node):
            same_chain = isinstance(node, ast.BinOp) and isinstance(child, ast.BinOp) and \
                type(child.op) is type(node.op) and isinstance(node.op, (ast.Add, ast.Mult))
            stack.append((child, depth if same_chain else depth + 1))


class _Builder:
    """Turns a whitelisted Python expression AST into SymPy, children first, without recursion (a sum of
    500 terms is 500 levels deep as a syntax tree)."""

    def __init__(self) -> None:
        self._built: dict[int, sp.Expr] = {}

    def build_tree(self, root: ast.AST) -> sp.Expr:
        order, stack = [], [root]
        while stack:  # pre-order, reversed below: every child is built before its parent
            node = stack.pop()
            if isinstance(node, ast.Call):
                self._check_call(node)  # an unknown function is named before its arguments are read
            order.append(node)
            stack.extend(_children(node))
        for node in reversed(order):
            self._built[id(node)] = self._build_node(node)
        return self._built[id(root)]

    def build(self, node: ast.AST) -> sp.Expr:
        if id(node) in self._built:
            return self._built[id(node)]
        return self._build_node(node)

    def _build_node(self, node: ast.AST) -> sp.Expr:
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise _fail(node, f"'{ast.unparse(node)}' is not allowed in a claim: use arithmetic, numbers, "
                              "x and the parameter symbols, and calls of registered or standard functions")
        return method(node)

    def _Constant(self, node: ast.Constant) -> sp.Expr:
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise _fail(node, f"only numbers are allowed as constants, got {node.value!r}")
        if isinstance(node.value, float):
            if not math.isfinite(node.value):
                raise _fail(node, "numbers must be finite (write oo for infinity)")
            return sp.Rational(repr(node.value))  # 0.044715 means exactly 44715/10^6
        return sp.Integer(node.value)

    def _Name(self, node: ast.Name) -> sp.Expr:
        if node.id in SYMBOLS:
            return SYMBOLS[node.id]
        raise _fail(node, f"unknown name {node.id!r}: the symbols are {', '.join(SYMBOLS)}")

    def _BinOp(self, node: ast.BinOp) -> sp.Expr:
        op = _BINOPS.get(type(node.op))
        if op is None:
            raise _fail(node, f"operator {type(node.op).__name__} is not allowed (use + - * / **)")
        return op(self.build(node.left), self.build(node.right))

    def _UnaryOp(self, node: ast.UnaryOp) -> sp.Expr:
        if isinstance(node.op, ast.USub):
            return -self.build(node.operand)
        if isinstance(node.op, ast.UAdd):
            return self.build(node.operand)
        raise _fail(node, "only unary + and - are allowed")

    def _check_call(self, node: ast.Call) -> None:
        if not isinstance(node.func, ast.Name):
            raise _fail(node, "call functions by plain name, e.g. gelu(x)")
        name = node.func.id
        key = name.lower()
        if name not in ("diff", "limit") and name not in FUNCTIONS and key not in REGISTRY and key not in ALIASES:
            raise _fail(node, f"unknown function {name!r}: use a registered activation (symact list), diff, "
                              f"limit, or one of {', '.join(sorted(FUNCTIONS))}")

    def _Call(self, node: ast.Call) -> sp.Expr:
        self._check_call(node)
        name = node.func.id
        if name == "diff":
            return self._diff(node)
        if name == "limit":
            return self._limit(node)
        key = name.lower()
        args = [self.build(a) for a in node.args]
        kwargs = {k.arg: self.build(k.value) for k in node.keywords if k.arg is not None}
        if name in FUNCTIONS:
            if kwargs:
                raise _fail(node, f"{name}() takes no keyword arguments")
            try:
                return FUNCTIONS[name](*args)
            except (TypeError, ValueError) as exc:
                raise _fail(node, f"bad arguments to {name}(): {exc}") from exc
        if key in REGISTRY or key in ALIASES:
            act = get(key)
            if len(args) < 1:
                raise _fail(node, f"{name}() needs its argument, e.g. {name}(x)")
            names = list(act.params)
            if len(args) - 1 > len(names):
                raise _fail(node, f"{name}() takes x and at most {len(names)} parameter(s): {names}")
            values = dict(zip(names, args[1:], strict=False))
            overlap = set(values) & set(kwargs)
            if overlap:
                raise _fail(node, f"{name}(): parameter(s) {sorted(overlap)} given twice")
            values.update(kwargs)
            expr = act(args[0], **values)
            return expr.xreplace({p.symbol: p.default for p in act.parameters if p.name not in values})
        raise AssertionError("unreachable: the name was checked above")

    def _diff(self, node: ast.Call) -> sp.Expr:
        if not 1 <= len(node.args) <= 3 or node.keywords:
            raise _fail(node, "diff takes (expression, variable[, order]), e.g. diff(gelu(x), x)")
        expr = self.build(node.args[0])
        var = self.build(node.args[1]) if len(node.args) > 1 else x
        order = self.build(node.args[2]) if len(node.args) > 2 else sp.S.One
        if not isinstance(var, sp.Symbol) or not (order.is_Integer and order >= 0):
            raise _fail(node, "diff needs a symbol and a non-negative integer order")
        return derivative(expr, int(order), wrt=var)

    def _limit(self, node: ast.Call) -> sp.Expr:
        if len(node.args) != 3 or node.keywords:
            raise _fail(node, "limit takes (expression, variable, point), e.g. limit(swish(x, beta), beta, oo)")
        expr, var, point = (self.build(a) for a in node.args)
        if not isinstance(var, sp.Symbol):
            raise _fail(node, "the limit variable must be a symbol such as beta")
        return limit(expr, point, wrt=var)


def parse(text: str) -> sp.Expr:
    """A claim side (or any expression in the claim grammar) as a SymPy expression."""
    if not isinstance(text, str) or not text.strip():
        raise ClaimSyntaxError("an expression is needed, e.g. gelu(x)")
    if len(text) > MAX_LENGTH:
        raise ClaimSyntaxError(f"the expression has {len(text)} characters; at most {MAX_LENGTH} are read")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ClaimSyntaxError(f"cannot parse {_excerpt(text)}: {exc.msg}") from None
    except (RecursionError, MemoryError):  # CPython's parser gives up on very deep nesting
        raise ClaimSyntaxError(f"the expression is nested too deeply to parse (at most {MAX_DEPTH} levels)") from None
    _check_size(tree.body)
    try:
        return _Builder().build_tree(tree.body)
    except RecursionError:  # SymPy itself recursing on a legal but huge expression
        raise ClaimSyntaxError("the expression is too large for SymPy to build: simplify it first") from None


def _excerpt(text: str, width: int = 80) -> str:
    text = text.strip()
    return repr(text if len(text) <= width else text[:width] + "…")


def _split(claim: str) -> tuple[str, str, str]:
    """Split at the top-level relation: '==' (equality) or '~' (approximation)."""
    depth = 0
    for i, ch in enumerate(claim):
        depth += ch in "([" and 1 or (-1 if ch in ")]" else 0)
        if depth == 0:
            if claim.startswith("==", i):
                return claim[:i], "==", claim[i + 2:]
            if ch == "~":
                return claim[:i], "~", claim[i + 1:]
    raise ClaimSyntaxError("a claim needs '==' (equality) or '~' (approximation), e.g. silu(x) == swish(x, 1)")


@dataclass(frozen=True)
class Verdict:
    """The decision on one claim."""

    claim: str
    kind: str
    verdict: str
    detail: str
    lhs: sp.Expr | None = None
    rhs: sp.Expr | None = None
    counterexample: dict[str, str] = field(default_factory=dict)
    max_error: str | None = None
    at: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.verdict in (PROVED, HOLDS)

    def __str__(self) -> str:
        return f"{self.verdict}: {self.claim}\n  {self.detail}"

    def _repr_latex_(self) -> str:
        from ..latex import expression

        rel = "=" if self.kind != "approximation" else r"\approx"
        if self.lhs is None or self.rhs is None:
            return rf"$\text{{{self.verdict}}}$"
        return rf"$\text{{{self.verdict}}}:\ {expression(self.lhs)} {rel} {expression(self.rhs)}$"


def _kind(text: str) -> str:
    stripped = text.replace(" ", "")
    if "diff(" in stripped:
        return "derivative"
    if "limit(" in stripped:
        return "limit"
    return "equality"


# Sample points for counterexamples: spread over the scales where activations differ.
_X_POINTS = ("-7.25", "-3.1", "-1.7", "-0.9", "-0.35", "0.15", "0.6", "1.3", "2.45", "4.2", "8.9")
_PARAM_POINTS = ("0.37", "1", "1.9", "3.3")


def _decide_equality(text: str, kind: str, lhs: sp.Expr, rhs: sp.Expr,
                     interval: tuple[float, float] | None = None) -> Verdict:
    if lhs == rhs or equivalent(lhs, rhs):
        return Verdict(text, kind, PROVED, "SymPy reduces the difference to 0", lhs, rhs)
    diff = to_elementary(lhs - rhs)
    free = sorted(diff.free_symbols, key=lambda s: (s != x, s.name))
    if any(not s.is_real for s in free):
        return Verdict(text, kind, UNDECIDED, f"symbols without a real domain: {free}", lhs, rhs)
    f = mp_function(diff, free, named=False)
    fl = mp_function(lhs, free, named=False)
    fr = mp_function(rhs, free, named=False)
    lo, hi = interval if interval is not None else (-10, 10)
    # the scattered points, and for x a grid of the interval: a counterexample is then reported where the
    # difference is largest, i.e. plain to see (not where both sides are ~1e-11)
    dense = tuple(str(mp.mpf(lo) + (mp.mpf(hi) - mp.mpf(lo)) * k / 200) for k in range(201))
    grids = [(*_X_POINTS, *dense) if s == x else _PARAM_POINTS if s.is_positive else _X_POINTS[::2] for s in free]
    worst: tuple[mp.mpf, tuple[mp.mpf, ...]] = (mp.mpf(0), ())
    failed: tuple[mp.mpf, tuple[mp.mpf, ...], Any, Any] | None = None
    with mp.workdps(30):
        for point in _product(grids):
            values = tuple(mp.mpf(v) for v in point)
            try:
                left, right = fl(*values), fr(*values)
                same_infinity = mp.isinf(left) and left == right
                gap = mp.mpf(0) if same_infinity else abs(exact_value(lambda _t, v=values: f(*v), 0))
                scale = max(1, abs(left), abs(right)) if not same_infinity else 1
            except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                continue
            if not mp.isfinite(gap) or gap > mp.mpf(10) ** -20 * scale:
                size = gap if mp.isfinite(gap) else mp.inf
                if failed is None or size > failed[0]:
                    failed = (size, values, left, right)
            elif gap >= worst[0]:
                worst = (gap, values)
    if failed is not None:
        size, values, left, right = failed
        example = {s.name: mp.nstr(v, 15) for s, v in zip(free, values, strict=True)}
        where = f"counterexample {_fmt(example)}" if example else "the sides differ"
        detail = (f"{where} (largest difference found): left = {mp.nstr(left, 15)}, right = {mp.nstr(right, 15)}, "
                  f"difference = {mp.nstr(size, 6)}")
        return Verdict(text, kind, DISPROVED, detail, lhs, rhs, counterexample=example)
    if not worst[1] and free:
        return Verdict(text, kind, UNDECIDED, "the two sides could not be evaluated at any sample point", lhs, rhs)
    at = {s.name: mp.nstr(v, 15) for s, v in zip(free, worst[1], strict=True)}
    detail = (f"not proved symbolically; max |difference| {mp.nstr(worst[0], 3)} over "
              f"{len(list(_product(grids)))} sample points" + (f", at {_fmt(at)}" if at else ""))
    return Verdict(text, kind, HOLDS, detail, lhs, rhs, max_error=mp.nstr(worst[0], 6), at=at)


def _product(grids: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = [()]
    for g in grids:
        out = [p + (v,) for p in out for v in g]
    return out


def _fmt(values: dict[str, str]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in values.items())


def _decide_approximation(text: str, lhs: sp.Expr, rhs: sp.Expr, tol: float, interval: Any) -> Verdict:
    free = (lhs - rhs).free_symbols - {x}
    if free:
        names = ", ".join(sorted(s.name for s in free))
        raise InvalidArgumentError(f"an approximation claim needs numbers for {names}, e.g. swish(x, beta=2)")
    found = _approx.max_error(rhs, lhs, interval)
    where = {"x": mp.nstr(found.at, 15)}
    span = "the real line" if interval is None else f"[{interval[0]}, {interval[1]}]"
    if found.value <= tol:
        detail = f"max |difference| {mp.nstr(found.value, 6)} <= tol {tol} on {span}, at x = {where['x']}"
        return Verdict(text, "approximation", HOLDS, detail, lhs, rhs, max_error=mp.nstr(found.value, 6), at=where)
    detail = (f"counterexample x = {where['x']}: |difference| {mp.nstr(found.value, 6)} > tol {tol} "
              f"(the maximum on {span})")
    return Verdict(text, "approximation", DISPROVED, detail, lhs, rhs, counterexample=where,
                   max_error=mp.nstr(found.value, 6), at=where)


def check(claim: str, *, tol: float = 1e-2, interval: tuple[float, float] | None = None) -> Verdict:
    """Decide ``claim`` (see the module docstring for the grammar and the verdicts).

    >>> check("swish(x, beta=0) == x/2").verdict
    'PROVED'
    """
    if not isinstance(claim, str):
        raise ClaimSyntaxError(f"a claim is a string such as 'silu(x) == swish(x, 1)', got {claim!r}")
    if len(claim) > 2 * MAX_LENGTH:
        raise ClaimSyntaxError(f"the claim has {len(claim)} characters; at most {2 * MAX_LENGTH} are read")
    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol > 0):
        raise InvalidArgumentError(f"tol must be a positive number, got {tol!r}")
    left, rel, right = _split(claim)
    text = claim.strip()
    try:
        lhs, rhs = parse(left), parse(right)
    except UndecidedError as exc:
        return Verdict(text, _kind(claim), UNDECIDED, f"SymPy could not evaluate a side: {exc}")
    for side, value in (("left", lhs), ("right", rhs)):
        if value.has(sp.zoo, sp.nan):
            raise InvalidArgumentError(f"the {side} side {value} is undefined (a division by zero?)")
    if rel == "~":
        return _decide_approximation(text, lhs, rhs, float(tol), interval)
    try:
        return _decide_equality(text, _kind(claim), lhs, rhs, interval)
    except SymactError:
        raise
    except Exception as exc:  # noqa: BLE001  SymPy can fail in many ways on odd input: say so, do not guess
        return Verdict(text, _kind(claim), UNDECIDED, f"SymPy could not decide: {type(exc).__name__}: {exc}",
                       lhs, rhs)


__all__ = ["DISPROVED", "HOLDS", "PROVED", "UNDECIDED", "ClaimSyntaxError", "Verdict", "check", "parse"]
