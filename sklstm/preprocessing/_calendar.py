"""Calendar terms of the time index: month, day of week, hour, holidays.

They depend on each row's date alone, so they are known in advance: a
forecast for next Tuesday knows it is a Tuesday. The terms are computed by
pure functions (:func:`calendar_features` on an index, :func:`auto_terms`
from a step length); :class:`CalendarFeatures` appends them to X.
"""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta
from numbers import Integral
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset
from pandas.tseries.offsets import BaseOffset
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from sklstm._compat import (
    HasMethods,
    Interval,
    StrOptions,
    _check_feature_names_in,
    validate_params,
)
from sklstm.utils._base import SeriesTransformerMixin, append_columns
from sklstm.utils._history import continues, record_history
from sklstm.utils._time import index_step
from sklstm.utils._validation import container_name, who

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, Literal

    from sklstm._typing import ArrayLike

__all__ = [
    "TERMS",
    "CalendarFeatures",
    "auto_terms",
    "calendar_features",
    "calendar_names",
    "holiday_dates",
    "resolve_terms",
    "step_length",
]

#: Every calendar term: ``(number of values, first value)``. The values of a
#: term run from the first one, e.g. months 1..12, days of the week 0
#: (Monday)..6, hours 0..23; ISO weeks 1..53 and days of the month 1..31.
TERMS = {
    "quarter": (4, 1),
    "month": (12, 1),
    "weekofyear": (53, 1),
    "dayofmonth": (31, 1),
    "dayofweek": (7, 0),
    "hour": (24, 0),
    "minute": (60, 0),
}

#: Steps of at least this many days get the terms that follow (see auto_terms).
_AUTO = [
    (360.0, ()),  # yearly: no term finer than a year
    (85.0, ("quarter",)),  # quarterly
    (6.5, ("month",)),  # monthly, semi-monthly, weekly
    (0.99, ("month", "dayofweek")),  # daily, business days
    (0.0, ("month", "dayofweek", "hour")),  # hourly and finer
]


def auto_terms(step: pd.Timedelta | timedelta) -> tuple[str, ...]:
    """The calendar terms finer than a year that a time step can tell apart.

    Yearly steps: none (every row falls on the same point of its year);
    quarterly: ``quarter``; monthly to weekly: ``month``; daily (business days
    too): ``month`` and ``dayofweek``; shorter: those and ``hour``.

    Parameters
    ----------
    step : Timedelta
        The length of one step (a month is 28 to 31 days).

    Returns
    -------
    terms : tuple of str

    Examples
    --------
    >>> auto_terms(pd.Timedelta(days=31)), auto_terms(pd.Timedelta(hours=1))
    (('month',), ('month', 'dayofweek', 'hour'))
    >>> auto_terms(pd.Timedelta(days=365))
    ()
    """
    days = pd.Timedelta(step) / pd.Timedelta(days=1)
    return next(terms for least, terms in _AUTO if days >= least)


def step_length(index: pd.Index) -> pd.Timedelta | None:
    """The length of one step of a DatetimeIndex or PeriodIndex, or None.

    A PeriodIndex's step is one period; a DatetimeIndex's its frequency (set
    or inferred, measured from the first timestamp: a month from January 1
    is 31 days), else, for irregular timestamps, the median gap. None for
    a single timestamp without a frequency.

    >>> step_length(pd.period_range("2024-01", periods=1, freq="M"))
    Timedelta('31 days 00:00:00')
    >>> step_length(pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-04"]))
    Timedelta('1 days 12:00:00')
    """
    if isinstance(index, pd.PeriodIndex):
        first = index[0] if len(index) else pd.Period("2000-01-01", freq=index.freq)
        return (first + 1).start_time - first.start_time
    if len(index) == 0:
        return None
    step = index_step(index) if index.freq is None else index.freq
    if isinstance(step, BaseOffset):
        return (index[0] + step) - index[0]
    if step is not None:
        return pd.Timedelta(step)
    if len(index) < 2:
        return None
    return pd.Timedelta(int(np.median(np.diff(index.as_unit("ns").asi8))), unit="ns")


