"""The sklstm command: a quick full run, its files, and one-line errors for bad CSVs."""

import io
import re
import runpy
import sys

import numpy as np
import pandas as pd
import pytest

from sklstm.cli import MODEL_NAMES, format_table, main
from sklstm.datasets import load_airline

QUICK = ["--quick", "--n-jobs", "1"]


@pytest.fixture(scope="module")
def airline_run(tmp_path_factory):
    """One quick run on the default data set, shared by the tests that read it."""
    out = tmp_path_factory.mktemp("run")
    capture = pytest.MonkeyPatch()
    buffer = io.StringIO()
    capture.setattr(sys, "stdout", buffer)
    try:
        status = main([*QUICK, "--out", str(out)])
    finally:
        capture.undo()
    return status, buffer.getvalue(), out


def test_default_run_prints_the_table(airline_run):
    status, text, _ = airline_run
    assert status == 0
    assert "airline:passengers, 144 rows" in text
    assert "holding out the last 18" in text  # the M4 horizon of monthly data
    # the forecaster's configuration comes first, as config_ prints it
    assert "  monthly steps, 144 rows; season: 12 (6 harmonics)" in text
    assert ("held-out forecasts of 18 steps from 3 origin(s), 6 row(s) apart "
            "(1958-06-01 .. 1959-06-01)") in text
    assert re.search(r"intervals of the sklstm forecaster: 80% held \d+% of 54 "
                     r"held-out values, 95%\s+held \d+%", text)
    assert "change: relative (log" in text
    header = next(line for line in text.splitlines() if line.startswith("model"))
    for column in ("MAE", "RMSE", "MASE", "sMAPE", "vs naive LSTM"):
        assert column in header
    rows = [line for line in text.splitlines()
            if any(line.startswith(name) for name in MODEL_NAMES.values())]
    assert len(rows) == 4
    naive_row = next(r for r in rows if r.startswith(MODEL_NAMES["naive_lstm"]))
    assert naive_row.rstrip().endswith("baseline")
    maes = [float(r[26:35]) for r in rows]
    assert maes == sorted(maes), "the table is sorted by MAE"


