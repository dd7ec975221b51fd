"""Each lowering rule must preserve the value: lowered == original, checked with mpmath."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

import symact
from symact import Phi, sigma, softplus, x
from symact.lowering import LOWERED, PAIR_RULES, lower, rules
from symact.symbolic.calculus import resolve


def _poly(t, coeffs):
    """P(t) from (hi, lo) coefficient pairs, highest degree first, summed exactly in mpmath."""
    total = mp.mpf(0)
    for hi, lo in zip(coeffs[0::2], coeffs[1::2], strict=True):
        total = total * t + (mp.mpf(hi) + mp.mpf(lo))
    return total


def _dx_expit_cubic(t, a1, a3):
    z = a1 * t + a3 * t**3
    return (1 + (a1 * t + 3 * a3 * t**3) / (1 + mp.exp(z))) / (1 + mp.exp(-z))


# mpmath meanings of the lowered functions, written independently of symact.lowering.ir and the kernels
MP_NUMERIC = {
    "expit_poly": lambda t, *c: 1 / (1 + mp.exp(-_poly(t, c))),
    "x_expit_poly": lambda t, *c: t / (1 + mp.exp(-_poly(t, c))),
    "erfc_poly": lambda t, *c: mp.erfc(_poly(t, c)),
    "x_erfc_poly": lambda t, k, *c: k * t * mp.erfc(_poly(t, c)),
    "gauss_poly": lambda t, *c: mp.exp(-_poly(t, c) ** 2),
    "x_gauss_poly": lambda t, k, *c: k * t * mp.exp(-_poly(t, c) ** 2),
    "expit": lambda z: 1 / (1 + mp.exp(-z)),
    "dexpit": lambda z: 1 / ((1 + mp.exp(-z)) * (1 + mp.exp(z))),
    "dexpit_fast": lambda z: 1 / ((1 + mp.exp(-z)) * (1 + mp.exp(z))),
    "x_expit": lambda t, k: t / (1 + mp.exp(-k * t)),
    "dx_expit": lambda t, kh, kl: (1 + (kh + kl) * t / (1 + mp.exp((kh + kl) * t))) / (1 + mp.exp(-(kh + kl) * t)),
    "dx_ncdf": lambda t, kh, kl: mp.ncdf(t) + (kh + kl) * t * mp.exp(-(t**2) / 2),
    "dx_expit_cubic": lambda t, a1h, a1l, a3h, a3l: _dx_expit_cubic(t, a1h + a1l, a3h + a3l),
    "dx_expit_fast": lambda t, k: (1 + k * t / (1 + mp.exp(k * t))) / (1 + mp.exp(-k * t)),
    "ramp": lambda t, a, b: (min(max(t, a), b) - a) / (b - a),
    "x_tanh_softplus_fast": lambda t: t * mp.tanh(mp.log1p(mp.exp(t))),
    "x_tanh_softplus": lambda t: t * mp.tanh(mp.log1p(mp.exp(t))),
    "dx_tanh_softplus": lambda t: (mp.tanh(mp.log1p(mp.exp(t)))
                                   + t * mp.sech(mp.log1p(mp.exp(t))) ** 2 / (1 + mp.exp(-t))),
    "ncdf": lambda t: mp.erfc(-t / mp.sqrt(2)) / 2,
    "x_ncdf": lambda t, k: k * t * mp.erfc(-t / mp.sqrt(2)) / 2,
    "gauss": lambda t: mp.exp(-(t**2) / 2),
    "x_gauss": lambda t, k: k * t * mp.exp(-(t**2) / 2),
    "erfc_stable": mp.erfc,
    "log1p": mp.log1p,
    "expm1": mp.expm1,
    "softplus_stable": lambda z: mp.log1p(mp.exp(z)),
    "maximum": lambda a, b: max(a, b),
    "where": lambda c, a, b: a if c else b,
    "minimum": lambda a, b: min(a, b),
    "k_gauss_poly": lambda t, kh, kl, *c: (kh + kl) * mp.exp(-_poly(t, c) ** 2),
    "hypot": lambda a, b: mp.sqrt(a * a + b * b),
    "x_minus_tanh": lambda t: t - mp.tanh(t),
    "expit_softplus_pow": lambda z, a, b: (1 + mp.exp(-z)) ** (-a) * mp.log1p(mp.exp(z)) ** b,
    "expm1_shift": lambda t, rh, rl, ch, cl: (ch + cl) * mp.expm1(t - (rh + rl)),
    "expm1_lin": lambda t, ah, al, sh, sl: (ah + al) * (mp.expm1(t) - t) + (sh + sl) * t,
    "pow_shift": lambda t, c, m: (t + c) ** m,
    "tanh_sq": lambda t: mp.tanh(t) ** 2,
    "x_affine": lambda t, ah, al, bh, bl: t * ((ah + al) * t + bh + bl),
    "hypot_pow": lambda t, ch, cl, s, m, n: (mp.sqrt(t * t + ch + cl) + s * t) ** m * mp.sqrt(t * t + ch + cl) ** n,
}

u = sp.Symbol("u", real=True)
CASES = {
    "one_plus_tanh": x / 2 * (1 + sp.tanh(3 * x)),
    "one_plus_tanh_distributed": x / 2 + x * sp.tanh(x) / 2 + x**2,
    "one_minus_tanh": 3 - 3 * sp.tanh(x),
    "sech_squared": sp.tanh(x) ** 2 - 1,
    "one_minus_sigma": x * (1 - sigma(2 * x)),
    "one_minus_Phi": 1 - Phi(x),
    "one_plus_erf": x * (1 + sp.erf(x / sp.sqrt(2))) / 2,
    "one_minus_erf": 1 - sp.erf(x),
    "exp_minus_one": sp.exp(x) - 1,
    "log_one_plus_exp": sp.log(1 + sp.exp(2 * x)),
    "log_one_plus": sp.log(1 + x**2),
    "log_sigma": sp.log(sigma(x)),
    "logistic": 1 / (1 + sp.exp(-x)),
    "sigma_pair": 3 * x * sigma(x / 2) * sigma(-x / 2),
    "max": sp.Max(0, x) + sp.Min(x, 1),
    "softplus": softplus(x) * Phi(x),
    "ramp": sp.piecewise_fold(x * sp.Piecewise((0, x <= -3), (1, x >= 3), (x / 6 + sp.S.Half, True))),
    "ramp_relu6": sp.Piecewise((0, x < 0), (6, x > 6), (x, True)),
    "kink": sp.Piecewise((x**2, x > 0), (sp.exp(x) - 1, True)),
    "kink_left": 3 * sp.Piecewise((sp.log(1 + x**2), x <= 0), (x, True)),
    "exp_affine": 4 * sp.exp(x) / 5 - sp.Rational(3, 10),
    "exp_affine_lin": sp.Rational(4, 5) * (sp.exp(x) - 1 - x) + x / 2,
    "exp_affine_scaled": (8 * sp.exp(x) - 3) / 10,
    "hypot_pow": 3 * (2 - 2 * x / sp.sqrt(x**2 + 3)) / (2 * sp.sqrt(x**2 + 3) - 2 * x) ** 2,  # squareplus' (b = 3)
    "hypot_pow_cancelling": sp.sqrt(x**2 + 4) - x,  # evaluated as 4/(h + x) right of 0
    "pow_shift": 3 / (x - 1) ** 2 + (x + sp.Rational(1, 4)) ** 3,
    "tanh_sq": x * sp.tanh(x) ** 2,
    "x_affine": sp.Rational(4, 5) * x**2 + x / 2,  # xIELU right of 0
}


def _mp(expr):
    return sp.lambdify(x, expr, modules=[MP_NUMERIC, "mpmath"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_preserves_value(name):
    expr = CASES[name]
    low = lower(expr)
    assert low != expr
    f, g = _mp(symact.to_elementary(expr)), _mp(low)
    for point in ("-3.5", "-0.75", "0.125", "2.5"):
        with mp.workdps(60):
            exact = f(mp.mpf(point))
        assert mp.almosteq(g(mp.mpf(point)), exact, rel_eps=1e-25, abs_eps=1e-30), point


def test_exp_affine_fuses_only_sums_with_a_root_and_numbers():
    from symact.lowering.ir import expm1_shift

    assert not lower(2 * (sp.exp(x) - 1) + 3).has(expm1_shift)  # 2eˣ + 1 > 0: nothing cancels
    alpha = sp.Symbol("alpha", positive=True)
    assert not lower(alpha * sp.exp(x) - 1).has(expm1_shift)  # a symbolic coefficient: no root known
    low = lower(-sp.exp(x) / 2 + 2)  # root ln 4, c = −2
    assert isinstance(low, expm1_shift) and float(low.args[1]) == pytest.approx(float(sp.log(4)), rel=1e-16)


def test_hypot_fuses_whole_factored_quotients():
    from symact.lowering.ir import hypot_pow

    low = lower(CASES["hypot_pow"])
    assert low.func == sp.Mul and any(isinstance(f, hypot_pow) for f in low.args), low
    assert [f.args[3:] for f in low.args if isinstance(f, hypot_pow)] == [(-1, -1, -1)]  # 3/(2h(h − x))


def test_every_pair_rule_is_exercised():
    exercised = {name.removesuffix("_distributed") for name in CASES}
    assert {r.name for r in PAIR_RULES} <= exercised


@pytest.mark.parametrize("name", symact.names())
@pytest.mark.parametrize("order", [0, 1, 2])
@pytest.mark.parametrize("compensated", [True, False], ids=["compensated", "fast"])
def test_lowering_preserves_registry_expressions(name, order, compensated):
    expr = resolve(name, order)
    f, g = _mp(symact.to_elementary(expr)), _mp(lower(expr, fast=not compensated))
    for point in ("-4.75", "-1.25", "0.5", "2.25", "6.5"):
        with mp.workdps(80):
            exact = f(mp.mpf(point))
        assert mp.almosteq(g(mp.mpf(point)), exact, rel_eps=1e-25, abs_eps=1e-30), point


def test_lowered_uses_only_known_functions():
    known = set(LOWERED) | {"exp", "tanh", "erf", "log", "Piecewise"}
    for name in symact.names():
        for order in (0, 1, 2):
            for compensated in (True, False):
                low = lower(resolve(name, order), fast=not compensated)
                used = {type(f).__name__ for f in low.atoms(sp.Function)}
                assert used <= known, (name, order, used)


def test_rules_are_documented():
    table = rules()
    assert len(table) == len({n for n, _ in table})
    assert all(doc for _, doc in table)


def test_switching_lowering_off_keeps_the_textbook_formula():
    assert lower(symact.get("gelu").expr, lowering=False).has(sp.erf)
    assert not lower(symact.get("gelu").expr).has(sp.erf)


def test_ramps_and_kinks_need_no_select():
    """Hard-sigmoid/-swish lower to ramp(), ELU/SELU/ReLU² to f(max(x, 0)) + g(min(x, 0)): no numpy.where,
    and the outer pieces are exact (hard-swish(x) = x for x ≥ 3, 0 for x ≤ −3, by definition)."""
    for name in ("hard_sigmoid", "hard_swish", "elu", "selu", "relu_squared"):
        assert not lower(resolve(name, 0)).has(LOWERED["where"]), name
    assert lower(sp.Piecewise((x, x > 0), (sp.exp(x), True))).has(LOWERED["where"])  # exp(0) ≠ 0: no kink form
    big = np.array([3.0, 3.0000000000000004, 7.25, 1e10, 1e300, np.inf])
    assert np.array_equal(symact.lambdify("hard_swish")(big), big)
    assert np.array_equal(symact.lambdify("hard_sigmoid")(big), np.ones_like(big))
    assert np.array_equal(symact.lambdify("hard_swish")(-big), np.zeros_like(big))
    assert np.array_equal(symact.lambdify("hard_sigmoid")(-big), np.zeros_like(big))
    # ReLU6 is a clamp, exact as min/max: 6·ramp(x, 0, 6) = 6·(x/6) was 2 ulp off at the smallest normal
    tiny = np.array([2.2250738585072014e-308, 5e-324, 1e-310, 0.1, 3.3, 5.999999999999999, 6.0, 7.0, -1.0])
    for backend in ("numpy", "c"):
        assert np.array_equal(symact.lambdify("relu6", backend=backend)(tiny), np.minimum(np.maximum(tiny, 0), 6))
