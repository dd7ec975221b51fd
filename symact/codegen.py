"""Source code of a lowered function for NumPy, PyTorch or JAX (``symact export``, backend lambdify).

Every backend evaluates the same stable lowered expression as :func:`symact.lambdify`. SymPy's own
printers have gaps this module covers: the torch printer has no ``erfc`` and prints ``Max(0, x)`` as
``torch.max(0, x)``; the NumPy and JAX printers print ``erf`` as ``math.erf``. Here every function
the lowering emits has an explicit entry per backend (:data:`BACKENDS`), and ``Piecewise`` becomes
nested ``where`` for torch.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.printing.numpy import NumPyPrinter

from . import ddmath, erfcx
from .calculus import ActOrExpr
from .errors import InvalidArgumentError
from .lowering import lower
from .numeric import limits_at_infinity, resolve
from .registry import Activation, get

_DD = ("expit_poly", "x_expit_poly", "erfc_poly", "x_erfc_poly", "gauss_poly", "x_gauss_poly", "dexpit",
       "x_tanh_softplus", "ncdf", "x_ncdf", "gauss", "x_gauss")


@dataclass(frozen=True)
class Backend:
    """How one array library spells what the lowering emits."""

    name: str
    module: str
    imports: tuple[str, ...]
    functions: dict[str, str]
    namespace: tuple[str, ...]
    """Class body lines of ``_xp``, the array namespace that symact.ddmath takes."""
    prologue: tuple[str, ...]
    epilogue: tuple[str, ...]
    extra: str


_DD_CALLS = {name: f"{name}(_xp, {{all}})" for name in _DD}


def _forms(expit: str, clip: str) -> dict[str, str]:
    """The in-place NumPy kernels of symact.numeric as expressions of a library's σ and clip (the
    frameworks' sigmoid is stable, and autograd through it gives no inf·0)."""
    return {"x_expit": f"({{0}} * {expit}(({{1}}) * {{0}}))",
            "dx_expit": f"({expit}(({{1}}) * {{0}}) * (1 + ({{1}}) * {{0}} * {expit}(-({{1}}) * {{0}})))",
            "ramp": f"(({clip}({{0}}, {{1}}, {{2}}) - ({{1}})) / (({{2}}) - ({{1}})))"}

