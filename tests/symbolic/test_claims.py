from __future__ import annotations

import mpmath as mp
import pytest
from helpers import reference

import symact
from symact.symbolic.claims import DISPROVED, HOLDS, PROVED, UNDECIDED, ClaimSyntaxError, check, parse

# (claim, expected verdict) for every verdict kind: equality, derivative, limit, approximation
CASES = [
    ("swish(x, beta=0) == x/2", PROVED),
    ("silu(x) == swish(x, 1)", PROVED),
    ("silu(x) == x/2 + x/2*tanh(x/2)", PROVED),
    ("tanh(x) == 2*sigmoid(2*x) - 1", PROVED),
    ("swish(x, beta) == x*sigma(beta*x)", PROVED),
    ("diff(gelu(x), x) == Phi(x) + x*phi(x)", PROVED),
    ("diff(softplus(x), x) == sigmoid(x)", PROVED),
    ("diff(sigmoid(x), x, 2) == sigma(x)*(1 - sigma(x))*(1 - 2*sigma(x))", PROVED),
    ("limit(swish(x, beta), beta, oo) == relu(x)", PROVED),
    ("limit(swish(x, beta), beta, 0) == x/2", PROVED),
    ("limit(gelu(x), x, -oo) == 0", PROVED),
    ("swish(x, beta) == x*sigma(x)", DISPROVED),
    ("diff(gelu(x), x) == Phi(x)", DISPROVED),
    ("limit(swish(x, beta), beta, oo) == x", DISPROVED),
    ("gelu(x) == x*sigmoid(1.702*x)", DISPROVED),
    ("gelu_tanh(x) ~ gelu(x)", PROVED),  # certified: sup 4.7e-4 < tol 0.01 (tests/proofs)
    ("quick_gelu(x) ~ gelu(x)", DISPROVED),  # 0.02 > tol 0.01
    ("LambertW((x**2 + 1)*exp(x**2 + 1)) == x**2 + 1", HOLDS),
    ("limit(LambertW(x), x, -oo) == 0", UNDECIDED),
    ("limit(gelu(x)/LambertW(x), x, oo) == 0", UNDECIDED),
]


@pytest.mark.parametrize(("claim", "expected"), CASES, ids=[c for c, _ in CASES])
def test_verdicts(claim, expected):
    verdict = check(claim)
    assert verdict.verdict == expected, verdict.detail
    assert verdict.detail


def test_disproved_counterexamples_recheck_with_mpmath():
    v = check("diff(gelu(x), x) == Phi(x)")
    t = mp.mpf(v.counterexample["x"])
    assert abs(mp.diff(reference("gelu"), t) - mp.ncdf(t)) > 1e-15

    v = check("swish(x, beta) == x*sigma(x)")
    t, b = mp.mpf(v.counterexample["x"]), v.counterexample["beta"]
    assert abs(reference("swish", {"beta": b})(t) - reference("silu")(t)) > 1e-15

    v = check("limit(swish(x, beta), beta, oo) == x")
    t = mp.mpf(v.counterexample["x"])
    assert abs(reference("swish", {"beta": "1e8"})(t) - t) > 1e-3  # Swish at huge beta is not x there

    v = check("quick_gelu(x) ~ gelu(x)")
    t = mp.mpf(v.counterexample["x"])
    assert abs(reference("quick_gelu")(t) - reference("gelu")(t)) > 0.01

    v = check("gelu(x) == x*sigmoid(1.702*x)")
    t = mp.mpf(v.counterexample["x"])
    assert abs(reference("gelu")(t) - reference("quick_gelu")(t)) > 1e-10


def test_holds_numerically_reports_the_error():
    v = check("gelu_tanh(x) ~ gelu(x)", tol=1e-3)
    assert v.verdict == PROVED and float(v.max_error) < 1e-3 and "x" in v.at
    # the reported maximum is where it is: an independent evaluation agrees
    t = mp.mpf(v.at["x"])
    assert mp.almosteq(abs(reference("gelu_tanh")(t) - reference("gelu")(t)), mp.mpf(v.max_error), rel_eps=1e-5)
    assert check("gelu_tanh(x) ~ gelu(x)", tol=1e-4).verdict == DISPROVED


def test_interval_and_params():
    assert check("silu(x) ~ relu(x)", tol=0.3).verdict == PROVED
    assert check("silu(x) ~ relu(x)", tol=0.01, interval=(8, 12)).verdict == PROVED  # 8 sigma(-8) ~ 0.0027
    # Mish nests tanh and softplus: the two-sided remainder rules bound its tails (symact.proofs.signs)
    v = check("mish(x) ~ silu(x)", tol=0.3)
    assert v.verdict == PROVED and "certified" in v.detail
    t = mp.mpf(v.at["x"])
    assert mp.almosteq(abs(reference("mish")(t) - reference("silu")(t)), mp.mpf(v.max_error), rel_eps=1e-5)
    # σ(σ(x)): the outer argument tends to 1, not ∞: beyond the tail rules, so sampled and refined, saying why
    v = check("sigma(sigma(x)) ~ sigma(x)", tol=0.6)
    assert v.verdict == HOLDS and "not certified" in v.detail and "nests" in v.detail
    assert check("silu(x) ~ relu(x)", tol=0.01, interval=(5, 10)).verdict == DISPROVED  # 5 sigma(-5) ~ 0.033
    with pytest.raises(symact.InvalidArgumentError, match="needs numbers for beta"):
        check("swish(x, beta) ~ relu(x)")


@pytest.mark.parametrize("claim", [
    "__import__('os').system('true') == 0",
    "gelu(x).real == 1",
    "(lambda: 1)() == 1",
    "[1][0] == 1",
    "gelu(y) == 1",
    "open('f') == 1",
    "gelu(x) if x else 0 == 1",
    "x == 'a'",
])
def test_parsing_is_a_whitelist(claim):
    with pytest.raises(ClaimSyntaxError):
        check(claim)


@pytest.mark.parametrize(("claim", "message"), [
    ("gelu(x)", "needs '=='"),
    ("gelu(x) == ", "an expression is needed"),
    ("gelu(x, 2) == 1", "at most 0 parameter"),
    ("swish(x, 1, beta=2) == 1", "given twice"),
    ("diff(gelu(x), 3) == 1", "diff needs a symbol"),
    ("gelu(x) == 1/0", "undefined"),
    ("gelux(x) == 1", "unknown function 'gelux'"),
])
def test_bad_claims_name_the_fix(claim, message):
    with pytest.raises(symact.InvalidArgumentError, match=message):
        check(claim)


def test_bad_tolerance():
    with pytest.raises(symact.InvalidArgumentError, match="tol"):
        check("gelu(x) ~ silu(x)", tol=-1)


def test_parse_uses_defaults_and_exact_decimals():
    assert parse("gelu_tanh(x)") == symact.get("gelu_tanh").default_expr
    assert parse("0.044715") == symact.get("gelu_tanh").params["kappa"].default


def test_verdict_renders_in_notebooks():
    text = check("silu(x) == swish(x, 1)")._repr_latex_()
    assert text.startswith("$") and "PROVED" in text
