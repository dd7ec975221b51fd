"""The mpmath oracle: values against closed forms evaluated independently in mpmath."""

import mpmath as mp
import pytest
import sympy as sp

from symact.functions import sigma, softplus
from symact.oracle import exact
from symact.symbols import x


@pytest.mark.parametrize("value", [-30.0, -1.5, 0.25, 3.0, 40.0, 1e5, 1e308], ids=lambda v: f"x={v:g}")
def test_complements_of_sigma_keep_their_tail(value: float) -> None:
    # 1 − σ(a) = e^{−a}/(1 + e^{−a}) and log σ(a) = −log1p(e^{−a}): written with mpmath directly
    with mp.workprec(200):
        a = mp.mpf(value)
        one_minus = mp.exp(-a) / (1 + mp.exp(-a))
        log_sigma = -mp.log1p(mp.exp(-a))
        for expr, want in [(1 - sigma(x), one_minus), (sp.log(sigma(x)), log_sigma),
                           ((1 - sigma(x)) * sigma(x), one_minus / (1 + mp.exp(-a)))]:
            got = exact(expr)(value)
            assert got != 0 and abs(got - want) <= abs(want) * mp.mpf(2) ** -190, (expr, value)


def test_other_sums_are_evaluated_as_written() -> None:
    with mp.workprec(200):
        for expr, ref in [(1 - 2 * sigma(x), lambda a: (mp.exp(-a) - 1) / (1 + mp.exp(-a))),
                          (2 - sigma(x), lambda a: 2 - 1 / (1 + mp.exp(-a))),
                          (softplus(x) - x, lambda a: mp.log1p(mp.exp(-a)))]:
            for value in (-2.0, 0.75, 20.0):
                want = ref(mp.mpf(value))
                assert abs(exact(expr)(value) - want) <= abs(want) * mp.mpf(2) ** -190, (expr, value)