BACKENDS: dict[str, Backend] = {
    "numpy": Backend(
        "numpy", "numpy", ("import math", "", "import numpy", "import scipy.special"),
        {"expit": "scipy.special.expit", "erfc_stable": "scipy.special.erfc", "erf": "scipy.special.erf",
         "log1p": "numpy.log1p", "expm1": "numpy.expm1", "softplus_stable": "numpy.logaddexp(0, {0})",
         "maximum": "numpy.maximum", "minimum": "numpy.minimum", "where": "numpy.where",
         **_forms("scipy.special.expit", "numpy.clip"), **_DD_CALLS},
        ("exp, abs, where, isfinite = numpy.exp, numpy.abs, numpy.where, numpy.isfinite",
         "erfc, erfcx, expit = scipy.special.erfc, scipy.special.erfcx, scipy.special.expit",
         "subset = True  # select(): each branch on its own points",
         "",
         "@staticmethod",
         "def finite_or_zero(e):",
         "    return e if numpy.isfinite(e).all() else numpy.where(numpy.isfinite(e), e, 0.0)",
         "",
         "@staticmethod",
         "def one_where_nonneg(h, t):",
         "    return numpy.maximum(t, h >= 0)"),
        ("x = numpy.asarray(x)", "dtype = x.dtype if x.dtype == numpy.float32 else numpy.float64",
         "x = x.astype(numpy.float64)", "with numpy.errstate(all=\"ignore\"):  # numpy.select evaluates every branch"),
        ("    out = numpy.broadcast_to(numpy.asarray(out, dtype=numpy.float64), x.shape)",
         "    tail = numpy.isnan(out) & (numpy.abs(x) >= 1e8)",
         "    out = numpy.where(tail, numpy.where(x < 0, {tail_lo}, {tail_hi}), out)",
         "    out = numpy.where(x == math.inf, {hi}, numpy.where(x == -math.inf, {lo}, out))",
         "    out = numpy.where(numpy.isnan(x), math.nan, out)",
         "return out.astype(dtype)"),
        "Elementwise on an array of any shape; float32 is computed in float64 and rounded once.",
    ),
    "torch": Backend(
        "torch", "torch", ("import math", "", "import torch"),
        {"expit": "torch.sigmoid", "erfc_stable": "torch.special.erfc", "erf": "torch.special.erf",
         "log1p": "torch.log1p", "expm1": "torch.expm1",
         "softplus_stable": "torch.logaddexp(torch.zeros_like({0}), {0})",
         "maximum": "torch.maximum(_t({0}), _t({1}))",
         "minimum": "torch.minimum(_t({0}), _t({1}))",
         "where": "torch.where({0}, _t({1}), _t({2}))",
         **_forms("torch.sigmoid", "torch.clamp"), **_DD_CALLS},
        ("exp, abs, where, isfinite = torch.exp, torch.abs, torch.where, torch.isfinite",
         "erfc, erfcx, expit = torch.special.erfc, torch.special.erfcx, torch.sigmoid",
         "",
         "@staticmethod",
         "def finite_or_zero(e):",
         "    return torch.where(torch.isfinite(e), e, 0.0)",
         "",
         "@staticmethod",
         "def one_where_nonneg(h, t):",
         "    return torch.where(h >= 0, 1.0, t)"),
        ("dtype = x.dtype", "x = x.to(torch.float64)",
         "def _t(v):  # constants on x's device: a CPU tensor next to a CUDA one is an error",
         "    return torch.as_tensor(v, dtype=x.dtype, device=x.device)",
         "if True:"),
        ("    out = torch.broadcast_to(torch.as_tensor(out, dtype=torch.float64, device=x.device), x.shape)",
         "    tail = torch.isnan(out) & (torch.abs(x) >= 1e8)",
         "    out = torch.where(tail, torch.where(x < 0, {tail_lo}, {tail_hi}), out)",
         "    out = torch.where(x == math.inf, {hi}, torch.where(x == -math.inf, {lo}, out))",
         "    out = torch.where(torch.isnan(x), math.nan, out)",
         "return out.to(dtype)"),
        "Elementwise on a torch tensor; differentiable (autograd); float32 is computed in float64.",
    ),
    "jax": Backend(
        "jax", "jax.numpy", ("import math", "", "import jax", "import jax.numpy", "import jax.scipy.special"),
        {"expit": "jax.scipy.special.expit", "erfc_stable": "jax.scipy.special.erfc",
         "erf": "jax.scipy.special.erf", "log1p": "jax.numpy.log1p", "expm1": "jax.numpy.expm1",
         "softplus_stable": "jax.numpy.logaddexp(0.0, {0})", "maximum": "jax.numpy.maximum",
         "minimum": "jax.numpy.minimum", "where": "jax.numpy.where",
         **_forms("jax.scipy.special.expit", "jax.numpy.clip"), **_DD_CALLS},
        ("exp, abs, where, isfinite = jax.numpy.exp, jax.numpy.abs, jax.numpy.where, jax.numpy.isfinite",
         "",
         "@staticmethod",
         "def finite_or_zero(e):",
         "    return jax.numpy.where(jax.numpy.isfinite(e), e, 0.0)",
         "",
         "@staticmethod",
         "def two_prod(a, b):  # XLA flushes subnormals: the low half of a tiny operand's split would vanish",
         "    sa = jax.numpy.where(jax.numpy.abs(a) < 2.0**-900, 2.0**600, 1.0)",
         "    sb = jax.numpy.where(jax.numpy.abs(b) < 2.0**-900, 2.0**600, 1.0)",
         "    p, e = dekker(_xp, a * sa, b * sb)",
         "    return p / (sa * sb), e / (sa * sb)",
         "",
         "@staticmethod",
         "def one_where_nonneg(h, t):",
         "    return jax.numpy.where(h >= 0, 1.0, t)",
         "",
         "erfc, expit = jax.scipy.special.erfc, jax.scipy.special.expit",
         "",
         "@staticmethod",
         "def erfcx(z):  # jax's erfcx returns 0 beyond z ~ 26.5: the asymptotic series is exact there",
         "    big = jax.numpy.maximum(z, 25.0)",
         "    inv, term, total = 1 / (2 * big * big), 1.0 + 0 * big, 1.0 + 0 * big",
         "    for n in range(1, 20):",
         "        term = -term * (2 * n - 1) * inv",
         "        total = total + term",
         "    small = jax.scipy.special.erfcx(jax.numpy.minimum(z, 25.0))",
         "    return jax.numpy.where(z > 25.0, total / (big * math.sqrt(math.pi)), small)"),
        ("x = jax.numpy.asarray(x)", "if True:"),
        ("    out = jax.numpy.broadcast_to(out, x.shape)",
         "    out = jax.numpy.where(jax.numpy.isnan(out) & (jax.numpy.abs(x) >= 1e8),",
         "                          jax.numpy.where(x < 0, {tail_lo}, {tail_hi}), out)",
         "    out = jax.numpy.where(x == math.inf, {hi}, jax.numpy.where(x == -math.inf, {lo}, out))",
         "    out = jax.numpy.where(jax.numpy.isnan(x), math.nan, out)",
         "return out.astype(x.dtype)"),
        "Elementwise on a JAX array; works under jax.grad, jit and vmap (float64 needs jax_enable_x64).",
    ),
}


