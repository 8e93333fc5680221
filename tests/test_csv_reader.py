"""What the command's CSV reader accepts: delimiters, date forms, zones, integers."""

import numpy as np
import pandas as pd
import pytest

from sklstm._csv import InputError, read_series
from sklstm.cli import main

N = 60
DAYS = pd.date_range("2022-01-01", periods=N, freq="D")
VALUES = np.round(100 + 10 * np.sin(np.arange(N) * 2 * np.pi / 7), 2)


def write(tmp_path, times, values=VALUES, name="data.csv", **kw):
    path = tmp_path / name
    pd.DataFrame({"date": times, "value": values}).to_csv(path, index=False, **kw)
    return path


def test_one_utc_offset_is_kept_and_days_stay_at_midnight(tmp_path):
    path = write(tmp_path, [f"{t:%Y-%m-%d}T00:00:00+01:00" for t in DAYS])
    series = read_series(path, "value")
    assert str(series.index.tz) == "UTC+01:00"
    assert series.index.freqstr == "D"
    assert (series.index.hour == 0).all(), "not converted to 23:00 the day before"
    np.testing.assert_allclose(series.to_numpy(), VALUES)


def test_daylight_saving_daily_keeps_the_local_wall_time(tmp_path):
    local = pd.date_range("2022-03-01", periods=N, freq="D", tz="Europe/Berlin")
    assert local[0].utcoffset() != local[-1].utcoffset()  # the offset changes
    series = read_series(write(tmp_path, [t.isoformat() for t in local]), "value")
    assert series.index.tz is None and series.index.freqstr == "D"
    assert series.index[0] == pd.Timestamp("2022-03-01")
    assert "kept the local wall time" in series.attrs["notes"][0]


def test_daylight_saving_hourly_is_taken_in_utc(tmp_path):
    local = pd.date_range("2022-10-29", periods=100, freq="h", tz="Europe/Berlin")
    path = write(tmp_path, [t.isoformat() for t in local], np.arange(100.0))
    series = read_series(path, "value")
    assert str(series.index.tz) == "UTC" and series.index.freqstr == "h"
    assert len(series) == 100, "the repeated wall-clock hour is no duplicate in UTC"
    assert series.index[0] == local[0].tz_convert("UTC")
    assert "stamps taken in UTC" in series.attrs["notes"][0]


def test_yyyymmdd_integers_are_dates(tmp_path):
    path = write(tmp_path, [int(f"{t:%Y%m%d}") for t in DAYS])
    series = read_series(path, "value")
    assert series.index.equals(pd.DatetimeIndex(DAYS, freq="D", name="date"))
    assert "yyyymmdd" in series.attrs["notes"][0]


def test_other_integers_stay_time_steps(tmp_path):
    years = np.arange(1871, 1871 + N)
    series = read_series(write(tmp_path, years), "value", time="date")
    assert series.index.dtype.kind == "i" and series.index[0] == 1871
    assert series.attrs["notes"] == []


@pytest.mark.parametrize("sep, decimal, note", [
    (";", ",", "separated by semicolons; decimal commas"),
    (";", ".", "separated by semicolons"),
    ("\t", ".", "separated by tabs"),
    ("|", ".", "separated by pipes"),
])
def test_delimiters_are_sniffed(tmp_path, sep, decimal, note):
    path = write(tmp_path, [f"{t:%Y-%m-%d}" for t in DAYS], sep=sep, decimal=decimal)
    series = read_series(path, "value")
    np.testing.assert_allclose(series.to_numpy(), VALUES)
    assert series.index.freqstr == "D"
    assert "; ".join(series.attrs["notes"]).startswith("columns " + note)


def test_day_first_dates_are_read_day_first(tmp_path):
    series = read_series(write(tmp_path, [f"{t:%d.%m.%Y}" for t in DAYS]), "value")
    assert series.index[12] == pd.Timestamp("2022-01-13") and len(series) == N
    assert series.attrs["notes"] == ["dates read day first (01.01.2022 is 2022-01-01)"]


def test_ambiguous_dates_take_the_reading_with_a_regular_step(tmp_path):
    months = pd.date_range("2020-01-01", periods=36, freq="MS")
    path = write(tmp_path, [f"{t:%d/%m/%Y}" for t in months], np.arange(36.0))
    series = read_series(path, "value")
    assert series.index.freqstr == "MS", "01/02/2020 is February, not 2 January"
    assert "the other reading has no regular step" in series.attrs["notes"][0]


def test_ambiguous_and_regular_both_ways_says_which_option_decides(tmp_path):
    days = pd.date_range("2020-01-01", periods=12, freq="D")
    stamps = [f"01.{t.day:02d}.2020" for t in days]  # read day first: monthly
    path = write(tmp_path, stamps, np.arange(12.0))
    series = read_series(path, "value")
    assert series.index[1] == pd.Timestamp("2020-02-01")
    assert "--date-format %m.%d.%Y" in series.attrs["notes"][0]
    other = read_series(path, "value", date_format="%m.%d.%Y")
    assert other.index[1] == pd.Timestamp("2020-01-02") and other.attrs["notes"] == []


def test_a_date_format_that_does_not_fit_names_the_row(tmp_path):
    path = write(tmp_path, [f"{t:%Y-%m-%d}" for t in DAYS])
    with pytest.raises(InputError, match=r"--time 'date': line 2 holds '2022-01-01', "
                       r"which does not match --date-format '%d\.%m\.%Y' \(60 such"):
        read_series(path, "value", time="date", date_format="%d.%m.%Y")


def test_the_command_prints_what_it_assumed(tmp_path, capsys):
    path = write(tmp_path, [f"{t:%d.%m.%Y}" for t in DAYS], sep=";", decimal=",")
    out = tmp_path / "run"
    status = main(["--csv", str(path), "--target", "value", "--quick", "--n-jobs",
                   "1", "--no-plot", "--out", str(out)])
    text = capsys.readouterr().out
    assert status == 0
    assert ("  reading: columns separated by semicolons; decimal commas (3,5 is 3.5); "
            "dates read day first (01.01.2022 is 2022-01-01)") in text
    forecast = pd.read_csv(out / "forecast.csv", parse_dates=["time"])
    assert forecast["time"].iloc[0] == pd.Timestamp("2022-03-02")


def test_date_format_without_csv_is_a_usage_error(capsys):
    assert main(["--date-format", "%d.%m.%Y"]) == 2
    assert "--target and --time go with --csv, as does --date-format" in (
        capsys.readouterr().err)
