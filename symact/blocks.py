r"""Transformer feed-forward blocks built from registered activations: FFN, GLU and its variants.

Every block is $H = f(xW + b) \otimes g(xV + c)$ followed, in its FFN form, by $Y = H W_2 + b_2$
($\otimes$ is the elementwise product, written as in Shazeer 2020). A plain FFN has no second
projection: $H = f(xW_1 + b_1)$.

Which projection is gated differs between papers, and circulated notes get it wrong:

* Dauphin et al. 2017 (GLU): $(xW + b) \otimes \sigma(xV + c)$ — the sigmoid gates the *second*
  projection. That is :data:`GLU` here (``first="identity", second="sigmoid"``).
* Shazeer 2020, eq. 4 writes $\operatorname{GLU}(x) = \sigma(xW + b) \otimes (xV + c)$ — the gate on
  the *first*; his variants ReGLU, GEGLU, SwiGLU apply the activation to the first projection too
  (eq. 5). Both orders are the same family with $W \leftrightarrow V$ swapped.
* Not GLU: ``x * sigmoid(W1 x)`` or ``x * GELU(W1 x)`` (seen in blog posts and notes) — the input
  itself is never a factor in either paper; both factors are learned projections.

Forms: :meth:`Block.scalar` (scalar weights, as in the classic plotting script
``swiglu(x, W, V, b, c)``), :meth:`Block.vector` (explicit $x \in \mathbb{R}^{1\times d}$,
$W, V \in \mathbb{R}^{d\times h}$ ...), and NumPy :func:`forward` / :func:`gradients` on batches
$(n, d)$. Gradients are closed forms in matrix notation (:func:`gradient_latex`), written once over
an array-ops adapter so that the same code is proved against SymPy's differentiation of
:meth:`Block.vector` and evaluated in NumPy.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from .calculus import derivative
from .errors import InvalidArgumentError, UnknownParameterError
from .numeric import lambdify
from .registry import Activation, get, lookup
from .symbols import x

SHAZEER_2020 = "Shazeer 2020, GLU Variants Improve Transformer, arXiv:2002.05202, eqs. 4-6"
DAUPHIN_2017 = ("Dauphin, Fan, Auli & Grangier 2017, Language Modeling with Gated Convolutional Networks, "
                "arXiv:1612.08083")
VASWANI_2017 = "Vaswani et al. 2017, Attention Is All You Need, eq. 2 (FFN)"
TOUVRON_2023 = "Touvron et al. 2023, LLaMA: Open and Efficient Foundation Language Models (model.py: FeedForward)"

# Scalar weights of the scalar form.
W, V, b, c, W2, b2 = sp.symbols("W V b c W_2 b_2", real=True)

PARAMETERS = ("W", "V", "b", "c", "W2", "b2")
"""Names of the block's weights, as :func:`forward` and :func:`gradients` take them."""


