"""The numba backend: the accuracy targets of the NumPy backend (against mpmath), agreement with the NumPy kernels,
the large inputs of the default path, the on-disk cache across processes, and clear errors."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from helpers import assert_agrees_with_numpy, assert_meets_targets, reference
from test_accuracy import BANDS, GRID, GRID32, KNOWN_GAPS, SWEEP, TAILS64, VALUE_ROOTS

import symact
from symact.accuracy import measure
from symact.backends.numba import NUMBA, vectorizes
from symact.backends.numpy import NUMPY
from symact.errors import BackendUnavailableError
from symact.evaluate import prepare
from symact.kernels.numpy import JIT_FROM
from symact.lowering import lower

# The fast suite compiles the erfcx table's GELU and σ's SiLU (both with a root patch); every entry runs in the
# slow set.
FAST = {"gelu", "silu"}
CASES = [pytest.param(n, d, id=f"{n}-d{d}", marks=() if n in FAST else pytest.mark.slow)
         for n in symact.names() for d in (0, 1)]


pytestmark = pytest.mark.usefixtures("private_cache")


def _numba(name, order, fast=False):
    return symact.lambdify(name, derivative=order, backend="numba", fast=fast)


@pytest.mark.parametrize(("name", "order"), CASES)
def test_float64_meets_the_numpy_targets(name, order):
    """On the standard grid and beyond float32's range: ≤ 2 ulp (derivatives near roots: 2·eps·Σ|terms|), the
    specials right, no floating-point warnings — the criteria of tests/test_accuracy.py::test_float64 (its sweep
    too)."""
    for grid in (GRID, TAILS64, SWEEP):
        assert_meets_targets(name, order, measure(name, derivative=order, grid=grid, func=_numba(name, order)),
                             value_roots=VALUE_ROOTS, gaps=KNOWN_GAPS)


def test_softplus_without_libm_rounds_about_once():
    """softplus = max(z, 0) + log1p(e^{−|z|}) from exp_parts and fdlibm's log1p in double-double (no libm, so the
    loop vectorizes): 0.80 ulp measured against mpmath where libm's log1p(eᶻ) gives 1.1; log-sigmoid is −softplus(−x).
    Seeded points in [−3, 3], where 1 + e^{−|z|} and the final sum round, and [−745, 745] (the standard grids run in
    test_float64_meets_the_numpy_targets)."""
    rng = np.random.default_rng(17)
    dense = np.concatenate([rng.uniform(-3, 3, 1500), np.linspace(-745, 745, 501)])
    for name in ("softplus", "log_sigmoid"):
        r = measure(name, grid=dense, func=_numba(name, 0))
        assert not r.special_failures and not r.warnings, (r.special_failures, r.warnings)
        assert r.max_ulp <= 0.85, (name, r.max_ulp, r.worst_x)


@pytest.mark.parametrize(("name", "order"), CASES)
def test_float32_is_within_one_ulp(name, order):
    r = measure(name, derivative=order, dtype=np.float32, grid=GRID32, func=_numba(name, order))
    assert not r.special_failures and not r.warnings, (r.special_failures, r.warnings)
    assert r.max_ulp <= 1.0, (r.max_ulp, r.worst_x)
    assert _numba(name, order)(GRID32).dtype == np.float32


@pytest.mark.parametrize(("name", "order"), CASES)
def test_agrees_with_the_numpy_kernels_on_a_random_sweep(name, order):
    """2¹⁷ seeded points on [−40, 40] and, denser, [−3, 3] (roots and kinks): the compiled loop and NumPy's kernels
    (the same algorithms) within 4 ulp of each other; at the 300 points where they differ most, the compiled result
    meets the target against mpmath (2 ulp, or the cancellation criterion), or — where a derivative's formula
    cancels moderately over a wide range (SiLU' left of its root) — is within 0.5 of NumPy's cancellation excess."""
    assert_agrees_with_numpy(name, order, _numba(name, order))


@pytest.mark.slow  # tests/test_accuracy.py checks the rescue itself in the fast suite
@pytest.mark.parametrize(("name", "order"), list(BANDS), ids=[f"{n}-d{d}" for n, d in BANDS])
def test_results_with_an_underflowing_factor(name, order):
    """The longdouble rescue (NumPy's runtime around the compiled loop) restores results whose factor underflows."""
    from symact.kernels.numpy import EXTENDED

    if not EXTENDED:
        pytest.xfail("numpy.longdouble is float64 on this platform: no extended-range rescue")
    lo, hi = BANDS[(name, order)]
    r = measure(name, derivative=order, grid=np.concatenate([np.linspace(lo, hi, 301), [np.nan, np.inf]]),
                func=_numba(name, order))
    assert not r.special_failures and not r.warnings, (r.special_failures, r.warnings)
    assert r.normal_points > 0 and r.max_ulp <= 2.0, (r.max_ulp, r.worst_x)


def test_the_simd_kernels_are_kernels():
    """The backend's list of vectorizing kernels (kept apart from the kernels so that deciding needs no numba)
    names only kernels that exist."""
    from symact.backends.numba import SIMD
    from symact.kernels import numba as kernels

    assert SIMD <= kernels.fused()


def test_large_inputs_of_the_default_path_take_the_compiled_loop():
    """lambdify's default (NumPy arrays) hands inputs of JIT_FROM elements or more to the compiled loop where it
    vectorizes (GELU: exp and arithmetic; ELU: our expm1), and keeps NumPy's SIMD ufuncs where it would call libm
    (log1p)."""
    xs = np.linspace(-30, 30, JIT_FROM + 3).reshape(-1, 1)
    gelu = NUMPY.build(prepare("gelu"))
    out = gelu(xs)
    assert gelu._kernel is not None and out.shape == xs.shape
    assert np.array_equal(out, _numba("gelu", 0)(xs))
    from symact import x
    from symact.lowering.ir import log1p
    assert not vectorizes(log1p(x))
    assert all(vectorizes(lower(prepare(name).expr)) for name in ("gelu", "mish", "elu", "selu", "celu"))


ROUTED = [("elu", 0), ("selu", 0), ("celu", 0),
          ("hard_swish", 1), ("softsign", 1), ("hardtanh", 0), ("squareplus", 1), ("tanhshrink", 1), ("xielu", 0),
          ("xielu", 1), ("sqrt_softplus", 1), ("tanh", 0), ("softplus", 0), ("log_sigmoid", 0), ("sqrt_softplus", 0),
          ("gelu_10", 1), ("identity", 1)]


def test_branches_of_simd_code_are_selected_and_libm_calls_only_where_taken():
    """GELU₁₀' = where(x < 10, GELU'(x), 0): both branches computed, then selected (the loop vectorizes; a branch
    around the erfcx table's load kept it scalar at twice GELU's time); xIELU' and ELU likewise, expm1 now SIMD
    code. A scalar libm call (log1p) is paid only where taken, and two calling branches are not both paid."""
    from symact import x
    from symact.backends.numba import scalar_source
    from symact.lowering.ir import expm1, log1p, pow_shift, where

    assert "_k.where((x < 10.0), _k.dx_ncdf(" in scalar_source(lower(prepare("gelu_10", 1).expr))
    assert "_k.where((x > -1e-06), -0.3, _k.expm1_shift(" in scalar_source(NUMPY.build(prepare("xielu", 1)).lowered)
    libm = scalar_source(where(x > 0, x, log1p(x)))
    assert "_k.where(" not in libm and "(x) if ((x > 0.0)) else (_k.log1p(x))" in libm
    assert "_k.where((x > 0.0), x, _k.expm1(x))" in scalar_source(where(x > 0, x, expm1(x)))
    both = scalar_source(where(x > 0, pow_shift(x, 1, -2), pow_shift(x, -1, -2)))
    assert "_k.where(" not in both and " if (" in both


@pytest.mark.parametrize(("entry", "order"), ROUTED, ids=[f"{n}-d{d}" for n, d in ROUTED])
def test_branches_take_the_compiled_loop_with_numpys_results(entry, order, monkeypatch):
    """Piecewise forms (selects, ramps, the exact (x + c)ᵐ) and the double-double kernels run as one compiled loop
    on large inputs: NumPy's values (the test gets them with the JIT switched off), within an ulp where the two
    kernel families round differently. Where they differ by more, the compiled value meets the 2-ulp target against
    the paper's formula (mpmath): libm's expm1 and ours differ by an ulp, which SELU's λα = 1.76 makes two."""
    xs = np.concatenate([np.linspace(-12, 12, JIT_FROM + 7), [-3.0, 3.0, -1.0, 1.0, 0.0, np.inf, -np.inf, np.nan]])
    from symact.backends import numba as backend

    monkeypatch.setattr(backend, "numpy_avx512", lambda: False)  # tanh, softplus: the loop on any CPU here
    expr = prepare(entry, order)
    compiled = NUMPY.build(expr)
    got = compiled(xs)
    assert compiled._kernel is not None
    monkeypatch.setenv("SYMACT_JIT", "0")
    plain = NUMPY.build(expr)
    want = plain(xs)
    assert plain._kernel is None
    assert np.array_equal(np.isnan(got), np.isnan(want))
    g, w, at = got[~np.isnan(want)], want[~np.isnan(want)], xs[~np.isnan(want)]
    with np.errstate(invalid="ignore"):  # inf - inf where both are inf: equal
        off = ~((g == w) | (np.abs(g - w) <= np.spacing(np.abs(w))))
    assert off.sum() <= 64, (off.sum(), at[off][:5])
    if off.any():
        assert order == 0, at[off][:5]
        exact = reference(entry)
        with mp.workdps(40):
            errors = [abs(mp.mpf(float(v)) - exact(mp.mpf(float(t)))) / float(np.spacing(abs(v)))
                      for t, v in zip(at[off], g[off], strict=True)]
        assert max(errors) <= 2.0, (float(max(errors)), at[off][:5])


def test_where_numpy_runs_avx512_a_lone_tanh_or_softplus_stays_with_numpy(monkeypatch):
    """NumPy's AVX-512 tanh, log1p(eᶻ) and its square root beat our loop for these calls alone
    (benchmarks/RESULTS.md); a larger expression around them (√softplus' = σ/(2√softplus) included) still takes
    the loop, and without AVX-512 so do they."""
    from symact.backends import numba as backend

    lowered = {(n, d): lower(prepare(n, d).expr) for n, d in
               (("tanh", 0), ("softplus", 0), ("sqrt_softplus", 0), ("log_sigmoid", 0), ("tanh", 1),
                ("softplus", 1), ("sqrt_softplus", 1))}
    monkeypatch.setattr(backend, "numpy_avx512", lambda: True)
    assert [vectorizes(e) for e in lowered.values()] == [False, False, False, True, True, True, True]
    monkeypatch.setattr(backend, "numpy_avx512", lambda: False)
    assert all(vectorizes(e) for e in lowered.values())


def test_a_lone_maximum_of_x_stays_with_numpy():
    """ReLU is one NumPy pass, which a loop (memory-bound, counting its inputs) cannot beat: the default path keeps
    it, with np.maximum's bits and no reduction (the probe finds it plain); leaky ReLU, two passes and a sum, takes
    the loop."""
    x = np.concatenate([np.linspace(-5.0, 5.0, JIT_FROM), [np.nan, np.inf, -np.inf, -0.0]])
    relu, leaky = NUMPY.build(prepare("relu")), NUMPY.build(prepare("leaky_relu"))
    out = relu(x)
    assert relu._kernel is None and relu.plain
    assert np.array_equal(out[:-4], np.where(x[:-4] > 0, x[:-4], 0.0))
    assert np.isnan(out[-4]) and out[-3] == np.inf and out[-2] == 0.0
    leaky(x)
    assert leaky._kernel is not None


def test_the_compiled_loop_routes_specials_and_underflow_bands_as_numpy_does():
    """The compiled loop counts the inputs outside ±TAIL and inside the rescue bands itself (no min/max passes):
    NaN, ±inf, |x| ≥ TAIL and GELU's underflow band (−39.6 … −34.3, where float64 gives −0 for a subnormal
    x·Φ(x)) must still reach the repairs. Expected: GELU's limits and mpmath's x·Φ(x) rounded to a double."""
    f = NUMPY.build(prepare("gelu"))
    special = np.array([np.nan, np.inf, -np.inf, 1e9, -38.58, -38.0, -37.5, 3.0])
    out = f(np.concatenate([np.linspace(-30.0, 30.0, JIT_FROM), special]))[-len(special):]
    assert f._kernel is not None
    assert np.isnan(out[0]) and out[1] == np.inf and out[2] == 0.0 and out[3] == 1e9
    with mp.workdps(40):
        exact = [float(mp.mpf(v) * mp.ncdf(mp.mpf(v))) for v in special[4:]]
    assert out[4] != 0 and np.array_equal(out[4:], exact), (out[4:], exact)


def test_threads_split_the_loop_and_keep_every_bit(monkeypatch):
    """SYMACT_THREADS=2: the loop runs on two pieces; the values are the single thread's bit for bit, and the counts
    that route the repairs are summed over the pieces: specials and GELU's underflow band (mpmath's x·Φ(x) rounded)
    sit in the second piece, where a lost count would leave them unrepaired."""
    from symact.backends.numba import MIN_PER_THREAD, threads

    special = np.array([np.nan, np.inf, -np.inf, 1e9, -38.58, -38.0, -37.5, 3.0])
    x = np.concatenate([np.linspace(-30.0, 30.0, 2 * MIN_PER_THREAD), special])
    single, single_d1 = NUMPY.build(prepare("gelu"))(x), NUMPY.build(prepare("silu", 1))(x)
    monkeypatch.setenv("SYMACT_THREADS", "2")
    assert threads() == 2
    f = NUMPY.build(prepare("gelu"))
    both = f(x)
    assert f._kernel is not None and np.array_equal(both, single, equal_nan=True)
    out = both[-len(special):]
    assert np.isnan(out[0]) and out[1] == np.inf and out[2] == 0.0 and out[3] == 1e9
    with mp.workdps(40):
        assert np.array_equal(out[4:], [float(mp.mpf(v) * mp.ncdf(mp.mpf(v))) for v in special[4:]])
    monkeypatch.setenv("SYMACT_THREADS", "auto")
    assert threads() >= 1 and np.array_equal(symact.lambdify("silu", derivative=1)(x), single_d1, equal_nan=True)
    for bad in ("0", "-1", "two"):
        monkeypatch.setenv("SYMACT_THREADS", bad)
        with pytest.raises(symact.InvalidArgumentError, match="SYMACT_THREADS must be a positive integer"):
            f(x)


def test_jit_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("SYMACT_JIT", "0")
    f = NUMPY.build(prepare("gelu"))
    f(np.zeros(JIT_FROM))
    assert f._kernel is None


def test_cached_kernels_load_in_a_fresh_process_without_numba(tmp_path):
    """The first process compiles with numba and saves the loop's object code; a second process loads it with
    llvmlite alone (numba is never imported: its start-up was most of the first call) and computes the same bits."""
    code = textwrap.dedent("""
        import sys, numpy as np, symact
        x = np.concatenate([np.linspace(-40, 10, 4001), [np.nan, np.inf, -np.inf, 0.0, -0.0, 5e-324]])
        y = symact.lambdify("gelu", backend="numba")(x)
        print("numba" in sys.modules, y.tobytes().hex())
    """)
    env = {**os.environ, "SYMACT_CACHE": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
            for _ in range(2)]
    (numba1, y1), (numba2, y2) = (r.stdout.split() for r in runs)
    assert (numba1, numba2) == ("True", "False") and y1 == y2
    assert len(list((tmp_path / "numba").glob("symact_numba_*.py"))) == 1
    assert len(list((tmp_path / "numba").glob("symact_loop_*.o"))) == 1
    here = _numba("gelu", 0)(np.concatenate([np.linspace(-40, 10, 4001), [np.nan, np.inf, -np.inf, 0.0, -0.0,
                                                                           5e-324]]))
    assert y1 == here.tobytes().hex()


def test_the_saved_object_computes_numbas_bits():
    """The loop loaded from its object file and numba's own compiled loop: same bits and counts (one algorithm,
    one compiler; the object's loop may use wider vectors), on a sweep with specials and subnormals."""
    from symact.backends.numba import _generated, compiled_loop

    rng = np.random.default_rng(17)
    x = np.concatenate([rng.normal(0, 20, 50_000), [np.nan, np.inf, -np.inf, 0.0, -0.0, 5e-324, -1e-310]])
    for name, order in (("gelu", 0), ("silu", 1)):
        lowered = lower(prepare(name, order).expr)
        loaded, dispatcher = compiled_loop(lowered), _generated(lowered)._loop
        assert "numba" not in type(loaded).__module__  # a ctypes-backed function, not a numba dispatcher
        out1, out2 = np.empty_like(x), np.empty_like(x)
        assert loaded(x, out1, -1.0, 1.0) == dispatcher(x, out2, -1.0, 1.0)
        assert _same_bits(out1, out2), name


def _same_bits(a, b):
    """The same bits, but for a NaN's sign: where the loops of two widths meet a NaN, one in its vector body and one
    in its scalar remainder, the sign differs (the runtime returns NaN for it either way)."""
    nan = np.isnan(a)
    return np.array_equal(nan, np.isnan(b)) and a[~nan].tobytes() == b[~nan].tobytes()


def test_damaged_or_foreign_object_files_are_rebuilt():
    """A truncated file or one without the entry point is deleted and compiled again, never handed to LLVM."""
    from symact.backends import native
    from symact.backends.numba import compiled_loop, object_key

    lowered = lower(prepare("silu").expr)
    compiled_loop(lowered)
    path = native.cache_dir("numba") / f"{object_key(lowered)}.o"
    for damage in (lambda b: b[: len(b) // 2], lambda b: b.replace(b'"symbol": "', b'"symbol": "missing')):
        path.write_bytes(damage(path.read_bytes()))
        assert native.load(path.stem) is None and not path.exists()
        loop = compiled_loop(lowered)
        out = np.empty(3)
        loop(np.array([-1.0, 0.0, 2.0]), out, 0.0, 0.0)
        want = np.array([float(v / (1 + mp.exp(-v))) for v in (mp.mpf(-1), mp.mpf(0), mp.mpf(2))])  # x·σ(x)
        assert np.all(np.abs(out - want) <= np.spacing(np.abs(want))), (out, want)


def test_the_loop_refuses_arrays_it_cannot_take():
    from symact.backends.numba import compiled_loop

    loop = compiled_loop(lower(prepare("silu").expr))
    x = np.zeros(8)
    for bad in ((x[::2], np.empty(4)), (x, np.empty(7)), (x.astype(np.float32), np.empty(8, np.float32))):
        with pytest.raises(symact.InvalidArgumentError, match="C-contiguous float64"):
            loop(*bad, 0.0, 0.0)


def test_numbas_error_paths_resolve_to_a_loud_stub():
    """Symbols the process lacks (numba's helpers, on error paths the loops never take) are bound to a stub that
    names the symbol and aborts, rather than to an address never bound."""
    code = textwrap.dedent("""
        import ctypes
        from symact.backends import native
        assert native._address_in_process("erfc") and native._address_in_process("PyErr_Clear")
        assert not native._address_in_process("numba_gil_ensure")
        ctypes.CFUNCTYPE(None)(native._stub("numba_gil_ensure"))()
    """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == -6 and "error path (numba_gil_ensure)" in run.stderr, (run.returncode, run.stderr)


BRANCHED = {("softsign", 1)}
"""Loops that keep a branch by design: both branches call a kernel, and a select would pay both (softsign' 10 → 34
ms per 10⁶, symact.backends.numba._ScalarPrinter); the scalar loop still beats NumPy's passes."""
SIMD_CASES = [pytest.param(n, d, id=f"{n}-d{d}", marks=() if n in FAST | {"mish"} else pytest.mark.slow)
              for n in symact.names() for d in (0, 1)
              if vectorizes(NUMPY.build(prepare(n, d)).lowered) and (n, d) not in BRANCHED]


def _avx512_host() -> bool:
    from symact.backends import native

    triple, _, features = native.host().split("|", 2)
    return triple.startswith("x86_64") and "+avx512f" in features.split(",")


@pytest.mark.parametrize(("name", "order"), SIMD_CASES)
def test_every_saved_loop_is_vectorized(name, order):
    """The saved loop is SIMD code: vector types of doubles in the module that is emitted. Mish's loop stayed
    scalar (4x slower) when one pass of LLVM's pipeline unrolled its polynomial after the vectorizer had run."""
    from symact.backends.numba import _generated, _loop_module

    final, _, _ = _loop_module(_generated(lower(prepare(name, order).expr)))
    assert " x double>" in str(final), f"{name}' d{order}: the compiled loop was not vectorized"


@pytest.mark.parametrize(("name", "order"), [c for c in SIMD_CASES if c.values[0] in FAST | {"mish"}]
                         + [pytest.param(n, d, id=f"{n}-d{d}", marks=pytest.mark.slow)
                            for n, d in (("gelu_tanh", 1), ("squareplus", 0), ("softsign", 1), ("xielu", 1))])
def test_vector_widths_change_the_code_not_the_bits(name, order, monkeypatch):
    """SYMACT_VECTOR_WIDTH=256 and =512 compile two loops (two saved objects where the CPU has 512-bit registers, one
    where it has not) that compute the same bits and counts: the same operations in wider registers."""
    from symact.backends.numba import compiled_loop, object_key

    lowered = lower(prepare(name, order).expr)
    rng = np.random.default_rng(23)
    x = np.concatenate([rng.normal(0, 20, 20_000), SWEEP, [np.nan, np.inf, -np.inf, 0.0, -0.0, 5e-324, -1e-310]])
    outs, keys, counts = [], [], []
    for width in ("256", "512"):
        monkeypatch.setenv("SYMACT_VECTOR_WIDTH", width)
        keys.append(object_key(lowered))
        out = np.empty_like(x)
        counts.append(compiled_loop(lowered)(x, out, -1.0, 1.0))
        outs.append(out)
    assert _same_bits(outs[0], outs[1]) and counts[0] == counts[1]
    assert (keys[0] != keys[1]) == _avx512_host()


def test_the_vector_width_setting(monkeypatch):
    """What each SYMACT_VECTOR_WIDTH asks of LLVM, on an AVX-512 x86 host, an AVX2 one and an ARM one; anything else
    is refused with the values it takes."""
    from symact.backends import native
    from symact.backends.numba import _width_features

    hosts = {"avx512": "x86_64-unknown-linux-gnu|icelake-server|+avx2,+avx512f,+fma",
             "avx2": "x86_64-unknown-linux-gnu|znver3|+avx2,-avx512f,+fma",
             "arm": "aarch64-unknown-linux-gnu|neoverse-v1|+neon,+sve"}
    want = {("avx512", "auto"): "-prefer-256-bit", ("avx512", "512"): "-prefer-256-bit",
            ("avx512", "256"): "+prefer-256-bit", ("avx2", "auto"): "", ("avx2", "512"): "",
            ("avx2", "256"): "+prefer-256-bit", ("arm", "auto"): "", ("arm", "512"): "", ("arm", "256"): ""}
    for (host, width), features in want.items():
        monkeypatch.setattr(native, "host", lambda host=host: hosts[host])
        monkeypatch.setenv("SYMACT_VECTOR_WIDTH", width)
        assert _width_features() == features, (host, width)
    monkeypatch.delenv("SYMACT_VECTOR_WIDTH")
    assert _width_features() == ""  # arm, the default
    monkeypatch.setenv("SYMACT_VECTOR_WIDTH", "1024")
    with pytest.raises(symact.InvalidArgumentError, match="SYMACT_VECTOR_WIDTH must be one of auto, 512, 256"):
        _width_features()


def test_without_numbas_internals_the_dispatcher_serves(monkeypatch):
    """Saving the object reads numba internals (its code library); where they moved, numba's own loop serves."""
    from symact.backends import numba as backend

    def moved(key, module):
        raise AttributeError("_library")

    monkeypatch.setattr(backend, "_save_object", moved)
    monkeypatch.setattr(backend.native, "load", lambda key: None)
    lowered = lower(prepare("gelu", 1).expr)
    loop = backend.compiled_loop(lowered)
    assert loop is backend._generated(lowered)._loop
    out = np.empty(3)
    loop(np.array([-1.0, 0.0, 2.0]), out, 0.0, 0.0)
    assert np.array_equal(out, NUMPY.build(prepare("gelu", 1))(np.array([-1.0, 0.0, 2.0])))


@pytest.mark.parametrize("which", ["heaviside", "phi", pytest.param("atan", marks=pytest.mark.slow),
                                   pytest.param("abs", marks=pytest.mark.slow)])
def test_user_expressions_compile(which):
    """A user's expression: Heaviside, atan, |x| and a scaled normal CDF; values against mpmath."""
    from symact import x
    from symact.functions import Phi

    expr = {"heaviside": sp.Heaviside(x) * x, "atan": sp.atan(x) * x, "abs": sp.Abs(x) ** 3,
            "phi": x * Phi(3 * x / 2)}[which]
    r = measure(expr, grid=GRID, func=symact.lambdify(expr, backend="numba"))
    assert not r.special_failures and r.max_ulp <= 2.0, (expr, r.max_ulp, r.worst_x, r.special_failures)


def test_clear_errors(monkeypatch):
    with pytest.raises(symact.InvalidArgumentError, match="no scalar form of besselj"):
        symact.lambdify(sp.besselj(0, symact.x), backend="numba")
    with pytest.raises(symact.InvalidArgumentError, match="lowering=False"):
        symact.lambdify("gelu", backend="numba", lowering=False)
    with pytest.raises(BackendUnavailableError, match="compiled, not exported"):
        symact.export("gelu", backend="numba")
    monkeypatch.setattr(NUMBA, "requires", "numba_is_not_installed_here")
    with pytest.raises(BackendUnavailableError, match="pip install"):
        symact.lambdify("gelu", backend="numba")
