"""Type aliases of sklstm's public signatures.

Modules import them under ``typing.TYPE_CHECKING`` (their annotations are
strings, ``from __future__ import annotations``), so this module costs
nothing at run time; it is importable all the same, for documentation tools.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import timedelta

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

if sys.version_info >= (3, 11):
    from typing import Self
else:  # pragma: no cover - typing_extensions comes with torch
    from typing_extensions import Self

__all__ = [
    "ArrayLike",
    "ArrayOrFrame",
    "Horizon",
    "Period",
    "RandomState",
    "SeriesOrFrame",
    "Self",
]

#: What a transformer returns: an ndarray, or a DataFrame under
#: ``set_output(transform="pandas")`` (or for a DataFrame in, by default).
ArrayOrFrame = np.ndarray | pd.DataFrame

#: A time series: a Series, or a DataFrame with the target among its columns.
SeriesOrFrame = pd.Series | pd.DataFrame

#: Steps ahead: ``H`` for steps ``1..H`` (``forecast``) or ``H`` alone
#: (``make_supervised``), or a list of steps.
Horizon = int | Sequence[int]

#: A seasonal period: in rows (a number), or a time span ("7D", a timedelta).
Period = float | str | timedelta | np.timedelta64

#: sklearn's ``random_state``: a seed, a RandomState, or None.
RandomState = int | np.random.RandomState | None

