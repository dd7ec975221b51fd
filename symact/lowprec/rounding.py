"""``rounded``: correctly rounded values of an activation in a narrow format, as tables cached on disk.

Every finite input of the 16- and 8-bit formats at once (65,536 values at most), or given inputs of any
format. The values and first derivatives of the built-in activations come from the float64 kernels and their
error bound (:mod:`symact.lowprec.core`), which leaves a handful of inputs to the oracle; anything else (a
user's definition, a second derivative) is decided by the oracle at every input.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from ..cache import cache_dir, load_array, save_array
from ..errors import InvalidArgumentError
from ..evaluate import lambdify
from ..oracle import mp_function
from ..registry import REGISTRY, Activation, get
from ..symbolic.calculus import ActOrExpr, resolve
from ..symbolic.define import USER_DEFINED
from .core import KERNEL_REL, certify, series_at_zero
from .formats import Format, every_input, finish, format_of, get_format

TABLE_VERSION = 1
"""Part of every cached table's key: raise it when the rounding algorithm changes."""


@dataclass(frozen=True)
class Table:
    """Correctly rounded values of one function at every finite input of a 16- or 8-bit format."""

    fmt: Format
    inputs: np.ndarray
    values: np.ndarray
    """float64, on the format's grid with its exponent unbounded (:func:`finish` applies the range)."""
    seconds: float
    """Time to build it (0 when it was loaded from the cache)."""
    by_oracle: int


def certified(obj: ActOrExpr, derivative: int) -> bool:
    """Whether symact's float64 kernels of ``obj`` have the error bound :data:`KERNEL_REL` (measured): values and
    first derivatives of the built-in activations and of the frameworks' spellings of them (``torch:selu``, its
    constants fixed; ``symact parity`` measures them), not of a user's definition or formula."""
    if not isinstance(obj, (str, Activation)) or derivative > 1:
        return False
    act = get(obj)
    if ":" in act.name:  # resolved from the spelling tables (symact.spellings): built-in formulas
        return True
    return act.name not in USER_DEFINED and REGISTRY.get(act.name) == act


def _progress(label: str) -> Callable[[int], Callable[[int], Any] | None]:
    """A factory of progress bars on a terminal (stderr) for the oracle's work, when it has 2000 inputs or more."""
    def start(total: int) -> Callable[[int], Any] | None:
        if total < 2000 or not sys.stderr.isatty():
            return None
        from tqdm import tqdm

        bar = tqdm(total=total, desc=f"{label}: mpmath", unit="value", leave=False)

        def step(done: int) -> None:
            bar.update(done - bar.n)
            if done >= total:
                bar.close()

        return step

    return start


def _evaluate(obj: ActOrExpr, expr: sp.Expr, derivative: int, fmt: Format, x: np.ndarray,
              params: dict[str, Any]) -> tuple[np.ndarray, int]:
    """Rounded values at ``x`` and how many inputs the oracle decided: every finite one where the kernels have no
    measured bound (±inf and NaN take the kernels' limits either way)."""
    x64 = np.asarray(x).astype(np.float64).reshape(-1)
    oracle = mp_function(expr)
    label = f"{getattr(obj, 'name', obj) if isinstance(obj, (str, Activation)) else 'f'} in {fmt}"
    y = np.asarray(lambdify(obj, derivative=derivative, **params)(x64), dtype=np.float64)
    trusted = certified(obj, derivative)
    done = certify(fmt, x64, y, oracle, rel=KERNEL_REL if trusted else np.inf,
                   series=series_at_zero(expr) if trusted else None, progress=_progress(label))
    return done.values, done.by_oracle


