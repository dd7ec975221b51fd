"""Double-double helpers: exactness of the error-free transformations, against mpmath."""

from __future__ import annotations

import mpmath as mp
import numpy as np

from symact.kernels import ddmath
from symact.kernels.numpy import _NumpyNamespace

RNG = np.random.default_rng(11)
A = RNG.normal(scale=1e3, size=500) * np.exp(RNG.uniform(-30, 30, 500))
B = RNG.normal(scale=1.0, size=500) * np.exp(RNG.uniform(-30, 30, 500))


def test_two_prod_is_exact_in_both_numpy_paths():
    for p, e in (_NumpyNamespace.two_prod(A, B), ddmath.dekker(_NumpyNamespace, A, B)):
        assert all(mp.mpf(a) * mp.mpf(b) == mp.mpf(pp) + mp.mpf(ee) for a, b, pp, ee in zip(A, B, p, e, strict=True))
    with np.errstate(all="ignore"):  # the split overflows; NumericFunction evaluates under errstate too
        assert _NumpyNamespace.two_prod(np.full(3, 1e300), np.full(3, 1e10))[1].tolist() == [0, 0, 0]


def test_two_sum_is_exact():
    s, e = ddmath.two_sum(_NumpyNamespace, A, B)
    assert all(mp.mpf(a) + mp.mpf(b) == mp.mpf(ss) + mp.mpf(ee) for a, b, ss, ee in zip(A, B, s, e, strict=True))


def test_sigmoid_forms_against_mpmath():
    z = np.concatenate([np.linspace(-40, 40, 801), [-700.0, 700.0]])
    with mp.workdps(40):
        sig = [1 / (1 + mp.exp(-mp.mpf(v))) for v in z]
        for got, v, s in zip(ddmath.dexpit(_NumpyNamespace, z), z, sig, strict=True):
            want = s * (1 - s) if v < 0 else s * (1 / (1 + mp.exp(mp.mpf(v))))
            assert abs(mp.mpf(got) - want) <= 2 * 2.0**-52 * want, v
        r, c = ddmath.expit_dd(_NumpyNamespace, z, 0.0 * z)
        for got, s in zip(r + c, sig, strict=True):
            assert abs(mp.mpf(got) - s) <= 2 * 2.0**-52 * s


def test_select_evaluates_each_branch_on_its_own_points():
    seen = []

    def big(xp, h):
        seen.append(("big", h.size))
        return h * 2

    def small(xp, h):
        seen.append(("small", h.size))
        return h * 3

    h = np.array([-1.0, 2.0, 3.0])
    assert np.array_equal(ddmath.select(_NumpyNamespace, h > 0, big, small, h), [-3.0, 4.0, 6.0])
    assert sorted(seen) == [("big", 2), ("small", 1)]


def test_tanh_squared_fit_matches_mpmath_to_a_tenth_of_an_ulp():
    # tanh² = u + u²·G(u) below |x| = 1/2, G = G₀ + G₀_lo + u·H(u): G's error (H in double by Horner's rule, as
    # the kernels take it), u·|ΔG|/(1 + u·G), stays well below the result's ulp (the kernel's one rounding is the
    # budget); checked between the fit's nodes too, against tanh at 40 digits
    *h_coeffs, g0 = ddmath._TANH_SQ_G
    u = np.linspace(0.0, ddmath._TANH_SQ_SMALL**2, 4001)
    q = np.zeros_like(u)
    for c in h_coeffs:
        q = q * u + c
    with mp.workdps(40):
        for ui, qi in zip(u[1:], q[1:], strict=True):
            want = mp.tanh(mp.sqrt(mp.mpf(ui))) ** 2 / mp.mpf(ui)  # F(u) = 1 + u·G(u)
            got = 1 + mp.mpf(ui) * (mp.mpf(g0) + mp.mpf(ddmath._TANH_SQ_G0_LO) + mp.mpf(ui) * mp.mpf(qi))
            assert abs(got - want) <= 0.1 * 2.0**-53 * want, ui


def test_mish_fit_is_the_written_out_coefficients_and_matches_mpmath():
    # _MISH_Q is _mish_poly()'s output written into the source (the fit would cost every import 37 ms): refitting
    # gives the same coefficients, and q(x) = (tanh(softplus x) − 3/5)/x is within 1e-17 of them on [−1, 1] at 40
    # digits, between the fit's nodes too (the fit's 4e-19 plus its coefficients' rounding to double: 8e-18
    # against q ≈ 0.3, a quarter of an ulp of q before the kernel damps it by |x·q|/(3/5))
    refit = ddmath._mish_poly()
    assert np.allclose(refit, ddmath._MISH_Q, rtol=1e-15, atol=1e-30)
    with mp.workdps(40):
        for v in mp.linspace(-1, 1, 801):
            want = mp.mpf(8) / 25 if v == 0 else (mp.tanh(mp.log1p(mp.exp(v))) - mp.mpf(3) / 5) / v
            got = mp.polyval([mp.mpf(c) for c in reversed(ddmath._MISH_Q)], v)
            assert abs(got - want) <= 1e-17, v
