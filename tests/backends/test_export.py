from __future__ import annotations

import numpy as np
import pytest

import symact

GRID = np.concatenate([np.linspace(-40, 40, 801), [-700.0, 700.0, 0.0]])


@pytest.mark.parametrize("name", symact.names())
@pytest.mark.parametrize("order", [0, 1])
def test_exported_module_matches_lambdify(name, order):
    code = symact.export(name, derivative=order)
    namespace: dict = {}
    exec(compile(code, f"<export {name}>", "exec"), namespace)  # our own generated module
    func = namespace[name + ("" if order == 0 else f"_d{order}")]
    ours = symact.lambdify(name, derivative=order)
    # the same stable form; CSE may order operations differently, so allow a few ulp
    # (products of tiny factors near the underflow threshold lose bits in either order: atol there)
    np.testing.assert_allclose(func(GRID), ours(GRID), rtol=1e-14, atol=1e-295)
    assert func(np.ones((2, 3), np.float32)).dtype == np.float32
    assert func(np.ones((2, 3))).shape == (2, 3)


def test_export_with_parameters_and_errors():
    code = symact.export("swish", beta=2.5)
    namespace: dict = {}
    exec(code, namespace)
    assert abs(namespace["swish"](1.0) - symact.lambdify("swish", beta=2.5)(1.0)) < 1e-16
    with pytest.raises(symact.InvalidArgumentError, match="choose numpy"):
        symact.export("gelu", backend="fortran")
    with pytest.raises(symact.UnknownParameterError):
        symact.export("gelu", beta=1)


@pytest.mark.parametrize("name", symact.names())
def test_torch_source_puts_every_constant_on_the_input_device(name):
    """A CPU tensor next to a CUDA one is an error in torch.where (found on an H100, see
    docs/torch_backend_cuda.md); CI has no GPU, so the generated code is checked for the pattern."""
    import re

    for order in (0, 1):
        code = symact.export(name, backend="torch", derivative=order)
        calls = re.findall(r"torch\.(?:as_tensor|tensor|full|zeros|ones)\((?:[^()]|\([^()]*\))*\)", code)
        assert calls, code
        # the erfcx table (GELU) is built per device, for the device of the tensor it is used with
        on_input = ("device=x.device",) + (("device=device",) if "_erfcx_arrays(u.device)" in code else ())
        bad = [c for c in calls if not any(d in c for d in on_input)]
        assert not bad, bad


_RUNNER = r"""
import importlib.util, sys
import numpy as np
sys.modules["symact"] = None  # any `import symact` in an exported module now fails
try:
    import symact  # noqa: F401
except ImportError:
    pass
else:
    raise SystemExit("symact is importable in the sandbox")
folder = sys.argv[1]
grid64, grid32 = np.load(folder + "/grid64.npy"), np.load(folder + "/grid32.npy")
for line in open(folder + "/modules.txt"):
    stem, func = line.split()
    spec = importlib.util.spec_from_file_location(stem, f"{folder}/{stem}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[stem] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    f = getattr(module, func)
    np.save(f"{folder}/{stem}.64.npy", f(grid64))
    np.save(f"{folder}/{stem}.32.npy", f(grid32))
"""


@pytest.mark.parametrize("which", ["gelu-silu", pytest.param("every-activation", marks=pytest.mark.slow)])
def test_exported_numpy_modules_equal_lambdify_bit_for_bit(tmp_path, which):
    """Every activation and first derivative, default and fast=True: the exported module, run where symact
    cannot be imported, gives lambdify(..., backend="numpy")'s bits on the standard grid (float64 and float32).
    In float32 the export computes in float64 and rounds once (it has no oracle), which is lambdify's path with
    its correct rounding (``narrow``) switched off. The fast suite runs GELU and SiLU; the slow set every entry."""
    import copy
    import subprocess
    import sys

    from symact.accuracy import standard_grid

    grid64, grid32 = standard_grid(), standard_grid(np.float32)
    np.save(tmp_path / "grid64.npy", grid64)
    np.save(tmp_path / "grid32.npy", grid32)
    names = ["gelu", "silu"] if which == "gelu-silu" else symact.names()
    cases = [(name, order, fast) for name in names for order in (0, 1) for fast in (False, True)]
    lines = []
    for name, order, fast in cases:
        stem = f"{name}_{order}_{'fast' if fast else 'default'}"
        (tmp_path / f"{stem}.py").write_text(symact.export(name, derivative=order, fast=fast, name="f"))
        lines.append(f"{stem} f\n")
    (tmp_path / "modules.txt").write_text("".join(lines))
    run = subprocess.run([sys.executable, "-c", _RUNNER, str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    for name, order, fast in cases:
        stem = f"{name}_{order}_{'fast' if fast else 'default'}"
        ours = copy.copy(symact.lambdify(name, derivative=order, fast=fast))
        ours.narrow = None
        for bits, grid in (("64", grid64), ("32", grid32)):
            got, want = np.load(tmp_path / f"{stem}.{bits}.npy"), ours(grid)
            assert got.dtype == want.dtype, (stem, bits)
            same = (got.view(np.uint8) == want.view(np.uint8)).reshape(got.shape + (-1,)).all(axis=-1)
            assert same.all(), (stem, bits, grid[~same][:5], got[~same][:5], want[~same][:5])
