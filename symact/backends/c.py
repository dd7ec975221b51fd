"""C99 and CUDA export: a self-contained header per activation, for kernel authors (llama.cpp, candle, FlagGems …).

``symact export gelu --to c`` writes ``static inline double gelu(double x)`` and ``float gelu_f(float x)`` (computed
in double, rounded once), plus ``gelu_array(x, y, n)``; ``--to cuda`` the same as ``__device__`` functions and a
``__global__`` array kernel. The lowered expression is printed over :mod:`symact.kernels.c` (the numba kernels'
algorithms, exact products by ``fma``); the function wraps it with what NumPy's runtime does: NaN stays NaN, ±inf
give the limits, and the asymptote replaces an overflow into inf·0 beyond |x| = 1e8.

Not carried over: NumPy's longdouble rescue of results whose factors underflow while the product is normal (GELU-tanh'
near x = −21.2): C has no portable wider exponent range (CUDA none at all), so the header returns what double gives
there (tests/backends/test_c_backend.py measures the bands).

As a backend, ``lambdify(..., backend="c")`` compiles the header with the system C compiler (``cc``, or ``$CC``)
into a shared library in the cache folder and calls it through ctypes: how the tests hold the C code to the NumPy
targets.
"""

from __future__ import annotations

import ctypes
import hashlib
import math
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import sympy as sp
from sympy.printing.c import C99CodePrinter

from ..cache import cache_dir, write_once
from ..errors import BackendUnavailableError, InvalidArgumentError
from ..kernels.c import TAKES_COEFFS, kernels_source
from ..lowering import LOWERED, lower, with_roots
from .base import Prepared, register_backend, unsupported

_LEADING = {"x_erfc_poly": 2, "x_gauss_poly": 2, "k_gauss_poly": 3, "near_root": 5}


class _CPrinter(C99CodePrinter):
    """C for one double: kernels as ``symact_name(...)``, coefficient lists as named static arrays."""

    def __init__(self, prefix: str) -> None:
        super().__init__({"strict": True})
        self.arrays: list[tuple[str, list[float]]] = []
        self._prefix = prefix

    def _print_Function(self, expr: Any) -> str:
        name = type(expr).__name__
        if name in LOWERED:
            args = [self._print(a) for a in expr.args]
            if name == "where":
                return f"(({args[0]}) ? ({args[1]}) : ({args[2]}))"
            if name in TAKES_COEFFS:
                n = _LEADING.get(name, 1)
                coeffs = [float(a) for a in expr.args[n:]]
                array = f"{self._prefix}_c{len(self.arrays)}"
                self.arrays.append((array, coeffs))
                args = [*args[:n], str(len(coeffs)), array]
            return f"symact_{name}({', '.join(args)})"
        return super()._print_Function(expr)

    def _print_Pow(self, expr: sp.Pow) -> str:
        if expr.exp.is_Integer and 0 < int(expr.exp) <= 8:
            base = self._print(expr.base)
            return "(" + " * ".join([f"({base})"] * int(expr.exp)) + ")"
        if expr.exp.is_Integer and -8 <= int(expr.exp) < 0:
            return f"(1.0 / {self._print(sp.Pow(expr.base, -expr.exp, evaluate=False))})"
        return super()._print_Pow(expr)

    def _print_tanh(self, expr: sp.tanh) -> str:
        return f"symact_tanh({self._print(expr.args[0])})"  # see symact.kernels.c: libm's is ~2 ulp off

    def _print_Heaviside(self, expr: sp.Heaviside) -> str:
        arg = self._print(expr.args[0])
        at0 = self._print(expr.args[1]) if len(expr.args) > 1 else "0.5"
        return f"(({arg}) < 0 ? 0.0 : (({arg}) > 0 ? 1.0 : (({arg}) == 0 ? {at0} : NAN)))"

    def _print_Rational(self, expr: sp.Rational) -> str:
        return _double(float(expr))

    def _print_Integer(self, expr: sp.Integer) -> str:
        return _double(float(expr))

    def _print_Float(self, expr: sp.Float) -> str:
        return _double(float(expr))


def _double(v: float) -> str:
    if math.isnan(v):
        return "NAN"
    if math.isinf(v):
        return "INFINITY" if v > 0 else "(-INFINITY)"
    text = repr(v)
    return text if any(c in text for c in ".e") else text + ".0"


_LIBM = frozenset("""acos acosh asin asinh atan atan2 atanh cbrt ceil copysign cos cosh erf erfc exp exp2 expm1 fabs
fdim floor fma fmax fmin fmod frexp hypot ldexp lgamma log log10 log1p log2 logb nan pow remainder round sin sinh sqrt
tan tanh tgamma trunc""".split())


