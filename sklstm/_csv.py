"""Reading one series from a user's CSV file, with one-line errors.

Used by the ``sklstm`` command. Every problem a CSV file can have (missing
file, unknown column, text in the target, timestamps that do not parse or
repeat, too little data) raises :class:`InputError` with a message that fits
on one line and says how to fix it; the command prints it and exits with
status 2.

What it accepts, and what it assumes (each assumption is kept in the
series' ``attrs["notes"]``, which the command prints):

- **Delimiters:** comma, semicolon, tab or pipe, sniffed from the first lines
  (``csv.Sniffer``); with semicolons, a decimal comma (``3,5``) is read too.
- **Missing values:** empty cells and pandas' markers (``NA``, ``NaN``,
  ``null``, ...) are gaps in the target.
- **Dates:** ISO 8601 (``2020-01-31``, ``2020-01-31T13:30``), and the common
  written forms (``31.01.2020``, ``01/31/2020``, ``Jan 2020``). When a form is
  ambiguous (``01.02.2020``), the reading that gives a regular time step wins;
  if both do, dotted dates are read day first and slashed ones month first,
  and a note says so; ``date_format`` (``--date-format``) decides instead.
- **Integers** are time steps (years, periods), except eight-digit ones that
  all read as ``yyyymmdd`` dates (``20200131``), which are dates.
- **Time zones:** stamps with one UTC offset (``2022-01-01T00:00+01:00``) keep
  it, and the forecast is labelled in it. Offsets that change (daylight
  saving) keep the local wall time when that has a regular step (daily and
  longer steps), else the stamps are taken in UTC (hourly and shorter: wall
  time repeats and skips an hour), and a note says which.
"""

from __future__ import annotations

import csv
import difflib
import re
import warnings
from datetime import timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from sklstm._errors import InputError
from sklstm.utils._time import regular_grid

__all__ = [
    "InputError",
    "read_data",
    "read_panel",
    "read_panel_data",
    "read_series",
    "regularise_index",
]


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _suggest(name: str, columns) -> str:
    close = difflib.get_close_matches(name, [str(c) for c in columns], n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    shown = ", ".join(repr(str(c)) for c in list(columns)[:12])
    more = ", ..." if len(columns) > 12 else ""
    return f"its columns are {shown}{more}.{hint}"


#: The delimiters the reader recognises, in order of preference.
DELIMITERS = ",;\t|"
_DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "pipes"}
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")


def _sniff_delimiter(path: Path) -> str:
    """The delimiter of the file's first lines; a comma when nothing else fits."""
    try:
        with open(path, newline="", encoding="utf-8", errors="replace") as fh:
            sample = fh.read(64 * 1024)
    except OSError:
        return ","
    lines = [line for line in sample.splitlines() if line.strip()][:50]
    if not lines:
        return ","
    try:
        found = csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","
    # a one-column file sniffs as anything: keep the comma unless the header
    # has the delimiter
    return found if found in lines[0] else ","


def _read_frame(path: Path, notes: list) -> pd.DataFrame:
    if not path.exists():
        raise InputError(f"--csv {str(path)!r}: no such file.")
    if path.is_dir():
        raise InputError(f"--csv {str(path)!r} is a directory; pass a CSV file.")
    sep = _sniff_delimiter(path)
    try:
        frame = pd.read_csv(path, sep=sep, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise InputError(f"--csv {str(path)!r} is empty.") from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError, ValueError) as exc:
        raise InputError(
            f"--csv {str(path)!r} could not be read as CSV: {_one_line(exc)}"
        ) from None
    if frame.empty:
        raise InputError(f"--csv {str(path)!r} has a header but no data rows.")
    if sep != ",":
        notes.append(f"columns separated by {_DELIMITER_NAMES[sep]}")
    if sep == ";" and _has_decimal_commas(frame):
        frame = pd.read_csv(path, sep=sep, decimal=",", skipinitialspace=True)
        notes.append("decimal commas (3,5 is 3.5)")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _has_decimal_commas(frame: pd.DataFrame) -> bool:
    """Whether a text column holds numbers written with a decimal comma."""
    for col in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[col].dtype):
            continue
        text = frame[col].dropna().astype(str)
        if len(text) and text.str.match(_DECIMAL_COMMA).mean() > 0.9:
            return True
    return False


