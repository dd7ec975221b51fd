r"""Transformer feed-forward blocks: FFN, GLU and its variants, and blocks built from expressions.

:mod:`.model` defines a block (:class:`Block`, its LaTeX, the block table), :mod:`.library` registers the
published ones, :mod:`.algebra` writes forward and backward passes once over an ops adapter,
:mod:`.numeric` evaluates them on NumPy batches and :mod:`.sizes` counts parameters and widths.
"""

from importlib import import_module
from typing import Any

from . import library as _library  # noqa: F401  (registers the built-in blocks)
from .algebra import SympyOps
from .model import (
    BLOCKS,
    DAUPHIN_2017,
    PARAMETERS,
    SHAZEER_2020,
    TOUVRON_2023,
    VASWANI_2017,
    W2,
    Block,
    Layout,
    V,
    W,
    b,
    b2,
    block_names,
    c,
    clamp,
    clamp_above,
    derived_gradients,
    ffn,
    gated,
    get_block,
    gradient_latex,
    latex,
    register_block,
)
from .sizes import d_hidden, d_model, llama_hidden_dim, matched_hidden, param_count

_NUMERIC = ("NumpyOps", "forward", "gradients")  # NumPy batches: loaded on first use, as symact's numeric side


def __getattr__(name: str) -> Any:
    if name in _NUMERIC:
        value = getattr(import_module(".numeric", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'symact.blocks' has no attribute {name!r}")

__all__ = [
    "BLOCKS", "Block", "DAUPHIN_2017", "Layout", "NumpyOps", "PARAMETERS", "SHAZEER_2020", "SympyOps",
    "TOUVRON_2023", "VASWANI_2017", "V", "W", "W2", "b", "b2", "block_names", "c", "clamp", "clamp_above", "d_hidden",
    "d_model", "derived_gradients", "ffn", "forward", "gated", "get_block", "gradient_latex", "gradients", "latex",
    "llama_hidden_dim", "matched_hidden", "param_count", "register_block",
]
