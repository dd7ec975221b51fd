"""Time budgets for symbolic work: past the budget the answer is UNDECIDED, never a hang.

SymPy cannot be interrupted from another thread, so the budget is a ``SIGALRM`` timer on the main thread
(the CLI's, and Jupyter's, where cells run on the main thread): its handler raises inside the running
SymPy code, which unwinds to :func:`time_budget` and becomes :class:`~symact.errors.UndecidedError`. Off
the main thread, or where the platform has no ``SIGALRM`` (Windows), the work runs without a budget.
Budgets nest: an inner one never extends an outer one.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from .errors import InvalidArgumentError, UndecidedError

DEFAULT_TIMEOUT = 20.0
"""Seconds the CLI gives each command's symbolic work (``--timeout`` changes it)."""

_REPEAT = 0.1
"""Seconds between further alarms once the budget is spent: an alarm raised where Python ignores exceptions
(a gc callback, a ``__del__``) must not let the work run on unbounded."""

_UNWINDING = {__file__, contextlib.__file__}

_deadline: list[float] = []  # the innermost active deadline (time.monotonic), if any


class _OutOfTime(BaseException):
    """Raised by the alarm; a BaseException so that SymPy's ``except Exception`` does not swallow it."""


def _available() -> bool:
    return hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()


def check_timeout(timeout: Any) -> float | None:
    """``timeout`` as positive seconds (None: no budget), or a clear error."""
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0 or timeout != timeout:
        raise InvalidArgumentError(f"timeout must be a positive number of seconds, got {timeout!r}")
    return float(timeout)


def _in_unraisable_hook(frame: Any) -> bool:
    """Whether ``frame`` runs inside ``sys.unraisablehook`` (a plain function or a functools.partial of one)."""
    hook = getattr(sys.unraisablehook, "func", sys.unraisablehook)
    code = getattr(hook, "__code__", None)
    if code is None:  # the built-in default hook: it runs no Python frames of its own
        return False
    depth = 0
    while frame is not None and depth < 200:
        if frame.f_code is code:
            return True
        frame, depth = frame.f_back, depth + 1
    return False


@contextlib.contextmanager
def time_budget(timeout: float | None, what: str = "the computation") -> Iterator[None]:
    """Run the block within ``timeout`` seconds, else raise :class:`UndecidedError` naming ``what``."""
    seconds = check_timeout(timeout)
    if seconds is None or not _available():
        yield
        return
    now = time.monotonic()
    deadline = now + seconds
    if _deadline and _deadline[-1] <= deadline:  # an outer budget ends sooner: it governs
        yield
        return

    def ring(signum: int, frame: Any) -> None:
        # Not inside our own unwinding (budget.py, contextlib): a second _OutOfTime there would escape the
        # ``except`` below. Not inside sys.unraisablehook either: an alarm swallowed in a __del__ or a gc callback
        # goes there, and one raised while it runs breaks the hook (pytest then fails the test; CI saw it).
        # Elsewhere raise; if it is swallowed, the repeating timer raises again _REPEAT seconds later.
        if frame is not None and (frame.f_code.co_filename in _UNWINDING or _in_unraisable_hook(frame)):
            return
        raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, ring)
    _deadline.append(deadline)
    signal.setitimer(signal.ITIMER_REAL, seconds, _REPEAT)
    try:
        yield
    except _OutOfTime:
        raise UndecidedError(f"{what}: no answer within {seconds:g} s (the time budget; give more with "
                             "--timeout or timeout=)") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _deadline.pop()
        signal.signal(signal.SIGALRM, previous)
        if _deadline:  # re-arm the outer budget for what is left of it
            signal.setitimer(signal.ITIMER_REAL, max(_deadline[-1] - time.monotonic(), 1e-3), _REPEAT)


def attempt(seconds: float, what: str) -> contextlib.AbstractContextManager[None]:
    """A budget for trying something that may give up (a closed form from sp.solve, an oddness proof): its answer
    then depends on the machine's speed. ``SYMACT_ATTEMPT_SCALE`` multiplies these budgets (never a user's
    ``timeout=``): the tests set it so that what they assert does not change when every core is busy."""
    text = os.environ.get("SYMACT_ATTEMPT_SCALE", "1")
    try:
        scale = float(text)
    except ValueError:
        scale = float("nan")
    if not 0 < scale < float("inf"):
        raise InvalidArgumentError("SYMACT_ATTEMPT_SCALE must be a positive number (a factor on symact's internal "
                                   f"time budgets), got {text!r}")
    return time_budget(seconds * scale, what)


F = TypeVar("F", bound=Callable[..., Any])


def budgeted(what: str) -> Callable[[F], F]:
    """Give a function a ``timeout=`` keyword (seconds; None, the default, means no budget)."""
    def wrap(func: F) -> F:
        @functools.wraps(func)
        def run(*args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
            if timeout is None:
                return func(*args, **kwargs)
            with time_budget(timeout, f"{what}"):
                return func(*args, **kwargs)
        return run  # type: ignore[return-value]
    return wrap


__all__ = ["DEFAULT_TIMEOUT", "attempt", "budgeted", "check_timeout", "time_budget"]