def c_name(prepared: Prepared) -> str:
    """The C function's name: the entry's, with ``_act`` appended where it is a <math.h> function (tanh_act)."""
    return prepared.name + "_act" if prepared.name.split("_d")[0] in _LIBM else prepared.name


def _function_source(prepared: Prepared, target: str, fast: bool) -> str:
    name = c_name(prepared)
    printer = _CPrinter(name)
    lowered = lower(prepared.expr, fast=fast)
    if not fast:
        lowered = with_roots(lowered, prepared.roots(), narrow=True)
    subexprs, (final,) = sp.cse(lowered, symbols=sp.numbered_symbols("_t"))
    try:
        body = [f"    const double {printer.doprint(s)} = {printer.doprint(e)};" for s, e in subexprs]
        body.append(f"    return {printer.doprint(final)};")
        sides = []
        for a in prepared.asymptotes():
            sides.append(printer.doprint(lower(a)) if a is not None else "NAN")
    except (NotImplementedError, ValueError) as exc:  # sympy's PrintMethodNotImplementedError names the function
        what = str(exc).split(":", 1)[-1].split("\n")[0].strip()
        raise InvalidArgumentError(f"no C form of {what} (in {lowered}): export it with --to numpy") from None
    lo, hi = prepared.limits()
    table = "static const" if target == "c" else "static __device__ const"
    arrays = [f"{table} double {a}[{len(c)}] = {{{', '.join(_double(v) for v in c)}}};" for a, c in printer.arrays]
    lines = [
        *arrays,
        f"SYMACT_FN double {name}_value(double x) {{", *body, "}", "",
        "/* the asymptotes at -inf and +inf: where direct evaluation overflows into inf*0 beyond |x| = 1e8 */",
        f"SYMACT_FN double {name}_tail(double x) {{ return x < 0 ? {sides[0]} : {sides[1]}; }}", "",
        f"/* {prepared.title or name}: NaN stays NaN, +-inf give the limits */",
        f"SYMACT_FN double {name}(double x) {{",
        "    double r;",
        "    if (x != x) return x;",
        f"    if (x == INFINITY) return {_double(hi)};",
        f"    if (x == -INFINITY) return {_double(lo)};",
        f"    r = {name}_value(x);",
        f"    if (r != r && fabs(x) >= 1e8) r = {name}_tail(x);",
        "    return r;",
        "}", "",
        "/* float: computed in double, rounded once (within 1 ulp of the correctly rounded float) */",
        f"SYMACT_FN float {name}_f(float x) {{ return (float){name}((double)x); }}", "",
    ]
    if target == "c":
        lines += [f"static inline void {name}_array(const double *x, double *y, size_t n) {{",
                  f"    size_t i;\n    for (i = 0; i < n; i++) y[i] = {name}(x[i]);", "}",
                  f"static inline void {name}_array_f(const float *x, float *y, size_t n) {{",
                  f"    size_t i;\n    for (i = 0; i < n; i++) y[i] = {name}_f(x[i]);", "}", ""]
    else:
        lines += [f"__global__ void {name}_kernel(const double *x, double *y, size_t n) {{",
                  "    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;",
                  f"    if (i < n) y[i] = {name}(x[i]);", "}",
                  f"__global__ void {name}_kernel_f(const float *x, float *y, size_t n) {{",
                  "    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;",
                  f"    if (i < n) y[i] = {name}_f(x[i]);", "}", ""]
    return "\n".join(lines)


def header(prepared: Prepared, target: str = "c", *, fast: bool = False) -> str:
    """The self-contained header for ``prepared`` (``target`` "c" or "cuda")."""
    guard = f"SYMACT_{c_name(prepared).upper()}_{target.upper()}_H"
    how = ("C99: cc -O2 -std=c99 file.c -lm" if target == "c"
           else "CUDA: nvcc, its default --fmad=true included")
    title = (prepared.title or prepared.name).replace("*/", "* /").splitlines()
    return "\n".join([
        f"/* {title[0]}", *(f" * {line}".rstrip() for line in title[1:]),
        " *",
        f" * Self-contained ({how}).",
        " * Exact products use fma() explicitly; a rounded product whose error is taken, and the sums of two_sum,",
        " * are SYMACT_MUL/ADD/SUB (on CUDA __dmul_rn/__dadd_rn/__dsub_rn, which nvcc never fuses), so contracting",
        " * any other a*b + c into an FMA (-ffp-contract=fast, --fmad=true) only removes a rounding from a correction.",
        " * Not included: NumPy's longdouble rescue of results whose factors underflow (symact.backends.c).",
        " */",
        f"#ifndef {guard}", f"#define {guard}", "", "#include <math.h>", "#include <stddef.h>",
        "/* GCC ignores this pragma (and warns under -Wall); the code does not depend on it, see above */",
        "#if !defined(__CUDACC__) && (defined(__clang__) || !defined(__GNUC__))", "#pragma STDC FP_CONTRACT OFF",
        "#endif", "",
        kernels_source(target), "", _function_source(prepared, target, fast), f"#endif /* {guard} */", "",
    ])


