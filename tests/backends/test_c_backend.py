"""C99 and CUDA exports: compiled by the system C compiler (as written, and again with FMA contraction forced on),
called through ctypes and held to the NumPy targets against mpmath; the CUDA header compile-checked by nvcc, and
run on the GPU and held to the same targets where one is present (SYMACT_REQUIRE_GPU=1 makes its absence fail)."""

from __future__ import annotations

import platform
import re
import shutil
import subprocess

import mpmath as mp
import numpy as np
import pytest
from helpers import assert_agrees_with_numpy, assert_meets_targets, skip_or_fail
from test_accuracy import BANDS, GRID, GRID32, KNOWN_GAPS, SWEEP, TAILS64, VALUE_ROOTS

import symact
from symact.accuracy import measure
from symact.backends.c import C, c_name, compiler, run_cuda
from symact.errors import BackendUnavailableError
from symact.evaluate import prepare

# The fast suite compiles GELU (the erfcx table, double-double products, a root patch); every entry, with both
# compilations, runs in the slow set.
FAST = {"gelu"}
CASES = [pytest.param(n, d, id=f"{n}-d{d}", marks=() if n in FAST else pytest.mark.slow)
         for n in symact.names() for d in (0, 1)]
# -ffp-contract=fast lets GCC fuse every a*b + c it sees (GCC ignores #pragma STDC FP_CONTRACT); -mfma gives it
# the instruction on x86-64 (elsewhere FMA is part of the base instruction set)
CONTRACTED = ("-O2", "-ffp-contract=fast", *(("-mfma",) if platform.machine() in ("x86_64", "AMD64") else ()))

# Results whose factors underflow while the product is normal: NumPy re-evaluates them in longdouble, the C header
# has no portable wider range. Measured on BANDS' 301 points each (README, Accuracy and speed): the bound here
# keeps the gap from growing unnoticed. GELU-tanh' (1206 ulp before) applies σ's 2ⁿ last (dx_expit_cubic): none.
C_UNDERFLOW_GAPS = {("gelu", 1): 8.0}


pytestmark = pytest.mark.usefixtures("private_cache")


@pytest.fixture(autouse=True, scope="module")
def _compiler():
    if compiler() is None:
        skip_or_fail("SYMACT_REQUIRE_CC", "no C compiler (cc or $CC)")


@pytest.mark.parametrize("flags", [("-O2",), CONTRACTED], ids=["O2", "fp-contract-fast"])
@pytest.mark.parametrize(("name", "order"), CASES)
def test_compiled_header_meets_the_numpy_targets(name, order, flags):
    """double: ≤ 2 ulp on the standard grid, beyond float32's range and on test_accuracy's seeded sweep (derivatives
    near roots: the cancellation criterion); float (computed in double, rounded once): ≤ 1 ulp of the correctly
    rounded value."""
    f = C.build(prepare(name, order), flags=flags)
    for grid in (GRID, TAILS64, SWEEP):
        assert_meets_targets(name, order, measure(name, derivative=order, grid=grid, func=f),
                             value_roots=VALUE_ROOTS, gaps=KNOWN_GAPS)
    r32 = measure(name, derivative=order, dtype=np.float32, grid=GRID32, func=f)
    assert not r32.special_failures and r32.max_ulp <= 1.0, (r32.max_ulp, r32.worst_x, r32.special_failures)


@pytest.mark.slow  # 2¹⁷ points per entry: the slow set (the fast suite holds GELU to the grid above)
@pytest.mark.parametrize(("name", "order"), CASES)
def test_agrees_with_the_numpy_kernels_on_a_random_sweep(name, order):
    """The compiled header against NumPy's kernels on a seeded sweep (tests/helpers.py: assert_agrees_with_numpy)."""
    # the underflow bands are test_underflowing_factors_without_a_rescue's (GELU' near −37.7, GELU-10' alike)
    bands = tuple(BANDS[(base, order)] for base in ("gelu", "gelu_tanh") if name.startswith(base) and
                  (base, order) in BANDS)
    assert_agrees_with_numpy(name, order, C.build(prepare(name, order)), skip=bands)


@pytest.mark.slow  # tests/test_accuracy.py checks NumPy's rescue in the fast suite
@pytest.mark.parametrize(("name", "order"), list(BANDS), ids=[f"{n}-d{d}" for n, d in BANDS])
def test_underflowing_factors_without_a_rescue(name, order):
    """Where NumPy's longdouble rescue acts, the C header stays within the measured gap (2 ulp elsewhere)."""
    lo, hi = BANDS[(name, order)]
    r = measure(name, derivative=order, grid=np.linspace(lo, hi, 301), func=symact.lambdify(name, derivative=order,
                                                                                              backend="c"))
    assert not r.special_failures, r.special_failures
    assert r.max_ulp <= C_UNDERFLOW_GAPS.get((name, order), 2.0), (r.max_ulp, r.worst_x)


