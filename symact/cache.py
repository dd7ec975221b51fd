"""Where symact keeps files between processes: ``$SYMACT_CACHE``, else ``$XDG_CACHE_HOME/symact``, else
``~/.cache/symact``. Compiled numba kernels live under ``numba/``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .errors import InvalidArgumentError


def cache_dir(*parts: str) -> Path:
    """The folder ``parts`` under the cache root, created if missing (the error names ``SYMACT_CACHE``)."""
    root = os.environ.get("SYMACT_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "symact")
    path = Path(root, *parts)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidArgumentError(f"cannot create the cache folder {path} ({exc.strerror}): "
                                   "set SYMACT_CACHE to a writable folder") from None
    return path


def write_once(path: Path, text: str | bytes) -> Path:
    """Write ``text`` to ``path`` unless it is already there: the name carries a hash of the content, and an
    untouched file keeps its modification time, which numba's on-disk cache is keyed on. Atomic (a rename),
    so concurrent processes never read half a file."""
    if path.exists():
        return path
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    if isinstance(text, bytes):
        tmp.write_bytes(text)
    else:
        tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def load_array(path: Path, shape: tuple[int, ...]) -> Any:
    """The NumPy array saved at ``path``, or None where it is missing, damaged or not of ``shape`` (the caller
    builds it again)."""
    import numpy as np

    try:
        values = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    return values if values.shape == shape else None


def save_array(path: Path, values: Any) -> None:
    """Save a NumPy array to ``path`` atomically (a rename)."""
    import numpy as np

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.npy")
    np.save(tmp, values)
    os.replace(tmp, path)


__all__ = ["cache_dir", "load_array", "save_array", "write_once"]