def _column(frame: pd.DataFrame, name: str, option: str, path: Path) -> pd.Series:
    if name not in frame.columns:
        raise InputError(
            f"{option} {name!r} is not a column of {path.name}; "
            + _suggest(name, frame.columns)
        )
    return frame[name]


def _row_label(row: int) -> str:
    """The file line of the frame's row ``row`` (its label from ``read_csv``)."""
    # +2: one for the header line, one because people count lines from 1
    return f"line {int(row) + 2}"


def _numeric_target(raw: pd.Series, name: str, option: str = "--target"
                    ) -> pd.Series:
    if pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype("float64")
    values = pd.to_numeric(raw, errors="coerce")
    text = raw.astype("string").str.strip()
    bad = values.isna() & text.notna() & (text != "")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"{option} {name!r} must be numeric, but {_row_label(row)} "
            f"holds {str(raw.iloc[row])!r} ({int(bad.sum())} non-numeric cell(s) "
            "in all); fix or remove those cells (empty cells are allowed: they "
            "count as gaps)."
        )
    values = values.astype("float64")
    if np.isinf(values).any():
        row = int(np.flatnonzero(np.isinf(values.to_numpy()))[0])
        raise InputError(
            f"{option} {name!r} holds an infinite value at "
            f"{_row_label(row)}; replace it with a number or leave the "
            "cell empty."
        )
    if values.isna().all():
        raise InputError(f"{option} {name!r} has no values: every cell is empty.")
    return values


_OFFSET = re.compile(r"\s*(Z|[+-]\d{2}:?\d{2})$")
#: Eight-digit integers that all read as dates this way are dates.
_YYYYMMDD = (10000101, 99991231)


def _yyyymmdd(values: np.ndarray) -> pd.DatetimeIndex | None:
    """``values`` as ``yyyymmdd`` dates, or None when any is not one."""
    if not len(values) or values.min() < _YYYYMMDD[0] or values.max() > _YYYYMMDD[1]:
        return None
    parsed = pd.to_datetime(pd.Series(values.astype(str)), format="%Y%m%d",
                            errors="coerce")
    return None if parsed.isna().any() else pd.DatetimeIndex(parsed)


