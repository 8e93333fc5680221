"""Forecasting past the end of the data: direct and recursive."""

from __future__ import annotations

from numbers import Integral
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from sklstm.forecasting._supervised import as_frame, check_time_index, resolve_horizons
from sklstm.utils._history import index_step

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Literal

    from sklstm._typing import Horizon, SeriesOrFrame

__all__ = ["forecast", "future_index"]

_OWNER = "forecast"


def future_index(index: pd.Index, horizons: list[int]) -> pd.Index:
    """The labels ``h`` steps after the last label of ``index``, for each ``h``.

    A DatetimeIndex continues at its frequency (set, or inferred from the
    labels); an integer index continues with its step.

    >>> idx = pd.date_range("1960-10-01", periods=3, freq="MS")
    >>> future_index(idx, [1, 2]).strftime("%Y-%m").tolist()
    ['1961-01', '1961-02']
    >>> future_index(pd.RangeIndex(0, 10, 2), [1, 3]).tolist()
    [10, 14]
    >>> future_index(pd.period_range("2020Q1", periods=4, freq="Q"), [1, 2]).tolist()
    [Period('2021Q1', 'Q-DEC'), Period('2021Q2', 'Q-DEC')]
    """
    if isinstance(index, pd.PeriodIndex) and len(index):
        # periods count their own steps: the next month is the last one + 1
        return pd.PeriodIndex([index[-1] + h for h in horizons], name=index.name)
    step = index_step(index)
    if step is None:
        fix = ("set one with history.asfreq('MS'), for example"
               if isinstance(index, pd.DatetimeIndex) else
               "convert the index with pd.to_datetime(...) and set its frequency")
        raise ValueError(
            f"{_OWNER}: cannot tell the time step of the history's index "
            f"({type(index).__name__}); it needs a DatetimeIndex with a frequency "
            f"({fix}), a PeriodIndex, or an evenly spaced integer index."
        )
    if isinstance(index, pd.DatetimeIndex):
        steps = pd.date_range(
            index[-1], periods=horizons[-1] + 1, freq=step, name=index.name
        )
        return steps[1:] if horizons == list(range(1, len(steps))) else steps[horizons]
    return pd.Index([index[-1] + h * step for h in horizons], name=index.name)


def _predict_last(model, X) -> np.ndarray:
    pred = np.asarray(model.predict(X), dtype=np.float64)
    if len(pred) != len(X):
        raise ValueError(
            f"{_OWNER}: the model returned {len(pred)} predictions for {len(X)} "
            "rows; expected one per row."
        )
    last = pred[-1]
    return np.atleast_1d(last).ravel()


