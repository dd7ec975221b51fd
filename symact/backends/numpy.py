"""The NumPy backend: lowered expressions printed as Python over :mod:`symact.kernels.numpy`.

``lambdify`` and ``export`` share everything: the generated text (one printer), the kernels (the export
embeds :func:`symact.kernels.source`) and the runtime (:func:`symact.kernels.numpy.numeric_function`,
with its chunks, special values, probe, longdouble rescue and float32 routing). So an exported module
computes the same bits as ``lambdify(..., backend="numpy")``, without importing symact.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import mpmath
import numpy
import scipy  # its special module loads when a generated function first calls it
import sympy as sp
from sympy.printing.numpy import SciPyPrinter

from .. import kernels
from ..cache import cache_dir, load_array, save_array
from ..errors import InvalidArgumentError
from ..kernels import erfcx
from ..kernels.numpy import CHUNK, CHUNK_LIGHT, NUMPY_FUNCTIONS, NumericFunction, numeric_function
from ..lowering import lower, names_where, with_roots
from ..lowprec.core import NarrowRounder
from ..lowprec.formats import format_of
from .base import Prepared, compile_source, float_code, register_backend

_GLOBALS = {"math": math, "numpy": numpy, "scipy": scipy}


class _Printer(SciPyPrinter):
    """SciPy's printer, with every kernel (by name) called through the namespace argument ``_k``."""

    def __init__(self, kernel_names: Iterable[str]) -> None:
        super().__init__({"fully_qualified_modules": True, "inline": True, "allow_unknown_functions": True})
        self._kernels = frozenset(kernel_names)

    def _print(self, expr: Any, **kwargs: Any) -> str:
        if isinstance(expr, sp.Function) and type(expr).__name__ in self._kernels:
            return f"_k.{type(expr).__name__}({', '.join(self._print(a) for a in expr.args)})"
        return super()._print(expr, **kwargs)


def function_source(lowered: sp.Expr, name: str, kernel_names: Iterable[str]) -> str:
    """``def name(x, _k)`` evaluating ``lowered`` (common subexpressions once)."""
    printer = _Printer(kernel_names)
    subexprs, (final,) = sp.cse(lowered, symbols=sp.numbered_symbols("_t"))
    body = [f"    {printer.doprint(s)} = {printer.doprint(e)}" for s, e in subexprs]
    return "\n".join([f"def {name}(x, _k):", *body, f"    return {printer.doprint(final)}", ""])


def tail_source(asymptotes: tuple[sp.Expr | None, sp.Expr | None], name: str, kernel_names: Iterable[str]) -> str:
    """``def name(x, _k)``: the asymptote at −∞ for x < 0, at +∞ otherwise (NaN where there is none)."""
    printer = _Printer(kernel_names)
    sides = [printer.doprint(lower(a)) if a is not None else "math.nan" for a in asymptotes]
    return "\n".join([
        f"def {name}(x, _k):",
        f"    lo, hi = {sides[0]}, {sides[1]}",
        "    return numpy.where(x < 0, numpy.broadcast_to(lo, numpy.shape(x)), numpy.broadcast_to(hi, numpy.shape(x)))",
        "",
    ])


class _Plan:
    """Everything that decides one NumPy function: generated text and runtime settings."""

    def __init__(self, expr: sp.Expr, lowering: bool, fast: bool, names: frozenset[str],
                 roots: tuple[tuple[float, ...], ...] = ()) -> None:
        lowered = lower(expr, lowering=lowering, fast=fast)
        if lowering and not fast:
            lowered = with_roots(lowered, roots, narrow=True)
        used = {type(f).__name__ for f in lowered.atoms(sp.Function)} | ({"exp"} if lowered.has(sp.exp) else set())
        self.lowered = lowered
        self.text = function_source(lowered, "_value", names)
        self.rescue = lowering and bool(used & (names_where("underflows") | {"exp"}))
        self.chunk: int | None = None
        if lowering and used & names_where("double_double"):
            self.chunk = CHUNK
        elif lowering and (sp.count_ops(lowered) >= 4 or used & names_where("temporaries")):
            self.chunk = CHUNK_LIGHT


