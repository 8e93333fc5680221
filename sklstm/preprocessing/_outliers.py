"""Outlier filtering with rolling medians: the Hampel filter."""

from __future__ import annotations

from numbers import Integral, Real
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.base import BaseEstimator, OneToOneFeatureMixin
from sklearn.utils.validation import check_is_fitted

from sklstm._compat import Interval, StrOptions, validate_params
from sklstm.utils._base import SeriesTransformerMixin
from sklstm.utils._history import extend_with_history, record_history
from sklstm.utils._output import like_input
from sklstm.utils._validation import who

if TYPE_CHECKING:
    from typing import Literal

    from sklstm._typing import ArrayLike

__all__ = [
    "MAD_SCALE",
    "MedianOutlierFilter",
    "hampel_filter",
    "hampel_mask",
    "rolling_median_mad",
]

#: Scales a median absolute deviation to the standard deviation of normal data:
#: ``1 / Phi^-1(3/4)``.
MAD_SCALE = 1.4826

# Window values sorted per block of rows: about this many floats (8 MiB) at once.
_BLOCK_VALUES = 1 << 20


def _window_bounds(window: int, center: bool) -> tuple[int, int]:
    """Rows before and after row ``i`` that its window covers."""
    before = window // 2 if center else window - 1
    return before, window - 1 - before


