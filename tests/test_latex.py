from __future__ import annotations

import subprocess
import sys

import pytest
import sympy as sp

import symact
from symact import x

NAMES = symact.names()


@pytest.mark.parametrize("name", NAMES)
def test_definition_latex_names_the_function(name):
    act = symact.get(name)
    text = symact.latex(act)
    assert text.startswith(act.latex_name + r"\left(x\right) = ")
    assert text.count("{") == text.count("}")
    assert text.count(r"\left") == text.count(r"\right")


@pytest.mark.parametrize("name", NAMES)
def test_latex_is_deterministic_across_processes(name):
    code = f"import symact; print(symact.latex({name!r})); print(symact.latex({name!r}, 2))"
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
            for _ in range(2)}
    assert len(runs) == 1
    assert runs.pop().splitlines() == [symact.latex(name), symact.latex(name, 2)]


def test_conventional_notation():
    assert symact.latex("gelu") == r"\operatorname{GELU}\left(x\right) = x \Phi\left(x\right)"
    assert symact.latex("gelu", 1) == (r"{\operatorname{GELU}}'\left(x\right) = "
                                       r"x \varphi\left(x\right) + \Phi\left(x\right)")
    assert r"\sigma\left(\beta x\right)" in symact.latex("swish")
    assert symact.latex("sigmoid", 1).endswith(r"\left(1 - \sigma\left(x\right)\right) \sigma\left(x\right)")
    assert "^{(3)}" in symact.latex("tanh", 3)
    assert symact.latex(x * symact.Phi(x)) == r"x \Phi\left(x\right)"


def test_repr_latex_for_notebooks():
    expected = r"$\displaystyle \operatorname{SiLU}\left(x\right) = x \sigma\left(x\right)$"
    assert symact.get("silu")._repr_latex_() == expected


def test_bad_input():
    with pytest.raises(symact.InvalidArgumentError):
        symact.latex(3.5)
    with pytest.raises(symact.UnknownActivationError):
        symact.latex("gelux")
    assert symact.latex(sp.Integer(1)) == "1"
