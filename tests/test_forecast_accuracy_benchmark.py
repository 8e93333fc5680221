"""benchmarks/forecast_accuracy.py: its data, its M4-style split, its summary,
and a tiny smoke run."""


import numpy as np
import pandas as pd
import pytest
from conftest import benchmark_modules


@pytest.fixture(scope="module")
def bench():
    with benchmark_modules("series", "forecast_accuracy") as (series, module):
        yield module, series


def test_the_21_series_load_on_regular_indexes(bench):
    _, S = bench
    assert len(S.names()) == 21
    kinds = {}
    for name in S.names():
        case = S.load(name)
        kinds[case.kind] = kinds.get(case.kind, 0) + 1
        index = case.series.index
        if isinstance(index, pd.DatetimeIndex):
            assert index.freq is not None, name
        else:
            assert (np.diff(index.to_numpy()) == 1).all(), name
        assert len(case.train) + len(case.test) == len(case.series)
    assert kinds == {"monthly": 8, "quarterly": 4, "yearly": 3, "weekly": 1,
                     "half-hourly": 1, "other": 4}
    assert int(S.load("presidents").series.isna().sum()) == 6


@pytest.mark.parametrize("name, horizon, m", [
    ("nhtemp", 6, 1), ("UKgas", 8, 4), ("airline", 18, 12), ("co2", 13, 52),
    ("WWWusage", 10, 1), ("treering", 798, 1), ("electricity", 403, 1),
])
def test_m4_horizons_and_mase_lags(bench, name, horizon, m):
    _, S = bench
    case = S.load(name)
    assert case.horizon == horizon and case.mase_m == m
    assert case.test.index[0] > case.train.index[-1]


def test_naive_forecasts_and_scores(bench):
    F, S = bench
    case = S.load("USAccDeaths")
    naive = F.f_naive(case, 0, {})
    assert (naive == case.train.iloc[-1]).all()
    snaive = F.f_snaive(case, 0, {})
    np.testing.assert_array_equal(snaive[:12], case.train.to_numpy()[-12:])
    exact = F.score(case, case.test.to_numpy())
    assert exact["MASE"] == 0.0 and exact["neg %"] == 0.0
    negative = case.test.to_numpy().copy()
    negative[:9] = -1.0
    assert F.score(case, negative)["neg %"] == 50.0
    with pytest.raises(ValueError, match="non-finite"):
        F.score(case, np.full(case.horizon, np.nan))


def test_variants_parse_nested_values(bench):
    F, _ = bench
    label, params = F.parse_variant(
        "wd:network_params={'weight_decay': 0.01, 'dropout': 0.1},n_members=3,"
        "config.EPOCHS=10,combine=mean")
    assert label == "wd"
    assert params == {"network_params": {"weight_decay": 0.01, "dropout": 0.1},
                      "n_members": 3, "config.EPOCHS": 10, "combine": "mean"}


def test_summary_counts_ranks_wins_and_failures(bench):
    F, _ = bench
    rows = []
    for series, scores in {"a": (1.0, 2.0, 3.0), "b": (2.0, 1.0, 3.0),
                           "c": (0.5, 2.5, 1.5)}.items():
        for model, mase in zip(("sklstm", "naive", "AutoETS"), scores, strict=True):
            rows.append({"series": series, "kind": "monthly", "model": model,
                         "seed": 0 if model == "sklstm" else None, "MASE": mase,
                         "sMAPE": 1.0, "neg %": 0.0, "seconds": 0.1,
                         "error": "boom" if (series, model) == ("c", "AutoETS")
                         else ""})
    table = F.summary(pd.DataFrame(rows), ["sklstm", "naive", "AutoETS"])
    assert table.index[0] == "sklstm"
    assert table.loc["sklstm", "mean rank"] == pytest.approx(4 / 3)
    assert table.loc["sklstm", "median MASE"] == 1.0
    assert table.loc["sklstm", "beats naive"] == "2/3"
    assert table.loc["sklstm", "beats AutoETS"] == "3/3"
    assert table.loc["naive", "beats naive"] == "-"
    assert table.loc["AutoETS", "failures"] == 1
    # geometric mean of 2/1, 1/2 and 2.5/0.5
    assert table.loc["naive", "MASE vs sklstm"] == pytest.approx(5 ** (1 / 3))
    assert table.loc["sklstm", "MASE vs sklstm"] == 1.0


def test_smoke_run_writes_the_tables(bench, tmp_path, capsys):
    F, _ = bench
    out, csv, rst = tmp_path / "r.md", tmp_path / "r.csv", tmp_path / "r.rst"
    status = F.main(["--smoke", "--series", "nhtemp", "--jobs", "1",
                     "--models", "naive", "seasonal naive", "Ridge on lag features",
                     "sklstm", "--variant", "one member:n_members=1",
                     "--out", str(out), "--csv", str(csv), "--rst", str(rst)])
    assert status == 0
    raw = pd.read_csv(csv)
    assert set(raw["model"]) == {"naive", "seasonal naive", "Ridge on lag features",
                                 "sklstm", "one member"}
    assert raw["error"].isna().all(), raw["error"]
    assert np.isfinite(raw["MASE"]).all()
    text = out.read_text()
    assert "## Summary" in text and "### nhtemp (yearly, n=60, H=6)" in text
    assert "| sklstm |" in text
    assert ".. list-table::" in rst.read_text()
    capsys.readouterr()
