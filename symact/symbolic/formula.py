"""The formula grammar: a whitelist over Python's ``ast`` (nothing is ``eval``-ed), shared by claims,
user definitions (:func:`symact.define`) and the CLI.

* numbers, ``x``, the parameter symbols (``beta``, ``kappa``, ``alpha``, ``lam``), ``pi``, ``E``, ``oo``, a
  definition's own parameters, and the block weights ``W, V, b, c, W2, b2`` (a definition's parameters of
  the same name take precedence: no name is reserved);
* ``+ - * / **`` and ``^`` (a power, read at the token level: ``2^3^2`` is 2⁹, ``-x^2`` is −x²);
* comparisons, ``and``/``or``, ``True``/``False`` (conditions of ``Piecewise`` and ``where``);
* calls of registered activations (``swish(x, beta=2)``, defaults for what is not given), of blocks in their
  scalar form (``glu(x)``, ``swiglu(x, W, V, b, c, beta=1)``, ``ffn_swiglu(x, W, V, W2)``: weights positional,
  omitted ones stay the symbols), of :data:`FUNCTIONS`, ``Piecewise((e, cond), …, (e, True))``,
  ``where(cond, a, b)``, ``clamp(v, lo, hi)``, ``diff(E, var[, n])`` and ``limit(E, var, point)``.

It builds iteratively (children first), and refuses input beyond :data:`MAX_LENGTH` characters,
:data:`MAX_NODES` parts or :data:`MAX_DEPTH` levels with a message.
"""

from __future__ import annotations

import ast
import io
import math
import re
import tokenize
from collections.abc import Callable, Mapping
from typing import Any

import sympy as sp

from ..blocks.model import W2, V, W, b, b2, c, get_block, is_block
from ..errors import InvalidArgumentError, SymactError
from ..functions import Phi, phi, sigma, softplus
from ..registry import ALIASES, QUALIFIED_RESOLVER, REGISTRY, Activation, get
from ..symbols import alpha, beta, kappa, lam, x
from .calculus import derivative, limit


class FormulaSyntaxError(InvalidArgumentError):
    """The text is not in the formula grammar (the message says what is allowed)."""


MAX_LENGTH = 20_000
"""Characters a claim side or formula may have (a pasted formula is far shorter)."""
MAX_NODES = 20_000
"""Syntax-tree nodes a formula may have."""
MAX_DEPTH = 100
"""Nesting a formula may have: calls, unary signs and mixed operators count; a chain of the same + or *
(x + x + … + x) counts once, however long."""

SYMBOLS: dict[str, sp.Expr] = {
    "x": x, "beta": beta, "kappa": kappa, "alpha": alpha, "lam": lam,
    "pi": sp.pi, "E": sp.E, "oo": sp.oo, "inf": sp.oo,
}
WEIGHTS: dict[str, sp.Symbol] = {"W": W, "V": V, "b": b, "c": c, "W2": W2, "b2": b2}
"""The block weights of the scalar forms, as names in formulas."""

FUNCTIONS: dict[str, Callable[..., sp.Expr]] = {
    "Phi": Phi, "phi": phi, "sigma": sigma, "exp": sp.exp, "log": sp.log, "log1p": lambda z: sp.log(1 + z),
    "sqrt": sp.sqrt, "tanh": sp.tanh, "cosh": sp.cosh, "sinh": sp.sinh, "sech": sp.sech, "erf": sp.erf,
    "erfc": sp.erfc, "abs": sp.Abs, "Abs": sp.Abs, "max": sp.Max, "Max": sp.Max, "min": sp.Min, "Min": sp.Min,
    "LambertW": sp.LambertW, "softplus_fn": softplus, "expm1": lambda z: sp.exp(z) - 1,
    "where": lambda cond, a, b_: sp.Piecewise((a, cond), (b_, True)),
    "clamp": lambda v, lo, hi: sp.Min(sp.Max(v, lo), hi),
}
"""Functions a formula may call besides activations, blocks, ``Piecewise``, ``diff`` and ``limit``."""

_SPECIAL = ("diff", "limit", "Piecewise")

