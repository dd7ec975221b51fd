"""Assertions for users' test suites: ``assert_matches`` holds an implementation's narrow-precision output to
the correctly rounded values of a definition, and names the worst input when it fails."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import InvalidArgumentError
from .lowprec.audit import Comparison
from .lowprec.formats import every_input, get_format
from .lowprec.rounding import rounded
from .symbolic.calculus import ActOrExpr


def assert_matches(values: Any, name: ActOrExpr, dtype: Any, ulp: float = 0, *, x: Any = None, derivative: int = 0,
                   **params: Any) -> Comparison:
    """Assert that ``values`` (at inputs ``x``, or at every finite input of a 16- or 8-bit ``dtype`` in the order
    of :func:`symact.lowprec.every_input` when ``x`` is None) are within ``ulp`` values of ``dtype`` of the
    correctly rounded values of ``name``; NaN must match NaN. Returns the comparison."""
    fmt = get_format(dtype)
    inputs = every_input(fmt) if x is None else np.asarray(x)
    got = np.asarray(values.detach().cpu().float().numpy() if hasattr(values, "detach") else values)
    if got.shape != inputs.shape:
        raise InvalidArgumentError(f"values have shape {got.shape} but the inputs {inputs.shape}"
                                   + ("" if x is not None else f" (every finite input of {fmt}): pass x="))
    want = rounded(name, fmt, inputs, derivative=derivative, **params)
    label = name if isinstance(name, str) else getattr(name, "name", "f")
    result = Comparison(f"values against {label} in {fmt}", fmt, np.asarray(inputs).astype(fmt.dtype),
                        got.astype(fmt.dtype), want)
    bad = result.ulps > ulp
    bad |= np.isnan(result.ulps)
    if bad.any():
        i = int(np.argmax(np.nan_to_num(result.ulps, nan=np.inf)))
        raise AssertionError(
            f"{int(bad.sum())} of {result.n} values differ from the correctly rounded {label} in {fmt} by more "
            f"than {ulp:g} ulp; worst at x = {float(result.x[i])!r}: got {float(result.got[i])!r}, correctly "
            f"rounded {float(result.want[i])!r} ({result.ulps[i]:g} ulp)")
    return result


__all__ = ["assert_matches"]
