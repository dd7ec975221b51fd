"""Never a wrong answer, a traceback or a hang: the inputs the reliability issue found, each pinned down."""

from __future__ import annotations

import contextlib
import io
import signal
import subprocess
import sys
import time

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

import symact
from symact.cli import main
from symact.symbolic.claims import ClaimSyntaxError, check


def _cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(list(argv))
    return code, out.getvalue()


# --- expressions from plain SymPy ---------------------------------------------------------------

@pytest.mark.parametrize("plain", [sp.Symbol("x"), sp.Symbol("x", positive=True), sp.Symbol("x", real=True)])
def test_a_plain_sympy_x_is_the_activation_variable(plain):
    mish = plain * sp.tanh(sp.log(1 + sp.exp(plain)))
    ours = symact.derivative(mish)
    assert ours != 0 and ours.free_symbols == {symact.x}
    # independent: SymPy's own derivative in the plain symbol, compared at a point
    theirs = sp.diff(mish, plain).subs(plain, sp.Rational(3, 7))
    assert abs(float(ours.subs(symact.x, sp.Rational(3, 7))) - float(theirs)) < 1e-15
    f = symact.lambdify(plain * sp.tanh(plain))
    assert f(2.0) == pytest.approx(2 * np.tanh(2.0), rel=1e-15)
    assert symact.series(plain * sp.tanh(plain), 4) == symact.x**2
    k = sp.Symbol("k")
    assert symact.limit(plain / (1 + sp.exp(-k * plain)), sp.oo, wrt=k) == sp.Piecewise((symact.x, symact.x > 0),
                                                                                       (0, True))


def test_two_symbols_with_one_name_are_an_error():
    with pytest.raises(symact.InvalidArgumentError, match="two different symbols named 'k'"):
        symact.derivative(sp.Symbol("k") * symact.x + sp.Symbol("k", positive=True))


# --- the parser ------------------------------------------------------------------------------------

def test_long_sums_are_decided_not_recursion_errors():
    v = check(" + ".join(["x"] * 500) + " == 501*x")
    assert v.verdict == "DISPROVED"
    assert check(" + ".join(["x"] * 500) + " == 500*x").verdict == "PROVED"


@pytest.mark.parametrize("text", ["-" * 10000 + "x == x", "(" * 5000 + "x" + ")" * 5000 + " == x",
                                  "x" * (1 << 20) + " == x", "exp(" * 150 + "x" + ")" * 150 + " == x"])
def test_huge_or_deep_input_is_a_clear_error(text):
    start = time.perf_counter()
    with pytest.raises(ClaimSyntaxError, match="nested|characters|parts"):
        check(text)
    assert time.perf_counter() - start < 5


def test_cli_exit_codes_for_bad_claims():
    assert _cli("check", "-" * 10000 + "x == x")[0] == 2
    assert _cli("check", "x +* 2 == x")[0] == 2


# --- budgets and caps ------------------------------------------------------------------------------

def test_a_hanging_claim_becomes_undecided():
    start = time.perf_counter()
    code, out = _cli("check", "exp(exp(exp(x))) ~ 0", "--timeout", "2")
    assert code == 3 and "UNDECIDED" in out and "2 s" in out
    assert time.perf_counter() - start < 10


def test_python_api_timeout():
    start = time.perf_counter()
    # a formula no other test expands (SymPy caches sub-series: a registered name could be warm already);
    # asinh keeps it off the power-series fast path, in SymPy's series, which takes minutes at order 20
    slow = symact.x * sp.tanh(sp.log(1 + sp.exp(sp.asinh(sp.Rational(7, 5) * symact.x))))
    with pytest.raises(symact.UndecidedError, match="no answer within 0.5 s"):
        symact.series(slow, 20, timeout=0.5)
    assert time.perf_counter() - start < 5
    assert symact.derivative("gelu", timeout=5) == symact.derivative("gelu")
    with pytest.raises(symact.InvalidArgumentError, match="timeout must be a positive"):
        symact.limit("gelu", sp.oo, timeout=-1)