def test_default_run_writes_forecast_and_files(airline_run):
    _, _, out = airline_run
    future = pd.read_csv(out / "forecast.csv", index_col="time", parse_dates=True)
    bounds = ["lower_80", "upper_80", "lower_95", "upper_95"]
    assert list(future.columns) == ["forecast", *bounds]
    assert len(future) == 18
    _assert_ordered(future)
    assert future.index[0] == pd.Timestamp("1961-01-01")
    assert future.index[-1] == pd.Timestamp("1962-06-01")
    assert np.isfinite(future["forecast"]).all() and (future["forecast"] >= 0).all()

    holdout = pd.read_csv(out / "holdout.csv", parse_dates=["origin", "time"])
    # 3 origins, 6 months apart, 18 steps each; the last ends with the data
    assert len(holdout) == 54 and holdout["origin"].nunique() == 3
    assert holdout["time"].iloc[0] == pd.Timestamp("1958-07-01")
    assert holdout["time"].iloc[-1] == pd.Timestamp("1960-12-01")
    assert holdout["actual"].iloc[-1] == 432.0
    assert set(MODEL_NAMES.values()) <= set(holdout.columns)
    assert (holdout["origin"] < holdout["time"]).all()
    # the seasonal-naive forecast repeats the season before each origin
    air = load_airline()["passengers"]
    first_year = holdout[holdout["h"] <= 12]
    expected = air.loc[first_year["time"] - pd.DateOffset(years=1)].to_numpy()
    np.testing.assert_array_equal(first_year[MODEL_NAMES["snaive"]], expected)
    _assert_ordered(holdout.rename(columns={MODEL_NAMES["sklstm"]: "forecast"}))

    metrics = pd.read_csv(out / "metrics.csv", index_col="model")
    assert list(metrics.columns) == ["MAE", "RMSE", "MASE", "sMAPE",
                                     "coverage_80", "coverage_95"]
    assert (metrics["RMSE"] >= metrics["MAE"]).all()
    # coverage is the forecaster's: the share of the 54 actuals in its bands
    inside = ((holdout["lower_80"] <= holdout["actual"])
              & (holdout["actual"] <= holdout["upper_80"]))
    assert metrics.loc[MODEL_NAMES["sklstm"], "coverage_80"] == inside.mean()
    assert metrics["coverage_95"].drop(MODEL_NAMES["sklstm"]).isna().all()
    assert (out / "forecast.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the configuration of the refit on all 144 rows
    config = (out / "config.txt").read_text()
    assert config.startswith("monthly steps, 144 rows; season: 12 (6 harmonics)")


def test_runs_are_reproducible(airline_run, tmp_path, capsys):
    _, _, first = airline_run
    assert main([*QUICK, "--out", str(tmp_path), "--no-plot"]) == 0
    capsys.readouterr()
    for name in ("forecast.csv", "holdout.csv", "config.txt"):
        assert (tmp_path / name).read_text() == (first / name).read_text()
    assert not (tmp_path / "forecast.png").exists()


def _assert_ordered(frame):
    order = ["lower_95", "lower_80", "forecast", "upper_80", "upper_95"]
    values = frame[order].to_numpy()
    assert np.isfinite(values).all()
    assert (np.diff(values, axis=1) >= 0).all()
    assert (values[:, 0] >= 0).all()  # passengers are never negative


def _write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _monthly_csv(tmp_path, n=90, gaps=(), name="sales.csv"):
    index = pd.date_range("2015-01-01", periods=n, freq="MS")
    t = np.arange(n)
    units = 100 + t + 20 * np.sin(2 * np.pi * t / 12)
    frame = pd.DataFrame({"date": index.strftime("%Y-%m-%d"), "units": units.round(2)})
    frame.loc[list(gaps), "units"] = np.nan
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def test_csv_with_gaps_and_missing_rows_runs(tmp_path, capsys):
    path = _monthly_csv(tmp_path, gaps=[10, 11, 40])
    # drop a row entirely: a missing month becomes a gap too
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:30] + lines[31:]) + "\n")
    out = tmp_path / "out"
    status = main([*QUICK, "--csv", str(path), "--target", "units", "--time", "date",
                   "--horizon", "6", "--out", str(out), "--no-plot"])
    text = capsys.readouterr().out
    assert status == 0, text
    assert "sales.csv:units, 90 rows (4 gaps); holding out the last 6" in text
    future = pd.read_csv(out / "forecast.csv", index_col="time", parse_dates=True)
    assert future.index[0] == pd.Timestamp("2022-07-01") and len(future) == 6


@pytest.mark.parametrize("freq, n, horizon", [
    ("YS", 40, 6), ("QS", 60, 8), ("W-SUN", 120, 13), ("D", 120, 14),
    ("h", 24 * 10, 48), (None, 80, 8),
])
def test_every_time_step_runs_from_a_csv(freq, n, horizon, tmp_path, capsys):
    """Quarterly and daily files used to crash (6 harmonics of period 4)."""
    t = np.arange(n)
    period = {"QS": 4, "D": 7, "h": 24, "W-SUN": 52}.get(freq, 10)
    values = 50 + 0.1 * t + 5 * np.sin(2 * np.pi * t / period)
    if freq is None:
        frame = pd.DataFrame({"step": t, "value": values})
    else:
        stamps = pd.date_range("2001-01-01", periods=n, freq=freq)
        frame = pd.DataFrame({"time": stamps.strftime("%Y-%m-%d %H:%M"),
                              "value": values})
    path = tmp_path / "series.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "out"
    status = main([*QUICK, "--csv", str(path), "--target", "value", "--out",
                   str(out), "--no-plot"])
    text = capsys.readouterr().out
    assert status == 0, text
    assert f"holding out the last {horizon} " in text  # the M4 horizon
    future = pd.read_csv(out / "forecast.csv")
    assert len(future) == horizon and np.isfinite(future["forecast"]).all()
    metrics = pd.read_csv(out / "metrics.csv", index_col="model")
    assert np.isfinite(metrics[["MAE", "RMSE", "MASE", "sMAPE"]].to_numpy()).all()
    coverage = metrics.loc[MODEL_NAMES["sklstm"], ["coverage_80", "coverage_95"]]
    assert ((coverage >= 0) & (coverage <= 1)).all()


