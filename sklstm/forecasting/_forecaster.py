"""LSTMForecaster: a series in, the next ``horizon`` values out, configured
from the data.

The steps (the pure functions live in ``_seasonality``, ``_smoothing`` and
``_windows``):

1. fill gaps (linear in the row position), take the log when the series is
   relative (:func:`~sklstm.forecasting.configure` decides);
2. remove the confirmed seasons, fitted as sine/cosine terms of the row
   position, recent seasons weighted more;
3. cut the deseasonalised series into windows, each expressed relative to
   the series' smoothed level at its last row and divided by the mean
   absolute one-step change: a network then sees the same numbers whatever
   the level, so a trend that leaves the range of the training data does
   not leave the range of its inputs;
4. train an ensemble of :class:`~sklstm.LSTMRegressor` networks on those
   windows (different seeds and lookbacks, in parallel processes with one
   torch thread each), each predicting the next ``chunk`` changes;
5. forecast: each member predicts from the last window, feeding its own
   forecasts back when the horizon is longer than its chunk; the members'
   median is averaged with the Theta method's forecast, the season added
   back, the log undone, and the result kept non-negative when the history
   is.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from sklstm._compat import Interval, StrOptions, _fit_context
from sklstm.forecasting._config import configure
from sklstm.forecasting._covariates import (
    align_covariates,
    fit_covariates,
    split_columns,
)
from sklstm.forecasting._forecast import future_index
from sklstm.forecasting._seasonality import fourier_seasonality
from sklstm.forecasting._smoothing import fit_smoothing, smoothed_levels, theta_forecast
from sklstm.forecasting._supervised import check_regular_index, check_time_index
from sklstm.forecasting._windows import (
    change_scale,
    normalised_windows,
    pad_start,
    roll_forecast,
)
from sklstm.utils._limits import MAX_HIDDEN_SIZE
from sklstm.utils._time import index_step

if TYPE_CHECKING:
    from collections.abc import Hashable, Sequence
    from typing import Literal

    from sklstm._typing import ArrayLike, RandomState, Self

__all__ = ["LSTMForecaster", "fill_gaps"]

_OWNER = "LSTMForecaster"


def fill_gaps(values: np.ndarray) -> np.ndarray:
    """NaN values filled linearly in the row position; the ends take the
    nearest observed value.

    >>> fill_gaps(np.array([np.nan, 1.0, np.nan, 3.0, np.nan])).tolist()
    [1.0, 1.0, 2.0, 3.0, 3.0]
    """
    values = np.asarray(values, dtype=np.float64)
    ok = np.isfinite(values)
    if ok.all():
        return values.copy()
    pos = np.arange(len(values))
    return np.interp(pos, pos[ok], values[ok])


def deseasonalise(values: np.ndarray, cfg) -> tuple:
    """``(season, d)``: the seasonal component fitted to the (log-)
    transformed ``values`` as ``cfg`` says, and what is left without it."""
    z = np.log(values) if cfg.transform == "log" else values
    season = fourier_seasonality(z, cfg.periods, cfg.harmonics,
                                 half_life=cfg.season_half_life)
    return season, z - season.at(np.arange(len(z)))


def prepare_series(y, X, horizon: int, settings: dict, future, owner: str
                   ) -> dict:
    """A series as the forecaster prepares it for its networks.

    Checked (:func:`_check_series`), its gaps filled, configured
    (:func:`~sklstm.forecasting.configure` with ``settings``), deseasonalised,
    the future-known covariates' effect removed and the past-only ones made
    channels (``X``, ``future``), and its scale of change, smoothing weight
    and smoothed levels. Returns a dict: ``cfg``, ``season``, ``d``,
    ``scale``, ``alpha``, ``levels``, ``covariates``, ``extra``, ``index``
    (periods as start times), ``period_freq`` and ``name``.
    """
    series = _check_series(y, owner)
    periods = series.index if isinstance(series.index, pd.PeriodIndex) else None
    if periods is not None:  # periods travel as their start times
        series = series.set_axis(periods.to_timestamp(how="start"))
    values = fill_gaps(series.to_numpy())
    filled = pd.Series(values, index=series.index, name=series.name)
    cfg = configure(filled, horizon, owner=owner, **settings)
    season, d = deseasonalise(values, cfg)
    covariates, extra = None, None
    if X is not None:
        frame = align_covariates(X, series.index, owner, "X")
        covariates = fit_covariates(d, frame, *split_columns(
            frame.columns, future, owner))
        d = d - covariates.effect(frame)
        extra = covariates.channels(frame)
    alpha = fit_smoothing(d) if cfg.level == "smoothed" else 1.0
    return dict(cfg=cfg, season=season, d=d, scale=change_scale(d), alpha=alpha,
                levels=smoothed_levels(d, alpha), covariates=covariates,
                extra=extra, index=series.index, name=series.name,
                period_freq=None if periods is None else periods.freq)


def member_params(model, lookback: int, seed, batch_size: int, max_epochs: int,
                  highway: int = 0) -> dict:
    """The :class:`~sklstm.LSTMRegressor` parameters of one ensemble member
    of ``model`` (a forecaster), its ``network_params`` last."""
    params = dict(
        lookback=lookback, hidden_size=model.hidden_size, highway=highway,
        loss=model.loss, lr=model.lr, batch_size=batch_size,
        max_epochs=max_epochs, patience=None, validation_fraction=None,
        scale_target=True, random_state=int(seed), device=model.device,
    )
    params.update(model.network_params or {})
    return params


def fit_members(fit, jobs: list, n_jobs) -> list:
    """``[fit(*job) for job in jobs]``, in ``n_jobs`` processes when more
    than one (None: 1)."""
    n_jobs = 1 if n_jobs is None else n_jobs
    if n_jobs == 1 or len(jobs) == 1:
        return [fit(*job) for job in jobs]
    return Parallel(n_jobs=n_jobs)(delayed(fit)(*job) for job in jobs)


def _fit_member(X, Y, params):
    from sklstm.neural import LSTMRegressor

    return LSTMRegressor(**params).fit(X, Y)


class LSTMForecaster(BaseEstimator):
    """Forecast a series with an ensemble of LSTMs that configures itself.

    ``LSTMForecaster(horizon=12).fit(series).predict()`` returns the next 12
    values of ``series``, indexed by their time stamps. What it decided from
    the data (seasons, log or not, lookbacks, direct or recursive, network
    size and training length) is in ``config_`` and prints as a few lines;
    see :func:`~sklstm.forecasting.configure` for the rules, which were
    chosen on 21 real series (``benchmarks/forecast_accuracy.py``). Every
    ``"auto"`` parameter can be set by hand instead.

    The model, in order: gaps filled linearly; the log taken when the series
    is positive and its swings grow with its level; confirmed seasons
    removed as sine/cosine terms of the row position (recent seasons
    weighted more); windows expressed relative to the exponentially smoothed
    level at their last row and divided by the mean absolute one-step
    change; ``n_members`` :class:`~sklstm.LSTMRegressor` networks (seeds and
    lookbacks differ; squared-error loss) trained on them to predict the
    next ``chunk`` changes; their median forecast, averaged with the Theta
    method's forecast of the same deseasonalised series, with the season
    added back, the log undone and negative values clipped when the history
    has none.

    Parameters
    ----------
    horizon : int, default=12
        Steps to forecast; the networks are trained for it.
    season : "auto", None, float or list of float, default="auto"
        Seasonal periods in steps. "auto" takes the periods the time step
        suggests and keeps those the autocorrelation confirms; None removes
        no season; numbers are used as given.
    transform : {"auto", "log", "none"}, default="auto"
        "log" models relative changes (positive series only).
    lookback : "auto" or int, default="auto"
        Window length; "auto" covers a season or cycle and varies it across
        members (1, 1.5 and 2 times).
    n_members : int, default=5
        Networks in the ensemble.
    hidden_size : int, default=32
        LSTM units.
    max_epochs, batch_size : "auto" or int, default="auto"
        "auto": 25 epochs (fewer past 1000 gradient steps) in batches of a
        quarter of the windows (8 to 64).
    theta_weight : float in [0, 1], default=0.5
        Weight of the Theta method's forecast (exponential smoothing plus
        half the trend's slope, on the deseasonalised series) in the final
        forecast; 0 leaves the networks alone.
    level : {"smoothed", "last"}, default="smoothed"
        What windows are measured from: the level of simple exponential
        smoothing (its weight fitted to the series), which keeps one noisy
        last value from moving the forecast, or the window's last value.
    season_half_life : float or None, default=5
        Seasons are fitted with weights halving every ``season_half_life``
        periods back, so a changing seasonal shape is described as it is
        now; None weights all periods alike.
    linear : {"none", "highway"}, default="none"
        "highway" adds a linear autoregressive path beside each LSTM
        (LSTNet); it did not win on the development series.
    loss : {"mae", "mse", "huber"}, default="mse"
        Training loss (the docs' Accuracy page compares them).
    combine : {"median", "mean"}, default="median"
        How member forecasts are combined.
    strategy : {"auto", "direct", "recursive"}, default="auto"
        "direct": one output per step ahead; "recursive": one step, fed back;
        "auto": direct when the series is long enough for ``horizon``
        outputs, else recursive in the longest chunk it allows.
    lr : float, default=1e-3
        Adam's learning rate.
    network_params : dict or None, default=None
        Further :class:`~sklstm.LSTMRegressor` parameters for every member
        (``dict(dropout=0.1, weight_decay=1e-4)``); they override the ones
        set from the configuration.
    future : "all", list of column names or None, default="all"
        Which columns of the covariates ``X`` given to :meth:`fit` are known
        in advance (their values at the forecast steps are passed to
        :meth:`predict`): "all", the listed ones, or none. Their effect is a
        regression on the deseasonalised series (with a constant and a
        trend), removed before the networks and added to their forecast. The
        other columns are known only up to now: they are extra input
        channels of the networks, held at their last value past the first
        chunk of a recursive forecast.
    n_jobs : int or None, default=None
        Members trained in parallel processes (one torch thread each); None
        means 1, -1 all CPUs.
    random_state : int, RandomState instance or None, default=0
        Seeds every member; the same seed gives the same forecast.
    device : {"cpu", "cuda", "auto"}, default="cpu"
    verbose : int, default=0
        1 prints the configuration at fit.

    Attributes
    ----------
    config_ : ForecastConfig
        What was decided; ``print(forecaster.config_)``.
    members_ : list of LSTMRegressor
    season_ : FourierSeason
        The removed seasonal component (on the transformed scale).
    scale_ : float
        The mean absolute one-step change the windows are divided by.
    alpha_ : float
        The smoothing weight of the level.
    index_ : Index
        The fit series' index; forecasts continue it.
    name_ : object
        The series' name.

    Examples
    --------
    >>> from sklstm import LSTMForecaster
    >>> from sklstm.datasets import load_airline
    >>> air = load_airline()["passengers"]
    >>> model = LSTMForecaster(horizon=6, n_members=2, max_epochs=5).fit(air)
    >>> print(model.config_.lines()[0])
    monthly steps, 144 rows; season: 12 (6 harmonics)
    >>> fc = model.predict()
    >>> fc.index.strftime("%Y-%m").tolist()[:3], bool((fc > 0).all())
    (['1961-01', '1961-02', '1961-03'], True)
    """

    _parameter_constraints: dict = {
        "horizon": [Interval(Integral, 1, None, closed="left")],
        "season": [StrOptions({"auto"}), None, Interval(Real, 2, None, closed="left"),
                   list, tuple],
        "transform": [StrOptions({"auto", "log", "none"})],
        "lookback": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "n_members": [Interval(Integral, 1, None, closed="left")],
        "hidden_size": [Interval(Integral, 1, MAX_HIDDEN_SIZE, closed="both")],
        "max_epochs": [StrOptions({"auto"}),
                       Interval(Integral, 1, None, closed="left")],
        "batch_size": [StrOptions({"auto"}),
                       Interval(Integral, 1, None, closed="left")],
        "theta_weight": [Interval(Real, 0, 1, closed="both")],
        "level": [StrOptions({"smoothed", "last"})],
        "season_half_life": [Interval(Real, 0, None, closed="neither"), None],
        "linear": [StrOptions({"none", "highway"})],
        "loss": [StrOptions({"mae", "mse", "huber"})],
        "combine": [StrOptions({"median", "mean"})],
        "strategy": [StrOptions({"auto", "direct", "recursive"})],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "network_params": [dict, None],
        "future": [StrOptions({"all"}), list, tuple, None],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "device": [StrOptions({"auto", "cpu", "cuda"})],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        horizon: int = 12,
        *,
        season: Literal["auto"] | float | Sequence[float] | None = "auto",
        transform: Literal["auto", "log", "none"] = "auto",
        lookback: Literal["auto"] | int = "auto",
        n_members: int = 5,
        hidden_size: int = 32,
        max_epochs: Literal["auto"] | int = "auto",
        batch_size: Literal["auto"] | int = "auto",
        theta_weight: float = 0.5,
        level: Literal["smoothed", "last"] = "smoothed",
        season_half_life: float | None = 5,
        linear: Literal["none", "highway"] = "none",
        loss: Literal["mae", "mse", "huber"] = "mse",
        combine: Literal["median", "mean"] = "median",
        strategy: Literal["auto", "direct", "recursive"] = "auto",
        lr: float = 1e-3,
        network_params: dict[str, Any] | None = None,
        future: Literal["all"] | Sequence[Hashable] | None = "all",
        n_jobs: int | None = None,
        random_state: RandomState = 0,
        device: Literal["cpu", "cuda", "auto"] = "cpu",
        verbose: int = 0,
    ) -> None:
        self.horizon = horizon
        self.season = season
        self.transform = transform
        self.lookback = lookback
        self.n_members = n_members
        self.hidden_size = hidden_size
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.theta_weight = theta_weight
        self.level = level
        self.season_half_life = season_half_life
        self.linear = linear
        self.loss = loss
        self.combine = combine
        self.strategy = strategy
        self.lr = lr
        self.network_params = network_params
        self.future = future
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, y: pd.Series | pd.DataFrame | ArrayLike,
            X: pd.DataFrame | None = None) -> Self:
        """Configure from ``y`` and train the ensemble.

        Parameters
        ----------
        y : Series or one-column DataFrame
            The history, oldest first, on a regular index: a DatetimeIndex
            with a frequency (set or inferable), a PeriodIndex, or an evenly
            spaced integer index. NaN values are gaps and are filled.
        X : DataFrame or None, default=None
            Covariates, numeric columns on ``y``'s index (more rows are
            ignored; gaps are filled linearly). Which are known in advance
            is the ``future`` parameter's choice.

        Returns
        -------
        self : LSTMForecaster
        """
        owner = f"{_OWNER}.fit"
        p = prepare_series(y, X, self.horizon, self._settings(), self.future,
                           owner)
        cfg, d = p["cfg"], p["d"]
        if self.verbose:
            print(cfg)
        rng = check_random_state(self.random_state)
        seeds = rng.randint(np.iinfo(np.int32).max, size=cfg.n_members)
        jobs = []
        for lookback, seed in zip(cfg.lookbacks, seeds, strict=True):
            Xw, Yw = normalised_windows(d, lookback, cfg.chunk, p["scale"],
                                        p["levels"], p["extra"])
            params = member_params(
                self, lookback, seed, cfg.batch_size, cfg.max_epochs,
                highway=lookback if cfg.linear == "highway" else 0)
            jobs.append((Xw, Yw, params))
        members = fit_members(_fit_member, jobs, self.n_jobs)
        return self._set_fitted(
            cfg, members, p["season"], d, p["scale"], p["alpha"], p["levels"],
            p["index"], p["period_freq"], p["name"], p["covariates"], p["extra"])

    def _settings(self) -> dict:
        """The :func:`~sklstm.forecasting.configure` settings of this model."""
        return dict(
            season=self.season, transform=self.transform, lookback=self.lookback,
            n_members=self.n_members, hidden_size=self.hidden_size,
            max_epochs=self.max_epochs, batch_size=self.batch_size,
            theta_weight=self.theta_weight, level=self.level,
            season_half_life=self.season_half_life,
            linear=getattr(self, "linear", "none"), loss=self.loss,
            combine=self.combine, strategy=self.strategy,
        )

    def _set_fitted(self, cfg, members, season, d, scale, alpha, levels, index,
                    period_freq, name, covariates=None, extra=None) -> Self:
        """Store the fitted state (also how a global model's per-series
        forecasters are made, its networks shared)."""
        need = max(cfg.lookbacks)
        self.config_ = cfg
        self.members_ = members
        self.season_ = season
        self.scale_ = scale
        self.alpha_ = alpha
        self.level_ = float(levels[-1])
        self.history_ = d[-need:].copy()
        self.deseasonalised_ = d
        self.covariates_ = covariates
        self.channels_ = None if extra is None else extra[-need:]
        self.index_ = index
        self.period_freq_ = period_freq
        self.name_ = name
        return self

    # -------------------------------------------------------------- predict
    def _state(self, history, X, owner: str) -> _Start:
        """What a forecast starts from (``history=None``: the fit series)."""
        cov = getattr(self, "covariates_", None)
        if X is not None and cov is None:
            raise ValueError(
                f"{owner}: X holds covariates, but the model was fitted without "
                "any; fit it with X=... to use them, or leave X out."
            )
        if history is None:
            d = self.deseasonalised_
            return _Start(d, len(d), self.index_, self.level_, self.channels_)
        series = _check_series(history, owner)
        if isinstance(series.index, pd.PeriodIndex):
            series = series.set_axis(series.index.to_timestamp(how="start"))
        first = _grid_position(self.index_, series.index, owner)
        # a global model's short series were fitted padded: as many rows will do
        need = min(max(self.config_.lookbacks), len(self.deseasonalised_))
        if len(series) < need:
            raise ValueError(
                f"{owner}: history has {len(series)} rows from its first observed "
                f"value; the networks read windows of up to {need} rows. Pass at "
                f"least {need} rows."
            )
        values = fill_gaps(series.to_numpy())
        if self.config_.transform == "log":
            if (values <= 0).any():
                bad = series.index[np.flatnonzero(values <= 0)[0]]
                raise ValueError(
                    f"{owner}: the model was fitted on the log of the series, but "
                    f"history holds a value <= 0 (at {bad}). Refit on the new "
                    "data, or fit with transform='none'."
                )
            values = np.log(values)
        d = values - self.season_.at(np.arange(first, first + len(values)))
        channels = None
        if cov is not None:
            if X is None:
                raise ValueError(
                    f"{owner}: the model was fitted with covariates {cov.columns}; "
                    "a forecast from new history needs X=... with their values at "
                    "history's rows (and the future-known ones' at the forecast "
                    "steps)."
                )
            frame = align_covariates(X, series.index, owner, "X",
                                     columns=cov.columns)
            d = d - cov.effect(frame)
            channels = cov.channels(frame)
        level = float(smoothed_levels(d, self.alpha_)[-1])
        return _Start(d, first + len(d), series.index, level, channels)

    def _effect(self, start: _Start, X, h: int, owner: str) -> np.ndarray:
        """The future-known covariates' effect at the ``h`` forecast steps."""
        cov = getattr(self, "covariates_", None)
        if cov is None or not cov.future:
            return np.zeros(h)
        steps = future_index(start.index, list(range(1, h + 1)))
        if X is None:
            raise ValueError(
                f"{owner}: the model was fitted with the future-known covariate(s) "
                f"{cov.future}; pass X=... with their values at the {h} forecast "
                f"step(s) {fmt_labels(steps)}."
            )
        frame = align_covariates(X, steps, owner, "X", columns=cov.future,
                                 fill=False)
        return cov.effect(frame)

    def _paths(self, start: _Start, h: int) -> np.ndarray:
        """Each member's forecast of the deseasonalised, transformed series,
        covariate effects removed."""
        cfg = self.config_
        need = max(cfg.lookbacks)
        return np.stack([
            roll_forecast(m.predict, pad_start(start.d, need), m.lookback,
                          cfg.chunk, self.scale_, h, self.alpha_, start.level,
                          None if start.channels is None
                          else pad_start(start.channels, need))
            for m in self.members_
        ])

    def _to_values(self, z_deseasonalised: np.ndarray, start: int) -> np.ndarray:
        h = z_deseasonalised.shape[-1]
        z = z_deseasonalised + self.season_.at(np.arange(start, start + h))
        return np.exp(z) if self.config_.transform == "log" else z

    def _horizon(self, horizon, owner: str = f"{_OWNER}.predict") -> int:
        h = self.horizon if horizon is None else horizon
        if isinstance(h, bool) or not isinstance(h, Integral) or h < 1:
            raise ValueError(f"{owner}: horizon must be a positive int, got {h!r}.")
        return int(h)

    def predict(self, horizon: int | None = None,
                history: pd.Series | pd.DataFrame | None = None,
                X: pd.DataFrame | None = None) -> pd.Series:
        """The forecast of the steps after the end of the fit series, or of
        ``history``.

        Parameters
        ----------
        horizon : int or None, default=None
            Steps to forecast; None: the ``horizon`` the model was fitted for.
            More steps are reached by feeding the forecasts back.
        history : Series, one-column DataFrame or None, default=None
            Forecast from the end of this series instead, with the fitted
            networks, season, scale and smoothing weight (no refit): newer
            data of the same series, as a backtest without refit needs. Its
            index must lie on the fit series' time grid (same type and step;
            it may start anywhere on it) and hold at least the longest
            lookback. Its level and the Theta forecast are recomputed from
            it.
        X : DataFrame or None, default=None
            For a model fitted with covariates: their values at the forecast
            steps (the future-known columns; the ``horizon`` labels after the
            series' end) and, with ``history``, at history's rows (every
            column). More rows are ignored.

        Returns
        -------
        forecast : Series
            ``horizon`` values indexed by the time stamps after the fit
            series (or ``history``), named like it.

        Examples
        --------
        >>> from sklstm import LSTMForecaster
        >>> from sklstm.datasets import load_airline
        >>> air = load_airline()["passengers"]
        >>> model = LSTMForecaster(horizon=3, n_members=1, max_epochs=2).fit(
        ...     air.iloc[:120])
        >>> model.predict(history=air).index.strftime("%Y-%m").tolist()
        ['1961-01', '1961-02', '1961-03']
        """
        check_is_fitted(self, "members_")
        owner = f"{_OWNER}.predict"
        h = self._horizon(horizon)
        start = self._state(history, X, owner)
        effect = self._effect(start, X, h, owner)
        values = self._combine(self._paths(start, h), start, effect)
        name = self.name_ if history is None else _series_name(history)
        return pd.Series(values, index=self._future_index(start.index, h),
                         name=name)

    def _combine(self, paths: np.ndarray, start: _Start,
                 effect: np.ndarray | float = 0.0) -> np.ndarray:
        """The forecast values from the members' paths (n_members, h): their
        median or mean, averaged with Theta, covariate effects, season and
        transform undone, clipped at 0 for a non-negative history."""
        cfg = self.config_
        h = paths.shape[-1]
        combined = (np.median(paths, axis=0) if cfg.combine == "median"
                    else paths.mean(axis=0))
        if cfg.theta_weight:
            theta = theta_forecast(start.d, h)
            combined = (1 - cfg.theta_weight) * combined + cfg.theta_weight * theta
        values = self._to_values(combined + effect, start.position)
        if cfg.non_negative:
            values = np.maximum(values, 0.0)
        return values

    def _future_index(self, index: pd.Index, h: int) -> pd.Index:
        out = future_index(index, list(range(1, h + 1)))
        if self.period_freq_ is not None:
            out = out.to_period(self.period_freq_)
        return out

    def member_forecasts(self, horizon: int | None = None,
                         history: pd.Series | pd.DataFrame | None = None,
                         X: pd.DataFrame | None = None) -> pd.DataFrame:
        """Each network's own forecast, one column per member (no Theta, no
        clipping): their spread shows how much the networks agree.

        Parameters
        ----------
        horizon : int or None, default=None
        history, X : as in :meth:`predict`

        Returns
        -------
        DataFrame of shape (horizon, n_members)
        """
        check_is_fitted(self, "members_")
        owner = f"{_OWNER}.member_forecasts"
        h = self._horizon(horizon)
        start = self._state(history, X, owner)
        effect = self._effect(start, X, h, owner)
        values = self._to_values(self._paths(start, h) + effect, start.position)
        return pd.DataFrame(values.T, index=self._future_index(start.index, h),
                            columns=[f"member {i}" for i in range(len(values))])