@dataclass(frozen=True)
class Block:
    r"""$H = f(xW + b) \otimes g(xV + c)$, or $H = f(xW + b)$ when ``second`` is None (plain FFN)."""

    name: str
    first: str
    second: str | None
    latex_name: str
    formula: str
    references: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    notes: str = ""

    @property
    def gated(self) -> bool:
        return self.second is not None

    def activations(self, **params: Any) -> tuple[Activation, Activation | None]:
        """The two activations with ``params`` applied (each parameter goes to whichever has it)."""
        f = get(self.first)
        g = get(self.second) if self.second else None
        known = {*f.params, *(g.params if g else {})}
        for key in params:
            if key not in known:
                close = difflib.get_close_matches(key, sorted(known), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise UnknownParameterError(
                    f"{self.name} has no activation parameter {key!r}{hint}; "
                    f"its parameters are {', '.join(sorted(known)) or 'none'}"
                )

        def pick(act: Activation) -> Activation:
            mine = {k: v for k, v in params.items() if k in act.params}
            return act.with_defaults(**mine) if mine else act

        return pick(f), (pick(g) if g else None)

    def scalar(self, *, output: bool = False, bias: bool = True, **params: Any) -> sp.Expr:
        """The block with scalar weights: ``f(xW + b) * g(xV + c)`` (``* W2 + b2`` if ``output``).

        Activation parameters stay symbolic unless given (SwiGLU keeps ``beta``).
        """
        f, g = self.activations(**params)
        u = x * W + (b if bias else 0)
        hidden = _apply(f, u, params)
        if g is not None:
            hidden *= _apply(g, x * V + (c if bias else 0), params)
        return hidden * W2 + (b2 if bias else 0) if output else hidden

    def vector(self, d: int, h: int, d_out: int | None = None, *, bias: bool = True,
               **params: Any) -> dict[str, sp.Matrix]:
        """Explicit symbolic matrices: ``x`` (1×d), ``W``, ``V`` (d×h), ``b``, ``c`` (1×h), ``W2`` (h×d_out),
        ``b2`` (1×d_out), and ``output`` (1×h, or 1×d_out when ``d_out`` is given)."""
        for label, n in (("d", d), ("h", h), ("d_out", d_out if d_out is not None else 1)):
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                raise InvalidArgumentError(f"{label} must be a positive integer, got {n!r}")
        f, g = self.activations(**params)
        mats: dict[str, sp.Matrix] = {
            "x": _matrix("x", 1, d), "W": _matrix("W", d, h),
        }
        if g is not None:
            mats["V"] = _matrix("V", d, h)
        if bias:
            mats["b"] = _matrix("b", 1, h)
            if g is not None:
                mats["c"] = _matrix("c", 1, h)
        if d_out is not None:
            mats["W2"] = _matrix("W2", h, d_out)
            if bias:
                mats["b2"] = _matrix("b2", 1, d_out)
        ops = SympyOps(f, g, params)
        mats["output"] = _forward(ops, mats)["Y"]
        return mats

    def __repr__(self) -> str:
        return f"<Block {self.name}: {self.formula}>"

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {latex(self, output=True)}$"


def _apply(act: Activation, arg: sp.Expr, params: Mapping[str, Any]) -> sp.Expr:
    mine = {k: v for k, v in params.items() if k in act.params}
    return act(arg, **mine)


def _matrix(stem: str, rows: int, cols: int) -> sp.Matrix:
    if rows == 1:
        return sp.Matrix(1, cols, lambda i, j: sp.Symbol(f"{stem}_{j + 1}", real=True))
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{stem}_{i + 1}{j + 1}", real=True))


# --- closed forms, written once over an array-ops adapter ----------------------------------


class SympyOps:
    """Explicit SymPy matrices for one input row (n = 1)."""

    def __init__(self, f: Activation, g: Activation | None, params: Mapping[str, Any]) -> None:
        self._f = (_apply(f, x, params), derivative(_apply(f, x, params)))
        self._g = (_apply(g, x, params), derivative(_apply(g, x, params))) if g else None

    @staticmethod
    def matmul(a: sp.Matrix, b: sp.Matrix) -> sp.Matrix:
        return a * b

    @staticmethod
    def T(a: sp.Matrix) -> sp.Matrix:
        return a.T

    @staticmethod
    def mul(a: sp.Matrix, b: sp.Matrix) -> sp.Matrix:
        return a.multiply_elementwise(b)

    @staticmethod
    def sum_rows(a: sp.Matrix) -> sp.Matrix:
        return a  # a single row

    def f(self, a: sp.Matrix, order: int = 0) -> sp.Matrix:
        return a.applyfunc(lambda e: self._f[order].xreplace({x: e}))

    def g(self, a: sp.Matrix, order: int = 0) -> sp.Matrix:
        assert self._g is not None
        return a.applyfunc(lambda e: self._g[order].xreplace({x: e}))


class NumpyOps:
    """NumPy arrays of shape (n, ·), activations lowered with :func:`symact.lambdify`."""

    def __init__(self, f: Activation, g: Activation | None, params: Mapping[str, Any]) -> None:
        def pair(act: Activation) -> tuple[Callable, Callable]:
            mine = {k: v for k, v in params.items() if k in act.params}
            return lambdify(act, **mine), lambdify(act, derivative=1, **mine)

        self._f = pair(f)
        self._g = pair(g) if g else None

    matmul = staticmethod(np.matmul)
    mul = staticmethod(np.multiply)

    @staticmethod
    def T(a: np.ndarray) -> np.ndarray:
        return a.T

    @staticmethod
    def sum_rows(a: np.ndarray) -> np.ndarray:
        return a.sum(axis=0)

    def f(self, a: np.ndarray, order: int = 0) -> np.ndarray:
        return self._f[order](a)

    def g(self, a: np.ndarray, order: int = 0) -> np.ndarray:
        assert self._g is not None
        return self._g[order](a)


def _forward(ops: Any, p: Mapping[str, Any]) -> dict[str, Any]:
    U = ops.matmul(p["x"], p["W"]) + (p["b"] if "b" in p else 0)
    out: dict[str, Any] = {"U": U}
    H = ops.f(U)
    if "V" in p:
        P = ops.matmul(p["x"], p["V"]) + (p["c"] if "c" in p else 0)
        out["P"] = P
        H = ops.mul(H, ops.g(P))
    out["H"] = H
    out["Y"] = ops.matmul(H, p["W2"]) + (p["b2"] if "b2" in p else 0) if "W2" in p else H
    return out


def _backward(ops: Any, p: Mapping[str, Any], cache: Mapping[str, Any], G: Any) -> dict[str, Any]:
    """Gradients of L = sum(G ⊗ Y); see :func:`gradient_latex` for the formulas."""
    grads: dict[str, Any] = {}
    if "W2" in p:
        grads["W2"] = ops.matmul(ops.T(cache["H"]), G)
        if "b2" in p:
            grads["b2"] = ops.sum_rows(G)
        delta = ops.matmul(G, ops.T(p["W2"]))
    else:
        delta = G
    U = cache["U"]
    if "V" in p:
        P = cache["P"]
        dU = ops.mul(ops.mul(delta, ops.g(P)), ops.f(U, 1))
        dP = ops.mul(ops.mul(delta, ops.f(U)), ops.g(P, 1))
    else:
        dU = ops.mul(delta, ops.f(U, 1))
    grads["W"] = ops.matmul(ops.T(p["x"]), dU)
    dx = ops.matmul(dU, ops.T(p["W"]))
    if "b" in p:
        grads["b"] = ops.sum_rows(dU)
    if "V" in p:
        grads["V"] = ops.matmul(ops.T(p["x"]), dP)
        dx = dx + ops.matmul(dP, ops.T(p["V"]))
        if "c" in p:
            grads["c"] = ops.sum_rows(dP)
    grads["x"] = dx
    return grads


def derived_gradients(block: Block | str, d: int, h: int, d_out: int | None = None, *, bias: bool = True,
                      **params: Any) -> dict[str, tuple[sp.Matrix, sp.Matrix]]:
    """For each weight: (SymPy's derivative of L = Σ G⊗Y by explicit differentiation, the closed form).

    L's upstream gradient ``G`` has symbols ``G_j``. The two matrices are equal — the tests prove it.
    """
    block = get_block(block)
    mats = block.vector(d, h, d_out, bias=bias, **params)
    Y = mats["output"]
    G = _matrix("G", 1, Y.shape[1])
    loss = sum(G[0, j] * Y[0, j] for j in range(Y.shape[1]))
    f, g = block.activations(**params)
    ops = SympyOps(f, g, params)
    weights = {k: v for k, v in mats.items() if k != "output"}
    closed = _backward(ops, weights, _forward(ops, weights), G)
    return {k: (weights[k].applyfunc(lambda s: sp.diff(loss, s)), closed[k]) for k in closed}


# --- numeric ---------------------------------------------------------------------------------


def _as_array(name: str, value: Any) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"{name} must be an array of real numbers, got {type(value).__name__}") from exc
    return arr


