"""Array kernels, written once: double-double helpers over an array namespace (:mod:`.ddmath`), erfcx tables
(:mod:`.erfcx`), NumPy's in-place kernels and runtime (:mod:`.numpy`).

These modules import NumPy, SciPy, mpmath and each other only: :func:`source` joins them into the
standalone body of an exported NumPy module.
"""

from __future__ import annotations

import ast
import inspect

from .. import errors
from . import ddmath, erfcx
from . import numpy as _numpy

MODULES = (errors, ddmath, erfcx, _numpy)
"""The modules an exported NumPy module is made of (symact's errors and the kernels), each after those it imports."""


def source() -> str:
    """The source of :data:`MODULES` as one module: module docstrings, relative imports, ``__all__`` and
    ``from __future__`` lines dropped (the caller puts the latter first)."""
    parts = []
    for module in MODULES:
        text = inspect.getsource(module)
        lines = text.splitlines()
        tree = ast.parse(text)
        drop: set[int] = set()
        for i, stmt in enumerate(tree.body):
            docstring = i == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
            relative = isinstance(stmt, ast.ImportFrom) and (stmt.level > 0 or stmt.module == "__future__")
            exported = isinstance(stmt, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in stmt.targets)
            if docstring or relative or exported:
                drop.update(range(stmt.lineno - 1, stmt.end_lineno or stmt.lineno))
        kept = [line for n, line in enumerate(lines) if n not in drop]
        parts.append(f"# --- {module.__name__} " + "-" * max(0, 90 - len(module.__name__)) + "\n"
                     + "\n".join(kept).strip("\n"))
    return "\n\n\n".join(parts) + "\n"


__all__ = ["MODULES", "source"]
