"""The numba kernels' own primitives against mpmath at 40 digits: exp, tanh and expm1 (written without libm so
that loops vectorize) and the FMA-based exact product; specialisations against the kernels they specialise."""

from __future__ import annotations

from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest
from numba import njit

from symact.kernels import numba as K


@njit
def _exp_loop(x, out):
    for i in range(x.size):
        out[i] = K.exp(x[i])


@njit
def _tanh_loop(x, out):
    for i in range(x.size):
        out[i] = K.tanh(x[i])


def _max_ulp(got: np.ndarray, xs: np.ndarray, exact) -> float:
    worst = 0.0
    for v, g in zip(xs, got, strict=True):
        e = exact(mp.mpf(float(v)))
        if not (2.2250738585072014e-308 <= abs(e) <= 1.7976931348623157e308):
            continue
        _, expo = mp.frexp(e)
        worst = max(worst, float(abs(mp.mpf(float(g)) - e) / mp.ldexp(1, int(expo) - 53)))
    return worst


def _run(loop, xs):
    out = np.empty_like(xs)
    loop(xs, out)
    return out


def test_exp_is_within_0_64_ulp():
    rng = np.random.default_rng(5)
    xs = np.concatenate([np.linspace(-708.3, 709.7, 6001), rng.uniform(-1, 1, 3000), rng.uniform(-40, 40, 3000)])
    assert _max_ulp(_run(_exp_loop, xs), xs, mp.exp) <= 0.64


def test_exp_specials_and_subnormal_results():
    xs = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 709.78, 709.79, 1000.0, -745.2, -746.0, -1e300, -740.0])
    out = _run(_exp_loop, xs)
    assert np.isnan(out[0]) and out[1] == np.inf and out[2] == 0.0 and out[3] == 1.0 and out[4] == 1.0
    assert np.isfinite(out[5]) and out[6] == np.inf and out[7] == np.inf
    assert out[8] == 0.0 and out[9] == 0.0 and out[10] == 0.0
    exact = float(mp.exp(-740))  # subnormal: within one unit of the smallest subnormal (one rounding after two)
    assert abs(out[11] - exact) <= np.finfo(np.float64).smallest_subnormal


def test_tanh_is_within_0_9_ulp():
    rng = np.random.default_rng(6)
    xs = np.concatenate([np.linspace(-25, 25, 8001), rng.uniform(-3, 3, 4000), np.geomspace(1e-300, 1, 400),
                         -np.geomspace(1e-300, 1, 400)])
    assert _max_ulp(_run(_tanh_loop, xs), xs, mp.tanh) <= 0.9


def test_tanh_specials():
    out = _run(_tanh_loop, np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 1e-320]))
    assert np.isnan(out[0]) and out[1] == 1.0 and out[2] == -1.0
    assert out[3] == 0.0 and np.signbit(out[3]) and out[4] == 0.0 and out[5] == 1e-320


@njit
def _expm1_dd_loop(x, hi, lo):
    for i in range(x.size):
        hi[i], lo[i] = K.expm1_dd(x[i])


def test_expm1_dd_is_within_2_to_the_minus_55():
    """eᵈ − 1 as hi + lo without libm (xIELU''s expm1_shift, so its loop vectorizes): relative error ≤ 2⁻⁵⁵ on
    both sides of the |d| = 1/2 switch, at tiny d (where it is d itself), and down to −1 where eᵈ underflows."""
    rng = np.random.default_rng(7)
    xs = np.concatenate([np.linspace(-800, 700, 3001), rng.uniform(-0.6, 0.6, 3000), np.geomspace(1e-300, 0.4, 300),
                         -np.geomspace(1e-300, 0.4, 300), [0.5, -0.5, np.nextafter(0.5, 1), np.nextafter(-0.5, -1)]])
    hi, lo = np.empty_like(xs), np.empty_like(xs)
    _expm1_dd_loop(xs, hi, lo)
    assert hi[xs == 0].tolist() == [0.0] and lo[xs == 0].tolist() == [0.0]
    exact = [mp.expm1(mp.mpf(float(v))) for v in xs]
    worst = max(abs((mp.mpf(float(h)) + mp.mpf(float(q))) - e) / abs(e)
                for e, h, q in zip(exact, hi, lo, strict=True) if e != 0)
    assert worst <= mp.mpf(2) ** -55, float(worst)
    nan = np.array([np.nan, -np.inf])
    _expm1_dd_loop(nan, h2 := np.empty(2), np.empty(2))
    assert np.isnan(h2[0]) and h2[1] == -1.0


@njit(error_model="numpy")
def _expm1_loop(x, out):
    for i in range(x.size):
        out[i] = K.expm1(x[i])


