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
from dataclasses import dataclass
from typing import Any

import sympy as sp

from ..errors import InvalidArgumentError, SymactError, UnknownActivationError, UnknownParameterError
from ..latex import expression as tex
from ..registry import QUALIFIED_RESOLVER, Activation, get, lookup
from ..symbolic.calculus import derivative
from ..symbols import normalise, x
from .algebra import SympyOps, apply_activation, backward_pass, forward_pass, matrix

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
class Layout:
    """A fused ``gate_up_proj`` of shape (d, 2h): which columns are the gate (W) and which the value (V).

    ``"halves"``: the first h columns and the last h (Phi-3, Llama 4's experts: ``gate, up = chunk(2)``);
    ``"interleaved"``: even and odd columns (gpt-oss: ``gate, up = x[..., ::2], x[..., 1::2]``).
    ``gate_first``: the gate is the first half / the even columns. Porting a model with the wrong layout
    runs silently and produces garbage: that is why it is data here.
    """

    fused: str
    gate_first: bool = True
    source: str = ""

    def split(self, fused: Any) -> tuple[Any, Any]:
        """(W, V) = (gate, value) columns of a fused (d, 2h) weight (or (2h,) bias)."""
        if self.fused == "halves":
            h = fused.shape[-1] // 2
            first, second = fused[..., :h], fused[..., h:]
        elif self.fused == "interleaved":
            first, second = fused[..., ::2], fused[..., 1::2]
        else:
            raise InvalidArgumentError(f"unknown fused layout {self.fused!r}: halves or interleaved")
        return (first, second) if self.gate_first else (second, first)


def clamp_above(z: sp.Expr, limit: Any) -> sp.Expr:
    """min(z, L) as torch.clamp(max=L) differentiates it: the gradient passes at z = L (the branch is ≤)."""
    return sp.Piecewise((z, z <= limit), (limit, True))


def clamp(z: sp.Expr, low: Any, high: Any) -> sp.Expr:
    """clamp(z, lo, hi) with torch.clamp's gradient convention: 1 on the closed interval [lo, hi]."""
    return sp.Piecewise((low, z < low), (high, z > high), (z, True))


@dataclass(frozen=True)
class Block:
    r"""$H = f(xW + b) \otimes g(xV + c)$, or $H = f(xW + b)$ when ``second`` is None (plain FFN).

    ``first`` and ``second`` are registered activation names, or any SymPy expression in :data:`symact.x`
    standing for the pre-activation (``xW + b`` for the first, ``xV + c`` for the second): a clamped
    gate ``x*sigma(Min(x, 7))``, an offset value ``Min(Max(x, -7), 7) + 1``.
    """

    name: str
    first: str | sp.Expr
    second: str | sp.Expr | None
    latex_name: str
    formula: str
    references: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    notes: str = ""
    layout: Layout | None = None
    """How a model stores W and V fused in one matrix (None: two separate projections)."""

    @property
    def gated(self) -> bool:
        return self.second is not None

    def activations(self, **params: Any) -> tuple[Activation, Activation | None]:
        """The two activations with ``params`` applied (each parameter goes to whichever has it)."""
        f = _factor(self.first, f"{self.name}[first]")
        g = _factor(self.second, f"{self.name}[second]") if self.second is not None else None
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
        hidden = apply_activation(f, u, params)
        if g is not None:
            hidden *= apply_activation(g, x * V + (c if bias else 0), params)
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
            "x": matrix("x", 1, d), "W": matrix("W", d, h),
        }
        if g is not None:
            mats["V"] = matrix("V", d, h)
        if bias:
            mats["b"] = matrix("b", 1, h)
            if g is not None:
                mats["c"] = matrix("c", 1, h)
        if d_out is not None:
            mats["W2"] = matrix("W2", h, d_out)
            if bias:
                mats["b2"] = matrix("b2", 1, d_out)
        ops = SympyOps(f, g, params)
        mats["output"] = forward_pass(ops, mats)["Y"]
        return mats

    def __repr__(self) -> str:
        return f"<Block {self.name}: {self.formula}>"

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {latex(self, output=True)}$"


