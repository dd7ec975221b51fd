"""The power-series fast path of ``series``: every analytic entry to x¹⁹ against mpmath, symbolic
parameters against SymPy's own series engine, and the fallback for what it does not handle."""

from __future__ import annotations

import mpmath as mp
import pytest
import sympy as sp
from helpers import reference

import symact
from symact import x
from symact.functions import to_elementary
from symact.symbolic.taylor import Unsupported, taylor

ANALYTIC = [n for n in symact.names() if 0 not in symact.breakpoints(symact.get(n).default_expr)]


@pytest.mark.parametrize("name", ANALYTIC)
def test_order_20_against_mpmath_taylor(name):
    poly = sp.Poly(symact.series(symact.get(name).default_expr, 20), x)
    with mp.workdps(60):
        expected = mp.taylor(reference(name), 0, 19)
        for k, b in enumerate(expected):
            a = mp.mpf(str(sp.N(poly.coeff_monomial(x**k), 50)))
            assert mp.almosteq(a, b, rel_eps=mp.mpf(10) ** -25, abs_eps=mp.mpf(10) ** -30), (k, a, b)


SMOOTH_WITH_PARAMS = [n for n in ANALYTIC if symact.get(n).params and not symact.get(n).expr.has(sp.Piecewise)]


@pytest.mark.parametrize("name", SMOOTH_WITH_PARAMS)
def test_symbolic_parameters_agree_with_sympys_series(name):
    expr = to_elementary(symact.get(name).expr)
    ours = taylor(expr, 7)
    theirs = sp.Poly(sp.expand(sp.series(expr, x, 0, 7).removeO()), x)
    for k, c in enumerate(ours):
        assert sp.simplify(c - theirs.coeff_monomial(x**k)) == 0, k


RULES = [(sp.exp, mp.exp), (sp.log, mp.log), (sp.tanh, mp.tanh), (sp.sinh, mp.sinh), (sp.cosh, mp.cosh),
         (sp.sin, mp.sin), (sp.cos, mp.cos), (sp.erf, mp.erf), (sp.erfc, mp.erfc), (sp.atan, mp.atan),
         (sp.sqrt, mp.sqrt), (lambda u: u ** sp.Rational(-3, 2), lambda u: u ** mp.mpf(-1.5)),
         (lambda u: 1 / (2 + u), lambda u: 1 / (2 + u)), (lambda u: 2**u, lambda u: mp.mpf(2) ** u)]


@pytest.mark.parametrize(("f", "f_mp"), RULES, ids=[str(f(sp.Symbol("u"))) for f, _ in RULES])
def test_functions_from_their_odes(f, f_mp):
    # each rule on a non-trivial inner series, against mpmath's Taylor coefficients of the same function
    inner = sp.Rational(1, 3) + x - x**2 / 2
    coeffs = taylor(f(inner), 10)
    with mp.workdps(50):
        expected = mp.taylor(lambda t: f_mp(mp.mpf(1) / 3 + t - t**2 / 2), 0, 9)
        for k, (c, b) in enumerate(zip(coeffs, expected, strict=True)):
            assert mp.almosteq(mp.mpf(str(sp.N(c, 45))), b, rel_eps=mp.mpf(10) ** -30, abs_eps=mp.mpf(10) ** -35), k


@pytest.mark.parametrize("expr", [1 / x, sp.log(x), sp.sqrt(x), sp.asinh(x), sp.Abs(x)], ids=str)
def test_what_it_does_not_handle_is_unsupported(expr):
    with pytest.raises(Unsupported):
        taylor(expr, 4)


def test_unsupported_functions_fall_back_to_sympy():
    expr = x * sp.asinh(2 * x)
    assert symact.series(expr, 6) == sp.expand(sp.series(expr, x, 0, 6).removeO())


@pytest.mark.parametrize("expr", [1 / x, sp.sqrt(x), x * sp.log(x), sp.exp(1 / x), sp.Abs(x), sp.Heaviside(x)],
                         ids=str)
def test_no_series_where_the_function_is_not_analytic(expr):
    # these gave a PolynomialError traceback, and |x| silently gave x (SymPy expanded the x > 0 side)
    with pytest.raises(symact.NotAnalyticError, match="not analytic|kink"):
        symact.series(expr, 4)


def test_a_users_kink_elsewhere_is_fine():
    assert symact.series(sp.Abs(x - 2), 3) == 2 - x  # |x − 2| = 2 − x near 0
