"""One model across many series: GlobalLSTMForecaster.

Each series of a panel is prepared exactly as :class:`~sklstm.LSTMForecaster`
prepares a single series (gaps filled, log when its swings grow with its
level, its confirmed seasons removed, windows measured from its smoothed
level in units of its mean absolute one-step change), so that every series'
windows are in the same units whatever its level. One ensemble of networks
is then trained on the windows of all series together, and each series is
forecast from its own end by those shared networks, averaged with its own
Theta forecast.

What is shared and what is each series' own:

- shared: the networks, their lookbacks, the chunk each pass predicts (one
  output per step ahead when the series allow it), the training length;
- per series: the transform, the seasons, the scale of change, the
  smoothing weight and level, whether outputs are kept non-negative.

After :meth:`GlobalLSTMForecaster.fit`, ``forecasters_[id]`` is a fitted
:class:`~sklstm.LSTMForecaster` for that series, holding its own state and
the shared networks, so everything a local forecaster does (``predict``
with ``history=``, ``member_forecasts``) works per series too.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from sklstm._compat import _fit_context
from sklstm.forecasting._config import (
    MAX_STEPS,
    MIN_EPOCHS,
    MIN_WINDOWS,
    _choose_training,
)
from sklstm.forecasting._forecaster import (
    LSTMForecaster,
    _fit_member,
    fit_members,
    member_params,
    prepare_series,
)
from sklstm.forecasting._windows import (
    normalised_windows,
    pad_start,
    roll_forecasts,
)
from sklstm.utils._panel import (
    naming_series,
    series_name,
    split_covariates,
    split_panel,
)

if TYPE_CHECKING:
    from collections.abc import Hashable, Sequence
    from typing import Literal

    from sklstm._typing import RandomState, Self

__all__ = ["GlobalLSTMForecaster", "global_training", "pooled_windows"]

_OWNER = "GlobalLSTMForecaster"

#: Largest batch "auto" picks: a panel with many windows trains in batches
#: that keep an epoch near ``MAX_STEPS / MIN_EPOCHS`` gradient steps.
MAX_BATCH = 1024


def global_training(n_windows: int, batch_size, max_epochs) -> tuple[int, int]:
    """Batch size and epochs for ``n_windows`` pooled windows.

    As for one series (a quarter of the windows, 8 to 64 per batch; 25
    epochs, fewer past 1000 gradient steps, at least 5), except that a
    panel with so many windows that 5 epochs would take more than 1000
    steps trains in larger batches (powers of two up to 1024), so that the
    networks still see every window 5 times.

    >>> global_training(600, "auto", "auto")
    (64, 25)
    >>> global_training(465_000, "auto", "auto")
    (1024, 5)
    """
    batch, epochs = _choose_training(n_windows, batch_size, max_epochs)
    per_epoch = MAX_STEPS // MIN_EPOCHS
    if batch_size == "auto" and n_windows / batch > per_epoch:
        batch = int(min(MAX_BATCH, 2 ** math.ceil(math.log2(n_windows / per_epoch))))
        if max_epochs == "auto":
            steps = math.ceil(n_windows / batch)
            epochs = int(max(MIN_EPOCHS, min(epochs, MAX_STEPS // steps)))
    return batch, epochs


def pooled_windows(pieces, lookback: int, chunk: int) -> tuple:
    """The normalised windows of every series, one after the other, written
    into one array (no per-series copy to join).

    ``pieces`` holds each series' ``(d, scale, levels, extra)``, as
    :func:`~sklstm.forecasting._windows.normalised_windows` takes them; a
    series shorter than ``lookback + chunk`` adds no window.

    >>> a = (np.arange(5.0), 1.0, None, None)
    >>> b = (10 * np.arange(4.0), 10.0, None, None)
    >>> X, Y = pooled_windows([a, b], lookback=2, chunk=1)
    >>> X.shape, X[-1, :, 0].tolist(), Y.ravel().tolist()
    ((5, 2, 1), [-1.0, 0.0], [1.0, 1.0, 1.0, 1.0, 1.0])
    """
    counts = [max(len(d) - lookback - chunk + 1, 0) for d, *_ in pieces]
    channels = 1 + (0 if pieces[0][3] is None else pieces[0][3].shape[1])
    X = np.empty((sum(counts), lookback, channels), dtype=np.float32)
    Y = np.empty((sum(counts), chunk), dtype=np.float32)
    row = 0
    for (d, scale, levels, extra), n in zip(pieces, counts, strict=True):
        if n:
            X[row: row + n], Y[row: row + n] = normalised_windows(
                d, lookback, chunk, scale, levels, extra)
            row += n
    return X, Y


def _fit_pooled(pieces, lookback: int, chunk: int, params: dict):
    """One shared network, fitted on the pooled windows it builds here."""
    X, Y = pooled_windows(pieces, lookback, chunk)
    return _fit_member(X, Y, params)


def _n_windows(lengths: np.ndarray, lookback: int, chunk: int) -> int:
    return int(np.maximum(lengths - lookback - chunk + 1, 0).sum())


def _shared_windows(lengths, lookbacks, horizon: int, strategy: str,
                    owner: str) -> int:
    """The chunk every network predicts: the horizon when the series give
    ``MIN_WINDOWS`` windows of that many outputs, else the longest that does
    (1 for ``strategy="recursive"``)."""
    longest = max(lookbacks)
    if strategy == "recursive":
        chunk = 1
    else:
        chunk = horizon
        while chunk > 1 and _n_windows(lengths, longest, chunk) < MIN_WINDOWS:
            chunk -= 1
        if strategy == "direct" and chunk < horizon:
            raise ValueError(
                f"{owner}: strategy='direct' needs {horizon} outputs per window, "
                f"but the series give only {_n_windows(lengths, longest, horizon)} "
                f"windows of {longest} + {horizon} rows (at least {MIN_WINDOWS}); "
                "use strategy='auto' or pass longer series."
            )
    if _n_windows(lengths, longest, chunk) < MIN_WINDOWS:
        raise ValueError(
            f"{owner}: the series give {_n_windows(lengths, longest, chunk)} "
            f"training windows of {longest} + {chunk} rows; at least "
            f"{MIN_WINDOWS} are needed. Pass longer series, or a shorter "
            "lookback."
        )
    return chunk


class GlobalLSTMForecaster(BaseEstimator):
    """One ensemble of LSTMs trained on every series of a panel (a *global*
    model), each series normalised as :class:`~sklstm.LSTMForecaster`
    normalises one.

    ``GlobalLSTMForecaster(horizon=12).fit(panel).predict()`` returns the
    next 12 values of every series of ``panel`` (a Series indexed by
    ``(series id, time)``, see :func:`~sklstm.to_panel`), indexed the same
    way. Each series keeps its own log transform, seasons, scale of change,
    smoothing weight and Theta forecast, decided from it alone by
    :func:`~sklstm.forecasting.configure`; the networks, which see every
    series' windows in the same units (changes from the smoothed level,
    divided by the mean absolute one-step change), are shared. A short
    series then borrows what the networks learned from the others, and one
    fit replaces one per series.

    The shared settings: the lookbacks are the median of what each series
    would get alone (a season or cycle, 1, 1.5 and 2 times it across the
    members); the chunk is the horizon when the series give 16 windows of
    that many outputs, else the longest chunk they do; batches and epochs
    follow :func:`global_training`. A series shorter than a lookback adds no
    window of that length and, at forecast time, its window is padded at the
    start with its first value.

    Parameters
    ----------
    horizon : int, default=12
        Steps to forecast; the networks are trained for it.
    season, transform : as in :class:`~sklstm.LSTMForecaster`
        Decided per series ("auto") or the same for all.
    lookback : "auto" or int, default="auto"
    n_members : int, default=5
    hidden_size : int, default=32
    max_epochs, batch_size : "auto" or int, default="auto"
        "auto": see :func:`global_training`.
    theta_weight, level, season_half_life, loss, combine, lr : \
