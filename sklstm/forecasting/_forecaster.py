"""LSTMForecaster: a series in, the next ``horizon`` values out, configured
from the data.

The steps, each a pure function below the class:

1. fill gaps (linear in the row position), take the log when the series is
   relative (:func:`~sklstm.forecasting.configure` decides);
2. remove the confirmed seasons, fitted as sine/cosine terms of the row
   position (:func:`~sklstm.forecasting.fourier_seasonality`);
3. cut the deseasonalised series into windows, each expressed relative to
   its own last value and divided by the series' mean absolute one-step
   change (:func:`normalised_windows`): a network then sees the same
   numbers whatever the level, so a trend that leaves the range of the
   training data does not leave the range of its inputs;
4. train an ensemble of :class:`~sklstm.LSTMRegressor` networks on those
   windows (different seeds and lookbacks, in parallel processes with one
   torch thread each), each predicting the next ``chunk`` changes from the
   window's last value, with a linear highway beside the LSTM;
5. forecast: each member predicts from the last window, feeding its own
   forecasts back when the horizon is longer than its chunk; the members are
   combined (median), the season added back, the log undone, and the result
   kept non-negative when the history is.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from sklstm._compat import Interval, StrOptions, _fit_context
from sklstm.forecasting._config import ForecastConfig, configure
from sklstm.forecasting._forecast import future_index
from sklstm.forecasting._seasonality import FourierSeason, fourier_seasonality
from sklstm.forecasting._supervised import check_regular_index, check_time_index

__all__ = [
    "LSTMForecaster",
    "fill_gaps",
    "fit_smoothing",
    "normalised_windows",
    "roll_forecast",
    "smoothed_levels",
]

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


def change_scale(d: np.ndarray) -> float:
    """Mean absolute one-step change of ``d``; 1 where ``d`` never changes.

    >>> change_scale(np.array([1.0, 3.0, 2.0]))
    1.5
    """
    diffs = np.abs(np.diff(d))
    scale = float(diffs.mean()) if diffs.size else 0.0
    if not np.isfinite(scale) or scale <= 1e-12:
        scale = float(np.std(d)) or 1.0
    return scale


def smoothed_levels(d: np.ndarray, alpha: float) -> np.ndarray:
    """Simple exponential smoothing: ``l[t] = alpha d[t] + (1 - alpha) l[t-1]``,
    starting at ``l[0] = d[0]``.

    >>> smoothed_levels(np.array([0.0, 1.0, 1.0]), 0.5).tolist()
    [0.0, 0.5, 0.75]
    """
    from scipy.signal import lfilter

    d = np.asarray(d, dtype=np.float64)
    if alpha >= 1.0:
        return d.copy()
    rest, _ = lfilter([alpha], [1.0, alpha - 1.0], d[1:], zi=[(1 - alpha) * d[0]])
    return np.r_[d[0], rest]


def fit_smoothing(d: np.ndarray, grid=None) -> float:
    """The smoothing weight whose level best predicts the next value (least
    squared one-step error over a grid from 0.05 to 1; 1 is the last value).

    >>> rng = np.random.default_rng(0)
    >>> fit_smoothing(np.cumsum(rng.normal(size=300)))  # a random walk
    1.0
    >>> fit_smoothing(rng.normal(size=300)) < 0.2  # noise around a level
    True
    """
    d = np.asarray(d, dtype=np.float64)
    grid = np.linspace(0.05, 1.0, 20) if grid is None else grid
    errors = [np.mean((d[1:] - smoothed_levels(d, a)[:-1]) ** 2) for a in grid]
    return float(grid[int(np.argmin(errors))])


def theta_forecast(d: np.ndarray, horizon: int) -> np.ndarray:
    """The standard Theta method's forecast of ``d`` (Hyndman & Billah, 2003):
    simple exponential smoothing plus half the slope of the linear trend.

    >>> theta_forecast(np.arange(10.0), 2).round(2).tolist()
    [9.5, 10.0]
    """
    d = np.asarray(d, dtype=np.float64)
    n = len(d)
    alpha = max(fit_smoothing(d), 0.05)
    level = smoothed_levels(d, alpha)[-1]
    slope = np.polyfit(np.arange(n), d, 1)[0]
    h = np.arange(1, horizon + 1)
    return level + 0.5 * slope * (h - 1 + 1 / alpha - (1 - alpha) ** n / alpha)


def normalised_windows(d: np.ndarray, lookback: int, chunk: int, scale: float,
                       levels: np.ndarray | None = None, position=None):
    """Training windows of ``d`` relative to their level, and the changes
    from that level that follow them.

    Window ``i`` holds ``d[i : i + lookback]``; both it and its target
    ``d[i + lookback : i + lookback + chunk]`` have the level at the window's
    last row subtracted (``levels``, by default ``d`` itself: the last value)
    and are divided by ``scale``.

    Returns
    -------
    X : ndarray of shape (n_windows, lookback, 1), float32
    Y : ndarray of shape (n_windows, chunk), float32

    Examples
    --------
    >>> X, Y = normalised_windows(np.arange(6.0), lookback=2, chunk=2, scale=1.0)
    >>> X[..., 0].tolist(), Y.tolist()
    ([[-1.0, 0.0], [-1.0, 0.0], [-1.0, 0.0]], [[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]])
    """
    levels = d if levels is None else levels
    view = np.lib.stride_tricks.sliding_window_view(d, lookback + chunk)
    anchor = levels[lookback - 1 : lookback - 1 + len(view), None]
    rel = (view - anchor) / scale
    X = rel[:, :lookback, None]
    if position is not None:  # (mean, sd): where the window lies in the history
        mean, sd = position
        X = np.concatenate([X, ((view[:, :lookback] - mean) / sd)[..., None]], axis=2)
    return (np.ascontiguousarray(X, dtype=np.float32),
            np.ascontiguousarray(rel[:, lookback:], dtype=np.float32))


def roll_forecast(predict, d: np.ndarray, lookback: int, chunk: int, scale: float,
                  horizon: int, alpha: float = 1.0, level: float | None = None,
                  position=None) -> np.ndarray:
    """``horizon`` values after the end of ``d``, ``chunk`` per call of
    ``predict`` (normalised windows in, normalised changes out), each chunk
    appended to the history, and the smoothed level (``alpha``; ``level`` is
    its value at the end of ``d``) carried through it, before the next.

    >>> last_change = lambda X: np.repeat(X[:, -1:, 0] - X[:, -2:-1, 0], 2, axis=1)
    >>> roll_forecast(last_change, np.array([0.0, 1.0, 2.0]), 2, 2, 1.0, 3).tolist()
    [3.0, 3.0, 3.0]
    """
    history = list(np.asarray(d, dtype=np.float64)[-lookback:])
    level = history[-1] if level is None else float(level)
    out = []
    while len(out) < horizon:
        window = np.asarray(history[-lookback:])
        X = ((window - level) / scale)[None, :, None]
        if position is not None:
            X = np.concatenate([X, ((window - position[0]) / position[1])[None, :, None]],
                               axis=2)
        X = X.astype(np.float32)
        step = np.asarray(predict(X), dtype=np.float64).reshape(-1)[:chunk]
        values = level + scale * step
        for v in values:
            level = alpha * v + (1 - alpha) * level
        out.extend(values)
        history.extend(values)
    return np.asarray(out[:horizon])


class _Member:
    """One ensemble member: an optional ridge regression on the flattened
    window, and an LSTM on what it leaves (or on the target itself)."""

    def __init__(self, lstm, ridge=None):
        self.lstm = lstm
        self.ridge = ridge

    @property
    def lookback(self) -> int:
        return self.lstm.lookback

    def predict(self, X):
        out = self.lstm.predict(X)
        if self.ridge is not None:
            out = out + self.ridge.predict(X[:, :, 0])
        return out


#: Ridge penalties tried (leave-one-out) by ``linear="ridge"``.
RIDGE_ALPHAS = np.logspace(-2, 3, 11)


def _fit_member(X, Y, params, ridge=False, drift=1.0):
    from sklearn.linear_model import RidgeCV

    from sklstm.neural import LSTMRegressor

    linear = None
    if ridge:
        linear = RidgeCV(alphas=RIDGE_ALPHAS).fit(X[:, :, 0], Y)
        Y = (Y - linear.predict(X[:, :, 0])).astype(np.float32)
    # the network learns the change beyond ``drift`` times the mean change
    offset = drift * Y.mean(axis=0)
    spread = Y.std(axis=0)
    spread = np.where(spread > 1e-8, spread, 1.0)
    lstm = LSTMRegressor(**{**params, "scale_target": False})
    lstm.fit(X, ((Y - offset) / spread).astype(np.float32))
    lstm.target_offset_, lstm.target_scale_ = offset, spread
    return _Member(lstm, linear)


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
    removed as sine/cosine terms of the row position; windows expressed
    relative to their own last value and divided by the mean absolute
    one-step change; ``n_members`` :class:`~sklstm.LSTMRegressor` networks
    (seeds and lookbacks differ; an LSTM with a linear autoregressive
    highway, absolute-error loss) trained on them to predict the next
    ``chunk`` changes; their median forecast, with the season added back,
    the log undone and negative values clipped when the history has none.

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
        "auto": about 800 gradient steps in batches of a quarter of the
        windows (8 to 64).
    linear : {"highway", "none"}, default="highway"
        A linear autoregressive path beside the LSTM.
    loss : {"mae", "mse", "huber"}, default="mae"
        Training loss.
    combine : {"median", "mean"}, default="median"
        How member forecasts are combined.
    strategy : {"auto", "direct", "recursive"}, default="auto"
        "direct": one output per step ahead; "recursive": one step, fed back;
        "auto": direct when the series is long enough for ``horizon``
        outputs, else recursive in the longest chunk it allows.
    level : {"last", "smoothed"}, default="smoothed"
        What windows are measured from: the window's last value, or the
        level of simple exponential smoothing (its weight fitted to the
        series), which keeps one noisy last value from moving the forecast.
    lr : float, default=1e-3
        Adam's learning rate.
    network_params : dict or None, default=None
        Further :class:`~sklstm.LSTMRegressor` parameters for every member
        (``dict(dropout=0.1, weight_decay=1e-4)``); they override the ones
        set from the configuration.
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
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [StrOptions({"auto"}), Interval(Integral, 1, None,
                                                      closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None,
                                                      closed="left")],
        "linear": [StrOptions({"highway", "ridge", "none"})],
        "loss": [StrOptions({"mae", "mse", "huber"})],
        "combine": [StrOptions({"median", "mean"})],
        "strategy": [StrOptions({"auto", "direct", "recursive"})],
        "level": [StrOptions({"last", "smoothed"})],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "network_params": [dict, None],
        "blend": [Interval(Real, 0, 1, closed="both")],
        "season_half_life": [Interval(Real, 0, None, closed="neither"), None],
        "drift": [Interval(Real, 0, 1, closed="both")],
        "position": ["boolean"],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "device": [StrOptions({"auto", "cpu", "cuda"})],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        horizon=12,
        *,
        season="auto",
        transform="auto",
        lookback="auto",
        n_members=5,
        hidden_size=32,
        max_epochs="auto",
        batch_size="auto",
        linear="highway",
        loss="mae",
        combine="median",
        strategy="auto",
        level="smoothed",
        lr=1e-3,
        network_params=None,
        blend=0.0,
        season_half_life=None,
        drift=1.0,
        position=False,
        n_jobs=None,
        random_state=0,
        device="cpu",
        verbose=0,
    ):
        self.horizon = horizon
        self.season = season
        self.transform = transform
        self.lookback = lookback
        self.n_members = n_members
        self.hidden_size = hidden_size
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.linear = linear
        self.loss = loss
        self.combine = combine
        self.strategy = strategy
        self.level = level
        self.lr = lr
        self.network_params = network_params
        self.blend = blend
        self.season_half_life = season_half_life
        self.drift = drift
        self.position = position
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, y, X=None):
        """Configure from ``y`` and train the ensemble.

        Parameters
        ----------
        y : Series or one-column DataFrame
            The history, oldest first, on a regular index: a DatetimeIndex
            with a frequency (set or inferable) or an evenly spaced integer
            index. NaN values are gaps and are filled.
        X : None
            Not used; covariates are not supported yet.

        Returns
        -------
        self : LSTMForecaster
        """
        owner = f"{_OWNER}.fit"
        if X is not None:
            raise ValueError(
                f"{owner}: X (covariates) is not supported; pass the target "
                "series alone as y."
            )
        series = _check_series(y, owner)
        values = fill_gaps(series.to_numpy())
        filled = pd.Series(values, index=series.index, name=series.name)
        cfg = configure(
            filled, self.horizon, season=self.season, transform=self.transform,
            lookback=self.lookback, n_members=self.n_members,
            hidden_size=self.hidden_size, max_epochs=self.max_epochs,
            batch_size=self.batch_size, linear=self.linear, loss=self.loss,
            combine=self.combine, strategy=self.strategy, owner=owner,
        )
        if self.verbose:
            print(cfg)
        z = np.log(values) if cfg.transform == "log" else values
        season = fourier_seasonality(z, cfg.periods, cfg.harmonics,
                                     half_life=self.season_half_life)
        d = z - season.at(np.arange(len(z)))
        scale = change_scale(d)
        alpha = fit_smoothing(d) if self.level == "smoothed" else 1.0
        levels = smoothed_levels(d, alpha)
        position = (float(d.mean()), float(d.std()) or 1.0) if self.position else None

        rng = check_random_state(self.random_state)
        seeds = rng.randint(np.iinfo(np.int32).max, size=cfg.n_members)
        jobs = []
        for lookback, seed in zip(cfg.lookbacks, seeds):
            Xw, Yw = normalised_windows(d, lookback, cfg.chunk, scale, levels,
                                        position)
            params = dict(
                lookback=lookback, hidden_size=cfg.hidden_size,
                highway=lookback if cfg.linear == "highway" else 0,
                loss=cfg.loss, lr=self.lr, batch_size=cfg.batch_size,
                max_epochs=cfg.max_epochs, patience=None,
                validation_fraction=None, scale_target=True,
                random_state=int(seed), device=self.device,
            )
            params.update(self.network_params or {})
            jobs.append((Xw, Yw, params, cfg.linear == "ridge", self.drift))
        n_jobs = self.n_jobs if self.n_jobs is not None else 1
        if n_jobs == 1 or len(jobs) == 1:
            members = [_fit_member(*job) for job in jobs]
        else:
            members = Parallel(n_jobs=n_jobs)(delayed(_fit_member)(*j) for j in jobs)

        self.config_ = cfg
        self.members_ = members
        self.season_ = season
        self.scale_ = scale
        self.alpha_ = alpha
        self.position_ = position
        self.level_ = float(levels[-1])
        self.history_ = d[-max(cfg.lookbacks):].copy()
        self.d_ = d
        self.n_rows_ = len(values)
        self.index_ = series.index
        self.name_ = series.name
        return self

    # -------------------------------------------------------------- predict
    def predict(self, horizon=None):
        """The forecast of the steps after the end of the fit series.

        Parameters
        ----------
        horizon : int or None, default=None
            Steps to forecast; None: the ``horizon`` the model was fitted for.
            More steps are reached by feeding the forecasts back.

        Returns
        -------
        forecast : Series
            ``horizon`` values indexed by the time stamps after the fit
            series, named like it.
        """
        check_is_fitted(self, "members_")
        h = self.horizon if horizon is None else horizon
        if isinstance(h, bool) or not isinstance(h, Integral) or h < 1:
            raise ValueError(
                f"{_OWNER}.predict: horizon must be a positive int, got {h!r}."
            )
        h = int(h)
        cfg = self.config_
        paths = np.stack([
            roll_forecast(m.predict, self.history_, m.lookback, cfg.chunk,
                          self.scale_, h, self.alpha_, self.level_, self.position_)
            for m in self.members_
        ])
        combined = (np.median(paths, axis=0) if cfg.combine == "median"
                    else paths.mean(axis=0))
        if self.blend:
            theta = theta_forecast(self.d_, h)
            combined = (1 - self.blend) * combined + self.blend * theta
        z = combined + self.season_.at(np.arange(self.n_rows_, self.n_rows_ + h))
        values = np.exp(z) if cfg.transform == "log" else z
        if cfg.non_negative:
            values = np.maximum(values, 0.0)
        index = future_index(self.index_, list(range(1, h + 1)))
        return pd.Series(values, index=index, name=self.name_)

    def member_forecasts(self, horizon=None) -> pd.DataFrame:
        """Each member's forecast, one column per member (before clipping)."""
        check_is_fitted(self, "members_")
        h = int(self.horizon if horizon is None else horizon)
        cfg = self.config_
        cols = {}
        season = self.season_.at(np.arange(self.n_rows_, self.n_rows_ + h))
        for i, m in enumerate(self.members_):
            z = roll_forecast(m.predict, self.history_, m.lookback, cfg.chunk,
                              self.scale_, h, self.alpha_, self.level_, self.position_) + season
            cols[f"member {i}"] = np.exp(z) if cfg.transform == "log" else z
        index = future_index(self.index_, list(range(1, h + 1)))
        return pd.DataFrame(cols, index=index)


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
    if not (pd.api.types.is_numeric_dtype(y.dtype) or pd.api.types.is_bool_dtype(y.dtype)):
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
    future_index(values.index, [1])  # the index must have a step to continue
    observed = np.flatnonzero(values.notna().to_numpy())
    if len(observed) == 0:
        raise ValueError(f"{owner}: y has no observed value (all NaN).")
    # leading gaps hold nothing to learn from
    return values.iloc[observed[0]:]
