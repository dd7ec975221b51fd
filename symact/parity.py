"""Parity with PyTorch and JAX: their kernels and autograd against the mpmath oracle, next to ours.

For every registered activation a framework also ships, values and first derivatives (the
framework's autograd vs our symbolic derivative) are measured in ulps on a grid of
:func:`symact.accuracy.standard_grid`, float32 and float64. Convention differences are measured
too (``CONVENTIONS``), so the report states them as data: which GELU is the default, PyTorch's
softplus threshold, ReLU'(0), hard-swish's and hard-sigmoid's derivative at ±3.
"""

from __future__ import annotations

import ast
import platform
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .accuracy import measure, standard_grid
from .backends import BACKENDS
from .backends.generated import GeneratedBackend
from .errors import BackendUnavailableError, InvalidArgumentError
from .evaluate import lambdify
from .registry import ALIASES, REGISTRY, get
from .spellings import FRAMEWORKS as SPELLINGS

_CALL = re.compile(r"^([A-Za-z_][\w.]*)\(x((?:, [^()]*)?)\)$")


def _spelled_kernels(framework: str) -> dict[str, Callable]:
    """Qualified spelling → the framework's function, built from the spelling table's ``call`` (a plain call
    ``module.function(x, key=literal, ...)``; class forms such as ``torch.nn.PReLU()(x)`` and blocks are skipped)."""
    import importlib

    table = SPELLINGS[framework]
    out: dict[str, Callable] = {}
    for s in table.spellings:
        m = _CALL.match(s.call)
        if m is None or (s.means not in REGISTRY and s.means not in ALIASES):  # blocks (glu) are not pointwise
            continue
        path, args = m.group(1), m.group(2)
        module, _, attr = path.rpartition(".")
        func = getattr(importlib.import_module(module), attr)
        call = ast.parse(f"f({args.lstrip(', ')})").body[0].value
        if call.args:  # only keyword options are data we can pass on
            continue
        kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
        out[table.written(s)] = (lambda f, kw: (lambda t: f(t, **kw)))(func, kwargs)
    return out


def _key(kernels: dict[str, Callable], framework: str, name: str) -> Callable:
    """The framework's kernel for symact's ``name``: its spelling without options first (``jax:gelu`` means the
    tanh form, so GELU's is ``jax:gelu(approximate=False)``)."""
    table = SPELLINGS[framework]
    keys = [table.written(s) for s in table.spellings if table.written(s) in kernels
            and (s.means in REGISTRY or s.means in ALIASES) and get(s.means).name == name]
    if not keys:
        raise InvalidArgumentError(f"{framework} has no kernel for {name}")
    return kernels[min(keys, key=len)]


FRAMEWORKS = tuple(name for name, b in BACKENDS.items() if isinstance(b, GeneratedBackend))
"""Frameworks whose own activation kernels parity measures: those with a generated backend (torch, jax)."""


class _Framework:
    """Calls a framework kernel (and its autograd) on NumPy arrays, on one device."""

    def __init__(self, name: str, device: str) -> None:
        self.name, self.device = name, device
        try:
            if name == "torch":
                import torch

                if device == "cuda" and not torch.cuda.is_available():
                    raise InvalidArgumentError("device='cuda' asked for, but torch sees no CUDA device")
                self.kernels = _spelled_kernels("torch")
            elif name == "jax":
                import jax

                jax.config.update("jax_enable_x64", True)  # float64 measurements need it
                if device == "cuda" and not any(d.platform == "gpu" for d in jax.devices()):
                    raise InvalidArgumentError("device='cuda' asked for, but JAX sees no GPU")
                self.kernels = _spelled_kernels("jax")
            else:
                raise InvalidArgumentError(f"unknown framework {name!r}: torch or jax")
        except ImportError:
            raise BackendUnavailableError(f"{name} is not installed: {BACKENDS[name].install}") from None

    def value(self, kernel: Callable, dtype: Any) -> Callable[[np.ndarray], np.ndarray]:
        def run(xs: np.ndarray) -> np.ndarray:
            return self._call(kernel, xs.astype(dtype), grad=False)
        return run

    def grad(self, kernel: Callable, dtype: Any) -> Callable[[np.ndarray], np.ndarray]:
        def run(xs: np.ndarray) -> np.ndarray:
            return self._call(kernel, xs.astype(dtype), grad=True)
        return run

    def _call(self, kernel: Callable, xs: np.ndarray, grad: bool) -> np.ndarray:
        if self.name == "torch":
            import torch

            t = torch.tensor(xs, device=self.device, requires_grad=grad)
            y = kernel(t)
            if not grad:
                return y.detach().cpu().numpy()
            (g,) = torch.autograd.grad(y.sum(), t)
            return g.cpu().numpy()
        import jax
        import jax.numpy as jnp

        arr = jnp.asarray(xs)
        if not grad:
            return np.asarray(kernel(arr))
        return np.asarray(jax.vmap(jax.grad(lambda v: kernel(v)))(arr))


