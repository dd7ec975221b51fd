from __future__ import annotations

import warnings

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from helpers import reference

import symact
from symact import x
from symact.accuracy import measure

NAMES = symact.names()
GRID = np.linspace(-20.0, 20.0, 801)
EPS = np.finfo(np.float64).eps


def _oracle(name: str, order: int, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact values (mpmath, adaptive precision) and the error that rounding x by 4 ulp causes."""
    f = symact.to_mpmath(name, order)
    df = symact.to_mpmath(name, order + 1)
    values = np.array([float(f(p)) for p in points])
    sensitivity = np.array([float(abs(mp.mpf(p) * df(p))) * 4 * EPS for p in points])
    return values, sensitivity


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("order", [0, 1, 2])
def test_lambdified_matches_mpmath_on_grid(name, order):
    """Relative error <= 1e-13, or no more than rounding x itself by 4 ulp would cause.

    The second clause is what any floating-point evaluation can promise near a root of the
    function (SiLU'' at x ~ -2.4) and where it is ill-conditioned (GELU-tanh'' in its tails).
    """
    got = symact.lambdify(name, derivative=order)(GRID)
    exact, sensitivity = _oracle(name, order, GRID)
    err = np.abs(got - exact)
    ok = (err <= 1e-13 * np.abs(exact)) | (err <= sensitivity)
    assert ok.all(), (GRID[~ok][:5], (err / np.abs(exact))[~ok][:5])


@pytest.mark.parametrize("name", NAMES)
def test_values_match_the_paper_formula(name):
    points = GRID[::8]
    ref = reference(name)
    exact = np.array([float(ref(p)) for p in points])
    got = symact.lambdify(name)(points)
    _, sensitivity = _oracle(name, 0, points)
    err = np.abs(got - exact)
    assert ((err <= 1e-13 * np.abs(exact)) | (err <= sensitivity)).all()


def test_far_left_tail_is_not_zero():
    # x/2 (1 + erf(x/sqrt 2)) is exactly 0 here; the true value is about -1.1e-87
    value = symact.lambdify("gelu")(-20.0)
    exact = float(reference("gelu")(-20.0))
    assert value != 0 and abs(value - exact) <= 1e-13 * abs(exact)
    textbook = symact.lambdify("gelu", lowering=False)(-20.0)
    assert textbook == 0.0  # the cancellation lowering removes


@pytest.mark.parametrize("shape", [(), (0,), (7,), (3, 4), (2, 3, 5)])
def test_any_shape(shape):
    rng = np.random.default_rng(1)
    arr = rng.normal(size=shape) * 5
    for name in ("gelu", "relu", "identity", "hard_swish"):
        for order in (0, 1, 2):
            out = symact.lambdify(name, derivative=order)(arr)
            assert np.shape(out) == shape


def test_elementwise_equals_scalar_calls():
    f = symact.lambdify("mish", derivative=1)
    arr = np.linspace(-5, 5, 11).reshape(1, 11)
    assert np.array_equal(f(arr)[0], np.array([f(v) for v in arr[0]]))


def test_large_inputs_are_evaluated_in_pieces_with_the_same_values():
    """Double-double forms run in pieces of kernels.numpy.CHUNK elements (cache-resident temporaries): the
    values are those of evaluating the whole array at once, for any shape and memory layout."""
    from symact.kernels.numpy import CHUNK

    rng = np.random.default_rng(3)
    arr = rng.uniform(-30, 30, size=(3, CHUNK + 1001)).T  # transposed: not C-contiguous; no underflow rescue
    for name in ("gelu", "mish", "quick_gelu"):
        f = symact.lambdify(name)
        assert f.chunk == CHUNK
        whole = np.asarray(f._func(np.ascontiguousarray(arr)))
        assert np.array_equal(f(arr), whole)
    assert symact.lambdify("relu").chunk is None  # a single in-place kernel is evaluated whole
    assert symact.lambdify("silu").chunk is None


def test_light_forms_with_several_operations_run_in_larger_pieces():
    """Forms with several temporaries (fast SiLU', tanh', fast Mish, ELU) run in kernels.numpy.CHUNK_LIGHT pieces:
    the same values as one whole-array evaluation."""
    from symact.backends.numpy import NUMPY
    from symact.evaluate import prepare
    from symact.kernels.numpy import CHUNK_LIGHT

    rng = np.random.default_rng(4)
    arr = rng.uniform(-30, 30, size=(2, CHUNK_LIGHT + 777)).T
    for name, order, fast in (("silu", 1, True), ("tanh", 1, True), ("mish", 0, True), ("elu", 0, False)):
        f = NUMPY.build(prepare(name, order), fast=fast)
        f.compiled = None  # NumPy's pieces, not the compiled kernel that large inputs otherwise take
        assert f.chunk == CHUNK_LIGHT
        assert np.array_equal(f(arr), np.asarray(f._func(np.ascontiguousarray(arr))))


@pytest.mark.parametrize("name", NAMES)
def test_probing_drops_only_repairs_that_change_nothing(name):
    """After NumericFunction.probe (run on the first large input) a function may skip the special-value
    routing and the longdouble rescue; on the standard grid and a fine sweep through the underflow
    bands the results are bit for bit those of the unprobed function."""
    from symact.accuracy import standard_grid
    from symact.backends.numpy import NUMPY
    from symact.evaluate import prepare
    from symact.kernels.numpy import NumericFunction

    points = np.concatenate([standard_grid(dense_step=0.05), np.arange(-1100.0, 1100.0, 0.01)])
    sweep = np.arange(-1100.0, 1100.0, 0.01)
    for order, compensated in ((0, True), (1, True), (2, True), (0, False), (1, False)):
        fresh: NumericFunction = NUMPY.build(prepare(name, order), fast=not compensated)
        probed: NumericFunction = NUMPY.build(prepare(name, order), fast=not compensated).probe()
        assert not fresh.plain and fresh._to_probe and not probed._to_probe
        want, got = fresh(points), probed(points)
        assert np.array_equal(got, want, equal_nan=True), points[~((got == want) | np.isnan(want))][:5]
        # windows 5 wide: those outside the probe's rescue bands skip the rescue, with the same results
        for start in range(0, sweep.size, 500):
            window = sweep[start:start + 500]
            want, got = fresh(window), probed(window)
            assert np.array_equal(got, want, equal_nan=True), (order, compensated, window[0])


def test_rescue_bands_cover_where_the_exponential_overflows():
    """SiLU = x/(1 + e^−x): e^−x overflows below x = −709.78 while x·σ(x) stays normal to x ≈ −744;
    the probe finds that band (and no other)."""
    f = symact.lambdify("silu").probe()
    assert f.rescue_bands is not None and len(f.rescue_bands) == 1
    (a, b), = f.rescue_bands
    assert a < -744.0 and b > -709.78
    assert symact.lambdify("softplus").probe().rescue_bands is None  # nothing underflows: no rescue at all


@pytest.mark.parametrize(("name", "order", "lo", "hi"), [("laplace", 0, -11.2, -8.2), ("laplace", 1, -10.4, -8.2),
                                                    ("laplace", 1, 9.9, 12.4)], ids=["laplace", "laplace'-left",
                                                                                      "laplace'-right"])
def test_a_rescue_that_moves_results_by_one_ulp_is_dropped(name, order, lo, hi):
    """Laplace's longdouble rescue moved subnormal results by one ulp only (a double rounding): the probe drops
    it, and the band still meets the targets against mpmath — ≤ 2 ulp where the value is normal, within 2 of the
    smallest subnormal below, nothing flushed to 0. GELU's (a nonzero result flushed to −0) and GELU-tanh''s
    (13 ulp lost) stay."""
    f = symact.lambdify(name, derivative=order).probe()
    assert f._rescue is None and f.rescue_bands is None
    r = measure(name, derivative=order, grid=np.linspace(lo, hi, 1501), func=f)
    assert not r.special_failures and r.normal_points > 0
    assert r.max_ulp <= 2.0 and r.subnormal_error <= 2.0, (r.max_ulp, r.worst_x, r.subnormal_error)
    assert symact.lambdify("gelu").probe().rescue_bands is not None
    assert symact.lambdify("gelu_tanh").probe().rescue_bands is not None


def test_first_large_call_probes():
    from symact.kernels.numpy import PROBE_AT

    f = symact.lambdify("relu")
    f(np.zeros(PROBE_AT))
    assert f.plain and not f._to_probe  # maximum(x, 0) needs no repair: NaN, ±inf and tails come out right


def test_float32_input_takes_the_fast_form():
    """float32 results are the float64 values rounded once; the double-double forms change nothing
    there (their gain is far below a float32 ulp), so float32 input evaluates lambdify(fast=True)."""
    xs = np.linspace(-40, 40, 2001, dtype=np.float32)
    assert "erfc_stable" in str(symact.lambdify("gelu", fast=True).lowered)  # SciPy's erfc, no table
    for name in ("gelu", "mish", "quick_gelu"):
        f, fast = symact.lambdify(name), symact.lambdify(name, fast=True)
        assert f.fast_form is not None and fast.fast_form is None
        out = f(xs)
        assert out.dtype == np.float32 and np.array_equal(out, fast(xs.astype(np.float64)).astype(np.float32))
    with pytest.raises(symact.InvalidArgumentError, match="numpy backend only"):
        symact.lambdify("gelu", backend="torch", fast=True)


def test_dtypes():
    f = symact.lambdify("gelu_tanh")
    assert f(np.ones(3, np.float32)).dtype == np.float32
    assert f(np.ones(3, np.float64)).dtype == np.float64
    assert f(np.arange(3)).dtype == np.float64
    assert f([1, 2]).dtype == np.float64
    assert isinstance(f(1.0), np.floating)


def test_no_warnings_on_grid():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in NAMES:
            for order in (0, 1, 2):
                symact.lambdify(name, derivative=order)(GRID)


def test_plain_sympy_lambdify_fails_where_ours_works():
    arr = np.array([-1.0, 0.0, 1.0])
    with pytest.raises(TypeError):
        sp.lambdify(x, symact.to_elementary(symact.get("gelu").expr), "numpy")(arr)
    assert symact.lambdify("gelu")(arr).shape == (3,)


def test_parameters_and_expressions():
    f = symact.lambdify("swish", beta=2.5)
    assert abs(f(1.3) - float(reference("swish", {"beta": "2.5"})(1.3))) < 1e-15
    beta = sp.Symbol("b", positive=True)
    g = symact.lambdify(x * symact.sigma(beta * x), b=2.5)
    assert abs(g(1.3) - f(1.3)) < 1e-15
    assert symact.lambdify(sp.erf(x) + 1)(-6.0) > 0  # 1 + erf -> erfc(-x): not 0


def test_lowered_expression_is_inspectable():
    f = symact.lambdify("gelu")
    assert "x_ncdf" in str(f.lowered) and "def " in f.source
    assert f.expr == symact.get("gelu").default_expr


class TestBadInput:
    def test_missing_parameter(self):
        y = sp.Symbol("y")
        with pytest.raises(symact.MissingParameterError, match=r"give a numeric value for y, e.g. .*y=1.0"):
            symact.lambdify(x * y)

    def test_unknown_parameter(self):
        with pytest.raises(symact.UnknownParameterError, match="did you mean 'kappa'"):
            symact.lambdify("gelu_tanh", kapa=0.04)
        with pytest.raises(symact.UnknownParameterError, match="no symbol 'q'"):
            symact.lambdify(x * sp.Symbol("y"), q=1)

    @pytest.mark.parametrize("value", [float("nan"), float("inf"), "0.04", None])
    def test_bad_parameter_value(self, value):
        with pytest.raises(symact.InvalidParameterError):
            symact.lambdify("gelu_tanh", kappa=value)

    def test_symbolic_parameter_value_is_missing_a_number(self):
        with pytest.raises(symact.MissingParameterError, match="give a numeric value for k"):
            symact.lambdify("gelu_tanh", kappa=sp.Symbol("k", positive=True))

    @pytest.mark.parametrize("value", ["1.0", np.array([1 + 2j]), {"x": 1}, None])
    def test_bad_argument(self, value):
        f = symact.lambdify("gelu")
        with pytest.raises(symact.InvalidArgumentError, match="expected real numbers"):
            f(value)


@pytest.mark.parametrize(("name", "order", "fast"), [("sigmoid", 0, False), ("silu", 0, False), ("silu", 1, False),
                                                      ("silu", 1, True), ("quick_gelu", 1, False), ("swish", 1, False)])
def test_sigmoid_family_far_left_tail(name, order, fast):
    """Where e^{−kx} passes 2⁵³ (x < −36.7: 1 + e^{−kx} rounds) or overflows (x < −709.8) the in-place
    σ kernels switch to t = e^{kx} forms: within 2 ulp of mpmath while the value is normal, the correctly
    rounded subnormal or 0 beyond (x = −1e300: no inf·0, no NaN)."""
    import mpmath as mp

    from symact.accuracy import ulp_of

    xs = np.array([-1e300, -3e38, -800.0, -744.0, -720.0, -710.0, -709.5, -400.0, -45.0, -37.2, -36.8, -36.6, -20.0])
    got = symact.lambdify(name, derivative=order, fast=fast)(xs)
    exact = symact.to_mpmath(name, derivative=order)
    with mp.workdps(50):
        for v, g in zip(xs, got, strict=True):
            e = exact(mp.mpf(float(v)))
            if abs(e) >= np.finfo(np.float64).tiny:
                assert abs(mp.mpf(float(g)) - e) <= 2 * ulp_of(e, np.float64), (v, g, e)
            else:
                assert abs(float(g) - float(e)) <= 2 * np.finfo(np.float64).smallest_subnormal, (v, g, e)