_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: lambda p, q: p + q, ast.Sub: lambda p, q: p - q, ast.Mult: lambda p, q: p * q,
    ast.Div: lambda p, q: p / q, ast.Pow: lambda p, q: p**q,
}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Gt: sp.Gt, ast.GtE: sp.Ge, ast.Lt: sp.Lt, ast.LtE: sp.Le,
}


def _fail(node: ast.AST | None, message: str) -> FormulaSyntaxError:
    where = f" (at column {node.col_offset + 1})" if node is not None and hasattr(node, "col_offset") else ""
    return FormulaSyntaxError(message + where)


def _children(node: ast.AST) -> list[ast.AST]:
    """The sub-expressions the builder turns into SymPy (not a call's function name)."""
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return [*node.args, *(k.value for k in node.keywords)]
    if isinstance(node, ast.Compare):
        return [node.left, *node.comparators]
    if isinstance(node, ast.BoolOp):
        return list(node.values)
    if isinstance(node, ast.Tuple):
        return list(node.elts)
    return []


def _check_size(tree: ast.AST) -> None:
    """Refuse trees beyond :data:`MAX_NODES` or :data:`MAX_DEPTH`, without recursion."""
    count, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise FormulaSyntaxError(f"the expression has more than {MAX_NODES} parts: split it or simplify it")
        if depth > MAX_DEPTH:
            raise FormulaSyntaxError(f"the expression is nested more than {MAX_DEPTH} levels deep "
                                     "(calls, signs and mixed operators): simplify it first")
        for child in _children(node):
            same_chain = isinstance(node, ast.BinOp) and isinstance(child, ast.BinOp) and \
                type(child.op) is type(node.op) and isinstance(node.op, (ast.Add, ast.Mult))
            stack.append((child, depth if same_chain else depth + 1))


