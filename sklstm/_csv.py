"""Reading one series from a user's CSV file, with one-line errors.

Used by the ``sklstm`` command. Every problem a CSV file can have (missing
file, unknown column, text in the target, timestamps that do not parse or
repeat, too little data) raises :class:`InputError` with a message that fits
on one line and says how to fix it; the command prints it and exits with
status 2.
"""

from __future__ import annotations

import difflib
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from sklstm.utils._time import regular_grid

__all__ = ["InputError", "read_series", "regularise_index"]


class InputError(ValueError):
    """A problem with the command's input data; the message is one line."""


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _suggest(name: str, columns) -> str:
    close = difflib.get_close_matches(name, [str(c) for c in columns], n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    shown = ", ".join(repr(str(c)) for c in list(columns)[:12])
    more = ", ..." if len(columns) > 12 else ""
    return f"its columns are {shown}{more}.{hint}"


def _read_frame(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise InputError(f"--csv {str(path)!r}: no such file.")
    if path.is_dir():
        raise InputError(f"--csv {str(path)!r} is a directory; pass a CSV file.")
    try:
        frame = pd.read_csv(path, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise InputError(f"--csv {str(path)!r} is empty.") from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError, ValueError) as exc:
        raise InputError(
            f"--csv {str(path)!r} could not be read as CSV: {_one_line(exc)}"
        ) from None
    if frame.empty:
        raise InputError(f"--csv {str(path)!r} has a header but no data rows.")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _column(frame: pd.DataFrame, name: str, option: str, path: Path) -> pd.Series:
    if name not in frame.columns:
        raise InputError(
            f"{option} {name!r} is not a column of {path.name}; "
            + _suggest(name, frame.columns)
        )
    return frame[name]


def _row_label(row: int) -> str:
    # +2: one for the header line, one because people count lines from 1
    return f"line {int(row) + 2}"


def _numeric_target(raw: pd.Series, name: str) -> pd.Series:
    if pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype("float64")
    values = pd.to_numeric(raw, errors="coerce")
    text = raw.astype("string").str.strip()
    bad = values.isna() & text.notna() & (text != "")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"--target {name!r} must be numeric, but {_row_label(row)} "
            f"holds {str(raw.iloc[row])!r} ({int(bad.sum())} non-numeric cell(s) "
            "in all); fix or remove those cells (empty cells are allowed: they "
            "count as gaps)."
        )
    values = values.astype("float64")
    if np.isinf(values).any():
        row = int(np.flatnonzero(np.isinf(values.to_numpy()))[0])
        raise InputError(
            f"--target {name!r} holds an infinite value at "
            f"{_row_label(row)}; replace it with a number or leave the "
            "cell empty."
        )
    if values.isna().all():
        raise InputError(f"--target {name!r} has no values: every cell is empty.")
    return values


def _parse_times(raw: pd.Series, name: str) -> pd.Index:
    text = raw.astype("string").str.strip()
    empty = text.isna() | (text == "")
    if empty.any():
        row = int(np.flatnonzero(empty.to_numpy())[0])
        raise InputError(
            f"--time {name!r} is empty at {_row_label(row)}; every row "
            "needs a timestamp."
        )
    if pd.api.types.is_integer_dtype(raw.dtype):
        # integer time stamps (years, periods): an integer index
        return pd.Index(raw.to_numpy(dtype=np.int64), name=name)
    best, fails = None, None
    for options in ({}, {"format": "ISO8601"}, {"dayfirst": True}):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                parsed = pd.to_datetime(text.astype(object), errors="coerce",
                                        **options)
        except (ValueError, TypeError, OverflowError):
            continue
        n_bad = int(parsed.isna().sum())
        if fails is None or n_bad < fails:
            best, fails = parsed, n_bad
        if n_bad == 0:
            break
    if best is None or fails:
        bad = np.ones(len(raw), bool) if best is None else best.isna().to_numpy()
        row = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"--time {name!r}: {_row_label(row)} holds "
            f"{str(raw.iloc[row])!r}, which is not a timestamp in the format of the "
            f"other rows ({int(bad.sum())} such row(s)); use one date format "
            "throughout, e.g. 2020-01-31 or 2020-01-31 13:30."
        )
    if getattr(best.dt, "tz", None) is not None:
        best = best.dt.tz_convert(None)
    return pd.DatetimeIndex(best, name=name)