@dataclass(frozen=True)
class Row:
    framework: str
    name: str
    """The framework's spelling, e.g. ``torch:gelu(approximate='tanh')``; measured against what it resolves to."""
    dtype: str
    theirs_value: float
    ours_value: float
    theirs_grad: float
    ours_grad: float


def _grids(dense_step: float, tail_points: int, recorded: Recorded | None = None):
    for dtype in (np.float32, np.float64):
        if recorded is not None:  # the points it was evaluated at: another NumPy's logspace may differ by an ulp
            yield dtype, recorded.grids[np.dtype(dtype).name]
            continue
        grid = standard_grid(dtype, dense_step=dense_step, tail_points=tail_points)
        # the oracle's limits at ±inf are ours; NaN/inf handling is compared in CONVENTIONS
        yield dtype, grid[np.isfinite(grid)]


def accuracy_rows(framework: str, *, device: str = "cpu", dense_step: float = 0.05,
                  tail_points: int = 40, recorded: Recorded | None = None) -> list[Row]:
    """``recorded``: the framework's outputs computed elsewhere (by :func:`record`, on a GPU machine), measured
    here against the oracle instead of calling the framework."""
    fw = recorded if recorded is not None else _Framework(framework, device)
    rows = []
    for dtype, grid in _grids(dense_step, tail_points, recorded):
        for name, kernel in sorted(fw.kernels.items()):
            tv = measure(name, grid=grid, dtype=dtype, func=fw.value(kernel, dtype))
            ov = measure(name, grid=grid, dtype=dtype)
            tg = measure(name, derivative=1, grid=grid, dtype=dtype, func=fw.grad(kernel, dtype))
            og = measure(name, derivative=1, grid=grid, dtype=dtype)
            rows.append(Row(framework, name, np.dtype(dtype).name, tv.max_ulp, ov.max_ulp, tg.max_ulp, og.max_ulp))
    return rows


@dataclass(frozen=True)
class Recorded:
    """A framework's kernels and autograd evaluated on the parity grids by :func:`record` (where the device
    is, e.g. a GPU machine lent for minutes) and read back here, where the oracle's minutes cost nothing.
    Quacks like the live framework for :func:`accuracy_rows`: a kernel is its spelling."""

    framework: str
    version: str
    outputs: dict[tuple[str, str, str], np.ndarray]
    """(spelling, dtype name, "value" or "grad") → the outputs on that dtype's grid."""
    conventions: list[tuple[str, str, str, str]]
    grids: dict[str, np.ndarray]
    """dtype name → the points the outputs were evaluated at (measured at exactly those)."""

    @property
    def kernels(self) -> dict[str, str]:
        return {spelling: spelling for spelling, _, _ in self.outputs}

    def value(self, kernel: str, dtype: Any) -> Callable[[np.ndarray], np.ndarray]:
        return lambda xs: self._get(kernel, dtype, "value", xs)

    def grad(self, kernel: str, dtype: Any) -> Callable[[np.ndarray], np.ndarray]:
        return lambda xs: self._get(kernel, dtype, "grad", xs)

    def _get(self, kernel: str, dtype: Any, kind: str, xs: np.ndarray) -> np.ndarray:
        out = self.outputs[(kernel, np.dtype(dtype).name, kind)]
        if out.shape != xs.shape:
            raise InvalidArgumentError(f"{self.framework}:{kernel} was recorded on {out.size} points, asked for "
                                       f"{xs.size}: measure it on its recorded grid")
        return out


def record(framework: str, *, device: str = "cpu", dense_step: float = 0.05, tail_points: int = 40) -> Recorded:
    """Evaluate ``framework``'s kernels on the grids :func:`accuracy_rows` measures, without the oracle."""
    fw = _Framework(framework, device)
    outputs, grids = {}, {}
    for dtype, grid in _grids(dense_step, tail_points):
        grids[np.dtype(dtype).name] = grid
        for name, kernel in sorted(fw.kernels.items()):
            outputs[(name, np.dtype(dtype).name, "value")] = fw.value(kernel, dtype)(grid)
            outputs[(name, np.dtype(dtype).name, "grad")] = fw.grad(kernel, dtype)(grid)
    return Recorded(framework, __import__(framework).__version__, outputs, conventions(framework, device=device),
                    grids)


