"""The default LSTM forecasting pipeline, and the two baselines it is compared with.

:func:`make_lstm_pipeline` assembles sklstm's remedies into one estimator:

.. code-block:: text

    Pipeline
    ├── fill    Interpolator                          gaps
    ├── clean   MedianOutlierFilter (off by default)  outliers
    └── model   ConstrainedRegressor                  outputs >= 0
        └── LevelDifferenceRegressor                  trend: learn the change
            └── Pipeline                              from the last level
                ├── log     log of the target column  multiplicative swings
                ├── sdiff   Differencer (seasonal)    a stationary input
                ├── season  SeasonalSine              seasonality, absolute phase
                ├── scale   StandardScaler            scale
                └── lstm    LSTMRegressor             scaled target

It is fitted on ``X, y = make_supervised(frame, target, horizon=...)`` like
any regressor, tuned by ``GridSearchCV`` through the parameter names in
:data:`LSTM_PARAMS` (``LSTM_PARAMS + "hidden_size"``), and forecasts with
:func:`sklstm.forecast`.

:func:`make_naive_lstm` is the recipe the remedies are measured against: an
LSTM on standardised raw values, predictions clipped at zero.
:func:`make_ridge_baseline` is a plain ridge regression on lag features.
:func:`seasonal_naive_forecast` repeats the last season.
"""

from __future__ import annotations

from numbers import Integral
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from sklstm.compose import ConstrainedRegressor, LevelDifferenceRegressor
from sklstm.forecasting import future_index
from sklstm.preprocessing import (
    Differencer,
    Interpolator,
    LagFeatures,
    MedianOutlierFilter,
    SeasonalSine,
)
from sklstm.utils._columns import resolve_column

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Literal

    from sklstm._typing import ArrayOrFrame, Period, RandomState

__all__ = [
    "LSTM_PARAMS",
    "log_column",
    "make_lstm_pipeline",
    "make_naive_lstm",
    "make_ridge_baseline",
    "nyquist_harmonics",
    "seasonal_naive_forecast",
]

#: Prefix of the LSTM's parameters inside :func:`make_lstm_pipeline`'s model,
#: for ``set_params`` and ``GridSearchCV`` grids:
#: ``{LSTM_PARAMS + "hidden_size": [16, 32]}``.
LSTM_PARAMS = "model__regressor__regressor__lstm__"

_TARGET_CHANGES = ("relative", "absolute", None)


def _periods(seasonal_periods) -> list:
    if seasonal_periods is None:
        return []
    if isinstance(seasonal_periods, (Integral, float, str)):
        return [seasonal_periods]
    return list(seasonal_periods)