def _check(block: Block, xs: Any, weights: Mapping[str, Any], G: Any = None) -> tuple[dict[str, np.ndarray], bool]:
    unknown = set(weights) - set(PARAMETERS)
    if unknown:
        raise UnknownParameterError(f"{block.name}: unknown weight(s) {sorted(unknown)}; weights are {PARAMETERS}")
    arr = _as_array("x", xs)
    single = arr.ndim == 1
    if single:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise InvalidArgumentError(f"x must have shape (n, d) or (d,), got shape {arr.shape}")
    n, d = arr.shape
    if weights.get("W") is None:
        raise InvalidArgumentError(f"{block.name} needs W of shape (d, h) = ({d}, h)")
    p = {"x": arr, "W": _as_array("W", weights["W"])}
    if p["W"].ndim != 2 or p["W"].shape[0] != d:
        raise InvalidArgumentError(f"W must have shape (d, h) = ({d}, h) for x of shape {arr.shape}, "
                                   f"got {p['W'].shape}")
    h = p["W"].shape[1]
    if block.gated and weights.get("V") is None:
        raise InvalidArgumentError(f"{block.name} is gated: it needs V of shape (d, h) = ({d}, {h})")
    if not block.gated and weights.get("V") is not None:
        raise InvalidArgumentError(f"{block.name} has no second projection: drop V (and c)")
    expected = {"V": (d, h), "b": (h,), "c": (h,)}
    d_out = None
    if weights.get("W2") is not None:
        w2 = _as_array("W2", weights["W2"])
        if w2.ndim != 2 or w2.shape[0] != h:
            raise InvalidArgumentError(f"W2 must have shape (h, d_out) = ({h}, d_out), got {w2.shape}")
        d_out = w2.shape[1]
        p["W2"] = w2
        expected["b2"] = (d_out,)
    elif weights.get("b2") is not None:
        raise InvalidArgumentError("b2 is the output bias: give W2 of shape (h, d_out) with it")
    if weights.get("c") is not None and not block.gated:
        raise InvalidArgumentError(f"{block.name} has no second projection: drop c")
    for key, shape in expected.items():
        if weights.get(key) is None:
            continue
        p[key] = _as_array(key, weights[key])
        if p[key].shape != shape:
            raise InvalidArgumentError(f"{key} must have shape {shape} (d={d}, h={h}"
                                       + (f", d_out={d_out}" if d_out else "") + f"), got {p[key].shape}")
    if G is not None:
        g = _as_array("G", G)
        g = g[None, :] if single and g.ndim == 1 else g
        out_shape = (n, d_out if d_out else h)
        if g.shape != out_shape:
            raise InvalidArgumentError(f"G (the gradient of the loss wrt the output) must have shape {out_shape}, "
                                       f"got {g.shape}")
        p["G"] = g
    return p, single


