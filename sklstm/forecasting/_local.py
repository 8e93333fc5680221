"""Many local models: one forecaster per series of a panel, fitted in parallel.

A *panel* is a Series (or one-column DataFrame) indexed by a 2-level
MultiIndex ``(series id, time)``. Each series gets its own clone of the
forecaster, fitted on that series alone; the fits are independent, so they
run in parallel: joblib processes on one machine, or a Dask cluster through
joblib's Dask backend (``with joblib.parallel_config(backend="dask"):``),
with one torch thread per worker for torch-based forecasters.
"""

from __future__ import annotations

from numbers import Integral
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from joblib import effective_n_jobs
from sklearn.base import BaseEstimator, clone
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted

from sklstm._compat import HasMethods, _fit_context
from sklstm.forecasting._workers import uses_torch, worker_threads
from sklstm.utils._panel import naming_series, split_covariates, split_panel

if TYPE_CHECKING:
    from sklstm._typing import Self

__all__ = ["PerSeriesForecaster"]

_OWNER = "PerSeriesForecaster"


def _check_takes(forecaster, method: str, name: str, owner: str) -> None:
    """A clear error when ``forecaster.<method>`` takes no ``name=...``."""
    from sklstm.forecasting._backtest import _takes

    if not _takes(getattr(forecaster, method), name):
        kind = type(forecaster).__name__
        raise ValueError(
            f"{owner}: {name}=... was given, but {kind}.{method} takes no {name}; "
            f"leave {name} out, or wrap a forecaster whose {method} takes it "
            "(LSTMForecaster does)."
        )


def _fit_one(forecaster, key, series, one_thread: bool, x=None):
    with worker_threads(one_thread):
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
        parts = split_panel(y, _OWNER)
        covariates = split_covariates(X, [key for key, _ in parts], _OWNER)
        if covariates:
            _check_takes(self.forecaster, "fit", "X", f"{_OWNER}.fit")
        parallel = effective_n_jobs(self.n_jobs) != 1 and len(parts) > 1
        one_thread = parallel and uses_torch(self.forecaster)
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
        for given, name in ((newer, "history"), (covariates, "X")):
            if given:
                _check_takes(self.forecaster, "predict", name, owner)
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
