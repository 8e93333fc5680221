"""Seasonal sine/cosine (Fourier) terms whose phase comes from time."""

from __future__ import annotations

from datetime import timedelta
from numbers import Integral, Real
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from sklstm._compat import (
    Interval,
    StrOptions,
    _check_feature_names_in,
    validate_data,
    validate_params,
)
from sklstm.utils._base import SeriesTransformerMixin, append_columns
from sklstm.utils._history import continues, record_history
from sklstm.utils._time import index_step, step_span
from sklstm.utils._validation import check_numeric_input, container_name, who

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Literal

    from sklstm._typing import ArrayLike, Period

__all__ = ["EPOCH", "SeasonalSine", "resolve_periods", "seasonal_terms"]

#: The fixed origin of phases on datetime time: features depend on the
#: timestamp alone, never on which rows were fitted.
EPOCH = pd.Timestamp("1970-01-01")

_UNITS_NS = [
    ("D", 86_400 * 10**9),
    ("h", 3_600 * 10**9),
    ("min", 60 * 10**9),
    ("s", 10**9),
    ("ms", 10**6),
    ("us", 10**3),
    ("ns", 1),
]


@validate_params(
    {
        "time": ["array-like"],
        "periods": ["array-like"],
        "harmonics": ["array-like"],
    },
    prefer_skip_nested_validation=True,
)
def seasonal_terms(
    time: ArrayLike, periods: ArrayLike, harmonics: ArrayLike
) -> np.ndarray:
    """Sine and cosine of ``2 pi h t / p`` for each period ``p`` and harmonic ``h``.

    Columns come period by period, harmonic by harmonic, sine before cosine:
    ``sin(p0, 1), cos(p0, 1), sin(p0, 2), ...``. The phase is reduced modulo the
    period before scaling, in integer arithmetic when ``time`` is an integer
    array and ``p`` a whole number, so rows ``t`` and ``t + p`` give identical
    values even for large ``t`` (nanosecond timestamps).

    Parameters
    ----------
    time : array-like of shape (n_samples,)
        Time of each row, in the unit of the periods (steps, nanoseconds, ...).
    periods : list of float
        Positive periods.
    harmonics : list of int
        Number of harmonics of each period (``1`` : the fundamental only).

    Returns
    -------
    terms : ndarray of shape (n_samples, 2 * sum(harmonics))

    Examples
    --------
    >>> seasonal_terms(np.arange(4), [4], [1]).round(6) + 0.0
    array([[ 0.,  1.],
           [ 1.,  0.],
           [ 0., -1.],
           [-1.,  0.]])
    """
    time = np.asarray(time)
    if time.ndim != 1:
        raise ValueError(f"seasonal_terms: time must be 1-D; got shape {time.shape}.")
    if len(periods) != len(harmonics):
        raise ValueError(
            f"seasonal_terms: {len(periods)} period(s) but {len(harmonics)} "
            "harmonics counts; give one count per period."
        )
    out = np.empty((len(time), 2 * int(sum(harmonics))), dtype=np.float64, order="F")
    c = 0
    for p, n_harm in zip(periods, harmonics, strict=True):
        if p <= 0:
            raise ValueError(f"seasonal_terms: period {p!r} must be positive.")
        _write_harmonics(out[:, c : c + 2 * int(n_harm)], time, p, int(n_harm))
        c += 2 * int(n_harm)
    return out


# Rows per block: the phases of a block stay in cache for all its harmonics.
_BLOCK_ROWS = 1 << 15


def _write_harmonics(out, time, p, n_harm: int) -> None:
    """Write the ``2 * n_harm`` terms of one period into the columns of ``out``.

    Block by block of rows, into three block-sized buffers (phase, harmonic
    phase, angle); see :func:`seasonal_terms` for the arithmetic.
    """
    exact = (
        time.dtype.kind in "iu"
        and float(p).is_integer()
        and n_harm * float(p) < 2.0**62
    )
    if exact:
        p = int(p)
    scale = 2.0 * np.pi / p
    n = len(time)
    step = max(1, min(n, _BLOCK_ROWS))
    base = np.empty(step, dtype=np.int64 if exact else np.float64)
    phase = np.empty_like(base)
    angle = np.empty(step, dtype=np.float64)
    for a in range(0, n, step):
        b = min(a + step, n)
        r = b - a
        t = time[a:b].astype(base.dtype, copy=False)
        np.mod(t, p, out=base[:r])
        for h in range(1, n_harm + 1):
            if exact and h == 1:
                ph = base[:r]  # already in [0, p)
            else:
                ph = np.multiply(base[:r], h, out=phase[:r])
                np.mod(ph, p, out=ph)
            np.multiply(ph, scale, out=angle[:r])
            np.sin(angle[:r], out=out[a:b, 2 * h - 2])
            np.cos(angle[:r], out=out[a:b, 2 * h - 1])


