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
    lead_name,
    resolve_horizons,
)
from sklstm.utils._history import index_step
from sklstm.utils._panel import check_panel, is_panel, naming_series, take_series

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

    **Many series.** When ``history`` is a panel, indexed by ``(series id,
    time)`` (see :func:`~sklstm.to_panel`), every series is forecast from its
    own last row, at its own next time stamps; series may differ in length
    and start. Each ``predict`` takes every series at once: one for a direct
    forecast, one per step for a recursive one, whose predictions are
    appended to each series' own rows. The model (or ``feature_builder``)
    gets the panel and builds each series' features from its own rows, as
    sklstm's transformers and ``make_supervised`` do, so the forecasts are
    those of each series forecast alone. ``future`` is then a panel too.
    Errors about one series (too short to tell its time step, or for the
    features; missing from ``future``) name it.

    Parameters
    ----------
    model : fitted regressor
        Anything with ``predict``: a regressor, a Pipeline, a
        ConstrainedRegressor, a fitted GridSearchCV.
    history : DataFrame or Series
        The data up to now, indexed by time: a DatetimeIndex with a frequency
        (set or inferable) or an evenly spaced integer index; or a panel of
        series, indexed by ``(series id, time)``, each series on its own grid.
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
        only is recursive. None: a model fitted with leads is refused. For a
        panel history, a panel: each series' values at its own forecast
        steps, indexed by ``(series id, time)``.
    feature_builder : callable or None, default=None
        ``feature_builder(frame) -> X``: builds the model's X from a frame
        with ``history``'s columns. In the recursive strategy the frame has
        the forecast steps appended, with the predictions in the target
        column, the future-known columns from ``future`` and NaN in the
        others. Replaces ``features``; with ``future`` it must return a
        DataFrame, to which the leads are appended. For a panel history the
        frame is a panel (every series, each with its own appended steps);
        the builder computes each series from its own rows (``groupby(level=0)``)
        and returns one row per row of the frame, or a DataFrame indexed by
        ``(series id, time)`` that may drop a series' first rows but keeps its
        last one.
    strategy : {"auto", "direct", "recursive"}, default="auto"
        "auto" is direct when the model has one output per requested horizon
        (a one-output model asked for a single step ``[h]`` is taken to be
        fitted on horizon ``h``), recursive when it has one output and several
        steps are asked for.

    Returns
    -------
    forecasts : Series
        One value per forecast step, indexed by its timestamp, named after the
        target. For a panel, one per series and step, indexed by ``(series
        id, time)``, series by series.

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

    Two stores that double every week, one starting later: a one-step model
    fitted on the panel forecasts each from its own last week, one
    ``predict`` per step for both.

    >>> from sklstm import to_panel
    >>> long = pd.DataFrame({"store": ["a"] * 4 + ["b"] * 3,
    ...                      "week": [1, 2, 3, 4, 3, 4, 5],
    ...                      "sales": [1.0, 2, 4, 8, 3, 6, 12]})
    >>> panel = to_panel(long, "store", "week")
    >>> X, y = make_supervised(panel, "sales")
    >>> model = LinearRegression().fit(X, y)
    >>> forecast(model, panel, horizon=2).round(6)
    store  week
    a      5       16.0
           6       32.0
    b      6       24.0
           7       48.0
    Name: sales, dtype: float64
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
    lead_h = _lead_horizons(strategy, model_steps, horizons)
    extended = frame.reindex(frame.index.append(steps))
    if future is not None:
        _fill_future(extended, frame, future, filled, lead_cols, steps)

    def leads_for(lead_h):
        if not lead_cols:
            return None
        _check_lead_steps(lead_cols, model_steps, lead_h)
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
    """Forecast every series of a panel from its own last row, all at once.

    What :func:`forecast` does for one series, for every series together:
    each series is extended by its own forecast steps, and each ``predict``
    (one for a direct forecast, one per step for a recursive one) takes the
    rows of every series and gives the next value of each. The features are
    built on the panel, each series from its own rows, as sklstm's
    transformers build them.
    """
    owner = f"{_OWNER} (panel)"
    frame, target = as_frame(history, target, owner, "history")
    if strategy not in {"auto", "direct", "recursive"}:
        raise ValueError(
            f"{owner}: strategy must be 'auto', 'direct' or 'recursive', got "
            f"{strategy!r}."
        )
    groups = check_panel(frame, owner)
    if not groups:
        raise ValueError(f"{owner}: history is empty; pass the data up to now.")
    horizons = resolve_horizons(horizon, owner)
    if isinstance(horizon, Integral):  # an int H means the steps 1..H
        horizons = list(range(1, horizons[0] + 1))
    longest = horizons[-1]
    time = frame.index.get_level_values(1)
    steps_of = []  # each series' own steps 1..longest
    for sid, rows in groups:
        with naming_series(sid):
            steps_of.append(future_index(time[rows], list(range(1, longest + 1))))
    layout = _PanelLayout(frame, groups, steps_of, longest)
    extended = frame.reindex(layout.index)
    build = _builder(frame, target, features, feature_builder)
    names = _feature_names(model)
    if future is None:
        if feature_builder is None:
            _refuse_missing_future(
                names, frame, target, layout.steps,
                "each series' own, indexed by (series id, time) like history")
        filled, lead_cols, model_steps = [], [], None
    else:
        if isinstance(future, pd.Series):
            future = future.to_frame()
        filled, lead_cols, model_steps = _future_columns(future, frame, target,
                                                         names)
        _fill_future_panel(extended, frame, future, filled, lead_cols, layout,
                           steps_of, owner)
    lead_h = _lead_horizons(strategy, model_steps, horizons)

    def leads_for(lead_h):
        if not lead_cols:
            return None
        _check_lead_steps(lead_cols, model_steps, lead_h)
        return _panel_leads(extended, lead_cols, lead_h, layout)

    leads = leads_for(lead_h)

    def predict_last(rows, k):
        """Each series' prediction at its last row of ``rows``, its history
        and its first ``k`` forecast steps."""
        keep = layout.within < layout.n_rows_each + k
        part = None if leads is None else leads.iloc[keep]
        X = _with_leads(build(rows), part, len(rows), feature_builder)
        pred = np.asarray(model.predict(X), dtype=np.float64)
        if len(pred) != len(X):
            raise ValueError(
                f"{owner}: the model returned {len(pred)} predictions for "
                f"{len(X)} rows; expected one per row."
            )
        pred = pred[:, None] if pred.ndim == 1 else pred.reshape(len(pred), -1)
        return pred[_last_rows(X, rows, layout.n_rows + k, layout.ids)]

    last = predict_last(frame, 0)
    n_out = last.shape[1]
    if strategy == "auto":
        strategy = "direct" if n_out == len(horizons) or n_out > 1 else "recursive"
    out = (layout.starts + layout.n_rows - 1)[:, None] + np.asarray(horizons)
    index = layout.index[out.ravel()]
    if strategy == "direct":
        if n_out != len(horizons):
            raise ValueError(
                f"{owner}: the model predicts {n_out} output(s) for each of "
                f"{len(frame)} rows; a direct panel forecast needs one row per "
                f"history row and {len(horizons)} outputs (a model fitted on "
                f"make_supervised(panel, horizon={horizons}))."
            )
        return pd.Series(last.ravel(), index=index, name=target)
    if n_out != 1:
        raise ValueError(
            f"{owner}: a recursive forecast needs a one-step model with one "
            f"output, but the model predicts {n_out} per row; use "
            "strategy='direct' (a panel is forecast directly by a model fitted "
            "on make_supervised(panel, horizon=[1, ..., H]), one output per step)."
        )
    if lead_cols and lead_h != [1]:  # built for a direct model, but it is not
        leads = leads_for([1])
        last = predict_last(frame, 0)
    if feature_builder is None:
        _reject_exogenous(frame, target, features, filled)
    col = extended.columns.get_loc(target)
    first_step = layout.starts + layout.n_rows
    for k in range(longest):
        if k > 0:
            rows = extended.iloc[layout.within < layout.n_rows_each + k]
            last = predict_last(rows, k)
        extended.iloc[first_step + k, col] = last[:, 0]
    values = extended[target].to_numpy()[out.ravel()]
    return pd.Series(values, index=index, name=target)