def resolve_terms(features, step: pd.Timedelta | None, holidays: bool,
                  owner: str) -> tuple[str, ...]:
    """``features`` as a tuple of terms, ``"auto"`` read off ``step``.

    ``holidays`` says whether a holiday column comes too: without one, no
    term at all is an error (there would be nothing to add).

    >>> resolve_terms("auto", pd.Timedelta(days=1), False, "f")
    ('month', 'dayofweek')
    >>> resolve_terms(["hour", "month"], None, False, "f")
    ('hour', 'month')
    """
    if isinstance(features, str) and features == "auto":
        if step is None:
            raise ValueError(
                f"{owner}: features='auto' reads the terms off the time step, but "
                "a single timestamp without a frequency has none; pass more rows, "
                "an index with a frequency, or features=[...] (e.g. ['month'])."
            )
        terms = auto_terms(step)
        if not terms and not holidays:
            raise ValueError(
                f"{owner}: features='auto' finds no calendar term for steps of "
                f"{step} (yearly data have no season within the year); pass "
                "features=[...] or holidays=..., or leave this step out."
            )
        return terms
    terms = (features,) if isinstance(features, str) else tuple(features)
    unknown = [t for t in terms if t not in TERMS]
    if unknown:
        raise ValueError(
            f"{owner}: unknown calendar term(s) {unknown!r}; the terms are "
            f"{list(TERMS)}, or 'auto'."
        )
    if len(set(terms)) != len(terms):
        raise ValueError(f"{owner}: features {list(terms)!r} contains duplicates.")
    if not terms and not holidays:
        raise ValueError(
            f"{owner}: features=[] and holidays=None add no column; name some "
            f"terms ({list(TERMS)}) or give holidays."
        )
    return terms


def calendar_names(terms: Sequence[str], encoding: str, holidays: bool) -> list[str]:
    """The names of the columns :func:`calendar_features` makes.

    >>> calendar_names(["quarter"], "onehot", True)
    ['quarter_1', 'quarter_2', 'quarter_3', 'quarter_4', 'holiday']
    >>> calendar_names(["hour"], "cyclic", False)
    ['hour_sin', 'hour_cos']
    """
    names = []
    for term in terms:
        count, first = TERMS[term]
        if encoding == "cyclic":
            names += [f"{term}_sin", f"{term}_cos"]
        else:
            names += [f"{term}_{v}" for v in range(first, first + count)]
    return [*names, "holiday"] if holidays else names


#: The DatetimeIndex attribute of each term but the ISO week.
_ATTRIBUTES = {"quarter": "quarter", "month": "month", "dayofmonth": "day",
               "dayofweek": "day_of_week", "hour": "hour", "minute": "minute"}


def _values(dates: pd.DatetimeIndex, term: str) -> np.ndarray:
    if term == "weekofyear":
        return dates.isocalendar()["week"].to_numpy(dtype=np.int64)
    return np.asarray(getattr(dates, _ATTRIBUTES[term]), dtype=np.int64)


def holiday_dates(holidays, start, end, owner: str) -> pd.DatetimeIndex:
    """The holidays from ``start`` to ``end`` as midnight timestamps.

    ``holidays`` is a list-like of dates, or a calendar with a
    ``holidays(start, end)`` method (``pandas.tseries.holiday``'s).

    >>> holiday_dates(["2024-12-25 10:00"], None, None, "f").strftime("%F %R").tolist()
    ['2024-12-25 00:00']
    """
    if callable(getattr(holidays, "holidays", None)):
        if start is None:
            return pd.DatetimeIndex([])
        try:
            found = holidays.holidays(start, end)
        except Exception as exc:  # any failure of the calendar's own
            raise ValueError(
                f"{owner}: holidays.holidays({start.date()}, {end.date()}) of "
                f"{type(holidays).__name__} failed ({exc}); pass a calendar whose "
                "holidays(start, end) returns the dates, or a list of dates."
            ) from exc
    else:
        found = holidays
    try:
        dates = pd.DatetimeIndex(pd.to_datetime(list(np.ravel(found))))
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{owner}: holidays must be dates (strings, Timestamps) or a calendar "
            f"with a holidays(start, end) method; converting them failed ({exc})."
        ) from exc
    if dates.tz is not None:
        dates = dates.tz_localize(None)
    if dates.hasnans:
        raise ValueError(f"{owner}: holidays contains a missing date (NaT).")
    return dates.normalize()


