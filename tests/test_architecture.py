"""The layout holds: no import cycles, data flows one way, a backend is one public registration."""

from __future__ import annotations

import ast
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import symact
from symact.backends import BACKENDS, Prepared, register_backend
from symact.functions import to_elementary
from symact.lowering.ir import meaning

PACKAGE = Path(symact.__file__).parent


def _import_graph() -> dict[str, set[str]]:
    """Module → the package modules it imports (inside functions too), read with ``ast``."""
    modules: dict[str, tuple[Path, bool]] = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ["symact", *path.relative_to(PACKAGE).with_suffix("").parts]
        is_package = parts[-1] == "__init__"
        modules[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, (path, is_package) in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = module.split(".") if is_package else module.split(".")[:-1]
                    base = base[:len(base) - node.level + 1]
                    stem = ".".join(base + ([node.module] if node.module else []))
                else:
                    stem = node.module or ""
                targets = [f"{stem}.{a.name}" if f"{stem}.{a.name}" in modules else stem for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            for target in targets:
                if target in modules and target not in (module, "symact"):
                    graph[module].add(target)
    return graph


GRAPH = _import_graph()


def _reaches(start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        m = todo.pop()
        if m == goal:
            return True
        if m not in seen:
            seen.add(m)
            todo.extend(GRAPH.get(m, ()))
    return False


def test_the_graph_sees_the_whole_package():
    assert {"symact.lowering.ir", "symact.backends.numpy", "symact.blocks.model", "symact.oracle"} <= set(GRAPH)
    assert "symact.symbolic.calculus" in GRAPH["symact.evaluate"]


def test_no_import_cycles():
    cycles = sorted(f"{a} ⇄ {b}" for a in GRAPH for b in GRAPH[a] if a != b and _reaches(b, a))
    assert not cycles, cycles


DEFINITIONS = ("symact.symbols", "symact.functions", "symact.registry", "symact.activations")
NUMERIC = [m for m in GRAPH if m.startswith(("symact.kernels", "symact.backends", "symact.lowering"))
           or m in ("symact.lowprec.formats", "symact.lowprec.core")]  # the rounding the NumPy backend uses
SURFACES = ("symact.cli", "symact.lowprec.report", "symact.catalog")
BLOCK_DEFINITIONS = ("symact.blocks.model", "symact.blocks.library", "symact.blocks.algebra", "symact.blocks.sizes")


@pytest.mark.parametrize(("sources", "forbidden"), [
    (DEFINITIONS, ("symact.latex", "symact.symbolic.calculus")),
    (NUMERIC, ("symact.symbolic.calculus",)),
    (BLOCK_DEFINITIONS, ("symact.evaluate", "symact.kernels.numpy", "symact.backends.numpy")),
    (("symact.lowprec.formats", "symact.lowprec.core"), ("symact.evaluate", "symact.lowprec.rounding")),
    (("symact.lowprec.rounding", "symact.lowprec.audit", "symact.testing"), SURFACES),
], ids=["definitions-not-latex-or-calculus", "numeric-not-calculus", "block-definitions-not-numeric-runtime",
        "rounding-core-below-the-front-door", "low-precision-not-surfaces"])
def test_data_flows_one_way(sources, forbidden):
    bad = [(s, f) for s in sources for f in forbidden if _reaches(s, f)]
    assert not bad, bad


def test_kernels_import_nothing_symbolic():
    """The exported NumPy module is the kernels' source: they may import errors and each other only."""
    for module in (m for m in GRAPH if m.startswith("symact.kernels")):
        assert GRAPH[module] <= {"symact.errors", *(m for m in GRAPH if m.startswith("symact.kernels"))}, module


def test_importing_symact_leaves_the_numeric_libraries_unloaded():
    """Symbolic work (the catalog, the CLI's show) never pays for NumPy, the backends, scipy.special, numba or the
    frameworks; the numeric names load on first use."""
    numeric = ("numpy", "symact.backends", "symact.evaluate", "scipy.special", "numba", "torch", "jax")
    code = (f"import sys, symact; print(sorted(m for m in {numeric!r} if m in sys.modules)); "
            "symact.lambdify, symact.blocks.forward; print('symact.evaluate' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[]", "True"]


class MathBackend:
    """A toy backend for Python floats: the textbook formula through the standard library's math."""

    name = "pymath"
    label = "Python's math"
    requires = None
    install = "nothing to install"

    def function(self, prepared: Prepared, *, lowering=True, fast=False, functions=None):
        expr = to_elementary(prepared.expr)
        return sp.lambdify(symact.x, expr, modules="math")

    def source(self, prepared: Prepared, *, fast=False) -> str:
        return f"import math\n\n\ndef {prepared.name}(x):\n    return {sp.pycode(to_elementary(prepared.expr))}\n"


def test_a_backend_registered_from_outside(capsys):
    backend = register_backend(MathBackend(), replace_existing=True)
    try:
        assert BACKENDS["pymath"] is backend
        gelu = symact.lambdify("gelu", backend="pymath")
        dgelu = symact.lambdify("gelu", backend="pymath", derivative=1)
        # independent values: x·Φ(x) and Φ(x) + x·φ(x) written with math.erf / math.exp here
        for v in (-2.5, -0.3, 0.0, 1.7):
            cdf = 0.5 * (1 + math.erf(v / math.sqrt(2)))
            pdf = math.exp(-v * v / 2) / math.sqrt(2 * math.pi)
            assert gelu(v) == pytest.approx(v * cdf, rel=1e-14, abs=1e-300)
            assert dgelu(v) == pytest.approx(cdf + v * pdf, rel=1e-14)
        text = symact.export("gelu", backend="pymath")
        namespace: dict = {}
        exec(text, namespace)  # our toy's own output
        assert namespace["gelu"](1.0) == pytest.approx(gelu(1.0), rel=1e-15)
        from symact.cli import main

        assert main(["export", "gelu", "--to", "pymath"]) == 0  # CLI choices come from the same table
        assert "def gelu(x):" in capsys.readouterr().out
    finally:
        BACKENDS.pop("pymath", None)
    with pytest.raises(symact.InvalidArgumentError, match="unknown backend 'pymath'"):
        symact.lambdify("gelu", backend="pymath")


def test_register_backend_rejects_an_incomplete_object():
    with pytest.raises(symact.InvalidArgumentError, match="a backend needs"):
        register_backend(object())
    with pytest.raises(symact.InvalidArgumentError, match="already registered"):
        register_backend(BACKENDS["numpy"])


# mpmath-free check that each lowered function's meaning matches its kernel: the meaning (named functions
# written out) evaluated by SymPy at a few points against the NumPy kernel of the same name.
@pytest.mark.parametrize("name", sorted(symact.lowering.LOWERED))
def test_lowered_meaning_matches_its_numpy_kernel(name):
    from symact.kernels.numpy import NUMPY_FUNCTIONS

    cls = symact.lowering.LOWERED[name]
    args = {
        1: (sp.Float("0.75"),), 2: (sp.Float("0.75"), sp.Float("1.5")),
        3: (sp.Float("0.75"), sp.Float("-1.0"), sp.Float("2.0")),
    }
    if name == "where":
        call = (sp.true, sp.Float("0.25"), sp.Float("4.0"))
    elif name in ("dx_expit", "dx_ncdf"):  # k = k_hi + k_lo, a double-double pair
        call = (sp.Float("-0.75"), sp.Float("1.5"), sp.Float("1e-17"))
    elif name == "dx_expit_cubic":  # x, then a₁ and a₃ as double-double pairs
        call = (sp.Float("-0.75"), sp.Float("1.5"), sp.Float("1e-17"), sp.Float("0.25"), sp.Float("-1e-18"))
    elif name in ("expm1_shift", "expm1_lin", "x_affine"):  # x, then two double-double pairs
        call = (sp.Float("-0.75"), sp.Float("-0.5"), sp.Float("1e-17"), sp.Float("0.25"), sp.Float("-1e-18"))
    elif name == "hypot_pow":  # x, c as a double-double pair, s, m, n
        call = (sp.Float("-0.75"), sp.Float("3.0"), sp.Float("1e-17"), sp.Integer(-1), sp.Integer(-1), sp.Integer(1))
    elif cls.nargs == sp.S.Naturals0:  # polynomial forms: x, then (k,) and one (hi, lo) pair per coefficient
        k = (sp.Float("0.5"),) if name.startswith(("x_erfc", "x_gauss")) else ()
        call = (sp.Float("0.75"), *k, sp.Float("1.25"), sp.Float("0.0"), sp.Float("-0.5"), sp.Float("0.0"))
    else:
        call = args[min(cls.nargs)]
    want = float(to_elementary(meaning(cls(*call))).evalf(30))
    assert float(sp.expand_func(cls(*call)).evalf(30)) == pytest.approx(want, rel=1e-15)
    numeric = [bool(a) if a in (sp.true, sp.false) else np.array([float(a)]) if i == 0 else float(a)
               for i, a in enumerate(call)]
    got = float(np.asarray(NUMPY_FUNCTIONS[name](*numeric)).reshape(-1)[0])
    assert got == pytest.approx(want, rel=1e-14), (name, got, want)


def test_every_lowered_function_has_a_kernel_in_every_backend():
    from symact.backends.generated import UNFUSED, GeneratedBackend
    from symact.kernels.numpy import NUMPY_FUNCTIONS

    lowered = set(symact.lowering.LOWERED)
    assert lowered <= set(NUMPY_FUNCTIONS)
    accurate = {name for name, cls in symact.lowering.LOWERED.items() if not cls.fast}  # fast=True: NumPy only
    generated = [b for b in BACKENDS.values() if isinstance(b, GeneratedBackend)]
    assert {b.name for b in generated} == {"torch", "jax"}
    for backend in generated:
        assert accurate - UNFUSED <= set(backend.functions), (backend.name, accurate - set(backend.functions))