class NumpyBackend:
    """NumPy arrays of any shape; ≤ 2 ulp in float64 by default (see README, Accuracy and speed)."""

    name = "numpy"
    label = "NumPy"
    requires = None
    install = "pip install -e ."

    def __init__(self) -> None:
        self._cache: dict[Any, NumericFunction] = {}
        self.accelerator: Callable[[sp.Expr], Callable[[], Any]] | None = None
        """Set by the numba backend: lowered expression → a factory of its compiled kernel (or of None, where
        it would not be faster), which large inputs use (:data:`symact.kernels.numpy.JIT_FROM`)."""

    def function(self, prepared: Prepared, *, lowering: bool = True, fast: bool = False,
                 functions: Mapping[str, Callable[..., Any]] | None = None) -> NumericFunction:
        table = tuple(sorted((functions or {}).items(), key=lambda kv: kv[0]))
        key = (prepared.expr, lowering, fast, table, prepared.roots() if lowering and not fast else ())
        if key not in self._cache:
            if len(self._cache) > 512:
                self._cache.clear()
            self._cache[key] = self.build(prepared, lowering=lowering, fast=fast, functions=dict(table))
        return self._cache[key]

    def build(self, prepared: Prepared, *, lowering: bool = True, fast: bool = False,
              functions: Mapping[str, Callable[..., Any]] | None = None) -> NumericFunction:
        """A new function (:meth:`function` caches them)."""
        functions = dict(functions or {})
        names = frozenset(NUMPY_FUNCTIONS) | frozenset(functions)
        plan = _Plan(prepared.expr, lowering, fast, names, prepared.roots() if lowering and not fast else ())
        tails: list[Callable[..., Any]] = []

        def tail() -> Callable[..., Any]:
            if not tails:  # asymptotes cost SymPy time: only for input that needs them
                tails.append(compile_source(tail_source(prepared.asymptotes(), "_tail", names), "_tail", _GLOBALS))
            return tails[0]

        fast_form = None
        if lowering and not fast:
            def fast_form() -> NumericFunction:
                return self.function(prepared, lowering=True, fast=True, functions=functions)

        out = numeric_function(compile_source(plan.text, "_value", _GLOBALS), limits=prepared.limits, tail=tail,
                               rescue=plan.rescue, chunk=plan.chunk, probe=lowering, fast_form=fast_form,
                               functions=functions, source=plan.text, label=str(prepared.expr))
        out.expr, out.lowered = prepared.expr, plan.lowered  # the symbolic source, for inspection
        if lowering and not functions and self.accelerator is not None:
            out.compiled = self.accelerator(plan.lowered)
        if lowering and not fast:
            correctly_rounded(out)
        return out

    def source(self, prepared: Prepared, *, fast: bool = False) -> str:
        names = frozenset(NUMPY_FUNCTIONS)
        lo, hi = prepared.limits()
        lines = [f'"""{prepared.title}', "",
                 "Standalone: the kernels below are symact's (symact.kernels), generated into this file; the",
                 "function at the end is evaluated exactly as symact.lambdify(..., backend=\"numpy\") evaluates it.",
                 '"""', "", "from __future__ import annotations", "", "import math", "", "import numpy",
                 "import scipy.special", "", "", kernels.source(), "",
                 "# --- the generated function " + "-" * 70, "",
                 tail_source(prepared.asymptotes(), "_tail", names), ""]
        # the fast form first (float32 input of the default form is routed to it), then the form asked for
        forms = [(True, "_fast", None), (False, "", "_F_fast")] if not fast else [(True, "", None)]
        for is_fast, suffix, routed in forms:
            plan = _Plan(prepared.expr, True, is_fast, names, () if is_fast else prepared.roots())
            lines += [plan.text.replace("def _value(", f"def _value{suffix}("), ""]
            lines += [f"_F{suffix} = numeric_function(",
                      f"    _value{suffix}, limits=lambda: ({float_code(lo)}, {float_code(hi)}),",
                      "    tail=lambda: _tail,",
                      f"    rescue={plan.rescue}, chunk={plan.chunk}, probe=True,",
                      f"    fast_form={f'lambda: {routed}' if routed else 'None'}, source={plan.text!r},",
                      f"    label={str(prepared.expr)!r},", ")", ""]
        lines += ["", f"def {prepared.name}(x):",
                  '    """Elementwise on an array of any shape; float32 is computed in float64 and rounded once."""',
                  "    return _F(x)", ""]
        return "\n".join(lines)


def correctly_rounded(func: NumericFunction) -> NumericFunction:
    """Give ``func`` correctly rounded results for the narrow dtypes of :data:`symact.lowprec.formats.FORMATS`."""
    rounder = NarrowRounder(func, func.expr)

    def narrow(arr: numpy.ndarray) -> numpy.ndarray | None:
        fmt = format_of(arr)
        return None if fmt is None else rounder(arr, fmt)

    func.narrow = narrow
    return func


def _stored_table(table: erfcx.Table, build: Callable[[], tuple[numpy.ndarray, numpy.ndarray]]
                  ) -> tuple[numpy.ndarray, numpy.ndarray]:
    """:data:`symact.kernels.erfcx.STORE` for symact's runtime: a table is built from mpmath once per machine
    (0.05–0.1 s, paid by every process's first GELU before) and loaded from the cache folder after, keyed on
    erfcx.py, mpmath's version and the table's parameters."""
    try:
        folder = cache_dir("tables")
    except InvalidArgumentError:
        return build()  # no writable cache folder: built in every process, as in an exported module
    key = hashlib.sha256(Path(erfcx.__file__).read_bytes() + f"{mpmath.__version__} {table!r}".encode())
    path = folder / f"erfcx_{key.hexdigest()[:24]}.npy"
    stacked = load_array(path, (table.degree + 2, table.intervals))  # the coefficient rows, then b0_lo
    if stacked is None:
        stacked = numpy.vstack(build())
        try:
            save_array(path, stacked)
        except OSError:
            pass  # a full or read-only disk: the next process builds it again
    return stacked[:-1], stacked[-1]


erfcx.STORE = _stored_table
NUMPY = register_backend(NumpyBackend())

__all__ = ["NUMPY", "NumpyBackend", "correctly_rounded", "function_source", "tail_source"]
