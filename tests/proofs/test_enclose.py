"""Certified enclosures against values the test derives itself: the papers' formulas in mpmath at 40 digits
(tests/helpers.py), roots by mpmath's findroot, and closed forms (Swish's minimum through Lambert W)."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from flint import arb
from helpers import REFERENCES, reference

import symact
from symact.errors import UndecidedError
from symact.proofs.arb import OutOfReach, enclosure, interval
from symact.proofs.enclose import roots, value_at
from symact.proofs.sup import certified_sup
from symact.proofs.tails import tail_bound
from symact.symbolic.claims import check

ENCLOSABLE = sorted(n for n in symact.names() if n in REFERENCES)


@pytest.mark.parametrize("name", ENCLOSABLE)
def test_enclosure_of_an_interval_contains_the_papers_values(name):
    """The image of [a, b] encloses the paper's formula at points inside (including kinks and both tails)."""
    f = enclosure(symact.get(name).default_expr)
    ref = reference(name)
    rng = np.random.default_rng(sum(map(ord, name)))
    for a in [-30.0, -3.0, -1.0, -1e-3, 0.5, 7.0, *rng.uniform(-6, 6, 6)]:
        b = a + 0.37
        box = f(interval(a, b))
        for t in np.linspace(a, b, 5):
            v = ref(mp.mpf(t))
            # the reference holds 40 digits (1 − 1e-100 is 1 there): a ball of that accuracy must meet the image
            ref_ball = arb(mp.nstr(v, 45), mp.nstr(abs(v) * mp.mpf(10) ** -38 + mp.mpf(10) ** -300, 5))
            assert box.overlaps(ref_ball), (name, a, t, box, v)
        point = f(arb(a))
        assert point.rad() < 1e-60 * max(1.0, abs(float(point.mid()))) or float(point.rad()) < 1e-70


def _papers_extremum(name: str, guess: float, params: dict | None = None):
    """argmin/argmax of the paper's formula: a root of its mpmath derivative, refined by findroot at 40 digits."""
    ref = reference(name, params)
    with mp.workdps(45):
        r = mp.findroot(lambda t: mp.diff(ref, t), mp.mpf(guess))
        return r, ref(r)


@pytest.mark.parametrize("name, guess", [("gelu", -0.75), ("silu", -1.28), ("mish", -1.19), ("gelu_tanh", -0.75),
                                         ("quick_gelu", -0.75), ("softplus", None), ("elu", None)])
def test_extrema_are_enclosed_narrowly(name, guess):
    found = roots(sp.diff(symact.get(name).default_expr, symact.x), -20, 20)
    if guess is None:  # monotone: no critical point
        assert found == []
        return
    (r,) = found
    where, value = _papers_extremum(name, guess)
    assert r.width < 1e-25
    assert r.ball.contains(arb(mp.nstr(where, 40)))
    v = value_at(symact.get(name).default_expr, r)
    assert float(v.hi - v.lo) < 1e-25 and v.ball.contains(arb(mp.nstr(value, 40)))


@pytest.mark.parametrize("beta", ["1", "2", "0.5", "3.7"])
def test_swish_minimum_is_lambert_w(beta):
    """Swish_β is smallest at x = −(1 + W₀(e⁻¹))/β (derivations/swish_family.md), value −W₀(e⁻¹)/β."""
    b = sp.Rational(beta)
    swish = symact.get("swish").expr.subs(symact.symbols.beta, b)
    (r,) = roots(sp.diff(swish, symact.x), -20, 20)
    with mp.workdps(45):
        w = mp.lambertw(mp.exp(-1))
        where, value = -(1 + w) / mp.mpf(beta), -w / mp.mpf(beta)
    assert r.ball.contains(arb(mp.nstr(where, 40))) and r.width < 1e-25
    v = value_at(swish, r)
    assert v.ball.contains(arb(mp.nstr(value, 40))) and float(v.hi - v.lo) < 1e-25


@pytest.mark.parametrize("name, lipschitz", [("sigmoid", "0.25"), ("tanh", "1")])
def test_lipschitz_constants(name, lipschitz):
    """sup |f'| over the real line: σ' = σ(1 − σ) ≤ 1/4, tanh' = 1 − tanh² ≤ 1, both at 0."""
    s = certified_sup(sp.diff(symact.get(name).default_expr, symact.x))
    assert mp.mpf(s.lo_float) <= mp.mpf(lipschitz) <= mp.mpf(s.hi_float)
    assert s.hi_float - s.lo_float <= 1e-12 * s.hi_float and abs(s.at) < 1e-6


def _papers_sup(a: str, b: str, guess: float):
    fa, fb = reference(a), reference(b)
    with mp.workdps(45):
        err = lambda t: fa(t) - fb(t)  # noqa: E731
        where = mp.findroot(lambda t: mp.diff(err, t), mp.mpf(guess))
        return abs(err(where))


@pytest.mark.parametrize("a, b, guess", [("gelu_tanh", "gelu", 2.7), ("quick_gelu", "gelu", -2.27),
                                         ("silu", "relu", -1.28)])
def test_approximation_errors_are_enclosed_to_1e12(a, b, guess):
    s = certified_sup(symact.get(a).default_expr - symact.get(b).default_expr)
    want = _papers_sup(a, b, guess)
    assert mp.mpf(s.lo_float) <= want <= mp.mpf(s.hi_float), (s.lo_float, want, s.hi_float)
    assert s.hi_float - s.lo_float <= 1e-12 * s.hi_float
    assert "tail" in s.how


def test_check_is_proved_just_above_the_bound_and_disproved_just_below():
    s = certified_sup(symact.get("gelu_tanh").default_expr - symact.get("gelu").default_expr)
    above, below = s.hi_float * (1 + 1e-12), s.lo_float * (1 - 1e-12)
    assert check("gelu_tanh(x) ~ gelu(x)", tol=above).verdict == "PROVED"
    v = check("gelu_tanh(x) ~ gelu(x)", tol=below)
    assert v.verdict == "DISPROVED" and "certified" in v.detail
    t = mp.mpf(v.counterexample["x"])  # the counterexample is one: evaluated here, above the tolerance
    assert abs(reference("gelu_tanh")(t) - reference("gelu")(t)) > below


def test_tails_out_of_reach_say_why():
    x = symact.x
    with pytest.raises(OutOfReach, match="nests"):
        tail_bound(symact.get("mish").default_expr - x, sp.Integer(10))
    with pytest.raises(OutOfReach, match="does not tend to a finite constant"):
        tail_bound(symact.get("silu").default_expr, sp.Integer(10))  # grows like x
    # ELU − ReLU → −1 as x → −∞: a constant limit is allowed, the bound is 1 + e^{-x} at x → −x
    left = tail_bound((symact.get("elu").default_expr - symact.get("relu").default_expr).subs(x, -x), sp.Integer(10))
    value = enclosure(left.bound)(arb(10))
    assert value > 1 and value < 1 + 1e-4
    with pytest.raises(OutOfReach, match="cannot enclose"):
        enclosure(sp.besselj(0, x))


def test_a_double_root_is_undecided():
    with pytest.raises(UndecidedError, match="double root"):
        roots((symact.x - sp.Rational(1, 3)) ** 2, -1, 1)
