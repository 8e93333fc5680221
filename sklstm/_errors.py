"""The command's input error, in a module that imports nothing heavy.

:mod:`sklstm.cli` defines its option errors on it and catches it before the
data-reading code (:mod:`sklstm._csv`, pandas) is loaded, so that
``sklstm --help`` stays fast.
"""

from __future__ import annotations

__all__ = ["InputError"]


class InputError(ValueError):
    """A problem with the command's input data; the message is one line."""
