"""The floating-point formats LLMs compute activations in, and exact arithmetic on their grids.

A :class:`Format` knows its precision, smallest normal exponent and largest finite value, so values can be
rounded to it directly (round to nearest, ties to even) instead of through float32, which would round
twice. ``ml_dtypes`` provides bfloat16 and the float8 types; NumPy provides float16 and float32.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import mpmath as mp
import numpy as np

from ..errors import InvalidArgumentError


class UnknownDTypeError(InvalidArgumentError):
    """A dtype symact has no correctly rounded arithmetic for (the message lists the ones it has)."""


@dataclass(frozen=True)
class Format:
    """One binary floating-point format: ``p`` significant bits (the implicit one included), ``emin`` the
    exponent of the smallest normal number, ``max`` the largest finite value."""

    name: str
    dtype: np.dtype
    p: int
    emin: int
    max: float
    has_inf: bool

    @property
    def bits(self) -> int:
        return self.dtype.itemsize * 8

    @property
    def tiny(self) -> float:
        """The smallest positive subnormal number."""
        return 2.0 ** (self.emin - self.p + 1)

    @property
    def enumerable(self) -> bool:
        """Whether every input can be listed (the 16- and 8-bit formats)."""
        return self.bits <= 16

    def __str__(self) -> str:
        return self.name


def _format(name: str) -> Format:
    if name in ("float32", "float16"):
        dt, info = np.dtype(name), np.finfo(name)
    else:
        import ml_dtypes  # ~0.5 s to import: only when a bfloat16/float8 format is asked for

        dt = np.dtype(getattr(ml_dtypes, name))
        info = ml_dtypes.finfo(dt)
    with np.errstate(over="ignore", invalid="ignore"):
        has_inf = bool(np.isinf(np.array([np.inf]).astype(dt)[0]))
    return Format(name, dt, int(info.nmant) + 1, int(info.minexp), float(info.max), has_inf=has_inf)


class _Formats(Mapping[str, Format]):
    """Name → :class:`Format`, each built on first use (so that importing symact does not import ml_dtypes)."""

    NAMES = ("float32", "float16", "bfloat16", "float8_e4m3fn", "float8_e5m2")

    def __init__(self) -> None:
        self._built: dict[str, Format] = {}

    def __getitem__(self, name: str) -> Format:
        if name not in self.NAMES:
            raise KeyError(name)
        if name not in self._built:
            self._built[name] = _format(name)
        return self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.NAMES)

    def __len__(self) -> int:
        return len(self.NAMES)


FORMATS: Mapping[str, Format] = _Formats()
"""The formats with correctly rounded references, by NumPy/ml_dtypes name."""

_ALIASES = {"fp32": "float32", "f32": "float32", "single": "float32", "fp16": "float16", "f16": "float16",
            "half": "float16", "bf16": "bfloat16", "e4m3": "float8_e4m3fn", "fp8_e4m3": "float8_e4m3fn",
            "float8_e4m3": "float8_e4m3fn", "e5m2": "float8_e5m2", "fp8_e5m2": "float8_e5m2"}


def get_format(dtype: Any) -> Format:
    """The format of ``dtype``: a name (``"bfloat16"``, ``"bf16"``, ``"fp16"``, ``"float8_e4m3fn"`` …), a
    NumPy/ml_dtypes dtype, or a torch/JAX dtype (by its name)."""
    if isinstance(dtype, Format):
        return dtype
    key = dtype if isinstance(dtype, str) else getattr(dtype, "name", None)
    if key is None:
        try:
            key = np.dtype(dtype).name  # a scalar type: np.float16, ml_dtypes.bfloat16 (imported by the caller)
        except TypeError:
            key = str(dtype)  # torch.bfloat16 prints as its name
    key = str(key).removeprefix("torch.").removeprefix("jnp.").lower()
    key = _ALIASES.get(key, key)
    if key not in FORMATS:
        raise UnknownDTypeError(f"unknown dtype {dtype!r}: choose {', '.join(FORMATS)} "
                                f"(or bf16, fp16, e4m3, e5m2)")
    return FORMATS[key]


def format_of(array: Any) -> Format | None:
    """The format of a NumPy array's dtype, or None (float64, integers …)."""
    name = np.asarray(array).dtype.name  # a bfloat16 array means ml_dtypes is imported already
    return FORMATS.get(name)


