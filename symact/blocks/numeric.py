"""Blocks on NumPy batches: :func:`forward` and :func:`gradients` (closed forms, activations lowered with
:func:`symact.lambdify`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError, UnknownParameterError
from ..evaluate import lambdify
from ..registry import Activation
from .algebra import backward_pass, forward_pass
from .model import PARAMETERS, Block, get_block


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
    Y = forward_pass(NumpyOps(f, g, params), p)["Y"]
    return Y[0] if single else Y


def gradients(block: Block | str, x: Any, G: Any, *, W: Any, V: Any = None, b: Any = None, c: Any = None,
              W2: Any = None, b2: Any = None, **params: Any) -> dict[str, np.ndarray]:
    """Gradients of ``L = sum(G * forward(...))`` wrt ``x`` and every weight given (closed forms)."""
    block = get_block(block)
    p, single = _check(block, x, {"W": W, "V": V, "b": b, "c": c, "W2": W2, "b2": b2}, G)
    f, g = block.activations(**params)
    ops = NumpyOps(f, g, params)
    grads = backward_pass(ops, p, forward_pass(ops, p), p["G"])
    if single:
        grads["x"] = grads["x"][0]
    return grads



__all__ = ["NumpyOps", "forward", "gradients"]
