"""Accuracy and speed tables: ``python benchmarks/bench.py [--quick] [--out benchmarks/RESULTS.md]``.

Accuracy: max and median ulp error of our lowered functions (and the textbook formula) against
mpmath on the standard grid (symact.accuracy), float64 and float32, values and first derivatives.
Speed: every activation and first derivative at 10^6 and 10^7 elements, every implementation taking turns in
one run: the default (NumPy arrays; the compiled numba loop for large inputs where it vectorizes), the numba
backend, NumPy's kernels alone, fast=True, the textbook formula in NumPy (hand-written where listed below, else
the formula as written, lambdify(lowering=False)), torch CPU single-thread and default (values, where torch
has the activation).
Compiled kernels: import times, the first call of a kernel cold (empty caches) and cached, each in a fresh
process; the time to compile every kernel from empty caches.
Vector width (``--widths`` prints only this): every compiled loop vectorized for 256- and 512-bit registers, taking
turns. Symbolic (``--symbolic`` measures only this and replaces its section): the cold time to derive the whole
catalog, in a fresh interpreter; series to x^20 and the 4th
derivative of every entry.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import scipy.special as sc

import symact
from symact.accuracy import measure, standard_grid
from symact.backends.numpy import NUMPY
from symact.evaluate import prepare
from symact.kernels.numpy import _expit

# Hand-written textbook NumPy formulas, as a user would type them.
TEXTBOOK: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "tanh": np.tanh,
    "gelu": lambda x: 0.5 * x * (1 + sc.erf(x / np.sqrt(2))),
    "gelu_tanh": lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3))),
    "quick_gelu": lambda x: x / (1 + np.exp(-1.702 * x)),
    "silu": lambda x: x / (1 + np.exp(-x)),
    "softplus": lambda x: np.log1p(np.exp(x)),
    "mish": lambda x: x * np.tanh(np.log1p(np.exp(x))),
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "hard_swish": lambda x: x * np.clip(x + 3, 0, 6) / 6,
}
TEXTBOOK_D1: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s),
    "gelu": lambda x: 0.5 * (1 + sc.erf(x / np.sqrt(2))) + x * np.exp(-x * x / 2) / np.sqrt(2 * np.pi),
    "silu": lambda x: (s := 1 / (1 + np.exp(-x))) * (1 + x * (1 - s)),
    "tanh": lambda x: 1 - np.tanh(x) ** 2,
}


def _torch_kernels() -> dict[str, Callable] | None:
    """symact name → torch's function, from the spelling table (symact.parity builds the same)."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return None
    from symact.parity import _key, _spelled_kernels

    spelled = _spelled_kernels("torch")
    out = {}
    for name in symact.names():
        try:
            out[name] = _key(spelled, "torch", name)
        except symact.SymactError:
            pass
    return out


def _numpy_only(name: str, order: int) -> Callable:
    f = NUMPY.build(prepare(name, order))
    f.compiled = None  # NumPy's kernels at every size
    return f


def _time(func: Callable, arg: object, repeat: int) -> float:
    return _time_interleaved([func], arg, repeat)[0]


def _time_interleaved(funcs: list[Callable], arg: object, repeat: int) -> list[float]:
    """Best of ``repeat`` for each function, the functions taking turns: NumPy's fresh temporaries cost
    more or less (page faults) with the allocator's state, which the turns share. Each turn is in a new (seeded)
    order: in a fixed order the function after the NumPy-only kernels (100 ms of temporaries) always met their
    cache and allocator state, and measured up to 1.4x its time (SiLU' at 10⁶: 5.2 ms first in the order against
    3.6 for the same loop third, on an AVX-512 Xeon)."""
    for f in funcs:
        f(arg)
    best = [float("inf")] * len(funcs)
    order = np.random.default_rng(len(funcs))
    for _ in range(repeat):
        for i in order.permutation(len(funcs)):
            t = time.perf_counter()
            funcs[i](arg)
            best[i] = min(best[i], time.perf_counter() - t)
    return best


