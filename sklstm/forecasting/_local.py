"""Many local models: one forecaster per series of a panel, fitted in parallel.

A *panel* is a Series (or one-column DataFrame) indexed by a 2-level
MultiIndex ``(series id, time)``. Each series gets its own clone of the
forecaster, fitted on that series alone; the fits are independent, so they
run in parallel: joblib processes on one machine, or a Dask cluster through
joblib's Dask backend (``with joblib.parallel_config(backend="dask"):``),
with one torch thread per worker for torch-based forecasters.
"""

from __future__ import annotations

import contextlib
from numbers import Integral
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from joblib import effective_n_jobs
from sklearn.base import BaseEstimator, clone
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted

from sklstm._compat import HasMethods, _fit_context
from sklstm.utils._panel import check_panel, is_panel, naming_series, take_series

if TYPE_CHECKING:
    from sklstm._typing import Self

__all__ = ["PerSeriesForecaster", "split_covariates", "split_panel"]

_OWNER = "PerSeriesForecaster"


def split_panel(y, owner: str = _OWNER) -> list[tuple[Any, pd.Series]]:
    """The series of a panel, in order: ``[(id, series indexed by time), ...]``.

    >>> idx = pd.MultiIndex.from_product([["a", "b"], [0, 1, 2]])
    >>> [(k, s.tolist()) for k, s in split_panel(pd.Series(np.arange(6.0), index=idx))]
    [('a', [0.0, 1.0, 2.0]), ('b', [3.0, 4.0, 5.0])]
    """
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise ValueError(
                f"{owner}: y has {y.shape[1]} columns; pass the target column of "
                "the panel (panel['sales'])."
            )
        y = y.iloc[:, 0]
    if not isinstance(y, pd.Series) or not is_panel(y):
        raise ValueError(
            f"{owner}: y must be a panel, a Series indexed by a 2-level "
            "MultiIndex (series id, time); got "
            f"{type(y).__name__} with a {type(getattr(y, 'index', None)).__name__}."
            " Build one with sklstm.to_panel(frame, id=..., time=...)['target']."
        )
    time = y.index.get_level_values(1)
    return [(sid, take_series([y], rows, time)[0].rename(y.name))
            for sid, rows in check_panel(y, owner)]


def split_covariates(X, ids: list, owner: str, what: str = "X") -> dict:
    """Each series' rows of the covariate panel ``X`` (indexed by time), for
    the series ``ids``; {} for no ``X``."""
    if X is None:
        return {}
    if not isinstance(X, pd.DataFrame) or not is_panel(X):
        raise TypeError(
            f"{owner}: {what} must be a panel DataFrame of covariates, indexed by "
            "(series id, time) like y; got "
            f"{type(X).__name__} with a {type(getattr(X, 'index', None)).__name__}."
            " Build one with sklstm.to_panel(frame, id=..., time=...)."
        )
    have = X.index.get_level_values(0)
    missing = [sid for sid in ids if sid not in set(have)]
    if missing:
        shown = ", ".join(repr(k) for k in missing[:3])
        raise ValueError(
            f"{owner}: {what} has no rows for {len(missing)} series ({shown}"
            f"{', ...' if len(missing) > 3 else ''}); give covariates for every "
            "series."
        )
    return {sid: rows.droplevel(0) for sid, rows in X.groupby(level=0, sort=False)
            if sid in set(ids)}


def _fit_one(forecaster, key, series, one_thread: bool, x=None):
    context = contextlib.nullcontext()
    if one_thread:
        from sklstm.neural._threads import resolve_n_threads, torch_threads

        context = torch_threads(resolve_n_threads(None))
    with context:
        try:
            model = clone(forecaster)
            return model.fit(series) if x is None else model.fit(series, X=x)
        except ValueError as exc:  # name the series in the message
            raise ValueError(f"{_OWNER}: series {key!r}: {exc}") from exc


