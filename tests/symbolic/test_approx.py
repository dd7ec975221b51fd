from __future__ import annotations

import mpmath as mp
import pytest
import sympy as sp
from helpers import reference

import symact
from symact import Phi, sigma, x
from symact.symbolic import approx as A
from symact.symbols import alpha, kappa

PHI_TANH = (1 + sp.tanh(sp.sqrt(2 / sp.pi) * (x + kappa * x**3))) / 2


def test_leading_error_term_of_gelu_tanh():
    coeff, power = A.leading_error_term("gelu", "gelu_tanh")
    assert power == 4
    assert sp.simplify(coeff.subs(kappa, (4 - sp.pi) / (6 * sp.pi))) == 0
    # independent: mpmath.taylor of the two paper formulas at kappa = 0.044715
    diff = mp.taylor(lambda t: reference("gelu_tanh")(t) - reference("gelu")(t), 0, 4)
    assert all(abs(c) < 1e-30 for c in diff[:4])
    assert mp.almosteq(diff[4], mp.mpf(str(sp.N(coeff.subs(kappa, sp.Rational("0.044715")), 40))), rel_eps=1e-20)


def test_taylor_constants_match_hand_derivations():
    assert sp.simplify(A.taylor_constant("gelu", "gelu_tanh", kappa) - (4 - sp.pi) / (6 * sp.pi)) == 0
    # sigma'(0) alpha = alpha / 4 must equal phi(0) = 1/sqrt(2 pi)
    assert sp.simplify(A.taylor_constant(Phi(x), sigma(alpha * x), alpha) - 4 / sp.sqrt(2 * sp.pi)) == 0


def test_max_error_is_located_exactly():
    found = A.max_error("gelu", "gelu_tanh", params={"kappa": sp.Rational("0.044715")})
    err = lambda t: reference("gelu_tanh")(t) - reference("gelu")(t)  # noqa: E731
    # at least as large as a brute-force dense grid, and a stationary point of the error
    grid = max(abs(err(mp.mpf(i) / 200)) for i in range(-1600, 1601))
    assert found.value >= grid and found.value - grid < 1e-9
    assert abs(mp.diff(err, found.at)) < 1e-20
    assert mp.almosteq(abs(err(found.at)), found.value, rel_eps=1e-20)


def test_relative_error_on_an_interval():
    found = A.max_error("gelu", "gelu_tanh", (0.5, 4), relative=True, params={"kappa": sp.Rational("0.044715")})
    rel = lambda t: (reference("gelu_tanh")(t) - reference("gelu")(t)) / reference("gelu")(t)  # noqa: E731
    grid = max(abs(rel(mp.mpf(i) / 400)) for i in range(200, 1601))
    assert found.value >= grid and found.value - grid < 1e-9
    assert mp.mpf("0.5") <= found.at <= 4


def test_swish_vs_relu_max_error_is_lambert_w():
    found = A.max_error("relu", "silu", (-10, 10))
    w = mp.lambertw(1 / mp.e).real  # Swish's minimum is -W(1/e); x sigma(x) - x mirrors it for x > 0
    assert mp.almosteq(found.value, w, rel_eps=1e-20)
    assert mp.almosteq(abs(found.at), 1 + w, rel_eps=1e-20)


def test_minimax_kappa_equioscillates_and_reproduces_0044715():
    fit = A.minimax_constant(Phi(x), PHI_TANH, kappa, (0.03, 0.06))
    points = fit.max_error.equioscillation(rtol=1e-15)
    assert len(points) >= 3
    assert all(mp.sign(a.error) != mp.sign(b.error) for a, b in zip(points, points[1:], strict=False))
    # optimal: moving kappa either way increases the maximum error
    for step in (-1e-7, 1e-7):
        worse = A.max_error(Phi(x), PHI_TANH, params={kappa: sp.Float(str(fit.value + step), 30)})
        assert worse.value > fit.max_error.value
    assert mp.nstr(fit.value, 5) == "0.044715"


def test_minimax_alpha_reproduces_1702():
    fit = A.minimax_constant(Phi(x), sigma(alpha * x), alpha, (1.5, 1.9))
    assert len(fit.max_error.equioscillation(rtol=1e-15)) >= 3
    assert mp.nstr(fit.value, 4) == "1.702"


def test_minimax_on_gelu_equioscillates():
    fit = A.minimax_constant("gelu", "gelu_tanh", kappa, (0.03, 0.06))
    assert len(fit.max_error.equioscillation(rtol=1e-12)) >= 3


def test_least_squares_is_stationary():
    fit = A.least_squares_constant(Phi(x), PHI_TANH, kappa, 0.0447)
    f = sp.lambdify((x, kappa), symact.to_elementary(PHI_TANH - Phi(x)), "mpmath")

    def sq(k):
        return mp.quad(lambda t: f(t, k) ** 2, [-mp.inf, -3, 0, 3, mp.inf])

    h = mp.mpf("1e-6")
    with mp.workdps(30):
        left, mid, right = sq(fit.value - h), sq(fit.value), sq(fit.value + h)
    assert mid < left and mid < right


class TestBadInput:
    def test_missing_parameter_value(self):
        # by name a parameter takes its default (the reliability issue); an expression's symbol needs a value
        with pytest.raises(symact.InvalidArgumentError, match="give values for kappa"):
            A.max_error("gelu", symact.get("gelu_tanh").expr)

    def test_bad_interval(self):
        with pytest.raises(symact.InvalidArgumentError, match="a < b"):
            A.max_error("gelu", "silu", (2, 1))
        with pytest.raises(symact.InvalidArgumentError, match="pair"):
            A.max_error("gelu", "silu", "wide")

    def test_unknown_parameter_name(self):
        with pytest.raises(symact.InvalidArgumentError, match="no symbol 'kapa'"):
            A.max_error("gelu", "gelu_tanh", params={"kapa": 0.04})

    def test_identical_expressions(self):
        with pytest.raises(symact.UndecidedError, match="vanishes"):
            A.leading_error_term("silu", "swish1")