def nyquist_harmonics(periods: Sequence[Period], harmonics: int) -> list[int]:
    """``harmonics`` per period, lowered to the Nyquist limit of a period in
    steps (``period // 2``; a time span keeps ``harmonics``).

    >>> nyquist_harmonics([12, 4, "7D"], 6)
    [6, 2, 6]
    """
    return [
        max(1, min(int(harmonics), int(p // 2))) if isinstance(p, (Integral, float))
        else int(harmonics)
        for p in periods
    ]


def log_column(X: ArrayOrFrame, column: int | str = 0) -> ArrayOrFrame:
    """``X`` with the natural logarithm of one column (name or position).

    The inputs of a multiplicative series: after the log, a seasonal
    difference is a growth rate and swings no longer grow with the level.

    >>> log_column(pd.DataFrame({"a": [1.0, np.e], "b": [1.0, 2.0]}), "a")
         a    b
    0  0.0  1.0
    1  1.0  2.0
    """
    frame = isinstance(X, pd.DataFrame)
    names = [str(c) for c in X.columns] if frame else None
    j = resolve_column(column, np.shape(X)[1], names, owner="make_lstm_pipeline",
                       param="target")
    out = X.copy() if frame else np.array(X, dtype=np.float64, copy=True)
    values = out.iloc[:, j].to_numpy(dtype=np.float64) if frame else out[:, j]
    if np.any(values <= 0):
        label = repr(X.columns[j]) if frame else j
        raise ValueError(
            f"make_lstm_pipeline: column {label} has values <= 0, so its log is "
            "undefined; use target_change='absolute' for series that reach 0."
        )
    if frame:
        out.isetitem(j, np.log(values))
    else:
        out[:, j] = np.log(values)
    return out


def make_lstm_pipeline(
    target: str | int = 0,
    *,
    lookback: int = 12,
    seasonal_periods: Period | Sequence[Period] | None = 12,
    harmonics: int = 6,
    target_change: Literal["relative", "absolute"] | None = "relative",
    seasonal_difference: bool = True,
    fill: str = "linear",
    outlier_window: int | None = None,
    n_sigmas: float = 3.0,
    non_negative: Literal["clip", "log"] | bool | None = True,
    hidden_size: int = 32,
    batch_size: int = 16,
    max_epochs: int = 75,
    patience: int | None = None,
    validation_fraction: float | None = None,
    random_state: RandomState = 0,
    **lstm_params: Any,
) -> Pipeline:
    """The default LSTM forecaster: every remedy in one scikit-learn estimator.

    Each step answers one common reason for an inaccurate LSTM forecast:
    gaps (``Interpolator``), outliers (``MedianOutlierFilter``, a Hampel
    filter, when ``outlier_window`` is set), trend
    (``LevelDifferenceRegressor``: the network learns the change from the
    last observed level, and ``Differencer`` gives it the seasonal change as
    an input), seasonality (``SeasonalSine``, phase from
    the time index), scale (``StandardScaler`` on inputs, target scaling inside
    ``LSTMRegressor``) and negative outputs (``ConstrainedRegressor``).

    The defaults are measured ones (the user guide's "Accuracy" page has
    the numbers): a small network trained for a fixed number of epochs on
    all windows, since on a few hundred rows a validation split for early
    stopping costs more training data than it saves; and no outlier filter,
    which on series without gross errors flattens true peaks. Turn it on
    with ``outlier_window=7`` for series with spikes, or let a search decide
    (``"clean": ["passthrough", MedianOutlierFilter(7)]``).
    :class:`~sklstm.LSTMForecaster` configures a forecast from the series
    instead, and is the more accurate on the development benchmark.

    Parameters
    ----------
    target : str or int, default=0
        The column of X holding the current value of the target (as kept in X
        by :func:`~sklstm.make_supervised`); the change is learnt from it and
        the seasonal difference is taken of it.
    lookback : int, default=12
        Rows per LSTM window.
    seasonal_periods : int, str, list of those, or None, default=12
        Periods of the seasonal sine/cosine terms, in rows (``12`` for monthly
        data) or as time spans (``"7D"``). The first integer period is also
        the lag of the seasonal difference.
    harmonics : int, default=6
        Sine/cosine pairs per period (6 describes any monthly shape of period
        12), lowered to a period's Nyquist limit (2 for quarterly data).
    target_change : {"relative", "absolute"} or None, default="relative"
        Learn ``y / level - 1`` (series whose swings grow with their level;
        the network then also sees the log of the target column, which must
        be positive), ``y - level``, or the level itself (None).
    seasonal_difference : bool, default=True
        Add the target's change over one season as an input column.
    fill : str, default="linear"
        ``Interpolator`` method for gaps.
    outlier_window : int or None, default=None
        ``MedianOutlierFilter`` window (rows, centred); 0 or None (the
        default) leaves the filter out: the ``clean`` step is then
        ``"passthrough"``, ready for a grid to swap a filter in.
    n_sigmas : float, default=3.0
        Robust standard deviations beyond which a value is an outlier.
    non_negative : {"clip", "log"}, bool or None, default=True
        Passed to ``ConstrainedRegressor``; True means "clip", False or None
        allows negative predictions. "log" needs ``target_change=None``.
    hidden_size, batch_size, max_epochs, patience, validation_fraction, \
random_state
        Passed to ``LSTMRegressor``, with defaults that suit short series.
    **lstm_params
        Any other ``LSTMRegressor`` parameter (``lr``, ``dropout``,
        ``weight_decay``, ``n_threads``...).

    Returns
    -------
    model : Pipeline
        Unfitted, with pandas output set so the time index reaches every
        step. The LSTM's parameters are reachable as ``LSTM_PARAMS + name``;
        the other steps as ``fill__...``, ``clean__...``,
        ``model__non_negative``, ``model__regressor__relative``,
        ``model__regressor__regressor__season__...``.

    See Also
    --------
    make_naive_lstm : the LSTM without the remedies.
    make_ridge_baseline : a linear baseline on lag features.

    Examples
    --------
    >>> from sklstm import forecast, make_supervised
    >>> from sklstm.datasets import load_airline
    >>> from sklstm.pipeline import LSTM_PARAMS, make_lstm_pipeline
    >>> air = load_airline()
    >>> X, Y = make_supervised(air, "passengers", horizon=[1, 2, 3])
    >>> model = make_lstm_pipeline("passengers", max_epochs=5, random_state=0)
    >>> model.set_params(**{LSTM_PARAMS + "hidden_size": 8}).fit(X, Y)
    Pipeline(...)
    >>> fc = forecast(model, air, horizon=3, target="passengers")
    >>> fc.index.strftime("%Y-%m").tolist(), bool((fc >= 0).all())
    (['1961-01', '1961-02', '1961-03'], True)
    """
    if target_change not in _TARGET_CHANGES:
        raise ValueError(
            f"make_lstm_pipeline: target_change must be 'relative', 'absolute' or "
            f"None; got {target_change!r}."
        )
    if non_negative == "log" and target_change is not None:
        raise ValueError(
            "make_lstm_pipeline: non_negative='log' fits on log1p(y), but "
            f"target_change={target_change!r} measures y against the level in X, "
            "which stays unlogged; use non_negative='clip' (target_change="
            "'relative' already learns in relative terms) or target_change=None."
        )
    periods = _periods(seasonal_periods)
    lag = next((int(p) for p in periods if isinstance(p, Integral) and p >= 2), None)
    columns = None if target is None else [target]

    inner = []
    if target_change == "relative":
        inner.append(("log", FunctionTransformer(
            log_column, kw_args={"column": target}, feature_names_out="one-to-one",
        )))
    if seasonal_difference and lag is not None:
        inner.append(("sdiff", Differencer(0, seasonal_lag=lag, columns=columns,
                                           drop_original=False)))
    if periods:
        inner.append(("season", SeasonalSine(
            periods=periods, harmonics=nyquist_harmonics(periods, harmonics),
        )))
    lstm_kw = dict(
        lookback=lookback,
        hidden_size=hidden_size,
        batch_size=batch_size,
        max_epochs=max_epochs,
        patience=patience,
        validation_fraction=validation_fraction,
        random_state=random_state,
    )
    lstm_kw.update(lstm_params)
    from sklstm.neural import LSTMRegressor  # torch loads with the LSTM

    inner += [("scale", StandardScaler()), ("lstm", LSTMRegressor(**lstm_kw))]
    network = Pipeline(inner)

    clean = (
        MedianOutlierFilter(window=outlier_window, n_sigmas=n_sigmas)
        if outlier_window else "passthrough"
    )
    model = network if target_change is None else LevelDifferenceRegressor(
        network, level=target, relative=target_change == "relative"
    )
    bound = "clip" if non_negative is True else (non_negative or None)
    return Pipeline([
        ("fill", Interpolator(method=fill)),
        ("clean", clean),
        ("model", ConstrainedRegressor(model, non_negative=bound)),
    ]).set_output(transform="pandas")


def make_naive_lstm(
    lookback: int = 12,
    *,
    hidden_size: int = 50,
    max_epochs: int = 200,
    random_state: RandomState = 0,
    **lstm_params: Any,
) -> ConstrainedRegressor:
    """The common LSTM recipe, without remedies: the baseline to beat.

    Standardise the raw values, train an LSTM for a fixed number of epochs
    with no validation split and no early stopping, undo the target scaling,
    and clip negative predictions at zero. Gaps are not handled (fill them
    before), there is no seasonal or trend treatment and nothing to stop
    overfitting.

    Parameters
    ----------
    lookback : int, default=12
    hidden_size : int, default=50
    max_epochs : int, default=200
    random_state : int, default=0
    **lstm_params
        Any other ``LSTMRegressor`` parameter.

    Returns
    -------
    model : ConstrainedRegressor
        ``ConstrainedRegressor(Pipeline([StandardScaler, LSTMRegressor]),
        non_negative="clip")``, unfitted.

    Examples
    --------
    >>> from sklstm.pipeline import make_naive_lstm
    >>> make_naive_lstm(24).regressor.steps[-1][1].patience is None
    True
    """
    from sklstm.neural import LSTMRegressor

    lstm = LSTMRegressor(
        lookback=lookback, hidden_size=hidden_size, max_epochs=max_epochs,
        patience=None, validation_fraction=None, random_state=random_state,
        **lstm_params,
    )
    pipe = Pipeline([("scale", StandardScaler()), ("lstm", lstm)])
    return ConstrainedRegressor(pipe, non_negative="clip")


def make_ridge_baseline(
    lags: int | Sequence[int] = 12, *, alpha: float = 1.0
) -> Pipeline:
    """A plain ridge regression on lag features of the raw values.

    Parameters
    ----------
    lags : int or list of int, default=12
        Passed to ``LagFeatures`` (an int ``n`` means lags ``1..n``).
    alpha : float, default=1.0
        Ridge penalty.

    Returns
    -------
    model : Pipeline
        ``Pipeline([LagFeatures, Ridge])``, unfitted; gaps must be filled
        before.

    Examples
    --------
    >>> from sklstm.pipeline import make_ridge_baseline
    >>> [name for name, _ in make_ridge_baseline(12).steps]
    ['lags', 'ridge']
    """
    return Pipeline([("lags", LagFeatures(lags)), ("ridge", Ridge(alpha=alpha))])


def seasonal_naive_forecast(
    history: pd.Series, horizon: int, season: int = 1
) -> pd.Series:
    """Repeat the last observed season: the forecast ``h`` steps ahead is the
    value one (or more) seasons before it.

    Parameters
    ----------
    history : Series
        The series up to now, indexed by time (regular); gaps are filled
        linearly first.
    horizon : int
        Steps to forecast.
    season : int, default=1
        Season length in rows; 1 repeats the last value.

    Returns
    -------
    forecast : Series
        ``horizon`` values indexed by the following time steps.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklstm.pipeline import seasonal_naive_forecast
    >>> s = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    ...               index=pd.date_range("2024-01-01", periods=6, freq="D"))
    >>> seasonal_naive_forecast(s, 4, season=3).tolist()
    [4.0, 5.0, 6.0, 4.0]
    """
    values = pd.Series(history).interpolate(limit_direction="both").to_numpy()
    season = max(int(season), 1)
    if len(values) < season:
        raise ValueError(
            f"seasonal_naive_forecast: history has {len(values)} values, fewer "
            f"than one season ({season})."
        )
    last = values[-season:]
    reps = np.resize(last, int(horizon))
    index = future_index(history.index, list(range(1, int(horizon) + 1)))
    return pd.Series(reps, index=index, name=history.name)