def caret_to_power(text: str) -> str:
    """``^`` → ``**`` token by token (blogs write ``0.044715*x^3``); Python's ``**`` then gives the
    precedence and right associativity of a power."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return text  # ast.parse reports the problem
    if not any(t.type == tokenize.OP and t.string == "^" for t in tokens):
        return text
    out = [t._replace(string="**") if t.type == tokenize.OP and t.string == "^" else t for t in tokens]
    return tokenize.untokenize(out)


class _Builder:
    """Turns a whitelisted Python expression AST into SymPy, children first, without recursion (a sum of
    500 terms is 500 levels deep as a syntax tree)."""

    def __init__(self, symbols: Mapping[str, sp.Expr] | None, literals: dict[sp.Symbol, sp.Rational] | None,
                 qualified: Mapping[str, Any] | None = None) -> None:
        self._built: dict[int, Any] = {}
        self._qualified = dict(qualified or {})
        self._names = {**SYMBOLS, **WEIGHTS, **(symbols or {})}
        self._literals = literals

    def build_tree(self, root: ast.AST) -> Any:
        order, stack = [], [root]
        while stack:  # pre-order, reversed below: every child is built before its parent
            node = stack.pop()
            if isinstance(node, ast.Call):
                self._check_call(node)  # an unknown function is named before its arguments are read
            order.append(node)
            stack.extend(_children(node))
        for node in reversed(order):
            try:
                self._built[id(node)] = self._build_node(node)
            except (TypeError, ValueError, AttributeError) as exc:
                if isinstance(exc, SymactError):
                    raise
                raise _fail(node, f"cannot build '{_excerpt(ast.unparse(node), 60)}': {exc}") from None
        return self._built[id(root)]

    def build(self, node: ast.AST) -> Any:
        return self._built[id(node)] if id(node) in self._built else self._build_node(node)

    def _build_node(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Tuple):  # only as a Piecewise pair, checked there
            return tuple(self.build(e) for e in node.elts)
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise _fail(node, f"'{_excerpt(ast.unparse(node), 60)}' is not allowed in a formula: use arithmetic, "
                              "numbers, x and the parameter symbols, comparisons, and calls of registered or "
                              "standard functions")
        return method(node)

    def _Constant(self, node: ast.Constant) -> Any:
        if isinstance(node.value, bool):
            return sp.true if node.value else sp.false
        if not isinstance(node.value, (int, float)):
            raise _fail(node, f"only numbers are allowed as constants, got {node.value!r}")
        if isinstance(node.value, float):
            if not math.isfinite(node.value):
                raise _fail(node, "numbers must be finite (write oo for infinity)")
            exact = sp.Rational(repr(node.value))  # 0.044715 means exactly 44715/10^6
            if self._literals is not None and not exact.is_Integer:
                # kept as a symbol while deriving, so that 3*0.044715 stays visible (see symact derive)
                sym = next((s for s, v in self._literals.items() if v == exact), None)
                if sym is None:
                    sym = sp.Symbol(f"c_{len(self._literals) + 1}", positive=True)
                    self._literals[sym] = exact
                return sym
            return exact
        return sp.Integer(node.value)

    def _Name(self, node: ast.Name) -> sp.Expr:
        if node.id in self._names:
            return self._names[node.id]
        raise _fail(node, f"unknown name {node.id!r}: a parameter needs a value (define(..., params={{'{node.id}': "
                          f"1.0}}) or [activation] params = {{{node.id} = 1.0}}); the known symbols are "
                          f"{', '.join(self._names)}")

    def _BinOp(self, node: ast.BinOp) -> sp.Expr:
        op = _BINOPS.get(type(node.op))
        if op is None:
            raise _fail(node, f"operator {type(node.op).__name__} is not allowed (use + - * / ** or ^)")
        return op(self.build(node.left), self.build(node.right))

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        if isinstance(node.op, ast.USub):
            return -self.build(node.operand)
        if isinstance(node.op, ast.UAdd):
            return self.build(node.operand)
        if isinstance(node.op, ast.Not):
            return sp.Not(self.build(node.operand))
        raise _fail(node, "only unary +, - and not are allowed")

    def _Compare(self, node: ast.Compare) -> Any:
        parts = [self.build(node.left), *(self.build(c_) for c_ in node.comparators)]
        out = []
        for op, (lhs, rhs) in zip(node.ops, zip(parts, parts[1:], strict=False), strict=True):
            rel = _COMPARE.get(type(op))
            if rel is None:
                raise _fail(node, "comparisons are <, <=, > and >= (a claim's == splits the two sides)")
            out.append(rel(lhs, rhs))
        return sp.And(*out)

    def _BoolOp(self, node: ast.BoolOp) -> Any:
        values = [self.build(v) for v in node.values]
        return sp.And(*values) if isinstance(node.op, ast.And) else sp.Or(*values)

    def _check_call(self, node: ast.Call) -> None:
        if not isinstance(node.func, ast.Name):
            raise _fail(node, "call functions by plain name, e.g. gelu(x)")
        name = node.func.id
        key = name.lower()
        if name not in _SPECIAL and name not in FUNCTIONS and key not in REGISTRY and key not in ALIASES \
                and not is_block(key) and name not in self._qualified:
            raise _fail(node, f"unknown function {name!r}: use a registered activation (symact list), a block "
                              f"(glu, swiglu, ...), diff, limit, Piecewise, or one of {', '.join(sorted(FUNCTIONS))}")

    def _Call(self, node: ast.Call) -> Any:
        self._check_call(node)
        name = node.func.id
        if name == "diff":
            return self._diff(node)
        if name == "limit":
            return self._limit(node)
        if name == "Piecewise":
            return self._piecewise(node)
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
        if name in self._qualified and not isinstance(self._qualified[name], Activation):
            return self._block(node, name, args, kwargs)
        if key in REGISTRY or key in ALIASES or name in self._qualified:
            act = self._qualified[name] if name in self._qualified else get(key)
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
        return self._block(node, key, args, kwargs)

    def _block(self, node: ast.Call, key: str, args: list[Any], kwargs: dict[str, Any]) -> sp.Expr:
        block = self._qualified[key] if key in self._qualified else get_block(key)
        output = key.startswith("ffn")
        order = ["W", "V", "W2", "b", "c", "b2"] if output else ["W", "V", "b", "c"]
        if not block.gated:
            order = [w for w in order if w not in ("V", "c")]
        if not args:
            raise _fail(node, f"{key}() needs its argument, e.g. {key}(x)")
        if len(args) - 1 > len(order):
            raise _fail(node, f"{key}() takes x and at most {len(order)} weights, in the order {', '.join(order)}")
        try:
            expr = block.scalar(output=output, **kwargs)
            acts = [a for a in block.activations() if a is not None]
        except SymactError as exc:
            raise _fail(node, f"{key}(): {exc}") from None
        # activation parameters not given take their defaults, as for activations (SwiGLU's beta = 1)
        expr = expr.xreplace({p.symbol: p.default for a in acts for p in a.parameters if p.name not in kwargs})
        given = {WEIGHTS[w]: v for w, v in zip(order, args[1:], strict=False)}
        return expr.xreplace(given).xreplace({x: args[0]})

    def _piecewise(self, node: ast.Call) -> sp.Expr:
        if node.keywords or not node.args:
            raise _fail(node, "Piecewise takes pairs (value, condition), the last (value, True)")
        pairs = []
        for arg in node.args:
            pair = self.build(arg)
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise _fail(arg, "each Piecewise argument is a pair (value, condition)")
            value, cond = pair
            if not isinstance(cond, (sp.logic.boolalg.Boolean, sp.core.relational.Relational)):
                raise _fail(arg, f"a Piecewise condition must be a comparison or True, got {cond}")
            pairs.append((value, cond))
        if pairs[-1][1] != sp.true:
            raise _fail(node, "the last Piecewise pair must be (value, True): every x needs a value")
        return sp.Piecewise(*pairs)

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


_QUALIFIED = re.compile(r"\b([A-Za-z][\w.]*):([A-Za-z_]\w*)(\((?:\s*\w+\s*=\s*[^()=,]+,?\s*)+\))?")


def _qualified_names(text: str) -> tuple[str, dict[str, Any]]:
    """``hf:gelu_fast(x)`` → ``_q0(x)`` with ``_q0`` the resolved definition: framework spellings are rewritten
    before Python's parser sees the ``:`` (an option group such as ``(approximate='tanh')`` is part of the name)."""
    found: dict[str, Any] = {}
    if ":" not in text or not QUALIFIED_RESOLVER:
        return text, found

    def replace(m: re.Match[str]) -> str:
        key = f"_q{len(found)}"
        found[key] = QUALIFIED_RESOLVER[0](m.group(0))
        return key

    return _QUALIFIED.sub(replace, text), found


