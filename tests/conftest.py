from __future__ import annotations

import os

import mpmath
import pytest

from symact.registry import REGISTRY

# symact's internal attempts (sp.solve for a closed form, 2-3 s) get 4x: their answers must not depend on how busy
# the cores are (pytest -n auto runs one worker per core, and CI's slow set ran one under 2x overload)
os.environ.setdefault("SYMACT_ATTEMPT_SCALE", "4")


@pytest.fixture(scope="module")
def private_cache(tmp_path_factory):
    """Compiled kernels and generated files (numba, C) go to a folder of this test module, so that nothing depends
    on what an earlier run left in the user's cache."""
    import os

    old = os.environ.get("SYMACT_CACHE")
    os.environ["SYMACT_CACHE"] = str(tmp_path_factory.mktemp("symact-cache"))
    yield
    if old is None:
        del os.environ["SYMACT_CACHE"]
    else:
        os.environ["SYMACT_CACHE"] = old


@pytest.fixture(autouse=True)
def _mp_precision():
    """Every test starts at 40 significant digits and cannot leak another precision."""
    with mpmath.workdps(40):
        yield


# The fast suite (the README's `pytest`, under 3 minutes on 2 cores) keeps representatives of the exhaustive
# parametrisations below; `pytest -m slow` (run by .ci/run after it) runs all the others. GELU exercises the
# double-double and erfcx-table kernels, SiLU the in-place σ kernels, SwiGLU the gated blocks.
REPRESENTATIVES = {"name": {"gelu", "silu", "swiglu", "glu", "identities"}}
EXHAUSTIVE = (
    "tests/test_accuracy.py::test_float64",
    "tests/test_accuracy.py::test_float32_is_within_one_ulp_of_correctly_rounded",
    "tests/test_accuracy.py::test_fast_form_has_no_catastrophe",
    "tests/test_accuracy.py::test_float64_tails_beyond_float32",
    "tests/test_latex.py::test_latex_is_deterministic_across_processes",
    "tests/backends/test_export.py::test_torch_source_puts_every_constant_on_the_input_device",
    "tests/backends/test_export.py::test_exported_module_matches_lambdify",
    "tests/backends/test_numpy_backend.py::test_lambdified_matches_mpmath_on_grid",
    "tests/backends/test_numpy_backend.py::test_probing_drops_only_repairs_that_change_nothing",
    "tests/backends/test_frameworks.py::test_jax_grad_is_our_symbolic_derivative",
    "tests/backends/test_frameworks.py::test_jax_values_match_numpy",
    "tests/backends/test_frameworks.py::test_torch_values_match_numpy",
    "tests/backends/test_frameworks.py::test_torch_autograd_is_our_symbolic_derivative",
    "tests/blocks/test_blocks.py::test_closed_form_gradients_equal_sympy_differentiation",
    "tests/test_derivations.py::test_committed_document_is_up_to_date",
    # per-entry symbolic checks against mpmath at large x, and the papers' formulas on grids: the fast suite
    # keeps GELU and SiLU (2 workers, 199 s before these moved; the README promises under 3 minutes)
    "tests/symbolic/test_calculus.py::test_limits_of_derivatives_agree_with_mpmath_diff_at_large_x",
    "tests/symbolic/test_calculus.py::test_limits_at_infinity_agree_with_large_x",
    "tests/symbolic/test_calculus.py::test_asymptote_is_approached",
    "tests/lowprec/test_rounding.py::test_sample_and_boundary_inputs",
    "tests/backends/test_numpy_backend.py::test_values_match_the_paper_formula",
    "tests/symbolic/test_properties.py::test_sheet_agrees_with_the_papers_formula",
)
# Per-entry parametrisations outside EXHAUSTIVE run in the fast suite for the entries below, one or two per
# kernel family: the erfcx/double-double GELU, the tanh form, σ of a polynomial (GELU-sigmoid), the in-place σ
# kernels (sigmoid, SiLU), softplus, Mish's kernel, expm1 kinks (ELU, SELU), ramps (hard-swish), ReLU kinks and
# tanh. Every other entry (specialisations such as QuickGELU and Swish, the other piecewise-linear ones, and the
# entries added for the frameworks) runs them in the slow set, like every exhaustive grid.
FAST_ENTRIES = {
    "identity", "relu", "relu_squared", "sigmoid", "tanh", "gelu", "gelu_tanh", "gelu_sigmoid", "silu", "softplus",
    "mish", "elu", "selu", "hard_swish",
}
HEAVY = (
    "tests/test_parity.py::test_accuracy_rows_cover_shipped_kernels",  # every framework kernel on a dense grid
    "tests/backends/test_frameworks.py::test_matches_jax_kernels_and_grad",
    "tests/symbolic/test_claims.py::test_verdicts[LambertW",  # SymPy needs ~25 s for this one
    # the identities document proved again, and its staleness check in a subprocess (the up-to-date check of
    # every document stays: identities in the fast suite, the others here)
    "tests/test_derivations.py::test_every_identity_is_proved",
    "tests/test_derivations.py::test_check_mode_detects_stale",
    # whole-catalog builds (the KaTeX one runs Node over every formula); the latex2mathml site stays fast
    "tests/test_catalog.py::test_markdown_only_without_katex",
    "tests/test_catalog.py::test_every_entry_has_a_page_and_a_plot",
    "tests/test_catalog.py::test_html_is_self_contained",
    "tests/test_catalog.py::test_html_renders_in_headless_chromium",
    "tests/test_catalog.py::test_site_has_an_index_of_cards_and_a_page_per_entry",
    # subprocess-heavy CLI checks: every command's --help, a derivation run outside the repository
    "tests/test_cli.py::test_help_on_every_command",
    "tests/test_reliability.py::test_derivation_check_outside_the_repository",
    # the site with all 37 entries in Chromium; the identities document proved again (every document's
    # up-to-date check runs in the slow set); `symact latex` for every entry in subprocesses
    "tests/test_catalog.py::test_site_renders_in_headless_chromium",
    "tests/test_derivations.py::test_committed_document_is_up_to_date[identities]",
    "tests/test_render.py::test_cli_latex_output",
    "tests/test_render.py::test_catalog_formulas",  # KaTeX over every catalog formula (latex2mathml's stays fast)
    "tests/test_cli.py::test_more_bad_input",  # a subprocess per case; test_bad_input_is_one_line… stays fast
    # the whole catalog through latex2mathml (12 s; the fast suite renders the API's and the CLI's LaTeX)
    "tests/test_render.py::test_every_catalog_formula_renders_with_latex2mathml",
    # fresh processes and compilers: numba's cache across processes, the CLI's C headers built into a program
    "tests/backends/test_numba_backend.py::test_cached_kernels_load_in_a_fresh_process",
    "tests/backends/test_c_backend.py::test_cli_headers_are_self_contained_and_combine",
    # to keep the fast suite under 3 minutes with the low-precision and proof tests: every command's --help in
    # subprocesses, a second fresh-process LaTeX check, two of the four fitted-constant checks, a definitions
    # module in a fresh process (the others of each kind stay fast)
    "tests/test_cli.py::test_help",
    "tests/test_latex.py::test_latex_is_deterministic_across_processes[silu]",
    "tests/symbolic/test_approx.py::test_least_squares_is_stationary",
    "tests/symbolic/test_approx.py::test_minimax_on_gelu_equioscillates",
    "tests/symbolic/test_define.py::test_definitions_module_runs_in_a_fresh_process",
    # and the heaviest remaining single checks whose kind has a faster sibling in the fast suite: CLI plots and
    # exports, show --json/--latex, JAX's values and grad (torch's stay), the silu variant of the torch-source
    # device check, the spelling table's CLI
    "tests/test_cli.py::test_plot_and_export",
    "tests/test_cli.py::test_show_json_and_latex",
    "tests/backends/test_frameworks.py::test_jax_values_match_numpy[0-gelu]",
    "tests/backends/test_frameworks.py::test_jax_grad_is_our_symbolic_derivative[gelu]",
    "tests/backends/test_export.py::test_torch_source_puts_every_constant_on_the_input_device[silu]",
    "tests/test_spellings.py::test_cli_which_and_show_print_the_facts",
    # SiLU through torch's values and JAX's grad (GELU's stay, and SiLU's torch autograd), GELU-tanh's dense
    # underflow band (GELU's and σ's stay), the contracted build of the C value header (the derivative's stays)
    "tests/backends/test_frameworks.py::test_torch_values_match_numpy[0-silu]",
    "tests/backends/test_frameworks.py::test_torch_values_match_numpy[1-silu]",
    "tests/backends/test_frameworks.py::test_jax_grad_is_our_symbolic_derivative[silu]",
    "tests/test_accuracy.py::test_results_with_an_underflowing_factor[gelu_tanh-d1]",
    "tests/backends/test_c_backend.py::test_compiled_header_meets_the_numpy_targets[gelu-d0-fp-contract-fast]",
    # JAX's first derivatives (JAX's GELU accuracy and SiLU values stay), the 1.702 fit (0.044715's stays), the
    # seed claims through the CLI (the same claims through the API stay, and test_cli's check verdicts)
    "tests/backends/test_frameworks.py::test_jax_values_match_numpy[1-gelu]",
    "tests/backends/test_frameworks.py::test_jax_values_match_numpy[1-silu]",
    "tests/symbolic/test_approx.py::test_minimax_alpha_reproduces_1702",
    "tests/symbolic/test_formula.py::test_seed_claims_on_the_command_line",
    # with the double-double derivatives' 1-ulp checks the fast suite measured 186 s in CI: JAX's SiLU values (JAX's
    # GELU accuracy stays), the probe on SiLU (GELU's stays), one pinned model configuration and one user definition
    # (the others stay), the compiled GELU value (its derivative stays), the contracted C build of SiLU' (the plain
    # one stays), the check command's JSON options (its verdicts stay)
    "tests/backends/test_frameworks.py::test_jax_values_match_numpy[0-silu]",
    "tests/backends/test_numpy_backend.py::test_probing_drops_only_repairs_that_change_nothing[silu]",
    "tests/test_models.py::test_width_matches_the_pinned_transformers_configuration[apertus]",
    "tests/symbolic/test_define.py::test_every_surface_takes_a_user_definition[u_mish]",
    "tests/backends/test_numba_backend.py::test_float64_meets_the_numpy_targets[gelu-d0]",
    "tests/backends/test_c_backend.py::test_double_double_derivative_is_within_one_ulp[silu-fp-contract-fast]",
    "tests/test_cli.py::test_check_json_and_options",
    # and, measured 188 s on the final commit: torch's autograd of SiLU (GELU's stays), the numba user expression
    # with Φ (Heaviside's stays), the float32 subnormal GELU results (the bfloat16/float16 GELU samples stay), one
    # more pinned model configuration (tests/test_accuracy.py moves GELU's 1-ulp check itself)
    "tests/backends/test_frameworks.py::test_torch_autograd_is_our_symbolic_derivative[silu]",
    "tests/backends/test_numba_backend.py::test_user_expressions_compile[phi]",
    "tests/lowprec/test_rounding.py::test_float32_subnormal_results_are_correctly_rounded[gelu]",
    "tests/test_models.py::test_width_matches_the_pinned_transformers_configuration[deepseek-v3]",
    # with xIELU's root checks and the compiled loop's routing (2026-12-03, 183–192 s): xIELU's value (its derivative
    # stays), the fuzzed show command (test_cli's show checks stay), one more pinned configuration (the others stay)
    "tests/test_accuracy.py::test_xielu_is_within_two_ulp_through_its_roots[value-numpy]",
    "tests/test_cli_fuzz.py::test_show",
    "tests/test_models.py::test_width_matches_the_pinned_transformers_configuration[deepseek-v4]",
    # CI measured 171 s after those: SiLU against the frameworks' own kernels and autograd (GELU's stays)
    "tests/backends/test_frameworks.py::test_matches_the_frameworks_own_kernels_and_autograd[silu]",
    # CI measured 173–175 s on 2026-12-06: the compiled loop's routing of the double-double √softplus and √softplus',
    # xIELU's value and GELU₁₀' (~10 s of compiling each; ELU, SELU, softsign', tanhshrink', xIELU' … stay), Mish'
    # at both vector widths (σ's SiLU and GELU stay)
    "tests/backends/test_numba_backend.py::test_branches_take_the_compiled_loop_with_numpys_results[sqrt_softplus-d0]",
    "tests/backends/test_numba_backend.py::test_branches_take_the_compiled_loop_with_numpys_results[sqrt_softplus-d1]",
    "tests/backends/test_numba_backend.py::test_branches_take_the_compiled_loop_with_numpys_results[xielu-d0]",
    "tests/backends/test_numba_backend.py::test_branches_take_the_compiled_loop_with_numpys_results[gelu_10-d1]",
    "tests/backends/test_numba_backend.py::test_vector_widths_change_the_code_not_the_bits[mish-d1]",
)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        base = item.nodeid.split("[")[0]
        if any(item.nodeid.startswith(h) for h in HEAVY):
            item.add_marker(pytest.mark.slow)
        elif base in EXHAUSTIVE:
            params = getattr(item, "callspec", None)
            values = params.params if params is not None else {}
            if not any(values.get(k) in keep for k, keep in REPRESENTATIVES.items()):
                item.add_marker(pytest.mark.slow)
        else:
            params = getattr(item, "callspec", None)
            name = params.params.get("name") if params is not None else None
            if isinstance(name, str) and name in REGISTRY and name not in FAST_ENTRIES:
                item.add_marker(pytest.mark.slow)
