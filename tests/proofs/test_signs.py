"""Proved tail signs and limits: checked against mpmath values far out, and never claimed for a sign change."""

from __future__ import annotations

import mpmath as mp
import pytest
import sympy as sp
from flint import arb

import symact
from symact.proofs.arb import OutOfReach, enclosure
from symact.proofs.signs import nested_tail_bound, tail_limit, tail_sign

x = symact.x
L = sp.Integer(10)


@pytest.mark.parametrize(("name", "side"), [("gelu", 1), ("gelu", -1), ("silu", -1), ("gelu_tanh", -1),
                                            ("sigmoid", 1), ("softplus", -1), ("laplace", -1),
                                            ("mish", 1), ("mish", -1)])  # Mish: tanh of a remainder
def test_derivative_signs_match_mpmath_far_out(name, side):
    d1 = symact.derivative(symact.get(name).default_expr)
    got = tail_sign(d1.subs(x, side * x), L)
    f = symact.oracle.exact(d1)
    for t in (10, 13.5, 25):  # farther out the oracle's precision cap (16384 bits) cannot resolve tanh-GELU'
        assert mp.sign(f(mp.mpf(side * t))) == got


def test_a_sign_change_beyond_L_is_not_claimed():
    h = (x - 20) * sp.exp(-x) + sp.exp(-3 * x) * symact.sigma(x)  # changes sign at x ≈ 20
    with pytest.raises(OutOfReach):
        tail_sign(h, L)
    assert tail_sign(h, sp.Integer(21)) == 1


def test_mish_second_derivative_tails_are_proved():
    d2 = symact.derivative(symact.get("mish").default_expr, 2)
    f = symact.oracle.exact(d2)
    for side in (1, -1):
        got = tail_sign(d2.subs(x, side * x), L)
        assert all(mp.sign(f(mp.mpf(side * t))) == got for t in (10, 17, 30))


def test_tail_limits():
    d1 = symact.derivative(symact.get("gelu_tanh").default_expr)
    assert tail_limit(d1) == 1 and tail_limit(d1.subs(x, -x)) == 0
    assert tail_limit(symact.get("softplus").default_expr - x) == 0


def test_nested_tail_bound_bounds_mish_minus_x():
    e = symact.get("mish").default_expr - x  # x·(tanh(softplus x) − 1) ≈ −2x·e^{−2x}
    tail = nested_tail_bound(e, L)
    bound = enclosure(tail.bound)(arb(10))
    mish = symact.oracle.exact(e)
    for t in (10, 11, 15):  # the bound is decreasing: its value at 10 bounds every later point
        assert abs(mish(mp.mpf(t))) <= float(bound.upper())
    assert bound < 1e-7
