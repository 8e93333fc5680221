"""History that continues: the tail of the fit rows, used when transform picks up there.

Estimators that need past rows (lags, differences, windows, the LSTM lookback)
remember the last rows seen in ``fit`` together with where they ended. When the
rows later given to ``transform``/``predict`` carry an index that starts exactly
one step after that end (a DatetimeIndex continuing the fit index at its
frequency, or an integer index continuing with the same step), the remembered
tail is put in front of them, so the first rows of a test fold get real
history instead of fill values. In every other case (numpy input, an index that
does not continue, an irregular index) only the rows given are used.

With ``TimeSeriesSplit`` on a DataFrame, scikit-learn selects folds with
``.iloc`` and keeps the original index, so each test fold continues its
training fold and gets the benefit inside ``GridSearchCV`` too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset
from pandas.tseries.offsets import BaseOffset

# index_step lives in sklstm.utils._time; it is re-exported here because
# sklstm.forecasting._forecast imports it from this module.
from sklstm.utils._time import index_step

__all__ = [
    "History",
    "continues",
    "extend_with_history",
    "index_step",
    "record_history",
]


@dataclass(frozen=True)
class History:
    """The last rows seen in fit and the index position where they ended.

    The position is kept as plain text and numbers (an ISO time stamp and a
    frequency alias, or ints), so a fitted model holds no pandas object and
    saves with skops as well as pickle; :attr:`last_label` and :attr:`step`
    rebuild the pandas ones.

    Attributes
    ----------
    tail : ndarray of shape (n_tail, n_features)
        The last ``n_tail`` rows of the fit data.
    label : tuple or int
        The last fit row's index label: an ISO time stamp and its time zone's
        name (None when naive), or an int.
    step_code : tuple
        ``("offset", "MS")``, ``("timedelta", "0 days 00:30:00")`` or
        ``("int", 2)``.
    """

    tail: np.ndarray
    label: object
    step_code: tuple

    @property
    def last_label(self):
        """The index label of the last fit row (a Timestamp, or an int)."""
        if self.step_code[0] == "int":
            return self.label
        stamp, zone = self.label
        return pd.Timestamp(stamp) if zone is None else pd.Timestamp(stamp).tz_convert(
            zone)

    @property
    def step(self):
        """The index step: a pandas offset or Timedelta, or an int."""
        kind, value = self.step_code
        if kind == "offset":
            return to_offset(value)
        if kind == "timedelta":
            return pd.Timedelta(value)
        return value


def _encode(label, step) -> tuple[object, tuple]:
    if isinstance(step, (BaseOffset, pd.Timedelta, np.timedelta64)):
        stamp = pd.Timestamp(label)
        text = (stamp.isoformat(), None if stamp.tz is None else str(stamp.tz))
        if isinstance(step, BaseOffset):
            return text, ("offset", step.freqstr)
        return text, ("timedelta", str(pd.Timedelta(step)))
    return int(label), ("int", int(step))


def record_history(values: np.ndarray, index, n_tail: int) -> History | None:
    """Remember the last ``n_tail`` rows of ``values`` if ``index`` is regular."""
    if index is None or n_tail <= 0:
        return None
    step = index_step(index)
    if step is None:
        return None
    label, code = _encode(index[-1], step)
    return History(tail=np.array(values[-n_tail:], copy=True), label=label,
                   step_code=code)


def continues(history: History | None, index) -> bool:
    """Whether ``index`` starts one step after the rows remembered in ``history``."""
    if history is None or index is None or len(index) == 0:
        return False
    try:
        return bool(index[0] == history.last_label + history.step)
    except (TypeError, ValueError):
        return False


def extend_with_history(history: History | None, values: np.ndarray, index):
    """Prepend the remembered tail when ``index`` continues the fit rows.

    Returns
    -------
    values : ndarray
        ``values`` itself, or the tail stacked on top of it.
    n_prepended : int
        How many rows were put in front: drop that many from the result.

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.RangeIndex(0, 5)
    >>> h = record_history(np.arange(5.0)[:, None], idx, n_tail=2)
    >>> out, k = extend_with_history(h, np.array([[5.0], [6.0]]), pd.RangeIndex(5, 7))
    >>> out.ravel().tolist(), k
    ([3.0, 4.0, 5.0, 6.0], 2)
    >>> extend_with_history(h, np.array([[9.0]]), pd.RangeIndex(0, 1))[1]
    0
    """
    if not continues(history, index) or history.tail.shape[1:] != values.shape[1:]:
        return values, 0
    return np.concatenate([history.tail.astype(values.dtype, copy=False), values]), len(
        history.tail
    )
