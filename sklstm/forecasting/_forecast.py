"""Forecasting past the end of the data: direct and recursive."""

from __future__ import annotations

import re
from numbers import Integral
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from sklstm.forecasting._supervised import (
    _rows,
    as_frame,
    check_time_index,
    lead_columns,
    resolve_horizons,
)
from sklstm.utils._history import index_step
from sklstm.utils._panel import check_panel, is_panel

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
    future: pd.DataFrame | None = None,
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
    computed inside the model's pipeline, or terms of the time index
    (:class:`~sklstm.preprocessing.CalendarFeatures`). Other columns are
    past-only, with no known future: pass ``feature_builder`` to compute
    them, ``future`` for the ones known in advance, or use a direct model.

    **Future-known columns** (a model fitted on ``make_supervised(...,
    future=[...])``, whose X holds the leads ``{c}_h{h}``): ``future`` gives
    their values at the forecast steps. The history is extended by the
    forecast steps, those columns filled from ``future``, and the leads are
    built as ``make_supervised`` builds them: for a direct model the last
    history row gets the values at the steps it forecasts; recursively, each
    step gets the value at the next one, and the future-known columns' own
    values at the appended rows are known too.

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
        Columns of ``history`` the model takes as X (their current values);
        None takes all, as ``make_supervised`` does.
    future : DataFrame or None, default=None
        The future-known columns (columns of ``history`` too, as given to
        ``make_supervised(..., future=[...])``) at the forecast steps:
        indexed by the labels that ``future_index(history.index, ...)``
        gives, every step from 1 to the farthest one asked for (the leads of
        the last rows read them all); extra rows are ignored. Their leads
        follow the ``features`` columns in X. When the model knows its
        feature names, the columns it takes leads of are read from them
        (extra columns of ``future`` are then ignored), and so, with
        ``strategy="auto"``, is the strategy: a model with leads at step 1
        only is recursive. None: a model fitted with leads is refused.
    feature_builder : callable or None, default=None
        ``feature_builder(frame) -> X``: builds the model's X from a frame
        with ``history``'s columns. In the recursive strategy the frame has
        the forecast steps appended, with the predictions in the target
        column, the future-known columns from ``future`` and NaN in the
        others. Replaces ``features``; with ``future`` it must return a
        DataFrame, to which the leads are appended.
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

    A promotion known in advance: the model learns its effect from the
    lead ``promo_h1``, and the forecast takes the planned promotions.

    >>> data = pd.DataFrame({"sales": [10.0, 10, 15, 10, 10, 15, 10, 10],
    ...                      "promo": [0, 0, 1, 0, 0, 1, 0, 0]},
    ...                     index=pd.date_range("2024-01-01", periods=8, freq="D"))
    >>> X, y = make_supervised(data, "sales", future=["promo"], features=[])
    >>> model = LinearRegression().fit(X, y)
    >>> plan = pd.DataFrame({"promo": [1, 0]},
    ...                     index=pd.date_range("2024-01-09", periods=2, freq="D"))
    >>> forecast(model, data, horizon=2, target="sales", features=[],
    ...          future=plan).round(6).tolist()
    [15.0, 10.0]
    """
    check_is_fitted(model)
    if is_panel(history):
        return _forecast_panel(model, history, horizon, target, features, future,
                               feature_builder, strategy)
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
    names = _feature_names(model)
    steps = future_index(frame.index, list(range(1, horizons[-1] + 1)))
    if future is None:
        if feature_builder is None:
            _refuse_missing_future(names, frame, target, steps)
        filled, lead_cols, model_steps = [], [], None
    else:
        filled, lead_cols, model_steps = _future_columns(future, frame, target,
                                                         names)
    if strategy == "recursive":
        lead_h = [1]
    elif strategy == "direct" or model_steps != [1] or len(horizons) == 1:
        lead_h = horizons
    else:  # the model takes leads one step ahead: a one-step model
        lead_h = [1]
    extended = frame.reindex(frame.index.append(steps))
    if future is not None:
        _fill_future(extended, frame, future, filled, lead_cols, steps)

    def leads_for(lead_h):
        if not lead_cols:
            return None
        if model_steps is not None and model_steps != lead_h:
            raise ValueError(
                f"{_OWNER}: the model takes the leads of {lead_cols!r} at step(s) "
                f"{model_steps} (fitted on make_supervised(..., horizon="
                f"{model_steps}, future=...)), but this forecast needs them at "
                f"step(s) {lead_h}; ask for horizon={model_steps} (direct), or "
                "fit a one-step model (horizon=1) for a recursive forecast."
            )
        return lead_columns(extended, lead_cols, lead_h)

    leads = leads_for(lead_h)

    def make_X(rows):
        return _with_leads(build(rows), leads, len(rows), feature_builder)

    last = _predict_last(model, make_X(frame))
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
    if lead_cols and lead_h != [1]:  # built for a direct model, but it is not
        leads = leads_for([1])
        last = _predict_last(model, make_X(frame))
    if feature_builder is None:
        _reject_exogenous(frame, target, features, filled)
    col = extended.columns.get_loc(target)
    n = len(frame)
    for k in range(horizons[-1]):
        if k > 0:
            last = _predict_last(model, make_X(extended.iloc[: n + k]))
        extended.iloc[n + k, col] = last[0]
    values = extended[target].to_numpy()[[n + h - 1 for h in horizons]]
    return pd.Series(values, index=index, name=target)


def _forecast_panel(model, history, horizon, target, features, future,
                    feature_builder, strategy) -> pd.Series:
    """A direct forecast of every series of a panel from its last row."""
    owner = f"{_OWNER} (panel)"
    if future is not None or feature_builder is not None or strategy == "recursive":
        raise ValueError(
            f"{owner}: a panel is forecast directly (a model fitted on "
            "make_supervised(panel, horizon=[1, ..., H])), without future= or "
            "feature_builder= for now; forecast each series alone for those."
        )
    frame = history.to_frame() if isinstance(history, pd.Series) else history
    if target is None:
        if frame.shape[1] != 1:
            raise ValueError(
                f"{owner}: history has {frame.shape[1]} columns; pass target=... "
                "to say which one is forecast."
            )
        target = frame.columns[0]
    groups = check_panel(frame, owner)
    horizons = resolve_horizons(horizon, owner)
    if isinstance(horizon, Integral):
        horizons = list(range(1, horizons[0] + 1))
    X = _builder(frame, target, features, None)(frame)
    pred = np.asarray(model.predict(X), dtype=np.float64)
    if pred.ndim == 1:
        pred = pred[:, None]
    if len(pred) != len(frame) or pred.shape[1] != len(horizons):
        raise ValueError(
            f"{owner}: the model predicts {pred.shape[1] if pred.ndim > 1 else 1} "
            f"output(s) for each of {len(pred)} rows; a direct panel forecast "
            f"needs one row per history row and {len(horizons)} outputs (a model "
            f"fitted on make_supervised(panel, horizon={horizons}))."
        )
    parts = []
    for sid, rows in groups:
        times = frame.index[rows].droplevel(0)
        steps = future_index(times, horizons)
        parts.append(pd.Series(pred[rows.stop - 1], index=pd.MultiIndex.from_arrays(
            [np.repeat(np.array([sid], dtype=object), len(steps)), steps],
            names=frame.index.names)))
    return pd.concat(parts).rename(target)


def _feature_names(model) -> list[str] | None:
    """The model's ``feature_names_in_`` as strings, or None if it has none."""
    try:
        names = getattr(model, "feature_names_in_", None)
    except Exception:  # a property that cannot answer
        return None
    return None if names is None else [str(n) for n in names]


