from __future__ import annotations

import mpmath as mp
import pytest
import sympy as sp
from helpers import param_sets, reference, sample_points

import symact
from symact import Phi, phi, sigma, x
from symact.symbols import alpha, beta, kappa

NAMES = symact.names()
CASES = [(n, p) for n in NAMES for p in param_sets(n)]
CASE_IDS = [n + ("" if not p else "-" + "-".join(f"{k}{float(v):.4g}" for k, v in p.items())) for n, p in CASES]


# --- derivatives ----------------------------------------------------------------------------

KNOWN_FORMS = [
    ("gelu", Phi(x) + x * phi(x)),
    ("sigmoid", sigma(x) * (1 - sigma(x))),
    ("tanh", 1 - sp.tanh(x) ** 2),
    ("softplus", sigma(beta * x)),
    ("swish", sigma(beta * x) * (1 + beta * x * (1 - sigma(beta * x)))),
    ("silu", sigma(x) * (1 + x * (1 - sigma(x)))),
    ("gelu_sigmoid", sigma(alpha * x) * (1 + alpha * x * (1 - sigma(alpha * x)))),
    ("mish", sp.tanh(symact.softplus(x)) + x * sigma(x) * (1 - sp.tanh(symact.softplus(x)) ** 2)),
]


@pytest.mark.parametrize(("name", "known"), KNOWN_FORMS, ids=[k[0] for k in KNOWN_FORMS])
def test_first_derivative_in_known_form(name, known):
    d = symact.derivative(name)
    assert sp.simplify(sp.expand(d - known)) == 0
    assert symact.equivalent(d, known)
    # ... and numerically, at a few parameter values, in the elementary (not named) form.
    params = {s: sp.Rational(7, 5) for s in (beta, alpha) if d.has(s)}
    f = sp.lambdify(x, symact.to_elementary((d - known).xreplace(params)), "mpmath")
    for point in (-3.5, -0.4, 0.9, 6.0):
        assert abs(f(mp.mpf(point))) < mp.mpf(10) ** -35


def test_gelu_derivative_is_exactly_the_textbook_form():
    assert symact.derivative("gelu") == Phi(x) + x * phi(x)
    assert symact.derivative("softplus") == sigma(beta * x)


@pytest.mark.parametrize(("name", "params"), CASES, ids=CASE_IDS)
@pytest.mark.parametrize("order", [1, 2])
def test_derivatives_match_mpmath_diff_of_the_paper_formula(name, params, order):
    ref = reference(name, params)
    ours = symact.to_mpmath(name, order, **{k: sp.Rational(v) for k, v in params.items()})
    for point in sample_points(name, 6, seed=order):
        expected = mp.diff(ref, mp.mpf(point), order)
        assert mp.almosteq(ours(point), expected, rel_eps=mp.mpf(10) ** -25, abs_eps=mp.mpf(10) ** -30), point


def test_derivative_wrt_parameter():
    d = symact.derivative("swish", wrt=beta)
    assert symact.equivalent(d, x**2 * sigma(beta * x) * (1 - sigma(beta * x)))
    assert symact.derivative("gelu", 0) == symact.get("gelu").expr


def test_derivative_is_cached():
    act = symact.get("gelu_tanh")
    assert symact.derivative(act, 2) is symact.derivative(act, 2)


# --- limits and asymptotes ------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("sign", [1, -1], ids=["+oo", "-oo"])
def test_limits_at_infinity_agree_with_large_x(name, sign):
    limit = symact.limit(symact.get(name).default_expr, sign * sp.oo)
    ref = reference(name)
    if limit.is_finite:
        # exponential approach (σ) is within 1e-20 at 1e6; algebraic approach (softsign's 1 − 1/x) is not,
        # but its distance to the limit must then shrink like a power of x
        target = mp.mpf(str(sp.N(limit, 30)))
        near, far = abs(ref(sign * 1e6) - target), abs(ref(sign * 1e12) - target)
        assert far < 1e-20 or far < 1e-5 * near, (near, far)
    else:
        big = ref(sign * 1e12)  # far enough out that a slow divergence (0.01x, √x) is plain
        assert limit in (sp.oo, -sp.oo)
        assert mp.sign(big) == (1 if limit == sp.oo else -1) and abs(big) > 1e3


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("order", [1, 2])
def test_limits_of_derivatives_agree_with_mpmath_diff_at_large_x(name, order):
    """SymPy 1.14 returns 0 for lim GELU-sigmoid'(x) at +oo (it is 1): symact cross-checks and retries."""
    ref = reference(name)
    for sign in (1, -1):
        lim = symact.limit(symact.derivative(symact.get(name).default_expr, order), sign * sp.oo)
        value = mp.diff(ref, mp.mpf(sign * 200), order)
        if lim.is_finite:
            # within 1e-6 at 200 (exponential approach), or approaching like a power of x (softsign' = 1/(1+x)²)
            target = mp.mpf(str(sp.N(lim, 30)))
            far = abs(mp.diff(ref, mp.mpf(sign * 200000), order) - target)
            assert abs(value - target) < 1e-6 or far < 0.1 * abs(value - target), (sign, lim, value)
        else:
            assert mp.sign(value) == (1 if lim == sp.oo else -1) and abs(value) > 10


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("sign", [1, -1], ids=["+oo", "-oo"])
def test_asymptote_is_approached(name, sign):
    asym = symact.asymptote(symact.get(name).default_expr, sign * sp.oo)
    f_asym = sp.lambdify(x, asym, "mpmath")
    ref = reference(name)
    gap = [abs(ref(sign * t) - f_asym(mp.mpf(sign * t))) / max(1, abs(ref(sign * t))) for t in (1e2, 1e4)]
    assert gap[1] < 1e-3 and gap[1] <= gap[0] + 1e-30


