from __future__ import annotations

import math

import mpmath as mp
import pytest
import sympy as sp
from helpers import REFERENCES, SELU_ALPHA_PAPER, SELU_LAMBDA_PAPER, reference, sample_points

import symact
from symact import x
from symact.symbols import beta

REQUIRED = ["relu", "sigmoid", "tanh", "gelu", "gelu_tanh", "gelu_sigmoid", "quick_gelu", "swish", "silu",
            "softplus", "mish", "elu", "selu", "relu_squared", "hard_sigmoid", "hard_swish", "identity"]


def test_names_sorted_and_complete():
    assert symact.names() == sorted(symact.names())
    assert set(REQUIRED) <= set(symact.names())


def test_every_definition_has_an_independent_reference():
    # A new registry entry must come with its paper formula in tests/helpers.py.
    assert set(symact.names()) == set(REFERENCES)


@pytest.mark.parametrize("name", symact.names())
def test_definition_matches_paper_formula(name):
    act = symact.get(name)
    ours = symact.to_mpmath(act)
    ref = reference(name)
    for point in sample_points(name, 10) + [-20.0, -0.5, 0.25, 19.0]:
        assert mp.almosteq(ours(point), ref(point), rel_eps=mp.mpf(10) ** -28, abs_eps=mp.mpf(10) ** -300), point


@pytest.mark.parametrize("name", symact.names())
def test_entry_metadata(name):
    act = symact.get(name)
    assert act.name == name and act.formula and act.latex_name
    assert act.expr.free_symbols <= {x} | {p.symbol for p in act.parameters}
    for p in act.parameters:
        assert p.default in p.domain
        assert p.symbol.is_real
    for alias in act.aliases:
        assert symact.get(alias) is act


def test_aliases_and_case():
    assert symact.get("SiLU").name == "silu"
    assert symact.get("Hard-Swish").name == "hard_swish"
    assert symact.get("gelu_new").name == "gelu_tanh"
    assert symact.get(symact.get("gelu")) is symact.get("gelu")


def test_silu_is_swish_with_beta_one():
    assert sp.simplify(symact.get("silu").expr - symact.get("swish")(x, beta=1)) == 0
    assert symact.get("silu").params == {}
    assert dict(symact.get("silu").fixed) == {"beta": 1}


def test_quick_gelu_is_gelu_sigmoid_at_1702():
    assert symact.get("quick_gelu").expr == symact.get("gelu_sigmoid").default_expr


def test_selu_constants_are_the_papers():
    act = symact.get("selu")
    assert mp.almosteq(sp.N(act.params["lambda"].default, 40), mp.mpf(SELU_LAMBDA_PAPER), rel_eps=1e-31)
    assert mp.almosteq(sp.N(act.params["alpha"].default, 40), mp.mpf(SELU_ALPHA_PAPER), rel_eps=1e-31)


def test_call_substitutes_arguments_and_parameters():
    swish = symact.get("swish")
    assert swish(x) == swish.expr
    assert swish(x, beta=0) == x / 2
    y = sp.Symbol("y")
    assert swish(y, beta=2) == y * symact.sigma(2 * y)
    assert math.isclose(float(symact.get("gelu")(1)), 0.8413447460685429, rel_tol=1e-15)
    assert symact.get("swish").params["beta"].symbol is beta


class TestBadInput:
    def test_unknown_name_lists_close_matches(self):
        with pytest.raises(symact.UnknownActivationError) as info:
            symact.get("gleu")
        assert isinstance(info.value, KeyError)
        assert "gelu" in str(info.value) and "symact.names()" in str(info.value)

    def test_unknown_name_without_close_match(self):
        with pytest.raises(KeyError, match="unknown activation 'zzzzzz'"):
            symact.get("zzzzzz")

    def test_name_of_wrong_type(self):
        with pytest.raises(symact.InvalidArgumentError, match="activation name"):
            symact.get(3)

    def test_misspelt_parameter(self):
        with pytest.raises(symact.UnknownParameterError, match="did you mean 'beta'") as info:
            symact.get("swish")(x, bta=2)
        assert isinstance(info.value, KeyError)

    def test_parameter_on_parameterless(self):
        with pytest.raises(symact.UnknownParameterError, match="gelu has no parameters"):
            symact.get("gelu")(x, beta=1)

    @pytest.mark.parametrize("value", [float("nan"), float("inf"), -math.inf, sp.nan, sp.oo, sp.zoo])
    def test_non_finite_parameter(self, value):
        with pytest.raises(symact.InvalidParameterError, match="finite"):
            symact.get("swish")(x, beta=value)

    @pytest.mark.parametrize("value", ["2", None, 1 + 2j, True, [1.0]])
    def test_non_numeric_parameter(self, value):
        with pytest.raises(symact.InvalidParameterError, match=r"real number \(e.g. beta=1\)"):
            symact.get("swish")(x, beta=value)

    def test_parameter_outside_domain(self):
        with pytest.raises(symact.InvalidParameterError, match="must lie in"):
            symact.get("softplus")(x, beta=0)
        with pytest.raises(symact.InvalidParameterError, match="must lie in"):
            symact.get("swish")(x, beta=-1)

    def test_argument_of_wrong_type(self):
        with pytest.raises(symact.InvalidArgumentError, match="argument must be a number"):
            symact.get("gelu")("x; import os")

    def test_register_refuses_a_taken_name(self):
        with pytest.raises(symact.InvalidArgumentError, match="already taken"):
            symact.register(symact.Activation("relu", x, "r", "x"))
