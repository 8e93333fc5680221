"""Conformal prediction intervals from backtest residuals, one per step ahead.

Split conformal prediction, step by step: the errors a model made ``h`` steps
ahead at past forecast origins (its backtest residuals) are the calibration
set for its next ``h``-step forecast. With ``n`` residuals, the half-width at
level ``a`` is the ``k``-th smallest ``|residual|``, ``k = ceil((n + 1) a)``
(the ``ceil((n + 1) a) / n`` empirical quantile). When the residuals and the
next error are exchangeable, the interval ``forecast +- half-width`` covers
the outcome with probability at least ``a``; it needs ``n >= a / (1 - a)``
residuals (4 for 80%, 19 for 95%), see :func:`min_calibration`.

The bounds are made non-crossing and kept above a lower bound by the same
projection :class:`~sklstm.ConstrainedRegressor` applies to ordered outputs
(:func:`~sklstm.compose._constrained.order_over_outputs`): each step's row
``lower_95 <= lower_80 <= forecast <= upper_80 <= upper_95`` is ordered by
construction, so the projection only applies the bound.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from numbers import Real
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sklstm._compat import Interval, RealNotInt, StrOptions, validate_params

if TYPE_CHECKING:
    from sklstm._typing import ArrayLike
from sklstm.compose._constrained import order_over_outputs

__all__ = [
    "CalibrationWarning",
    "check_levels",
    "conformal_half_widths",
    "conformal_intervals",
    "conformal_rank",
    "interval_columns",
    "level_name",
    "min_calibration",
    "step_scales",
]

_OWNER = "conformal_intervals"
# (n + 1) * a computed in floats: 20 * 0.95 must count as 19, not 19.000000000000004
_EPS = 1e-9


class CalibrationWarning(UserWarning):
    """Too few residuals to calibrate an interval at its level.

    The half-width is then the largest residual, and the interval covers the
    outcome less often than its level promises.
    """


def level_name(level: float) -> str:
    """The column suffix of a level: a percentage without trailing zeros.

    >>> level_name(0.8), level_name(0.95), level_name(0.975)
    ('80', '95', '97.5')
    """
    return f"{100 * float(level):.10g}"


def interval_columns(levels) -> list[str]:
    """``lower_<level>``, ``upper_<level>`` for each level, in the given order.

    >>> interval_columns([0.8, 0.95])
    ['lower_80', 'upper_80', 'lower_95', 'upper_95']
    """
    return [f"{side}_{level_name(a)}" for a in levels for side in ("lower", "upper")]


def conformal_rank(n: int, level: float) -> int:
    """``ceil((n + 1) * level)``: which smallest ``|residual|`` of ``n`` is the
    half-width. Above ``n``, there are too few residuals for ``level``.

    >>> conformal_rank(19, 0.95), conformal_rank(10, 0.95), conformal_rank(4, 0.8)
    (19, 11, 4)
    """
    return math.ceil((n + 1) * float(level) - _EPS)


def min_calibration(level: float) -> int:
    """The fewest residuals for which the conformal half-width at ``level``
    exists: the smallest ``n`` with ``ceil((n + 1) * level) <= n``.

    >>> min_calibration(0.8), min_calibration(0.9), min_calibration(0.95)
    (4, 9, 19)
    """
    n = max(1, math.ceil(float(level) / (1.0 - float(level)) - _EPS))
    while conformal_rank(n, level) > n:
        n += 1
    return n


def check_levels(levels, owner: str) -> list[float]:
    """``levels`` (a float or a list of floats in (0, 1)) as a sorted list.

    >>> check_levels((0.95, 0.8), "f")
    [0.8, 0.95]
    """
    values = [levels] if isinstance(levels, Real) else list(np.ravel(levels))
    bad = [v for v in values if isinstance(v, (bool, np.bool_))
           or not isinstance(v, Real) or not 0 < float(v) < 1]
    if bad or not values:
        raise ValueError(
            f"{owner}: levels must be coverage probabilities strictly between 0 "
            f"and 1, such as (0.8, 0.95); got {levels!r}."
        )
    values = sorted(float(v) for v in values)
    if len({level_name(v) for v in values}) != len(values):
        raise ValueError(
            f"{owner}: levels {levels!r} contain duplicates (as percentages, "
            "which name the columns); pass each level once."
        )
    return values


METHODS = ("split", "pooled")


def conformal_half_widths(abs_residuals, levels, method: str = "split"):
    """Conformal half-widths per step and level, from ``|residuals|``.

    ``"split"``: each step's half-width from that step's residuals alone.
    ``"pooled"``: each residual divided by its step's scale (the mean
    ``|residual|`` at that step, made non-decreasing over the steps), all
    steps pooled, and the conformal quantile of the pool multiplied back by
    each step's scale: ``n_steps`` times as many residuals per quantile, so a
    short history still reaches 95%, at the price of assuming that the
    errors of all steps have one shape.

    Parameters
    ----------
    abs_residuals : ndarray of shape (n_origins, n_steps)
        Absolute residuals, one column per step ahead; NaN entries are not
        residuals (not available, not observed) and are left out.
    levels : list of float
        Sorted ascending.
    method : {"split", "pooled"}, default="split"

    Returns
    -------
    widths : ndarray of shape (n_steps, n_levels)
        NaN where a step has no residual at all ("split") or no step has one
        ("pooled"; a step without residuals takes the scale of the step
        before it).
    counts : ndarray of shape (n_steps,)
        Residuals each step's quantile was taken from.
    short : ndarray of bool, shape (n_steps, n_levels)
        Steps with some residuals but fewer than the level needs: their
        half-width is the largest (scaled) residual.

    Examples
    --------
    >>> r = np.array([[1.0, 2.0], [3.0, np.nan], [2.0, 4.0], [4.0, 1.0]])
    >>> widths, counts, short = conformal_half_widths(r, [0.5, 0.8])
    >>> widths
    array([[3., 4.],
           [2., 4.]])
    >>> counts.tolist(), short.tolist()
    ([4, 3], [[False, False], [False, True]])
    >>> widths, counts, _ = conformal_half_widths(r, [0.5, 0.8], "pooled")
    >>> widths, counts.tolist()
    (array([[2., 4.],
           [2., 4.]]), [7, 7])
    """
    r = np.abs(np.asarray(abs_residuals, dtype=np.float64))
    if r.ndim == 1:
        r = r[:, None]
    if method == "pooled":
        return _pooled_half_widths(r, levels)
    ordered = np.sort(r, axis=0)  # NaN last
    counts = np.isfinite(r).sum(axis=0)
    widths = np.full((r.shape[1], len(levels)), np.nan)
    short = np.zeros((r.shape[1], len(levels)), dtype=bool)
    for j, level in enumerate(levels):
        rank = np.array([conformal_rank(int(n), level) for n in counts], dtype=int)
        short[:, j] = (counts > 0) & (rank > counts)
        take = np.clip(np.minimum(rank, counts) - 1, 0, None)
        if len(ordered):
            picked = np.take_along_axis(ordered, take[None, :], axis=0)[0]
            widths[:, j] = np.where(counts > 0, picked, np.nan)
    return widths, counts, short


def step_scales(r: np.ndarray) -> np.ndarray:
    """The mean ``|residual|`` of each step, non-decreasing over the steps; a
    step without residuals takes the scale of the step before it (NaN before
    the first step that has one).

    >>> step_scales(np.array([[1.0, 1.0, np.nan], [3.0, 1.0, np.nan]])).tolist()
    [2.0, 2.0, 2.0]
    """
    counts = np.isfinite(r).sum(axis=0)
    sums = np.nansum(r, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    filled = pd.Series(means).ffill().to_numpy()
    return np.fmax.accumulate(filled)


def _pooled_half_widths(r: np.ndarray, levels):
    n_steps = r.shape[1]
    scales = step_scales(r)
    with np.errstate(invalid="ignore", divide="ignore"):
        u = r / scales[None, :]
    zero = scales == 0  # residuals all 0 at a step: no width there
    u = np.where(zero[None, :] & np.isfinite(r), 0.0, u)
    pool = np.sort(u[np.isfinite(u)])
    n = len(pool)
    widths = np.full((n_steps, len(levels)), np.nan)
    short = np.zeros((n_steps, len(levels)), dtype=bool)
    for j, level in enumerate(levels):
        if n == 0:
            continue
        rank = conformal_rank(n, level)
        short[:, j] = np.isfinite(scales) & (rank > n)
        widths[:, j] = pool[min(rank, n) - 1] * scales
    counts = np.where(np.isfinite(scales), n, 0)
    return widths, counts, short


def bounded_intervals(point, widths, lower_bound=None) -> np.ndarray:
    """The point forecasts and their bounds, ordered and kept ``>= lower_bound``.

    Returns an array of shape (n_steps, 1 + 2 * n_levels): the point, then
    lower and upper for each level (ascending), as :func:`interval_columns`.
    A point below ``lower_bound`` is raised to it, as its lower bounds are.

    >>> bounded_intervals(np.array([1.0, 5.0]), np.array([[2.0, 3.0], [1.0, 2.0]]),
    ...                   lower_bound=0.0)
    array([[1., 0., 3., 0., 4.],
           [5., 4., 6., 3., 7.]])
    """
    point = np.asarray(point, dtype=np.float64)
    widths = np.asarray(widths, dtype=np.float64)
    # nested: the half-widths never shrink as the level grows
    widths = np.fmax.accumulate(widths, axis=1)
    # one row per step: lower_L .. lower_1, point, upper_1 .. upper_L
    rows = np.column_stack(
        [point[:, None] - widths[:, ::-1], point, point[:, None] + widths]
    )
    rows = order_over_outputs(rows, True, lower_bound)
    n_levels = widths.shape[1]
    lower = rows[:, :n_levels][:, ::-1]
    upper = rows[:, n_levels + 1:]
    out = np.empty((len(point), 1 + 2 * n_levels))
    out[:, 0] = rows[:, n_levels]
    out[:, 1::2] = lower
    out[:, 2::2] = upper
    return out


def _residual_matrix(residuals_by_h, n_steps: int) -> np.ndarray:
    if isinstance(residuals_by_h, dict):
        if not residuals_by_h:
            raise ValueError(f"{_OWNER}: residuals_by_h is an empty dict.")
        steps = sorted(residuals_by_h)
        columns = [np.asarray(residuals_by_h[h], dtype=np.float64).ravel()
                   for h in steps]
        longest = max(len(c) for c in columns)
        matrix = np.full((longest, len(columns)), np.nan)
        for j, col in enumerate(columns):
            matrix[: len(col), j] = col
    else:
        matrix = np.asarray(residuals_by_h, dtype=np.float64)
        if matrix.ndim == 1 and n_steps == 1:
            matrix = matrix[:, None]
    if matrix.ndim != 2:
        raise ValueError(
            f"{_OWNER}: residuals_by_h must be 2-D, one row per origin and one "
            f"column per step ahead; got shape {matrix.shape}."
        )
    if matrix.shape[1] != n_steps:
        raise ValueError(
            f"{_OWNER}: residuals_by_h has {matrix.shape[1]} step column(s) but "
            f"the forecast has {n_steps} value(s); pass one column of residuals "
            "per forecast step, in the same order."
        )
    if np.isinf(matrix).any():
        raise ValueError(
            f"{_OWNER}: residuals_by_h holds infinite values; a residual is "
            "actual - forecast, a finite number (NaN marks a missing one)."
        )
    return matrix


@validate_params(
    {
        "residuals_by_h": ["array-like", dict],
        "forecast": ["array-like"],
        "levels": [Interval(RealNotInt, 0, 1, closed="neither"), "array-like"],
        "lower_bound": [Interval(Real, None, None, closed="neither"), None],
        "method": [StrOptions(set(METHODS))],
    },
    prefer_skip_nested_validation=True,
)
def conformal_intervals(
    residuals_by_h: Any,
    forecast: ArrayLike,
    levels: Sequence[float] = (0.8, 0.95),
    *,
    lower_bound: float | None = None,
    method: str = "split",
) -> pd.DataFrame:
    """Split-conformal prediction intervals, calibrated step by step.

    For step ``h``, take the ``n`` residuals (actual - forecast) that the
    model made ``h`` steps ahead at past forecast origins, e.g. in a
    :func:`~sklstm.forecasting.backtest`. The half-width at level ``a`` is the
    ``ceil((n + 1) a)``-th smallest ``|residual|``, and the interval is
    ``forecast +- half-width``. If the past errors and the next one are
    exchangeable (the model errs alike at every origin), the interval covers
    the outcome with probability at least ``a``: on average over origins, not
    for each one.

    Parameters
    ----------
    residuals_by_h : DataFrame, 2-D array-like or dict
        One row per past origin, one column per forecast step, in the order
        of ``forecast`` (a DataFrame's columns are taken by position). NaN
        entries are missing residuals and are skipped, so steps may have
        different counts. A dict maps each step ``h`` to its residuals.
    forecast : Series or array-like of shape (n_steps,)
        The point forecasts to put intervals around.
    levels : float or list of float, default=(0.8, 0.95)
        Coverage probabilities, strictly between 0 and 1.
    lower_bound : float or None, default=None
        No bound (nor the forecast) goes below it: 0 for a series that cannot
        be negative. None: unbounded.
    method : {"split", "pooled"}, default="split"
        "split": step ``h``'s half-width from the step-``h`` residuals alone,
        as above. "pooled": each residual is divided by its step's scale (the
        mean ``|residual|`` at that step, made non-decreasing over the steps),
        the scaled residuals of all steps form one calibration set, and its
        conformal quantile times each step's scale is that step's half-width.
        With ``n`` origins and ``H`` steps the quantile comes from up to
        ``n * H`` residuals instead of ``n``, so a short history still reaches
        95%; it assumes the errors of all steps share one shape up to scale.

    Returns
    -------
    intervals : DataFrame of shape (n_steps, 1 + 2 * n_levels)
        Columns ``forecast``, then ``lower_<level>`` and ``upper_<level>`` for
        each level in percent (``lower_80``, ``upper_80``, ``lower_95``, ...),
        indexed like ``forecast`` (steps ``1..n`` for an array). Bounds never
        cross: ``lower <= forecast <= upper``, and a higher level's interval
        contains a lower level's.

    Raises
    ------
    ValueError
        A step has no residual at all, or the shapes disagree.

    Warns
    -----
    CalibrationWarning
        A step has fewer residuals than a level needs (``n < a / (1 - a)``:
        4 for 80%, 9 for 90%, 19 for 95%). Its half-width is then the largest
        residual, and the interval covers less than the level on average.
        Chosen over an error so that a short history still gets an interval;
        ``warnings.simplefilter("error", CalibrationWarning)`` makes it one.

    See Also
    --------
    sklstm.forecasting.backtest : residuals at past origins, and intervals
        that are calibrated on earlier origins only (``levels=...``).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklstm.forecasting import conformal_intervals
    >>> residuals = pd.DataFrame({"h1": [0.5, -1.0, 0.2, -0.4, 0.8],
    ...                           "h2": [1.5, -2.0, 0.1, 1.0, -0.9]})
    >>> fc = pd.Series([10.0, 10.5], index=pd.period_range("2024-01", periods=2,
    ...                                                    freq="M"))
    >>> conformal_intervals(residuals, fc, levels=0.8)
             forecast  lower_80  upper_80
    2024-01      10.0       9.0      11.0
    2024-02      10.5       8.5      12.5
    """
    levels = check_levels(levels, _OWNER)
    if isinstance(forecast, pd.DataFrame):
        if forecast.shape[1] != 1:
            raise ValueError(
                f"{_OWNER}: forecast must be one series of values, got a "
                f"DataFrame with {forecast.shape[1]} columns."
            )
        forecast = forecast.iloc[:, 0]
    if isinstance(forecast, pd.Series):
        index = forecast.index
        point = forecast.to_numpy(dtype=np.float64)
    else:
        point = np.asarray(forecast, dtype=np.float64).ravel()
        index = pd.RangeIndex(1, len(point) + 1, name="h")
    if len(point) == 0 or not np.isfinite(point).all():
        raise ValueError(
            f"{_OWNER}: forecast must hold finite numbers, one per step; got "
            f"{len(point)} value(s), {int((~np.isfinite(point)).sum())} not finite."
        )
    matrix = _residual_matrix(residuals_by_h, len(point))
    widths, counts, short = conformal_half_widths(matrix, levels, method)
    empty = np.flatnonzero(counts == 0)
    if len(empty):
        raise ValueError(
            f"{_OWNER}: step(s) {[int(j) + 1 for j in empty]} have no residual to "
            "calibrate on; pass at least one past residual per step (a backtest "
            "with more origins gives more)."
        )
    for j, level in enumerate(levels):
        steps = np.flatnonzero(short[:, j])
        if len(steps):
            warnings.warn(
                f"{_OWNER}: step(s) {[int(s) + 1 for s in steps]} have "
                f"{int(counts[steps].min())} residual(s), too few for level "
                f"{level:g}, which needs at least {min_calibration(level)}; their "
                "half-width is the largest residual, which covers less than "
                f"{level:.0%} on average. Add origins (backtest's n_calibration) or "
                "lower the level.",
                CalibrationWarning,
                stacklevel=3,
            )
    values = bounded_intervals(point, widths, lower_bound)
    return pd.DataFrame(values, index=index,
                        columns=["forecast", *interval_columns(levels)])
