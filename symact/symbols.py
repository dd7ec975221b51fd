"""Canonical symbols with the assumptions that make SymPy's calculus work.

Every registered definition is written in these symbols, so expressions from different
definitions combine without clashing symbols of the same name but other assumptions.
"""

from __future__ import annotations

import sympy as sp

x = sp.Symbol("x", real=True)
"""The activation's argument (a real pre-activation)."""

beta = sp.Symbol("beta", positive=True)
"""Swish / softplus sharpness."""

kappa = sp.Symbol("kappa", positive=True)
"""Cubic coefficient of the tanh approximation of GELU (0.044715 in the paper)."""

alpha = sp.Symbol("alpha", positive=True)
"""ELU / SELU negative saturation, or the slope of GELU's sigmoid approximation."""

lam = sp.Symbol("lambda", positive=True)
"""SELU's output scale."""

__all__ = ["alpha", "beta", "kappa", "lam", "x"]