def _to_datetime(text: pd.Series, **options) -> pd.Series | None:
    """``pd.to_datetime`` with failures as NaT; None when the options do not apply."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return pd.to_datetime(text.astype(object), errors="coerce", **options)
    except (ValueError, TypeError, OverflowError):
        return None


def _is_regular(parsed: pd.Series) -> bool:
    index = pd.DatetimeIndex(parsed.dropna()).sort_values()
    if len(index) < 3:
        return True
    grid = regular_grid(index) if index.is_unique else None
    return grid is not None and len(grid) == len(index)


def _unparsed_error(name: str, text: pd.Series, parsed, what: str,
                    fix: str) -> InputError:
    """The error naming the first stamp that ``parsed`` (None: all) failed on."""
    bad = np.ones(len(text), bool) if parsed is None else parsed.isna().to_numpy()
    row = int(np.flatnonzero(bad)[0])
    return InputError(
        f"--time {name!r}: {_row_label(text.index[row])} holds "
        f"{str(text.iloc[row])!r}, which "
        f"{what} ({int(bad.sum())} such row(s)); {fix}"
    )


def _read_dates(text: pd.Series, name: str, date_format, notes: list) -> pd.Series:
    """The wall-clock times of ``text`` (no offsets), by the format that fits."""
    if date_format is not None:
        parsed = _to_datetime(text, format=date_format)
        if parsed is None or parsed.isna().any():
            raise _unparsed_error(
                name, text, parsed, f"does not match --date-format {date_format!r}",
                "fix the format (e.g. %d.%m.%Y) or the rows.")
        return parsed
    month_first = _to_datetime(text, format="ISO8601")
    if month_first is None or month_first.isna().any():
        month_first = _to_datetime(text)
    day_first = _to_datetime(text, dayfirst=True)
    full = [p for p in (month_first, day_first) if p is not None and not p.isna().any()]
    if not full:
        best = min((p for p in (month_first, day_first) if p is not None),
                   key=lambda p: int(p.isna().sum()), default=None)
        raise _unparsed_error(
            name, text, best, "is not a timestamp in the format of the other rows",
            "use one date format throughout, e.g. 2020-01-31 or 2020-01-31 13:30, "
            "or name it with --date-format.")
    if len(full) == 1 or full[0].equals(full[1]):
        if full[0] is day_first and not full[0].equals(month_first):
            notes.append(f"dates read day first ({text.iloc[0]} is "
                         f"{full[0].iloc[0]:%Y-%m-%d})")
        return full[0]
    regular = [p for p in full if _is_regular(p)]
    if len(regular) == 1:
        chosen = regular[0]
        first = "day" if chosen is day_first else "month"
        notes.append(f"dates read {first} first ({text.iloc[0]} is "
                     f"{chosen.iloc[0]:%Y-%m-%d}): the other reading has no "
                     "regular step")
        return chosen
    dotted = bool(text.str.contains(".", regex=False).all())
    chosen = day_first if dotted else month_first
    other = "%m.%d.%Y" if dotted else "%d/%m/%Y"
    notes.append(f"dates read {'day' if dotted else 'month'} first ({text.iloc[0]} is "
                 f"{chosen.iloc[0]:%Y-%m-%d}); pass --date-format {other} for the "
                 "other reading")
    return chosen


def _parse_times(raw: pd.Series, name: str, date_format=None,
                 notes: list | None = None) -> pd.Index:
    notes = [] if notes is None else notes
    text = raw.astype("string").str.strip()
    empty = text.isna() | (text == "")
    if empty.any():
        row = int(np.flatnonzero(empty.to_numpy())[0])
        raise InputError(
            f"--time {name!r} is empty at {_row_label(raw.index[row])}; every row "
            "needs a timestamp."
        )
    if pd.api.types.is_integer_dtype(raw.dtype) and date_format is None:
        values = raw.to_numpy(dtype=np.int64)
        dates = _yyyymmdd(values)
        if dates is None:
            # integer time stamps (years, periods): an integer index
            return pd.Index(values, name=name)
        notes.append(f"integers of --time read as yyyymmdd dates ({values[0]} is "
                     f"{dates[0]:%Y-%m-%d})")
        return dates.rename(name)
    text = text.astype(str)
    offsets = text.str.extract(_OFFSET, expand=False)
    if not offsets.notna().all():
        return pd.DatetimeIndex(_read_dates(text, name, date_format, notes), name=name)
    wall = _read_dates(text.str.replace(_OFFSET, "", regex=True), name, date_format,
                       notes)
    offset = pd.to_timedelta(offsets.map(_offset_minutes), unit="min")
    if offset.nunique() == 1:
        # one offset: keep it, and the forecast is labelled in it
        zone = timezone(timedelta(minutes=_offset_minutes(offsets.iloc[0])))
        return pd.DatetimeIndex(wall, name=name).tz_localize(zone)
    local = pd.DatetimeIndex(wall, name=name)
    if local.is_unique and _is_regular(pd.Series(local)):
        notes.append("UTC offsets change (daylight saving): kept the local wall "
                     "time, in which the steps are regular")
        return local
    notes.append("UTC offsets change (daylight saving): stamps taken in UTC, where "
                 "the steps are regular (local time repeats and skips an hour)")
    return pd.DatetimeIndex(wall.to_numpy() - offset.to_numpy(), name=name
                            ).tz_localize("UTC")


def _offset_minutes(offset: str) -> int:
    """Minutes east of UTC: 60 for ``"+01:00"`` or ``"+0100"``, 0 for ``"Z"``."""
    text = _offset_text(offset)
    sign = -1 if text[0] == "-" else 1
    return sign * (int(text[1:3]) * 60 + int(text[4:6]))


def _offset_text(offset: str) -> str:
    """``"+01:00"`` for ``"+0100"``, ``"+01:00"``; ``"+00:00"`` for ``"Z"``."""
    if offset == "Z":
        return "+00:00"
    return offset if ":" in offset else f"{offset[:3]}:{offset[3:]}"


def regularise_index(series: pd.Series | pd.DataFrame, what: str = "--time"
                     ) -> pd.Series | pd.DataFrame:
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


def read_series(path, target: str, time: str | None = None,
                date_format: str | None = None) -> pd.Series:
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
    date_format : str or None, default=None
        The ``strftime`` format of the time stamps (``"%d.%m.%Y"``); None
        infers it (see the module docstring).

    Returns
    -------
    series : pandas.Series
        Float values, sorted by time, on a regular index (a DatetimeIndex with
        ``freq`` set, or an integer index); time steps missing from the file
        are NaN, leading and trailing empty cells dropped. ``attrs["notes"]``
        lists what was assumed (delimiter, date order, time zone).

    Raises
    ------
    InputError
        For every problem with the file, with a one-line message.
    """
    return read_data(path, target, time, date_format)[0]