@dataclass
class _Start:
    """Where a forecast starts: the deseasonalised, transformed series with
    the covariate effects removed, the row position after its end, its
    index, the smoothed level at its end, the past covariates' channels."""

    d: np.ndarray
    position: int
    index: pd.Index
    level: float
    channels: np.ndarray | None


def fmt_labels(labels) -> str:
    shown = ", ".join(str(v) for v in labels[:2])
    return shown + (f" .. {labels[-1]}" if len(labels) > 2 else "")


def _series_name(history):
    if isinstance(history, pd.DataFrame):
        return history.columns[0] if history.shape[1] == 1 else None
    return getattr(history, "name", None)


def _grid_position(fit_index: pd.Index, index: pd.Index, owner: str) -> int:
    """The row position of ``index[0]`` on the grid that ``fit_index`` (the
    fit series' labels, periods as start times) lies on; an error when
    ``index`` is not on that grid."""
    def refuse(why: str):
        return ValueError(
            f"{owner}: history's index must continue the fit series' time grid "
            f"(a {type(fit_index).__name__} from {fit_index[0]}, one step "
            f"{_step_text(fit_index)}); {why}. Pass the same series, newer rows "
            "appended."
        )

    if isinstance(fit_index, pd.DatetimeIndex) != isinstance(index, pd.DatetimeIndex):
        raise refuse(f"got a {type(index).__name__}")
    step = index_step(fit_index)
    if index_step(index) not in (None, step) and len(index) >= 3:
        raise refuse(f"its step is {_step_text(index)}")
    if isinstance(fit_index, pd.DatetimeIndex):
        start = min(fit_index[0], index[0])
        grid = pd.date_range(start, max(fit_index[-1], index[-1]), freq=step)
        where = grid.get_indexer(index.append(fit_index[:1]))
        if (where < 0).any():
            bad = index[np.flatnonzero(where[:-1] < 0)[0]] if (where[:-1] < 0).any() \
                else index[0]
            raise refuse(f"{bad} is not on it")
        return int(where[0] - where[-1])
    delta = (np.asarray(index, dtype=np.float64) - float(fit_index[0])) / float(step)
    if not np.allclose(delta, np.round(delta)):
        raise refuse(f"label {index[np.flatnonzero(delta != np.round(delta))[0]]} "
                     "is not on it")
    return int(round(delta[0]))


