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
from sklstm.utils._panel import check_panel, is_panel, take_series

if TYPE_CHECKING:
    from sklstm._typing import Self

__all__ = ["PerSeriesForecaster", "split_panel"]

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


def _fit_one(forecaster, key, series, one_thread: bool):
    context = contextlib.nullcontext()
    if one_thread:
        from sklstm.neural._threads import resolve_n_threads, torch_threads

        context = torch_threads(resolve_n_threads(None))
    with context:
        try:
            return clone(forecaster).fit(series)
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
    def fit(self, y: pd.Series | pd.DataFrame, X: None = None) -> Self:
        """Fit one clone of the forecaster on each series of the panel ``y``.

        Parameters
        ----------
        y : Series or one-column DataFrame
            A panel: indexed by a 2-level MultiIndex (series id, time), each
            series on its own regular time index (lengths and starts may
            differ).
        X : None
            Not used.

        Returns
        -------
        self : PerSeriesForecaster
        """
        from sklstm.forecasting._backtest import _uses_torch

        parts = split_panel(y)
        parallel = effective_n_jobs(self.n_jobs) != 1 and len(parts) > 1
        one_thread = parallel and _uses_torch(self.forecaster)
        jobs = (delayed(_fit_one)(self.forecaster, key, series, one_thread)
                for key, series in parts)
        if parallel:
            fitted = Parallel(n_jobs=self.n_jobs)(jobs)
        else:
            fitted = [_fit_one(self.forecaster, key, series, False)
                      for key, series in parts]
        self.forecasters_ = {key: f for (key, _), f in zip(parts, fitted,
                                                            strict=True)}
        self.id_name_ = y.index.names[0]
        self.name_ = y.name if isinstance(y, pd.Series) else y.columns[0]
        return self

    def predict(self, horizon: int | None = None) -> pd.Series:
        """Each series' forecast, stacked.

        Parameters
        ----------
        horizon : int or None, default=None
            Steps; None: each forecaster's own horizon.

        Returns
        -------
        forecast : Series
            Indexed by (series id, time).
        """
        check_is_fitted(self, "forecasters_")
        parts = {}
        for key, model in self.forecasters_.items():
            pred = model.predict() if horizon is None else model.predict(horizon)
            parts[key] = pd.Series(np.asarray(pred, dtype=np.float64),
                                   index=getattr(pred, "index", None))
        out = pd.concat(parts, names=[self.id_name_])
        return out.rename(self.name_)