def read_data(path, target: str, time: str | None = None,
              date_format: str | None = None,
              covariates: dict | None = None) -> tuple[pd.Series, pd.DataFrame]:
    """The target series and covariate columns of a CSV file.

    ``covariates`` maps each covariate column to the option that named it
    (``{"law": "--future"}``), for the messages. The series is as
    :func:`read_series` returns it; the covariates are on the same regular
    grid, from the series' first row to the file's last row, so that rows
    after the last target value (the future values of future-known
    covariates) are kept.
    """
    path = Path(path)
    notes: list[str] = []
    frame = _read_frame(path, notes)
    values = _numeric_target(_column(frame, target, "--target", path), target)
    covariates = dict(covariates or {})
    columns = {}
    for name, option in covariates.items():
        if name == target:
            raise InputError(
                f"{option} {name!r} is the --target column; a covariate must be "
                "another column."
            )
        columns[name] = _numeric_target(_column(frame, name, option, path), name,
                                        option)
    if time is not None:
        if time == target or time in covariates:
            raise InputError(
                f"--time {time!r} is also the --target or a covariate column; pass "
                "the time-stamp column to --time."
            )
        index = _parse_times(_column(frame, time, "--time", path), time,
                             date_format, notes)
    else:
        index = _guess_time(frame, target, date_format, notes)
    data = pd.DataFrame({target: values.to_numpy(),
                         **{k: v.to_numpy() for k, v in columns.items()}},
                        index=index)
    if data.index.has_duplicates:
        dup = data.index[data.index.duplicated()][0]
        count = int((data.index == dup).sum())
        raise InputError(
            f"--time {data.index.name!r} has duplicated timestamps ({dup} appears "
            f"{count} times, {int(data.index.duplicated().sum())} repeats in all); "
            "keep one row per time step, e.g. df.groupby(time).mean()."
        )
    if not data.index.is_monotonic_increasing:
        data = data.sort_index()
    if not isinstance(data.index, pd.RangeIndex):
        data = regularise_index(data)
    observed = np.flatnonzero(data[target].notna().to_numpy())
    series = data[target].iloc[observed[0]: observed[-1] + 1]
    series.attrs["notes"] = notes
    return series, data[list(covariates)].iloc[observed[0]:]


def read_panel(path, target: str, time: str, id_col: str,
               date_format: str | None = None) -> pd.Series:
    """The ``target`` column of a long CSV file, one series per ``id_col`` value.

    Each series' time stamps are parsed and put on a regular grid on their
    own (as :func:`read_series` does for one series: missing steps become
    NaN gaps, leading and trailing empty cells are dropped), so the series
    may differ in length, start and gaps.

    Returns
    -------
    panel : pandas.Series
        Float values indexed by ``(id, time)``, the series in the order of
        their first row in the file, ids as text. ``attrs["notes"]`` lists
        what was assumed (delimiter, date order).

    Raises
    ------
    InputError
        For every problem with the file (an empty id cell names its line; a
        problem within one series names the series), with a one-line message.
    """
    return read_panel_data(path, target, time, id_col, date_format)[0]


