"""Exception types. Each message names the fix, so a user never has to read a SymPy traceback."""

from __future__ import annotations


class SymactError(Exception):
    """Base class of every error symact raises on bad input."""


class _KeyMessage(KeyError):
    # KeyError.__str__ repr()s its argument; show the message as written instead.
    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class UnknownActivationError(SymactError, _KeyMessage):
    """A name that is neither a registered activation nor an alias."""


class UnknownParameterError(SymactError, _KeyMessage):
    """A parameter name the definition does not have."""


class InvalidParameterError(SymactError, ValueError):
    """A parameter value that is not a finite real number in the parameter's domain."""


class InvalidArgumentError(SymactError, ValueError):
    """An argument of the wrong kind (not an activation, expression, array or order)."""


class MissingParameterError(SymactError, ValueError):
    """An expression still holds free symbols where numbers are needed."""


class NotAnalyticError(SymactError, ValueError):
    """A series was asked for at a point where the function is not analytic (a kink)."""


class UndecidedError(SymactError, ValueError):
    """SymPy could not decide the question (for example a limit it cannot compute)."""


class BackendUnavailableError(SymactError, ImportError):
    """A framework backend was asked for but the framework is not installed (the message names the extra)."""
