"""symact: activation functions and gated blocks of modern LLMs, defined symbolically."""

from __future__ import annotations

from . import activations as _activations  # noqa: F401  (registers the built-in definitions)
from . import blocks, spellings
from .backends import register_backend
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
from .evaluate import export, lambdify, to_mpmath
from .functions import Phi, phi, sigma, softplus, to_elementary
from .latex import latex
from .lowering import lower
from .lowprec.rounding import rounded
from .registry import Activation, Param, get, names, register
from .spellings import which
from .symbolic.calculus import asymptote, breakpoints, derivative, equivalent, limit, series
from .symbolic.define import define, load_definitions, undefine
from .symbolic.properties import properties
from .symbols import x

__version__ = "0.1.0"

__all__ = [
    "Activation", "InvalidArgumentError", "InvalidParameterError", "MissingParameterError", "NotAnalyticError",
    "Param", "Phi", "SymactError", "UndecidedError", "UnknownActivationError", "UnknownParameterError",
    "__version__", "asymptote", "blocks", "breakpoints", "define", "derivative", "equivalent", "export", "get",
    "lambdify", "latex", "limit", "load_definitions", "lower", "names", "phi", "properties", "register",
    "register_backend",
    "rounded", "series", "sigma", "spellings", "softplus", "to_elementary", "to_mpmath", "undefine", "which", "x",
]