def _middle(sorted_windows: np.ndarray, n_valid: np.ndarray) -> np.ndarray:
    """Median of each window from its sorted values (NaN last) and valid count."""
    lo = np.maximum(n_valid - 1, 0) // 2
    low = np.take_along_axis(sorted_windows, lo[:, None], axis=-1)[:, 0]
    high = np.take_along_axis(sorted_windows, (n_valid // 2)[:, None], axis=-1)[:, 0]
    return np.where(n_valid > 0, 0.5 * (low + high), np.nan)


def _kth_of_two(below, above, half: int, k: int) -> np.ndarray:
    """k-th smallest (0-based) of the union of two ascending sequences, per row.

    ``below(i)`` and ``above(i)`` return column ``i`` (``0 <= i < half``) of
    the two sequences. The k+1 smallest values take ``i`` from the first and
    ``k + 1 - i`` from the second; the k-th is the largest of those, and the
    split that makes it smallest is the right one.
    """
    best = None
    for i in range(max(0, k + 1 - half), min(k + 1, half) + 1):
        if i == 0:
            cand = above(k)
        elif i == k + 1:
            cand = below(k)
        else:
            cand = np.maximum(below(i - 1), above(k - i))
        best = cand if best is None else np.minimum(best, cand)
    return best


def _median_mad_full(s: np.ndarray):
    """Median and MAD of full windows from their sorted values, shape (b, w).

    The deviations ``|x - median|`` of a sorted window are two ascending runs,
    read outwards from the median, so their median is a selection from two
    sorted sequences: ``window // 2 + 1`` elementwise min/max, not a sort.
    """
    w = s.shape[1]
    half = w // 2
    if w % 2:
        med = s[:, half].copy()
        ks = (half - 1,)  # the deviation 0 of the median itself is the smallest
    else:
        med = 0.5 * (s[:, half - 1] + s[:, half])
        ks = (half - 1, half)

    def below(i):
        return med - s[:, half - 1 - i]

    def above(i):
        return s[:, w - half + i] - med

    mads = [_kth_of_two(below, above, half, k) for k in ks]
    mad = mads[0] if len(mads) == 1 else 0.5 * (mads[0] + mads[1])
    return med, mad


def _median_mad_general(s: np.ndarray, win: np.ndarray):
    """Median and MAD of windows with missing values: sort the deviations too."""
    count = win.shape[1] - np.isnan(s).sum(axis=1)
    med = _middle(s, count)
    dev = np.abs(win - med[:, None])
    dev.sort(axis=-1)
    return med, _middle(dev, count)


def _median_mad_block(win: np.ndarray):
    """Median and MAD of each window (rows of ``win``), NaN values left out."""
    s = np.sort(win, axis=-1)  # NaN sort last
    partial = np.isnan(s[:, -1])
    n_partial = np.count_nonzero(partial)
    if win.shape[1] < 3 or n_partial > len(win) // 2:
        # many gaps: one pass over all rows beats picking the partial ones out
        return _median_mad_general(s, win)
    med, mad = _median_mad_full(s)
    if n_partial:
        med[partial], mad[partial] = _median_mad_general(s[partial], win[partial])
    return med, mad


@validate_params(
    {
        "values": ["array-like"],
        "window": [Interval(Integral, 1, None, closed="left")],
        "center": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def rolling_median_mad(
    values: ArrayLike, window: int, center: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Rolling median and exact median absolute deviation of each column.

    The window of row ``i`` covers rows ``i - window + 1 .. i`` (trailing,
    ``center=False``) or ``i - window // 2 .. i + window // 2`` (centred, odd
    ``window``). Near the ends it holds only the rows that exist (shorter
    windows, as pandas' ``min_periods=1``), and NaN values are left out of it.
    The MAD of a window is the median of ``|x_j - m|`` over its values, with
    ``m`` that window's own median (the textbook Hampel definition, not the
    rolling median of ``|x - rolling median|``).

    Every window is sorted once, in numpy (C), a block of rows at a time
    (bounded memory); the MAD of a window without missing values is then
    selected from its sorted values with ``window // 2 + 1`` vectorised
    min/max steps, not a second sort. The cost grows as
    ``n_rows * n_columns * window * log(window)``.

    Parameters
    ----------
    values : array-like of shape (n_samples,) or (n_samples, n_features)
    window : int
        Rows per window, at least 1.
    center : bool, default=True
        Centred window (uses later rows) or trailing window (causal).

    Returns
    -------
    median, mad : ndarray, same shape as ``values``
        NaN where a window holds no value. ``mad`` is unscaled: multiply by
        :data:`MAD_SCALE` for a standard-deviation estimate.

    Examples
    --------
    >>> med, mad = rolling_median_mad([1.0, 2.0, 9.0, 4.0, 5.0], window=3)
    >>> med
    array([1.5, 2. , 4. , 5. , 4.5])
    >>> mad
    array([0.5, 1. , 2. , 1. , 0.5])
    """
    values = np.asarray(values, dtype=np.float64)
    one_d = values.ndim == 1
    values2 = values if values.ndim == 2 else values.reshape(-1, 1)
    n, m = values2.shape
    if not isinstance(window, Integral) or window < 1:
        raise ValueError(
            f"rolling_median_mad: window must be an int >= 1; got {window!r}."
        )
    window = int(window)
    if n == 0:
        empty = np.empty_like(values)
        return empty, empty.copy()
    # A window longer than the data holds the same rows as one just long
    # enough to cover them all from every row: use that, whatever was asked.
    window = min(window, 2 * n - 1 if center else n)
    before, _ = _window_bounds(window, bool(center))
    # One padded row per column (columns first): each window is contiguous.
    padded = np.empty((m, n + window - 1))
    padded[:, :before] = np.nan
    padded[:, before : before + n] = values2.T
    padded[:, before + n :] = np.nan
    windows = sliding_window_view(padded, window, axis=1)  # (m, n, window) view
    median = np.empty((m, n))
    mad = np.empty((m, n))
    block = max(1, _BLOCK_VALUES // window)
    for j in range(m):
        for start in range(0, n, block):
            stop = min(start + block, n)
            med, dev = _median_mad_block(windows[j, start:stop])
            median[j, start:stop] = med
            mad[j, start:stop] = dev
    if one_d:
        return median[0], mad[0]
    return median.T, mad.T


def _band(values, window, n_sigmas, center, min_scale):
    """Outlier mask, rolling median and band half-width, in place where possible."""
    median, mad = rolling_median_mad(values, window, center)
    half_width = np.multiply(mad, MAD_SCALE, out=mad)  # mad is not needed after
    np.maximum(half_width, min_scale, out=half_width)
    half_width *= n_sigmas
    distance = np.subtract(values, median)
    np.abs(distance, out=distance)
    with np.errstate(invalid="ignore"):
        mask = np.greater(distance, half_width)
    return mask, median, half_width


@validate_params(
    {
        "values": ["array-like"],
        "window": [Interval(Integral, 1, None, closed="left")],
        "n_sigmas": [Interval(Real, 0, None, closed="neither")],
        "center": ["boolean"],
        "min_scale": [Interval(Real, 0, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def hampel_mask(
    values: ArrayLike,
    window: int,
    n_sigmas: float = 3.0,
    center: bool = True,
    min_scale: float = 0.0,
) -> np.ndarray:
    """Flag values farther than ``n_sigmas`` robust sigmas from their window's median.

    Row ``i`` is an outlier when ``|x_i - m_i| > n_sigmas * s_i`` with ``m_i`` the
    window median and ``s_i = max(1.4826 * MAD_i, min_scale)``; windows as in
    :func:`rolling_median_mad`. NaN values are never flagged.

    Parameters
    ----------
    values : array-like of shape (n_samples,) or (n_samples, n_features)
    window : int
    n_sigmas : float, default=3.0
    center : bool, default=True
    min_scale : float, default=0.0
        Floor of the robust sigma ``s_i``; see :class:`MedianOutlierFilter`.

    Returns
    -------
    mask : ndarray of bool, same shape as ``values``

    Examples
    --------
    >>> hampel_mask([1.0, 2.0, 3.0, 40.0, 5.0, 6.0, 7.0], window=5)
    array([False, False, False,  True, False, False, False])
    """
    values = np.asarray(values, dtype=np.float64)
    return _band(values, window, n_sigmas, center, min_scale)[0]


@validate_params(
    {
        "values": ["array-like"],
        "window": [Interval(Integral, 1, None, closed="left")],
        "n_sigmas": [Interval(Real, 0, None, closed="neither")],
        "center": ["boolean"],
        "replace": [StrOptions({"median", "nan", "clip"})],
        "min_scale": [Interval(Real, 0, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def hampel_filter(
    values: ArrayLike,
    window: int,
    n_sigmas: float = 3.0,
    center: bool = True,
    replace: Literal["median", "nan", "clip"] = "median",
    min_scale: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Replace the values flagged by :func:`hampel_mask`.

    Parameters
    ----------
    values : array-like of shape (n_samples,) or (n_samples, n_features)
    window, n_sigmas, center, min_scale
        As in :func:`hampel_mask`.
    replace : {"median", "nan", "clip"}, default="median"
        What a flagged value becomes: its window's median, NaN, or the nearer
        edge of the band ``median +/- n_sigmas * s``.

    Returns
    -------
    filtered : ndarray of float64, same shape as ``values``
        Unflagged values unchanged.
    mask : ndarray of bool, same shape as ``values``

    Examples
    --------
    >>> out, mask = hampel_filter([1.0, 2.0, 3.0, 40.0, 5.0, 6.0, 7.0], window=5)
    >>> out
    array([1., 2., 3., 5., 5., 6., 7.])
    """
    values = np.asarray(values, dtype=np.float64)
    mask, median, half_width = _band(values, window, n_sigmas, center, min_scale)
    if replace not in ("median", "nan", "clip"):
        raise ValueError(
            "hampel_filter: replace must be 'median', 'nan' or 'clip'; "
            f"got {replace!r}."
        )
    # The output is written over the median: the replacements first, then the
    # values that are kept.
    out = median
    if replace == "nan":
        out.fill(np.nan)
    elif replace == "clip":
        low = np.subtract(median, half_width)
        high = np.add(median, half_width, out=half_width)
        np.clip(values, low, high, out=out)
    np.copyto(out, values, where=~mask)
    return out, mask


class MedianOutlierFilter(SeriesTransformerMixin, OneToOneFeatureMixin, BaseEstimator):
    """Hampel filter: replace values far from their rolling median.

    For each column, a value is an outlier when it lies more than ``n_sigmas``
    robust standard deviations from the median of its window::

        |x_i - median_i| > n_sigmas * max(1.4826 * MAD_i, min_scale)

    where ``MAD_i`` is the median absolute deviation of window ``i`` from its
    own median (the exact Hampel statistic; see :func:`rolling_median_mad`).
    The statistics are computed from the raw input, never from already
    replaced values. Rows are taken to be consecutive time steps, oldest first.

    **Look-ahead.** With ``center=True`` (default) the window of row ``i``
    reaches ``window // 2`` rows *after* it: a value is judged, and replaced,
    using later values. That is the classic Hampel filter and the better
    detector, but in a forecasting pipeline it lets future values leak into
    the features of past rows. ``center=False`` uses a trailing window (rows
    ``i - window + 1 .. i``): the causal mode.

    **The ends.** Rows near the start (and, when centred, the end) get a
    shorter window holding only the rows that exist, like pandas'
    ``min_periods=1``. A window of one or two values cannot flag anything
    (for ``n_sigmas >= 0.68``), so in causal mode the first two rows are never
    flagged.

    **Flat windows.** Where more than half a window holds one value, its MAD
    is 0 and ``min_scale`` decides: with the default ``min_scale=0`` any value
    that differs from such a flat neighbourhood is an outlier (the textbook
    rule; nothing is divided, so nothing blows up), and a value equal to it
    never is. For step-like or integer data (counts, prices on a tick grid)
    set ``min_scale`` to the smallest deviation that matters, e.g. one tick.

    **Missing values** (NaN) pass through untouched and are left out of the
    statistics. ``replace="nan"`` turns outliers into gaps for a following
    :class:`~sklstm.Interpolator`.

    **History that continues.** When the rows given to ``transform`` carry an
    index that continues the index seen in ``fit``, their windows reach back
    into the last ``window - 1`` (trailing) or ``window // 2`` (centred) fit
    rows, remembered at fit, so they are judged exactly as in the whole series.

    **Panels.** A panel (a DataFrame indexed by ``(series id, time)``, see
    :func:`~sklstm.to_panel`) is transformed series by series, each as if it were
    alone: no window reaches into another series, and a test fold continues each
    series' windows from its own fit rows.

    Parameters
    ----------
    window : int, default=7
        Rows per window, at least 3; odd when ``center=True``.
    n_sigmas : float, default=3.0
        Half-width of the accepted band, in robust standard deviations.
    center : bool, default=True
        Centred window (peeks ``window // 2`` rows ahead) or trailing window.
    replace : {"median", "nan", "clip"}, default="median"
        What an outlier becomes: its window's median, NaN, or the nearer edge
        of the band ``median +/- n_sigmas * sigma``.
    min_scale : float, default=0.0
        Floor of the robust standard deviation, in the units of the data; see
        "Flat windows" above.

    Attributes
    ----------
    n_outliers_ : ndarray of shape (n_features_in_,)
        How many values of each column were flagged in the data given to fit.
    history_ : History or None
        The last fit rows that continuing windows reach back to.
    series_ids_ : list or None
        The ids of the panel's series seen in fit, in order; None when fit saw a
        single series. After a panel fit ``n_outliers_`` and ``history_`` are dicts
        keyed by these ids.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only for DataFrame input with string column names.

    See Also
    --------
    Interpolator : fills the gaps that ``replace="nan"`` leaves.
    hampel_mask : the same rule as a function on arrays.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklstm import MedianOutlierFilter
    >>> X = pd.DataFrame({"load": [10.0, 11.0, 12.0, 95.0, 12.0, 11.0, 10.0]})
    >>> hampel = MedianOutlierFilter(window=5)
    >>> hampel.fit_transform(X)
       load
    0  10.0
    1  11.0
    2  12.0
    3  12.0
    4  12.0
    5  11.0
    6  10.0
    >>> hampel.n_outliers_
    array([1])
    >>> hampel.outlier_mask(X)["load"].tolist()
    [False, False, False, True, False, False, False]

    The causal mode judges each row by the rows up to it only; "clip" pulls
    an outlier back to the edge of the band (here 12 + 3 * 1.4826 * 1):

    >>> causal = MedianOutlierFilter(window=3, center=False, replace="clip")
    >>> causal.fit_transform(X.to_numpy()).ravel()
    array([10. , 11. , 12. , 16.4478, 12. , 11. , 10. ])
    """

    _parameter_constraints: dict = {
        "window": [Interval(Integral, 3, None, closed="left")],
        "n_sigmas": [Interval(Real, 0, None, closed="neither")],
        "center": ["boolean"],
        "replace": [StrOptions({"median", "nan", "clip"})],
        "min_scale": [Interval(Real, 0, None, closed="left")],
    }
    #: Learnt from each series' own rows: a dict keyed by id after a panel fit.
    _series_attributes = ("n_outliers_", "history_")

    def __init__(
        self,
        window: int = 7,
        *,
        n_sigmas: float = 3.0,
        center: bool = True,
        replace: Literal["median", "nan", "clip"] = "median",
        min_scale: float = 0.0,
    ) -> None:
        self.window = window
        self.n_sigmas = n_sigmas
        self.center = center
        self.replace = replace
        self.min_scale = min_scale

    def outlier_mask(self, X: ArrayLike) -> np.ndarray:
        """Which values of X are outliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        mask : ndarray or DataFrame of bool, shape (n_samples, n_features)
            True where ``transform`` replaces the value. A DataFrame with X's
            index and columns when X is a DataFrame.
        """
        check_is_fitted(self)
        groups = self._series_groups(X, "outlier_mask", reset=False)
        checked = self._check_input(X, reset=False, method="outlier_mask")
        if groups is None:
            mask = self._mask(*checked)
        else:
            mask = self._each_series(
                X, checked, groups, lambda part, _, *items: part._mask(*items)
            )
        if isinstance(X, pd.DataFrame):
            return pd.DataFrame(mask, index=X.index, columns=X.columns)
        return mask

    def _fit(self, X, values, index):
        """Learn from X; return the filtered X, which fit_transform reuses."""
        if self.center and self.window % 2 == 0:
            raise ValueError(
                f"{who(self, 'fit')}: window={self.window} must be odd when "
                f"center=True, so the window is symmetric; use "
                f"{self.window - 1} or {self.window + 1}, or center=False."
            )
        out, mask = self._filter(values)
        self.n_outliers_ = mask.sum(axis=0)
        before, _ = _window_bounds(self.window, self.center)
        self.history_ = record_history(values, index, before)
        return like_input(self, out, X)

    def _transform(self, X, values, index):
        extended, k = extend_with_history(self.history_, values, index)
        return like_input(self, self._filter(extended)[0][k:], X)

    def _mask(self, X, values, index):
        extended, k = extend_with_history(self.history_, values, index)
        return self._filter(extended)[1][k:]

    def _filter(self, values):
        return hampel_filter(
            values,
            self.window,
            n_sigmas=self.n_sigmas,
            center=self.center,
            replace=self.replace,
            min_scale=self.min_scale,
        )

    @classmethod
    def _test_params(cls):
        return [
            {"window": 5},
            {"window": 4, "center": False, "replace": "clip", "n_sigmas": 2.0},
        ]
