"""Backends: one module each behind the :class:`~symact.backends.base.Backend` protocol.

NumPy (:mod:`.numpy`, the default), numba (:mod:`.numba`, compiled loops for NumPy arrays), PyTorch
(:mod:`.torch`), JAX (:mod:`.jax`) and C/CUDA (:mod:`.c`) register themselves on import, in that order; add
your own with :func:`register_backend` (see the README's Design section).
"""

# isort: off
from . import numpy as _numpy  # noqa: F401  (registers; first: the default backend)
from . import numba as _numba  # noqa: F401  (compiled loops; NumPy's large inputs use them)
from . import torch as _torch  # noqa: F401
from . import jax as _jax  # noqa: F401
from . import c as _c  # noqa: F401  (C99 and CUDA headers)
# isort: on
from .base import BACKENDS, Backend, Prepared, get_backend, register_backend

__all__ = ["BACKENDS", "Backend", "Prepared", "get_backend", "register_backend"]
