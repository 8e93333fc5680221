"""The sklstm command on a long CSV file (``--id``): one forecast per series."""

import io
import sys

import numpy as np
import pandas as pd
import pytest

from sklstm.cli import main

QUICK = ["--quick", "--n-jobs", "1"]
H = 6
# store: (first month, rows); store "c" misses its 11th month (a gap)
STORES = {"a": ("2015-01-01", 60), "b": ("2016-06-01", 40), "c": ("2017-03-01", 36)}


def _write_long(path, stores=STORES, drop_id_at=None):
    rng = np.random.default_rng(0)
    rows = []
    for key, (start, n) in stores.items():
        t = np.arange(n)
        y = 100 + t + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, n)
        for i, (d, v) in enumerate(zip(pd.date_range(start, periods=n, freq="MS"),
                                       y, strict=True)):
            if key == "c" and i == 10:
                continue
            rows.append((key, d.strftime("%Y-%m-%d"), round(float(v), 2)))
    frame = pd.DataFrame(rows, columns=["store", "date", "sales"])
    if drop_id_at is not None:
        frame.loc[drop_id_at, "store"] = None
    frame.to_csv(path, index=False)
    return path


def _run(argv, capsys):
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture(scope="module")
def panel_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("panel")
    csv = _write_long(tmp / "long.csv")
    out = tmp / "out"
    capture = pytest.MonkeyPatch()
    buffer = io.StringIO()
    capture.setattr(sys, "stdout", buffer)
    try:
        status = main([*QUICK, "--csv", str(csv), "--target", "sales", "--time",
                       "date", "--id", "store", "--horizon", str(H), "--out",
                       str(out)])
    finally:
        capture.undo()
    return status, buffer.getvalue(), out


def test_panel_run_prints_the_summary(panel_run):
    status, text, _ = panel_run
    assert status == 0
    assert ("sklstm: long.csv:sales by store, 3 series of 36 .. 60 rows (1 gaps); "
            "holding out the last 6 of each") in text
    assert "held-out forecasts of 6 steps, one origin per series" in text
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("MASE over 3 series"))
    assert header.split()[-2:] == ["median", "mean"]
    assert any(line.startswith("sklstm forecaster ") for line in lines)
    assert any(line.startswith("seasonal naive ") for line in lines)
    assert "the sklstm forecaster beats seasonal naive on " in text
    assert " of 3 series (" in text
    assert "worst series by MASE (sklstm forecaster vs seasonal naive): " in text
    assert "skipped" not in text


def test_panel_run_writes_one_forecast_per_series(panel_run):
    _, text, out = panel_run
    assert "wrote forecast.csv, holdout.csv, metrics.csv, forecast.png" in text
    assert (out / "forecast.png").stat().st_size > 0
    forecast = pd.read_csv(out / "forecast.csv", parse_dates=["time"])
    assert list(forecast.columns) == ["store", "time", "forecast"]
    assert len(forecast) == 3 * H
    assert np.isfinite(forecast["forecast"]).all()
    for key, (start, n) in STORES.items():
        mine = forecast[forecast["store"] == key]
        last = pd.date_range(start, periods=n, freq="MS")[-1]
        expected = pd.date_range(last, periods=H + 1, freq="MS")[1:]
        assert list(mine["time"]) == list(expected), key

    holdout = pd.read_csv(out / "holdout.csv", parse_dates=["time"])
    assert list(holdout.columns) == ["store", "origin", "h", "time", "actual",
                                     "sklstm forecaster", "seasonal naive"]
    assert len(holdout) == 3 * H
    for key, (start, n) in STORES.items():
        times = pd.date_range(start, periods=n, freq="MS")[-H:]
        assert list(holdout.loc[holdout["store"] == key, "time"]) == list(times)

    metrics = pd.read_csv(out / "metrics.csv", index_col="store")
    assert list(metrics.index) == ["a", "b", "c"]
    for model in ("sklstm", "snaive"):
        for score in ("MAE", "RMSE", "MASE", "sMAPE"):
            assert np.isfinite(metrics[f"{score}_{model}"]).all()
    assert list(metrics["rows"]) == [60, 40, 36]  # the gap is a row


def test_panel_skips_a_series_too_short(tmp_path, capsys):
    stores = {**STORES, "d": ("2019-01-01", 22)}  # 22 - 6 < the 20 needed
    csv = _write_long(tmp_path / "long.csv", stores)
    status, out, _ = _run([*QUICK, "--csv", str(csv), "--target", "sales",
                           "--time", "date", "--id", "store", "--horizon", str(H),
                           "--no-plot", "--out", str(tmp_path / "o")], capsys)
    assert status == 0
    assert "note: skipped 1 series too short for --horizon 6: 'd'" in out
    forecast = pd.read_csv(tmp_path / "o" / "forecast.csv")
    assert sorted(forecast["store"].unique()) == ["a", "b", "c"]