class _PanelLayout:
    """Where the rows of a panel extended by each series' forecast steps are.

    Series ``i`` keeps its ``n_rows[i]`` rows (rows ``firsts[i]`` on of the
    panel), followed by its ``longest`` forecast steps, from row ``starts[i]``
    of ``index``; ``within`` is each
    row's position in its series (``n_rows_each`` its series' row count).
    ``steps`` is the forecast steps alone, series by series.
    """

    def __init__(self, frame, groups, steps_of, longest):
        count = len(groups)
        self.n_rows = np.array([r.stop - r.start for _, r in groups], dtype=np.intp)
        self.firsts = np.array([r.start for _, r in groups], dtype=np.intp)
        self.starts = self.firsts + np.arange(count) * longest
        self.longest = longest
        self.ids = frame.index.get_level_values(0)[self.firsts]
        times = steps_of[0].append(list(steps_of[1:]))
        self.steps = pd.MultiIndex.from_arrays(
            [self.ids.repeat(longest), times], names=frame.index.names)
        series = np.concatenate([np.repeat(np.arange(count), self.n_rows),
                                 np.repeat(np.arange(count), longest)])
        self.order = np.argsort(series, kind="stable")
        self.index = frame.index.append(self.steps)[self.order]
        sizes = self.n_rows + longest
        self.within = np.arange(len(self.index)) - np.repeat(self.starts, sizes)
        self.n_rows_each = np.repeat(self.n_rows, sizes)
        self.room = np.repeat(sizes, sizes) - self.within  # rows to the end


