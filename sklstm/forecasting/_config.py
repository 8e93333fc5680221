"""Self-configuration: what the forecaster decides from the training series.

:func:`configure` is a pure function of the series, the horizon and the
user's overrides; its result, a :class:`ForecastConfig`, is a small frozen
record that prints as a few lines. :class:`~sklstm.LSTMForecaster` keeps it
as ``config_`` and the ``sklstm`` command prints it first, so both run on the
same decisions. Every rule here was chosen on the development benchmark
(``benchmarks/forecast_accuracy.py``, 21 real series).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sklstm.forecasting._seasonality import (
    calendar_periods,
    find_cycle,
    guerrero_lambda,
    seasonal_strength,
    seasonality_test,
    step_kind,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Literal

__all__ = ["MIN_WINDOWS", "ForecastConfig", "configure", "min_length"]

#: Fewest training windows a network is fitted on.
MIN_WINDOWS = 16
#: Shortest window (rows) a network reads.
MIN_LOOKBACK = 4
#: Longest window: longer seasons are removed before the network sees the
#: series, and the LSTM's cost grows with every step of the window.
MAX_LOOKBACK = 120
#: Most sine/cosine pairs per period (a daily season of half-hours needs no
#: more than this many to describe its shape).
MAX_HARMONICS = 10
#: A confirmed season must explain this share of the detrended variance.
MIN_SEASONAL_STRENGTH = 0.25
#: Box-Cox exponents below this make the series "relative" (log) when positive.
LOG_BELOW_LAMBDA = 0.5
#: Passes over the training windows...
EPOCHS = 25
#: ...unless that would take more gradient steps than this (long series).
MAX_STEPS = 1000
#: Fewest passes, however long the series.
MIN_EPOCHS = 5
#: Lookbacks of the ensemble members, as multiples of the base lookback.
LOOKBACK_FACTORS = (1.0, 1.5, 2.0)


def min_length() -> int:
    """Fewest rows :func:`configure` accepts: ``MIN_WINDOWS`` training windows
    of ``MIN_LOOKBACK`` rows and one step ahead. It does not depend on the
    horizon: a series too short for one output per step ahead is forecast
    recursively.

    >>> min_length()
    20
    """
    return MIN_LOOKBACK + MIN_WINDOWS


@dataclass(frozen=True)
class ForecastConfig:
    """The decisions :func:`configure` took, and why.

    Attributes
    ----------
    step : str
        The index's time step ("monthly", "30 min", "integer"...).
    n_rows : int
        Rows of the training series.
    horizon : int
        Steps forecast.
    periods : tuple of float
        Confirmed seasonal periods, in steps; removed before the network.
    rejected : tuple of str
        Candidate periods that were not confirmed, with the reason.
    harmonics : tuple of int
        Sine/cosine pairs per confirmed period.
    cycle : int or None
        Lag of a significant non-seasonal autocorrelation peak.
    transform : {"log", "none"}
        "log": the network learns relative changes (positive series whose
        swings grow with the level).
    box_cox_lambda : float or None
        Guerrero's exponent behind that choice (None: not positive).
    non_negative : bool
        Forecasts are kept >= 0 (no negative value in the history).
    lookbacks : tuple of int
        Window length of each ensemble member.
    chunk : int
        Steps each network pass predicts; a horizon beyond it is reached by
        feeding the forecasts back (``strategy`` "recursive").
    strategy : {"direct", "recursive"}
    n_members : int
        Networks averaged.
    hidden_size, max_epochs, batch_size : int
        Network size and training length.
    theta_weight : float
        Weight of the Theta method's forecast in the final one.
    level : {"smoothed", "last"}
        What the windows are measured from.
    season_half_life : float or None
        Periods after which a season's weight in the fit halves.
    linear : {"highway", "none"}
        Whether a linear autoregressive path runs beside the LSTM.
    loss, combine : str
        Training loss; how the members are combined.
    notes : tuple of str
        Anything else worth saying.
    """

    step: str
    n_rows: int
    horizon: int
    periods: tuple
    rejected: tuple
    harmonics: tuple
    cycle: int | None
    transform: str
    box_cox_lambda: float | None
    non_negative: bool
    lookbacks: tuple
    chunk: int
    strategy: str
    n_members: int
    hidden_size: int
    max_epochs: int
    batch_size: int
    theta_weight: float
    level: str
    season_half_life: float | None
    linear: str
    loss: str
    combine: str
    notes: tuple = field(default=())

    def lines(self) -> list[str]:
        """The configuration as short lines, as the ``sklstm`` command prints it."""
        if self.periods:
            pairs = zip(self.periods, self.harmonics, strict=True)
            season = ", ".join(f"{_num(p)} ({h} harmonics)" for p, h in pairs)
        else:
            season = "none"
        rejected = (f"; not seasonal: {', '.join(self.rejected)}" if self.rejected
                    else "")
        cycle = f", cycle of {self.cycle} steps" if self.cycle else ""
        if self.transform == "log":
            change = (f"relative (log; Box-Cox lambda {self.box_cox_lambda:.2f})")
        elif self.box_cox_lambda is not None:
            change = f"additive (Box-Cox lambda {self.box_cox_lambda:.2f})"
        else:
            change = "additive"
        ways = ("direct" if self.strategy == "direct"
                else f"recursive, {self.chunk} steps per pass")
        lookbacks = "/".join(str(v) for v in sorted(set(self.lookbacks)))
        theta = (f", averaged with Theta (weight {self.theta_weight:g})"
                 if self.theta_weight else "")
        out = [
            f"{self.step} steps, {self.n_rows} rows; season: {season}{rejected}{cycle}",
            f"change: {change}; outputs "
            f"{'kept >= 0' if self.non_negative else 'unbounded'}",
            f"networks: {self.n_members} LSTM(s) of {self.hidden_size} units"
            f"{' + linear highway' if self.linear == 'highway' else ''}, lookback "
            f"{lookbacks}, {self.max_epochs} epochs of batch {self.batch_size}, "
            f"{self.loss} loss",
            f"forecast: {self.horizon} steps, {ways}; {self.combine} of the "
            f"networks{theta}",
        ]
        return out + list(self.notes)

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _num(p: float) -> str:
    return f"{p:g}" if float(p).is_integer() else f"{p:.2f}"


def _harmonics(period: float) -> int:
    return max(1, min(int(period // 2), MAX_HARMONICS))


def _choose_periods(z, index, season, owner) -> tuple[list, list]:
    """The confirmed periods, and the rejected candidates with the reason."""
    n = len(z)
    if season is None:
        return [], []
    if isinstance(season, str) and season == "auto":
        candidates, confirm = calendar_periods(index), True
    else:
        values = [season] if np.isscalar(season) else list(season)
        for p in values:
            if isinstance(p, bool) or not isinstance(p, (int, float, np.number)) \
                    or not p >= 2:
                raise ValueError(
                    f"{owner}: season must be 'auto', None, or periods >= 2 in "
                    f"steps (12 for monthly data); got {season!r}."
                )
        candidates, confirm = [float(p) for p in values], False
    kept, rejected = [], []
    for p in candidates:
        if n < 2 * p or (confirm and n < 3 * p):
            need = int(math.ceil((3 if confirm else 2) * p))
            rejected.append(f"{_num(p)} (needs {need} rows, has {n})")
        elif confirm and not seasonality_test(z, p):
            rejected.append(f"{_num(p)} (autocorrelation not significant)")
        elif confirm and seasonal_strength(z, p, _harmonics(p)) < MIN_SEASONAL_STRENGTH:
            rejected.append(f"{_num(p)} (too weak)")
        else:
            kept.append(p)
    return kept, rejected


def _choose_transform(values, index, season, transform, owner):
    """``(transform, lambda)``: the log when a positive series' swings grow."""
    positive = bool(np.all(values > 0))
    lam = None
    if positive:
        candidates = calendar_periods(index) if season == "auto" else []
        block = min(candidates, default=2.0)
        lam = guerrero_lambda(values, block if len(values) >= 4 * block else 2.0)
    if transform == "auto":
        transform = "log" if positive and lam < LOG_BELOW_LAMBDA else "none"
    elif transform == "log" and not positive:
        raise ValueError(
            f"{owner}: transform='log' needs a positive series, but it has values "
            f"<= 0 (the smallest is {values.min():g}); use transform='none' or "
            "'auto'."
        )
    return transform, lam