def test_panel_every_series_too_short_is_an_error(tmp_path, capsys):
    csv = _write_long(tmp_path / "long.csv")
    status, _, err = _run([*QUICK, "--csv", str(csv), "--target", "sales",
                           "--time", "date", "--id", "store", "--horizon", "41",
                           "--out", str(tmp_path / "o")], capsys)
    assert status == 2
    assert err == (
        "sklstm: error: long.csv:sales by store: every series is too short for "
        "--horizon 41: the forecaster needs 20 observed rows before the 41 held "
        "out (3 series: 'a', 'b', 'c'); lower --horizon or pass more history.\n")


def test_panel_empty_id_names_the_line(tmp_path, capsys):
    csv = _write_long(tmp_path / "long.csv", drop_id_at=4)
    status, _, err = _run([*QUICK, "--csv", str(csv), "--target", "sales",
                           "--time", "date", "--id", "store", "--out",
                           str(tmp_path / "o")], capsys)
    assert status == 2
    assert err == ("sklstm: error: --id 'store' is empty at line 6 (1 such row(s)); "
                   "every row needs its series.\n")


def test_panel_bad_stamp_names_its_series_and_line(tmp_path, capsys):
    csv = _write_long(tmp_path / "long.csv")
    frame = pd.read_csv(csv)
    frame.loc[70, "date"] = "soon"  # a row of store "b"
    frame.to_csv(csv, index=False)
    status, _, err = _run([*QUICK, "--csv", str(csv), "--target", "sales",
                           "--time", "date", "--id", "store", "--out",
                           str(tmp_path / "o")], capsys)
    assert status == 2
    assert err.startswith("sklstm: error: series 'b' (--id 'store'): --time 'date': "
                          "line 72 holds 'soon'")
    assert err.count("\n") == 1


@pytest.mark.parametrize("extra, message", [
    ([], "--id names the series column of a long --csv file."),
    (["--csv", "x.csv", "--target", "y"], "--id needs --time COL, the time-stamp "
     "column."),
])
def test_panel_usage_errors(extra, message, capsys):
    status, _, err = _run(["--id", "store", *extra], capsys)
    assert status == 2
    assert err == f"sklstm: error: {message}\n"


def _check_forecasts_and_scores(out):
    """H finite forecasts per store, from its own end; finite held-out MASE."""
    forecast = pd.read_csv(out / "forecast.csv", parse_dates=["time"])
    assert len(forecast) == 3 * H and np.isfinite(forecast["forecast"]).all()
    for key, (start, n) in STORES.items():
        last = pd.date_range(start, periods=n, freq="MS")[-1]
        first = forecast.loc[forecast["store"] == key, "time"].iloc[0]
        assert first == last + pd.offsets.MonthBegin(1)
    metrics = pd.read_csv(out / "metrics.csv", index_col="store")
    assert np.isfinite(metrics["MASE_sklstm"]).all()


def test_global_panel_run(tmp_path, capsys):
    """--global: one model across the series, the same files per series."""
    csv = _write_long(tmp_path / "long.csv")
    status, out, _ = _run([*QUICK, "--csv", str(csv), "--target", "sales",
                           "--time", "date", "--id", "store", "--horizon", str(H),
                           "--global", "--no-plot", "--out", str(tmp_path / "o")],
                          capsys)
    assert status == 0
    assert ("trained one global model (2 network(s), 3 series) on the training "
            "parts") in out
    _check_forecasts_and_scores(tmp_path / "o")
    # the held-out forecasts level with the data: within the series' range
    holdout = pd.read_csv(tmp_path / "o" / "holdout.csv")
    assert (holdout["sklstm forecaster"] - holdout["actual"]).abs().max() < 60


def test_global_needs_id(capsys):
    status, _, err = _run(["--global"], capsys)
    assert status == 2
    assert err == ("sklstm: error: --global trains one model across the series of "
                   "a long file: it needs --id COL.\n")