def test_help_lists_the_options(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    for option in ("--dataset", "--csv", "--target", "--time", "--horizon", "--out"):
        assert option in text
    assert "--quick" not in text


def test_python_dash_m_runs_the_command(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["sklstm", "--help"])
    with pytest.raises(SystemExit) as exc:
        runpy.run_module("sklstm", run_name="__main__")
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("usage: sklstm")


BAD = {
    "missing file": (None, ["--target", "units"], r"no such file"),
    "empty file": ("", ["--target", "units"], r"is empty"),
    "unknown target": ("date,units\n2020-01-01,1\n", ["--target", "unit"],
                       r"--target 'unit' is not a column of data.csv; its columns "
                       r"are 'date', 'units'. Did you mean 'units'\?"),
    "unknown time": ("date,units\n2020-01-01,1\n", ["--target", "units",
                                                     "--time", "day"],
                     r"--time 'day' is not a column"),
    "text in target": ("date,units\n2020-01-01,1\n2020-01-02,12 units\n2020-01-03,3\n",
                       ["--target", "units"],
                       r"--target 'units' must be numeric, but line 3 holds "
                       r"'12 units'"),
    "bad timestamp": ("date,units\n2020-01-01,1\n2020-13-45,2\n2020-01-03,3\n",
                      ["--target", "units", "--time", "date"],
                      r"--time 'date': line 3 holds '2020-13-45', which is not a "
                      r"timestamp"),
    "duplicated timestamps": (
        "date,units\n2020-01-01,1\n2020-01-02,2\n2020-01-02,3\n2020-01-03,4\n",
        ["--target", "units", "--time", "date"],
        r"--time 'date' has duplicated timestamps \(2020-01-02 00:00:00 appears 2 "
        r"times"),
    "irregular timestamps": (
        "date,units\n2020-01-01,1\n2020-01-02,2\n2020-01-02 07:00,3\n",
        ["--target", "units", "--time", "date"],
        r"not equally spaced"),
    "no values": ("date,units\n2020-01-01,\n2020-01-02,\n",
                  ["--target", "units"], r"has no values"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_csv_is_one_line_and_status_2(case, tmp_path, capsys):
    text, options, message = BAD[case]
    path = tmp_path / "data.csv" if text is None else _write(tmp_path, text)
    status = main(["--csv", str(path), *options, "--out", str(tmp_path / "o")])
    captured = capsys.readouterr()
    assert status == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("sklstm: error: ")
    assert re.search(message, lines[0]), lines[0]
    assert "Traceback" not in captured.err
    assert not (tmp_path / "o").exists()


def test_too_few_rows_for_the_horizon(tmp_path, capsys):
    path = _monthly_csv(tmp_path, n=30)
    status = main(["--csv", str(path), "--target", "units", "--horizon", "12",
                   "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip()
    assert status == 2 and len(err.splitlines()) == 1
    assert err == ("sklstm: error: sales.csv:units has 30 rows, too few for "
                   "--horizon 12: the forecaster needs 20 rows before the 12 held "
                   "out, so at least 32; lower --horizon or pass more history.")
    assert not (tmp_path / "o").exists()


def test_short_series_runs_with_a_recursive_forecast(tmp_path, capsys):
    # 38 months: 18 held out leave 20 rows, too few for 18 outputs per window,
    # and room for one held-out origin, none to calibrate its intervals on
    path = _monthly_csv(tmp_path, n=38)
    status = main([*QUICK, "--csv", str(path), "--target", "units",
                   "--out", str(tmp_path / "o"), "--no-plot"])
    text = capsys.readouterr().out
    assert status == 0, text
    assert "holding out the last 18" in text  # the monthly default horizon
    assert "recursive" in text
    assert "from 1 origin(s)" in text
    assert "intervals of the sklstm forecaster: n/a on the held-out part" in text
    assert "note: the series is too short for calibration origins" in text
    future = pd.read_csv(tmp_path / "o" / "forecast.csv")
    assert len(future) == 18
    assert np.isfinite(future.drop(columns="time").to_numpy()).all()


@pytest.mark.parametrize("argv, message", [
    (["--csv", "x.csv"], "--csv needs --target COL"),
    (["--dataset", "co2", "--csv", "x.csv", "--target", "y"], "either --dataset or"),
    (["--target", "units"], "--target and --time go with --csv"),
    (["--horizon", "0"], "--horizon must be a positive integer"),
    (["--members", "0"], "--members must be a positive integer"),
    (["--season", "1"], "--season periods must be at least 2 steps, got 1."),
    (["--season", "12", "--no-season"], "either --season or --no-season"),
])
def test_bad_option_combinations(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err


def test_an_out_path_under_a_file_is_refused_before_any_work(tmp_path, capsys):
    blocker = tmp_path / "taken"
    blocker.write_text("a file")
    for out in (blocker, blocker / "sub"):
        status = main([*QUICK, "--out", str(out)])
        err = capsys.readouterr().err.strip()
        assert status == 2 and len(err.splitlines()) == 1
        assert "is a file, not a folder" in err and str(blocker) in err


def test_a_constant_series_is_forecast_and_mase_is_n_a(tmp_path, capsys):
    index = pd.date_range("2015-01-01", periods=60, freq="MS")
    pd.DataFrame({"date": index.strftime("%Y-%m-%d"), "units": 5.0}).to_csv(
        tmp_path / "flat.csv", index=False)
    status = main([*QUICK, "--csv", str(tmp_path / "flat.csv"), "--target", "units",
                   "--out", str(tmp_path / "o"), "--no-plot"])
    text = capsys.readouterr().out
    assert status == 0, text
    row = next(line for line in text.splitlines()
               if line.startswith("sklstm forecaster"))
    assert "n/a" in row
    future = pd.read_csv(tmp_path / "o" / "forecast.csv")
    np.testing.assert_allclose(future["forecast"], 5.0, atol=1e-6)


def test_missing_matplotlib_skips_the_plot_with_a_note(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    path = _monthly_csv(tmp_path)
    status = main([*QUICK, "--csv", str(path), "--target", "units",
                   "--horizon", "6", "--out", str(tmp_path / "o")])
    text = capsys.readouterr().out
    assert status == 0
    notes = [line for line in text.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "pip install 'sklstm[plot]'" in notes[0]
    assert (tmp_path / "o" / "forecast.csv").exists()
    assert not (tmp_path / "o" / "forecast.png").exists()


def test_format_table_sorts_and_compares_with_the_naive_recipe():
    metrics = pd.DataFrame(
        {"MAE": [50.0, 10.0, 40.0], "RMSE": [60.0, 12.0, 45.0],
         "MASE": [2.0, 0.4, 1.6], "sMAPE": [9.0, 2.0, 8.0]},
        index=[MODEL_NAMES["snaive"], MODEL_NAMES["sklstm"], MODEL_NAMES["naive_lstm"]],
    )
    lines = format_table(metrics).splitlines()
    assert [line[:26].strip() for line in lines[1:]] == [
        MODEL_NAMES["sklstm"], MODEL_NAMES["naive_lstm"], MODEL_NAMES["snaive"],
    ]
    assert lines[1].endswith("75% lower")
    assert lines[2].endswith("baseline")
    assert lines[3].endswith("25% higher")


def test_season_and_lookback_options_reach_the_forecaster(tmp_path, capsys):
    path = _monthly_csv(tmp_path)
    status = main([*QUICK, "--csv", str(path), "--target", "units", "--horizon", "6",
                   "--season", "6", "--lookback", "10", "--out", str(tmp_path / "o"),
                   "--no-plot"])
    text = capsys.readouterr().out
    assert status == 0, text
    assert "season: 6 (3 harmonics)" in text
    assert "lookback 10," in text
    status = main([*QUICK, "--csv", str(path), "--target", "units", "--horizon", "6",
                   "--no-season", "--out", str(tmp_path / "p"), "--no-plot"])
    assert status == 0
    assert "season: none" in capsys.readouterr().out


def test_every_bundled_dataset_runs_quickly(tmp_path, capsys):
    # a day of half-hours; the M4 horizon of weekly data
    for name, horizon in (("electricity", "48"), ("co2", "13")):
        status = main([*QUICK, "--dataset", name, "--out", str(tmp_path / name),
                       "--no-plot"])
        text = capsys.readouterr().out
        assert status == 0, text
        future = pd.read_csv(tmp_path / name / "forecast.csv")
        assert len(future) == int(horizon)
    assert "season: 48 (10 harmonics), 336 (10 harmonics)" in (
        tmp_path / "electricity" / "config.txt").read_text()



# ------------------------------------------------------------ covariates
def _promo_csv(tmp_path, n=80, ahead=6, missing_ahead=0):
    """Monthly units that jump by 40 in promotion months; the promotion plan
    runs ``ahead`` months past the last sale, its last ``missing_ahead``
    months left empty."""
    rng = np.random.default_rng(0)
    t = np.arange(n + ahead)
    promo = (t % 5 == 0).astype(float)
    units = 100 + 0.2 * t + 40 * promo + rng.normal(0, 1, len(t))
    frame = pd.DataFrame({
        "date": pd.date_range("2010-01-01", periods=len(t), freq="MS")
        .strftime("%Y-%m-%d"),
        "units": units.round(2), "promo": promo,
        "price": (5 + np.sin(t / 3)).round(3)})
    frame.loc[n:, "units"] = np.nan
    frame.loc[n:, "price"] = np.nan  # known only up to now
    if missing_ahead:
        frame.loc[len(t) - missing_ahead:, "promo"] = np.nan
    path = tmp_path / "promo.csv"
    frame.to_csv(path, index=False)
    return path, promo[n:]


def test_future_known_columns_are_read_from_the_rows_after_the_target(tmp_path,
                                                                      capsys):
    path, plan = _promo_csv(tmp_path)
    out = tmp_path / "o"
    status = main([*QUICK, "--csv", str(path), "--target", "units", "--future",
                   "promo", "--features", "price", "--horizon", "6", "--out",
                   str(out), "--no-plot"])
    text = capsys.readouterr().out
    assert status == 0, text
    assert "promo.csv:units, 80 rows" in text
    assert ("covariates: known in advance promo (a regression); known up to now "
            "price (network inputs)") in text
    future = pd.read_csv(out / "forecast.csv", index_col="time", parse_dates=True)
    assert future.index[0] == pd.Timestamp("2016-09-01") and len(future) == 6
    # the regression on the plan: promotion months are forecast ~40 higher
    jump = future["forecast"][plan == 1].mean() - future["forecast"][plan == 0].mean()
    assert 25 < jump < 55


def test_a_future_column_without_enough_planned_rows_is_named(tmp_path, capsys):
    path, _ = _promo_csv(tmp_path, missing_ahead=2)
    status = main([*QUICK, "--csv", str(path), "--target", "units", "--future",
                   "promo", "--horizon", "6", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip()
    assert status == 2 and len(err.splitlines()) == 1
    assert err == ("sklstm: error: --future 'promo' has values for 4 of the 6 "
                   "forecast steps after the last --target value (2016-08-01); it "
                   "lacks 2017-01-01 .. 2017-02-01. Add those rows to the file with "
                   "the column's planned values (the target left empty), or lower "
                   "--horizon.")
    assert not (tmp_path / "o").exists()


def test_calendar_terms_are_generated_from_the_dates(tmp_path, capsys):
    n = 140
    t = np.arange(n)
    weekend = (pd.date_range("2021-03-01", periods=n, freq="D").day_of_week >= 5)
    frame = pd.DataFrame({
        "day": pd.date_range("2021-03-01", periods=n, freq="D").strftime("%Y-%m-%d"),
        "visits": 200 + 0.1 * t - 60 * weekend})
    path = tmp_path / "visits.csv"
    frame.to_csv(path, index=False)
    status = main([*QUICK, "--csv", str(path), "--target", "visits", "--calendar",
                   "--no-season", "--out", str(tmp_path / "o"), "--no-plot"])
    text = capsys.readouterr().out
    assert status == 0, text
    assert re.search(r"covariates: known in advance \d+ calendar terms \(month, "
                     r"dayofweek\)", text)
    future = pd.read_csv(tmp_path / "o" / "forecast.csv", index_col="time",
                         parse_dates=True)
    ends = future.index.day_of_week >= 5
    # no season given: the weekly dip comes from the day-of-week terms
    assert future["forecast"][~ends].mean() - future["forecast"][ends].mean() > 40


@pytest.mark.parametrize("argv, message", [
    (["--future", "promo"], "--features and --future name columns of a --csv"),
    (["--csv", "x.csv", "--target", "y", "--future", "a", "--features", "a"],
     r"column\(s\) \['a'\] are in both --features and --future"),
    (["--csv", "x.csv", "--target", "y", "--future", "a", "a"],
     r"--future names \['a'\] more than once"),
])
def test_bad_covariate_options(argv, message, capsys):
    assert main(argv) == 2
    assert re.search(message, capsys.readouterr().err)