def test_an_alarm_never_lands_in_the_unraisable_hook(monkeypatch):
    """CI saw the alarm raise inside pytest's sys.unraisablehook while it reported an alarm that a __del__ had
    swallowed; pytest then failed the test. Here a slow hook reports each __del__'s exception and the loop spends
    half its time in it: the budget must end the loop without ever interrupting the hook."""
    from symact.budget import time_budget

    interrupted, reported = [], []

    def spin(seconds):
        t = time.perf_counter()
        while time.perf_counter() - t < seconds:
            pass

    def hook(unraisable):
        try:
            spin(0.03)
            reported.append(unraisable.exc_type)
        except BaseException as exc:
            interrupted.append(type(exc).__name__)
            raise

    class Noisy:
        def __del__(self):
            raise ValueError("raised in __del__, so reported through sys.unraisablehook")

    monkeypatch.setattr(sys, "unraisablehook", hook)
    start = time.perf_counter()
    with pytest.raises(symact.UndecidedError, match="no answer within 0.2 s"), time_budget(0.2, "spin"):
        while time.perf_counter() - start < 3:  # bounded: a regression fails (DID NOT RAISE), never hangs
            Noisy()  # freed at once: its __del__'s ValueError goes to the hook
            spin(0.03)
    assert reported and not interrupted, interrupted
    assert time.perf_counter() - start < 2


def test_internal_attempts_scale_with_the_environment(monkeypatch):
    """symact's own short attempts (sp.solve for a closed form) scale by SYMACT_ATTEMPT_SCALE; a user's timeout= does
    not; a value that is not a number is a clear error."""
    from symact.budget import attempt, time_budget

    monkeypatch.setenv("SYMACT_ATTEMPT_SCALE", "0.5")
    with pytest.raises(symact.UndecidedError, match="no answer within 0.1 s"), attempt(0.2, "spin"):
        time.sleep(2)
    with pytest.raises(symact.UndecidedError, match="no answer within 0.2 s"), time_budget(0.2, "spin"):
        time.sleep(2)
    for bad in ("fast", "0", "-2", "inf"):
        monkeypatch.setenv("SYMACT_ATTEMPT_SCALE", bad)
        with pytest.raises(symact.InvalidArgumentError, match="SYMACT_ATTEMPT_SCALE must be a positive number"):
            attempt(1.0, "spin")


def test_a_swallowed_alarm_still_ends_the_work():
    # CI once saw the alarm land in hypothesis's gc callback, where Python ignores exceptions: the work then
    # ran on to the end. Here user code swallows the first alarm; the budget must still end the loop.
    from symact.budget import time_budget

    start = time.perf_counter()
    with pytest.raises(symact.UndecidedError, match="no answer within 0.2 s"), time_budget(0.2, "spin"):
        try:
            time.sleep(5)
        except BaseException:  # noqa: BLE001 (what a gc callback or __del__ does to an exception)
            pass
        while time.perf_counter() - start < 5:
            pass
    assert time.perf_counter() - start < 1.5
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # nothing left armed to fire later


@pytest.mark.parametrize(("name", "order"), [("swish", "0"), ("swish", "-5"), ("swish", "31"), ("swish", "200"),
                                             ("mish", "40")])
def test_series_orders_outside_the_cap_are_bad_input(name, order):
    start = time.perf_counter()
    code, out = _cli("show", name, "--order", order)
    assert time.perf_counter() - start < 10
    assert code == 2 and "between 1 and 30" in out
    with pytest.raises(symact.InvalidArgumentError, match="cap of 30|positive integer"):
        symact.series(name, int(order))


@pytest.mark.slow
def test_series_order_20_works():
    poly = symact.series("mish", 20)
    # independent: mpmath's Taylor coefficients of x·tanh(log1p(eˣ)) at 0
    with mp.workdps(40):
        coeffs = mp.taylor(lambda t: t * mp.tanh(mp.log1p(mp.exp(t))), 0, 19)
    for k, c in enumerate(coeffs):
        assert abs(float(poly.coeff(symact.x, k)) - float(c)) <= 1e-12 * max(1.0, abs(float(c))), k


# --- small traps -----------------------------------------------------------------------------------

def test_negative_option_values_are_read_as_numbers():
    code, out = _cli("check", "gelu_tanh(x) ~ gelu(x)", "--interval", "-3,3")
    assert code == 0 and "[-3.0, 3.0]" in out


