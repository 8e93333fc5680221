"""The sklstm command: a quick full run, its files, and one-line errors for bad CSVs."""

import io
import re
import runpy
import sys

import numpy as np
import pandas as pd
import pytest

from sklstm.cli import MODEL_NAMES, format_table, main

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
    assert "holding out the last 24" in text
    assert "[cv] hidden_size=4" in text and "[cv] hidden_size=8" in text
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
    assert list(future.columns) == ["forecast"]
    assert len(future) == 24
    assert future.index[0] == pd.Timestamp("1961-01-01")
    assert future.index[-1] == pd.Timestamp("1962-12-01")
    assert np.isfinite(future["forecast"]).all() and (future["forecast"] >= 0).all()

    holdout = pd.read_csv(out / "holdout.csv", index_col="time", parse_dates=True)
    assert holdout.index[0] == pd.Timestamp("1959-01-01") and len(holdout) == 24
    assert holdout["actual"].iloc[-1] == 432.0
    assert set(MODEL_NAMES.values()) <= set(holdout.columns)
    # the seasonal-naive forecast repeats 1958
    assert holdout[MODEL_NAMES["snaive"]].iloc[:3].tolist() == [340.0, 318.0, 362.0]

    metrics = pd.read_csv(out / "metrics.csv", index_col="model")
    assert list(metrics.columns) == ["MAE", "RMSE", "MASE", "sMAPE"]
    assert (metrics["RMSE"] >= metrics["MAE"]).all()
    assert (out / "forecast.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_runs_are_reproducible(airline_run, tmp_path, capsys):
    _, _, first = airline_run
    assert main([*QUICK, "--out", str(tmp_path), "--no-plot"]) == 0
    capsys.readouterr()
    for name in ("forecast.csv", "holdout.csv"):
        assert (tmp_path / name).read_text() == (first / name).read_text()
    assert not (tmp_path / "forecast.png").exists()


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
    assert "sales.csv:units, 90 rows (4 gaps in the training part)" in text
    future = pd.read_csv(out / "forecast.csv", index_col="time", parse_dates=True)
    assert future.index[0] == pd.Timestamp("2022-07-01") and len(future) == 6


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


def test_too_few_rows_for_horizon_and_lookback(tmp_path, capsys):
    path = _monthly_csv(tmp_path, n=40)
    status = main(["--csv", str(path), "--target", "units", "--horizon", "12",
                   "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip()
    assert status == 2 and len(err.splitlines()) == 1
    assert err.startswith("sklstm: error: sales.csv:units has 40 rows, too few for "
                          "--horizon 12 and --lookback 12: they need at least 58")


@pytest.mark.parametrize("argv, message", [
    (["--csv", "x.csv"], "--csv needs --target COL"),
    (["--dataset", "co2", "--csv", "x.csv", "--target", "y"], "either --dataset or"),
    (["--target", "units"], "--target and --time go with --csv"),
    (["--horizon", "0"], "--horizon must be a positive integer"),
])
def test_bad_option_combinations(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err


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


def test_grid_tunes_the_outlier_filter_and_the_epochs():
    from sklearn.base import clone
    from sklearn.model_selection import ParameterGrid

    from sklstm.cli import _grid, _pipeline, _shown, load_problem
    from sklstm.pipeline import LSTM_PARAMS
    from sklstm.preprocessing import MedianOutlierFilter

    args = build_args("--dataset", "electricity")
    problem = load_problem(args)
    grid = _grid(problem, quick=False)
    assert grid[LSTM_PARAMS + "max_epochs"] == [20, 40]  # the preset's 40, halved
    assert grid["clean"][0] == "passthrough"
    assert isinstance(grid["clean"][1], MedianOutlierFilter)
    model = _pipeline(problem, True, True, 0, quick=False)
    for params in ParameterGrid(grid):  # every candidate is a valid pipeline
        assert clone(model).set_params(**params).get_params()["clean"] is not None
    assert [_shown(v) for v in grid["clean"]] == ["off", "MedianOutlierFilter"]
    airline = _grid(load_problem(build_args()), quick=False)
    assert airline[LSTM_PARAMS + "max_epochs"] == [37, 75]  # the pipeline's default


def build_args(*argv):
    from sklstm.cli import build_parser

    return build_parser().parse_args(list(argv))