def sweep_grid(quick: bool) -> np.ndarray:
    """Seeded uniform random points: [−40, 40] and, denser, [−3, 3] (roots and kinks) — between the
    standard grid's points, where a worst case can hide."""
    rng = np.random.default_rng(2026)
    n = 4000 if quick else 40000
    return np.sort(np.concatenate([rng.uniform(-40, 40, n), rng.uniform(-3, 3, n // 4)]))


def accuracy_table(quick: bool) -> list[str]:
    step = 0.1 if quick else 0.01
    g64, g32 = standard_grid(np.float64, dense_step=step), standard_grid(np.float32, dense_step=step)
    sweep = sweep_grid(quick)
    rows = ["| function | f64 max ulp | f64 median | worst x | cancellation excess | random sweep max ulp "
            "(excess) | f32 max ulp | numba f64 (sweep) | C f64 (sweep) | textbook f64 max ulp |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name in symact.names():
        for order in (0, 1):
            r = measure(name, derivative=order, grid=g64)
            rs = measure(name, derivative=order, grid=sweep)
            r32 = measure(name, derivative=order, dtype=np.float32, grid=g32)
            plain = measure(name, derivative=order, grid=g64, func=symact.lambdify(name, derivative=order,
                                                                                 lowering=False))
            textbook = f"{plain.max_ulp:.3g}" + (f" ({len(plain.special_failures)}+ special failures)"
                                                 if plain.special_failures else "")
            compiled = []
            for backend in ("numba", "c"):
                f = symact.lambdify(name, derivative=order, backend=backend)
                rb, rbs = measure(name, derivative=order, grid=g64, func=f), measure(name, derivative=order,
                                                                                    grid=sweep, func=f)
                compiled.append(f"{rb.max_ulp:.3g} ({rbs.max_ulp:.3g})")
            label = name + ("'" if order else "")
            rows.append(f"| {label} | {r.max_ulp:.3g} | {r.median_ulp:.2g} | {r.worst_x:.4g} | "
                        f"{r.cancellation_excess:.3g} | {rs.max_ulp:.3g} ({rs.cancellation_excess:.3g}) at "
                        f"{rs.worst_x:.6g} | {r32.max_ulp:.3g} | {' | '.join(compiled)} | {textbook} |")
            print(rows[-1], file=sys.stderr, flush=True)
    return rows


def speed_table(quick: bool, only: list[str] | None = None) -> list[str]:
    """Every activation and first derivative (with --quick: those with a hand-written textbook formula; with
    ``only``: those entries)."""
    torch_k = _torch_kernels() or {}
    threads = None
    if torch_k:
        import torch

        threads = torch.get_num_threads()
    sizes = (10**6, 10**7)
    rows = ["| function | n | default (ms) | textbook NumPy (ms) | **default / textbook** | numba backend (ms) | "
            "NumPy kernels only (ms) | fast=True (ms) | torch 1 thread (ms) | torch default (ms) | "
            "default / torch 1 thread |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    names = [n for n in symact.names() if (not quick or n in TEXTBOOK) and (only is None or n in only)]
    rng = np.random.default_rng(0)
    for n in sizes:
        xs = rng.normal(scale=4, size=n)
        for name in names:
            for order in (0, 1):
                hand = (TEXTBOOK if order == 0 else TEXTBOOK_D1).get(name)
                textbook = hand or symact.lambdify(name, derivative=order, lowering=False)
                impls = [symact.lambdify(name, derivative=order), textbook,
                         symact.lambdify(name, derivative=order, backend="numba"), _numpy_only(name, order),
                         symact.lambdify(name, derivative=order, fast=True)]
                with np.errstate(all="ignore"):  # the textbook formulas overflow; warnings cost time
                    t = _time_interleaved(impls, xs, 7 if n < 10**7 else 5)
                torch_cells = ["–", "–", "–"]
                if order == 0 and name in torch_k:
                    import torch

                    tx = torch.from_numpy(xs)
                    torch.set_num_threads(1)
                    t1 = _time(torch_k[name], tx, 7)
                    torch.set_num_threads(threads)
                    tn = _time(torch_k[name], tx, 7)
                    torch_cells = [f"{t1 * 1e3:.2f}", f"{tn * 1e3:.2f}", f"{t[0] / t1:.2f}"]
                label = name + ("'" if order else "") + ("" if hand else " (textbook: as written)")
                rows.append(f"| {label} | {n:.0e} | {t[0] * 1e3:.2f} | {t[1] * 1e3:.2f} | **{t[0] / t[1]:.2f}** | "
                            f"{t[2] * 1e3:.2f} | {t[3] * 1e3:.2f} | {t[4] * 1e3:.2f} | {' | '.join(torch_cells)} |")
                print(rows[-1], file=sys.stderr, flush=True)
    return rows


PARALLEL = ("gelu", "silu", "mish", "gelu_tanh", "elu")
"""Entries the threads table times (the compiled loop's cost ranges from ELU's 6 ms to GELU's 12 ms at 10⁶)."""


def threads_table() -> list[str]:
    """The default path with SYMACT_THREADS=1 and =auto (every core this process may use), taking turns."""
    from symact.backends.numba import threads

    os.environ["SYMACT_THREADS"] = "auto"
    cores = threads()
    rows = [f"| function | n | 1 thread (ms) | {cores} threads (ms) | speed-up |", "| --- | --- | --- | --- | --- |"]
    rng = np.random.default_rng(0)
    for n in (10**6, 10**7):
        xs = rng.normal(scale=4, size=n)
        for name in PARALLEL:
            for order in (0, 1):
                f = symact.lambdify(name, derivative=order)

                def with_threads(setting: str, f: Callable = f) -> Callable:
                    def run(v: np.ndarray) -> object:
                        os.environ["SYMACT_THREADS"] = setting
                        return f(v)
                    return run

                t = _time_interleaved([with_threads("1"), with_threads("auto")], xs, 7 if n < 10**7 else 5)
                rows.append(f"| {name}{chr(39) if order else ''} | {n:.0e} | {t[0] * 1e3:.2f} | {t[1] * 1e3:.2f} | "
                            f"{t[0] / t[1]:.2f} |")
                print(rows[-1], file=sys.stderr, flush=True)
    os.environ["SYMACT_THREADS"] = "1"
    return rows


def widths_table() -> list[str]:
    """The compiled loop of every activation and first derivative vectorized for 256- and for 512-bit registers
    (``SYMACT_VECTOR_WIDTH``), taking turns at 10⁶ (the numba backend; entries whose lowered form does not vectorize
    have no loop and no row), and whether the two give the same bits (they should: the same operations)."""
    from symact.backends.numba import NUMBA, vectorizes

    rows = ["| function | 256-bit (ms) | 512-bit (ms) | 512 / 256 | same bits |", "| --- | --- | --- | --- | --- |"]
    xs = np.random.default_rng(0).normal(scale=4, size=10**6)
    saved = os.environ.get("SYMACT_VECTOR_WIDTH")
    try:
        for name in symact.names():
            for order in (0, 1):
                prepared = prepare(name, order)
                if not vectorizes(NUMPY.build(prepared).lowered):
                    continue
                funcs = []
                for width in ("256", "512"):
                    os.environ["SYMACT_VECTOR_WIDTH"] = width  # read when the loop is built
                    funcs.append(NUMBA.build(prepared))
                with np.errstate(all="ignore"):
                    t = _time_interleaved(funcs, xs, 15)
                    same = np.array_equal(funcs[0](xs), funcs[1](xs), equal_nan=True)
                rows.append(f"| {name}{chr(39) if order else ''} | {t[0] * 1e3:.2f} | {t[1] * 1e3:.2f} | "
                            f"{t[1] / t[0]:.2f} | {'yes' if same else '**no**'} |")
                print(rows[-1], file=sys.stderr, flush=True)
    finally:
        if saved is None:
            os.environ.pop("SYMACT_VECTOR_WIDTH", None)
        else:
            os.environ["SYMACT_VECTOR_WIDTH"] = saved
    return rows


_LATENCY = """
import sys, time
t0 = time.perf_counter(); import numpy as np, symact; t1 = time.perf_counter()
f = symact.lambdify("gelu", backend="numba"); f(np.zeros(4)); t2 = time.perf_counter()
print(t1 - t0, t2 - t1, int("numba" in sys.modules))
"""

_COMPILE_ALL = """
import time, numpy as np, symact
t = time.perf_counter()
for name in symact.names():
    for order in (0, 1):
        symact.lambdify(name, derivative=order, backend="numba")(np.zeros(4))
print(time.perf_counter() - t)
"""


# numba's own floor: the first call of a trivial cached loop in a fresh process (numba loads its lowering
# registries on the first compile or cache load, whatever the kernel)
_NUMBA_FLOOR_MODULE = """
import numba

@numba.njit(cache=True)
def double(x, out):
    for i in range(x.size):
        out[i] = 2.0 * x[i]
    return 0
"""
_NUMBA_FLOOR = """
import sys, time, numpy as np
t = time.perf_counter(); import numba; t1 = time.perf_counter()
sys.path.insert(0, sys.argv[1]); import floor_module
t2 = time.perf_counter(); floor_module.double(np.zeros(4), np.zeros(4)); print(t1 - t, time.perf_counter() - t2)
"""


def _fresh(code: str, cache: str) -> list[float]:
    """Run ``code`` in a fresh interpreter whose numba and symact caches live in ``cache``."""
    env = {**os.environ, "SYMACT_CACHE": cache, "NUMBA_CACHE_DIR": os.path.join(cache, "numba-cache")}
    out = subprocess.run([sys.executable, "-c", code, cache], capture_output=True, text=True, check=True, env=env)
    return [float(v) for v in out.stdout.split()]


def compiled_table() -> list[str]:
    """``import symact`` and the first call of GELU's kernel, cold and cached, each in a fresh process (best of 3
    fresh cache folders); numba's own floor (its import, and the first call of a trivial loop from numba's cache);
    compiling every kernel (37 entries, values and first derivatives) from empty caches."""
    import tempfile

    cold, cached, floor = [], [], []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as cache:
            cold.append(_fresh(_LATENCY, cache))
            cached.append(_fresh(_LATENCY, cache))
            with open(os.path.join(cache, "floor_module.py"), "w") as f:
                f.write(_NUMBA_FLOOR_MODULE)
            _fresh(_NUMBA_FLOOR, cache)  # compiles into the cache
            floor.append(_fresh(_NUMBA_FLOOR, cache))
    with tempfile.TemporaryDirectory() as cache:
        everything = _fresh(_COMPILE_ALL, cache)[0]
    best = [min(col) for col in zip(*cold, strict=True)]
    best_cached = [min(col) for col in zip(*cached, strict=True)]
    best_floor = [min(col) for col in zip(*floor, strict=True)]
    imported = "imports numba" if max(c[2] for c in cached) else "numba not imported"
    return [
        "| step (fresh process, best of 3) | seconds |", "| --- | --- |",
        f"| `import symact` | {best_cached[0]:.3f} |",
        f"| first call of GELU's numba kernel, empty caches (imports numba, compiles, saves the object code) "
        f"| {best[1]:.3f} |",
        f"| first call of GELU's numba kernel, cached (target < 0.3; {imported}) | {best_cached[1]:.3f} |",
        f"| for comparison: `import numba` | {best_floor[0]:.3f} |",
        f"| for comparison: numba's floor, the first call of a trivial loop from numba's cache | {best_floor[1]:.3f} |",
        f"| compile every kernel (values and first derivatives of {len(symact.names())} entries), empty caches "
        f"| {everything:.1f} |",
    ]


def symbolic_table() -> list[str]:
    """series(name, 20) and derivative(name, 4) for every entry, in this process (SymPy's cache cleared before
    each): targets < 5 s and < 1 s; each is stopped after 30 s (symact's time budget)."""
    from sympy.core.cache import clear_cache

    rows = ["| entry | series to x²⁰ (s) | 4th derivative (s) |", "| --- | --- | --- |"]
    for name in symact.names():
        clear_cache()
        t = time.perf_counter()
        try:
            symact.series(name, 20, timeout=30)
            series = f"{time.perf_counter() - t:.2f}"
        except symact.UndecidedError:  # the budget, or a branch condition on a parameter (hardshrink's λ)
            series = "> 30 (budget)" if time.perf_counter() - t > 29 else "undecided (a kink at λ)"
        except symact.NotAnalyticError:
            series = "not analytic at 0"
        except symact.SymactError as exc:  # a kink whose side depends on a parameter (hardshrink's λ)
            series = f"undecided ({type(exc).__name__})"
        clear_cache()
        t = time.perf_counter()
        try:
            symact.derivative(name, 4, timeout=30)
            fourth = f"{time.perf_counter() - t:.2f}"
        except symact.UndecidedError:
            fourth = "> 30 (budget)"
        rows.append(f"| {name} | {series} | {fourth} |")
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


def _erfcx_ours(a: np.ndarray) -> np.ndarray:
    from symact.kernels.erfcx import erfcx_dd

    hi, lo = erfcx_dd(a)
    return hi + lo


def library_table(points: int = 400) -> list[str]:
    """Max ulp error of the NumPy/SciPy primitives the lowering builds on, against mpmath: the floor
    under what any composition of them can reach (seeded uniform samples per range)."""
    import mpmath as mp

    rng = np.random.default_rng(7)
    cases = [
        ("numpy.exp", np.exp, mp.exp, (-700, 700)),
        ("numpy.tanh", np.tanh, mp.tanh, (-20, 20)),
        ("numpy.log1p", np.log1p, mp.log1p, (0, 40)),
        ("numpy.expm1", np.expm1, mp.expm1, (-40, 40)),
        ("scipy.special.expit", sc.expit, lambda v: 1 / (1 + mp.exp(-v)), (-40, 40)),
        # where 1 + e^{−z} passes 2^53 and rounds (a tie): SciPy's expit vs symact's σ kernel
        ("scipy.special.expit", sc.expit, lambda v: 1 / (1 + mp.exp(-v)), (-37.4, -36.7)),
        ("symact σ (numeric._expit)", _expit, lambda v: 1 / (1 + mp.exp(-v)), (-37.4, -36.7)),
        ("scipy.special.erfc", sc.erfc, mp.erfc, (-1, 0.5)),
        ("scipy.special.erfc", sc.erfc, mp.erfc, (0.5, 4)),
        ("scipy.special.erfc", sc.erfc, mp.erfc, (4, 26)),
        ("scipy.special.erfcx", sc.erfcx, lambda v: mp.exp(v * v) * mp.erfc(v), (0, 0.5)),
        ("scipy.special.erfcx", sc.erfcx, lambda v: mp.exp(v * v) * mp.erfc(v), (0.5, 4)),
        ("scipy.special.erfcx", sc.erfcx, lambda v: mp.exp(v * v) * mp.erfc(v), (4, 50)),
        # ours (symact.kernels.erfcx, hi + lo rounded once) on the same ranges
        ("symact.kernels.erfcx.erfcx_dd", _erfcx_ours, lambda v: mp.exp(v * v) * mp.erfc(v), (0, 0.5)),
        ("symact.kernels.erfcx.erfcx_dd", _erfcx_ours, lambda v: mp.exp(v * v) * mp.erfc(v), (0.5, 4)),
        ("symact.kernels.erfcx.erfcx_dd", _erfcx_ours, lambda v: mp.exp(v * v) * mp.erfc(v), (4, 50)),
    ]
    rows = ["| function | range | max ulp | 99th percentile |", "| --- | --- | --- | --- |"]
    with mp.workdps(40):
        for label, f, exact, (lo, hi) in cases:
            xs = rng.uniform(lo, hi, points)
            errs = []
            for v, g in zip(xs, f(xs), strict=True):
                e = exact(mp.mpf(float(v)))
                _, expo = mp.frexp(e)
                errs.append(float(abs(mp.mpf(float(g)) - e) / mp.ldexp(1, int(expo) - 53)))
            rows.append(f"| {label} | [{lo}, {hi}] | {max(errs):.2f} | {np.quantile(errs, 0.99):.2f} |")
    return rows


def cold_catalog_seconds() -> float:
    """Every entry's first and second derivatives, limits at ±∞ and series to x⁸, in a fresh interpreter (what
    SymPy cannot decide — a kink at a symbolic parameter — counts its time and is skipped)."""
    code = ("import time; t = time.perf_counter(); import sympy as sp, symact\n"
            "for n in symact.names():\n"
            "    a = symact.get(n)\n"
            "    for step in (lambda: symact.derivative(a, 1), lambda: symact.derivative(a, 2),\n"
            "                 lambda: symact.limit(a, sp.oo), lambda: symact.limit(a, -sp.oo),\n"
            "                 lambda: symact.series(a, 9)):\n"
            "        try:\n            step()\n        except symact.SymactError:\n            pass\n"
            "print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def symbolic_section(colds: list[float] | None = None) -> list[str]:
    colds = colds or [cold_catalog_seconds() for _ in range(3)]
    return [
        "## Symbolic",
        "",
        f"Cold derivation of the whole catalog (1st and 2nd derivatives, limits at ±∞, series to x⁸): "
        f"{min(colds):.2f} s, best of 3 fresh interpreters ({', '.join(f'{c:.2f}' for c in colds)}; target < 3 s on "
        "2 cores).",
        "",
        *symbolic_table(),
    ]


def _replace_section(path: Path, heading: str, section: list[str]) -> int:
    """Swap the section that starts at ``heading`` (up to the next heading of its level) for ``section``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if heading not in lines:
        print(f"{path} has no '{heading}' section: run the whole benchmark first", file=sys.stderr)
        return 2
    start = lines.index(heading)
    level = heading.split(" ")[0] + " "
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith(level)), len(lines))
    path.write_text("\n".join([*lines[:start], *section, *lines[end:]]) + "\n", encoding="utf-8")
    print(f"wrote the '{heading}' section of {path}")
    return 0


def _cpu() -> str:
    """The CPU the figures were measured on (they move with it: NumPy's AVX-512 exp, for one)."""
    name, flags = platform.processor() or platform.machine(), ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            info = dict(line.split(":", 1) for line in f if ":" in line)
        name = " ".join(info.get("model name\t", name).split())
        found = info.get("flags\t\t", "").split()
        flags = " AVX-512" if "avx512f" in found else " AVX2" if "avx2" in found else ""
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{name}{flags}, {cores} cores"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="accuracy on a 10x coarser grid (minutes, not an hour); speed only for the entries "
                             "with a hand-written textbook formula")
    parser.add_argument("--out", default="benchmarks/RESULTS.md", help="Markdown file to write")
    parser.add_argument("--library", action="store_true", help="print only the primitives' accuracy table")
    parser.add_argument("--speed", action="store_true", help="print only the speed and compiled-kernel tables")
    parser.add_argument("--no-accuracy", action="store_true",
                        help="leave out the accuracy tables (an hour with --quick on 37 entries; the tests hold the "
                             "targets)")
    parser.add_argument("--symbolic", action="store_true",
                        help="measure only the symbolic section and replace it in --out (the other sections stay)")
    parser.add_argument("--only", help="with --speed: only these entries' rows, comma-separated (no compiled table)")
    parser.add_argument("--threads", action="store_true",
                        help="print only the SYMACT_THREADS table (1 thread against every core, taking turns)")
    parser.add_argument("--widths", action="store_true",
                        help="print only the SYMACT_VECTOR_WIDTH table (256- against 512-bit loops, taking turns)")
    args = parser.parse_args()
    if args.widths:
        print("\n".join(widths_table()))
        return 0
    if args.threads:
        print("\n".join(threads_table()))
        return 0
    if args.symbolic:
        return _replace_section(Path(args.out), "## Symbolic", symbolic_section())
    if args.library:
        print("\n".join(library_table()))
        return 0
    if args.speed and args.only:
        print("\n".join(speed_table(args.quick, args.only.split(","))))
        return 0
    if args.speed:
        print("\n".join([*speed_table(args.quick), "", *compiled_table()]))
        return 0
    colds = [cold_catalog_seconds() for _ in range(3)]  # each in a fresh interpreter, before anything warms up
    lines = [
        "# Benchmark results",
        "",
        f"Generated by `python benchmarks/bench.py{' --quick' if args.quick else ''}"
        f"{' --no-accuracy' if args.no_accuracy else ''}` on {platform.machine()} ({_cpu()}), "
        f"Python {platform.python_version()}, NumPy {np.__version__}.",
        "",
        *(["Accuracy tables left out (`--no-accuracy`): the tests hold every backend to the targets "
            "(tests/test_accuracy.py, tests/test_roots.py, tests/backends/)."] if args.no_accuracy else [
            "## Accuracy (ulp against mpmath; targets: f64 ≤ 2, f32 ≤ 1; derivatives near roots: "
            "cancellation excess ≤ 2)",
            "",
            "Standard grid: symact.accuracy.standard_grid (dense [−40, 40], tails, subnormals, specials). Random "
            "sweep: seeded uniform points on [−40, 40] and [−3, 3] (`sweep_grid`), between the grid's points; the "
            "figure in parentheses is the cancellation excess there.",
            "",
            *accuracy_table(args.quick),
            "",
            "## Accuracy of the primitives (the floor under any composition of them)",
            "",
            *library_table()]),
        "",
        "## Speed",
        "",
        "float64, single thread (NumPy and numba are; torch is also timed with its default threads), best of 7 (5 "
        "at 10⁷) with the implementations taking turns in one run. Target: default ≤ 1.0× the textbook formula.",
        "",
        *speed_table(args.quick),
        "",
        "## Compiled kernels (numba)",
        "",
        *compiled_table(),
        "",
        "## Threads (`SYMACT_THREADS`, reported apart: the targets above are single-thread)",
        "",
        *threads_table(),
        "",
        "## Vector width (`SYMACT_VECTOR_WIDTH`: the default, `auto`, takes 512 bits where the CPU has AVX-512F)",
        "",
        *widths_table(),
        "",
        *symbolic_section(colds),
    ]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
