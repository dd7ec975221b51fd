from __future__ import annotations

import mpmath
import pytest


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
)
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