def _span_label(ns: int) -> str:
    for unit, size in _UNITS_NS:
        if ns % size == 0:
            return f"{ns // size}{unit}"
    return f"{ns}ns"  # pragma: no cover - the last unit always divides


def _step_label(p) -> str:
    return str(int(p)) if float(p).is_integer() else repr(float(p))


def resolve_periods(periods, harmonics, owner: str = "SeasonalSine"):
    """Check ``periods`` and ``harmonics``; return them in canonical form.

    Returns
    -------
    periods : list of (kind, value, label)
        ``kind`` is ``"steps"`` (value: int or float number of steps) or
        ``"span"`` (value: int nanoseconds).
    harmonics : list of int
        One count per period.

    Examples
    --------
    >>> periods, harmonics = resolve_periods([12, "7D", 3.5], [2, 1, 1])
    >>> periods
    [('steps', 12, '12'), ('span', 604800000000000, '7D'), ('steps', 3.5, '3.5')]
    >>> harmonics
    [2, 1, 1]
    """
    single = isinstance(periods, (str, Real, timedelta, np.timedelta64))
    items = [periods] if single else list(periods)
    if not items:
        raise ValueError(f"{owner}: periods is empty; give at least one period.")
    resolved = []
    for p in items:
        if isinstance(p, (bool, np.bool_)):
            raise ValueError(f"{owner}: period {p!r} is a bool; expected a number.")
        if isinstance(p, Real):
            if not (np.isfinite(p) and p > 0):
                raise ValueError(
                    f"{owner}: period {p!r} must be a positive, finite number of "
                    "steps."
                )
            value = int(p) if float(p).is_integer() else float(p)
            resolved.append(("steps", value, _step_label(p)))
            continue
        if isinstance(p, str):
            try:
                float(p)
            except ValueError:
                pass
            else:
                # pandas reads a bare number as nanoseconds: "12" is not 12 steps
                raise ValueError(
                    f"{owner}: period {p!r} is a number written as a string, "
                    "with no unit (pandas would read it as nanoseconds). Pass "
                    f"{p.strip()} for that many steps, or a time span with its "
                    f"unit, such as '{p.strip()}h' or '{p.strip()}D'."
                )
            try:
                span = pd.Timedelta(p.strip())
            except ValueError as exc:
                raise ValueError(
                    f"{owner}: period {p!r} is not a time span ({exc}). Use a "
                    "pandas Timedelta string such as '7D', '24h', '15min', or "
                    "'365.25D' for a year."
                ) from exc
            label = p.strip()
        elif isinstance(p, (timedelta, np.timedelta64)):
            span = pd.Timedelta(p)
            label = None
        else:
            raise TypeError(
                f"{owner}: period {p!r} ({type(p).__name__}) is neither a number "
                "of steps nor a time span such as '7D' or pd.Timedelta(days=7)."
            )
        ns = int(span.as_unit("ns").value)
        if ns <= 0:
            raise ValueError(f"{owner}: period {p!r} must be a positive time span.")
        resolved.append(("span", ns, label or _span_label(ns)))
    keys = [(kind, value) for kind, value, _ in resolved]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{owner}: periods {items!r} contains duplicates.")

    if isinstance(harmonics, Integral) and not isinstance(harmonics, bool):
        counts = [int(harmonics)] * len(resolved)
    else:
        counts = list(harmonics)
        if len(counts) != len(resolved):
            raise ValueError(
                f"{owner}: harmonics has {len(counts)} entries but there are "
                f"{len(resolved)} periods; give one count per period, or one int."
            )
    for h in counts:
        if not (isinstance(h, Integral) and not isinstance(h, bool) and h >= 1):
            raise ValueError(
                f"{owner}: harmonics must be positive ints; got {harmonics!r}."
            )
    for (kind, value, label), h in zip(resolved, counts, strict=True):
        if kind == "steps" and 2 * h > value:
            raise ValueError(
                f"{owner}: {h} harmonics of period {label} exceed the Nyquist limit "
                f"(harmonic h needs 2*h <= period, so at most {int(value // 2)}); "
                "higher ones repeat lower ones on a step grid."
            )
    return resolved, [int(h) for h in counts]