def read_panel_data(path, target: str, time: str, id_col: str,
                    date_format: str | None = None,
                    covariates: dict | None = None
                    ) -> tuple[pd.Series, pd.DataFrame | None]:
    """:func:`read_panel`, and the ``covariates`` columns of every series.

    ``covariates`` maps each covariate column to the option that named it,
    as in :func:`read_data`. Each series' covariates are on its grid, from
    its first observed target value to its last row in the file, so that
    rows after its last target value (the future values of future-known
    covariates) are kept. Without covariates the second item is None.
    """
    path = Path(path)
    notes: list[str] = []
    frame = _read_frame(path, notes)
    if len({target, time, id_col}) < 3:
        raise InputError(
            f"--id {id_col!r}, --time {time!r} and --target {target!r} must be "
            "three different columns."
        )
    covariates = dict(covariates or {})
    for name, option in covariates.items():
        if name in (target, time, id_col):
            raise InputError(
                f"{option} {name!r} is the --target, --time or --id column; a "
                "covariate must be another column."
            )
    values = _numeric_target(_column(frame, target, "--target", path), target)
    columns = {name: _numeric_target(_column(frame, name, option, path), name,
                                     option)
               for name, option in covariates.items()}
    times = _column(frame, time, "--time", path)
    ids = _column(frame, id_col, "--id", path).astype("string").str.strip()
    empty = ids.isna() | (ids == "")
    if empty.any():
        row = int(np.flatnonzero(empty.to_numpy())[0])
        raise InputError(
            f"--id {id_col!r} is empty at {_row_label(frame.index[row])} "
            f"({int(empty.sum())} such row(s)); every row needs its series."
        )
    parts, extra, found = {}, {}, []
    for key, rows in ids.groupby(ids, sort=False).groups.items():
        try:
            index = _parse_times(times.loc[rows], time, date_format, found)
            data = pd.DataFrame({target: values.loc[rows].to_numpy(),
                                 **{c: v.loc[rows].to_numpy()
                                    for c, v in columns.items()}}, index=index)
            if data.index.has_duplicates:
                dup = data.index[data.index.duplicated()][0]
                raise InputError(
                    f"--time {time!r} repeats {dup} "
                    f"({int(data.index.duplicated().sum())} repeats in all); keep "
                    "one row per series and time step."
                )
            data = regularise_index(data.sort_index())
        except InputError as exc:
            raise InputError(f"series {key!r} (--id {id_col!r}): {exc}") from None
        observed = np.flatnonzero(data[target].notna().to_numpy())
        if len(observed):
            parts[str(key)] = data[target].iloc[observed[0]: observed[-1] + 1]
            extra[str(key)] = data[list(covariates)].iloc[observed[0]:]
    if not parts:
        raise InputError(f"--target {target!r} has no values: every cell is empty.")
    panel = pd.concat(parts, names=[id_col, time]).rename(target)
    # one note of each kind (the series differ only in their example stamp)
    kinds = {re.sub(r"\s*\([^)]*\)", "", note): note for note in reversed(found)}
    panel.attrs["notes"] = notes + list(reversed(kinds.values()))
    if not covariates:
        return panel, None
    return panel, pd.concat(extra, names=[id_col, time])


def _guess_time(frame: pd.DataFrame, target: str, date_format=None,
                notes: list | None = None) -> pd.Index:
    """The first column as time stamps when most of it parses as dates."""
    first = frame.columns[0]
    raw = frame[first]
    if first == target or pd.api.types.is_bool_dtype(raw.dtype):
        return pd.RangeIndex(len(frame))
    if pd.api.types.is_numeric_dtype(raw.dtype):
        if (pd.api.types.is_integer_dtype(raw.dtype)
                and _yyyymmdd(raw.to_numpy(dtype=np.int64)) is not None):
            return _parse_times(raw, first, None, notes)
        return pd.RangeIndex(len(frame))
    text = raw.astype("string").str.strip().astype(object)
    text = text.str.replace(_OFFSET, "", regex=True)
    readings = ([{"format": date_format}] if date_format
                else [{}, {"dayfirst": True}])
    shares = [p.notna().mean() for p in (_to_datetime(text, **o) for o in readings)
              if p is not None]
    if not shares or max(shares) < 0.8:
        return pd.RangeIndex(len(frame))
    return _parse_times(raw, first, date_format, notes)