def compiler() -> str | None:
    """The C compiler the backend and the tests use: ``$CC``, else ``cc``."""
    return shutil.which(os.environ.get("CC", "cc"))


def _build_once(folder: str, source: str, key: str, ext: str, out_ext: str,
                command: Callable[[str, str], list[str]], who: str) -> str:
    """Compile ``source`` once per ``key`` into the cache folder (``command(source file, output)``), atomically
    (a rename), so concurrent processes never use half a file. Returns the output's path."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    where = cache_dir(folder)
    out = where / f"symact_{digest}{out_ext}"
    if not out.exists():
        src = write_once(where / f"symact_{digest}{ext}", source)
        tmp = out.with_name(f".{out.name}.{os.getpid()}")
        run = subprocess.run(command(str(src), str(tmp)), capture_output=True, text=True)
        if run.returncode != 0:
            raise InvalidArgumentError(f"{who} rejected the generated code:\n{run.stderr[-2000:]}")
        os.replace(tmp, out)
    return str(out)


def compile_shared(source: str, flags: tuple[str, ...] = ("-O2",)) -> ctypes.CDLL:
    """Compile ``source`` (a C file's text) into a shared library in the cache folder, once per text and flags."""
    cc = compiler()
    if cc is None:
        raise BackendUnavailableError("the c backend needs a C compiler (cc, or set CC): install gcc or clang")
    lib = _build_once("c", source, source + " ".join(flags) + cc, ".c", ".so",
                      lambda src, out: [cc, *flags, "-std=c99", "-shared", "-fPIC", src, "-o", out, "-lm"],
                      "the C compiler")
    return ctypes.CDLL(lib)


class _Compiled:
    """A compiled header called through ctypes on NumPy arrays (float64, or float32 through the ``_f`` form)."""

    def __init__(self, lib: ctypes.CDLL, name: str) -> None:
        self._f64 = getattr(lib, f"symact_call_{name}")
        self._f32 = getattr(lib, f"symact_call_{name}_f")
        for f in (self._f64, self._f32):
            f.restype = None
            f.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]

    def __call__(self, values: Any) -> Any:
        arr = np.asarray(values)
        single = arr.dtype == np.float32
        x = np.ascontiguousarray(arr, dtype=np.float32 if single else np.float64)
        out = np.empty_like(x)
        (self._f32 if single else self._f64)(x.ctypes.data, out.ctypes.data, x.size)
        return out if arr.ndim else out[()]


class CBackend:
    """C99 headers (``symact export --to c``); as a lambdify backend, the header compiled and called via ctypes."""

    name = "c"
    label = "C99"
    requires = None
    install = "a C compiler (cc or $CC): apt install gcc"
    target = "c"
    flags: tuple[str, ...] = ("-O2",)

    def function(self, prepared: Prepared, *, lowering: bool = True, fast: bool = False,
                 functions: Mapping[str, Callable[..., Any]] | None = None) -> Callable[..., Any]:
        unsupported(self.name, functions=bool(functions))
        if not lowering:
            raise InvalidArgumentError("lowering=False (the textbook formula) is evaluated by the numpy backend only")
        return self.build(prepared, fast=fast)

    def build(self, prepared: Prepared, *, fast: bool = False, flags: tuple[str, ...] | None = None) -> _Compiled:
        """Compile with ``flags`` (default ``-O2``; the tests add ``-mfma -ffp-contract=fast``)."""
        name = c_name(prepared)
        text = header(prepared, "c", fast=fast) + "\n".join([
            f"void symact_call_{name}(const double *x, double *y, size_t n) {{ {name}_array(x, y, n); }}",
            f"void symact_call_{name}_f(const float *x, float *y, size_t n) {{ {name}_array_f(x, y, n); }}", ""])
        return _Compiled(compile_shared(text, flags or self.flags), name)

    def source(self, prepared: Prepared, *, fast: bool = False) -> str:
        return header(prepared, self.target, fast=fast)


class CudaBackend(CBackend):
    """CUDA headers (``symact export --to cuda``): ``__device__`` functions and a ``__global__`` array kernel.
    Export only: compile them with nvcc in your project (the tests compile-check them)."""

    name = "cuda"
    label = "CUDA"
    install = "nvcc (the CUDA toolkit) and a GPU"
    target = "cuda"

    def function(self, prepared: Prepared, *, lowering: bool = True, fast: bool = False,
                 functions: Mapping[str, Callable[..., Any]] | None = None) -> Callable[..., Any]:
        raise BackendUnavailableError("the cuda target is export only (symact export NAME --to cuda); evaluate the "
                                      "same algorithms on the CPU with backend='c'")