def forward(block: Block | str, x: Any, *, W: Any, V: Any = None, b: Any = None, c: Any = None,
            W2: Any = None, b2: Any = None, **params: Any) -> np.ndarray:
    r"""$f(xW + b) \otimes g(xV + c)$ on a batch ``x`` of shape (n, d), then $\cdot W_2 + b_2$ if ``W2`` is given.

    Biases are optional (``None`` = no bias, as in Shazeer's and LLaMA's FFNs).
    """
    block = get_block(block)
    p, single = _check(block, x, {"W": W, "V": V, "b": b, "c": c, "W2": W2, "b2": b2})
    f, g = block.activations(**params)
    Y = _forward(NumpyOps(f, g, params), p)["Y"]
    return Y[0] if single else Y


def gradients(block: Block | str, x: Any, G: Any, *, W: Any, V: Any = None, b: Any = None, c: Any = None,
              W2: Any = None, b2: Any = None, **params: Any) -> dict[str, np.ndarray]:
    """Gradients of ``L = sum(G * forward(...))`` wrt ``x`` and every weight given (closed forms)."""
    block = get_block(block)
    p, single = _check(block, x, {"W": W, "V": V, "b": b, "c": c, "W2": W2, "b2": b2}, G)
    f, g = block.activations(**params)
    ops = NumpyOps(f, g, params)
    grads = _backward(ops, p, _forward(ops, p), p["G"])
    if single:
        grads["x"] = grads["x"][0]
    return grads


# --- LaTeX -----------------------------------------------------------------------------------


def _apply_latex(act: Activation | None, arg: str, order: int = 0) -> str:
    if act is None or act.name == "identity":
        if order:
            return "1"
        return rf"\left({arg}\right)" if "+" in arg else arg
    mark = "'" * order
    name = f"{{{act.latex_name}}}{mark}" if order else act.latex_name
    return rf"{name}\left({arg}\right)"


def latex(block: Block | str, *, output: bool = False, bias: bool = True) -> str:
    r"""The block's definition in LaTeX, e.g. SwiGLU:
    ``\operatorname{SwiGLU}(x) = \operatorname{Swish}_{\beta}(xW + b) \otimes (xV + c)``.

    ``output=True`` gives the FFN form with $W_2$ (and $b_2$). Elementwise products are $\otimes$.
    """
    block = get_block(block)
    f, g = block.activations()
    u, v = ("xW + b", "xV + c") if bias else ("xW", "xV")
    hidden = _apply_latex(f, u)
    if g is not None:
        hidden = rf"{hidden} \otimes {_apply_latex(g, v)}"
    if output:
        body = (rf"\left({hidden}\right) W_2" if g is not None else rf"{hidden} W_2") + (" + b_2" if bias else "")
        name = rf"\operatorname{{FFN}}_{{{block.latex_name}}}" if block.gated else block.latex_name
        return rf"{name}\left(x\right) = {body}"
    # A plain FFN's hidden layer has no name of its own in the papers: call it H.
    return rf"{block.latex_name if block.gated else 'H'}\left(x\right) = {hidden}"