@cache
def every_input(fmt: Format) -> np.ndarray:
    """Every finite value of a 16- or 8-bit format (−0 included), in bit-pattern order."""
    if not fmt.enumerable:
        raise InvalidArgumentError(f"{fmt} has {2**fmt.bits} values: pass the inputs (a stratified sample, "
                                   "symact.lowprec.sample) instead of every one")
    uint = np.uint16 if fmt.bits == 16 else np.uint8
    values = np.arange(2**fmt.bits, dtype=np.uint32).astype(uint).view(fmt.dtype)
    with np.errstate(invalid="ignore"):  # the NaN patterns
        out = values[np.isfinite(values.astype(np.float64))]
    out.flags.writeable = False
    return out


def quantum(fmt: Format, y: np.ndarray) -> np.ndarray:
    """The spacing of ``fmt``'s values at float64 ``y`` (a power of two; the subnormal spacing below the normals)."""
    _, e = np.frexp(y)
    return np.ldexp(1.0, np.maximum(e - 1, fmt.emin) - (fmt.p - 1))


def finish(fmt: Format, r: np.ndarray, *, saturate: bool = False) -> np.ndarray:
    """Values already on ``fmt``'s grid (exactly, in float64) as an array of the format; beyond the largest
    finite value: ±max with ``saturate``, else what ml_dtypes' conversion gives (inf, or NaN for e4m3fn)."""
    r = np.array(r, dtype=np.float64)
    over = np.abs(r) > fmt.max
    if over.any():
        r[over] = np.copysign(fmt.max if saturate else np.inf, r[over])
    with np.errstate(all="ignore"):
        return r.astype(fmt.dtype)


def round_float64(fmt: Format, y: np.ndarray) -> np.ndarray:
    """Float64 values rounded to ``fmt``'s grid once (nearest, ties to even), still as float64, exponent unbounded."""
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(all="ignore"):
        q = quantum(fmt, y)
        return np.where(np.isfinite(y), np.round(y / q) * q, y)


def round_mp(fmt: Format, value: Any, at_prec: Any = None, *, maxprec: int = 1 << 13) -> float:
    """An mpmath value rounded to ``fmt``'s grid as a float64 (exponent unbounded; :func:`finish` applies the
    format's range).

    ``at_prec(bits)`` re-evaluates the value at a higher working precision: a value this close to a midpoint
    between two neighbours is recomputed until it is decided, and taken as an exact tie (to even) only when
    ``maxprec`` bits still cannot separate it.
    """
    prec = mp.mp.prec
    while True:
        with mp.workprec(prec):
            v = mp.mpf(value)
            if v == 0 or not mp.isfinite(v):
                return float(v)
            e = max(int(mp.floor(mp.log(abs(v), 2))), fmt.emin)
            n, off = _split(v, e - fmt.p + 1)
            # v is correct to prec bits: v/q to |v/q|·2^-prec ≤ 2^(p+1-prec)
            if abs(off) > mp.ldexp(1, fmt.p + 4 - prec) or at_prec is None or prec >= maxprec:
                if off > 0 or (off == 0 and n % 2 == 1):
                    n += 1
                return float(mp.ldexp(n, e - fmt.p + 1))
        prec *= 2
        value = at_prec(prec)


def _split(v: Any, k: int) -> tuple[int, Any]:
    """v/2^k = n + 1/2 + off with n an integer (exact: a scaling and a floor)."""
    t = mp.ldexp(v, -k)
    n = int(mp.floor(t))
    return n, t - n - mp.mpf(0.5)


def ordinal(fmt: Format, values: np.ndarray) -> np.ndarray:
    """Each value's position among the format's values, zeros counted once (±0 → 0, the next value up → 1 …),
    as int64; inf is one past the largest finite value. NaN has no position (the caller masks it)."""
    arr = np.asarray(values).astype(fmt.dtype)
    uint = {4: np.uint32, 2: np.uint16, 1: np.uint8}[fmt.dtype.itemsize]
    bits = arr.view(uint).astype(np.int64)
    sign = np.int64(1) << (fmt.bits - 1)
    magnitude = bits & (sign - 1)
    return np.where(bits & sign, -magnitude, magnitude)


def ulp_distance(fmt: Format, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """How many of the format's values lie between a and b (0: the same value; ±0 are one value); NaN where
    either is NaN."""
    a64, b64 = np.asarray(a).astype(np.float64), np.asarray(b).astype(np.float64)
    d = np.abs(ordinal(fmt, a) - ordinal(fmt, b)).astype(np.float64)
    return np.where(np.isnan(a64) | np.isnan(b64), np.nan, d)


__all__ = ["FORMATS", "Format", "UnknownDTypeError", "every_input", "finish", "format_of", "get_format",
           "ordinal", "quantum", "round_float64", "round_mp", "ulp_distance"]