_CUDA_MAIN = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cuda_runtime.h>
typedef void (*k64_t)(const double *, double *, size_t);
typedef void (*k32_t)(const float *, float *, size_t);
static const k64_t K64[] = {%s};
static const k32_t K32[] = {%s};
#define CHECK(call) do { cudaError_t e_ = (call); if (e_ != cudaSuccess) { \
    fprintf(stderr, "%%s\n", cudaGetErrorString(e_)); return 3; } } while (0)
int main(int argc, char **argv) {
    /* argv: 32 or 64 (the element type), input file, output file (one row per kernel) */
    int single = argc == 4 && strcmp(argv[1], "32") == 0;
    size_t w = single ? sizeof(float) : sizeof(double), n, k, nk = sizeof(K64) / sizeof(K64[0]);
    void *x, *y, *dx, *dy;
    FILE *f = argc == 4 ? fopen(argv[2], "rb") : NULL;
    if (f == NULL) return 2;
    fseek(f, 0, SEEK_END); n = (size_t)ftell(f) / w; fseek(f, 0, SEEK_SET);
    x = malloc(n * w + 1); y = malloc(n * w + 1);
    if (fread(x, w, n, f) != n) return 2;
    fclose(f);
    CHECK(cudaMalloc(&dx, n * w + 1)); CHECK(cudaMalloc(&dy, n * w + 1));
    CHECK(cudaMemcpy(dx, x, n * w, cudaMemcpyHostToDevice));
    f = fopen(argv[3], "wb");
    for (k = 0; k < nk; k++) {
        unsigned blocks = (unsigned)((n + 255) / 256);
        if (single) K32[k]<<<blocks, 256>>>((const float *)dx, (float *)dy, n);
        else K64[k]<<<blocks, 256>>>((const double *)dx, (double *)dy, n);
        CHECK(cudaGetLastError()); CHECK(cudaDeviceSynchronize());
        CHECK(cudaMemcpy(y, dy, n * w, cudaMemcpyDeviceToHost));
        fwrite(y, w, n, f);
    }
    fclose(f);
    return 0;
}
"""


def cuda_program(prepared: list[Prepared], flags: tuple[str, ...] = ("-O2",)) -> str:
    """One program holding the CUDA export of each of ``prepared`` (as ``symact export --to cuda`` writes it) and a
    host ``main`` that runs every ``NAME_kernel`` over a file of inputs; compiled by nvcc with its defaults
    (``--fmad=true``) into the cache folder, once per text. Returns the program's path."""
    nvcc = shutil.which("nvcc")
    if nvcc is None:
        raise BackendUnavailableError("running the CUDA export needs nvcc (the CUDA toolkit) and a GPU")
    names = [c_name(p) for p in prepared]
    source = "\n".join(header(p, "cuda") for p in prepared) + _CUDA_MAIN % (
        ", ".join(f"{n}_kernel" for n in names), ", ".join(f"{n}_kernel_f" for n in names))
    return _build_once("cuda", source, source + " ".join(flags), ".cu", "",
                       lambda src, out: [nvcc, *flags, src, "-o", out], "nvcc")


def run_cuda(prepared: list[Prepared], x: Any) -> np.ndarray:
    """Each of ``prepared``'s CUDA kernels run on the GPU over ``x`` (float64, or float32 through ``_kernel_f``):
    one row per function. Raises BackendUnavailableError where nvcc or a GPU is missing."""
    arr = np.asarray(x)
    single = arr.dtype == np.float32
    arr = np.ascontiguousarray(arr.ravel(), dtype=np.float32 if single else np.float64)
    program = cuda_program(prepared)
    folder = cache_dir("cuda")
    stem = folder / f".run_{os.getpid()}"
    inp, out = stem.with_suffix(".in"), stem.with_suffix(".out")
    try:
        arr.tofile(inp)
        run = subprocess.run([program, "32" if single else "64", str(inp), str(out)], capture_output=True, text=True)
        if run.returncode != 0:
            raise BackendUnavailableError(f"the CUDA program could not run (no GPU, or its driver is missing): "
                                          f"{run.stderr.strip() or f'exit status {run.returncode}'}")
        return np.fromfile(out, dtype=arr.dtype).reshape(len(prepared), arr.size)
    finally:
        for f in (inp, out):
            f.unlink(missing_ok=True)


C = register_backend(CBackend())
CUDA = register_backend(CudaBackend())

__all__ = ["C", "CUDA", "CBackend", "CudaBackend", "c_name", "compile_shared", "compiler", "cuda_program", "header",
           "run_cuda"]
