r"""Forward and backward passes of a block, written once over an array-ops adapter (:class:`SympyOps` here,
:class:`symact.blocks.numeric.NumpyOps` for batches), so that the same closed forms are proved against
SymPy's differentiation and evaluated in NumPy. With $U = xW + b$, $P = xV + c$, $H = f(U) \otimes g(P)$,
$Y = H W_2 + b_2$ and $G = \partial L / \partial Y$: see :func:`symact.blocks.gradient_latex`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy as sp

from ..registry import Activation
from ..symbolic.calculus import derivative
from ..symbols import x


def apply_activation(act: Activation, arg: sp.Expr, params: Mapping[str, Any]) -> sp.Expr:
    mine = {k: v for k, v in params.items() if k in act.params}
    return act(arg, **mine)


def matrix(stem: str, rows: int, cols: int) -> sp.Matrix:
    if rows == 1:
        return sp.Matrix(1, cols, lambda i, j: sp.Symbol(f"{stem}_{j + 1}", real=True))
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{stem}_{i + 1}{j + 1}", real=True))


class SympyOps:
    """Explicit SymPy matrices for one input row (n = 1)."""

    def __init__(self, f: Activation, g: Activation | None, params: Mapping[str, Any]) -> None:
        self._f = (apply_activation(f, x, params), derivative(apply_activation(f, x, params)))
        self._g = (apply_activation(g, x, params), derivative(apply_activation(g, x, params))) if g else None

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


def forward_pass(ops: Any, p: Mapping[str, Any]) -> dict[str, Any]:
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


def backward_pass(ops: Any, p: Mapping[str, Any], cache: Mapping[str, Any], G: Any) -> dict[str, Any]:
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



__all__ = ["SympyOps", "apply_activation", "backward_pass", "forward_pass", "matrix"]
