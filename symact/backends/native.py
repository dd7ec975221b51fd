"""Machine code that numba compiled, saved as an object file and loaded again without numba.

Why: a numba function loaded from numba's own cache costs the first call in a fresh process ~0.17–0.31 s before
it runs (numba builds its typing and lowering registries, whatever the kernel; it imports SciPy's BLAS on the
way), over the target of 0.3 s for the whole first call. The compiled loop needs none of that: it is a plain C
function of pointers. :mod:`symact.backends.numba` compiles each loop once as a numba ``cfunc``, and saves its
object code here (``<cache>/numba/<key>.o``, the key covering the loop's expression, the kernel sources, numba's
version and the CPU the code was compiled for); a later process loads the file with llvmlite's MCJIT (~25 ms,
llvmlite's import included) and calls it through ctypes, which releases the GIL, so ``SYMACT_THREADS`` works
the same.

External symbols resolve to what this process has loaded (libm, Python's C API). numba's helpers
(``numba_gil_ensure``, ``NRT_MemInfo_call_dtor`` …) are referred to only on error paths the loops never take
(they return status 0 on every path: no ``raise``, ``error_model="numpy"``); without numba imported they resolve
to a stub that aborts with a message, so that a path thought impossible fails loudly, never by jumping to an
address that was never bound.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import sys
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

from ..cache import cache_dir, write_once
from ..errors import InvalidArgumentError

Loop = Callable[[np.ndarray, np.ndarray, float, float], tuple[int, int]]
"""A compiled loop: ``loop(x, out, a, b)`` fills ``out`` and returns the counts of inputs inside ±TAIL and in
[a, b] (:func:`symact.backends.numba.scalar_source`)."""

_SIGNATURE = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64, ctypes.c_double,
                              ctypes.c_double, ctypes.c_void_p)
"""The C signature of every saved loop: (x, out, n, a, b, counts[2])."""

_engines: list[Any] = []  # MCJIT engines own the loaded code: kept for the life of the process
_stubs: dict[str, Any] = {}


@cache
def _llvm() -> Any:
    import llvmlite.binding as llvm

    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    return llvm


@cache
def host() -> str:
    """The CPU the code is compiled for, as numba sees it (name and features; numba's own overrides first)."""
    llvm = _llvm()
    name = os.environ.get("NUMBA_CPU_NAME") or llvm.get_host_cpu_name()
    features = os.environ.get("NUMBA_CPU_FEATURES") or llvm.get_host_cpu_features().flatten()
    return f"{llvm.get_process_triple()}|{name}|{features}"


def _path(key: str) -> Any:
    return cache_dir("numba") / f"{key}.o"


def save(key: str, obj: bytes, symbol: str, undefined: list[str]) -> None:
    """Write the object code of one loop: a header line naming its entry point and the external symbols it
    refers to, then the object file's bytes."""
    header = json.dumps({"symbol": symbol, "undefined": sorted(undefined),
                         "sha256": hashlib.sha256(obj).hexdigest()}).encode()
    write_once(_path(key), header + b"\n" + obj)


@cache
def _process() -> ctypes.CDLL:
    return ctypes.CDLL(None)  # the symbols this process has loaded: libm's, Python's C API


def _address_in_process(name: str) -> int:
    try:
        return int(ctypes.cast(getattr(_process(), name), ctypes.c_void_p).value or 0)
    except AttributeError:
        return 0


def _stub(name: str) -> int:
    """The address of a C function that reports ``name`` and aborts (see the module docstring)."""
    if name not in _stubs:
        def reached() -> None:
            sys.stderr.write(f"symact: a compiled loop reached numba's error path ({name}), which it never "
                             "takes; please report this with the input that did it\n")
            sys.stderr.flush()
            os.abort()
        _stubs[name] = ctypes.CFUNCTYPE(None)(reached)
    return int(ctypes.cast(_stubs[name], ctypes.c_void_p).value or 0)


def load(key: str) -> Loop | None:
    """The loop saved under ``key``, or None where there is none (a damaged file is deleted: LLVM would abort
    the process on a bad object)."""
    path = _path(key)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    header, _, obj = data.partition(b"\n")
    try:
        meta = json.loads(header)
        intact = meta["sha256"] == hashlib.sha256(obj).hexdigest()
    except (ValueError, KeyError, TypeError):
        intact = False
    if not intact:
        path.unlink(missing_ok=True)
        return None
    llvm = _llvm()
    for name in meta["undefined"]:
        llvm.add_symbol(name, _address_in_process(name) or _stub(name))
    target = llvm.Target.from_triple(llvm.get_process_triple())
    machine = target.create_target_machine()
    engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), machine)  # one per object: no clashing symbols
    engine.add_object_file(llvm.ObjectFileRef.from_data(obj))
    engine.finalize_object()
    address = engine.get_function_address(meta["symbol"])
    if not address:
        path.unlink(missing_ok=True)
        return None
    _engines.append(engine)
    return _as_loop(_SIGNATURE(address))


def _as_loop(function: Any) -> Loop:
    def loop(x: np.ndarray, out: np.ndarray, a: float, b: float) -> tuple[int, int]:
        # the C function trusts its pointers: anything but two contiguous float64 arrays of one size is refused
        if not (x.dtype == out.dtype == np.float64 and x.flags.c_contiguous and out.flags.c_contiguous
                and out.flags.writeable and x.size == out.size):
            raise InvalidArgumentError("a compiled loop takes two C-contiguous float64 arrays of one size")
        counts = np.zeros(2, dtype=np.int64)
        function(x.ctypes.data, out.ctypes.data, x.size, a, b, counts.ctypes.data)
        return int(counts[0]), int(counts[1])
    return loop


__all__ = ["Loop", "host", "load", "save"]