def gradient_latex(block: Block | str, *, output: bool = True, bias: bool = True) -> dict[str, str]:
    r"""Closed-form gradients of $L$ given $G = \partial L / \partial Y$ (rows are examples).

    With $U = xW + b$, $P = xV + c$, $\delta = G W_2^\top$ (or $G$ without $W_2$):
    $\partial L/\partial W = x^\top (\delta \otimes g(P) \otimes f'(U))$, and so on.
    """
    block = get_block(block)
    f, g = block.activations()
    fU, dfU = _apply_latex(f, "U"), _apply_latex(f, "U", 1)
    gP, dgP = _apply_latex(g, "P"), _apply_latex(g, "P", 1)
    delta = r"G W_2^{\top}" if output else "G"
    out = {"definitions": "U = xW + b" + (r",\quad P = xV + c" if block.gated else "") if bias else
           "U = xW" + (r",\quad P = xV" if block.gated else "")}
    out["definitions"] += rf",\quad \delta = {delta}"
    if output:
        hidden = rf"{fU} \otimes {gP}" if block.gated else fU
        out["W2"] = rf"\frac{{\partial L}}{{\partial W_2}} = \left({hidden}\right)^{{\top}} G"
        if bias:
            out["b2"] = r"\frac{\partial L}{\partial b_2} = \mathbf{1}^{\top} G"
    dU = rf"\delta \otimes {gP} \otimes {dfU}" if block.gated else rf"\delta \otimes {dfU}"
    dU = dU.replace(r" \otimes 1", "")
    out["W"] = rf"\frac{{\partial L}}{{\partial W}} = x^{{\top}} \left({dU}\right)"
    if bias:
        out["b"] = rf"\frac{{\partial L}}{{\partial b}} = \mathbf{{1}}^{{\top}} \left({dU}\right)"
    dx = rf"\left({dU}\right) W^{{\top}}"
    if block.gated:
        dP = rf"\delta \otimes {fU} \otimes {dgP}".replace(r" \otimes 1", "")
        out["V"] = rf"\frac{{\partial L}}{{\partial V}} = x^{{\top}} \left({dP}\right)"
        if bias:
            out["c"] = rf"\frac{{\partial L}}{{\partial c}} = \mathbf{{1}}^{{\top}} \left({dP}\right)"
        dx += rf" + \left({dP}\right) V^{{\top}}"
    out["x"] = rf"\frac{{\partial L}}{{\partial x}} = {dx}"
    return out


# --- sizes -----------------------------------------------------------------------------------

d_model, d_hidden = sp.symbols("d h", positive=True, integer=True)


def param_count(block: Block | str, d: Any = d_model, h: Any = d_hidden, *, bias: bool = False,
                d_out: Any = None) -> sp.Expr:
    """Weights of the FFN form: ``d·h`` per input projection, ``h·d_out`` for W2, plus biases."""
    block = get_block(block)
    d_out = d if d_out is None else d_out
    projections = 2 if block.gated else 1
    count = projections * d * h + h * d_out
    if bias:
        count += projections * h + d_out
    return sp.expand(count)


def matched_hidden(block: Block | str, reference: Block | str = "ffn_relu", expansion: Any = 4,
                   *, bias: bool = False, d: Any = d_model) -> sp.Expr:
    """The hidden width h at which ``block`` has as many weights as ``reference`` with h = expansion·d.

    Without biases a gated FFN matches a 4d ReLU FFN at h = 8d/3 (Shazeer 2020's 2/3 scaling).
    """
    target = param_count(reference, d, expansion * d, bias=bias)
    h = sp.Symbol("h", positive=True)  # not integer: 8d/3 rarely is
    solutions = sp.solve(sp.Eq(param_count(block, d, h, bias=bias), target), h)
    if len(solutions) != 1:
        raise InvalidArgumentError(f"no unique hidden width matches {reference} (solutions: {solutions})")
    return sp.simplify(solutions[0])


