from __future__ import annotations

import numpy as np
import pytest
from helpers import skip_or_fail

from symact import parity


def _require(name):
    try:
        __import__(name)
    except ImportError:
        skip_or_fail(f"SYMACT_REQUIRE_{name.upper()}", f"{name} not installed: pip install -e '.[{name}]'")


@pytest.mark.parametrize("framework", ["torch", "jax"])
def test_conventions_are_measured(framework):
    _require(framework)
    rows = {q: (theirs, ours) for _, q, theirs, ours in parity.conventions(framework)}
    # REFERENCE.md: PyTorch's default GELU is exact, JAX's is the tanh approximation
    assert rows["default gelu(x) is"][0] == ("exact (erf)" if framework == "torch" else "the tanh approximation")
    # PyTorch's softplus is linear past threshold=20: softplus(25) - 25 is exactly 0 there, e^-25 in JAX
    gap = float(rows["softplus(25) - 25"][0])
    assert (gap == 0.0) if framework == "torch" else abs(gap / np.exp(-25) - 1) < 1e-3  # printed to 4 digits
    assert rows["relu'(0)"] == ("0", "0")


def test_accuracy_rows_cover_shipped_kernels():
    _require("torch")
    rows = parity.accuracy_rows("torch", dense_step=1.0, tail_points=10)
    names = {r.name for r in rows}
    # a row for every function-call spelling of the table (blocks and class forms such as nn.PReLU() aside)
    from symact.spellings import TORCH

    spelled = {TORCH.written(s) for s in TORCH.spellings if s.call.startswith(("torch.nn.functional.", "torch.s",
                                                                                 "torch.t"))}
    assert spelled - {"torch:glu"} <= names
    assert {"torch:gelu", "torch:silu", "torch:mish", "torch:softplus", "torch:hardswish", "torch:softsign"} <= names
    ours_gelu = [r for r in rows if r.name == "torch:gelu" and r.dtype == "float64"][0]
    assert ours_gelu.ours_value < ours_gelu.theirs_value  # the erfc left tail: ours is the accurate one
    # measured against what the spelling resolves to: torch's own softplus (threshold 20) is then not "wrong"
    softplus = [r for r in rows if r.name == "torch:softplus" and r.dtype == "float64"][0]
    assert softplus.theirs_value < 4


def test_cuda_without_a_gpu_is_a_clear_error():
    _require("torch")
    import torch

    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present: nothing to refuse")
    with pytest.raises(Exception, match="no CUDA device"):
        parity.conventions("torch", device="cuda")


def test_recorded_outputs_measure_as_the_live_framework():
    """The GPU machine records (parity.record) and this one measures: the rows must be those of a live run."""
    _require("torch")
    recorded = parity.record("torch", dense_step=1.0, tail_points=10)
    assert recorded.conventions == parity.conventions("torch")
    live = parity.accuracy_rows("torch", dense_step=1.0, tail_points=10)
    assert parity.accuracy_rows("torch", dense_step=1.0, tail_points=10, recorded=recorded) == live
    # measured at the recorded points, not at this machine's grid (another NumPy's logspace can differ by an ulp)
    with np.errstate(over="ignore"):  # the grid's largest double moves to inf: moved too
        moved = {k: g * (1 + np.finfo(g.dtype).eps) for k, g in recorded.grids.items()}
    replayed = parity.Recorded("torch", recorded.version, recorded.outputs, recorded.conventions, moved)
    assert parity.accuracy_rows("torch", dense_step=1.0, tail_points=10, recorded=replayed) != live