def _leads_in(names, frame, column) -> list[str]:
    """The names among ``names`` that are leads ``{column}_h{h}`` of a column."""
    pattern = re.compile(re.escape(str(column)) + r"_h([1-9][0-9]*)")
    own = {str(c) for c in frame.columns}
    return [n for n in names if n not in own and pattern.fullmatch(n)]


def _lead_steps(names) -> list[int]:
    return sorted({int(n.rsplit("_h", 1)[1]) for n in names})


def _refuse_missing_future(names, frame, target, steps) -> None:
    if names is None:
        return
    found = {c: _leads_in(names, frame, c) for c in frame.columns if c != target}
    found = {c: leads for c, leads in found.items() if leads}
    if found:
        leads = [n for ls in found.values() for n in ls]
        shown = ", ".join(repr(n) for n in leads[:4]) + (
            ", ..." if len(leads) > 4 else "")
        raise ValueError(
            f"{_OWNER}: the model was fitted with future-known column(s) "
            f"{list(found)!r} (its features include the leads [{shown}]); pass "
            f"future=DataFrame with their values at the forecast steps "
            f"{_rows(steps)} (the labels future_index(history.index, ...) gives)."
        )


def _future_columns(future, frame, target, names):
    """``(columns filled from future, columns whose leads the model takes, the
    steps of its leads or None)``."""
    if isinstance(future, pd.Series):
        future = future.to_frame()
    if not isinstance(future, pd.DataFrame):
        raise TypeError(
            f"{_OWNER}: future must be a DataFrame of the future-known columns at "
            f"the forecast steps, got {type(future).__name__}."
        )
    filled = list(future.columns)
    if target in filled:
        raise ValueError(
            f"{_OWNER}: future holds the target {target!r}, whose future is what "
            "is forecast; pass the future-known columns only."
        )
    alien = [c for c in filled if c not in frame.columns]
    if alien:
        raise ValueError(
            f"{_OWNER}: future has column(s) {alien!r} that history lacks; "
            "history holds every column the model was fitted on (the layout "
            "given to make_supervised), the future-known ones too, and future "
            f"their values at the forecast steps. History's columns are "
            f"{list(frame.columns)}."
        )
    if future.index.has_duplicates:
        twice = future.index[future.index.duplicated()]
        raise ValueError(
            f"{_OWNER}: future's index has duplicated label(s) ({_rows(twice)}); "
            "give one row per forecast step."
        )
    if names is None:
        return filled, filled, None
    found = {c: _leads_in(names, frame, c) for c in frame.columns if c != target}
    lead_cols = [c for c, leads in found.items() if leads]
    lacking = [c for c in lead_cols if c not in filled]
    if lacking:
        raise ValueError(
            f"{_OWNER}: future lacks the future-known column(s) {lacking!r}, "
            f"whose leads the model takes ({found[lacking[0]][:3]!r}); add their "
            "values at the forecast steps to future."
        )
    steps = _lead_steps([n for c in lead_cols for n in found[c]]) if lead_cols \
        else None
    return filled, lead_cols, steps


