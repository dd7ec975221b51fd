"""Backends that generate a module of framework code (torch, JAX): the shared generator.

Every such backend evaluates the same stable lowered expression as the NumPy backend. SymPy's own
printers have gaps covered here: the torch printer has no ``erfc`` and prints ``Max(0, x)`` as
``torch.max(0, x)``; the JAX printer prints ``erf`` as ``math.erf``. Every lowered function has an
explicit spelling per backend (:attr:`GeneratedBackend.functions`), the double-double helpers are copied
from :mod:`symact.kernels.ddmath`'s source, and the function's gradient is our symbolic next derivative,
lowered like the value (:meth:`GeneratedBackend.wrappers`): autograd through the lowered value would
differentiate where()-branches that overflow (ELU at x = 1000 gives 0·inf = NaN) and sigmoid's
backward σ(1 − σ), which is 0 where σ' is merely tiny.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import sympy as sp
from sympy.printing.numpy import NumPyPrinter

from ..kernels import ddmath, erfcx
from ..lowering import LOWERED, lower, names_where, with_roots
from ..lowering.ir import dx_ncdf, ncdf, x_gauss
from .base import Prepared, compile_source, float_code, unsupported

DD_CALLS = {name: f"{name}(_xp, {{all}})" for name in sorted(names_where("double_double"))}
"""Double-double lowered functions: a call of the copied symact.kernels.ddmath function with the namespace."""


UNFUSED = frozenset({"dx_ncdf"})
"""Lowered functions these modules never see: :func:`_unfused` writes them back as the parts they fused."""


def _unfused(lowered: sp.Expr) -> sp.Expr:
    """Fused kernels the frameworks' modules do not carry, written back as the parts they fused: GELU's
    dx_ncdf(x, k) as ncdf(x) + x_gauss(x, k) (ddmath's forms, copied into the module)."""
    return lowered.replace(lambda e: isinstance(e, dx_ncdf), lambda e: ncdf(e.args[0]) + x_gauss(e.args[0],
                                                                                                 e.args[1] + e.args[2]))


def forms(expit: str, clip: str, softplus: str = "", tanh: str = "", expm1: str = "",
          hypot: str = "") -> dict[str, str]:
    """The in-place NumPy kernels as expressions of a library's σ, clip, softplus, tanh, expm1 and hypot (the
    frameworks' sigmoid is stable, and autograd through it gives no inf·0). Mish' as tanh(sp) +
    4x·σ(x)σ(2sp)σ(−2sp): sech² without 1 − tanh²'s cancellation. expm1_shift as c·expm1((x − r_hi) − r_lo)
    (x − r_hi exact near the root); expm1_lin, hypot_pow, pow_shift and tanh_sq as their formulas in plain double."""
    sp = softplus.format("{0}")
    mish_d1 = (f"({tanh}({sp}) + 4 * {{0}} * {expit}({{0}}) * {expit}(2 * {sp}) * {expit}(-2 * {sp}))"
               if softplus and tanh else "")
    z = "(({1}) + ({3}) * {0} ** 2) * {0}"
    y = "(({1}) + 3 * ({3}) * {0} ** 2) * {0}"
    shifted = {"expm1_shift": f"((({{3}}) + ({{4}})) * {expm1}(({{0}} - ({{1}})) - ({{2}})))",
               "expm1_lin": f"((({{1}}) + ({{2}})) * ({expm1}({{0}}) - {{0}}) + (({{3}}) + ({{4}})) * {{0}})"}
    h = hypot.format("{0}", "math.sqrt(({1}) + ({2}))")
    hyp = {"hypot_pow": f"(({h} + ({{3}}) * {{0}}) ** ({{4}}) * {h} ** ({{5}}))"} if hypot else {}
    tanh_sq = {"tanh_sq": f"{tanh}({{0}}) ** 2"} if tanh else {}
    return {**({"dx_tanh_softplus": mish_d1} if mish_d1 else {}), **(shifted if expm1 else {}), **hyp, **tanh_sq,
            "pow_shift": "(({0}) + ({1})) ** ({2})",
            "dx_expit_cubic": f"({expit}({z}) * (1 + {y} * {expit}(-{z})))",
            "x_expit": f"({{0}} * {expit}(({{1}}) * {{0}}))",
            "dx_expit": f"({expit}(({{1}}) * {{0}}) * (1 + ({{1}}) * {{0}} * {expit}(-({{1}}) * {{0}})))",
            "dx_expit_fast": f"({expit}(({{1}}) * {{0}}) * (1 + ({{1}}) * {{0}} * {expit}(-({{1}}) * {{0}})))",
            "ramp": f"(({clip}({{0}}, {{1}}, {{2}}) - ({{1}})) / (({{2}}) - ({{1}})))"}


class GeneratedBackend:
    """A backend whose functions are generated modules (see the module docstring).

    Subclasses give the spellings (class attributes below) and :meth:`wrappers`.
    """

    name: ClassVar[str]
    label: ClassVar[str]
    requires: ClassVar[str | None]
    install: ClassVar[str]
    module: ClassVar[str]
    """The array module the printer writes instead of ``numpy.``."""
    imports: ClassVar[tuple[str, ...]]
    functions: ClassVar[dict[str, str]]
    """Lowered function name → code (``{0}``… the arguments, ``{all}`` all of them, or a callable's name)."""
    namespace: ClassVar[tuple[str, ...]]
    """Class body lines of ``_xp``, the array namespace that symact.kernels.ddmath takes."""
    prologue: ClassVar[tuple[str, ...]]
    epilogue: ClassVar[tuple[str, ...]]
    extra: ClassVar[str]
    table_namespace: ClassVar[tuple[str, ...]]
    """Namespace members for ddmath.erfcx_table (Φ's erfcx table)."""
    table_array: ClassVar[str]
    """How a list of floats becomes one of the backend's arrays (``{0}``), on ``device``."""
    device: ClassVar[str] = "None"

    def __init__(self) -> None:
        self._cache: dict[sp.Expr, Callable[..., Any]] = {}

    def print_piecewise(self, printer: NumPyPrinter, expr: sp.Piecewise) -> str | None:
        """The backend's own spelling of a Piecewise, or None for NumPyPrinter's ``select``."""
        return None

    def wrappers(self, names: list[str], impl: list[str], exprs: list[sp.Expr]) -> list[str]:
        """Lines defining ``names[0]`` and ``names[1]`` with custom gradients (the next name's function)."""
        raise NotImplementedError

    def function(self, prepared: Prepared, *, lowering: bool = True, fast: bool = False,
                 functions: Mapping[str, Callable[..., Any]] | None = None) -> Callable[..., Any]:
        unsupported(self.name, **{"lowering=False": not lowering, "fast=True": fast, "functions=": bool(functions)})
        # generating and compiling a module (three derivatives, lowered) takes up to seconds: once per expression
        key = (prepared.expr, prepared.roots())  # a registered activation's root patches change the code
        if key not in self._cache:
            self._cache[key] = compile_source(self.source(prepared), prepared.name)
        return self._cache[key]

    def source(self, prepared: Prepared, *, fast: bool = False) -> str:
        unsupported(self.name, **{"fast=True": fast})
        name = prepared.name
        # orders d, d+1, d+2: the first two get custom gradients, so second derivatives work too
        chain = [prepared, prepared.derivative()]
        chain.append(chain[1].derivative())
        lows = [with_roots(_unfused(lower(p.expr)), p.roots()) for p in chain]
        header = [f'"""{prepared.title}', "", "Stable form:", f"    {sp.sstr(lows[0])}", '"""', "", *self.imports]
        names = [name, f"{name}_grad", f"{name}_grad2"]
        impl = [f"_{n}_impl" for n in names]
        lines = [*header, *_dd_helpers(sp.Tuple(*lows), self), ""]
        for p, low, n in zip(chain, lows, impl, strict=True):
            lines += [*_function(p, low, self, n), "", ""]
        lines += self.wrappers(names, impl, [p.expr for p in chain])
        return "\n".join(lines).rstrip() + "\n"


class _Printer(NumPyPrinter):
    def __init__(self, backend: GeneratedBackend) -> None:
        self._module = backend.module
        super().__init__({"fully_qualified_modules": True, "inline": True, "allow_unknown_functions": False})
        self._backend = backend

    def _print(self, expr: Any, **kwargs: Any) -> str:
        # before SymPy's own methods: NumPyPrinter knows some of these names (minimum → functools.reduce)
        name = type(expr).__name__
        table = self._backend.functions
        if isinstance(expr, sp.Function) and name in table:
            args = [self._print(a) for a in expr.args]
            code = table[name]
            if "{all}" in code:
                return code.format(all=", ".join(args))
            return code.format(*args) if "{0}" in code else f"{code}({', '.join(args)})"
        return super()._print(expr, **kwargs)

    def doprint(self, expr: Any, assign_to: Any = None) -> str:
        # NumPyPrinter spells its known functions numpy.*; torch and jax.numpy share those names
        text = super().doprint(expr, assign_to)
        return re.sub(r"(?<![\w.])numpy\.", self._backend.module + ".", text) if self._backend.module != "numpy" \
            else text

    def _print_erf(self, expr: sp.Expr) -> str:
        return f"{self._backend.functions['erf']}({self._print(expr.args[0])})"

    def _fold_logical(self, expr: sp.Expr, op: str) -> str:
        # torch, jax: no logical_or.reduce over a tuple, so fold
        parts = [self._print(a) for a in expr.args]
        out = parts[0]
        for p in parts[1:]:
            out = f"{self._backend.module}.{op}({out}, {p})"
        return out

    def _print_Or(self, expr: sp.Expr) -> str:
        return self._fold_logical(expr, "logical_or")

    def _print_And(self, expr: sp.Expr) -> str:
        return self._fold_logical(expr, "logical_and")

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        return self._backend.print_piecewise(self, expr) or super()._print_Piecewise(expr)


def _function(prepared: Prepared, lowered: sp.Expr, spec: GeneratedBackend, name: str) -> list[str]:
    """Lines of ``def name(x)`` evaluating ``lowered`` (specials and far tails repaired)."""
    printer = _Printer(spec)
    subexprs, (final,) = sp.cse(lowered, symbols=sp.numbered_symbols("_t"))
    body = [f"        {printer.doprint(s)} = {printer.doprint(e)}" for s, e in subexprs]
    body.append(f"        out = {printer.doprint(final)}")
    lo, hi = prepared.limits()
    tails = [f"(0 * x + {printer.doprint(lower(a))})" if a is not None else "math.nan"
             for a in prepared.asymptotes()]
    return [
        f"def {name}(x):",
        f'    """{spec.extra}"""',
        *["    " + line for line in spec.prologue],
        *body,
        *["    " + line.format(lo=float_code(lo), hi=float_code(hi), tail_lo=tails[0], tail_hi=tails[1])
          for line in spec.epilogue],
    ]


def _table_lines(spec: GeneratedBackend) -> tuple[list[str], list[str]]:
    """(namespace lines, module lines) that give the namespace ``erfcx_rsqrt2_dd``."""
    t = erfcx.ERFCX_RSQRT2
    device = spec.device
    namespace = ["", "@staticmethod", "def take(row, k):", "    return row[k]", "", *spec.table_namespace, "",
                 "@staticmethod", "def erfcx_rsqrt2_dd(u):  # erfcx(u/√2) = hi + lo, see symact.kernels.erfcx",
                 f"    rows, lo = _erfcx_arrays({device})",
                 f"    return erfcx_table(_xp, u, rows, lo, {t.width!r}, {t.limit!r})"]
    module = ["", "import mpmath  # builds the erfcx table once", "", "_ERFCX = {}", "", "",
              "def _erfcx_arrays(device):  # Taylor pieces of erfcx(u/√2), computed with mpmath on first use",
              "    if device not in _ERFCX:",
              f"        rows, lo = table_rows({t.m!r}, {t.width!r}, {t.limit!r}, {t.degree!r})",
              "        _ERFCX[device] = (" + spec.table_array.format("rows") + ", "
              + spec.table_array.format("lo") + ")",
              "    return _ERFCX[device]"]
    for func in (erfcx.taylor_coefficients, erfcx.table_rows, ddmath.erfcx_table):
        module += ["", "", _plain_source(func).rstrip()]
    return namespace, module


def _dd_helpers(lowered: sp.Expr, spec: GeneratedBackend) -> list[str]:
    """Source of the symact.kernels.ddmath functions the lowered expression calls, and the array namespace."""
    used = {type(f).__name__ for f in lowered.atoms(sp.Function)} & names_where("double_double")
    if not used:
        return ["", ""]
    namespace, module = list(spec.namespace), []
    if used & {"ncdf", "x_ncdf"}:
        extra, module = _table_lines(spec)
        namespace += extra
    lines = ["", "", "class _xp:  # the array namespace the double-double helpers take",
             *["    " + line if line else "" for line in namespace], "", "",
             f"_SPLIT = {ddmath._SPLIT!r}", f"_BIG = {ddmath._BIG!r}", "_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)",
             f"_UP, _DOWN = {ddmath._UP!r}, {ddmath._DOWN!r}",
             f"_RSQRT2_HI, _RSQRT2_LO = {ddmath._RSQRT2_HI!r}, {ddmath._RSQRT2_LO!r}  # 1/√2 in double-double",
             f"_MISH_LO, _MISH_HI = {ddmath._MISH_LO!r}, {ddmath._MISH_HI!r}",
             f"_MISH_C0_HI, _MISH_C0_LO = {ddmath._MISH_C0_HI!r}, {ddmath._MISH_C0_LO!r}"
             "  # tanh(softplus x) = 3/5 + x·q(x) near 0",
             f"_MISH_C1_HI, _MISH_C1_LO = {ddmath._MISH_C1_HI!r}, {ddmath._MISH_C1_LO!r}  # q(0) = 8/25",
             f"_MISH_Q = {ddmath._MISH_Q!r}",
             f"_XMT_SMALL, _XMT_N, _XMT_D = {ddmath._XMT_SMALL!r}, {ddmath._XMT_N!r}, {ddmath._XMT_D!r}"
             "  # x − tanh x = x³/(3 + u + u·N(u)/D(u)) near 0",
             *module]
    helpers = [ddmath.two_sum, ddmath.two_prod, ddmath.dekker, ddmath.poly]
    if used & {"expit_poly", "x_expit_poly"}:
        helpers.append(ddmath.expit_dd)
    if used & {"erfc_poly", "x_erfc_poly"}:
        helpers += [ddmath.select, ddmath._erfc_tail, ddmath._erfc_near]
    if "x_erfc_poly" in used and "erfc_poly" not in used:
        helpers.append(ddmath.erfc_poly)
    if used & {"ncdf", "x_ncdf"}:
        helpers.append(ddmath._ncdf_dd)
    if "near_root" in used:
        helpers.append(ddmath.root_taylor)
    for func in (*helpers, *(getattr(ddmath, n) for n in sorted(used))):
        lines += ["", "", _plain_source(func).rstrip()]
    return lines + [""]


def _plain_source(func: Any) -> str:
    """``func``'s source with its signature's annotations removed (the module imports no typing)."""
    sig = inspect.signature(func)
    plain = sig.replace(parameters=[p.replace(annotation=inspect.Parameter.empty) for p in sig.parameters.values()],
                        return_annotation=inspect.Signature.empty)
    head, body = inspect.getsource(func).split("\n", 1)
    assert head.startswith("def ") and head.endswith(":"), head  # one-line signatures in symact.kernels.ddmath
    return f"def {func.__name__}{plain}:\n{body}"


assert set(LOWERED) >= set(DD_CALLS)

__all__ = ["DD_CALLS", "GeneratedBackend", "forms"]
