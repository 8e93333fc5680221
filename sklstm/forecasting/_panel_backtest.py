"""Backtests of a model fitted on a whole panel (a global model).

:func:`~sklstm.forecasting.backtest` backtests each series of a panel on
its own, unless the model is fitted on panels (a *panel model*, such as
:class:`~sklstm.forecasting.GlobalLSTMForecaster` or
:class:`~sklstm.forecasting.PerSeriesForecaster`): then every origin fits
one model on every series cut at that origin and forecasts all of them.
Each series' origins are placed as for one series, counted back from its own
end, so series of different lengths and ends are evaluated on their own
last rows (the M4 way), and a fit at origin ``k`` sees each series up to
its ``k``-th origin only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from joblib import effective_n_jobs
from sklearn.base import clone
from sklearn.utils.parallel import Parallel, delayed

from sklstm.forecasting._backtest import (
    _OWNER,
    _n_calibration,
    _start_position,
    _takes,
    check_future_agreement,
    origin_positions,
    refit_schedule,
    result_frame,
    training_rows,
)
from sklstm.forecasting._intervals import check_levels
from sklstm.forecasting._supervised import check_future_columns
from sklstm.forecasting._workers import uses_torch, worker_threads
from sklstm.utils._panel import check_panel, naming_series, series_name, take_series

__all__ = ["backtest_panel_model", "panel_model"]


def panel_model(model: Any) -> bool:
    """Whether ``model`` is fitted on a whole panel (``fit(panel)``,
    ``predict(horizon)`` of every series) rather than on one series."""
    return bool(getattr(type(model), "_fits_panels", False))


def _series_frames(history, target, owner: str) -> tuple[list, object, list]:
    """``([(id, frame indexed by time), ...], target, covariate columns)``."""
    frame = history.to_frame() if isinstance(history, pd.Series) else history
    columns = list(frame.columns)
    if target is None and len(columns) == 1:
        target = columns[0]
    if target is None or target not in columns:
        raise ValueError(
            f"{owner}: history has columns {columns}; pass target=... naming "
            "the one to forecast."
        )
    time = frame.index.get_level_values(1)
    parts = []
    for sid, rows in check_panel(frame, owner):
        (part,) = take_series([frame], rows, time)
        parts.append((sid, part))
    return parts, target, [c for c in columns if c != target]


def _segment(model, items, horizon: int, one_thread: bool) -> list:
    """Fit on the first item's panel; forecast from the end of each (the
    first from the fit). An item is ``(y, X, ahead)``: the target panel up to
    the origins, its covariates there (or None), and the covariates at the
    forecast steps (future-known values, past-only NaN; or None)."""
    with worker_threads(one_thread):
        y0, X0, _ = items[0]
        est = clone(model)
        est = est.fit(y0) if X0 is None else est.fit(y0, X=X0)
        out = []
        for j, (y, X, ahead) in enumerate(items):
            kw = {} if j == 0 else {"history": y}
            if X is not None:
                kw["X"] = ahead if j == 0 else pd.concat([X, ahead])
            out.append(est.predict(horizon, **kw))
        return out


def backtest_panel_model(
    model, history, horizon: int, *, n_windows, start, step, window, refit,
    levels, n_calibration, method, lower_bound, n_jobs, target, future,
) -> pd.DataFrame:
    """:func:`~sklstm.forecasting.backtest` of a panel model on a panel (the
    parameters are backtest's); the frame starts with the series id.

    Columns of ``history`` besides the target are covariates: the model gets
    ``fit(y, X=their panel)`` and ``predict(horizon, X=...)`` with the
    ``future`` ones' values at each series' forecast steps and the others
    NaN there, as a forecaster of one series does.
    """
    name = type(model).__name__
    parts, target, others = _series_frames(history, target, _OWNER)
    known = check_future_columns(future, parts[0][1], target, _OWNER, "history")
    if others and not (_takes(model.fit, "X") and _takes(model.predict, "X")):
        raise ValueError(
            f"{_OWNER}: history has covariate column(s) {others!r} besides the "
            f"target {target!r}, but {name} takes no X=... to receive them. Pass "
            f"history[{target!r}] to backtest {name} on the series alone."
        )
    check_future_agreement(model, others, known)
    horizon = int(horizon)
    step = horizon if step is None else int(step)
    level_list = None if levels is None else check_levels(levels, _OWNER)
    n_cal = _n_calibration(n_calibration, level_list, horizon, step, method)
    positions = {}
    for sid, f in parts:
        with naming_series(sid):
            first = None if start is None else _start_position(f.index, start,
                                                               len(f))
            positions[sid] = origin_positions(
                len(f), horizon, n_windows=n_windows, start=first, step=step,
                n_before=n_cal, min_train=1)
    counts = {sid: len(p) for sid, p in positions.items()}
    if len(set(counts.values())) > 1:
        few = min(counts, key=counts.get)
        raise ValueError(
            f"{_OWNER}: from start={start!r}, the series have different numbers "
            f"of origins ({series_name(few)} has {counts[few]}, others up to "
            f"{max(counts.values())}); a panel model forecasts every series from "
            "each origin. Pass n_windows=... (at most the smallest number)."
        )
    n_origins = next(iter(counts.values()))
    refits = refit_schedule(n_origins, refit)
    if not refits.all() and not _takes(model.predict, "history"):
        raise ValueError(
            f"{_OWNER}: refit={refit!r} asks {name} to forecast from newer data "
            f"without refitting, but {name}.predict takes no history=...; pass "
            "refit=True."
        )
    rows = {sid: training_rows(p, window) for sid, p in positions.items()}
    names = history.index.names
    past = [c for c in others if c not in known]

    def item(k: int) -> tuple:
        """Every series up to its ``k``-th origin (nothing later), and the
        covariates it may know at the forecast steps."""
        lo = {sid: rows[sid][0][k] for sid, _ in parts}
        hi = {sid: rows[sid][1][k] for sid, _ in parts}
        y = pd.concat({sid: f[target].iloc[lo[sid]: hi[sid]] for sid, f in parts},
                      names=names).rename(target)
        if not others:
            return y, None, None
        X = pd.concat({sid: f[others].iloc[lo[sid]: hi[sid]] for sid, f in parts},
                      names=names)
        ahead = pd.concat({sid: f[others].iloc[hi[sid]: hi[sid] + horizon]
                           for sid, f in parts}, names=names)
        ahead[past] = np.nan  # unknown after the origin
        return y, X, ahead

    starts = np.flatnonzero(refits)
    ends = [*starts[1:], n_origins]
    segments = [range(a, b) for a, b in zip(starts, ends, strict=True)]
    parallel = effective_n_jobs(n_jobs) != 1 and len(segments) > 1
    one_thread = parallel and uses_torch(model)
    jobs = [(model, [item(k) for k in seg], horizon, one_thread) for seg in segments]
    if parallel:
        results = Parallel(n_jobs=n_jobs)(delayed(_segment)(*job) for job in jobs)
    else:
        results = [_segment(*job) for job in jobs]
    predictions = [pred for segment in results for pred in segment]

    level = names[0]
    id_column = "series" if level is None else level
    frames = []
    for sid, f in parts:
        forecasts = np.array([_values(pred, sid, horizon, name)
                              for pred in predictions])
        y = f[target].to_numpy(dtype=np.float64, na_value=np.nan)
        part = result_frame(f.index, y, positions[sid], forecasts, horizon,
                            level_list, n_cal, method, lower_bound)
        part.insert(0, id_column, sid)
        frames.append(part)
    return pd.concat(frames, ignore_index=True)


def _values(pred: pd.Series, sid, horizon: int, name: str) -> np.ndarray:
    try:
        values = np.asarray(pred.loc[sid], dtype=np.float64).ravel()
    except KeyError:
        values = np.array([])
    if len(values) != horizon or not np.isfinite(values).all():
        raise ValueError(
            f"{_OWNER}: {name} forecast {len(values)} value(s) for "
            f"{series_name(sid)}, {int((~np.isfinite(values)).sum())} not finite; "
            f"expected {horizon} finite numbers, one per step."
        )
    return values
