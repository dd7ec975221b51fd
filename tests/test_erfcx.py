"""symact.erfcx: the tabulated Taylor expansions against mpmath, and their truncation bound."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest

from symact import erfcx

RNG = np.random.default_rng(5)
# every interval of the table, its edges, the asymptotic range and tiny arguments
POINTS = np.concatenate([RNG.uniform(0, 40, 3000), np.arange(0, 33, erfcx.WIDTH / 2), [32.0, 32.0001, 1e3, 1e20],
                         np.geomspace(1e-300, 1e-3, 20)])


def _exact(a: float) -> mp.mpf:
    return mp.erfc(mp.mpf(a)) * mp.exp(mp.mpf(a) ** 2)


def test_double_double_value_is_within_a_tenth_of_an_ulp_on_the_table():
    hi, lo = erfcx.erfcx_dd(POINTS)
    with mp.workdps(40):
        for a, h, low in zip(POINTS, hi, lo, strict=True):
            rel = abs((mp.mpf(h) + mp.mpf(low)) / _exact(a) - 1)
            # the table (a ≤ 32) carries ~0.05·eps; the asymptotic series beyond is a plain float64 sum
            assert rel <= (0.1 if a <= erfcx.LIMIT else 2) * 2.0**-52, (a, float(rel / 2.0**-52))


def test_taylor_truncation_bound():
    """The terms the table drops (degree > DEGREE, |t| ≤ WIDTH/2) sum to < 2^-56 of a₀ everywhere."""
    with mp.workdps(60):
        for k in range(int(erfcx.LIMIT / erfcx.WIDTH)):
            a = erfcx.taylor_coefficients((k + 0.5) * erfcx.WIDTH, degree=40, dps=120)
            tail = sum(abs(a[n]) * mp.mpf(erfcx.WIDTH / 2) ** n for n in range(erfcx.DEGREE + 1, 41))
            assert tail < a[0] * mp.mpf(2) ** -56, k


def test_recurrence_matches_mpmath_derivatives():
    c = 3.0625
    a = erfcx.taylor_coefficients(c, degree=6)
    with mp.workdps(50):
        for n, an in enumerate(a):
            d = mp.diff(lambda t: mp.erfc(t) * mp.exp(t * t), mp.mpf(c), n) / mp.factorial(n)
            assert abs(an - d) <= abs(d) * mp.mpf(10) ** -40, n


@pytest.mark.parametrize("dtype", [np.float64, np.longdouble])
def test_nan_inf_and_dtypes(dtype):
    with np.errstate(all="raise"):  # no floating-point warning from the table lookup
        hi, lo = erfcx.erfcx_dd(np.array([np.nan, np.inf, 0.0, 40.0], dtype=dtype))
    # longdouble input is evaluated in longdouble with the float64 table: float64-accurate
    assert np.isnan(hi[0]) and hi[1] == 0 and float(hi[2]) == 1 and hi.dtype == dtype
    with mp.workdps(30):
        assert abs(mp.mpf(float(hi[3])) / _exact(40.0) - 1) < 2.0**-50
