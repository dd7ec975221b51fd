"""symact: activation functions and gated blocks of modern LLMs, defined symbolically."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from . import activations as _activations  # noqa: F401  (registers the built-in definitions)
from . import blocks, spellings
from .errors import (
    InvalidArgumentError,
    InvalidParameterError,
    MissingParameterError,
    NotAnalyticError,
    SymactError,
    UndecidedError,
    UnknownActivationError,
    UnknownParameterError,
)
from .functions import Phi, phi, sigma, softplus, to_elementary
from .latex import latex
from .lowering import lower
from .registry import Activation, Param, get, names, register
from .spellings import which
from .symbolic.calculus import asymptote, breakpoints, derivative, equivalent, limit, series
from .symbolic.define import define, load_definitions, undefine
from .symbolic.properties import properties
from .symbols import x

__version__ = "0.1.0"

# The numeric side (NumPy, the backends, the kernels) loads on first use: symbolic work — the catalog, `symact
# show` — does not pay for it (0.2 s of a cold start)
_NUMERIC = {"export": ".evaluate", "lambdify": ".evaluate", "to_mpmath": ".evaluate",
            "register_backend": ".backends", "rounded": ".lowprec.rounding"}


def __getattr__(name: str) -> Any:
    if name in _NUMERIC:
        value = getattr(import_module(_NUMERIC[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'symact' has no attribute {name!r}")


__all__ = [
    "Activation", "InvalidArgumentError", "InvalidParameterError", "MissingParameterError", "NotAnalyticError",
    "Param", "Phi", "SymactError", "UndecidedError", "UnknownActivationError", "UnknownParameterError",
    "__version__", "asymptote", "blocks", "breakpoints", "define", "derivative", "equivalent", "export", "get",
    "lambdify", "latex", "limit", "load_definitions", "lower", "names", "phi", "properties", "register",
    "register_backend",
    "rounded", "series", "sigma", "spellings", "softplus", "to_elementary", "to_mpmath", "undefine", "which", "x",
]