def _write(dates: pd.DatetimeIndex, terms, encoding: str, holidays, owner: str,
           out: np.ndarray) -> None:
    """Write the calendar columns of ``dates`` into the columns of ``out``."""
    c = 0
    for term in terms:
        count, first = TERMS[term]
        values = _values(dates, term) - first
        if encoding == "cyclic":
            angle = (2.0 * np.pi / count) * values
            out[:, c] = np.sin(angle)
            out[:, c + 1] = np.cos(angle)
            c += 2
        else:
            block = out[:, c : c + count]
            block[:] = 0.0
            block[np.arange(len(values)), values] = 1.0
            c += count
    if holidays is not None:
        start, end = (dates.min().normalize(), dates.max().normalize()) if len(
            dates) else (None, None)
        days = holiday_dates(holidays, start, end, owner)
        out[:, c] = dates.normalize().isin(days)


def _index_dates(index, owner: str, what: str = "the index") -> pd.DatetimeIndex:
    """The wall-clock dates of a DatetimeIndex or PeriodIndex (period starts)."""
    if isinstance(index, pd.DatetimeIndex):
        dates = index.tz_localize(None) if index.tz is not None else index
    elif isinstance(index, pd.PeriodIndex):
        dates = index.to_timestamp(how="start")
    else:
        kind = type(index).__name__
        raise ValueError(
            f"{owner}: calendar terms need dates, but {what} is a {kind} of "
            f"{index.dtype}, which holds none. Index the rows by time (a "
            "DatetimeIndex or a PeriodIndex, e.g. frame.set_index(pd.date_range("
            "'2024-01-01', periods=len(frame), freq='D'))), or, for "
            "CalendarFeatures, give start= and freq= to date the rows by position."
        )
    if dates.hasnans:
        raise ValueError(f"{owner}: {what} contains NaT; every row needs a date.")
    return dates


@validate_params(
    {
        "index": [pd.Index],
        "features": [StrOptions({"auto", *TERMS}), "array-like"],
        "encoding": [StrOptions({"onehot", "cyclic"})],
        "holidays": ["array-like", HasMethods(["holidays"]), None],
    },
    prefer_skip_nested_validation=True,
)
def calendar_features(
    index: pd.Index,
    features: str | Sequence[str] = "auto",
    *,
    encoding: Literal["onehot", "cyclic"] = "onehot",
    holidays: Any = None,
) -> pd.DataFrame:
    """Calendar terms of each timestamp of a DatetimeIndex or PeriodIndex.

    Terms (see :data:`TERMS`): ``quarter`` (1-4), ``month`` (1-12),
    ``weekofyear`` (ISO week, 1-53), ``dayofmonth`` (1-31), ``dayofweek``
    (0 is Monday), ``hour`` (0-23) and ``minute`` (0-59). Each depends on the
    timestamp alone (the wall clock of a time-zone-aware one, the start of a
    period), so the terms of future steps are known in advance.

    Parameters
    ----------
    index : DatetimeIndex or PeriodIndex
        The rows' times.
    features : "auto", str or list of str, default="auto"
        The terms. "auto": those finer than a year that the index's step tells
        apart (:func:`auto_terms`): ``quarter`` for quarterly data, ``month``
        for monthly to weekly, ``month`` and ``dayofweek`` for daily,
        and ``hour`` too for hourly and finer; none for yearly data (then an
        error, unless ``holidays`` are given).
    encoding : {"onehot", "cyclic"}, default="onehot"
        "onehot": one 0/1 column per value the term can take
        (``month_1`` ... ``month_12``), whichever values the rows hold, so the
        columns are the same in every fold; none is dropped (a linear model
        with an intercept then needs some regularisation, as Ridge has).
        "cyclic": ``{term}_sin`` and ``{term}_cos`` of
        ``2 pi (value - first) / count``, so December sits next to January.
    holidays : list-like of dates, calendar or None, default=None
        Adds a 0/1 column ``holiday``, 1 on the rows whose date is a
        holiday (every hour of it for hourly data; for a PeriodIndex the
        period's first day). A list of dates (times of day are ignored), or
        an object with a ``holidays(start, end)`` method returning dates, as
        ``pandas.tseries.holiday.USFederalHolidayCalendar()``.

    Returns
    -------
    terms : DataFrame of shape (len(index), n_terms)
        Float columns named by :func:`calendar_names`, indexed by ``index``.

    Raises
    ------
    ValueError
        ``index`` holds no dates (an integer index), or "auto" finds no term.

    See Also
    --------
    CalendarFeatures : the transformer that appends these terms to X.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklstm.preprocessing import calendar_features
    >>> idx = pd.date_range("2024-11-01", periods=4, freq="MS")
    >>> calendar_features(idx)[["month_1", "month_11", "month_12"]]
                month_1  month_11  month_12
    2024-11-01      0.0       1.0       0.0
    2024-12-01      0.0       0.0       1.0
    2025-01-01      1.0       0.0       0.0
    2025-02-01      0.0       0.0       0.0
    >>> days = pd.date_range("2024-07-03", periods=3, freq="D")
    >>> calendar_features(days, ["dayofweek"], encoding="cyclic",
    ...                   holidays=["2024-07-04"]).round(3)
                dayofweek_sin  dayofweek_cos  holiday
    2024-07-03          0.975         -0.223      0.0
    2024-07-04          0.434         -0.901      1.0
    2024-07-05         -0.434         -0.901      0.0
    """
    owner = "calendar_features"
    dates = _index_dates(index, owner)
    terms = resolve_terms(features, step_length(index), holidays is not None, owner)
    names = calendar_names(terms, encoding, holidays is not None)
    out = np.empty((len(dates), len(names)), order="F")
    _write(dates, terms, encoding, holidays, owner, out)
    return pd.DataFrame(out, index=index, columns=names, copy=False)


