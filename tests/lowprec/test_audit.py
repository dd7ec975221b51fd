"""audit and tolerance: a deliberately wrong implementation is caught at its known bad inputs; an independent
correctly rounded implementation (mpmath, rounded directly by the test) scores 0 ulp; bad input gets a clear error."""

from __future__ import annotations

import subprocess
import sys

import ml_dtypes
import numpy as np
import pytest
import scipy.special
import sympy
from helpers import REFERENCES, direct_rounding, format_grid

import symact
from symact.lowprec import get_format
from symact.lowprec.audit import ImplementationError, audit, parse_impl, tolerance
from symact.testing import assert_matches


def textbook_gelu_float16(x):
    """GELU as x/2·(1 + erf(x/√2)), every operation in float16: 1 + erf cancels, so GELU is 0 left of x ≈ −3.7
    (erf rounds to −1 there) while the true values are normal or subnormal float16 numbers down to x ≈ −5.6."""
    h = np.asarray(x, dtype=np.float16)
    erf = scipy.special.erf((h / np.float16(np.sqrt(2))).astype(np.float32)).astype(np.float16)
    return (h * np.float16(0.5) * (np.float16(1) + erf)).astype(np.float16)


def correctly_rounded_gelu(dtype):
    """An independent correctly rounded GELU: the paper's formula in mpmath, rounded by the test's own rounding."""
    def f(x):
        values = direct_rounding("gelu", dtype, np.asarray(x).astype(np.float64))
        return values.astype(get_format(dtype).dtype)
    return f


def test_audit_finds_the_known_bad_inputs_of_a_wrong_implementation(private_cache):
    r = audit(textbook_gelu_float16, "gelu", "float16")
    assert r.n == 63488
    bad = r.x.astype(np.float64)[r.ulps > 4]
    # the cancellation: inputs in [−5, −4.3] return 0 where GELU is −1.4e-6 … −3.6e-5, 24 or more float16 values
    known = np.arange(-5.0, -4.3, 0.125)
    assert set(known) <= set(bad.tolist())
    assert r.max_ulp > 1000 and r.worst()[0][1] == 0.0
    assert r.nan_mismatches == 0 and r.inf_mismatches == 0
    assert "x" in r.report() and "max ulp" in r.report()


@pytest.mark.parametrize("dtype", ["float8_e4m3fn", "float8_e5m2",
                                   pytest.param("float16", marks=pytest.mark.slow)])
def test_audit_of_an_independent_correct_implementation_is_zero(private_cache, dtype):
    r = audit(correctly_rounded_gelu(dtype), "gelu", dtype)
    if dtype == "float8_e4m3fn":  # the test's rounding says ±inf where E4M3FN (no infinity) has NaN
        r.got[np.isinf(r.got.astype(np.float64))] = np.nan
        r = type(r)(r.title, r.fmt, r.x, r.got, r.want)
    assert r.max_ulp == 0 and r.exact == r.n and r.nan_mismatches == 0


def _test_tolerance(a: str, b: str, dtype: str) -> tuple[float, float]:
    """max ulp distance and max |difference| between the two definitions' correctly rounded values, computed here:
    positions in the sorted grid of the format (±0 one position)."""
    grid, _ = format_grid(np.dtype(get_format(dtype).dtype))
    position = {float(v): i for i, v in enumerate(grid)}
    xs = symact.lowprec.every_input(get_format(dtype)).astype(np.float64)
    va, vb = direct_rounding(a, dtype, xs), direct_rounding(b, dtype, xs)
    ulps = [abs(position[float(p)] - position[float(q)]) for p, q in zip(va, vb, strict=True)]
    return max(ulps), float(np.max(np.abs(va - vb)))


@pytest.mark.parametrize("dtype", ["float8_e4m3fn", "float8_e5m2"])
@pytest.mark.parametrize("b", ["gelu_tanh", "quick_gelu"])
def test_tolerance_matches_the_tests_own_count(private_cache, b, dtype):
    r = tolerance("gelu", b, dtype)
    want_ulp, want_abs = _test_tolerance("gelu", b, dtype)
    assert (r.max_ulp, r.max_abs) == (want_ulp, want_abs)


@pytest.mark.parametrize("dtype", ["float8_e4m3fn", "float8_e5m2"])
def test_tolerance_of_a_definition_with_itself_written_differently_is_zero(private_cache, dtype):
    x = symact.x
    r = tolerance("silu", x / (1 + sympy.exp(-x)), dtype)  # the second decided by the oracle at every input
    assert r.max_ulp == 0 and r.max_abs == 0 and r.n == symact.lowprec.every_input(get_format(dtype)).size


def test_torch_cpu_gelu_in_bfloat16(private_cache):
    torch = pytest.importorskip("torch")
    r = audit("torch.nn.functional:gelu", "gelu", "bfloat16")
    assert r.n == 65280 and r.exact > 0.9 * r.n
    # the comparison is exact: converting torch's bfloat16 results back loses nothing
    xs = torch.from_numpy(r.x.astype(np.float32)).to(torch.bfloat16)
    direct = torch.nn.functional.gelu(xs).float().numpy()
    assert np.array_equal(direct, r.got.astype(np.float32), equal_nan=True)