def _fill_future_panel(extended, frame, future, filled, lead_cols, layout,
                       steps_of, owner) -> None:
    """Write each series' ``future`` values at its forecast steps into
    ``extended``, as :func:`_fill_future` writes those of one series."""
    if not is_panel(future):
        raise ValueError(
            f"{owner}: history is a panel, so future must be one too: the "
            "future-known columns at each series' forecast steps, indexed by "
            "(series id, time) like history (e.g. to_panel(plan, id=..., "
            f"time=...)); got a {type(future).__name__} indexed by a "
            f"{type(future.index).__name__}."
        )
    values = future.reindex(layout.steps)
    bad = np.zeros(len(layout.steps), dtype=bool)
    if lead_cols:
        bad |= ~np.asarray(layout.steps.isin(future.index))
    for c in lead_cols:
        bad |= values[c].isna().to_numpy()
    if bad.any():  # the series' own check says what is wrong, naming it
        k = int(np.flatnonzero(bad)[0]) // layout.longest
        sid = layout.ids[k]
        first = int(layout.firsts[k])
        rows = slice(first, first + int(layout.n_rows[k]))
        time = frame.index.get_level_values(1)
        (part,) = take_series([frame], rows, time)
        own = future[np.asarray(future.index.get_level_values(0) == sid)]
        with naming_series(sid):
            _fill_future(part.reindex(part.index.append(steps_of[k])), part,
                         own.droplevel(0), filled, lead_cols, steps_of[k])
    for c in filled:
        extended[c] = pd.concat([frame[c], values[c]]).iloc[layout.order].set_axis(
            extended.index)


def _panel_leads(extended, columns, horizons, layout) -> pd.DataFrame:
    """:func:`lead_columns` of each series of ``extended``, from its own rows."""
    out = {}
    for c in columns:
        col = extended[c]
        for h in horizons:
            out[lead_name(c, h)] = col.shift(-h).where(h < layout.room)
    return pd.DataFrame(out, index=extended.index)


def _last_rows(X, rows, sizes, ids) -> np.ndarray:
    """The row of ``X`` that is the last row of each series of ``rows``.

    X has one row per row of ``rows``, or is a panel that feature_builder
    cut: then a series' last row is found by its id, and must be at the
    series' last time.
    """
    ends = np.cumsum(sizes) - 1
    if len(X) == len(rows):
        return ends
    if not is_panel(X):
        raise ValueError(
            f"{_OWNER}: on a panel, feature_builder must return one row per row "
            "of its frame, or a DataFrame indexed by (series id, time) that "
            f"keeps each series' last row; it returned {len(X)} rows for "
            f"{len(rows)}, without a panel index."
        )
    x_ids = X.index.get_level_values(0)
    last = ~np.asarray(x_ids.duplicated(keep="last"))
    at = pd.Series(np.flatnonzero(last), index=x_ids[last]).reindex(ids)
    missing = np.flatnonzero(at.isna().to_numpy())
    if len(missing):
        k = int(missing[0])
        more = (f" ({len(missing) - 1} other series too)" if len(missing) > 1
                else "")
        with naming_series(ids[k]):
            raise ValueError(
                f"{_OWNER}: feature_builder returned no row of it{more}, from its "
                f"{sizes[k]} row(s): the series is too short for the features. "
                "Give it more history, or leave the short series out, e.g. "
                "history.groupby(level=0).filter(lambda s: len(s) >= n)."
            )
    pos = at.to_numpy().astype(np.intp)
    want = rows.index.get_level_values(1)[ends]
    got = X.index.get_level_values(1)[pos]
    wrong = np.flatnonzero(np.asarray(got != want))
    if len(wrong):
        k = int(wrong[0])
        with naming_series(ids[k]):
            raise ValueError(
                f"{_OWNER}: the last row feature_builder returned for it is at "
                f"{got[k]}, but its rows end at {want[k]}; the forecast is the "
                "prediction at each series' last row, so X must keep it (the "
                "appended rows hold NaN in the columns other than the target "
                "and the future-known ones)."
            )
    return pos


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


def _lead_horizons(strategy: str, model_steps, horizons: list) -> list:
    """The steps whose leads a forecast fills: one step for a recursive
    forecast or a model that takes leads one step ahead, else every step."""
    if strategy == "recursive":
        return [1]
    if strategy == "direct" or model_steps != [1] or len(horizons) == 1:
        return horizons
    return [1]  # the model takes leads one step ahead: a one-step model


def _lead_steps(names) -> list[int]:
    return sorted({int(n.rsplit("_h", 1)[1]) for n in names})


def _check_lead_steps(lead_cols, model_steps, lead_h) -> None:
    """Raise where the model takes its leads at other steps than ``lead_h``."""
    if model_steps is not None and model_steps != lead_h:
        raise ValueError(
            f"{_OWNER}: the model takes the leads of {lead_cols!r} at step(s) "
            f"{model_steps} (fitted on make_supervised(..., horizon="
            f"{model_steps}, future=...)), but this forecast needs them at "
            f"step(s) {lead_h}; ask for horizon={model_steps} (direct), or "
            "fit a one-step model (horizon=1) for a recursive forecast."
        )


def _refuse_missing_future(names, frame, target, steps,
                           which="the labels future_index(history.index, ...) "
                                 "gives") -> None:
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
            f"{_rows(steps)} ({which})."
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
