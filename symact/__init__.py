"""symact: activation functions and gated blocks of modern LLMs, defined symbolically."""

from __future__ import annotations

from . import activations as _activations  # noqa: F401  (registers the built-in definitions)
from . import blocks
from .calculus import asymptote, breakpoints, derivative, equivalent, limit, series
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
from .numeric import lambdify, to_mpmath
from .registry import Activation, Param, get, names, register
from .symbols import x

__version__ = "0.1.0"

__all__ = [
    "Activation", "InvalidArgumentError", "blocks", "InvalidParameterError", "MissingParameterError",
    "NotAnalyticError", "Param", "Phi", "SymactError", "UndecidedError", "UnknownActivationError",
    "UnknownParameterError", "__version__", "asymptote", "breakpoints", "derivative", "equivalent",
    "get", "lambdify", "latex", "limit", "lower", "names", "phi", "register", "series", "sigma",
    "softplus", "to_elementary", "to_mpmath", "x",
]