def test_jax_gelu_in_float16(private_cache):
    pytest.importorskip("jax")
    import jax
    import jax.numpy as jnp

    r = audit("jax.nn:gelu,approximate=False", "gelu", "float16")
    assert r.n == 63488 and r.exact > 0.5 * r.n
    direct = np.asarray(jax.nn.gelu(jnp.asarray(r.x), approximate=False)).astype(np.float64)
    assert np.array_equal(direct, r.got.astype(np.float64), equal_nan=True)


@pytest.mark.parametrize("spec, message", [
    ("nosuch.module:f", "cannot import"), ("numpy:nosuch", "no function"), ("numpy", "module:function"),
    ("numpy:tanh,oops", "key=value"),
])
def test_bad_implementations_are_named(spec, message):
    with pytest.raises(ImplementationError, match=message):
        audit(spec, "gelu", "float8_e5m2")


@pytest.mark.parametrize("func, message", [
    (lambda x: 1 / 0, "raised ZeroDivisionError"),
    (lambda x: x[:3], "shape"),
    (lambda x: x.astype(np.float32), "dtype float32"),
])
def test_implementations_that_misbehave_are_named(func, message):
    with pytest.raises(ImplementationError, match=message):
        audit(func, "gelu", "float8_e5m2")


def test_parse_impl():
    assert parse_impl("torch.nn.functional:gelu,approximate=tanh") == (
        "torch.nn.functional", "gelu", {"approximate": "tanh"})
    assert parse_impl("jax.nn:gelu, approximate=False") == ("jax.nn", "gelu", {"approximate": False})


def test_assert_matches(private_cache):
    xs = symact.lowprec.every_input(get_format("float8_e5m2"))
    good = correctly_rounded_gelu("float8_e5m2")(xs)
    assert assert_matches(good, "gelu", "float8_e5m2").max_ulp == 0
    h = np.linspace(-6, 6, 97).astype(np.float16)
    with pytest.raises(AssertionError, match=r"worst at x = -[345]\.") as info:
        assert_matches(textbook_gelu_float16(h), "gelu", "float16", ulp=1, x=h)
    assert "correctly rounded" in str(info.value)
    assert_matches(textbook_gelu_float16(h[h > 0]), "gelu", "float16", ulp=1, x=h[h > 0])
    with pytest.raises(symact.InvalidArgumentError, match="shape"):
        assert_matches(good[:5], "gelu", "float8_e5m2")


def _cli(capsys, *args: str) -> tuple[int, str, str]:
    from symact.cli import main

    status = main(list(args))
    out = capsys.readouterr()
    return status, out.out, out.err


def test_cli(tmp_path, private_cache, capsys):
    status, _, err = _cli(capsys, "rounded", "silu", "--dtype", "e5m2", "-o", str(tmp_path / "s.csv"))
    assert status == 0, err
    rows = (tmp_path / "s.csv").read_text().splitlines()
    assert rows[0] == "x,silu" and len(rows) == 249
    x, y = map(float, rows[100].split(","))
    assert y == direct_rounding("silu", "float8_e5m2", [x])[0]
    status, _, err = _cli(capsys, "rounded", "gelu", "--dtype", "bf16", "--derivative", "1",
                          "-o", str(tmp_path / "g.npz"))
    assert status == 0 and "65,280" in err
    data = np.load(tmp_path / "g.npz")
    assert data["x"].size == 65280 and str(data["dtype"]) == "bfloat16"
    assert np.array_equal(data["y"], symact.rounded("gelu", "bf16", data["x"].astype(ml_dtypes.bfloat16), derivative=1)
                          .astype(np.float32), equal_nan=True)
    status, out, _ = _cli(capsys, "audit", "numpy:tanh", "--against", "tanh", "--dtype", "fp16",
                          "-o", str(tmp_path / "a.png"))
    assert status == 0 and "| 0 |" in out and (tmp_path / "a.png").stat().st_size > 5000
    status, out, _ = _cli(capsys, "tolerance", "gelu", "gelu_tanh", "--dtype", "e4m3")
    assert status == 0 and "atol=" in out
    for bad in (["rounded", "gelu", "--dtype", "float64"],
                ["audit", "nosuch:f", "--against", "gelu", "--dtype", "bf16"],
                ["audit", "numpy:tanh", "--against", "gelu", "--dtype", "bf16", "--array", "cupy"],
                ["rounded", "gelu", "--dtype", "float32", "--derivative", "-1"]):
        status, _, err = _cli(capsys, *bad)
        assert status == 2 and err.startswith("symact:") or err.startswith("usage:"), (bad, err)


@pytest.mark.slow
def test_cli_bad_input_in_a_fresh_process():
    """The installed command: one line on stderr, exit 2, no traceback."""
    for bad in (["rounded", "gelu", "--dtype", "float64"], ["audit", "numpy:tanh,x", "--against", "gelu",
                                                           "--dtype", "bf16"]):
        out = subprocess.run([sys.executable, "-m", "symact", *bad], capture_output=True, text=True, timeout=300)
        assert out.returncode == 2 and out.stderr.startswith("symact:") and "Traceback" not in out.stderr, bad


def test_reference_list_is_the_papers():
    assert "gelu" in REFERENCES  # the audits compare against the same formulas as every other test