def forecast(
    model: Any,
    history: SeriesOrFrame,
    horizon: Horizon = 1,
    *,
    target: str | None = None,
    features: Sequence[str] | None = None,
    feature_builder: Callable[[pd.DataFrame], Any] | None = None,
    strategy: Literal["auto", "direct", "recursive"] = "auto",
) -> pd.Series:
    """Forecast the steps after the end of ``history``, with their timestamps.

    ``history`` is the series in the layout given to
    :func:`~sklstm.forecasting.make_supervised` (the data up to now); the
    model is fitted on the X, y it made.

    **Direct** (a model fitted on several horizons, 2-D y): one ``predict``
    on ``history``; the last row's outputs are the forecasts, output ``j``
    for the ``j``-th horizon (sorted). **Recursive** (a model with one output,
    fitted on ``horizon=1``): predict one step, append the prediction to the
    target as if observed, predict again, ``max(horizon)`` times. That
    assumes every feature can be rebuilt from the target alone, e.g. lags
    computed inside the model's pipeline. Other columns have no known future:
    pass ``feature_builder`` to compute them (for example calendar terms from
    the index), or use a direct model.

    ``model.predict`` gets the whole history each time, so the first rows'
    lags and windows come from real data and the last row, whose prediction
    is used, has its full history.

    Parameters
    ----------
    model : fitted regressor
        Anything with ``predict``: a regressor, a Pipeline, a
        ConstrainedRegressor, a fitted GridSearchCV.
    history : DataFrame or Series
        The data up to now, indexed by time: a DatetimeIndex with a frequency
        (set or inferable) or an evenly spaced integer index.
    horizon : int or list of int, default=1
        An int ``H`` forecasts steps ``1..H``; a list, those steps.
    target : str or None, default=None
        The target column of ``history``; None for a Series or a one-column
        DataFrame.
    features : list of str or None, default=None
        Columns of ``history`` the model takes as X; None takes all, as
        ``make_supervised`` does.
    feature_builder : callable or None, default=None
        ``feature_builder(frame) -> X``: builds the model's X from a frame
        with ``history``'s columns. In the recursive strategy the frame has
        the forecast steps appended, with the predictions in the target
        column and NaN in the others. Replaces ``features``.
    strategy : {"auto", "direct", "recursive"}, default="auto"
        "auto" is direct when the model has one output per requested horizon
        (a one-output model asked for a single step ``[h]`` is taken to be
        fitted on horizon ``h``), recursive when it has one output and several
        steps are asked for.

    Returns
    -------
    forecasts : Series
        One value per forecast step, indexed by its timestamp, named after the
        target.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklstm.forecasting import forecast, make_supervised
    >>> s = pd.Series([10.0, 12.0, 14.0, 16.0, 18.0], name="sales",
    ...               index=pd.date_range("2024-01-01", periods=5, freq="D"))
    >>> X, Y = make_supervised(s, horizon=[1, 2])
    >>> direct = LinearRegression().fit(X, Y)
    >>> forecast(direct, s, horizon=2)
    2024-01-06    20.0
    2024-01-07    22.0
    Freq: D, Name: sales, dtype: float64
    >>> X, y = make_supervised(s, horizon=1)
    >>> one_step = LinearRegression().fit(X, y)
    >>> forecast(one_step, s, horizon=3).tolist()
    [20.0, 22.0, 24.0]
    """
    check_is_fitted(model)
    frame, target = as_frame(history, target, _OWNER, "history")
    if strategy not in {"auto", "direct", "recursive"}:
        raise ValueError(
            f"{_OWNER}: strategy must be 'auto', 'direct' or 'recursive', got "
            f"{strategy!r}."
        )
    if len(frame) == 0:
        raise ValueError(f"{_OWNER}: history is empty; pass the data up to now.")
    check_time_index(frame.index, _OWNER)
    horizons = resolve_horizons(horizon, _OWNER)
    if isinstance(horizon, Integral):  # an int H means the steps 1..H
        horizons = list(range(1, horizons[0] + 1))
    index = future_index(frame.index, horizons)
    build = _builder(frame, target, features, feature_builder)

    last = _predict_last(model, build(frame))
    n_out = len(last)
    if strategy == "auto":
        strategy = "direct" if n_out == len(horizons) or n_out > 1 else "recursive"
    if strategy == "direct":
        if n_out != len(horizons):
            raise ValueError(
                f"{_OWNER}: the model predicts {n_out} output(s) per row but "
                f"{len(horizons)} horizon(s) {horizons} were asked for; a direct "
                "forecast needs a model fitted on y = make_supervised(..., "
                f"horizon={horizons})[1]."
            )
        return pd.Series(last, index=index, name=target)
    if n_out != 1:
        raise ValueError(
            f"{_OWNER}: a recursive forecast needs a one-step model with one "
            f"output, but the model predicts {n_out} per row; use "
            "strategy='direct'."
        )
    if feature_builder is None:
        _reject_exogenous(frame, target, features)
    steps = future_index(frame.index, list(range(1, horizons[-1] + 1)))
    extended = frame.reindex(frame.index.append(steps))
    col = extended.columns.get_loc(target)
    n = len(frame)
    for k in range(horizons[-1]):
        if k > 0:
            last = _predict_last(model, build(extended.iloc[: n + k]))
        extended.iloc[n + k, col] = last[0]
    values = extended[target].to_numpy()[[n + h - 1 for h in horizons]]
    return pd.Series(values, index=index, name=target)


def _builder(frame, target, features, feature_builder):
    if feature_builder is not None:
        if not callable(feature_builder):
            raise TypeError(
                f"{_OWNER}: feature_builder must be a callable frame -> X, got "
                f"{type(feature_builder).__name__}."
            )
        return feature_builder
    if features is None:
        return lambda f: f
    columns = [features] if isinstance(features, str) else list(features)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{_OWNER}: features {missing!r} are not columns of history; the "
            f"columns are {list(frame.columns)}."
        )
    return lambda f: f.loc[:, columns]


def _reject_exogenous(frame, target, features) -> None:
    used = list(frame.columns) if features is None else (
        [features] if isinstance(features, str) else list(features)
    )
    others = [c for c in used if c != target]
    if others:
        raise ValueError(
            f"{_OWNER}: a recursive forecast feeds predictions of {target!r} back "
            f"as input, but the model also takes {others!r}, whose future values "
            "are unknown. Pass feature_builder=... to compute them for the new "
            "rows, pass features=[target] with a model fitted on the target "
            "alone, or fit a direct multi-horizon model."
        )