def parse(text: str, *, symbols: Mapping[str, sp.Expr] | None = None,
          literals: dict[sp.Symbol, sp.Rational] | None = None) -> sp.Expr:
    """A formula (or a claim side) as a SymPy expression.

    ``symbols`` adds names (a definition's parameters; they shadow the block weights). With ``literals`` (a
    dict, filled in), decimal literals become symbols ``c_1, c_2, …`` mapped to their exact values, so that
    a derivative keeps ``3*c_1`` instead of one folded float.
    """
    if not isinstance(text, str) or not text.strip():
        raise FormulaSyntaxError("an expression is needed, e.g. gelu(x)")
    if len(text) > MAX_LENGTH:
        raise FormulaSyntaxError(f"the expression has {len(text)} characters; at most {MAX_LENGTH} are read")
    source, qualified = _qualified_names(caret_to_power(text.strip()))
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise FormulaSyntaxError(f"cannot parse {_excerpt(text)}: {exc.msg}") from None
    except (RecursionError, MemoryError):  # CPython's parser gives up on very deep nesting
        raise FormulaSyntaxError(f"the expression is nested too deeply to parse (at most {MAX_DEPTH} levels)") \
            from None
    _check_size(tree.body)
    try:
        out = _Builder(symbols, literals, qualified).build_tree(tree.body)
    except RecursionError:  # SymPy itself recursing on a legal but huge expression
        raise FormulaSyntaxError("the expression is too large for SymPy to build: simplify it first") from None
    if isinstance(out, tuple) or not isinstance(out, sp.Expr):
        raise FormulaSyntaxError(f"{_excerpt(text)} is not a number-valued expression")
    return out


def _excerpt(text: str, width: int = 80) -> str:
    text = text.strip()
    return repr(text if len(text) <= width else text[:width] + "…")


__all__ = ["FUNCTIONS", "FormulaSyntaxError", "MAX_DEPTH", "MAX_LENGTH", "MAX_NODES", "SYMBOLS", "WEIGHTS",
           "caret_to_power", "parse"]