def _fill_future(extended, frame, future, filled, lead_cols, steps) -> None:
    """Write ``future``'s values at ``steps`` into the appended rows of
    ``extended``; the leads' columns must be known at every step."""
    if isinstance(future, pd.Series):
        future = future.to_frame()
    present = steps.isin(future.index)
    values = future.reindex(steps)
    if lead_cols and not present.all():
        raise ValueError(
            f"{_OWNER}: future lacks rows for the forecast step(s) "
            f"{_rows(steps[~present])} of the future-known column(s) "
            f"{lead_cols!r}; it needs every step from {steps[0]} to {steps[-1]} "
            f"(future_index(history.index, list(range(1, {len(steps) + 1}))) "
            f"gives them). Its index holds {_rows(future.index)}"
            f"{_kind_hint(future.index, steps)}."
        )
    for c in lead_cols:
        gap = values[c].isna().to_numpy()
        if gap.any():
            raise ValueError(
                f"{_OWNER}: future holds NaN in the future-known column {c!r} at "
                f"the forecast step(s) {_rows(steps[gap])}; a value known in "
                "advance must be known at every step. Fill it."
            )
    full = extended.index
    for c in filled:
        extended[c] = pd.concat([frame[c], values[c]]).set_axis(full)


def _kind_hint(given: pd.Index, steps: pd.Index) -> str:
    if type(given) is type(steps):
        return ""
    return (f" (a {type(given).__name__}, but the forecast steps are a "
            f"{type(steps).__name__} like history's index)")


def _with_leads(built, leads, n_rows: int, feature_builder):
    """``built`` with the leads of its rows appended."""
    if leads is None:
        return built
    if not isinstance(built, pd.DataFrame) or len(built) != n_rows:
        raise TypeError(
            f"{_OWNER}: with future=..., feature_builder must return a DataFrame "
            "with one row per row of its frame, to which the leads of the "
            f"future-known columns are appended; it returned "
            f"{type(built).__name__} of length {len(built)} for {n_rows} rows."
        )
    part = leads.iloc[:n_rows].set_axis(built.index)
    return pd.concat([built, part], axis=1)


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


def _reject_exogenous(frame, target, features, known=()) -> None:
    used = list(frame.columns) if features is None else (
        [features] if isinstance(features, str) else list(features)
    )
    others = [c for c in used if c != target and c not in known]
    if others:
        raise ValueError(
            f"{_OWNER}: a recursive forecast feeds predictions of {target!r} back "
            f"as input, but the model also takes {others!r}, whose future values "
            "are unknown. Pass feature_builder=... to compute them for the new "
            "rows, future=DataFrame with the values of those known in advance, "
            "features=[target] with a model fitted on the target alone, or fit "
            "a direct multi-horizon model."
        )