def test_expm1_is_within_an_ulp_and_keeps_the_specials():
    """eᶻ − 1 without libm (ELU, SELU, CELU's loops vectorize): within 0.75 ulp of mpmath — the double-double's
    2⁻⁵⁵ and one rounding — from the underflow of eᶻ to its overflow; −0, ±inf, NaN and the overflow as libm's."""
    rng = np.random.default_rng(11)
    xs = np.concatenate([np.linspace(-760, 709.7, 4001), rng.uniform(-3, 3, 4000), np.geomspace(1e-310, 0.6, 300),
                         -np.geomspace(1e-310, 0.6, 300)])
    out = np.empty_like(xs)
    _expm1_loop(xs, out)
    with mp.workdps(40):
        worst = max(abs(mp.mpf(float(o)) - mp.expm1(mp.mpf(float(v)))) / mp.mpf(float(np.spacing(abs(o))))
                    for v, o in zip(xs, out, strict=True))
    assert worst <= 0.75, float(worst)
    special = np.array([-0.0, 0.0, np.inf, -np.inf, np.nan, 709.78, 709.79, 1000.0])
    _expm1_loop(special, got := np.empty_like(special))
    with np.errstate(over="ignore"):
        want = np.expm1(special)
    assert np.array_equal(got, want, equal_nan=True)
    assert np.signbit(got[0]) and not np.signbit(got[1])


@njit
def _dx_loops(x, general, silu):
    for i in range(x.size):
        general[i] = K.dx_expit(x[i], 1.0, 0.0)
        silu[i] = K.dx_silu(x[i])


def test_dx_silu_is_dx_expit_at_k_1_bit_for_bit():
    """The k = 1 specialisation (SiLU', Swish' at β = 1) drops u's error terms, which are exactly 0 there."""
    xs = np.concatenate([np.linspace(-800, 800, 40001), np.geomspace(1e-320, 1, 500), -np.geomspace(1e-320, 1, 500),
                         [np.nan, np.inf, -np.inf, 0.0, -0.0, 759.9, 760.1, -760.1, 1e300, -1e300]])
    general, silu = np.empty_like(xs), np.empty_like(xs)
    _dx_loops(xs, general, silu)
    num = ~np.isnan(general)  # bit for bit, -0 included; NaN stays NaN (its payload is not ours to keep)
    assert np.array_equal(general[num].view(np.int64), silu[num].view(np.int64)) and np.isnan(silu[~num]).all()


@pytest.mark.parametrize(("a", "b"), [(0.1, 0.3), (1e200, 3e100), (-7.0 / 3, 2.0**-1000), (1 + 2**-52, 1 - 2**-53)])
def test_two_prod_is_exact(a, b):
    p, e = K.two_prod(a, b)
    if np.isfinite(a * b):
        assert Fraction(p) + Fraction(e) == Fraction(a) * Fraction(b)
    else:
        assert e == 0.0  # an overflowing product: no error term, as ddmath.dekker


@njit
def _scale_down_loop(v, n, out):
    for i in range(v.size):
        out[i] = K.scale_down(v[i], n[i])


def test_scale_down_rounds_once_as_ldexp():
    """v·2ⁿ by two multiplications, for the σ kernels' n ≤ 0: equal to ldexp (one rounding, subnormals included)."""
    rng = np.random.default_rng(8)
    v = np.concatenate([rng.uniform(0.5, 2.0, 4000), rng.uniform(-2.0, -0.5, 1000), rng.uniform(-1e-16, 1e-16, 1000)])
    n = rng.integers(-1100, 1, v.size)
    out = np.empty_like(v)
    _scale_down_loop(v, n, out)
    assert np.array_equal(out, np.ldexp(v, n))


@njit
def _x_expit_loop(x, out):
    for i in range(x.size):
        out[i] = K.x_expit(x[i], 1.0)


@njit
def _expit_loop(x, out):
    for i in range(x.size):
        out[i] = K.expit(x[i])


def test_sigma_kernels_apply_their_power_of_two_last():
    """The bare kernels, without the runtime's longdouble rescue, where e^x is subnormal: x·σ(x) normal down to
    x ≈ −714.6 within 1 ulp (x·t with t subnormal was 355 ulp off in the C header); σ itself within one unit of the
    smallest subnormal."""
    xs = np.linspace(-714.5, -700.0, 600)
    silu = _run(_x_expit_loop, xs)
    assert _max_ulp(silu, xs, lambda v: v / (1 + mp.exp(-v))) <= 1.0
    far = np.linspace(-745.0, -709.0, 300)
    sig = _run(_expit_loop, far)
    exact = np.array([float(1 / (1 + mp.exp(-mp.mpf(float(v))))) for v in far])
    assert np.all(np.abs(sig - exact) <= np.finfo(np.float64).smallest_subnormal)