def _factor(spec: str | sp.Expr, label: str) -> Activation:
    """A registered activation by name, or an anonymous one for an expression in x (no LaTeX name: its
    formula is printed with the argument substituted)."""
    if isinstance(spec, str):
        return get(spec)
    expr = normalise(sp.sympify(spec))
    extra = sorted(s.name for s in expr.free_symbols if s != x)
    if extra:
        raise InvalidArgumentError(f"{label}: a block factor is an expression in x alone (the pre-activation); "
                                   f"give numbers for {', '.join(extra)}")
    return Activation(name=label, expr=expr, latex_name="", formula=sp.sstr(expr))


def derived_gradients(block: Block | str, d: int, h: int, d_out: int | None = None, *, bias: bool = True,
                      **params: Any) -> dict[str, tuple[sp.Matrix, sp.Matrix]]:
    """For each weight: (SymPy's derivative of L = Σ G⊗Y by explicit differentiation, the closed form).

    L's upstream gradient ``G`` has symbols ``G_j``. The two matrices are equal — the tests prove it.
    """
    block = get_block(block)
    mats = block.vector(d, h, d_out, bias=bias, **params)
    Y = mats["output"]
    G = matrix("G", 1, Y.shape[1])
    loss = sum(G[0, j] * Y[0, j] for j in range(Y.shape[1]))
    f, g = block.activations(**params)
    ops = SympyOps(f, g, params)
    weights = {k: v for k, v in mats.items() if k != "output"}
    closed = backward_pass(ops, weights, forward_pass(ops, weights), G)
    return {k: (weights[k].applyfunc(lambda s: sp.diff(loss, s)), closed[k]) for k in closed}


# --- LaTeX ---------------------------------------------------------------------------------------


def _apply_latex(act: Activation | None, arg: str, order: int = 0) -> str:
    if act is not None and not act.latex_name:  # an expression factor: its formula at the argument
        body = derivative(act.expr) if order else act.expr
        text = tex(body.xreplace({x: sp.Symbol(arg)}))
        return rf"\left({text}\right)" if body.is_Add else text  # u + 1 next to ⊗ needs its parentheses
    if act is None or act.name == "identity":
        if order:
            return "1"
        return rf"\left({arg}\right)" if "+" in arg else arg
    mark = "'" * order
    name = f"{{{act.latex_name}}}{mark}" if order else act.latex_name
    return rf"{name}\left({arg}\right)"


def latex(block: Block | str, *, output: bool | None = None, bias: bool = True) -> str:
    r"""The block's definition in LaTeX, e.g. SwiGLU:
    ``\operatorname{SwiGLU}(x) = \operatorname{Swish}_{\beta}(xW + b) \otimes (xV + c)``.

    ``output=True`` gives the FFN form with $W_2$ (and $b_2$); by default a block asked for by a name that
    says FFN (``"ffn_swiglu"``) gets it. Elementwise products are $\otimes$.
    """
    if output is None:
        output = isinstance(block, str) and block.strip().lower().replace("-", "_").startswith("ffn_") and \
            get_block(block).gated
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


# --- the table -------------------------------------------------------------------------------

BLOCKS: dict[str, Block] = {}
_BLOCK_ALIASES: dict[str, str] = {}


def register_block(block: Block) -> Block:
    for key in (block.name, *block.aliases):
        if key in BLOCKS or key in _BLOCK_ALIASES:
            raise InvalidArgumentError(f"block name {key!r} is already taken")
    block.activations()  # names resolve, expressions are in x alone
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
    if ":" in name and QUALIFIED_RESOLVER:  # vllm:silu_and_mul, torch:glu (symact.spellings)
        found = QUALIFIED_RESOLVER[0](name)
        if not isinstance(found, Block):
            raise UnknownActivationError(f"{name!r} is an activation, not a block: use symact.get")
        return found
    return lookup(name, BLOCKS, _BLOCK_ALIASES, "block", "symact.blocks.block_names()")


def is_block(name: str) -> bool:
    """Whether ``name`` is a registered block or block alias."""
    try:
        get_block(name)
    except SymactError:
        return False
    return True


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




__all__ = [
    "BLOCKS", "Block", "DAUPHIN_2017", "Layout", "PARAMETERS", "SHAZEER_2020", "TOUVRON_2023", "VASWANI_2017",
    "block_names", "clamp", "clamp_above", "derived_gradients", "ffn", "gated", "get_block", "gradient_latex",
    "is_block", "latex", "register_block",
]