def table(obj: ActOrExpr, dtype: Any, *, derivative: int = 0, **params: Any) -> Table:
    """Every finite input of a 16- or 8-bit format and the correctly rounded values there (cached on disk)."""
    fmt = get_format(dtype)
    expr = resolve(obj, derivative, params)
    inputs = every_input(fmt)
    key = hashlib.sha256(f"{TABLE_VERSION} {fmt.name} {sp.srepr(expr)} {certified(obj, derivative)}".encode())
    path = cache_dir("rounded") / f"{fmt.name}_{key.hexdigest()[:24]}.npy"
    values = load_array(path, inputs.shape)
    if values is not None:
        return Table(fmt, inputs, values, 0.0, 0)
    start = time.perf_counter()
    values, by_oracle = _evaluate(obj, expr, derivative, fmt, inputs, params)
    save_array(path, values)
    return Table(fmt, inputs, values, time.perf_counter() - start, by_oracle)


def rounded(obj: ActOrExpr, dtype: Any, x: Any = None, *, derivative: int = 0, saturate: bool = False,
            **params: Any) -> Any:
    """Correctly rounded values (to nearest, ties to even) of an activation or its ``derivative``-th derivative.

    >>> import numpy as np, symact
    >>> symact.rounded("gelu", "bfloat16", np.array([1.0, -0.5])).tolist()
    [0.83984375, -0.154296875]

    With ``x`` (an array of ``dtype``, or values that ``dtype`` represents exactly) the values there, as an
    array of ``dtype``; with ``x=None`` and a 16- or 8-bit ``dtype`` (bfloat16, float16, float8_e4m3fn,
    float8_e5m2) the pair ``(inputs, values)`` over every finite input. Results beyond the largest finite value
    are what ml_dtypes' conversion gives (inf; NaN for float8_e4m3fn), or ±max with ``saturate=True``.
    """
    fmt = get_format(dtype)
    if x is None:
        if not fmt.enumerable:
            raise InvalidArgumentError(f"{fmt} has {2**fmt.bits:,} inputs, too many to list: pass x (an array of "
                                       f"{fmt} values, for example a stratified sample)")
        t = table(obj, fmt, derivative=derivative, **params)
        return t.inputs, finish(fmt, t.values, saturate=saturate)
    arr = _inputs(x, fmt)
    many = 4096 if certified(obj, derivative) else 1 << (fmt.bits - 2)  # else the oracle builds the table
    if fmt.enumerable and arr.size > many:  # many inputs: look them up in the table of every input
        t = table(obj, fmt, derivative=derivative, **params)
        uint = np.uint16 if fmt.bits == 16 else np.uint8
        index = np.full(1 << fmt.bits, -1, dtype=np.int64)  # by bit pattern: +0 and −0 are separate inputs
        index[t.inputs.view(uint)] = np.arange(t.inputs.size)
        pos = index[np.ascontiguousarray(arr).view(uint)]
        values = np.where(pos >= 0, t.values[np.maximum(pos, 0)], np.nan)
        finite = np.isfinite(arr.astype(np.float64))
        if not finite.all():  # ±inf and NaN: the limits, from the kernels
            values[~finite] = _evaluate(obj, resolve(obj, derivative, params), derivative, fmt, arr[~finite],
                                        params)[0]
    else:
        values, _ = _evaluate(obj, resolve(obj, derivative, params), derivative, fmt, arr, params)
    out = finish(fmt, values, saturate=saturate).reshape(arr.shape)
    return out if out.ndim else out[()]


def _inputs(x: Any, fmt: Format) -> np.ndarray:
    arr = np.asarray(x)
    if format_of(arr) == fmt:
        return arr
    if arr.dtype.kind not in "fiu" and format_of(arr) is None:
        raise InvalidArgumentError(f"x must be an array of {fmt} values, got dtype {arr.dtype}")
    as_fmt = arr.astype(fmt.dtype)
    same = (as_fmt.astype(np.float64) == arr.astype(np.float64)) | np.isnan(arr.astype(np.float64))
    if not same.all():
        bad = arr.reshape(-1)[~same.reshape(-1)][0]
        raise InvalidArgumentError(f"x holds {bad!r}, which {fmt} does not represent: pass x.astype({fmt.name}) "
                                   f"(rounded inputs) or values of {fmt}")
    return as_fmt


__all__ = ["TABLE_VERSION", "Table", "certified", "rounded", "table"]
