"""The epoch table that ``verbose=1`` prints: in colour on a terminal only.

skorch's :class:`~skorch.callbacks.PrintLog` marks each epoch's best scores
with ANSI colour codes, which turn into ``\\x1b[36m`` noise in a log file, a
pipe or a notebook's captured output. :class:`PlainPrintLog` keeps the same
table and drops the colour unless standard output is a terminal and the
``NO_COLOR`` convention (https://no-color.org) does not ask otherwise. It
decides at each epoch, so the table follows wherever ``sys.stdout`` points
then (a redirected or captured stream included).
"""

from __future__ import annotations

import os
import re
import sys

from skorch.callbacks import PrintLog

__all__ = ["PlainPrintLog", "use_colour"]

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def use_colour(stream=None) -> bool:
    """Whether to colour text for ``stream`` (default: ``sys.stdout``).

    Only a terminal gets colour, and not when ``NO_COLOR`` is set to a
    non-empty value.
    """
    if os.environ.get("NO_COLOR"):
        return False
    stream = sys.stdout if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


class PlainPrintLog(PrintLog):
    """skorch's epoch table, without colour codes when not on a terminal."""

    def on_epoch_end(self, net, **kwargs):
        # PrintLog.format_row colours this epoch's best scores; decide once
        # per epoch whether this epoch's rows keep the codes
        self.colour_ = use_colour()
        super().on_epoch_end(net, **kwargs)

    def format_row(self, row, key, color):
        text = super().format_row(row, key, color)
        if isinstance(text, str) and not getattr(self, "colour_", True):
            return _ANSI.sub("", text)
        return text
