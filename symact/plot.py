"""Plots with matplotlib (the ``plot`` extra): activations, their derivatives, and blocks' scalar forms.

A curve is named like on the command line: ``gelu``, ``swish:beta=0.5``, or a block such as
``swiglu`` (its scalar form with W = V = 1 and b = c = 0, as in the classic comparison plot).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from . import blocks as _blocks
from .errors import InvalidArgumentError, UnknownActivationError
from .evaluate import lambdify
from .registry import get


def parse_curve(spec: str) -> tuple[str, dict[str, Any]]:
    """``"swish:beta=0.5,..."`` → ("swish", {"beta": 0.5}); a framework spelling (``jax:gelu``,
    ``torch:gelu(approximate='tanh')``, ``torch:softplus:beta=2``) keeps its prefix."""
    from .spellings import FRAMEWORKS, PREFIX_ALIASES

    head, sep, tail = spec.partition(":")
    if sep and head.strip().lower() in (*FRAMEWORKS, *PREFIX_ALIASES):
        name, _, rest = tail.partition(":")
        if "(" in name and ")" not in name:  # an option group with commas: torch:gelu(approximate='tanh')
            return spec.strip(), {}
        return f"{head.strip()}:{name.strip()}", parse_curve(f"_:{rest}")[1] if rest else {}
    name, _, rest = spec.partition(":")
    params: dict[str, Any] = {}
    for item in filter(None, rest.split(",")):
        key, sep, value = item.partition("=")
        try:
            params[key.strip()] = float(value) if sep else None
        except ValueError:
            raise InvalidArgumentError(f"{spec!r}: {value!r} is not a number (write e.g. swish:beta=0.5)") from None
        if not sep:
            raise InvalidArgumentError(f"{spec!r}: parameters are NAME=VALUE (e.g. swish:beta=0.5)")
    return name.strip(), params


def curve(spec: str, derivative: int = 0) -> tuple[str, Any]:
    """(label, NumPy function) for one curve spec."""
    name, params = parse_curve(spec)
    label = spec if not derivative else f"{spec}{chr(39) * derivative}"
    try:
        act = get(name)
    except UnknownActivationError:
        try:
            block = _blocks.get_block(name)
        except UnknownActivationError:
            raise UnknownActivationError(
                f"unknown activation or block {name!r}: see `symact list`") from None
        scalar = block.scalar(bias=False, **{k: sp.nsimplify(v) for k, v in params.items()})
        scalar = scalar.xreplace({_blocks.W: 1, _blocks.V: 1})
        return label, lambdify(scalar, derivative=derivative,
                               **{p.name: p.default for p in _defaults(block) if scalar.has(p.symbol)})
    return label, lambdify(act, derivative=derivative, **params)


def _defaults(block: _blocks.Block) -> list[Any]:
    f, g = block.activations()
    return [*f.parameters, *(g.parameters if g else ())]


def plot(specs: Sequence[str], path: str | Path, *, derivative: bool = False, x_range: tuple[float, float] = (-4, 4),
         title: str | None = None) -> Path:
    """Draw the curves (and, with ``derivative``, their first derivatives dashed) into a PNG file."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise InvalidArgumentError("plotting needs matplotlib: pip install -e '.[plot]'") from exc
    if not specs:
        raise InvalidArgumentError("name at least one activation or block to plot, e.g. gelu relu swish")
    lo, hi = x_range
    if not lo < hi:
        raise InvalidArgumentError(f"x range must have low < high, got {x_range}")
    xs = np.linspace(lo, hi, 801)
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    for i, spec in enumerate(specs):
        label, f = curve(spec)
        color = f"C{i % 10}"
        ax.plot(xs, f(xs), label=label, color=color, lw=2)
        if derivative:
            dlabel, df = curve(spec, 1)
            ax.plot(xs, df(xs), label=dlabel, color=color, lw=1.2, ls="--")
    ax.axhline(0, color="0.6", lw=0.8)
    ax.axvline(0, color="0.6", lw=0.8)
    ax.set_xlabel("x")
    ax.legend(frameon=False)
    ax.set_title(title or ", ".join(specs))
    ax.grid(alpha=0.3)
    out = Path(path)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
    return out


__all__ = ["curve", "parse_curve", "plot"]
