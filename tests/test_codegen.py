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
