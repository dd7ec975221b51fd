"""The numba backend: each lowered expression compiled to one machine-code loop over the array.

Why generated files: numba caches compiled code on disk only for functions defined in a real source file
(``cache=True`` refuses code compiled from a string). Each lowered expression is printed as a scalar Python
function calling the kernels of :mod:`symact.kernels.numba` (a real module, cached too), written to
``<cache>/numba/<hash>.py`` (:func:`symact.cache.cache_dir`) and imported from there. The file name is a hash
of the generated text *and* of the kernel sources: numba keys a cached function on its own file only, not on
the functions it calls, so a changed kernel must give a new file.

Once compiled, each loop's machine code is also saved as an object file (:mod:`symact.backends.native`), and
later processes load that without importing numba: numba's own start-up, before any cached function runs, was
most of a cached kernel's first call. numba's cache of the generated file serves where that path cannot.

The runtime is the NumPy backend's (:class:`symact.kernels.numpy.NumericFunction`): the compiled loop replaces
only the evaluation of the lowered expression, so NaN, the limits at ±inf, the tails and the longdouble
underflow rescue are the same code, and so are the results within the accuracy targets (the algorithms are the
same; exact products come from a hardware FMA instead of Dekker's split).

``SYMACT_THREADS`` (default 1; ``auto``: the cores this process may use) splits inputs of at least
:data:`MIN_PER_THREAD` elements per thread into contiguous pieces, each run by the compiled loop on its own thread
(the loops are ``nogil``): elementwise, so the results are bit for bit the single thread's.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from ..cache import cache_dir, write_once
from ..errors import BackendUnavailableError, InvalidArgumentError
from ..kernels.numpy import TAIL
from ..symbols import x
from . import native
from .base import Prepared, register_backend, unsupported
from .numpy import NUMPY, correctly_rounded

AVAILABLE = importlib.util.find_spec("numba") is not None
"""Whether numba can be imported (it is imported only when a kernel is first compiled)."""


class _ScalarPrinter(PythonCodePrinter):
    """Python for one float: kernels called as ``_k.name(...)`` with polynomial coefficients as one tuple,
    ``where`` as a select of both branches where one calls nothing and the other only SIMD code (``eager``), else as
    a conditional expression (only the branch taken is evaluated)."""

    def __init__(self, kernels: frozenset[str], takes_coeffs: frozenset[str], leading: Mapping[str, int],
                 eager: frozenset[str] = frozenset()) -> None:
        super().__init__({"fully_qualified_modules": True, "inline": True, "allow_unknown_functions": False})
        self._kernels, self._coeffs, self._leading, self._eager = kernels, takes_coeffs, leading, eager

    def _print(self, expr: Any, **kwargs: Any) -> str:
        if isinstance(expr, sp.Function):
            name = type(expr).__name__
            args = [self._print(a) for a in expr.args]
            if name == "where":
                # A branch around a table lookup keeps LLVM from vectorizing the loop (it cannot prove the load
                # safe to run for the other lanes). Where only one branch calls a kernel, computing both and
                # selecting costs nothing more and vectorizes (GELU₁₀ 25 → 11 ms at 10⁶, as fast as GELU); two
                # calling branches would pay both (softsign' 10 → 34 ms). Same bits: the branch taken is the same.
                calls = [{type(f).__name__ for f in b.atoms(sp.Function)} for b in expr.args[1:]]
                if all(c <= self._eager for c in calls) and sum(map(bool, calls)) == 1:
                    return f"_k.where({args[0]}, {args[1]}, {args[2]})"
                return f"(({args[1]}) if ({args[0]}) else ({args[2]}))"
            if name == "dx_expit" and expr.args[1].is_Number and float(expr.args[1]) == 1.0 and expr.args[2].is_zero:
                return f"_k.dx_silu({args[0]})"  # k = 1 exactly: u's error terms vanish (SiLU', Swish' at β = 1)
            if name in ("expit_poly", "x_expit_poly") and len(args) == 5 and all(a.is_zero for a in expr.args[3:]):
                return f"_k.{name.replace('poly', 'kx')}({', '.join(args[:3])})"  # σ((k + k_lo)·x): QuickGELU
            if name in ("expit_poly", "x_expit_poly") and len(args) == 9 and all(
                    expr.args[i].is_zero for i in (3, 4, 7, 8)):  # σ(a₁x + a₃x³): the tanh forms of GELU
                return f"_k.{name.replace('poly', 'cubic')}({args[0]}, {args[5]}, {args[6]}, {args[1]}, {args[2]})"
            if name in self._kernels:
                if name in self._coeffs:
                    n = self._leading.get(name, 1)
                    args = [*args[:n], "(" + ", ".join(args[n:]) + ",)"]
                if name == "near_root":  # c₂ + c₃d + … printed out by Horner's rule, d = (x − r_hi) − r_lo
                    d = f"(({args[0]} - {args[2]}) - {args[3]})"
                    q = "0.0"
                    for c in args[:6:-1]:
                        q = f"_k.fma({q}, {d}, {c})"
                    args = [*args[:7], q]
                return f"_k.{name}({', '.join(args)})"
        return super()._print(expr, **kwargs)

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        if expr.exp.is_Integer and abs(int(expr.exp)) <= 64:  # an integer power: multiplications, not pow()
            return f"({self._print(expr.base)})**{int(expr.exp)}"
        return super()._print_Pow(expr, rational=rational)

    def _print_Heaviside(self, expr: sp.Heaviside) -> str:
        arg = self._print(expr.args[0])
        at0 = self._print(expr.args[1]) if len(expr.args) > 1 else "0.5"
        return f"(0.0 if ({arg}) < 0 else (1.0 if ({arg}) > 0 else ({at0} if ({arg}) == 0 else math.nan)))"

    def _print_Rational(self, expr: sp.Rational) -> str:
        return f"({float(expr)!r})"

    def _print_Integer(self, expr: sp.Integer) -> str:
        return f"{float(expr)!r}"  # floats throughout: numba has no integers beyond 64 bits

    def _print_Float(self, expr: sp.Float) -> str:
        return repr(float(expr))


@cache
def _kernel_hash() -> str:
    """A hash of everything a compiled function depends on besides its own expression: numba's version, the kernel
    sources and this generator (read as files: importing the kernels would import numba, which a cached loop
    never needs)."""
    from importlib.metadata import version

    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(version("numba").encode())
    for path in (here / "numba.py", here.parent / "kernels" / "numba.py", here.parent / "kernels" / "ddmath.py",
                 here.parent / "kernels" / "erfcx.py"):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def scalar_source(lowered: sp.Expr) -> str:
    """The generated module for ``lowered``: ``_value(x)`` for one float64 and ``_loop(x, out)`` over 1-D arrays."""
    from ..kernels import numba as kernels
    printer = _ScalarPrinter(kernels.fused(), kernels.TAKES_COEFFS, kernels.LEADING, SIMD)
    subexprs, (final,) = sp.cse(lowered, symbols=sp.numbered_symbols("_t"))
    try:
        body = [f"    {printer.doprint(s)} = {printer.doprint(e)}" for s, e in subexprs]
        body.append(f"    return {printer.doprint(final)}")
    except NotImplementedError as exc:  # sympy's PrintMethodNotImplementedError names the function
        what = str(exc).split(":", 1)[-1].split("\n")[0].strip()
        raise InvalidArgumentError(f"the numba backend has no scalar form of {what} (in {lowered}): use "
                                   "backend='numpy'") from None
    text = "\n".join(body)
    return "\n".join([
        "# Generated by symact.backends.numba; the file name is a hash of this text and of the kernels.",
        "import math", "", "from symact.kernels import numba as _k",
        "from numba import carray", "from symact.kernels.numba import jit, kernel", "", "",
        "@kernel", "def _value(x):", text, "", "",
        "@kernel", "def _fill(x, out, a, b):",
        "    # the counts the runtime needs (inputs inside ±TAIL, NaN not; inputs in [a, b], the rescue bands), summed",
        "    # here for free where two min/max passes over x would cost ~7 % of the call (a min/max reduction in this",
        "    # loop would keep it from vectorizing; an integer sum does not). The band's count only where there is a",
        "    # band (a <= b): a second sum in the loop cost 1-16 % (GELU 4.19 -> 3.74 ms per 10^6 without it)",
        "    inside = 0", "    band = 0",
        "    if a <= b:",
        "        for i in range(x.size):", "            v = x[i]", "            out[i] = _value(v)",
        f"            inside += abs(v) < {TAIL!r}", "            band += (v >= a) & (v <= b)",
        "    else:",
        "        for i in range(x.size):", "            v = x[i]", "            out[i] = _value(v)",
        f"            inside += abs(v) < {TAIL!r}",
        "    return inside, band", "", "",
        "@jit", "def _loop(x, out, a, b):", "    return _fill(x, out, a, b)", "", "",
        "def _c_loop(xp, outp, n, a, b, counts):",
        "    # _fill for C callers, inlined (numba IR): compiled as a numba cfunc whose object code",
        "    # symact.backends.native saves, the loop in the cfunc's own module (vectorized by its target machine)",
        "    inside, band = _fill(carray(xp, (n,)), carray(outp, (n,)), a, b)",
        "    counts[0] = inside", "    counts[1] = band", "",
    ])


def _generated(lowered: sp.Expr) -> Any:
    """The generated module for ``lowered``, written to the cache on first use and imported (numba compiles its
    functions on first call, or loads them from its own cache)."""
    text = scalar_source(lowered)
    key = hashlib.sha256((text + _kernel_hash()).encode()).hexdigest()[:24]
    name = f"symact_numba_{key}"
    if name not in sys.modules:
        path = write_once(cache_dir("numba") / f"{name}.py", text)
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


VECTOR_WIDTHS = ("auto", "512", "256")


def vector_width() -> str:
    """``SYMACT_VECTOR_WIDTH``: the SIMD width the saved loops are vectorized for. ``auto`` (the default): 512 bits
    where the CPU has AVX-512F, else LLVM's own choice for the CPU; ``512`` or ``256`` asks LLVM to prefer that
    width (x86 only; elsewhere LLVM chooses). Why: LLVM's tuning for Intel's AVX-512 cores prefers 256-bit vectors
    (against the clock penalty of 512-bit code on the first of them, Skylake-X), but these loops are
    arithmetic-bound: 512-bit vectors ran them 1.2-1.5x faster, with the same bits, on an AVX-512 Xeon that LLVM
    takes for a Rocket Lake (``python benchmarks/bench.py --widths``; RESULTS.md)."""
    text = os.environ.get("SYMACT_VECTOR_WIDTH", "auto").strip().lower()
    if text not in VECTOR_WIDTHS:
        raise InvalidArgumentError(f"SYMACT_VECTOR_WIDTH must be one of {', '.join(VECTOR_WIDTHS)}, got {text!r}")
    return text


def _width_features() -> str:
    """The LLVM target features that ask for :func:`vector_width` ('' where LLVM's own choice stands)."""
    width = vector_width()  # checked on every host: a typo is an error everywhere
    triple, _, features = native.host().split("|", 2)
    if not triple.startswith("x86_64"):
        return ""
    if width == "256":
        return "+prefer-256-bit"
    # auto and 512 alike: only where there are 512-bit registers to prefer
    return "-prefer-256-bit" if "+avx512f" in features.split(",") else ""


@contextmanager
def _target_machine(codegen: Any, extra: str) -> Iterator[Any]:
    """numba's target machine, with ``extra`` features added, in place for the compilations inside the block (the
    pass builders take ``codegen._tm`` when they are made), restored after. Yields the machine to emit with."""
    if not extra:
        yield codegen._tm
        return
    import llvmlite.binding as llvm
    from numba.core import config

    options: dict[str, Any] = {"opt": config.OPT}
    codegen._customize_tm_options(options)
    options["features"] = ",".join(f for f in (options.get("features", ""), extra) if f)
    machine = llvm.Target.from_triple(llvm.get_process_triple()).create_target_machine(**options)
    saved, codegen._tm = codegen._tm, machine
    try:
        yield machine
    finally:
        codegen._tm = saved


def _loop_module(module: Any) -> tuple[Any, Any, str]:
    """``module._c_loop`` compiled by numba as a C function, vectorized for :func:`vector_width`: its optimized LLVM
    module (a copy), the target machine to emit it with, and its symbol."""
    from numba import cfunc, types
    from numba.core.registry import cpu_target

    pointer = types.CPointer(types.float64)
    signature = types.void(pointer, pointer, types.int64, types.float64, types.float64, types.CPointer(types.int64))
    with _target_machine(cpu_target.target_context.codegen(), _width_features()) as machine:
        compiled = cfunc(signature, error_model="numpy")(module._c_loop)
        library = compiled._library  # numba's code library: the linked, optimized module of the loop
        # optimized once more (a copy: numba's engine owns the original): with the loop inlined at numba IR, one
        # pass of the pipeline unrolls an inner loop (Mish's polynomial) only after the vectorizer has run, and the
        # outer loop stayed scalar (Mish 5.9 -> 22.8 ms per 10^6); the second pass vectorizes it
        final = library._final_module.clone()
        manager, builder = library._codegen._module_pass_manager()
        manager.run(final, builder)
    return final, machine, compiled.native_name


def _save_object(key: str, module: Any) -> None:
    """Compile ``module._c_loop`` (:func:`_loop_module`) and save its object code for :func:`native.load`."""
    final, machine, symbol = _loop_module(module)
    undefined = [f.name for f in final.functions if f.is_declaration and not f.name.startswith("llvm.")]
    undefined += [g.name for g in final.global_variables if g.is_declaration]
    # emitted by the same machine: one that prefers 256 bits would split the 512-bit vectors again
    native.save(key, machine.emit_object(final), symbol, undefined)


def object_key(lowered: sp.Expr) -> str:
    """The name of the saved loop of ``lowered``: its expression, the kernels, numba's version, the CPU and the
    vector width asked for."""
    text = f"{sp.srepr(lowered)}|{_kernel_hash()}|{native.host()}|{_width_features()}"
    return "symact_loop_" + hashlib.sha256(text.encode()).hexdigest()[:24]


def compiled_loop(lowered: sp.Expr) -> native.Loop:
    """The compiled ``loop(x, out, a, b)`` for ``lowered``: out filled, and the counts of inputs inside ±TAIL and
    in [a, b] returned. From its saved object code where there is one (no numba in this process:
    :mod:`symact.backends.native`), else compiled by numba from the generated file and saved."""
    key = object_key(lowered)
    loop = native.load(key)
    if loop is None:
        module = _generated(lowered)
        try:
            _save_object(key, module)
        except AttributeError:  # numba's internals moved: its dispatcher serves (a slower first call, same code)
            return module._loop  # type: ignore[no-any-return]
        loop = native.load(key)
        if loop is None:  # saved but not loadable (deleted as damaged): numba's own loop, the same code
            return module._loop  # type: ignore[no-any-return]
    return loop


SIMD = frozenset({"exp", "expit_poly", "x_expit_poly", "erfc_poly", "x_erfc_poly", "ncdf", "x_ncdf", "gauss", "x_gauss",
                  "gauss_poly", "x_gauss_poly", "k_gauss_poly", "dexpit", "x_minus_tanh", "x_tanh_softplus",
                  "x_tanh_softplus_fast", "dx_tanh_softplus", "dx_ncdf", "expit", "x_expit", "dx_expit",
                  "dx_expit_fast", "dx_expit_cubic", "ramp", "maximum", "minimum", "where", "near_root",
                  "pow_shift", "hypot_pow", "tanh_sq", "expm1_lin", "tanh", "softplus_stable", "expit_softplus_pow",
                  "expm1_shift", "dx_silu", "expm1", "x_affine"})
"""The kernels of :mod:`symact.kernels.numba` made of its ``exp`` and arithmetic only (no libm call): loops over
them vectorize, and beat NumPy's passes. ``tanh`` among them: its continued fraction vectorizes, 1.5× NumPy's tanh
at 10⁶ and 10⁷ on AVX2 (9.6 against 14.5 ms) and more accurate (0.89 ulp against 1.14); NumPy's AVX-512 tanh is
faster still (:data:`NUMPY_AVX512`)."""

_SIMD_MATH = frozenset({"sqrt", "fabs", "copysign", "inf", "nan", "pi", "e"})
"""``math`` names a generated body may use and still vectorize (instructions or constants, not libm calls)."""


NUMPY_AVX512: dict[str, frozenset[tuple[float, ...]]] = {
    "tanh": frozenset({()}), "softplus_stable": frozenset({()}), "expit_softplus_pow": frozenset({(0.0, 0.5)}),
}
"""Kernels (name → the arguments after x) that NumPy evaluates in a few passes of ufuncs it has in AVX-512 (tanh;
log1p(eᶻ); its square root): on a CPU where NumPy runs that code, the NumPy kernel of such a call alone beats our
loop (AVX-512 EPYC, 10⁶: tanh 0.77 against 2.14 ms, softplus 1.23 against 2.80; AVX-512 Xeon: √softplus 2.4 against
the double-double loop's 5.0; benchmarks/RESULTS.md). Inside a larger expression the loop's fusion still wins
(log σ = −softplus(−x): 2.93 against 3.68)."""


NUMPY_ONE_PASS = frozenset({"maximum", "minimum"})
"""Kernels whose lone call on x and a number is one NumPy pass: memory-bound, so the loop cannot beat it, and its
count of the inputs costs a little (ReLU at 10⁶: loop 0.59 ms, NumPy 0.56, the textbook np.maximum 0.55; AVX-512
Xeon). The function is plain (:meth:`~symact.kernels.numpy.NumericFunction.probe`): no reduction routes it."""


@cache
def numpy_avx512() -> bool:
    """Whether NumPy runs its AVX-512 ufuncs on this CPU (deterministic per machine: no timing decides)."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:  # NumPy's private module moved: keep the loop, as before
        return False
    return bool(__cpu_features__.get("AVX512_SKX"))


def vectorizes(lowered: sp.Expr) -> bool:
    """Whether the compiled loop of ``lowered`` is worth taking: SIMD code (only kernels built from our own exp and
    arithmetic, :data:`SIMD`, and integer or half powers). A libm call (expm1, erfc …) is
    scalar and keeps a loop at a quarter of NumPy's speed, whose ufuncs are SIMD. Branches count
    too: one loop beats NumPy's pass per comparison and select (hard-swish' 8.8 → 0.9 ms, softsign' 112 → 11 ms at
    10⁶). A constant (identity') too: the loop fills and counts in one pass where NumPy reduces twice and copies
    (0.87 → 0.48 ms). Only plain arithmetic (identity) stays with NumPy, which has nothing to fuse, a lone
    maximum or minimum of x and a number (:data:`NUMPY_ONE_PASS`), and, where NumPy runs AVX-512, a lone call of
    :data:`NUMPY_AVX512`."""
    names = {type(f).__name__ for f in lowered.atoms(sp.Function)}
    if not names:
        return bool(lowered.is_Number)
    if numpy_avx512() and isinstance(lowered, sp.Function) and type(lowered).__name__ in NUMPY_AVX512 \
            and lowered.args[0] == x and all(a.is_Number for a in lowered.args[1:]) \
            and tuple(float(a) for a in lowered.args[1:]) in NUMPY_AVX512[type(lowered).__name__]:
        return False
    if not names <= SIMD:
        return False
    if isinstance(lowered, sp.Function) and type(lowered).__name__ in NUMPY_ONE_PASS \
            and all(a == x or a.is_Number for a in lowered.args):
        return False
    return all(p.exp.is_Integer or p.exp in (sp.S.Half, -sp.S.Half) for p in lowered.atoms(sp.Pow))


def accelerator(lowered: sp.Expr) -> Callable[[], Callable[[np.ndarray], np.ndarray] | None]:
    """For the NumPy backend's large inputs: a factory of the compiled kernel of ``lowered``, or of None where
    numba is missing, ``SYMACT_JIT=0`` is set, or the loop would not vectorize."""
    def build() -> Callable[[np.ndarray], np.ndarray] | None:
        if os.environ.get("SYMACT_JIT", "1") == "0" or not vectorizes(lowered):
            return None
        return _array_function(compiled_loop(lowered))
    return build


MIN_PER_THREAD = 1 << 17
"""Elements per thread below which a split does not pay (handing a piece to a pool thread costs ~50 µs)."""

_pools: dict[int, ThreadPoolExecutor] = {}


def threads() -> int:
    """How many threads the compiled loops may use: ``SYMACT_THREADS`` (a positive integer, or ``auto``)."""
    text = os.environ.get("SYMACT_THREADS", "1").strip()
    if text == "1":
        return 1
    if text == "auto":
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise InvalidArgumentError(f"SYMACT_THREADS must be a positive integer or 'auto', got {text!r}")


def _split(loop: native.Loop, x: np.ndarray, out: np.ndarray, a: float, b: float,
           n: int) -> tuple[int, int]:
    if n not in _pools:
        _pools[n] = ThreadPoolExecutor(max_workers=n, thread_name_prefix="symact")
    edges = np.linspace(0, x.size, n + 1).astype(np.int64)
    parts = [_pools[n].submit(loop, x[lo:hi], out[lo:hi], a, b) for lo, hi in zip(edges[:-1], edges[1:],
                                                                                    strict=True)]
    counts = [part.result() for part in parts]
    return sum(c[0] for c in counts), sum(c[1] for c in counts)


def _array_function(loop: native.Loop) -> Callable[[np.ndarray], np.ndarray]:
    """The loop as an array function, with ``.ranged(work, a, b)`` → (out, inputs inside ±TAIL, inputs in [a, b])
    for :class:`~symact.kernels.numpy.NumericFunction`."""
    def ranged(work: np.ndarray, a: float, b: float) -> tuple[np.ndarray, int, int]:
        x = np.ascontiguousarray(work, dtype=np.float64)
        out = np.empty_like(x)
        n = min(threads(), x.size // MIN_PER_THREAD)
        if n > 1:
            inside, band = _split(loop, x.reshape(-1), out.reshape(-1), a, b, n)
        else:
            inside, band = loop(x.reshape(-1), out.reshape(-1), a, b)
        return out, inside, band

    def evaluate(work: np.ndarray) -> np.ndarray:
        return ranged(work, math.inf, -math.inf)[0]

    evaluate.ranged = ranged  # type: ignore[attr-defined]
    return evaluate


class NumbaBackend:
    """NumPy arrays, evaluated by compiled loops (the NumPy backend's runtime around them); ≤ 2 ulp in float64."""

    name = "numba"
    label = "numba"
    exports = False  # compiled in-process; `symact export` offers numpy (same algorithms) and c
    requires = "numba"
    install = "pip install -e . (numba is a dependency; where it has no wheel, use backend='numpy')"

    def __init__(self) -> None:
        self._cache: dict[Any, Any] = {}

    def function(self, prepared: Prepared, *, lowering: bool = True, fast: bool = False,
                 functions: Mapping[str, Callable[..., Any]] | None = None) -> Any:
        if not lowering:
            raise InvalidArgumentError("lowering=False (the textbook formula) is evaluated by the numpy backend only")
        unsupported("numba", functions=bool(functions))
        key = (prepared.expr, fast, () if fast else prepared.roots())
        if key not in self._cache:
            if len(self._cache) > 512:
                self._cache.clear()
            self._cache[key] = self.build(prepared, fast=fast)
        return self._cache[key]

    def build(self, prepared: Prepared, *, fast: bool = False) -> Any:
        """A new function (:meth:`function` caches them)."""
        base = NUMPY.build(prepared, lowering=True, fast=fast)
        loop = compiled_loop(base.lowered)  # NumPy's lowering, root patches included
        fast_form = None if fast else (lambda: self.function(prepared, fast=True))
        out = base.with_kernel(_array_function(loop), fast_form=fast_form)
        out.expr, out.lowered = base.expr, base.lowered
        return out if fast else correctly_rounded(out)

    def source(self, prepared: Prepared, *, fast: bool = False) -> str:
        raise BackendUnavailableError("numba code is compiled, not exported: export with --to numpy (the same "
                                      "algorithms) or --to c")


NUMBA = register_backend(NumbaBackend())
if AVAILABLE:
    NUMPY.accelerator = accelerator

__all__ = ["AVAILABLE", "MIN_PER_THREAD", "NUMBA", "NUMPY_AVX512", "NUMPY_ONE_PASS", "SIMD", "NumbaBackend",
           "accelerator", "compiled_loop", "numpy_avx512", "object_key", "scalar_source", "threads", "vector_width",
           "vectorizes"]