def _choose_windows(n, horizon, periods, cycle, lookback, n_members, strategy,
                    owner) -> tuple[list, int, list]:
    """Each member's lookback, the chunk each pass predicts, and notes."""
    notes = []
    if lookback == "auto":
        # the longest season that fits in a window (longer ones are removed
        # before the network anyway), or the cycle
        fits = [int(round(p)) for p in periods if p <= MAX_LOOKBACK]
        base = max(fits + [cycle or 0, 8]) if fits or not periods else MAX_LOOKBACK
        base = min(base, MAX_LOOKBACK)
        lookbacks = [max(int(round(base * f)), MIN_LOOKBACK) for f in LOOKBACK_FACTORS]
    else:
        lookbacks = [int(lookback)]
    members = [lookbacks[i % len(lookbacks)] for i in range(int(n_members))]
    # every member needs MIN_WINDOWS windows with at least one step ahead
    room = n - MIN_WINDOWS + 1  # lookback + chunk at most
    members = [max(min(lb, room - 1), MIN_LOOKBACK) for lb in members]
    if lookback != "auto" and members[0] < int(lookback):
        notes.append(f"note: lookback {lookback} lowered to {members[0]}: {n} rows "
                     f"leave room for {MIN_WINDOWS} training windows of that length")
    longest = max(members)
    chunk = max(1, min(horizon, room - longest))
    if strategy == "recursive":
        chunk = 1
    elif strategy == "direct" and chunk < horizon:
        raise ValueError(
            f"{owner}: strategy='direct' needs {horizon} outputs per window, but "
            f"{n} rows leave room for {chunk} with lookback {longest} and "
            f"{MIN_WINDOWS} windows; use strategy='auto' or pass more history."
        )
    if chunk < horizon and strategy == "auto":
        notes.append(f"note: {n} rows are too few for {horizon} outputs per window; "
                     f"the forecast feeds back {chunk}-step chunks")
    return members, chunk, notes