class PerSeriesForecaster(BaseEstimator):
    """One forecaster per series of a panel (many *local* models).

    Every series of the panel gets a clone of ``forecaster``, fitted on it
    alone; :meth:`predict` forecasts each from its own end. The fits run in
    ``n_jobs`` parallel workers (joblib; a Dask cluster with
    ``joblib.parallel_config(backend="dask")``), and a worker pins torch to
    one thread for sklstm's forecasters, since one LSTM fit keeps about one
    core busy.

    Parameters
    ----------
    forecaster : estimator with ``fit(y)`` and ``predict(horizon)``
        E.g. :class:`~sklstm.LSTMForecaster`.
    n_jobs : int or None, default=None
        Parallel fits; None: 1 (or the active joblib backend's setting), -1:
        all CPUs (or all Dask workers).

    Attributes
    ----------
    forecasters_ : dict
        The fitted forecaster of each series id, in the panel's order.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklstm import LSTMForecaster
    >>> from sklstm.forecasting import PerSeriesForecaster
    >>> t = np.arange(48)
    >>> index = pd.MultiIndex.from_product(
    ...     [["north", "south"], pd.date_range("2020-01", periods=48, freq="MS")],
    ...     names=["region", "month"])
    >>> sales = pd.Series(np.r_[100 + t, 500 - t], index=index, name="sales")
    >>> model = PerSeriesForecaster(LSTMForecaster(horizon=3, n_members=1,
    ...                                            max_epochs=2)).fit(sales)
    >>> fc = model.predict()
    >>> fc.index.get_level_values("region").unique().tolist(), len(fc)
    (['north', 'south'], 6)
    """

    #: fitted on a whole panel: backtest cuts every series at each origin
    _fits_panels = True

    _parameter_constraints: dict = {
        "forecaster": [HasMethods(["fit", "predict"])],
        "n_jobs": [Integral, None],
    }

    def __init__(self, forecaster: Any, *, n_jobs: int | None = None) -> None:
        self.forecaster = forecaster
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, y: pd.Series | pd.DataFrame, X: pd.DataFrame | None = None
            ) -> Self:
        """Fit one clone of the forecaster on each series of the panel ``y``.

        Parameters
        ----------
        y : Series or one-column DataFrame
            A panel: indexed by a 2-level MultiIndex (series id, time), each
            series on its own regular time index (lengths and starts may
            differ).
        X : DataFrame or None, default=None
            Covariates, a panel with rows for every series: each forecaster
            gets ``fit(series, X=its rows)`` (indexed by time).

        Returns
        -------
        self : PerSeriesForecaster
        """
        from sklstm.forecasting._backtest import _uses_torch

        parts = split_panel(y)
        covariates = split_covariates(X, [key for key, _ in parts], _OWNER)
        parallel = effective_n_jobs(self.n_jobs) != 1 and len(parts) > 1
        one_thread = parallel and _uses_torch(self.forecaster)
        jobs = (delayed(_fit_one)(self.forecaster, key, series, one_thread,
                                  covariates.get(key))
                for key, series in parts)
        if parallel:
            fitted = Parallel(n_jobs=self.n_jobs)(jobs)
        else:
            fitted = [_fit_one(self.forecaster, key, series, False,
                               covariates.get(key))
                      for key, series in parts]
        self.forecasters_ = {key: f for (key, _), f in zip(parts, fitted,
                                                            strict=True)}
        self.id_name_ = y.index.names[0]
        self.name_ = y.name if isinstance(y, pd.Series) else y.columns[0]
        return self

    def predict(self, horizon: int | None = None,
                history: pd.Series | pd.DataFrame | None = None,
                X: pd.DataFrame | None = None) -> pd.Series:
        """Each series' forecast, stacked.

        Parameters
        ----------
        horizon : int or None, default=None
            Steps; None: each forecaster's own horizon.
        history : panel or None, default=None
            Forecast each series from the end of its rows here instead (no
            refit): ``predict(horizon, history=its rows)`` of its forecaster,
            which must take ``history=`` (as :class:`~sklstm.LSTMForecaster`
            does). Series not fitted are refused.
        X : DataFrame or None, default=None
            Covariates, a panel: each forecaster gets ``X=its rows``.

        Returns
        -------
        forecast : Series
            Indexed by (series id, time).
        """
        check_is_fitted(self, "forecasters_")
        owner = f"{_OWNER}.predict"
        keys = list(self.forecasters_)
        newer = {}
        if history is not None:
            newer = dict(split_panel(history, owner))
            unseen = [k for k in newer if k not in self.forecasters_]
            if unseen:
                raise ValueError(
                    f"{owner}: history holds series the forecasters were not "
                    f"fitted on ({', '.join(repr(k) for k in unseen[:3])}); refit "
                    "on a panel that includes them."
                )
            keys = list(newer)
        covariates = split_covariates(X, keys, owner)
        parts = {}
        for key in keys:
            model, kw = self.forecasters_[key], {}
            if key in newer:
                kw["history"] = newer[key]
            if key in covariates:
                kw["X"] = covariates[key]
            with naming_series(key):
                pred = (model.predict(**kw) if horizon is None
                        else model.predict(horizon, **kw))
            parts[key] = pd.Series(np.asarray(pred, dtype=np.float64),
                                   index=getattr(pred, "index", None))
        out = pd.concat(parts, names=[self.id_name_])
        return out.rename(self.name_)