def _calendar_steps(wall: pd.DatetimeIndex, freq, owner: str) -> np.ndarray:
    """Whole steps of a calendar frequency (months, weeks, business days) from
    the first grid point at or after the epoch."""
    origin = freq.rollforward(EPOCH)
    lo, hi = min(origin, wall.min()), max(origin, wall.max())
    grid = pd.date_range(lo, hi, freq=freq)
    pos = grid.get_indexer(wall)
    if (pos < 0).any():
        bad = wall[np.flatnonzero(pos < 0)[0]]
        raise ValueError(
            f"{owner}: time {bad} is not on the {freq.freqstr} grid learned at fit; "
            "periods in steps need every time on that grid. Give the periods as "
            "time spans (e.g. '30.4375D') instead."
        )
    return (pos - grid.get_loc(origin)).astype(np.int64)


class SeasonalSine(SeriesTransformerMixin, BaseEstimator):
    """Add sine/cosine terms of several seasonal periods, with an absolute phase.

    For each period ``p`` and harmonic ``h = 1..H`` two columns are added,
    ``sin(2 pi h t / p)`` and ``cos(2 pi h t / p)``, named ``sin_{p}_{h}`` and
    ``cos_{p}_{h}`` (``sin_12_1``, ``cos_7D_2``). They let a model learn any
    smooth seasonal shape of period ``p`` (a Fourier series truncated at ``H``).

    **The phase comes from time, not from row positions.** ``t`` is read from
    each row's time, so a row gets the same features whether it is transformed
    with the training rows or alone in a test fold. Where the time comes from:

    - a ``DatetimeIndex`` (or a ``PeriodIndex``, taken at period starts);
      time-zone-aware times use the local wall clock, so daily cycles follow
      local hours;
    - an integer index (a ``RangeIndex`` too): the labels are time in steps;
    - ``time_column``: a DataFrame column holding datetimes or numbers (steps).
      That column is time, not a feature: it is left out of the numeric
      checks, of ``n_features_in_`` and of the output;
    - ``time="position"``: the row number, counted from the first fit row.
      Rows given to ``transform`` are numbered from 0, except rows whose index
      continues the fit index, which go on from the fit rows' count. This is
      the only mode for numpy arrays, which carry no time: a numpy test fold
      transformed alone restarts at phase 0, which is why it is not the
      default.

    With the default ``time="auto"`` a numpy array raises a ``ValueError``
    rather than silently counting rows: pass a DataFrame (in a Pipeline,
    ``set_output(transform="pandas")`` keeps the index through earlier steps),
    or opt in to ``time="position"``.

    **Periods** are numbers of steps (``12``, ``365.25``) or time spans
    (``"7D"``, ``"24h"``, ``pd.Timedelta(days=7)``; a year is ``"365.25D"``).
    Spans need datetime time. Phases on datetime time are counted from a fixed
    epoch, 1970-01-01 00:00 (``EPOCH``): with hourly data, period ``"24h"``
    has phase 0 at midnight. A period in steps on datetime time needs the
    length of a step: the frequency of the fit index (``freq_``), learned at
    fit so that a single row can be transformed later. A fixed frequency
    (``"h"``, ``"D"``, ``"15min"``) turns ``p`` steps into a span of ``p``
    steps; a calendar frequency (``"MS"``, ``"W"``, ``"B"``) counts whole steps
    from the first grid point at or after the epoch (monthly data, period 12:
    phase 0 in January).

    **Panels.** A panel (a DataFrame indexed by ``(series id, time)``, see
    :func:`~sklstm.to_panel`) is transformed series by series, each as if it were
    alone: the phase comes from each row's own time as usual, and with
    ``time="position"`` each series counts its own rows. A series that fit did not
    see counts from 0 (``time="position"``); with periods in steps on datetime time
    it takes the step all the fitted series share (a ``ValueError`` if they differ).

    Parameters
    ----------
    periods : float, str, timedelta or list of them, default=12
        The seasonal periods, in steps or as time spans (see above).
    harmonics : int or list of int, default=1
        Harmonics per period: one int for all, or one per period. A period of
        ``p`` steps allows at most ``p / 2``.
    time : {"auto", "position"}, default="auto"
        Where the time comes from; see above.
    time_column : str, int or None, default=None
        Label of a DataFrame column holding the time (datetime or numeric).
    drop_original : bool, default=False
        Drop the input columns from the output, keeping only the terms.

    Attributes
    ----------
    periods_ : list of (kind, value, label)
        The periods: ``("steps", p, "12")`` or ``("span", nanoseconds, "7D")``.
    harmonics_ : list of int
        Harmonics per period.
    time_kind_ : {"datetime", "steps", "position"}
        The kind of time seen at fit; transform requires the same.
    freq_ : pandas offset, Timedelta or None
        Step of the fit time, when periods in steps meet datetime time.
    n_fit_rows_ : int
        Rows seen at fit (``time="position"``).
    history_ : History or None
        Where the fit index ended (``time="position"``).
    series_ids_ : list or None
        The ids of the panel's series seen in fit, in order; None when fit saw a
        single series. After a panel fit ``freq_``, ``n_fit_rows_`` and ``history_``
        are dicts keyed by these ids.
    n_features_in_ : int
        Numeric input columns (the time column excluded).
    feature_names_in_ : ndarray of str
        Only for DataFrame input with string column names.

    See Also
    --------
    seasonal_terms : the function behind this transformer.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklstm import SeasonalSine
    >>> idx = pd.date_range("2021-01-01", periods=24, freq="MS")
    >>> X = pd.DataFrame({"sales": range(24)}, index=idx, dtype=float)
    >>> ss = SeasonalSine(periods=12).set_output(transform="pandas")
    >>> ss.fit_transform(X).round(3).head(4)
                sales  sin_12_1  cos_12_1
    2021-01-01    0.0     0.000     1.000
    2021-02-01    1.0     0.500     0.866
    2021-03-01    2.0     0.866     0.500
    2021-04-01    3.0     1.000     0.000

    The phase is absolute: one row alone gets the same terms.

    >>> ss.transform(X.iloc[[14]]).round(3)
                sales  sin_12_1  cos_12_1
    2022-03-01   14.0     0.866       0.5

    Several periods, several harmonics, spans on hourly data:

    >>> idx = pd.date_range("2021-01-04", periods=3, freq="6h")
    >>> X = pd.DataFrame({"load": [1.0, 2.0, 3.0]}, index=idx)
    >>> ss = SeasonalSine(periods=["24h", "7D"], harmonics=[2, 1], drop_original=True)
    >>> ss.fit(X).get_feature_names_out()
    array(['sin_24h_1', 'cos_24h_1', 'sin_24h_2', 'cos_24h_2', 'sin_7D_1',
           'cos_7D_1'], dtype=object)
    >>> ss.transform(X).iloc[:, :4].round(3) + 0.0
                         sin_24h_1  cos_24h_1  sin_24h_2  cos_24h_2
    2021-01-04 00:00:00        0.0        1.0        0.0        1.0
    2021-01-04 06:00:00        1.0        0.0        0.0       -1.0
    2021-01-04 12:00:00        0.0       -1.0        0.0        1.0
    """

    _parameter_constraints: dict = {
        "periods": [
            Interval(Real, 0, None, closed="neither"),
            str,
            timedelta,
            np.timedelta64,
            "array-like",
        ],
        "harmonics": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "time": [StrOptions({"auto", "position"})],
        "time_column": [str, Integral, None],
        "drop_original": ["boolean"],
    }
    #: Learnt from each series' own rows: a dict keyed by id after a panel fit.
    _series_attributes = ("freq_", "n_fit_rows_", "history_")

    def __init__(
        self,
        periods: Period | Sequence[Period] = 12,
        *,
        harmonics: int | Sequence[int] = 1,
        time: Literal["auto", "position"] = "auto",
        time_column: str | int | None = None,
        drop_original: bool = False,
    ) -> None:
        self.periods = periods
        self.harmonics = harmonics
        self.time = time
        self.time_column = time_column
        self.drop_original = drop_original

    def _check_input(self, X, *, reset, method):
        """``(X without the time column, its values, its index, the time column)``."""
        owner = who(self, method)
        if reset and self.time == "position" and self.time_column is not None:
            raise ValueError(
                f"{owner}: time='position' counts rows and ignores time_column="
                f"{self.time_column!r}; set one of them only."
            )
        X_num, raw_time = self._split_time_column(X, owner)
        values, index = self._check_numeric(X_num, reset=reset, method=method)
        return X_num, values, index, raw_time

    def _fit(self, X, values, index, raw_time):
        owner = who(self, "fit")
        self.periods_, self.harmonics_ = resolve_periods(
            self.periods, self.harmonics, owner
        )
        has_span = any(kind == "span" for kind, _, _ in self.periods_)
        has_steps = any(kind == "steps" for kind, _, _ in self.periods_)
        self.freq_ = None
        self.n_fit_rows_ = len(values)
        self.history_ = None
        if self.time == "position":
            self.time_kind_ = "position"
            self.history_ = record_history(values, index, 1)
        else:
            self.time_kind_, time = self._read_time(
                raw_time, index, owner, container_name(X))
            if self.time_kind_ == "datetime" and has_steps:
                self.freq_ = index_step(time)
                if self.freq_ is None:
                    raise ValueError(
                        f"{owner}: periods in steps need the length of a step, but "
                        "the fit times have no regular frequency (fewer than two "
                        "rows, or irregular spacing). Give the periods as time "
                        "spans such as '7D', or fit on regularly spaced rows."
                    )
        if has_span and self.time_kind_ != "datetime":
            span = next(lab for kind, _, lab in self.periods_ if kind == "span")
            raise ValueError(
                f"{owner}: period {span!r} is a time span, but the time here is "
                f"{self._describe_kind(self.time_kind_)}. Give periods in steps, "
                "or pass a DatetimeIndex or a datetime time_column."
            )

    def _transform(self, X, values, index, raw_time):
        owner = who(self, "transform")
        if self.time_kind_ == "position":
            start = self.n_fit_rows_ if continues(self.history_, index) else 0
            kind, time = "steps", np.arange(start, start + len(values))
        else:
            kind, time = self._read_time(raw_time, index, owner, container_name(X))
            if kind != self.time_kind_:
                raise ValueError(
                    f"{owner}: fit saw {self._describe_kind(self.time_kind_)} but X "
                    f"has {self._describe_kind(kind)}; pass X with the same kind of "
                    "time as at fit."
                )

        def write(new):
            self._write_terms(kind, time, owner, new)

        return append_columns(
            self,
            X,
            values,
            2 * sum(self.harmonics_),
            write,
            keep_input=not self.drop_original,
        )

    def _fresh_series_state(self, series_id) -> dict:
        """A series of a panel that fit did not see: no rows to continue
        (``time="position"`` counts from 0); the step of periods in steps on
        datetime time is the one all the fitted series share."""
        steps = []
        for step in self.freq_.values():
            if step is not None and step not in steps:
                steps.append(step)
        if len(steps) > 1:
            raise ValueError(
                f"{who(self, 'transform')}: this series was not seen at fit, and "
                "periods in steps need the length of its step, but the fitted "
                f"series have different steps ({', '.join(map(str, steps))}). Fit "
                "on a panel that includes it, or give the periods as time spans "
                "such as '7D'."
            )
        return {"freq_": steps[0] if steps else None, "n_fit_rows_": None,
                "history_": None}

    def get_feature_names_out(
        self, input_features: ArrayLike | None = None
    ) -> np.ndarray:
        """Names: input columns (unless dropped), then ``sin_{p}_{h}``, ``cos_{p}_{h}``.

        Parameters
        ----------
        input_features : array-like of str or None
            The numeric input columns; a ``time_column`` among them is ignored.

        Returns
        -------
        feature_names_out : ndarray of str
        """
        check_is_fitted(self)
        if (
            input_features is not None
            and self.time_column is not None
            and len(input_features) == self.n_features_in_ + 1
        ):
            input_features = [f for f in input_features if f != self.time_column]
        names = [] if self.drop_original else list(
            _check_feature_names_in(self, input_features)
        )
        for (_, _, label), n_harm in zip(self.periods_, self.harmonics_, strict=True):
            for h in range(1, n_harm + 1):
                names += [f"sin_{label}_{h}", f"cos_{label}_{h}"]
        return np.asarray(names, dtype=object)

    # -- helpers ---------------------------------------------------------------

    def _check_numeric(self, X, *, reset, method):
        if self.time_column is not None and X.shape[1] == 0:
            # Only the time column: no feature to check, the terms are the output.
            empty = np.empty((len(X), 0))
            values = validate_data(
                self, empty, reset=reset, ensure_min_features=0, ensure_min_samples=1
            )
            return values, X.index
        return check_numeric_input(self, X, reset=reset, method=method)

    def _split_time_column(self, X, owner):
        """``(X without the time column, the time column)``; the column is None
        when ``time_column`` is None."""
        if self.time_column is None:
            return X, None
        if not isinstance(X, pd.DataFrame):
            raise ValueError(
                f"{owner}: time_column={self.time_column!r} needs a pandas "
                f"DataFrame, but X is a {type(X).__name__}. Pass a DataFrame, or "
                "leave time_column=None and give X a DatetimeIndex."
            )
        if self.time_column not in X.columns:
            raise ValueError(
                f"{owner}: time column {self.time_column!r} is not in X; X has "
                f"columns {list(X.columns)}."
            )
        return X.drop(columns=[self.time_column]), X[self.time_column]

    @staticmethod
    def _describe_kind(kind):
        return {
            "datetime": "datetime time",
            "steps": "time in steps (an integer index or a numeric time column)",
            "position": "row positions (time='position')",
        }[kind]

    def _read_time(self, raw_time, index, owner, container="a numpy array"):
        """``("datetime", DatetimeIndex)`` or ``("steps", ndarray)`` for the rows."""
        if raw_time is not None:
            name = f"time column {self.time_column!r}"
            dtype = raw_time.dtype
            if pd.api.types.is_datetime64_any_dtype(dtype):
                time = pd.DatetimeIndex(raw_time)
            elif pd.api.types.is_numeric_dtype(dtype) and not (
                pd.api.types.is_bool_dtype(dtype)
            ):
                time = raw_time.to_numpy()
            else:
                raise TypeError(
                    f"{owner}: {name} has dtype {dtype}; expected datetimes or "
                    "numbers of steps. Convert it with pd.to_datetime."
                )
        elif isinstance(index, pd.DatetimeIndex):
            name, time = "the index", index
        elif isinstance(index, pd.PeriodIndex):
            name, time = "the index", index.to_timestamp(how="start")
        elif index is not None and pd.api.types.is_integer_dtype(index.dtype):
            name, time = "the index", index.to_numpy()
        elif index is None:
            raise ValueError(
                f"{owner}: X is {container} and carries no time, so the seasonal "
                "phase is unknown. Pass a DataFrame with a DatetimeIndex or an "
                "integer index (in a Pipeline, set_output(transform='pandas') keeps "
                "the index), set time_column, or set time='position' to count rows "
                "(the phase then restarts at 0 in every call)."
            )
        else:
            raise ValueError(
                f"{owner}: the index of X has dtype {index.dtype}, which carries no "
                "time. Use a DatetimeIndex or an integer index, set time_column, or "
                "set time='position'."
            )
        if isinstance(time, pd.DatetimeIndex):
            if time.hasnans:
                raise ValueError(
                    f"{owner}: {name} contains NaT; every row needs a time."
                )
            return "datetime", time
        if time.dtype.kind == "f" and not np.isfinite(time).all():
            raise ValueError(
                f"{owner}: {name} contains NaN or infinite times; every row needs "
                "a finite time."
            )
        return "steps", time

    def _write_terms(self, kind, time, owner, out):
        """Write the terms of every period into the columns of ``out``."""
        if kind == "datetime":
            wall = time.tz_localize(None) if time.tz is not None else time
            ns = wall.as_unit("ns").asi8
            span = step_span(self.freq_)
            step_ns = None if span is None else int(span.as_unit("ns").value)
            steps = None
        c = 0
        pairs = zip(self.periods_, self.harmonics_, strict=True)
        for (pkind, value, _), n_harm in pairs:
            if kind != "datetime":
                t, p = time, value
            elif pkind == "span":
                t, p = ns, value
            elif step_ns is not None:
                t, p = ns, int(round(value * step_ns))
            else:
                if steps is None:
                    steps = _calendar_steps(wall, self.freq_, owner)
                t, p = steps, value
            _write_harmonics(out[:, c : c + 2 * n_harm], np.asarray(t), p, n_harm)
            c += 2 * n_harm

    @classmethod
    def _test_params(cls):
        return [
            {"periods": 7, "time": "position"},
            {
                "periods": [7, 3.5],
                "harmonics": [2, 1],
                "time": "position",
                "drop_original": True,
            },
        ]
