"""latexify-py's reference implementations agree with the symbolic definitions."""

from __future__ import annotations

import math

import numpy as np
import pytest

import symact
from symact.reference import REFERENCE, reference_latex


def test_every_activation_has_a_reference_implementation():
    assert set(REFERENCE) == set(symact.names())


@pytest.mark.parametrize("name", symact.names())
def test_reference_agrees_with_symbolic_definition(name):
    ours = symact.lambdify(name)
    for t in np.linspace(-6, 6, 49):
        want, got = REFERENCE[name](float(t)), float(ours(t))
        assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-14), t


def test_latexify_renders_math_functions_conventionally():
    text = reference_latex("gelu")
    assert r"\operatorname{erf}" in text and r"\mathrm{math}" not in text
    assert r"\pi" in reference_latex("gelu_tanh") and r"\kappa" in reference_latex("gelu_tanh")
    assert r"\lambda" in reference_latex("selu")