class CalendarFeatures(SeriesTransformerMixin, BaseEstimator):
    """Append calendar terms of the time index: month, day of week, hour, holidays.

    The terms come from each row's date (:func:`calendar_features`), so they
    are known in advance: in a pipeline fitted through
    :func:`~sklstm.forecasting.make_supervised`, a recursive
    :func:`~sklstm.forecasting.forecast` computes them for the forecast steps
    from their timestamps, with no ``feature_builder``. X's own columns pass
    through (unless ``drop_original``); the terms follow them.

    **Where the dates come from**: a DataFrame's ``DatetimeIndex`` (the wall
    clock of a time-zone-aware one) or ``PeriodIndex`` (the start of each
    period). In a Pipeline, ``set_output(transform="pandas")`` keeps the
    index through earlier steps. An index without dates (an integer index)
    and a numpy array are an error, unless ``start`` and ``freq`` date the
    rows by position: row ``k`` of the fit is at ``start + k * freq``; rows
    given to ``transform`` are numbered from 0 again, except rows whose index
    continues the fit index, which go on from the fit rows' count (as
    :class:`~sklstm.SeasonalSine` with ``time="position"`` does). That is the
    only mode for numpy arrays, and, as a numpy test fold transformed alone
    restarts at ``start``, not the default.

    **Which date.** Row ``i`` of ``make_supervised(..., horizon=h)`` is
    paired with the target at step ``i + h``, and what a model needs are the
    terms of *that* step: is the day forecast a holiday? ``ahead=h`` gives
    them (the date ``h`` steps after the row's, at the fit index's step);
    ``ahead=0`` the row's own date, which serves a day-of-week pattern (the
    model learns it shifted) but not a holiday's dip. For a multi-horizon
    direct model, compute the terms as columns
    (:func:`calendar_features`) and pass them to ``make_supervised`` as
    ``future=[...]``, which gives each horizon its own.

    Parameters
    ----------
    features : "auto", str or list of str, default="auto"
        Which terms: ``quarter``, ``month``, ``weekofyear``, ``dayofmonth``,
        ``dayofweek``, ``hour``, ``minute``. "auto" reads the step of the fit
        index (or ``freq``): ``quarter`` for quarterly data, ``month`` for
        monthly to weekly data, ``month`` and ``dayofweek`` for daily data,
        and ``hour`` too for hourly and finer; yearly data have no term finer
        than a year, an error at fit unless ``holidays`` are given. The terms
        are fixed at fit (``features_``).
    encoding : {"onehot", "cyclic"}, default="onehot"
        "onehot": one 0/1 column per value a term can take (12 for months,
        whichever months the rows hold, so every fold has the same columns),
        none dropped. "cyclic": a sine/cosine pair per term, of
        ``2 pi (value - first) / count``.
    holidays : list-like of dates, calendar or None, default=None
        Adds a 0/1 column ``holiday`` for rows whose date is a holiday: a list
        of dates, or an object with a ``holidays(start, end)`` method such as
        ``pandas.tseries.holiday.USFederalHolidayCalendar()``, asked for the
        span of each transformed X.
    start : str, datetime or None, default=None
        The date of the first fit row, to date rows by position (see above);
        with ``freq``.
    freq : str, offset, timedelta or None, default=None
        The step between rows dated by position (``"D"``, ``"h"``, ``"MS"``);
        with ``start``.
    ahead : int, default=0
        The terms of the date this many steps after each row's (see above):
        1 for a one-step model, whose row ``i`` forecasts step ``i + 1``. A
        DatetimeIndex then needs a step (a frequency, set or inferred, at
        fit).
    drop_original : bool, default=False
        Drop X's own columns from the output, keeping only the terms.

    Attributes
    ----------
    features_ : tuple of str
        The terms.
    time_kind_ : {"index", "position"}
        Dates from the index, or from row positions (``start``).
    step_ : pandas offset, Timedelta or None
        The step of the fit index, with ``ahead`` on a DatetimeIndex.
    n_fit_rows_ : int
        Rows seen at fit.
    history_ : History or None
        Where the fit index ended (rows dated by position).
    n_features_in_ : int
        Columns of X.
    feature_names_in_ : ndarray of str
        Only for DataFrame input with string column names.

    See Also
    --------
    calendar_features : the function behind this transformer.
    sklstm.SeasonalSine : smooth seasonal terms of any period.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklstm import CalendarFeatures
    >>> idx = pd.date_range("2024-07-01", periods=5, freq="D")
    >>> X = pd.DataFrame({"sales": [5.0, 6.0, 7.0, 0.0, 8.0]}, index=idx)
    >>> cal = CalendarFeatures(["dayofweek"], encoding="cyclic",
    ...                        holidays=["2024-07-04"]).fit(X)
    >>> cal.transform(X).round(3)
                sales  dayofweek_sin  dayofweek_cos  holiday
    2024-07-01    5.0          0.000          1.000      0.0
    2024-07-02    6.0          0.782          0.623      0.0
    2024-07-03    7.0          0.975         -0.223      0.0
    2024-07-04    0.0          0.434         -0.901      1.0
    2024-07-05    8.0         -0.434         -0.901      0.0

    "auto" picks the terms from the step: daily data get month and day of
    week, one-hot.

    >>> auto = CalendarFeatures().fit(X)
    >>> auto.features_, auto.get_feature_names_out()[:4].tolist()
    (('month', 'dayofweek'), ['sales', 'month_1', 'month_2', 'month_3'])

    ``ahead=1``: each row gets the terms of the next day, the step a
    one-step model forecasts.

    >>> nxt = CalendarFeatures([], holidays=["2024-07-04"], ahead=1).fit(X)
    >>> nxt.transform(X)["holiday"].tolist()
    [0.0, 0.0, 1.0, 0.0, 0.0]
    """

    #: Learnt from each series' own rows: a dict keyed by id after a panel fit.
    _series_attributes = ("n_fit_rows_", "history_", "step_")

    _parameter_constraints: dict = {
        "features": [StrOptions({"auto", *TERMS}), "array-like"],
        "encoding": [StrOptions({"onehot", "cyclic"})],
        "holidays": ["array-like", HasMethods(["holidays"]), None],
        "start": [str, datetime, np.datetime64, None],
        "freq": [str, BaseOffset, timedelta, None],
        "ahead": [Interval(Integral, 0, None, closed="left")],
        "drop_original": ["boolean"],
    }

    def __init__(
        self,
        features: str | Sequence[str] = "auto",
        *,
        encoding: Literal["onehot", "cyclic"] = "onehot",
        holidays: Any = None,
        start: str | datetime | None = None,
        freq: str | BaseOffset | timedelta | None = None,
        ahead: int = 0,
        drop_original: bool = False,
    ) -> None:
        self.features = features
        self.encoding = encoding
        self.holidays = holidays
        self.start = start
        self.freq = freq
        self.ahead = ahead
        self.drop_original = drop_original

    def _fit(self, X, values, index):
        owner = who(self, "fit")
        if (self.start is None) != (self.freq is None):
            given, lacking = ("start", "freq") if self.freq is None else (
                "freq", "start")
            raise ValueError(
                f"{owner}: {given}={getattr(self, given)!r} without {lacking}: "
                "dating rows by position needs both, the first row's date "
                "(start) and the step (freq); or leave both None to read the "
                "dates off the index."
            )
        self.n_fit_rows_ = len(values)
        self.history_ = None
        self.step_ = None
        if self.start is None:
            self.time_kind_ = "index"
            self._dates(X, index, owner)  # the index must hold dates
            step = step_length(index)
            if self.ahead and isinstance(index, pd.DatetimeIndex):
                self.step_ = index.freq or index_step(index)
                if self.step_ is None:
                    raise ValueError(
                        f"{owner}: ahead={self.ahead} counts steps of the index, "
                        "but the fit index has no regular step (irregular "
                        "timestamps, or a single one without a frequency); set "
                        "its frequency (X.asfreq('D')), or fit on more rows."
                    )
        else:
            self.time_kind_ = "position"
            self.history_ = record_history(values, index, 1)
            origin, offset = self._origin(owner)
            step = (origin + offset) - origin
        if self.holidays is not None and not callable(
                getattr(self.holidays, "holidays", None)):
            holiday_dates(self.holidays, None, None, owner)  # they must be dates
        self.features_ = resolve_terms(self.features, step,
                                       self.holidays is not None, owner)

    def _transform(self, X, values, index):
        owner = who(self, "transform")
        if self.time_kind_ == "position":
            first = self.n_fit_rows_ if continues(self.history_, index) else 0
            first += self.ahead
            origin, offset = self._origin(owner)
            dates = pd.date_range(origin, periods=first + len(values),
                                  freq=offset)[first:]
        else:
            dates = self._dates(X, self._ahead(index, owner), owner)
        n_new = len(calendar_names(self.features_, self.encoding,
                                   self.holidays is not None))

        def write(new):
            _write(dates, self.features_, self.encoding, self.holidays, owner, new)

        return append_columns(self, X, values, n_new, write,
                              keep_input=not self.drop_original)

    def get_feature_names_out(
        self, input_features: ArrayLike | None = None
    ) -> np.ndarray:
        """Names: X's columns (unless dropped), then the terms, then ``holiday``.

        Parameters
        ----------
        input_features : array-like of str or None
            X's columns.

        Returns
        -------
        feature_names_out : ndarray of str
        """
        check_is_fitted(self)
        names = [] if self.drop_original else list(
            _check_feature_names_in(self, input_features))
        names += calendar_names(self.features_, self.encoding,
                                self.holidays is not None)
        return np.asarray(names, dtype=object)

    # -- helpers ---------------------------------------------------------------

    def _dates(self, X, index, owner):
        if index is None:
            raise ValueError(
                f"{owner}: X is {container_name(X)} and carries no dates, so the "
                "calendar terms are unknown. Pass a DataFrame with a "
                "DatetimeIndex or a PeriodIndex (in a Pipeline, "
                "set_output(transform='pandas') keeps the index), or give "
                "start= and freq= to date the rows by position."
            )
        return _index_dates(index, owner, "the index of X")

    def _ahead(self, index, owner):
        """``index`` moved ``ahead`` steps later."""
        if not self.ahead or index is None:
            return index
        if isinstance(index, pd.PeriodIndex):
            return index + self.ahead
        if not isinstance(index, pd.DatetimeIndex):
            return index  # _dates says it holds no dates
        if self.step_ is None:
            raise ValueError(
                f"{owner}: ahead={self.ahead} counts steps, but the fit index was "
                "a PeriodIndex and this X has a DatetimeIndex; pass the same kind "
                "of index as at fit."
            )
        with warnings.catch_warnings():
            # Some calendar offsets are added row by row, with a warning.
            warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
            return index + self.step_ * self.ahead

    def _origin(self, owner):
        try:
            origin = pd.Timestamp(self.start)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"{owner}: start={self.start!r} is not a date ({exc}); pass e.g. "
                "'2024-01-01'."
            ) from None
        try:
            offset = to_offset(self.freq)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"{owner}: freq={self.freq!r} is not a pandas frequency ({exc}); "
                "pass e.g. 'D', 'h' or 'MS'."
            ) from None
        if origin is pd.NaT:
            raise ValueError(f"{owner}: start={self.start!r} is not a date.")
        if origin.tz is not None:
            origin = origin.tz_localize(None)
        return origin, offset

    @classmethod
    def _test_params(cls):
        return [
            {"start": "2021-01-01", "freq": "D"},
            {
                "features": ["month", "hour"],
                "encoding": "cyclic",
                "holidays": ["2021-01-01", "2021-12-25"],
                "start": "2021-01-01",
                "freq": "h",
                "ahead": 2,
                "drop_original": True,
            },
        ]