def regularise_index(series: pd.Series, what: str = "--time") -> pd.Series:
    """Put ``series`` on a regular time grid, missing steps becoming NaN gaps.

    A DatetimeIndex gets its ``freq``; when some steps are missing (a day
    without a row), they are inserted as NaN so the gap is visible to an
    interpolator. An integer index must have a constant step once sorted,
    after the same insertion. The grid is :func:`sklstm.utils._time.regular_grid`.

    Raises
    ------
    InputError
        When the time stamps follow no regular step.
    """
    index = series.index
    name = index.name
    if len(index) < 2:
        return series
    grid = regular_grid(index)
    if grid is not None:
        return series.reindex(grid)
    if isinstance(index, pd.DatetimeIndex):
        raise InputError(
            f"{what} {name!r}: the timestamps are not equally spaced and no regular "
            f"step fits them all (e.g. {index[0]}, {index[1]}, ..., {index[-1]}); "
            "resample the data to one step first, e.g. df.resample('D').mean()."
        )
    raise InputError(
        f"{what} {name!r}: the integer time stamps are not equally spaced; "
        "resample the data to one step first."
    )


def read_series(path, target: str, time: str | None = None) -> pd.Series:
    """Read the column ``target`` of a CSV file as a regular, time-indexed series.

    Parameters
    ----------
    path : str or Path
        The CSV file (comma-separated, one header line).
    target : str
        The column to forecast; must be numeric (empty cells are gaps).
    time : str or None, default=None
        The time-stamp column. When None, the first column is used if it is
        not the target and every value parses as a timestamp; otherwise rows
        are numbered 0, 1, 2, ...

    Returns
    -------
    series : pandas.Series
        Float values, sorted by time, on a regular index (a DatetimeIndex with
        ``freq`` set, or an integer index); time steps missing from the file
        are NaN, leading and trailing empty cells dropped.

    Raises
    ------
    InputError
        For every problem with the file, with a one-line message.
    """
    path = Path(path)
    frame = _read_frame(path)
    values = _numeric_target(_column(frame, target, "--target", path), target)
    if time is not None:
        if time == target:
            raise InputError(
                f"--time and --target are both {time!r}; pass the time-stamp "
                "column to --time."
            )
        index = _parse_times(_column(frame, time, "--time", path), time)
    else:
        index = _guess_time(frame, target)
    series = pd.Series(values.to_numpy(), index=index, name=target)
    if series.index.has_duplicates:
        dup = series.index[series.index.duplicated()][0]
        count = int((series.index == dup).sum())
        raise InputError(
            f"--time {series.index.name!r} has duplicated timestamps ({dup} appears "
            f"{count} times, {int(series.index.duplicated().sum())} repeats in all); "
            "keep one row per time step, e.g. df.groupby(time).mean()."
        )
    if not series.index.is_monotonic_increasing:
        series = series.sort_index()
    if not isinstance(series.index, pd.RangeIndex):
        series = regularise_index(series)
    observed = np.flatnonzero(series.notna().to_numpy())
    return series.iloc[observed[0]: observed[-1] + 1]


def _guess_time(frame: pd.DataFrame, target: str) -> pd.Index:
    """The first column as time stamps when most of it parses as dates."""
    first = frame.columns[0]
    raw = frame[first]
    if first == target or pd.api.types.is_numeric_dtype(raw.dtype):
        return pd.RangeIndex(len(frame))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        parsed = pd.to_datetime(raw.astype("string").astype(object), errors="coerce")
    if parsed.notna().mean() < 0.8:
        return pd.RangeIndex(len(frame))
    return _parse_times(raw, first)
