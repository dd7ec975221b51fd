"""The formula grammar: ^ as a power, blocks and Piecewise in claims, derive, and a fuzz of the parser."""

from __future__ import annotations

import math

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symact
from symact import Phi, phi, sigma, softplus, x
from symact.derivations import SEED_CLAIMS
from symact.symbolic.claims import check
from symact.symbolic.formula import FormulaSyntaxError, parse


@pytest.mark.parametrize(("text", "expected"), [
    ("2*x^3", 2 * x**3), ("-x^2", -(x**2)), ("2^3^2", sp.Integer(512)),
    ("0.044715*x^3", sp.Rational("0.044715") * x**3),
])
def test_caret_is_a_power_with_pythons_precedence(text, expected):
    assert parse(text) == expected


def test_named_functions_answer_expand_func_and_doit():
    for f, elementary in ((Phi(x), (1 + sp.erf(x / sp.sqrt(2))) / 2), (phi(x), sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi)),
                          (sigma(x), 1 / (1 + sp.exp(-x))), (softplus(x), sp.log(1 + sp.exp(x)))):
        assert sp.simplify(sp.expand_func(f) - elementary) == 0
        assert sp.simplify(f.doit() - elementary) == 0
    # the toolkit's own outputs keep the named functions (README)
    assert symact.derivative("gelu") == x * phi(x) + Phi(x)


def test_seed_claims_have_the_papers_verdicts():
    expected = ["DISPROVED"] * 4 + ["PROVED"] * 5
    got = [check(c).verdict for c in SEED_CLAIMS]
    assert got == expected, list(zip(SEED_CLAIMS, got, strict=True))
    v = check("glu(x) == x*sigma(W*x)")
    assert set(v.counterexample) == {"x", "W", "V", "b", "c"}
    # the counterexample is real: Dauphin's GLU (xW + b)·σ(xV + c) against x·σ(Wx), recomputed here
    vals = {k: float(val) for k, val in v.counterexample.items()}
    glu = (vals["x"] * vals["W"] + vals["b"]) / (1 + math.exp(-(vals["x"] * vals["V"] + vals["c"])))
    wrong = vals["x"] / (1 + math.exp(-vals["W"] * vals["x"]))
    assert abs(glu - wrong) > 1


def test_blocks_in_claims_take_positional_weights_and_gradients():
    assert check("glu(x, 2, 3) == (2*x + b)*sigma(3*x + c)").verdict == "PROVED"
    assert check("ffn_swiglu(x, W, V, W2) == swiglu(x)*W2 + b2").verdict == "PROVED"
    # ∂/∂W of SiLU(xW + b)(xV + c) = x(xV + c)·SiLU'(u), SiLU'(u) = σ(u)(1 + u(1 − σ(u))), u = xW + b
    grad = "diff(swiglu(x), W) == x*(V*x + c)*sigma(x*W + b)*(1 + (x*W + b)*(1 - sigma(x*W + b)))"
    assert check(grad).verdict in ("PROVED", "HOLDS NUMERICALLY")
    assert check("diff(swiglu(x), W) == x*(V*x + c)*sigma(x*W + b)").verdict == "DISPROVED"
    with pytest.raises(FormulaSyntaxError, match="at most 4 weights"):
        parse("glu(x, 1, 2, 3, 4, 5)")


def test_where_clamp_and_piecewise():
    assert check("where(x > 0, x, 0) == relu(x)").verdict == "PROVED"
    assert parse("clamp(x, -1, 1)") == sp.Min(sp.Max(x, -1), 1)
    assert parse("Piecewise((x, x > 0), (0, True))") == sp.Piecewise((x, x > 0), (0, True))
    with pytest.raises(FormulaSyntaxError, match="last Piecewise pair"):
        parse("Piecewise((x, x > 0))")


def test_derive_names_the_origin_of_each_constant():
    from symact.symbolic.derive import derive

    sheet = derive("0.5*x*(1+tanh(sqrt(2/pi)*(x+0.044715*x^3)))")
    by_origin = {c.origin: c for c in sheet.constants}
    c = by_origin["3*sqrt(2)*0.044715/sqrt(pi)"]
    assert abs(c.value - 3 * 0.044715 * math.sqrt(2 / math.pi)) < 1e-17 and f"{c.value:.9f}" == "0.107032224"
    assert "chain rule" in c.where
    # f' itself is SymPy's derivative of the formula with its decimals exact
    exact = sp.Rational(1, 2) * x * (1 + sp.tanh(sp.sqrt(2 / sp.pi) * (x + sp.Rational("0.044715") * x**3)))
    assert sp.simplify(sheet.forms[1] - sp.diff(exact, x)) == 0
    assert sheet.lowered[1] == symact.lower(sheet.forms[1])


# --- fuzz: nothing but the toolkit's errors escapes, and nothing outside the grammar is evaluated -----------

EVIL = st.sampled_from([
    "__import__('os').system('touch /tmp/symact-pwned')", "x.__class__", "x[0]", "(lambda: 1)()", "open('f')",
    "[x for x in ()]", "{1: 2}", "x if x else x", "f'{x}'", "await x", "x @ x", "x := 1", "exec('1')", "...",
    "globals()", "sigma.__globals__", "gelu.__code__", "import os", "x; x", "'a' * 10",
])
TOKENS = st.sampled_from(["x", "gelu(", "swish(x, beta=", "glu(x", ")", "(", "+", "-", "*", "/", "^", "**", "1.5",
                          ",", "Piecewise((", "x > 0", "True", "where(", "clamp(", "diff(", "limit(", "oo", "W", " "])


@settings(derandomize=True, max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(EVIL, st.lists(TOKENS, max_size=12).map("".join), st.text(max_size=30)))
def test_parser_fuzz(text):
    import os

    try:
        out = parse(text)
    except symact.SymactError:
        pass
    else:
        assert isinstance(out, sp.Expr)
    assert not os.path.exists("/tmp/symact-pwned")


def test_seed_claims_on_the_command_line():
    import contextlib
    import io

    from symact.cli import main

    for claim in SEED_CLAIMS:
        with contextlib.redirect_stdout(io.StringIO()) as out:
            code = main(["check", claim])
        verdict = out.getvalue().split(":")[0]
        assert code == (1 if verdict == "DISPROVED" else 0) and verdict in ("PROVED", "DISPROVED"), claim
