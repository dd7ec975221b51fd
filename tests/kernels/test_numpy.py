"""NumPy kernels: paths that only large arrays take, against mpmath."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest

from symact.kernels.numpy import _SOFTPLUS_FLAG_SIZE, _softplus


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