def _step_text(index: pd.Index) -> str:
    step = index_step(index)
    return getattr(step, "freqstr", str(step))


def _check_series(y, owner: str) -> pd.Series:
    """``y`` as a float Series on a checked time index."""
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise ValueError(
                f"{owner}: y has {y.shape[1]} columns {list(y.columns)}; pass one "
                "series (df['column'])."
            )
        y = y.iloc[:, 0]
    if not isinstance(y, pd.Series):
        arr = np.asarray(y)
        if arr.ndim != 1:
            raise ValueError(
                f"{owner}: y must be a Series or a 1-D array; got shape {arr.shape}."
            )
        y = pd.Series(arr)
    numeric = pd.api.types.is_numeric_dtype(y.dtype)
    if not (numeric or pd.api.types.is_bool_dtype(y.dtype)):
        raise TypeError(
            f"{owner}: y must be numeric, got dtype {y.dtype}; convert it with "
            "pd.to_numeric."
        )
    values = y.astype("float64")
    if np.isinf(values.to_numpy()).any():
        raise ValueError(
            f"{owner}: y holds infinite values; replace them with NaN (a gap) or "
            "a number."
        )
    check_time_index(values.index, owner)
    check_regular_index(values.index, owner)
    index = values.index
    if isinstance(index, pd.PeriodIndex):
        index = index.to_timestamp(how="start")
    try:  # the index must have a step to continue
        future_index(index, [1])
    except ValueError:
        hint = ""
        if index.dtype == object or pd.api.types.is_string_dtype(index.dtype):
            hint = (f" It holds {type(index[0]).__name__} labels such as "
                    f"{index[0]!r}: parse dates with y.index = "
                    "pd.to_datetime(y.index).")
        raise ValueError(
            f"{owner}: cannot tell the time step of y's index "
            f"({type(index).__name__}, dtype {index.dtype}); give it a "
            "DatetimeIndex with a frequency (y.asfreq('MS'), for example), a "
            f"PeriodIndex, or an evenly spaced integer index.{hint}"
        ) from None
    observed = np.flatnonzero(values.notna().to_numpy())
    if len(observed) == 0:
        raise ValueError(f"{owner}: y has no observed value (all NaN).")
    # leading gaps hold nothing to learn from
    return values.iloc[observed[0]:]