class _Printer(NumPyPrinter):
    def __init__(self, backend: Backend) -> None:
        self._module = backend.module
        super().__init__({"fully_qualified_modules": True, "inline": True, "allow_unknown_functions": False})
        self._backend = backend

    def _print_Function(self, expr: sp.Function) -> str:
        name = type(expr).__name__
        table = self._backend.functions
        if name in table:
            args = [self._print(a) for a in expr.args]
            code = table[name]
            if "{all}" in code:
                return code.format(all=", ".join(args))
            return code.format(*args) if "{0}" in code else f"{code}({', '.join(args)})"
        return super()._print_Function(expr)

    def doprint(self, expr: Any, assign_to: Any = None) -> str:
        # NumPyPrinter spells its known functions numpy.*; torch and jax.numpy share those names
        text = super().doprint(expr, assign_to)
        return re.sub(r"(?<![\w.])numpy\.", self._backend.module + ".", text) if self._backend.module != "numpy" \
            else text

    def _print_erf(self, expr: sp.Expr) -> str:
        return f"{self._backend.functions['erf']}({self._print(expr.args[0])})"

    def _fold_logical(self, expr: sp.Expr, op: str) -> str:
        if self._backend.name == "numpy":  # numpy: logical_or.reduce over a tuple works; torch, jax: fold
            return getattr(super(), f"_print_{type(expr).__name__}")(expr)
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
        if self._backend.name != "torch":
            return super()._print_Piecewise(expr)
        # torch has no select: nest where(), last branch innermost
        out = None
        for value, cond in reversed(expr.args):
            v = self._print(value)
            v = f"_t({v})" if not value.has(sp.Symbol) else v
            out = v if out is None or cond == sp.true else f"torch.where({self._print(cond)}, {v}, {out})"
        return out or "0"