def llama_hidden_dim(d: int, *, multiple_of: int = 256, ffn_dim_multiplier: float | None = None) -> int:
    """LLaMA's FeedForward width: int(2·4d/3), optionally scaled, then rounded *up* to ``multiple_of``.

    ``llama_hidden_dim(4096) == 11008`` (LLaMA-7B).
    """
    for label, n in (("d", d), ("multiple_of", multiple_of)):
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise InvalidArgumentError(f"{label} must be a positive integer, got {n!r}")
    exact = matched_hidden("swiglu", d=sp.Integer(d))  # 8d/3, from the parameter equality
    hidden = int(exact)  # model.py: int(2 * hidden_dim / 3) with hidden_dim = 4 * dim
    if ffn_dim_multiplier is not None:
        if not (isinstance(ffn_dim_multiplier, (int, float)) and math.isfinite(ffn_dim_multiplier)
                and ffn_dim_multiplier > 0):
            raise InvalidArgumentError(f"ffn_dim_multiplier must be a positive number, got {ffn_dim_multiplier!r}")
        hidden = int(ffn_dim_multiplier * hidden)
    return multiple_of * ((hidden + multiple_of - 1) // multiple_of)


# --- the table -------------------------------------------------------------------------------

BLOCKS: dict[str, Block] = {}
_BLOCK_ALIASES: dict[str, str] = {}


def register_block(block: Block) -> Block:
    for key in (block.name, *block.aliases):
        if key in BLOCKS or key in _BLOCK_ALIASES:
            raise InvalidArgumentError(f"block name {key!r} is already taken")
    get(block.first)
    if block.second:
        get(block.second)
    BLOCKS[block.name] = block
    for alias in block.aliases:
        _BLOCK_ALIASES[alias] = block.name
    return block


def block_names() -> list[str]:
    return sorted(BLOCKS)


def get_block(name: Block | str) -> Block:
    """A registered block by name or alias (``"ffn_swiglu"`` is ``"swiglu"``)."""
    if isinstance(name, Block):
        return name
    if not isinstance(name, str):
        raise InvalidArgumentError(f"expected a block name such as 'swiglu', got {name!r}")
    return lookup(name, BLOCKS, _BLOCK_ALIASES, "block", "symact.blocks.block_names()")


def gated(activation: str | Activation, *, name: str | None = None) -> Block:
    r"""The GLU variant of any registered activation: $a(xW + b) \otimes (xV + c)$ (Shazeer's order)."""
    act = get(activation)
    return Block(name or f"{act.name}_glu", act.name, "identity", act.latex_name + r"\text{-GLU}",
                 f"{act.name}(xW + b) * (xV + c)", (SHAZEER_2020,))


def ffn(activation: str | Activation, *, name: str | None = None) -> Block:
    r"""The plain FFN of any registered activation: $a(xW_1 + b_1) W_2 + b_2$."""
    act = get(activation)
    return Block(name or f"ffn_{act.name}", act.name, None, rf"\operatorname{{FFN}}_{{{act.latex_name}}}",
                 f"{act.name}(xW1 + b1) W2 + b2", (VASWANI_2017,))


FFN_RELU = register_block(ffn("relu"))
FFN_GELU = register_block(ffn("gelu"))
FFN_SWISH = register_block(ffn("swish"))
GLU = register_block(Block(
    "glu", "identity", "sigmoid", r"\operatorname{GLU}", "(xW + b) * sigmoid(xV + c)", (DAUPHIN_2017, SHAZEER_2020),
    notes="Dauphin's order (gate on the second projection); Shazeer's eq. 4 gates the first.",
))
BILINEAR = register_block(Block(
    "bilinear", "identity", "identity", r"\operatorname{Bilinear}", "(xW + b) * (xV + c)", (SHAZEER_2020,),
))
REGLU = register_block(Block(
    "reglu", "relu", "identity", r"\operatorname{ReGLU}", "max(0, xW + b) * (xV + c)", (SHAZEER_2020,),
))
GEGLU = register_block(Block(
    "geglu", "gelu", "identity", r"\operatorname{GEGLU}", "GELU(xW + b) * (xV + c)", (SHAZEER_2020,),
))
SWIGLU = register_block(Block(
    "swiglu", "swish", "identity", r"\operatorname{SwiGLU}", "Swish_beta(xW + b) * (xV + c)",
    (SHAZEER_2020, TOUVRON_2023), aliases=("ffn_swiglu",),
    notes="LLaMA: w2(silu(w1 x) * w3 x), no biases, i.e. beta = 1 with W = w1, V = w3, W2 = w2.",
))

__all__ = [
    "BLOCKS", "Block", "PARAMETERS", "block_names", "derived_gradients", "ffn", "forward", "gated", "get_block",
    "gradient_latex", "gradients", "latex", "llama_hidden_dim", "matched_hidden", "param_count", "register_block",
]
