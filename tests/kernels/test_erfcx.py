"""symact.kernels.erfcx: the tabulated Taylor expansions against mpmath, and their truncation bound."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest

from symact.kernels import erfcx

RNG = np.random.default_rng(5)
TABLES = {t.name: t for t in erfcx.TABLES}


def _points(table: erfcx.Table) -> np.ndarray:
    """Every interval of the table, its edges, the asymptotic range beyond and tiny arguments."""
    edges = np.arange(0, table.limit + 1, table.width / 2)
    return np.concatenate([RNG.uniform(0, table.limit + 8, 3000), edges, [table.limit * 1.0001, 1e3, 1e20],
                           np.geomspace(1e-300, 1e-3, 20)])


def _exact(table: erfcx.Table, u: float) -> mp.mpf:
    a = mp.mpf(u) / mp.sqrt(table.m)
    if a > 1e6:  # erfc(a)·e^{a²} would need a² to 40 digits beyond its exponent; the series is exact here
        return (1 - 1 / (2 * a**2)) / (a * mp.sqrt(mp.pi))
    return mp.erfc(a) * mp.exp(a**2)


@pytest.mark.parametrize("name", TABLES)
def test_double_double_value_is_within_a_tenth_of_an_ulp(name):
    table = TABLES[name]
    points = _points(table)
    hi, lo = table(points)
    with mp.workdps(40):
        for u, h, low in zip(points, hi, lo, strict=True):
            rel = abs((mp.mpf(h) + mp.mpf(low)) / _exact(table, u) - 1)
            assert rel <= 0.1 * 2.0**-52, (u, float(rel / 2.0**-52))


@pytest.mark.parametrize("name", TABLES)
def test_taylor_truncation_bound(name):
    """The terms a table drops (degree > its degree, |t| ≤ width/2) sum to < 2^-56 of b₀ everywhere."""
    table = TABLES[name]
    with mp.workdps(60):
        for k in range(table.intervals):
            b = table.coefficients(k, degree=40, dps=120)
            tail = sum(abs(b[n]) * mp.mpf(table.width / 2) ** n for n in range(table.degree + 1, 41))
            assert tail < b[0] * mp.mpf(2) ** -56, k


def test_recurrence_matches_mpmath_derivatives():
    c, scale = 3.0625, 1 / mp.sqrt(2)
    b = erfcx.taylor_coefficients(c, 6, m=2)
    with mp.workdps(50):
        for n, bn in enumerate(b):
            d = mp.diff(lambda u: mp.erfc(u * scale) * mp.exp((u * scale) ** 2), mp.mpf(c), n) / mp.factorial(n)
            assert abs(bn - d) <= abs(d) * mp.mpf(10) ** -40, n


@pytest.mark.parametrize("dtype", [np.float64, np.longdouble])
def test_nan_inf_and_dtypes(dtype):
    with np.errstate(all="raise"):  # no floating-point warning from the table lookup
        hi, lo = erfcx.erfcx_dd(np.array([np.nan, np.inf, 0.0, 40.0], dtype=dtype))
    # longdouble input is evaluated in longdouble with the float64 table: float64-accurate
    assert np.isnan(hi[0]) and hi[1] == 0 and float(hi[2]) == 1 and hi.dtype == dtype
    with mp.workdps(30):
        assert abs(mp.mpf(float(hi[3])) / _exact(erfcx.ERFCX, 40.0) - 1) < 2.0**-50


def test_tables_are_built_from_mpmath_once_per_machine(tmp_path, monkeypatch):
    """symact keeps a built table in its cache folder (erfcx.STORE): loaded after, bit for bit mpmath's rows; a
    damaged file is built again; without a writable cache folder the table is built in the process."""
    import symact.backends.numpy  # noqa: F401  # sets erfcx.STORE

    monkeypatch.setenv("SYMACT_CACHE", str(tmp_path))
    rows, b0_lo = erfcx.table_rows(2, 0.5, 4.0, 6)
    built = erfcx.Table("test", 2, 0.5, 4.0, 6).arrays
    (path,) = (tmp_path / "tables").glob("erfcx_*.npy")
    with monkeypatch.context() as m:
        m.setattr(erfcx, "table_rows", lambda *args: pytest.fail("built again, not loaded"))
        loaded = erfcx.Table("test", 2, 0.5, 4.0, 6).arrays
    path.write_bytes(b"damaged")
    rebuilt = erfcx.Table("test", 2, 0.5, 4.0, 6).arrays
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("SYMACT_CACHE", str(tmp_path / "file"))  # a file, not a folder: nothing can be kept
    unkept = erfcx.Table("test", 2, 0.5, 4.0, 6).arrays
    for coeffs, lo in (built, loaded, rebuilt, unkept):
        assert np.array_equal(coeffs, np.array(rows)) and np.array_equal(lo, np.array(b0_lo))