@pytest.mark.parametrize(("argv", "message"), [
    (("show", "swish", "--param", "beta=abc"), "not a number"),
    (("show", "relu", "--param", "beta=1"), "relu has no parameters, but 'beta' was given"),
    (("check", "x ~ 0", "--interval", "3"), "--interval takes A,B"),
    (("show", "nope"), "unknown activation"),
    (("export", "gelu", "--to", "fortran"), "invalid choice"),
])
def test_bad_input_exits_2_with_the_fix(argv, message):
    code, out = _cli(*argv)
    assert code == 2 and message in out


def test_parity_makes_its_folder_and_refuses_without_frameworks(tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name in ("torch", "jax") else
                        real(name, *a))
    code, out = _cli("parity", "-o", str(tmp_path / "new" / "p.md"))
    assert code == 2 and "none of which is installed" in out and "pip install" in out


@pytest.mark.slow
def test_parity_writes_into_a_new_folder(tmp_path):
    pytest.importorskip("torch")
    target = tmp_path / "new" / "dir" / "parity.md"
    code, out = _cli("parity", "--framework", "torch", "--step", "1", "-o", str(target))
    assert code == 0 and target.read_text(encoding="utf-8").startswith("# Parity")


def test_derivation_check_outside_the_repository(tmp_path):
    done = subprocess.run([sys.executable, "-m", "symact", "derivation", "--check"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "no folder derivations here" in done.stderr
    (tmp_path / "derivations").mkdir()
    done = subprocess.run([sys.executable, "-m", "symact", "derivation", "identities", "--check"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "missing:" in done.stderr and "stale" not in done.stderr


def test_max_error_by_name_takes_the_defaults():
    from symact.symbolic import approx

    found = approx.max_error("gelu", "gelu_tanh")
    # independent: the tanh form with κ = 0.044715 minus x·Φ(x), on mpmath's grid around the known maximum
    with mp.workdps(30):
        def err(t):
            return t / 2 * (1 + mp.tanh(mp.sqrt(2 / mp.pi) * (t + mp.mpf("0.044715") * t**3))) - t * mp.ncdf(t)
        best = max(abs(err(mp.mpf(k) / 1000)) for k in range(-3000, 3001))
    assert float(found.value) == pytest.approx(float(best), rel=1e-6)


def test_ffn_names_give_the_ffn_latex():
    assert "W_2" in symact.blocks.latex("ffn_swiglu") and "W_2" not in symact.blocks.latex("swiglu")


def test_counterexamples_are_where_the_difference_is_plain_to_see():
    v = check("diff(gelu(x), x) == Phi(x)")
    # the difference is x·φ(x), largest in magnitude at x = ±1 (value φ(1) = 0.24197…)
    assert v.verdict == "DISPROVED" and abs(abs(float(v.counterexample["x"])) - 1) < 0.06
    assert "difference = 0.24" in v.detail


# --- dtypes -------------------------------------------------------------------------------------------

def test_every_float_dtype_comes_back_as_itself():
    import ml_dtypes

    f = symact.lambdify("gelu")
    xs = np.array([-3.0, -1.0, -0.25, 0.5, 2.0])
    want = f(xs)
    for dtype in (np.float16, np.float32, np.longdouble, ml_dtypes.bfloat16, ml_dtypes.float8_e4m3fn,
                  ml_dtypes.float8_e5m2):
        got = f(xs.astype(dtype))
        assert got.dtype == np.dtype(dtype), dtype
        # computed wider and rounded once: the float64 value at the rounded input, rounded to the dtype
        ref = f(xs.astype(dtype).astype(np.float64)).astype(dtype)
        assert np.array_equal(got.astype(np.float64), ref.astype(np.float64)), dtype
    assert f(np.arange(3)).dtype == np.float64 and want.dtype == np.float64


# --- what users read --------------------------------------------------------------------------------

def test_catalog_pages_print_domains_as_intervals():
    from symact.catalog import activation_sections

    _, sections = activation_sections("elu")
    texts = " ".join(t for _, items in sections for k, t in items if k == "text")
    assert "alpha = 1.0, in (0, ∞)" in texts and "Interval" not in texts


def test_show_prints_mathematics_not_sympy_internals():
    code, out = _cli("show", "elu")
    assert code == 0
    assert "Interval" not in out and "in (0, ∞)" in out
    assert "sign(" not in out and "Piecewise((-∞, x < 0), (x, True))" in out
