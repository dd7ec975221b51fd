"""Limits at ±∞ by leading terms (symact.symbolic.asymptotic) against SymPy's Gruntz algorithm, an
independent implementation, and against limits known in closed form."""

from __future__ import annotations

import mpmath as mp
import pytest
import sympy as sp

import symact
from symact.errors import SymactError
from symact.functions import to_elementary
from symact.symbolic.asymptotic import limit_at_infinity
from symact.symbolic.calculus import gruntz_at_infinity, toward_infinity

NAMES = symact.names()
T = sp.Symbol("t", positive=True)
a, b = sp.symbols("a b", positive=True)
mu = sp.Symbol("mu", real=True)

# where the leading terms do not decide and SymPy answers: the sign of a free slope at -oo
FALLBACK = {("leaky_relu", -1), ("prelu", -1)}


def _toward(name: str, order: int, sign: int) -> sp.Expr | None:
    expr = to_elementary(symact.derivative(name, order))
    try:
        return toward_infinity(expr, symact.x, sign)
    except SymactError:  # a breakpoint at a symbolic parameter (hardshrink's λ): no branch to choose
        return None


@pytest.mark.parametrize("order", [0, 1], ids=["value", "d1"])
@pytest.mark.parametrize("sign", [1, -1], ids=["+oo", "-oo"])
@pytest.mark.parametrize("name", NAMES)
def test_leading_terms_agree_with_gruntz(name, sign, order):
    prepared = _toward(name, order, sign)
    if prepared is None:
        with pytest.raises(SymactError):
            symact.limit(name, sign * sp.oo)
        return
    expr_t, t = prepared
    fast = limit_at_infinity(expr_t, t)
    if order == 0:
        # every value limit of the catalog is decided here, except a slope of unknown sign
        assert (fast is None) == ((name, sign) in FALLBACK)
    if fast is None:
        return
    gruntz = gruntz_at_infinity(expr_t)  # SymPy's limit, checked at large t (it says 1 for Laplace at -oo)
    assert fast == gruntz or sp.simplify(fast - gruntz) == 0, (fast, gruntz)


KNOWN = [
    # (expression in T, limit as T -> oo): each by hand from the functions' asymptotics
    (T * sp.exp(T**2) * sp.erfc(T), 1 / sp.sqrt(sp.pi)),  # erfcx(t) ~ 1/(t√π)
    (sp.exp(T**2) * sp.erfc(T), 0),
    (T / (1 + sp.exp(-T)) - T, 0),  # SiLU(t) - t = -t·σ(-t)
    (-T * (1 + sp.erf(-T / sp.sqrt(2))) / 2, 0),  # GELU at -oo
    ((1 + sp.tanh(-a * T)) * sp.exp(2 * a * T), 2),  # 1 + tanh(-u) = 2/(1 + e^{2u})
    (sp.log(1 + sp.exp(a * T)) / T, a),  # softplus ~ a·t
    (sp.log(1 + sp.exp(-T)) * sp.exp(T), 1),  # log(1 + u) ~ u
    (sp.sqrt(T) / sp.log(T), sp.oo),
    (sp.log(T) * sp.exp(-T), 0),
    (sp.erf((T - mu) / b) - 1, 0),  # μ's sign unknown: it never leads
    (-sp.exp(a * T) + T**5, -sp.oo),
    (sp.tanh(sp.log(1 + sp.exp(-T))) * sp.exp(T), 1),  # tanh(u) ~ u as u -> 0 (Mish at -oo)
    (sp.atan(T) * 2 / sp.pi, 1),
    ((a * T**2 + 1) ** sp.Rational(-3, 2) * T**3, a ** sp.Rational(-3, 2)),
]


@pytest.mark.parametrize(("expr", "expected"), KNOWN, ids=[str(e) for e, _ in KNOWN])
def test_known_limits(expr, expected):
    expected = sp.sympify(expected)
    got = limit_at_infinity(expr, T)
    assert got is not None
    assert sp.simplify(got - expected) == 0 if expected.is_finite else got == expected
    # and the expression at a large t is near it (a = b = 1, μ = 1/2)
    if expected.is_finite:
        subs = {a: 1, b: 1, mu: sp.Rational(1, 2)}
        f = sp.lambdify(T, expr.xreplace(subs), "mpmath")
        with mp.workdps(60):
            assert abs(f(mp.mpf(40)) - mp.mpf(str(sp.N(expected.xreplace(subs), 40)))) < 0.05


UNDECIDED = [
    sp.sqrt(T**2 + 1) - T,  # leading terms cancel: Gruntz takes the next order
    (a - b) * T,  # the sign of a - b is unknown
    sp.sin(T),  # outside the class
    sp.exp(T * sp.log(T)),  # e^{non-polynomial}
    sp.log(sp.log(T)),
]


@pytest.mark.parametrize("expr", UNDECIDED, ids=[str(e) for e in UNDECIDED])
def test_undecided_forms_are_left_to_sympy(expr):
    assert limit_at_infinity(expr, T) is None


def test_cancelling_terms_still_get_their_limit_from_sympy():
    assert symact.limit(sp.sqrt(symact.x**2 + 1) - symact.x, sp.oo) == 0
    slope = symact.get("leaky_relu").expr.free_symbols - {symact.x}
    assert symact.limit("leaky_relu", -sp.oo) == -sp.oo * sp.sign(slope.pop())
