"""Low-precision truth: correctly rounded values in float32, float16, bfloat16 and float8, audits of any
implementation against them, and tolerances between definitions.

Data flows one way: :mod:`.formats` (grids, exact rounding) → :mod:`.core` (certified rounding of float64
kernels; the NumPy backend uses it) → :mod:`.rounding` (``rounded``, cached tables) → :mod:`.audit`.
"""

from __future__ import annotations

from .formats import FORMATS, Format, UnknownDTypeError, every_input, get_format, ulp_distance

__all__ = ["FORMATS", "Format", "UnknownDTypeError", "every_input", "get_format", "ulp_distance"]