def _program(tmp_path, headers: dict[str, str], body: str) -> str:
    for file, text in headers.items():
        (tmp_path / file).write_text(text, encoding="utf-8")
    includes = "".join(f'#include "{file}"\n' for file in headers)
    (tmp_path / "main.c").write_text(f"#include <stdio.h>\n{includes}int main(void) {{\n{body}\n    return 0;\n}}\n",
                                     encoding="utf-8")
    exe = tmp_path / "main"
    subprocess.run([compiler(), "-O2", "-std=c99", "-Wall", "-Werror", "-Wno-unused-function", str(tmp_path / "main.c"),
                    "-o", str(exe), "-lm"], check=True, capture_output=True, text=True)
    return subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout


def test_cli_headers_are_self_contained_and_combine(tmp_path):
    """`symact export NAME --to c` for a value and a derivative: both headers in one program (-Wall -Werror),
    values against mpmath; a name that is a <math.h> function gets _act appended."""
    for name, args in (("gelu.h", ["gelu"]), ("silu_d1.h", ["silu", "--derivative", "1"]), ("tanh.h", ["tanh"])):
        out = tmp_path / name
        run = subprocess.run(["symact", "export", *args, "--to", "c", "-o", str(out)], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
    text = _program(tmp_path, {"gelu.h": (tmp_path / "gelu.h").read_text(), "silu_d1.h": (tmp_path / "silu_d1.h")
                               .read_text(), "tanh.h": (tmp_path / "tanh.h").read_text()},
                    '    printf("%.17g %.17g %.17g %.17g\\n", gelu(-3.5), silu_d1(0.75), tanh_act(0.5), '
                    "(double)gelu_f(2.0f));")
    g, s1, t, g32 = (float(v) for v in text.split())
    with mp.workdps(40):
        x = mp.mpf(-3.5)
        assert abs(g - x * mp.ncdf(x)) <= 2 * np.spacing(abs(g))
        y = mp.mpf(0.75)
        sig = 1 / (1 + mp.exp(-y))
        assert abs(s1 - sig * (1 + y * (1 - sig))) <= 2 * np.spacing(abs(s1))
        assert abs(t - mp.tanh(0.5)) <= np.spacing(t)
        assert g32 == float(np.float32(2 * mp.ncdf(2)))
    assert c_name(prepare("tanh")) == "tanh_act" and c_name(prepare("gelu")) == "gelu"


@pytest.mark.parametrize("which", ["families", pytest.param("all", marks=pytest.mark.slow)])
def test_cuda_header_compiles_with_nvcc(tmp_path, which):
    """Every activation and first derivative in one CUDA translation unit, compiled for the device by nvcc
    (with its default --fmad=true); run on a GPU only when one is lent (benchmarks/device_check.py)."""
    nvcc = shutil.which("nvcc")
    if nvcc is None:
        skip_or_fail("SYMACT_REQUIRE_NVCC", "nvcc (the CUDA toolkit) is not installed")
    names = symact.names() if which == "all" else ["gelu", "silu", "quick_gelu"]
    parts = []
    for name in names:
        for order in (0, 1):
            parts.append(symact.export(name, backend="cuda", derivative=order))
    (tmp_path / "all.cu").write_text("\n".join(parts), encoding="utf-8")
    run = subprocess.run([nvcc, "-c", str(tmp_path / "all.cu"), "-o", str(tmp_path / "all.o")], capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    gelu = parts[names.index("gelu") * 2]
    assert "__global__ void gelu_kernel(" in gelu and "__fma_rn" in gelu and "*/" not in gelu.split("\n", 1)[0]
    assert "warning" not in run.stderr, run.stderr[-3000:]  # unused kernels are marked so (no #177 per function)


def test_products_whose_error_is_taken_are_never_fused():
    """nvcc's --fmad=true lets ptxas fuse a plain product into any add that uses it, also where the rounded product
    is used again (an H200 measured 300-1200 ulp in quick_gelu's and gelu_tanh's left tails from that: two_sum lost
    the low word of k*x). So every product whose rounding error an fma takes, fma(a, b, -p), is p = SYMACT_MUL(a, b)
    (__dmul_rn on CUDA), and two_sum adds through SYMACT_ADD/SUB (__dadd_rn/__dsub_rn): never fused."""
    from symact.kernels.c import kernels_source

    source = kernels_source("cuda")
    taken = re.findall(r"SYMACT_FMA\((\w[\w.]*), (\w[\w.]*), -(\w[\w.]*)\)", source)
    assert len(taken) >= 4, taken
    for a, b, p in taken:
        assert re.search(rf"{re.escape(p)} = SYMACT_MUL\({re.escape(a)}, {re.escape(b)}\)", source), (a, b, p)
    two_sum = source[source.index("symact_two_sum(double a, double b) {"):]
    two_sum = two_sum[:two_sum.index("\n}")]
    assert re.search(r"[^(]\s[-+]\s", two_sum.split("*/")[-1]) is None, two_sum  # no plain + or - left
    assert "#define SYMACT_MUL(a, b) __dmul_rn((a), (b))" in source
    assert "#define SYMACT_ADD(a, b) __dadd_rn((a), (b))" in source


def _require_gpu() -> None:
    """nvidia-smi is the cheap probe: compiling every kernel to learn there is no GPU would cost ~16 s."""
    smi = shutil.which("nvidia-smi")
    if shutil.which("nvcc") is None or smi is None or subprocess.run([smi, "-L"], capture_output=True).returncode:
        skip_or_fail("SYMACT_REQUIRE_GPU", "no GPU (nvidia-smi) or no nvcc: the CUDA export is compile-checked only")


@pytest.fixture(scope="module")
def on_the_gpu(private_cache):
    """Every activation and first derivative's CUDA kernel (nvcc's defaults, --fmad=true) run on the GPU, one program,
    over the grids the C header is held to: ((name, order), grid's name) → outputs."""
    _require_gpu()
    cases = [(n, d) for n in symact.names() for d in (0, 1)]
    prepared = [prepare(n, d) for n, d in cases]
    out = {}
    for key, grid in (("grid", GRID), ("tails", TAILS64), ("grid32", GRID32)):
        for case, row in zip(cases, run_cuda(prepared, grid), strict=True):
            out[(case, key)] = row
    return out


@pytest.mark.parametrize(("name", "order"), CASES)
def test_cuda_export_meets_the_numpy_targets_on_a_gpu(name, order, on_the_gpu):
    """The kernels of `symact export NAME --to cuda` on the GPU: double ≤ 2 ulp (derivatives near roots: the
    cancellation criterion) on the standard grid and beyond float32's range; float ≤ 1 ulp of the correctly rounded
    value. CUDA's libm is not glibc's, and nvcc contracts a*b + c unless told: this is where that would show."""
    for key, grid in (("grid", GRID), ("tails", TAILS64)):
        r = measure(name, derivative=order, grid=grid, func=lambda _g, key=key: on_the_gpu[((name, order), key)])
        assert_meets_targets(name, order, r, value_roots=VALUE_ROOTS, gaps=KNOWN_GAPS)
    r32 = measure(name, derivative=order, dtype=np.float32, grid=GRID32,
                  func=lambda _g: on_the_gpu[((name, order), "grid32")])
    assert not r32.special_failures and r32.max_ulp <= 1.0, (r32.max_ulp, r32.worst_x, r32.special_failures)


def test_running_the_cuda_export_without_a_gpu_is_a_clear_error():
    if shutil.which("nvcc") is None:
        skip_or_fail("SYMACT_REQUIRE_NVCC", "nvcc (the CUDA toolkit) is not installed")
    smi = shutil.which("nvidia-smi")
    if smi is not None and subprocess.run([smi, "-L"], capture_output=True).returncode == 0:
        pytest.skip("a GPU is present: test_cuda_export_meets_the_numpy_targets_on_a_gpu runs instead")
    with pytest.raises(BackendUnavailableError, match="could not run"):
        run_cuda([prepare("relu")], np.linspace(-1, 1, 5))


def test_errors():
    with pytest.raises(BackendUnavailableError, match="export only"):
        symact.lambdify("gelu", backend="cuda")
    with pytest.raises(symact.InvalidArgumentError, match="lowering=False"):
        symact.lambdify("gelu", backend="c", lowering=False)
    import sympy as sp

    with pytest.raises(symact.InvalidArgumentError, match="no C form of besselj"):
        symact.export(sp.besselj(0, symact.x), backend="c")


@pytest.mark.parametrize("flags", [("-O2",), CONTRACTED], ids=["O2", "fp-contract-fast"])
@pytest.mark.parametrize("name", ["silu", *(pytest.param(n, marks=pytest.mark.slow) for n in ("mish", "gelu_tanh",
                                                                                              "gelu"))])
def test_double_double_derivative_is_within_one_ulp(name, flags):
    """The double-double SiLU', Mish', GELU-tanh' and GELU' of symact.kernels.c on tests/test_accuracy.py's grid (roots
    included)."""
    from test_accuracy import _ROOTS, dd_grid

    f = C.build(prepare(name, 1), flags=flags)
    r = measure(name, derivative=1, grid=dd_grid(_ROOTS.get(name, _ROOTS["sigmoid"])), func=f)
    assert not r.special_failures and r.normal_points > 1500 and r.max_ulp <= 1.0, (r.max_ulp, r.worst_x)
