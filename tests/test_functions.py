"""Named functions, tested the way sympy tests codegen.cfunctions: eval, rewrite, evalf, diff."""

from __future__ import annotations

import mpmath as mp
import pytest
import sympy as sp

from symact import Phi, phi, sigma, softplus, to_elementary, x

FUNCS = [Phi, phi, sigma, softplus]
MPMATH = {Phi: mp.ncdf, phi: mp.npdf, sigma: lambda z: 1 / (1 + mp.exp(-z)), softplus: lambda z: mp.log1p(mp.exp(z))}


@pytest.mark.parametrize("f", FUNCS, ids=lambda f: f.__name__)
def test_diff_of_named_equals_diff_of_elementary(f):
    for order in (1, 2, 3):
        named = to_elementary(sp.diff(f(x), x, order))
        expanded = sp.diff(f(x).elementary(), x, order)
        assert sp.simplify(named - expanded) == 0


@pytest.mark.parametrize("f", FUNCS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("z", ["-7.25", "-1", "0.125", "3", "12.5"])
def test_evalf_matches_mpmath(f, z):
    ours = sp.Float(f(sp.Rational(z)).evalf(40), 40)
    assert mp.almosteq(mp.mpf(str(ours)), MPMATH[f](mp.mpf(z)), rel_eps=mp.mpf(10) ** -35)


def test_special_values():
    assert Phi(0) == sp.S.Half and Phi(sp.oo) == 1 and Phi(-sp.oo) == 0
    assert phi(0) == 1 / sp.sqrt(2 * sp.pi) and phi(sp.oo) == 0
    assert sigma(0) == sp.S.Half and sigma(sp.oo) == 1 and sigma(-sp.oo) == 0
    assert softplus(0) == sp.log(2) and softplus(-sp.oo) == 0


def test_assumptions():
    for f in FUNCS:
        assert f(x).is_real
        assert f(x).is_positive


def test_rewrites():
    assert Phi(x).rewrite(sp.erf) == (1 + sp.erf(x / sp.sqrt(2))) / 2
    assert sp.simplify((Phi(x).rewrite(sp.erfc) - Phi(x).rewrite(sp.erf)).rewrite(sp.erf)) == 0
    assert sp.simplify(sigma(x).rewrite(sp.tanh).rewrite(sp.exp) - sigma(x).rewrite(sp.exp)) == 0
    assert softplus(x).rewrite(sp.log) == sp.log(1 + sp.exp(x))


def test_latex_notation():
    assert sp.latex(Phi(x)) == r"\Phi\left(x\right)"
    assert sp.latex(phi(x)) == r"\varphi\left(x\right)"
    assert sp.latex(sigma(x) ** 2) == r"\sigma^{2}\left(x\right)"
    assert sp.latex(softplus(x)) == r"\log\left(1 + e^{x}\right)"
