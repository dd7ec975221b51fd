"""Sizes of blocks: parameter counts, matched hidden widths, LLaMA's published widths."""

from __future__ import annotations

import math
from typing import Any

import sympy as sp

from ..errors import InvalidArgumentError
from .model import Block, get_block

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



__all__ = ["d_hidden", "d_model", "llama_hidden_dim", "matched_hidden", "param_count"]
