"""NumPy kernels: paths that only large arrays take, against mpmath."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest

from symact.kernels.numpy import _SOFTPLUS_FLAG_SIZE, _softplus, _sqrt_softplus


@pytest.mark.parametrize("size", [1000, _SOFTPLUS_FLAG_SIZE], ids=["reduction", "overflow-flag"])
def test_softplus_both_overflow_checks_within_1_1_ulp(size: int) -> None:
    rng = np.random.default_rng(5)
    # 30 < z < 709.7: no clamp without an overflow, so log1p(e^z) itself must be accurate there
    z = np.concatenate([rng.uniform(30, 709.7, size // 2), rng.uniform(-40, 40, size - size // 2)])
    got = _softplus(z)
    with mp.workdps(40):
        for i in rng.choice(size, 400, replace=False):
            want = mp.log1p(mp.exp(mp.mpf(z[i])))
            assert abs(mp.mpf(got[i]) - want) <= 1.1 * np.spacing(got[i]), z[i]


@pytest.mark.parametrize("size", [1000, _SOFTPLUS_FLAG_SIZE], ids=["reduction", "overflow-flag"])
def test_softplus_overflowing_and_special_inputs(size: int) -> None:
    z = np.full(size, 800.0)
    z[:5] = [np.nan, -np.inf, np.inf, -800.0, 709.0]
    before = np.geterr()
    with np.errstate(over="raise"):  # the caller's setting: no exp may overflow out of the kernel
        got = _softplus(z)
    assert np.geterr() == before
    assert np.isnan(got[0]) and got[1] == 0.0 and got[2] == np.inf
    assert got[3] == float(mp.log1p(mp.exp(-800))) and got[4] == 709.0 and (got[5:] == 800.0).all()


def test_sqrt_softplus_within_1_2_ulp_and_exact_beyond_the_flags() -> None:
    """√softplus as the root of log1p(eᶻ) (the AVX-512 default): within 1.2 ulp of mpmath on a seeded sweep; where
    eᶻ is subnormal or 0 (z < −708) e^{z/2} is normal and must come out, not √0 or a root of a subnormal."""
    rng = np.random.default_rng(8)
    z = np.concatenate([rng.uniform(-50, 50, 3000), rng.uniform(-1, 1, 1000), rng.uniform(-745, 709, 1000)])
    for extremes in ([], [-800.0, -708.5, -1e300, 800.0, np.inf, -np.inf, np.nan]):
        zz = np.concatenate([z, extremes])
        got = _sqrt_softplus(zz)
        with mp.workdps(40):
            for v, g in zip(zz[np.isfinite(zz)], got[np.isfinite(zz)], strict=True):
                want = mp.sqrt(mp.log1p(mp.exp(mp.mpf(v))))
                assert abs(mp.mpf(g) - want) <= 1.2 * np.spacing(g), v
    assert got[-3] == np.inf and got[-2] == 0.0 and np.isnan(got[-1])


def test_float32_results_beyond_its_range_are_inf_without_a_warning() -> None:
    """Without the correctly rounded narrow path (an exported module has none), float32 input is computed in float64
    and rounded once: (10³⁰)² = 10⁶⁰ is beyond float32's range, where inf is the correctly rounded value and no
    floating-point warning may escape (the README's promise)."""
    import copy
    import warnings

    import symact

    f = copy.copy(symact.lambdify("relu_squared"))
    f.narrow, f.fast_form = None, None  # as in an exported module
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = f(np.array([1e30, -2.0, 3.0], dtype=np.float32))
    assert got.dtype == np.float32 and got.tolist() == [np.inf, 0.0, 9.0]
