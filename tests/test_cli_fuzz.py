"""Fuzzing the command line in-process (hypothesis, derandomized): whatever the arguments, no traceback
escapes and the exit status is one of 0 (done/proved/holds), 1 (disproved), 2 (bad input), 3 (undecided)."""

from __future__ import annotations

import contextlib
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symact.cli import main

FUZZ = settings(derandomize=True, max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

NAMES = st.sampled_from(["gelu", "swish", "relu", "mish", "selu", "silu", "hard_swish", "Gelu", "bogus", "", "-x"])
WORDS = st.sampled_from([
    "--param", "beta=2", "beta=abc", "alpha=-1", "kappa=1e400", "=", "beta", "--order", "0", "-5", "3", "31",
    "--latex", "--json", "--tol", "--interval", "-3,3", "3,-3", "1e400", "nan", "-inf", ",", "--timeout", "0.5",
    "-1", "--to", "torch", "jax", "numpy", "fortran", "--derivative", "2", "--fast", "-o", "--help", "x",
])
ARGS = st.lists(st.one_of(WORDS, st.text(max_size=8)), max_size=5)
CLAIM_TEXT = st.text(alphabet="x+-*/()^~=.,0123456789 eglusiwhmpaPhtncdoqrk", max_size=40)
CLAIMS = st.one_of(CLAIM_TEXT, st.sampled_from([
    "gelu(x) == x*Phi(x)", "diff(gelu(x), x) == Phi(x)", "gelu_tanh(x) ~ gelu(x)", "x ~ 0", "x == x",
    "limit(swish(x, beta), beta, oo) == relu(x)", "exp(exp(exp(x))) ~ 0", "(-1)**x == x", "x**x**x == 1",
    "sqrt(-x) == 0", "log(x) == 0", "1/x == 0", "diff(x, 2.5) == 0", "gelu(x, 3) == 0", "swish(beta=2) == 0",
]))


def _run(argv: list[str]) -> int:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return code


@FUZZ
@given(name=NAMES, args=ARGS)
def test_show(name, args):
    assert _run(["show", name, *args, "--timeout", "3"]) in {0, 2, 3}


@FUZZ
@given(claim=CLAIMS, args=ARGS)
def test_check(claim, args):
    assert _run(["check", claim, *args, "--timeout", "3"]) in {0, 1, 2, 3}


@FUZZ
@given(name=NAMES, args=ARGS)
def test_export(name, args):
    assert _run(["export", name, *args, "--timeout", "3"]) in {0, 2, 3}


@FUZZ
@given(subject=st.one_of(NAMES, CLAIM_TEXT, st.sampled_from(["swiglu", "x*sigma(1.5*x)", "x^2", "glu"])), args=ARGS)
def test_latex_and_derive(subject, args):
    assert _run(["latex", subject, *args, "--timeout", "3"]) in {0, 2, 3}
    assert _run(["derive", subject, *args, "--timeout", "3"]) in {0, 2, 3}


@FUZZ
@given(args=ARGS)
def test_list_and_unknown_commands(args):
    assert _run(["list", *args]) in {0, 2}
    assert _run(args) in {0, 2}


@pytest.mark.slow
@settings(derandomize=True, max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(NAMES, min_size=1, max_size=3), args=ARGS)
def test_plot(tmp_path_factory, names, args):
    out = tmp_path_factory.mktemp("plot") / "p.png"
    assert _run(["plot", *names, "-o", str(out), *args]) in {0, 2}


@pytest.mark.slow
@settings(derandomize=True, max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(args=st.lists(st.sampled_from(["--framework", "torch", "jax", "tf", "--device", "cuda", "--step", "-1", "0.5",
                                      "nan", "--bogus"]), max_size=4))
def test_parity(tmp_path_factory, args):
    folder = tmp_path_factory.mktemp("fuzz")
    assert _run(["parity", *args, "-o", str(folder / "new" / "p.md")]) in {0, 2}


@pytest.mark.slow
@settings(derandomize=True, max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(args=st.lists(st.sampled_from(["--no-html", "--bogus", "-o"]), max_size=2))
def test_catalog(tmp_path_factory, args):
    folder = tmp_path_factory.mktemp("fuzz")
    assert _run(["catalog", "-o", str(folder / "c"), *args]) in {0, 2}


@pytest.mark.slow
@settings(derandomize=True, max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(args=st.lists(st.sampled_from(["identities", "nope", "--check", "--out", "-x", "swish_family"]), max_size=3))
def test_derivation(tmp_path_factory, args):
    folder = tmp_path_factory.mktemp("fuzz")
    assert _run(["derivation", *args, "--out", str(folder / "d")]) in {0, 1, 2}


@pytest.mark.slow
@settings(derandomize=True, max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject=st.one_of(NAMES, st.sampled_from(["swiglu", "x*sigma(1.5*x)", "x^2", "1/x", "exp(x)"])),
       args=st.lists(st.sampled_from(["--derivative", "1", "-1", "9", "--step", "0", "nan", "2", "--defs",
                                      "/nonexistent.toml"]), max_size=3))
def test_accuracy(subject, args):
    assert _run(["accuracy", subject, "--step", "1", *args, "--timeout", "10"]) in {0, 1, 2, 3}