def source(obj: ActOrExpr, *, backend: str = "numpy", derivative: int = 0, name: str | None = None,
           **params: Any) -> str:
    """A self-contained Python module defining ``name(x)`` for the activation or its derivative.

    For torch and JAX the function's gradient is our symbolic next derivative, lowered like the
    value (a ``torch.autograd.Function`` / ``jax.custom_jvp``): autograd through the lowered
    value would differentiate where()-branches that overflow (ELU at x = 1000 gives 0·inf = NaN)
    and torch.sigmoid's backward σ(1 − σ), which is 0 where σ' is merely tiny.
    """
    if backend not in BACKENDS:
        raise InvalidArgumentError(f"unknown backend {backend!r}: choose {', '.join(BACKENDS)}")
    spec = BACKENDS[backend]
    expr = resolve(obj, derivative, params)
    lowered = lower(expr)
    base = get(obj).name if isinstance(obj, (str, Activation)) else "f"
    name = name or (base + ("" if derivative == 0 else f"_d{derivative}"))
    if not name.isidentifier():
        raise InvalidArgumentError(f"name must be a Python identifier, got {name!r}")
    given = ", ".join(f"{k}={v}" for k, v in params.items())
    header = [
        f'"""{name}(x) = {sp.sstr(expr)}',
        "",
        f"Generated by symact (symact export {base} --to {backend}"
        f"{' --derivative ' + str(derivative) if derivative else ''}{' with ' + given if given else ''}). "
        "Stable form:",
        f"    {sp.sstr(lowered)}",
        '"""',
        "",
        *spec.imports,
    ]
    if backend == "numpy":
        return "\n".join([*header, *_dd_helpers(lowered, spec), "", *_function(expr, lowered, spec, name)]) + "\n"
    # orders d, d+1, d+2: the first two get custom gradients, so second derivatives work too
    exprs = [expr, *(resolve(obj, derivative + k, params) for k in (1, 2))]
    lows = [lowered, *(lower(e) for e in exprs[1:])]
    names = [name, f"{name}_grad", f"{name}_grad2"]
    impl = [f"_{n}_impl" for n in names]
    lines = [*header, *_dd_helpers(sp.Tuple(*lows), spec), ""]
    for e, low, n in zip(exprs, lows, impl, strict=True):
        lines += [*_function(e, low, spec, n), "", ""]
    for k in (1, 0):  # the derivative's wrapper first: the value's gradient calls it
        grad_call = names[k + 1] if k == 0 else impl[k + 1]
        doc = f'    """d/dx of this is {sp.sstr(exprs[k + 1])}, evaluated in its own stable form."""'
        if backend == "torch":
            lines += [
                f"class _{names[k]}_autograd(torch.autograd.Function):",
                doc,
                "",
                "    @staticmethod",
                "    def forward(ctx, x):",
                "        ctx.save_for_backward(x)",
                f"        return {impl[k]}(x)",
                "",
                "    @staticmethod",
                "    def backward(ctx, grad):",
                "        (x,) = ctx.saved_tensors",
                f"        return grad * {grad_call}(x)",
                "",
                "",
                f"def {names[k]}(x):",
                f'    """{spec.extra}"""',
                f"    return _{names[k]}_autograd.apply(x)",
                "",
                "",
            ]
        else:
            lines += [
                "@jax.custom_jvp",
                f"def {names[k]}(x):",
                f'    """{spec.extra}"""',
                f"    return {impl[k]}(x)",
                "",
                "",
                f"@{names[k]}.defjvp",
                f"def _{names[k]}_jvp(primals, tangents):",
                doc,
                "    (x,), (t,) = primals, tangents",
                f"    return {names[k]}(x), {grad_call}(x) * t",
                "",
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"


def _function(expr: sp.Expr, lowered: sp.Expr, spec: Backend, name: str) -> list[str]:
    """Lines of ``def name(x)`` evaluating ``lowered`` (specials and far tails repaired)."""
    printer = _Printer(spec)
    subexprs, (final,) = sp.cse(lowered, symbols=sp.numbered_symbols("_t"))
    body = [f"        {printer.doprint(s)} = {printer.doprint(e)}" for s, e in subexprs]
    body.append(f"        out = {printer.doprint(final)}")
    lo, hi = limits_at_infinity(expr)
    tails = [f"(0 * x + {printer.doprint(a)})" if a is not None else "math.nan" for a in _asymptotes(expr)]
    return [
        f"def {name}(x):",
        f'    """{spec.extra}"""',
        *["    " + line for line in spec.prologue],
        *body,
        *["    " + line.format(lo=_float_code(lo), hi=_float_code(hi), tail_lo=tails[0], tail_hi=tails[1])
          for line in spec.epilogue],
    ]


def _asymptotes(expr: sp.Expr) -> list[sp.Expr | None]:
    """Asymptotes at -oo and +oo: where direct evaluation overflows into inf*0 (|x| >= 1e8), the
    function equals its asymptote to double precision (see symact.numeric.TAIL)."""
    from .calculus import asymptote
    from .errors import SymactError

    out: list[sp.Expr | None] = []
    for point in (-sp.oo, sp.oo):
        try:
            out.append(lower(asymptote(expr, point)))
        except SymactError:
            out.append(None)
    return out


def _float_code(value: float) -> str:
    if value != value:
        return "math.nan"
    if value in (float("inf"), float("-inf")):
        return "math.inf" if value > 0 else "-math.inf"
    return repr(value)


# Array-namespace members for symact.ddmath.erfcx_table (Φ's erfcx table), per backend; and the
# module-level builder of the table as that backend's arrays (from mpmath, once per device).
_TABLE_NAMESPACE = {
    "numpy": ("minimum = numpy.minimum", "", "@staticmethod", "def index(v, top):",
              "    return numpy.clip(numpy.nan_to_num(v), 0, top).astype(numpy.intp)"),
    "torch": ("@staticmethod", "def minimum(a, b):", "    return torch.clamp(a, max=b)", "",
              "@staticmethod", "def index(v, top):", "    return torch.nan_to_num(v, nan=0.0).clamp(0, top).long()"),
    "jax": ("minimum = jax.numpy.minimum", "",
            "@staticmethod", "def index(v, top):",
            "    return jax.numpy.clip(jax.numpy.nan_to_num(v), 0, top).astype(jax.numpy.int32)"),
}
_TABLE_ARRAY = {"numpy": "numpy.array({0})", "torch": "torch.tensor({0}, dtype=torch.float64, device=device)",
                "jax": "jax.numpy.asarray({0})"}


def _table_lines(spec: Backend) -> tuple[list[str], list[str]]:
    """(namespace lines, module lines) that give the namespace ``erfcx_rsqrt2_dd``."""
    t = erfcx.ERFCX_RSQRT2
    device = "u.device" if spec.name == "torch" else "None"
    namespace = ["", "@staticmethod", "def take(row, k):", "    return row[k]", "", *_TABLE_NAMESPACE[spec.name], "",
                 "@staticmethod", "def erfcx_rsqrt2_dd(u):  # erfcx(u/√2) = hi + lo, see symact.erfcx",
                 f"    rows, lo = _erfcx_arrays({device})",
                 f"    return erfcx_table(_xp, u, rows, lo, {t.width!r}, {t.limit!r})"]
    module = ["", "import mpmath  # builds the erfcx table once", "", "_ERFCX = {}", "", "",
              "def _erfcx_arrays(device):  # Taylor pieces of erfcx(u/√2), computed with mpmath on first use",
              "    if device not in _ERFCX:",
              f"        rows, lo = table_rows({t.m!r}, {t.width!r}, {t.limit!r}, {t.degree!r})",
              "        _ERFCX[device] = (" + _TABLE_ARRAY[spec.name].format("rows") + ", "
              + _TABLE_ARRAY[spec.name].format("lo") + ")",
              "    return _ERFCX[device]"]
    for func in (erfcx.taylor_coefficients, erfcx.table_rows, ddmath.erfcx_table):
        module += ["", "", _plain_source(func).rstrip()]
    return namespace, module


def _dd_helpers(lowered: sp.Expr, spec: Backend) -> list[str]:
    """Source of the symact.ddmath functions the lowered expression calls, and the array namespace."""
    used = {type(f).__name__ for f in lowered.atoms(sp.Function)} & set(_DD)
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
    for func in (*helpers, *(getattr(ddmath, n) for n in sorted(used))):
        lines += ["", "", _plain_source(func).rstrip()]
    return lines + [""]


def _plain_source(func: Any) -> str:
    """``func``'s source with its signature's annotations removed (the module imports no typing)."""
    sig = inspect.signature(func)
    plain = sig.replace(parameters=[p.replace(annotation=inspect.Parameter.empty) for p in sig.parameters.values()],
                        return_annotation=inspect.Signature.empty)
    head, body = inspect.getsource(func).split("\n", 1)
    assert head.startswith("def ") and head.endswith(":"), head  # one-line signatures in symact.ddmath
    return f"def {func.__name__}{plain}:\n{body}"


def compile_source(text: str, name: str) -> Any:
    """Execute generated source (ours, not user input) and return the function called ``name``."""
    namespace: dict[str, Any] = {}
    exec(compile(text, f"<symact {name}>", "exec"), namespace)  # noqa: S102  generated by source() above
    return namespace[name]


__all__ = ["BACKENDS", "Backend", "compile_source", "source"]
