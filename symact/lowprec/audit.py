"""Audits of any implementation against correctly rounded values, and tolerances between two definitions.

``audit`` calls a user's function (``module:function,key=value``) on every finite input of a 16- or 8-bit
format (a stratified sample of float32), as a torch tensor, a JAX array or a NumPy array of that dtype,
converts its output back exactly and measures it in ulps of the format against :func:`rounded`. ``tolerance``
does the same between two definitions, both correctly rounded: the number for an ``assert_close``.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError, SymactError
from ..symbolic.calculus import ActOrExpr
from .formats import Format, every_input, finish, get_format, ulp_distance
from .rounding import rounded, table

ARRAYS = ("numpy", "torch", "jax")
PERCENTILES = (50.0, 90.0, 99.0, 99.9)


class ImplementationError(SymactError, ValueError):
    """An implementation under audit that cannot be imported, raises, or returns the wrong shape or dtype."""


def sample(fmt: Format, *, per_binade: int = 256, seed: int = 0) -> np.ndarray:
    """Every finite input of a 16- or 8-bit format; for float32 a stratified sample: ``per_binade`` seeded random
    values in every binade (subnormals included) of both signs, plus ±0 and both ends of each binade."""
    if fmt.enumerable:
        return every_input(fmt)
    rng = np.random.default_rng(seed)
    nmant = fmt.p - 1
    exps = np.arange(0, 255, dtype=np.uint32)  # float32's biased exponents of finite values
    mant = rng.integers(0, 1 << nmant, size=(exps.size, per_binade), dtype=np.uint32)
    mant[:, 0], mant[:, 1] = 0, (1 << nmant) - 1
    bits = (exps[:, None] << nmant) | mant
    bits = np.concatenate([bits.reshape(-1), bits.reshape(-1) | np.uint32(1 << 31)])
    return np.unique(bits).view(np.float32)


# --- the implementation under audit ------------------------------------------------------------------------


def parse_impl(spec: str) -> tuple[str, str, dict[str, Any]]:
    """``"torch.nn.functional:gelu,approximate=tanh"`` → module, function, keyword arguments (numbers, True,
    False and None as such, anything else a string)."""
    module, sep, rest = spec.partition(":")
    parts = [p.strip() for p in rest.split(",")]
    if not sep or not module.strip() or not parts[0].isidentifier():
        raise ImplementationError(f"IMPL is module:function[,key=value…] (e.g. torch.nn.functional:gelu,"
                                  f"approximate=tanh), got {spec!r}")
    kwargs: dict[str, Any] = {}
    for item in parts[1:]:
        key, eq, value = item.partition("=")
        if not eq or not key.strip().isidentifier():
            raise ImplementationError(f"{item!r} in {spec!r} is not key=value")
        kwargs[key.strip()] = _literal(value.strip())
    return module.strip(), parts[0], kwargs


def _literal(text: str) -> Any:
    if text in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[text]
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text.strip("'\"")


def load_impl(spec: str) -> tuple[Callable[[Any], Any], str]:
    """The function named by ``spec`` with its keyword arguments bound, and the array kind its module suggests."""
    module, name, kwargs = parse_impl(spec)
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        raise ImplementationError(f"cannot import {module!r} for {spec!r}: {exc}") from None
    func = getattr(mod, name, None)
    if not callable(func):
        raise ImplementationError(f"{module!r} has no function {name!r} (from {spec!r})")
    root = module.split(".")[0]
    kind = root if root in ("torch", "jax") else "numpy"
    return (lambda a: func(a, **kwargs)) if kwargs else func, kind


def _to_array(kind: str, x: np.ndarray, fmt: Format) -> Any:
    if kind == "numpy":
        return x.copy()
    if kind == "torch":
        import torch

        dtype = getattr(torch, fmt.name, None)
        if dtype is None:
            raise ImplementationError(f"torch has no dtype {fmt.name}")
        return torch.from_numpy(x.astype(np.float32)).to(dtype)  # exact: every value of x is one of dtype's
    if kind == "jax":
        import jax.numpy as jnp

        return jnp.asarray(x)
    raise InvalidArgumentError(f"unknown array kind {kind!r}: choose {', '.join(ARRAYS)}")


def _from_array(kind: str, out: Any, fmt: Format, shape: tuple[int, ...], spec: str) -> np.ndarray:
    if kind == "torch":
        import torch

        if not isinstance(out, torch.Tensor):
            raise ImplementationError(f"{spec} returned {type(out).__name__}, not a torch tensor")
        if out.dtype != getattr(torch, fmt.name):
            raise ImplementationError(f"{spec} returned dtype {out.dtype} for {fmt} input: an audit compares "
                                      f"results in the input's dtype")
        arr = out.detach().cpu().to(torch.float32).numpy()  # exact: float32 holds every narrower value
    else:
        arr = np.asarray(out)
        if arr.dtype != fmt.dtype:
            raise ImplementationError(f"{spec} returned dtype {arr.dtype} for {fmt} input: an audit compares "
                                      f"results in the input's dtype")
    if arr.shape != shape:
        raise ImplementationError(f"{spec} returned shape {arr.shape} for input of shape {shape}")
    return arr.astype(fmt.dtype)


# --- results -------------------------------------------------------------------------------------------------


@dataclass
class Comparison:
    """Values ``got`` against ``want`` (both of ``fmt``) at inputs ``x``: errors in ulps of the format (the count of
    its values between them, ±0 one value) and in absolute terms."""

    title: str
    fmt: Format
    x: np.ndarray
    got: np.ndarray
    want: np.ndarray
    labels: tuple[str, str] = ("got", "correctly rounded")
    ulps: np.ndarray = field(init=False)
    absolute: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        g, w = self.got.astype(np.float64), self.want.astype(np.float64)
        self.ulps = ulp_distance(self.fmt, self.got, self.want)
        with np.errstate(all="ignore"):
            self.absolute = np.where(np.isfinite(g) & np.isfinite(w), np.abs(g - w), np.nan)
        both_nan = np.isnan(g) & np.isnan(w)
        self.ulps[both_nan] = 0.0
        self.absolute[both_nan | ((g == w) & ~np.isnan(g))] = 0.0

    @property
    def n(self) -> int:
        return int(self.x.size)

    @property
    def nan_mismatches(self) -> int:
        """Inputs where exactly one of the two is NaN."""
        return int((np.isnan(self.got.astype(np.float64)) != np.isnan(self.want.astype(np.float64))).sum())

    @property
    def inf_mismatches(self) -> int:
        """Inputs where one is ±inf and the other is not the same infinity."""
        g, w = self.got.astype(np.float64), self.want.astype(np.float64)
        return int(((np.isinf(g) | np.isinf(w)) & (g != w) & ~np.isnan(g) & ~np.isnan(w)).sum())

    @property
    def exact(self) -> int:
        """Inputs where the two agree (the same value, or both NaN)."""
        return int((self.ulps == 0).sum())

    @property
    def max_ulp(self) -> float:
        finite = self.ulps[~np.isnan(self.ulps)]
        return float(finite.max()) if finite.size else math.nan

    @property
    def max_abs(self) -> float:
        finite = self.absolute[~np.isnan(self.absolute)]
        return float(finite.max()) if finite.size else math.nan

    def percentiles(self) -> dict[float, float]:
        finite = self.ulps[~np.isnan(self.ulps)]
        return {p: float(np.percentile(finite, p)) if finite.size else math.nan for p in PERCENTILES}

    def worst(self, k: int = 8) -> list[tuple[float, float, float, float]]:
        """The ``k`` inputs with the largest ulp errors: (x, got, want, ulps)."""
        order = np.argsort(-np.nan_to_num(self.ulps, nan=np.inf), kind="stable")[:k]
        return [(float(self.x[i]), float(self.got[i]), float(self.want[i]), float(self.ulps[i]))
                for i in order if not self.ulps[i] == 0]

    def report(self) -> str:
        """A Markdown summary."""
        pct = self.percentiles()
        lines = [f"## {self.title}", "",
                 f"{self.n:,} inputs of {self.fmt}; {self.exact:,} agree exactly "
                 f"({100 * self.exact / max(self.n, 1):.2f} %).", "",
                 "| max ulp | " + " | ".join(f"p{p:g}" for p in PERCENTILES) + " | max abs | NaN mismatches | "
                 "inf mismatches |",
                 "|---:|" + "---:|" * len(PERCENTILES) + "---:|---:|---:|",
                 f"| {self.max_ulp:g} | " + " | ".join(f"{v:g}" for v in pct.values())
                 + f" | {self.max_abs:.3g} | {self.nan_mismatches} | {self.inf_mismatches} |", ""]
        worst = self.worst()
        if worst:
            lines += [f"| x | {self.labels[0]} | {self.labels[1]} | ulp |", "|---:|---:|---:|---:|"]
            lines += [f"| {a:.9g} | {b:.9g} | {c:.9g} | {d:g} |" for a, b, c, d in worst]
            lines.append("")
        return "\n".join(lines)

    def plot(self, path: str) -> str:
        """A PNG: the histogram of ulp errors and the error against x."""
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            raise InvalidArgumentError("plots need matplotlib: pip install -e '.[plot]'") from None
        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
        finite = self.ulps[~np.isnan(self.ulps)]
        top = int(finite.max()) if finite.size else 0
        left.hist(finite, bins=np.arange(-0.5, min(top, 64) + 1.5), log=True, color="#3465a4")
        left.set_xlabel(f"error (ulps of {self.fmt})" + (", >64 in the last bar" if top > 64 else ""))
        left.set_ylabel("inputs")
        shown = ~np.isnan(self.ulps)
        xs = self.x.astype(np.float64)[shown]
        right.scatter(np.sign(xs) * np.log10(1 + np.abs(xs)), self.ulps[shown], s=2, color="#cc0000")
        right.set_xlabel("sign(x)·log10(1 + |x|)")
        right.set_ylabel("ulps")
        fig.suptitle(self.title)
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        return path


def audit(impl: str | Callable[[Any], Any], against: ActOrExpr, dtype: Any, *, array: str | None = None,
          derivative: int = 0, inputs: np.ndarray | None = None, **params: Any) -> Comparison:
    """``impl`` (``"module:function,key=value"`` or a callable) on every finite input of ``dtype`` (a stratified
    sample for float32) against the correctly rounded values of ``against``."""
    fmt = get_format(dtype)
    if callable(impl):
        func, kind, spec = impl, array or "numpy", getattr(impl, "__name__", repr(impl))
    else:
        func, guessed = load_impl(impl)
        kind, spec = array or guessed, impl
    if kind not in ARRAYS:
        raise InvalidArgumentError(f"--array must be one of {', '.join(ARRAYS)}, got {kind!r}")
    x = sample(fmt) if inputs is None else np.asarray(inputs).astype(fmt.dtype)
    try:
        out = func(_to_array(kind, x, fmt))
    except SymactError:
        raise
    except Exception as exc:  # the user's code: any failure is reported, never a traceback
        raise ImplementationError(f"{spec} raised {type(exc).__name__}: {exc}") from None
    got = _from_array(kind, out, fmt, x.shape, spec)
    want = rounded(against, fmt, x, derivative=derivative, **params)
    name = against if isinstance(against, str) else getattr(against, "name", "f")
    return Comparison(f"{spec} against {name} in {fmt}", fmt, x, got, want)


def tolerance(a: ActOrExpr, b: ActOrExpr, dtype: Any, *, derivative: int = 0) -> Comparison:
    """The difference between the correctly rounded values of two definitions at every input of ``dtype``."""
    fmt = get_format(dtype)
    if fmt.enumerable:
        ta, tb = table(a, fmt, derivative=derivative), table(b, fmt, derivative=derivative)
        x, va, vb = ta.inputs, finish(fmt, ta.values), finish(fmt, tb.values)
    else:
        x = sample(fmt)
        va, vb = rounded(a, fmt, x, derivative=derivative), rounded(b, fmt, x, derivative=derivative)
    names = [o if isinstance(o, str) else getattr(o, "name", "f") for o in (a, b)]
    return Comparison(f"{names[0]} against {names[1]} in {fmt}", fmt, x, va, vb, labels=(str(names[0]), str(names[1])))


__all__ = ["ARRAYS", "Comparison", "ImplementationError", "audit", "load_impl", "parse_impl", "sample", "tolerance"]