def conventions(framework: str, *, device: str = "cpu") -> list[tuple[str, str, str, str]]:
    """(framework, question, theirs, ours) rows, every answer evaluated here."""
    fw = _Framework(framework, device)
    k = {name: _key(fw.kernels, framework, name)
         for name in ("softplus", "relu", "hard_swish", "hard_sigmoid", "gelu", "sigmoid")}
    f64 = np.float64
    rows: list[tuple[str, str, str, str]] = []
    # which GELU the default call computes
    if framework == "torch":
        import torch

        default = torch.nn.functional.gelu
    else:
        import jax

        default = jax.nn.gelu
    xs = np.linspace(-4, 4, 81)
    got = fw.value(default, f64)(xs)
    d_exact = np.max(np.abs(got - lambdify("gelu")(xs)))
    d_tanh = np.max(np.abs(got - lambdify("gelu_tanh")(xs)))
    rows.append((framework, "default gelu(x) is", "the tanh approximation" if d_tanh < d_exact else "exact (erf)",
                 "gelu is exact; gelu_tanh is the approximation"))
    # softplus far right: a threshold switches to the identity in PyTorch
    sp_val = fw.value(k["softplus"], f64)(np.array([25.0]))[0]
    ours = float(lambdify("softplus")(25.0))
    rows.append((framework, "softplus(25) - 25", f"{sp_val - 25:.3e}", f"{ours - 25:.3e} (exact: e^-25 ≈ 1.389e-11)"))
    for name, point in (("relu", 0.0), ("hard_swish", -3.0), ("hard_swish", 3.0), ("hard_sigmoid", -3.0),
                        ("hard_sigmoid", 3.0)):
        theirs = fw.grad(k[name], f64)(np.array([point]))[0]
        mine = float(lambdify(name, derivative=1)(point))
        rows.append((framework, f"{name}'({point:g})", f"{theirs:g}", f"{mine:g}"))
    for name, point in (("gelu", np.nan), ("relu", np.nan), ("sigmoid", -np.inf), ("gelu", -np.inf)):
        theirs = fw.value(k[name], f64)(np.array([point]))[0]
        rows.append((framework, f"{name}({point})", f"{theirs:g}", f"{float(lambdify(name)(point)):g}"))
    return rows


def report(frameworks: tuple[str, ...] = ("torch", "jax"), *, device: str = "cpu", dense_step: float = 0.05,
           recorded: dict[str, Recorded] | None = None) -> str:
    """The parity report as Markdown (frameworks that are not installed are listed as such). ``recorded``: the
    frameworks' outputs from :func:`record` on ``device`` elsewhere, measured here."""
    lines = ["# Parity with PyTorch and JAX", "",
             f"Generated by `symact parity` on device **{device}** ({platform.machine()}). Max ulp error against "
             "the mpmath oracle on the standard grid (finite points; dense step "
             f"{dense_step}); derivatives: the framework's autograd vs mpmath of our symbolic derivative.", ""]
    versions = []
    acc, conv = [], []
    for name in frameworks:
        try:
            if recorded is not None:
                rec = recorded[name]
                acc += accuracy_rows(name, dense_step=dense_step, recorded=rec)
                conv += rec.conventions
                versions.append(f"{name} {rec.version}")
                continue
            acc += accuracy_rows(name, device=device, dense_step=dense_step)
            conv += conventions(name, device=device)
            mod = __import__(name)
            versions.append(f"{name} {mod.__version__}")
        except BackendUnavailableError as exc:
            versions.append(f"{name}: not installed ({exc})")
    lines += ["Versions: " + "; ".join(versions), "", "## Accuracy", "",
              "| framework | function | dtype | theirs: value | ours: value | theirs: derivative | ours: derivative |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {r.framework} | {r.name} | {r.dtype} | {r.theirs_value:.3g} | {r.ours_value:.3g} | "
              f"{r.theirs_grad:.3g} | {r.ours_grad:.3g} |" for r in acc]
    lines += ["", "## Conventions (evaluated)", "", "| framework | question | theirs | ours |",
              "| --- | --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in conv]
    return "\n".join(lines) + "\n"


__all__ = ["Recorded", "Row", "accuracy_rows", "conventions", "record", "report"]