def _choose_training(n_windows, batch_size, max_epochs) -> tuple[int, int]:
    """Batches of about a quarter of the windows; EPOCHS, capped by MAX_STEPS."""
    if batch_size == "auto":
        quarter = max(n_windows, 1) / 4
        batch_size = int(min(64, max(8, 2 ** round(math.log2(quarter)))))
    if max_epochs == "auto":
        per_epoch = math.ceil(n_windows / batch_size)
        max_epochs = int(max(MIN_EPOCHS, min(EPOCHS, MAX_STEPS // per_epoch)))
    return int(batch_size), int(max_epochs)


def configure(
    series: pd.Series,
    horizon: int,
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
    owner: str = "configure",
) -> ForecastConfig:
    """Decide how to forecast ``series`` ``horizon`` steps ahead.

    - **Seasons** come from the time step (:func:`calendar_periods`: 12 for
      monthly data, 7 and 365.24 for daily, 48 and 336 for half-hourly...),
      each kept only when its autocorrelation is significant
      (:func:`seasonality_test`), it explains a quarter of the detrended
      variance, and the series holds three of them. A series without a
      calendar (integer steps, yearly data) gets no season, but a
      significant autocorrelation peak (:func:`find_cycle`) makes the
      lookback cover its cycle.
    - **Harmonics**: ``min(period // 2, 10)`` per period, within Nyquist.
    - **Transform**: the log (relative changes) for a positive series whose
      Guerrero Box-Cox exponent is below 0.5 (swings grow with the level).
    - **Non-negative** outputs when the history has no negative value.
    - **Lookback**: a season or cycle (at least 8 rows), capped at 120 and by
      the length so that each member has 16 training windows; the members
      read 1, 1.5 and 2 times it in turn.
    - **Strategy**: direct (one output per step ahead) when the windows
      allow it, else recursive in the longest chunk they allow.
    - **Training**: 25 epochs, fewer when that would exceed 1000 gradient
      steps (long series).

    Parameters
    ----------
    series : Series
        The training series, gaps filled, on a regular index.
    horizon : int
        Steps to forecast.
    season, transform, lookback, n_members, hidden_size, max_epochs, \
batch_size, theta_weight, level, season_half_life, linear, loss, combine, \
strategy
        ``"auto"`` to decide from the data, else the value to use; see
        :class:`~sklstm.LSTMForecaster`.
    owner : str
        Prefix of error messages.

    Returns
    -------
    ForecastConfig

    Examples
    --------
    >>> from sklstm.datasets import load_airline
    >>> cfg = configure(load_airline()["passengers"], horizon=12)
    >>> cfg.periods, cfg.harmonics, cfg.transform
    ((12.0,), (6,), 'log')
    >>> print(cfg.lines()[0])
    monthly steps, 144 rows; season: 12 (6 harmonics)
    """
    values = np.asarray(series, dtype=np.float64)
    n = len(values)
    need = min_length()
    if n < need:
        raise ValueError(
            f"{owner}: the series has {n} rows; at least {need} are needed (a "
            f"window of {MIN_LOOKBACK} rows and {MIN_WINDOWS} training windows); "
            "pass more history."
        )
    non_negative = bool(np.all(values >= 0))
    transform, lam = _choose_transform(values, series.index, season, transform,
                                       owner)
    z = np.log(values) if transform == "log" else values
    periods, rejected = _choose_periods(z, series.index, season, owner)
    harmonics = tuple(_harmonics(p) for p in periods)
    cycle = None
    if not periods:
        cycle = find_cycle(z, max_lag=min(n // 3, MAX_LOOKBACK))
    members, chunk, notes = _choose_windows(n, horizon, periods, cycle, lookback,
                                            n_members, strategy, owner)
    batch_size, max_epochs = _choose_training(n - max(members) - chunk + 1,
                                              batch_size, max_epochs)
    return ForecastConfig(
        step=step_kind(series.index), n_rows=n, horizon=int(horizon),
        periods=tuple(periods), rejected=tuple(rejected), harmonics=harmonics,
        cycle=cycle, transform=transform, box_cox_lambda=lam,
        non_negative=non_negative, lookbacks=tuple(members), chunk=int(chunk),
        strategy="direct" if chunk >= horizon else "recursive",
        n_members=int(n_members), hidden_size=int(hidden_size),
        max_epochs=max_epochs, batch_size=batch_size,
        theta_weight=float(theta_weight), level=level,
        season_half_life=None if season_half_life is None else float(season_half_life),
        linear=linear, loss=loss, combine=combine, notes=tuple(notes),
    )