def test_named_limits():
    assert symact.limit("gelu", sp.oo) == sp.oo and symact.limit("gelu", -sp.oo) == 0
    assert symact.asymptote("gelu", sp.oo) == x and symact.asymptote("gelu", -sp.oo) == 0
    assert symact.limit("elu", -sp.oo) == -alpha
    assert symact.asymptote("relu_squared", sp.oo) == x**2


def test_swish_beta_limits():
    assert symact.limit("swish", 0, wrt=beta) == x / 2
    relu = symact.limit("swish", sp.oo, wrt=beta)
    assert symact.equivalent(relu, symact.get("relu").expr)
    # checked against values at large beta, both signs of x
    for point in (-2.5, -0.1, 0.3, 4.0):
        swish_big_beta = reference("swish", {"beta": "1e6"})(point)
        assert abs(swish_big_beta - float(relu.subs(x, point))) < 1e-12


def test_softplus_beta_limit_is_relu():
    relu = symact.limit("softplus", sp.oo, wrt=beta)
    assert symact.equivalent(relu, symact.get("relu").expr)
    for point in (-2.5, 0.7):
        assert abs(reference("softplus", {"beta": "1e5"})(point) - float(relu.subs(x, point))) < 1e-4


def test_gelu_tanh_kappa_zero_limit():
    lim = symact.limit("gelu_tanh", 0, wrt=kappa, dir="+")
    assert symact.equivalent(lim, x / 2 * (1 + sp.tanh(sp.sqrt(2 / sp.pi) * x)))


# --- series ---------------------------------------------------------------------------------

# Branches at 0 that are one analytic function written two ways (squareplus: (x + √(x² + b))/2 and its
# cancellation-free b/(2(√(x² + b) − x)); Barron 2021 calls it smooth): the series exists there.
SMOOTH_AT_SWITCH = {"squareplus"}


@pytest.mark.parametrize("name", NAMES)
def test_series_against_mpmath_taylor(name):
    act = symact.get(name)
    if 0 in symact.breakpoints(act.default_expr) and name not in SMOOTH_AT_SWITCH:
        with pytest.raises(symact.NotAnalyticError, match="kink"):
            symact.series(act.default_expr)
        return
    poly = sp.Poly(symact.series(act.default_expr, 6), x)
    ours = [poly.coeff_monomial(x**k) for k in range(6)]
    expected = mp.taylor(reference(name), 0, 5)
    for k, (a, b) in enumerate(zip(ours, expected, strict=True)):
        assert mp.almosteq(mp.mpf(str(sp.N(a, 35))), b, rel_eps=mp.mpf(10) ** -20, abs_eps=mp.mpf(10) ** -25), k


def test_series_known_coefficients():
    assert symact.series("mish", 3) == 3 * x / 5 + 8 * x**2 / 25  # tanh(log 2) = 3/5 collapsed
    # GELU-tanh's x^4 coefficient vanishes at the Taylor-matched kappa = (4 - pi) / (6 pi)
    c4 = sp.Poly(symact.series("gelu_tanh", 5), x).coeff_monomial(x**4)
    c4_exact = sp.Poly(symact.series("gelu", 5), x).coeff_monomial(x**4)
    assert sp.simplify(c4.subs(kappa, (4 - sp.pi) / (6 * sp.pi)) - c4_exact) == 0


def test_series_elsewhere_and_order_term():
    s = symact.series("relu", 3, at=2)
    assert sp.expand(s) == x
    with_o = symact.series("sigmoid", 4, with_order_term=True)
    assert with_o.getO() is not None
    hs = symact.series("hard_swish", 3, at=1)
    assert sp.expand(hs - (x**2 / 6 + x / 2)) == 0


# --- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("order", [-1, 1.5, "2", True])
def test_bad_order(order):
    with pytest.raises(symact.InvalidArgumentError, match="order must be"):
        symact.derivative("gelu", order)


def test_bad_objects_and_points():
    with pytest.raises(symact.InvalidArgumentError, match="activation, its name"):
        symact.derivative([1, 2])
    with pytest.raises(symact.UnknownActivationError):
        symact.limit("gelux", sp.oo)
    with pytest.raises(symact.InvalidArgumentError, match="point must be"):
        symact.limit("gelu", "up")
    with pytest.raises(symact.InvalidArgumentError, match="wrt must be"):
        symact.derivative("gelu", wrt="beta")
    with pytest.raises(symact.InvalidArgumentError, match="asymptote"):
        symact.asymptote("gelu", 3)
    with pytest.raises(symact.InvalidArgumentError, match="at must be"):
        symact.series("gelu", at=sp.oo)
    with pytest.raises(symact.NotAnalyticError, match="x = 3"):
        symact.series("hard_swish", at=3)