def _write_long_covariates(path, lacking=None):
    """Three stores with a promotion (planned: 6 rows after each store's last
    sales value, sales empty there) and a temperature (measured)."""
    rng = np.random.default_rng(1)
    rows = []
    for key, (start, n) in STORES.items():
        t = np.arange(n + H)
        promo = (rng.random(n + H) < 0.3).astype(int)
        temp = rng.normal(10, 3, n + H)
        y = 100 + t + 10 * np.sin(2 * np.pi * t / 12) + 25 * promo \
            + rng.normal(0, 1, n + H)
        dates = pd.date_range(start, periods=n + H, freq="MS")
        last = n + H - (2 if key == lacking else 0)
        for i in range(last):
            sales = round(float(y[i]), 2) if i < n else ""
            rows.append((key, dates[i].strftime("%Y-%m-%d"), sales, promo[i],
                         round(float(temp[i]), 2) if i < n else ""))
    pd.DataFrame(rows, columns=["store", "date", "sales", "promo", "temp"]).to_csv(
        path, index=False)
    return path


@pytest.mark.parametrize("extra", [[], ["--global"]])
def test_panel_with_covariates(tmp_path, capsys, extra):
    csv = _write_long_covariates(tmp_path / "long.csv")
    status, out, _ = _run([*QUICK, "--csv", str(csv), "--target", "sales",
                           "--time", "date", "--id", "store", "--horizon", str(H),
                           "--future", "promo", "--features", "temp", "--calendar",
                           *extra, "--no-plot", "--out", str(tmp_path / "o")],
                          capsys)
    assert status == 0
    assert ("  covariates: known in advance promo, 12 calendar terms (month) (a "
            "regression); known up to now temp (network inputs)") in out
    _check_forecasts_and_scores(tmp_path / "o")


def test_panel_future_column_without_its_rows_names_the_series(tmp_path, capsys):
    csv = _write_long_covariates(tmp_path / "long.csv", lacking="b")
    status, _, err = _run([*QUICK, "--csv", str(csv), "--target", "sales",
                           "--time", "date", "--id", "store", "--horizon", str(H),
                           "--future", "promo", "--out", str(tmp_path / "o")],
                          capsys)
    assert status == 2
    assert err.startswith("sklstm: error: series 'b' (--id 'store'): --future "
                          "'promo' has values for 4 of the 6 forecast steps")
    assert err.count("\n") == 1


def test_panel_series_in_any_order_in_the_file(tmp_path, capsys):
    """Rows of the series in the file's own order (not sorted by id, rows of
    one series not together): the run sorts them."""
    csv = _write_long(tmp_path / "long.csv")
    frame = pd.read_csv(csv)
    order = {"c": 0, "a": 1, "b": 2}
    shuffled = frame.sample(frac=1.0, random_state=0)
    shuffled = shuffled.iloc[np.argsort(shuffled["store"].map(order).to_numpy(),
                                        kind="stable")]
    shuffled.iloc[::-1].to_csv(csv, index=False)
    status, out, _ = _run([*QUICK, "--csv", str(csv), "--target", "sales",
                           "--time", "date", "--id", "store", "--horizon", str(H),
                           "--no-plot", "--out", str(tmp_path / "o")], capsys)
    assert status == 0
    metrics = pd.read_csv(tmp_path / "o" / "metrics.csv", index_col="store")
    assert list(metrics.index) == ["a", "b", "c"]
    assert list(metrics["rows"]) == [60, 40, 36]


@pytest.mark.parametrize("extra", [[], ["--global"]])
def test_panel_windows_backtests_each_series_from_several_origins(
        tmp_path, capsys, extra):
    csv = _write_long(tmp_path / "long.csv")
    status, out, _ = _run([*QUICK, "--csv", str(csv), "--target", "sales",
                           "--time", "date", "--id", "store", "--horizon", str(H),
                           "--windows", "3", *extra, "--out", str(tmp_path / "o")],
                          capsys)
    assert status == 0
    assert "on the training parts at each of 3 origins" in out
    assert ("held-out forecasts of 6 steps, 3 origins per series, 2 row(s) apart, "
            "the last 6 rows before its end") in out
    holdout = pd.read_csv(tmp_path / "o" / "holdout.csv", parse_dates=["origin",
                                                                       "time"])
    assert len(holdout) == 3 * 3 * H
    for key, (start, n) in STORES.items():
        mine = holdout[holdout["store"] == key]
        stamps = pd.date_range(start, periods=n, freq="MS")
        origins = sorted(mine["origin"].unique())
        assert origins == list(stamps[[n - 1 - H - 4, n - 1 - H - 2, n - 1 - H]])
        # seasonal naive from each origin: the value one season before
        first = mine[mine["origin"] == origins[0]].iloc[0]
        assert np.isfinite(first["seasonal naive"])
    metrics = pd.read_csv(tmp_path / "o" / "metrics.csv", index_col="store")
    assert np.isfinite(metrics[["MASE_sklstm", "MASE_snaive"]]).all().all()
    assert (tmp_path / "o" / "forecast.png").stat().st_size > 0