as in :class:`~sklstm.LSTMForecaster`
    strategy : {"auto", "direct", "recursive"}, default="auto"
    network_params : dict or None, default=None
        Further :class:`~sklstm.LSTMRegressor` parameters for every member.
    future : "all", list of column names or None, default="all"
        Which columns of the covariate panel ``X`` given to :meth:`fit` are
        known in advance, as in :class:`~sklstm.LSTMForecaster`: their effect
        is a regression per series (each series its own coefficients); the
        other columns are extra input channels of the shared networks,
        standardised per series.
    n_jobs : int or None, default=None
        Members trained in parallel processes (one torch thread each).
    random_state : int, RandomState instance or None, default=0
    device : {"cpu", "cuda", "auto"}, default="cpu"
    verbose : int, default=0
        1 prints the shared settings and each series' decisions at fit.

    Attributes
    ----------
    forecasters_ : dict
        A fitted :class:`~sklstm.LSTMForecaster` per series id, in the
        panel's order: that series' state (``config_``, ``season_``,
        ``scale_``...) and the shared networks.
    members_ : list of LSTMRegressor
        The shared networks.
    lookbacks_ : tuple of int
        Each member's lookback.
    chunk_ : int
        Steps each network pass predicts.
    n_windows_ : int
        Training windows of the longest lookback, over all series.
    training_ : dict
        The shared ``strategy``, ``batch_size`` and ``max_epochs``.
    covariate_columns_ : list or None
        The covariate columns of ``X`` at fit (None without).

    See Also
    --------
    sklstm.forecasting.PerSeriesForecaster : one local model per series.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklstm.forecasting import GlobalLSTMForecaster
    >>> t = np.arange(60)
    >>> index = pd.MultiIndex.from_product(
    ...     [["north", "south"], pd.date_range("2020-01", periods=60, freq="MS")],
    ...     names=["region", "month"])
    >>> sales = pd.Series(np.r_[100 + t, 500 - 2 * t], index=index, name="sales")
    >>> model = GlobalLSTMForecaster(horizon=3, n_members=1, max_epochs=2)
    >>> fc = model.fit(sales).predict()
    >>> fc.index.names, len(fc)
    (FrozenList(['region', 'month']), 6)
    >>> fc.loc["north"].index.strftime("%Y-%m").tolist()
    ['2025-01', '2025-02', '2025-03']
    """

    #: fitted on a whole panel: backtest cuts every series at each origin
    _fits_panels = True

    # the local forecaster's parameters, less its linear highway
    _parameter_constraints: dict = {
        k: v for k, v in LSTMForecaster._parameter_constraints.items()
        if k != "linear"
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

    def _local(self) -> LSTMForecaster:
        """The per-series forecaster these settings describe."""
        return LSTMForecaster(
            self.horizon, season=self.season, transform=self.transform,
            lookback=self.lookback, n_members=self.n_members,
            hidden_size=self.hidden_size, max_epochs=self.max_epochs,
            batch_size=self.batch_size, theta_weight=self.theta_weight,
            level=self.level, season_half_life=self.season_half_life,
            loss=self.loss, combine=self.combine, strategy=self.strategy,
            lr=self.lr, network_params=self.network_params, future=self.future,
            random_state=self.random_state, device=self.device,
        )

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, y: pd.Series | pd.DataFrame,
            X: pd.DataFrame | None = None) -> Self:
        """Decide each series' preparation and train the shared networks.

        Parameters
        ----------
        y : Series or one-column DataFrame
            A panel: indexed by a 2-level MultiIndex (series id, time), each
            series on its own regular time index (lengths and starts may
            differ), NaN values gaps. Every series needs 20 observed rows.
        X : DataFrame or None, default=None
            Covariates: a panel of numeric columns with a row for every
            (id, time) of ``y`` (more rows are ignored; gaps are filled
            linearly within each series). Which are known in advance is the
            ``future`` parameter's choice.

        Returns
        -------
        self : GlobalLSTMForecaster
        """
        owner = f"{_OWNER}.fit"
        parts = split_panel(y, owner)
        covariates = split_covariates(X, [sid for sid, _ in parts], owner, "X")
        prepared = []
        for sid, raw in parts:
            with naming_series(sid):
                prepared.append(self._prepare(raw, owner, covariates.get(sid)))
        lengths = np.array([len(p["d"]) for p in prepared])
        configs = [p["cfg"] for p in prepared]
        if self.lookback == "auto":
            lookbacks = tuple(int(np.median([c.lookbacks[j] for c in configs]))
                              for j in range(self.n_members))
        else:
            lookbacks = (int(self.lookback),) * self.n_members
        chunk = _shared_windows(lengths, lookbacks, self.horizon, self.strategy,
                                owner)
        n_windows = _n_windows(lengths, max(lookbacks), chunk)
        batch_size, max_epochs = global_training(n_windows, self.batch_size,
                                                 self.max_epochs)
        strategy = "direct" if chunk >= self.horizon else "recursive"
        if self.verbose:
            print(f"{_OWNER}: {len(parts)} series, {n_windows} windows; lookback "
                  f"{'/'.join(str(v) for v in sorted(set(lookbacks)))}, "
                  f"{strategy} ({chunk} step(s) per pass), {max_epochs} epochs "
                  f"of batch {batch_size}")

        rng = check_random_state(self.random_state)
        seeds = rng.randint(np.iinfo(np.int32).max, size=self.n_members)
        pieces = [(p["d"], p["scale"], p["levels"], p["extra"]) for p in prepared]
        # each member builds its own windows where it trains: one member's
        # windows in memory at a time per process
        jobs = [(pieces, lookback, chunk,
                 member_params(self, lookback, seed, batch_size, max_epochs))
                for lookback, seed in zip(lookbacks, seeds, strict=True)]
        members = fit_members(_fit_pooled, jobs, self.n_jobs)
        self.members_ = members
        self.lookbacks_ = lookbacks
        self.chunk_ = chunk
        self.n_windows_ = n_windows
        self.training_ = {"strategy": strategy, "batch_size": batch_size,
                          "max_epochs": max_epochs}
        self.forecasters_ = {}
        for (sid, _), p in zip(parts, prepared, strict=True):
            self.forecasters_[sid] = self._series_forecaster(p)
            if self.verbose:
                lines = self.forecasters_[sid].config_.lines()
                print(f"  {series_name(sid)}: {lines[0]}; {lines[1]}")
        self.covariate_columns_ = None if X is None else list(X.columns)
        index = y.index
        self.index_names_ = list(index.names)
        self.name_ = y.name if isinstance(y, pd.Series) else y.columns[0]
        return self

    def _series_forecaster(self, p: dict) -> LSTMForecaster:
        """The fitted LSTMForecaster of one prepared series, sharing the
        networks and their settings."""
        cfg = replace(p["cfg"], lookbacks=self.lookbacks_, chunk=self.chunk_,
                      notes=(), **self.training_)
        return self._local()._set_fitted(
            cfg, self.members_, p["season"], p["d"], p["scale"], p["alpha"],
            p["levels"], p["index"], p["period_freq"], p["name"],
            p["covariates"], p["extra"])

    def _new_series(self, series: pd.Series, x, owner: str) -> LSTMForecaster:
        """A series not seen at fit, prepared from its own rows (its seasons,
        transform, scale and level; with covariates, its own regression) for
        the shared networks."""
        fitted = self.covariate_columns_
        lacking = [] if fitted is None or x is None else [
            c for c in fitted if c not in x.columns]
        if (fitted is None) != (x is None) or lacking:
            expected = "no X" if fitted is None else f"X with columns {fitted}"
            raise ValueError(
                f"{owner}: the model was fitted with {expected}; a new series "
                "needs the same covariates over its history (and the "
                "future-known ones at its forecast steps)"
                + (f", but X lacks {lacking}." if lacking else ".")
            )
        if x is not None:
            x = x[fitted]
        return self._series_forecaster(self._prepare(series, owner, x))

    def _prepare(self, raw: pd.Series, owner: str, x=None) -> dict:
        """One series as LSTMForecaster.fit prepares it, before the networks
        (each series decides direct or recursive by the shared windows)."""
        settings = {**self._local()._settings(), "linear": "none",
                    "strategy": "auto" if self.strategy == "direct"
                    else self.strategy}
        return prepare_series(raw, x, self.horizon, settings, self.future, owner)

    # -------------------------------------------------------------- predict
    def predict(self, horizon: int | None = None,
                history: pd.Series | pd.DataFrame | None = None,
                X: pd.DataFrame | None = None) -> pd.Series:
        """Every series' forecast, from its own end (or ``history``'s).

        The shared networks forecast all series at once (one pass per member
        and chunk); each series' forecast is then finished as
        :meth:`LSTMForecaster.predict <sklstm.LSTMForecaster.predict>`
        finishes one.

        Parameters
        ----------
        horizon : int or None, default=None
            Steps; None: the ``horizon`` the model was fitted for.
        history : panel or None, default=None
            Forecast from the end of these series instead, with no refit:
            newer data of series seen at fit (on their time grids), as a
            backtest without refit needs, or new series. A new series is
            prepared from its own rows, as a series is at fit (its seasons,
            log, scale, level and Theta forecast; 20 rows at least), and
            forecast by the shared networks.
        X : DataFrame or None, default=None
            For a model fitted with covariates, a panel of them: each
            series' future-known values at its forecast steps and, with
            ``history``, every column at history's rows (as
            :meth:`LSTMForecaster.predict <sklstm.LSTMForecaster.predict>`
            takes them for one series).

        Returns
        -------
        forecast : Series
            Indexed by (series id, time), the series in the fit panel's
            order (or ``history``'s).
        """
        check_is_fitted(self, "forecasters_")
        owner = f"{_OWNER}.predict"
        h = next(iter(self.forecasters_.values()))._horizon(horizon, owner)
        if history is None:
            items = [(sid, None) for sid in self.forecasters_]
        else:
            items = split_panel(history, owner)
        covariates = split_covariates(X, [sid for sid, _ in items], owner, "X")
        models, starts, effects = [], [], []
        for sid, series in items:
            with naming_series(sid):
                x = covariates.get(sid)
                if sid in self.forecasters_:
                    model = self.forecasters_[sid]
                    start = model._state(series, x, owner)
                else:  # a new series: prepared from its history alone
                    model = self._new_series(series, x, owner)
                    start = model._state(None, x, owner)
                effects.append(model._effect(start, x, h, owner))
            models.append(model)
            starts.append(start)
        need = max(self.lookbacks_)
        windows = np.stack([pad_start(s.d, need) for s in starts])
        extra = None
        if starts[0].channels is not None:
            extra = np.stack([pad_start(s.channels, need) for s in starts])
        scales = [m.scale_ for m in models]
        alphas = [m.alpha_ for m in models]
        levels = [s.level for s in starts]
        paths = np.stack([
            roll_forecasts(member.predict, windows, member.lookback, self.chunk_,
                           scales, h, alphas, levels, extra)
            for member in self.members_
        ])  # (n_members, n_series, h)
        parts = {}
        for k, ((sid, _), model, start) in enumerate(zip(items, models, starts,
                                                         strict=True)):
            values = model._combine(paths[:, k], start, effects[k])
            parts[sid] = pd.Series(values, index=model._future_index(start.index, h))
        out = pd.concat(parts, names=self.index_names_[:1])
        out.index = out.index.set_names(self.index_names_)
        return out.rename(self.name_)
