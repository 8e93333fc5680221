"""Rolling-origin backtests: forecast from past origins, compare, summarise.

The pieces are pure functions (where the origins lie, which rows train each
one, when to refit, the intervals of each origin from the residuals before
it); :func:`backtest` strings them together and :func:`backtest_metrics`
summarises its tidy frame. A worker fitting a model only ever receives the
rows up to the last origin it forecasts from (and, of the columns known in
advance, the rows up to that origin plus the horizon), so no forecast can see
data after its origin that it could not know there.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Hashable, Sequence
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from joblib import effective_n_jobs
from sklearn.base import clone
from sklearn.utils.parallel import Parallel, delayed

from sklstm._compat import Interval, RealNotInt, StrOptions, validate_params

if TYPE_CHECKING:
    from sklstm._typing import SeriesOrFrame
from sklstm.forecasting._forecast import forecast
from sklstm.forecasting._intervals import (
    CalibrationWarning,
    bounded_intervals,
    check_levels,
    conformal_half_widths,
    interval_columns,
    min_calibration,
)
from sklstm.forecasting._supervised import (
    as_frame,
    check_future_columns,
    check_time_index,
    make_supervised,
)
from sklstm.forecasting._workers import uses_torch, worker_threads
from sklstm.metrics import mae, naive_scale, rmse, smape
from sklstm.utils._panel import check_panel, is_panel, naming_series, take_series

__all__ = [
    "backtest",
    "check_future_agreement",
    "backtest_metrics",
    "model_protocol",
    "origin_positions",
    "pooled_calibration",
    "refit_schedule",
    "rolling_intervals",
    "training_rows",
]

_OWNER = "backtest"



# ---------------------------------------------------------------- the model
def _takes(method, name: str) -> bool:
    try:
        return name in inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False


def _first_parameter(method) -> str | None:
    try:
        params = list(inspect.signature(method).parameters)
    except (TypeError, ValueError):
        return None
    return params[0] if params else None


def model_protocol(model, owner: str = _OWNER) -> tuple[str, object]:
    """How :func:`backtest` drives ``model``, and the estimator it clones.

    Duck typing, in this order:

    1. a fitted search (``cv_results_`` and ``estimator``, as
       ``GridSearchCV``): its ``best_estimator_`` stands for it; the search
       is not run again. An unfitted search is an ordinary regressor (2.),
       tuned again at every refit;
    2. ``"forecaster"``: ``predict`` takes a ``horizon`` parameter, or
       ``fit``'s first parameter is ``y`` (``fit(y)``, ``predict(horizon)``
       returning one value per step, as :class:`~sklstm.LSTMForecaster`);
    3. ``"direct"``: anything else with ``fit(X, y)`` and ``predict(X)``, a
       regressor or pipeline fitted on
       ``make_supervised(train, target, horizon=[1, ..., H])`` and forecast
       with :func:`~sklstm.forecasting.forecast`.

    >>> from sklearn.linear_model import Ridge
    >>> from sklstm.forecasting import LSTMForecaster
    >>> model_protocol(Ridge(alpha=2.0))
    ('direct', Ridge(alpha=2.0))
    >>> model_protocol(LSTMForecaster(horizon=6))[0]
    'forecaster'
    """
    if hasattr(model, "cv_results_") and hasattr(model, "estimator"):
        best = getattr(model, "best_estimator_", None)
        if best is None:
            raise ValueError(
                f"{owner}: the fitted {type(model).__name__} has no best_estimator_ "
                "(it was fitted with refit=False). Fit it with refit=True, or pass "
                "clone(search.estimator).set_params(**search.best_params_)."
            )
        model = best
    if not (callable(getattr(model, "fit", None))
            and callable(getattr(model, "predict", None))):
        raise TypeError(
            f"{owner}: model must have fit and predict methods (a forecaster with "
            "fit(y)/predict(horizon), or a regressor with fit(X, y)/predict(X)); "
            f"got {type(model).__name__}."
        )
    if _takes(model.predict, "horizon") or _first_parameter(model.fit) == "y":
        return "forecaster", model
    return "direct", model


# -------------------------------------------------------------- the origins
def _start_position(index: pd.Index, start, n_rows: int) -> int:
    """The row of ``start``: a label of ``index``, or a position when it is an
    int and the index holds no integers."""
    integer_index = pd.api.types.is_integer_dtype(index.dtype)
    if isinstance(start, Integral) and not isinstance(start, bool) and not (
        integer_index
    ):
        pos = int(start) + (n_rows if start < 0 else 0)
        if not 0 <= pos < n_rows:
            raise ValueError(
                f"{_OWNER}: start={start} is not a row position of history, which "
                f"has {n_rows} rows."
            )
        return pos
    try:
        loc = index.get_loc(start)
    except (KeyError, TypeError, ValueError):
        raise ValueError(
            f"{_OWNER}: start={start!r} is not a label of history's index "
            f"(which runs from {index[0]} to {index[-1]}); pass a label or, for a "
            "non-integer index, a row position."
        ) from None
    if isinstance(loc, slice):
        return int(loc.start)
    if isinstance(loc, np.ndarray):
        return int(np.flatnonzero(loc)[0])
    return int(loc)


def origin_positions(n_rows: int, horizon: int, *, n_windows=3, start=None,
                     step=None, n_before: int = 0, min_train: int = 1):
    """The rows of the forecast origins (the last training row of each).

    Without ``start``: the last ``n_windows`` origins ``step`` rows apart, the
    last one ``horizon`` rows before the end, so its forecast ends with the
    data. With ``start`` (a row): ``n_windows`` origins from it (None: all
    whose forecast fits). ``n_before`` more origins precede them, at the same
    spacing (calibration origins). The first origin must leave ``min_train``
    training rows.

    >>> origin_positions(20, 3).tolist()
    [10, 13, 16]
    >>> origin_positions(20, 3, start=5, step=4, n_windows=None).tolist()
    [5, 9, 13]
    >>> origin_positions(20, 3, n_windows=2, step=1, n_before=2).tolist()
    [13, 14, 15, 16]
    """
    step = horizon if step is None else int(step)
    last = n_rows - 1 - horizon
    if last < 0:
        raise ValueError(
            f"{_OWNER}: history has {n_rows} rows, too few for horizon={horizon}: "
            "a forecast origin needs horizon later rows to compare with."
        )
    if start is None:
        if n_windows is None:
            raise ValueError(
                f"{_OWNER}: n_windows=None (every origin that fits) needs start=... "
                "to say where the first one is; or pass a number of windows."
            )
        first_eval = last - step * (n_windows - 1)
        n_eval = n_windows
    else:
        if start > last:
            raise ValueError(
                f"{_OWNER}: start is row {start}, but the last origin whose "
                f"horizon={horizon} forecast lies within history is row {last} "
                f"(history has {n_rows} rows); pass an earlier start."
            )
        fits = (last - start) // step + 1
        n_eval = fits if n_windows is None else n_windows
        if n_eval > fits:
            raise ValueError(
                f"{_OWNER}: n_windows={n_windows} origins from row {start}, "
                f"step={step} apart, run past the data: only {fits} fit a "
                f"horizon={horizon} forecast. Lower n_windows or step, or pass "
                "n_windows=None for all of them."
            )
        first_eval = start
    first = first_eval - step * n_before
    if first < min_train - 1:
        total = n_eval + n_before
        what = f"{n_eval} window(s)" + (
            f" and {n_before} calibration origin(s)" if n_before else "")
        raise ValueError(
            f"{_OWNER}: {what}, step={step} apart, would put the first origin at "
            f"row {first}, leaving {max(first + 1, 0)} training row(s); the model "
            f"needs at least {min_train}. History has {n_rows} rows and needs "
            f"{min_train + horizon + step * (total - 1)}: lower n_windows, "
            "n_calibration or step, start later, or pass a longer history."
        )
    return first + step * np.arange(n_before + n_eval)


def training_rows(positions, window: str) -> tuple[np.ndarray, np.ndarray]:
    """Row ranges ``[lo, hi)`` that train each origin.

    ``"expanding"``: everything up to the origin; ``"sliding"``: the last
    rows up to it, as many as the first origin had.

    >>> lo, hi = training_rows(np.array([9, 12, 15]), "sliding")
    >>> lo.tolist(), hi.tolist()
    ([0, 3, 6], [10, 13, 16])
    """
    positions = np.asarray(positions, dtype=int)
    hi = positions + 1
    if window == "expanding":
        return np.zeros_like(hi), hi
    return hi - hi[0], hi


def refit_schedule(n_origins: int, refit) -> np.ndarray:
    """Which origins refit: every one (True), only the first (False), every
    ``k``-th (an int), or as a sequence of bools says (one per origin,
    calibration origins first; the first must be True).

    >>> refit_schedule(5, 2).tolist()
    [True, False, True, False, True]
    >>> refit_schedule(3, False).tolist()
    [True, False, False]
    >>> refit_schedule(4, [True, False, True, True]).tolist()
    [True, False, True, True]
    """
    if not isinstance(refit, (bool, np.bool_, Integral)):
        flags = np.asarray(refit)
        if flags.shape != (n_origins,) or flags.dtype != bool or not flags[0]:
            raise ValueError(
                f"{_OWNER}: refit as a sequence needs one bool per origin "
                f"({n_origins}, calibration origins first), the first True (the "
                f"first origin must fit); got {list(np.ravel(flags))[:8]!r}"
                f"{'...' if flags.size > 8 else ''} of length {flags.size}."
            )
        return flags.copy()
    if refit is True:
        k = 1
    elif refit is False:
        k = max(n_origins, 1)
    else:
        k = int(refit)
    return np.arange(n_origins) % k == 0


def _n_calibration(n_calibration, levels, horizon: int, step: int,
                   method: str = "split") -> int:
    if levels is None:
        if n_calibration not in ("auto", 0):
            raise ValueError(
                f"{_OWNER}: n_calibration={n_calibration} adds origins to calibrate "
                "intervals, but levels=None asks for none; pass levels=(0.8, 0.95) "
                "or leave n_calibration out."
            )
        return 0
    if n_calibration != "auto":
        return int(n_calibration)
    # enough for the highest level at the first evaluated origin, at every
    # step: a residual h steps ahead is known only h rows after its origin
    need = min_calibration(levels[-1])
    if method == "split":
        return need + -(-horizon // step) - 1
    return pooled_calibration(need, horizon, step)


def pooled_calibration(need: int, horizon: int, step: int) -> int:
    """The fewest calibration origins that give the next origin a residual at
    every step and ``need`` residuals in all (``method="pooled"``).

    >>> pooled_calibration(19, 18, 1), pooled_calibration(19, 6, 6)
    (18, 4)
    """
    n = -(-horizon // step)
    while np.minimum(step * np.arange(1, n + 1), horizon).sum() < need:
        n += 1
    return n


# ------------------------------------------------------------- the workers
def _covariates(data: pd.DataFrame, target) -> list:
    return [c for c in data.columns if c != target]


def _fit(protocol, model, train: pd.DataFrame, target, horizon: int, known):
    est = clone(model)
    if protocol == "forecaster":
        others = _covariates(train, target)
        if others:
            est.fit(train[target], X=train[others])
        else:
            est.fit(train[target])
    else:
        X, Y = make_supervised(train, target, horizon=list(range(1, horizon + 1)),
                               future=known or None)
        est.fit(X, Y)
    return est


def _predict(protocol, est, data: pd.DataFrame, ahead, target, horizon: int,
             fresh: bool, known):
    """The forecast from the end of ``data``; ``ahead`` holds the future-known
    columns at the ``horizon`` steps after it (no column where none is)."""
    if protocol == "forecaster":
        others = _covariates(data, target)
        if not others:
            pred = (est.predict(horizon) if fresh
                    else est.predict(horizon, history=data[target]))
        else:
            # the past-only covariates are unknown at the forecast steps: NaN
            cov = ahead.reindex(columns=others)
            pred = (est.predict(horizon, X=cov) if fresh else est.predict(
                horizon, history=data[target],
                X=pd.concat([data[others], cov])))
    else:
        pred = forecast(est, data, horizon, target=target, strategy="direct",
                        future=ahead if known else None)
    values = np.asarray(pred, dtype=np.float64).ravel()
    if len(values) != horizon or not np.isfinite(values).all():
        raise ValueError(
            f"{_OWNER}: {type(est).__name__} forecast {len(values)} value(s) from "
            f"origin {data.index[-1]}, {int((~np.isfinite(values)).sum())} not "
            f"finite; expected {horizon} finite numbers, one per step."
        )
    return values


def _run_segment(model, protocol, data, ahead, target, horizon, fit_rows, windows,
                 one_thread, known):
    """Fit on ``data[fit_rows]``, then forecast from the end of each window.

    ``data`` holds the rows up to the segment's last origin, nothing later;
    ``ahead`` (None where no forecast needs it) the future-known columns
    ``known`` (maybe none: the labels alone) up to that origin plus
    ``horizon``, and a forecast from row ``hi`` gets its rows ``hi`` to
    ``hi + horizon`` only.
    """
    with worker_threads(one_thread):
        est = _fit(protocol, model, data.iloc[fit_rows[0]:fit_rows[1]], target,
                   horizon, known)
        return [_predict(protocol, est, data.iloc[lo:hi],
                         None if ahead is None else ahead.iloc[hi:hi + horizon],
                         target, horizon, j == 0, known)
                for j, (lo, hi) in enumerate(windows)]


# ------------------------------------------------------------- the intervals
def rolling_intervals(positions, forecasts, actuals, levels, lower_bounds,
                      first: int = 0, method: str = "split"):
    """Conformal intervals of each origin from the residuals before it.

    The residual of origin ``j`` at step ``h`` calibrates origin ``i`` only
    if it was known there: ``positions[j] + h <= positions[i]``. Origins
    before ``first`` get none (NaN).

    Parameters
    ----------
    positions : ndarray of shape (n_origins,)
        Origin rows, increasing.
    forecasts, actuals : ndarray of shape (n_origins, horizon)
        NaN actuals (gaps) give no residual.
    levels : list of float
        Sorted ascending.
    lower_bounds : sequence of float or None, one per origin
    first : int, default=0
    method : {"split", "pooled"}, default="split"
        See :func:`~sklstm.forecasting._intervals.conformal_half_widths`.

    Returns
    -------
    values : ndarray of shape (n_origins, horizon, 1 + 2 * n_levels)
        The point (raised to its bound where below it), then lower and upper
        per level.
    counts : ndarray of shape (n_origins, horizon)
        Residuals each interval was calibrated on.
    short : ndarray of bool, shape (n_origins,)
        Origins with too few residuals for some level at some step.

    Examples
    --------
    >>> pos = np.array([0, 1, 2])
    >>> fc = np.zeros((3, 1)); act = np.array([[1.0], [-2.0], [0.5]])
    >>> values, counts, short = rolling_intervals(pos, fc, act, [0.5], [None] * 3)
    >>> values[:, 0].tolist(), counts[:, 0].tolist()
    ([[0.0, nan, nan], [0.0, -1.0, 1.0], [0.0, -2.0, 2.0]], [0, 1, 2])
    """
    positions = np.asarray(positions)
    forecasts = np.asarray(forecasts, dtype=np.float64)
    residuals = np.abs(np.asarray(actuals, dtype=np.float64) - forecasts)
    n, horizon = forecasts.shape
    steps = np.arange(1, horizon + 1)
    values = np.full((n, horizon, 1 + 2 * len(levels)), np.nan)
    values[:, :, 0] = forecasts
    counts = np.zeros((n, horizon), dtype=int)
    short = np.zeros(n, dtype=bool)
    for i in range(first, n):
        known = positions[:i, None] + steps[None, :] <= positions[i]
        widths, counts[i], too_few = conformal_half_widths(
            np.where(known, residuals[:i], np.nan), levels, method
        )
        short[i] = too_few.any()
        values[i] = bounded_intervals(forecasts[i], widths, lower_bounds[i])
    return values, counts, short


def _lower_bounds(y: np.ndarray, positions, lower_bound) -> list:
    if lower_bound != "auto":
        return [lower_bound] * len(positions)
    negative_so_far = np.logical_or.accumulate(y < 0)
    return [None if negative_so_far[p] else 0.0 for p in positions]


# --------------------------------------------------------------- backtest
@validate_params(
    {
        "model": "no_validation",  # model_protocol says what is wrong with it
        "history": [pd.Series, pd.DataFrame],
        "horizon": [Interval(Integral, 1, None, closed="left")],
        "n_windows": [Interval(Integral, 1, None, closed="left"), None],
        "start": "no_validation",
        "step": [Interval(Integral, 1, None, closed="left"), None],
        "window": [StrOptions({"expanding", "sliding"})],
        "refit": ["boolean", Interval(Integral, 1, None, closed="left"),
                  "array-like"],
        "levels": [Interval(RealNotInt, 0, 1, closed="neither"), "array-like", None],
        "n_calibration": [StrOptions({"auto"}), Interval(Integral, 0, None,
                                                         closed="left")],
        "method": [StrOptions({"split", "pooled"})],
        "lower_bound": [StrOptions({"auto"}), Interval(Real, None, None,
                                                       closed="neither"), None],
        "n_jobs": [Integral, None],
        "target": [Hashable, None],
        "future": ["array-like", str, None],
    },
    prefer_skip_nested_validation=False,
)
def backtest(
    model: Any,
    history: SeriesOrFrame,
    horizon: int,
    *,
    n_windows: int | None = 3,
    start: Any = None,
    step: int | None = None,
    window: str = "expanding",
    refit: bool | int | Sequence[bool] = True,
    levels: Sequence[float] | None = None,
    n_calibration: int | str = "auto",
    method: str = "split",
    lower_bound: float | str | None = "auto",
    n_jobs: int | None = None,
    target: Hashable | None = None,
    future: Sequence[Hashable] | None = None,
) -> pd.DataFrame:
    """Rolling-origin evaluation: forecast from past origins and compare.

    At each origin (a past row), the model is trained on the data up to and
    including it, forecasts the next ``horizon`` steps, and the forecasts are
    set against what happened. Nothing after an origin reaches its model
    unless it is known in advance: the worker that fits and forecasts gets
    only the rows up to its origin, and of the ``future`` columns the rows up
    to the origin plus ``horizon``.

    **Origins.** Without ``start``: the last ``n_windows`` origins, ``step``
    rows apart, the last one ``horizon`` rows before the end of ``history``,
    so its forecast ends with the data. With ``start`` (the first origin):
    ``n_windows`` origins from it, every ``step`` rows (``n_windows=None``:
    every one whose forecast lies within ``history``).

    **Models**, told apart by duck typing (:func:`model_protocol`):

    - a *forecaster*: ``fit(y)`` on the training series, then
      ``predict(horizon)`` returning ``horizon`` values (a Series; values are
      taken in order), e.g. :class:`~sklstm.LSTMForecaster`. Recognised by a
      ``predict`` that takes ``horizon`` or a ``fit`` whose first parameter is
      ``y``. When a DataFrame ``history`` has columns besides the target,
      they are its covariates: ``fit(y, X=train[covariates])``, then
      ``predict(horizon, X=cov)``, ``cov`` the covariates at the forecast
      steps, the ``future`` ones with their values and the past-only ones
      NaN (unknown there); without a refit ``predict(horizon, history=y,
      X=...)``, ``X`` the covariates of the rows of ``history`` followed by
      ``cov``. A forecaster whose ``fit`` takes no ``X`` is then refused;
      without other columns it gets no ``X``;
    - a *direct* regressor or pipeline: fitted on
      ``make_supervised(train, target, horizon=[1, ..., horizon],
      future=future)`` (all columns of ``history`` as X, and the leads of
      the ``future`` ones), forecast with
      :func:`~sklstm.forecasting.forecast` from the data up to the origin,
      given the ``future`` columns' values at the next ``horizon`` rows;
    - a fitted ``GridSearchCV`` (any fitted search): its ``best_estimator_``,
      cloned and refitted like the model it is; the search is not repeated.
      Pass the unfitted search to tune again at every refit instead.

    Every fit starts from ``sklearn.base.clone`` of the model: its fitted
    state, if any, is not used.

    Parameters
    ----------
    model : forecaster, regressor, pipeline or fitted search
        See above.
    history : Series or DataFrame
        The series, oldest first, on a sorted index with a regular step.
    horizon : int
        Steps forecast from each origin.
    n_windows : int or None, default=3
        Origins evaluated (rows of the result: ``n_windows * horizon``).
        None, with ``start``: all that fit.
    start : label, int or None, default=None
        The first origin, a label of ``history``'s index (the first row
        matching a partial date string) or, for an index that does not hold
        integers, a row position (negative counts from the end).
    step : int or None, default=None
        Rows between origins; None: ``horizon`` (forecasts that do not
        overlap).
    window : {"expanding", "sliding"}, default="expanding"
        Train on all rows up to the origin, or on the last ones, as many as
        the first origin (calibration origins included) had.
    refit : bool, int or sequence of bool, default=True
        True: a fresh fit at every origin. False: one fit at the first origin;
        later origins only forecast, from the data up to them. An int ``k``:
        refit at every ``k``-th origin, forecast only in between. A sequence:
        one bool per origin (calibration origins first, the first True), to
        refit where it says. A forecaster
        then needs ``predict(horizon, history=series)``, a forecast from new
        data without refitting, as :class:`~sklstm.LSTMForecaster` has. A
        direct model always can.
    levels : float, list of float or None, default=None
        Coverage levels of conformal prediction intervals, such as
        ``(0.8, 0.95)`` (see :func:`~sklstm.forecasting.conformal_intervals`).
        The interval of each origin is calibrated on the residuals of the
        origins before it, step by step, and only on those already observed
        at the origin (origin ``j``'s ``h``-step residual counts once ``h``
        rows have passed).
    n_calibration : "auto" or int, default="auto"
        Origins added before the evaluated ones, at the same spacing, whose
        residuals calibrate the intervals and which are not in the result.
        "auto": none without ``levels``; with them, the fewest that give the
        first evaluated origin enough residuals at every step for the highest
        level: with ``method="split"``,
        ``min_calibration(max(levels)) + ceil(horizon / step) - 1`` (19 for
        95% with the default step; 4 for 80%); with ``"pooled"``, enough for
        a residual at every step and that many in all (18 origins for 95% and
        ``horizon=18, step=1``). With fewer, the first origins' intervals are
        NaN (no residual yet) or, with too few for a level, as wide as the
        largest residual, and a
        :class:`~sklstm.forecasting.CalibrationWarning` says so.
    method : {"split", "pooled"}, default="split"
        "split": each step's interval from that step's residuals. "pooled":
        residuals divided by their step's scale (mean ``|residual|``, made
        non-decreasing over the steps) and pooled over the steps, so that
        far fewer origins reach a level (see
        :func:`~sklstm.forecasting.conformal_intervals`).
    lower_bound : "auto", float or None, default="auto"
        Intervals (and, with ``levels``, the point forecast) never go below
        it. "auto": 0 at an origin whose data so far has no negative value,
        none otherwise. Used only with ``levels``.
    n_jobs : int or None, default=None
        Fits run in parallel processes (joblib), each origin that refits with
        the origins it forecasts from until the next refit. A worker pins
        torch to one thread for torch-based models (sklstm's LSTMs). None: 1,
        unless in a ``joblib.parallel_config`` context; -1: all CPUs.
    target : column label or None, default=None
        The column of a DataFrame ``history`` to forecast; None for a Series
        or a one-column frame.
    future : list of column labels or None, default=None
        Columns of a DataFrame ``history`` known in advance (calendar terms,
        holidays, planned promotions): a forecast from an origin may read
        their values at the ``horizon`` rows after it, the past-only columns
        (all others) only up to it. A direct model takes their leads (see
        :func:`~sklstm.forecasting.make_supervised`); a forecaster gets them
        in ``predict(horizon, X=...)``, where the past-only covariates are
        NaN. The forecaster contract is ``fit(y, X=None)`` and
        ``predict(horizon, history=None, X=None)``. None: every column is
        past-only.

    Returns
    -------
    frame : DataFrame
        One row per origin and step, in that order: ``origin`` (the label of
        the last training row), ``h`` (steps ahead), ``time`` (the label of
        the forecast step), ``actual``, ``forecast``, and with ``levels``,
        ``lower_<level>`` and ``upper_<level>`` in percent (``lower_80``,
        ``upper_80``, ``lower_95``, ...). Summarise it with
        :func:`backtest_metrics`. For a panel ``history`` (indexed by
        ``(series id, time)``), each series is backtested on its own, with
        its own fits (a local model per series), and the frame starts with
        a column of the series id (named like the index level); summarise a
        series with ``backtest_metrics(frame[frame.id == k], history.loc[k])``.

    Raises
    ------
    ValueError
        ``history`` is too short for the origins asked for (the message
        says how long it must be), ``start`` is not in it, a forecaster
        must forecast from new data without ``predict(..., history=)``, a
        ``future`` column is not a column of ``history`` or is the target, or
        ``history`` has covariates for a forecaster without ``fit(y, X=...)``.

    See Also
    --------
    sklstm.forecasting.backtest_metrics : MAE, RMSE, MASE, sMAPE and coverage
        by step.
    sklstm.forecasting.conformal_intervals : the intervals from given residuals.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.linear_model import Ridge
    >>> from sklstm.forecasting import backtest, backtest_metrics
    >>> s = pd.Series(np.arange(30.0) + np.tile([0.0, 2.0, -1.0], 10), name="y",
    ...               index=pd.date_range("2024-01-01", periods=30, freq="D"))
    >>> frame = backtest(Ridge(alpha=1e-6), s, horizon=2, n_windows=3)
    >>> frame.columns.tolist()
    ['origin', 'h', 'time', 'actual', 'forecast']
    >>> frame[["origin", "h", "time", "actual"]].head(3)
          origin  h       time  actual
    0 2024-01-24  1 2024-01-25    24.0
    1 2024-01-24  2 2024-01-26    27.0
    2 2024-01-26  1 2024-01-27    25.0
    >>> bool((frame["forecast"] - frame["actual"]).abs().max() < 4)
    True
    >>> backtest_metrics(frame, s).columns.tolist()
    ['MAE', 'RMSE', 'MASE', 'sMAPE']
    """
    if is_panel(history):
        from sklstm.forecasting._panel_backtest import backtest_panel_model, panel_model

        if panel_model(model):
            return backtest_panel_model(
                model, history, horizon, n_windows=n_windows, start=start,
                step=step, window=window, refit=refit, levels=levels,
                n_calibration=n_calibration, method=method,
                lower_bound=lower_bound, n_jobs=n_jobs, target=target,
                future=future,
            )
        return _backtest_panel(
            model, history, horizon, n_windows=n_windows, start=start, step=step,
            window=window, refit=refit, levels=levels, n_calibration=n_calibration,
            method=method, lower_bound=lower_bound, n_jobs=n_jobs, target=target,
            future=future,
        )
    frame, target = as_frame(history, target, _OWNER, "history")
    y = _target_values(frame, target)
    check_time_index(frame.index, _OWNER)
    protocol, estimator = model_protocol(model)
    known = check_future_columns(future, frame, target, _OWNER, "history")
    if protocol == "forecaster":
        _check_covariate_forecaster(estimator, frame, target)
        check_future_agreement(estimator, _covariates(frame, target), known)
    horizon = int(horizon)
    step = horizon if step is None else int(step)
    level_list = None if levels is None else check_levels(levels, _OWNER)
    n_cal = _n_calibration(n_calibration, level_list, horizon, step, method)
    start_pos = None if start is None else _start_position(frame.index, start,
                                                           len(frame))
    min_train = horizon + 1 if protocol == "direct" else 1
    positions = origin_positions(
        len(frame), horizon, n_windows=n_windows, start=start_pos, step=step,
        n_before=n_cal, min_train=min_train,
    )
    refits = refit_schedule(len(positions), refit)
    if protocol == "forecaster" and not refits.all() and not _takes(
        estimator.predict, "history"
    ):
        name = type(estimator).__name__
        raise ValueError(
            f"{_OWNER}: refit={refit!r} asks {name} to forecast from the data up "
            f"to each origin without refitting, but {name}.predict(horizon) only "
            "forecasts from the end of the series it was fitted on (its predict "
            "takes no history=...). Pass refit=True to refit at every origin, or "
            "a model whose predict(horizon, history=series) forecasts from new "
            "data."
        )
    lo, hi = training_rows(positions, window)
    forecasts = _run(estimator, protocol, frame, target, horizon, refits, lo, hi,
                     n_jobs, known)
    return result_frame(frame.index, y, positions, forecasts, horizon, level_list,
                        n_cal, method, lower_bound)


def result_frame(index: pd.Index, y: np.ndarray, positions, forecasts,
                 horizon: int, level_list, n_cal: int, method: str,
                 lower_bound) -> pd.DataFrame:
    """The tidy backtest frame of one series from its forecasts of shape
    ``(n_origins, horizon)`` (calibration origins first, then dropped), with
    the intervals of each origin when ``level_list`` is given."""
    steps = np.arange(1, horizon + 1)
    rows = (positions[:, None] + steps[None, :]).ravel()
    columns = {
        "origin": index.take(np.repeat(positions, horizon)),
        "h": np.tile(steps, len(positions)),
        "time": index.take(rows),
        "actual": y[rows],
        "forecast": forecasts.ravel(),
    }
    if level_list is not None:
        actuals = y[positions[:, None] + steps[None, :]]
        values, counts, short = rolling_intervals(
            positions, forecasts, actuals, level_list,
            _lower_bounds(y, positions, lower_bound), first=n_cal, method=method,
        )
        _warn_calibration(counts[n_cal:], short[n_cal:], level_list)
        flat = values.reshape(-1, values.shape[-1])
        columns["forecast"] = flat[:, 0]
        for k, name in enumerate(interval_columns(level_list)):
            columns[name] = flat[:, 1 + k]
    out = pd.DataFrame({k: np.asarray(v) if k not in ("origin", "time") else v
                        for k, v in columns.items()})
    return out.iloc[n_cal * horizon:].reset_index(drop=True)


def _backtest_panel(model, history, horizon, **options) -> pd.DataFrame:
    """Each series of a panel backtested on its own (a local model per
    series), the frames stacked with the series id as their first column."""
    level = history.index.names[0]
    name = "series" if level is None else level
    time = history.index.get_level_values(1)
    parts = []
    for sid, rows in check_panel(history, _OWNER):
        (series,) = take_series([history], rows, time)
        with naming_series(sid):
            part = backtest(model, series, horizon, **options)
        part.insert(0, name, sid)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _target_values(frame: pd.DataFrame, target) -> np.ndarray:
    col = frame[target]
    if not pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(
        col.dtype
    ):
        raise TypeError(
            f"{_OWNER}: the target {target!r} has dtype {col.dtype}; expected "
            "numbers. Convert it with pd.to_numeric."
        )
    return col.to_numpy(dtype=np.float64, na_value=np.nan)


def check_future_agreement(model, covariates: list, known: list) -> None:
    """An error when ``model`` (or the forecaster a PerSeriesForecaster
    wraps) takes covariates as known in advance that backtest's ``future``
    does not list: backtest would withhold their forecast-step values (NaN),
    and the model would fail on them."""
    inner = getattr(model, "forecaster", model)
    if not covariates or not hasattr(inner, "get_params"):
        return
    declared = inner.get_params(deep=False).get("future", None)
    if declared is None:
        return
    from sklstm.forecasting._covariates import split_columns

    try:
        model_known, _ = split_columns(covariates, declared, _OWNER)
    except ValueError:  # the model says so itself, naming its columns
        return
    lacking = [c for c in model_known if c not in known]
    if lacking:
        raise ValueError(
            f"{_OWNER}: {type(inner).__name__}(future={declared!r}) takes "
            f"{lacking!r} as known in advance, but backtest's future="
            f"{list(known) or None!r} does not, so their values at the forecast "
            f"steps would be withheld. Pass future={[*known, *lacking]!r} to "
            "backtest, or set the model's future= to the columns known in "
            "advance."
        )


def _check_covariate_forecaster(estimator, frame: pd.DataFrame, target) -> None:
    others = _covariates(frame, target)
    if not others:
        return
    name = type(estimator).__name__
    lacking = [m for m in ("fit", "predict") if not _takes(getattr(estimator, m), "X")]
    if lacking:
        raise ValueError(
            f"{_OWNER}: history has covariate column(s) {others!r} besides the "
            f"target {target!r}, but {name}.{lacking[0]} takes no X=... to "
            f"receive them. Pass history[{target!r}] to backtest {name} on the "
            "series alone, or a forecaster with fit(y, X=None) and "
            "predict(horizon, history=None, X=None)."
        )


def _run(estimator, protocol, frame, target, horizon, refits, lo, hi, n_jobs,
         known=()):
    """Forecasts of every origin, shape (n_origins, horizon).

    A segment's worker gets the rows up to its last origin, and, where a
    forecast reads them, the ``known`` columns up to that origin plus
    ``horizon`` (a forecaster with covariates gets their labels at least).
    """
    starts = np.flatnonzero(refits)
    ends = [*starts[1:], len(refits)]
    segments = [range(a, b) for a, b in zip(starts, ends, strict=True)]
    parallel = effective_n_jobs(n_jobs) != 1 and len(segments) > 1
    one_thread = parallel and uses_torch(estimator)
    needs_ahead = bool(known) or (protocol == "forecaster"
                                  and bool(_covariates(frame, target)))
    known = list(known)

    def ahead(seg):
        if not needs_ahead:
            return None
        return frame.loc[:, known].iloc[: hi[seg[-1]] + horizon]

    jobs = [
        (estimator, protocol, frame.iloc[: hi[seg[-1]]], ahead(seg), target,
         horizon, (lo[seg[0]], hi[seg[0]]), [(lo[i], hi[i]) for i in seg],
         one_thread, known)
        for seg in segments
    ]
    if parallel:
        results = Parallel(n_jobs=n_jobs)(delayed(_run_segment)(*job) for job in jobs)
    else:
        results = [_run_segment(*job) for job in jobs]
    return np.array([f for segment in results for f in segment], dtype=np.float64)


def _warn_calibration(counts, short, levels) -> None:
    if not len(counts):
        return
    none = int((counts == 0).any(axis=1).sum())
    if none:
        warnings.warn(
            f"{_OWNER}: the first {none} evaluated origin(s) have no earlier "
            "residual at some step, so their intervals are NaN; add calibration "
            "origins (n_calibration, e.g. 'auto') to give them one.",
            CalibrationWarning,
            stacklevel=4,
        )
    few = int(short.sum())
    if few:
        top = levels[-1]
        warnings.warn(
            f"{_OWNER}: {few} evaluated origin(s) have fewer earlier residuals at "
            f"some step than a level needs (level {top:g} needs "
            f"{min_calibration(top)}); their intervals are as wide as the largest "
            f"residual and cover less than {top:.0%} on average. Raise "
            "n_calibration (or leave it at 'auto').",
            CalibrationWarning,
            stacklevel=4,
        )


# ----------------------------------------------------------------- metrics
def _coverage_levels(frame: pd.DataFrame) -> list[str]:
    names = []
    for col in frame.columns:
        if isinstance(col, str) and col.startswith("lower_"):
            name = col[len("lower_"):]
            if f"upper_{name}" in frame.columns:
                names.append(name)
    return names


def _scale(frame: pd.DataFrame, history, target, m: int) -> float:
    owner = "backtest_metrics"
    series = as_frame(history, target, owner, "history")
    y = series[0][series[1]]
    labels = pd.Index(frame["origin"].unique())
    where = y.index.get_indexer(labels)
    if (where < 0).any():
        missing = labels[where < 0][0]
        raise ValueError(
            f"{owner}: origin {missing} of the frame is not in history's index; "
            "pass the history the backtest ran on."
        )
    before = y.to_numpy(dtype=np.float64, na_value=np.nan)[: where.min() + 1]
    observed = np.isfinite(before[m:]) & np.isfinite(before[:-m]) if len(before) > m \
        else np.zeros(0, dtype=bool)
    if not observed.any():
        raise ValueError(
            f"{owner}: the history up to the first origin has {len(before)} rows, "
            f"too few for the seasonal-naive scale with m={m} (MASE needs pairs "
            "m rows apart); lower m or start the backtest later."
        )
    scale = naive_scale(before, m)
    if scale == 0:
        raise ValueError(
            f"{owner}: the history up to the first origin repeats itself exactly "
            f"at lag m={m}, so the seasonal-naive scale is 0 and MASE is "
            "undefined; pass history=None to skip MASE."
        )
    return scale


@validate_params(
    {
        "frame": [pd.DataFrame],
        "history": [pd.Series, pd.DataFrame, None],
        "m": [Interval(Integral, 1, None, closed="left")],
        "target": [Hashable, None],
    },
    prefer_skip_nested_validation=True,
)
def backtest_metrics(
    frame: pd.DataFrame,
    history: SeriesOrFrame | None = None,
    m: int = 1,
    *,
    target: Hashable | None = None,
) -> pd.DataFrame:
    """Accuracy of a :func:`backtest`, by step ahead and overall.

    Parameters
    ----------
    frame : DataFrame
        What :func:`backtest` returned (columns ``origin``, ``h``, ``actual``,
        ``forecast``, and ``lower_<level>``/``upper_<level>`` if any).
    history : Series, DataFrame or None, default=None
        The series the backtest ran on, for MASE: its scale is the in-sample
        MAE of the seasonal-naive forecast ``y[t] = y[t - m]`` on the history
        up to the first origin (the first training data), one scale for all
        origins. None: no MASE column.
    m : int, default=1
        Season length of the MASE scale (12 for monthly data).
    target : column label or None, default=None
        The target column of a DataFrame ``history``.

    Returns
    -------
    metrics : DataFrame
        One row per step ``h`` and a last row ``"all"`` over every row.
        Columns ``MAE``, ``RMSE``, ``MASE`` (with ``history``), ``sMAPE`` (in
        percent, 0 to 200), and per interval level ``coverage_<level>`` (the
        fraction of actuals inside ``[lower, upper]``, to compare with the
        level) and ``width_<level>`` (mean ``upper - lower``). Rows whose
        actual is missing are left out, and so is an interval that is NaN
        (an origin without calibration residuals) from coverage and width.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"origin": [3, 3, 5, 5], "h": [1, 2, 1, 2],
    ...                       "actual": [4.0, 6.0, 6.0, 9.0],
    ...                       "forecast": [5.0, 5.0, 6.0, 7.0]})
    >>> history = pd.Series([1.0, 2.0, 3.0, 4.0, 6.0, 6.0, 9.0, 8.0])
    >>> backtest_metrics(frame, history)[["MAE", "RMSE", "MASE"]]
         MAE      RMSE  MASE
    h
    1    0.5  0.707107   0.5
    2    1.5  1.581139   1.5
    all  1.0  1.224745   1.0
    """
    missing = [c for c in ("h", "actual", "forecast") if c not in frame.columns]
    if missing or (history is not None and "origin" not in frame.columns):
        need = missing or ["origin"]
        raise ValueError(
            f"backtest_metrics: frame lacks the column(s) {need}; pass the frame "
            "backtest returned."
        )
    scale = None if history is None else _scale(frame, history, target, m)
    actual = frame["actual"].to_numpy(dtype=np.float64, na_value=np.nan)
    pred = frame["forecast"].to_numpy(dtype=np.float64, na_value=np.nan)
    steps = frame["h"].to_numpy()
    ok = np.isfinite(actual) & np.isfinite(pred)
    if not ok.any():
        raise ValueError(
            "backtest_metrics: no row has both an actual and a forecast value."
        )
    names = _coverage_levels(frame)
    bounds = {n: (frame[f"lower_{n}"].to_numpy(dtype=np.float64, na_value=np.nan),
                  frame[f"upper_{n}"].to_numpy(dtype=np.float64, na_value=np.nan))
              for n in names}
    groups = [(h, ok & (steps == h)) for h in sorted(set(steps[ok].tolist()))]
    groups.append(("all", ok))
    records = []
    for _, rows in groups:
        t, p = actual[rows], pred[rows]
        record = {"MAE": mae(t, p), "RMSE": rmse(t, p)}
        if scale is not None:
            record["MASE"] = record["MAE"] / scale
        record["sMAPE"] = smape(t, p)
        for n in names:
            low, up = bounds[n][0][rows], bounds[n][1][rows]
            has = np.isfinite(low) & np.isfinite(up)
            inside = (low[has] <= t[has]) & (t[has] <= up[has])
            record[f"coverage_{n}"] = float(inside.mean()) if has.any() else np.nan
            record[f"width_{n}"] = float((up[has] - low[has]).mean()) if has.any() \
                else np.nan
        records.append(record)
    index = pd.Index([g for g, _ in groups], name="h", dtype=object)
    return pd.DataFrame(records, index=index)
