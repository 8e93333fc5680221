"""benchmarks/accuracy.py: its protocol uses no future value, and its report."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "accuracy.py"


@pytest.fixture(scope="module")
def acc():
    spec = importlib.util.spec_from_file_location("sklstm_accuracy_bench", PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


@pytest.fixture(scope="module")
def setting(acc):
    return acc.load_setting("airline")


class LastValue:
    """Predicts, for every row and step ahead, the value in that row."""

    def predict(self, X):
        values = np.asarray(X, dtype=float)[:, :1]
        return np.repeat(values, 3, axis=1)


class Peeking(LastValue):
    """Remembers every history it is shown."""

    def __init__(self):
        self.seen = []

    def predict(self, X):
        self.seen.append(X.index[-1])
        return super().predict(X)


def test_one_step_forecasts_use_the_history_up_to_each_origin(acc, setting):
    model = Peeking()
    one, multi = acc.sklearn_forecasts(model, setting, fill=True)
    series = setting.series.to_numpy()
    n = setting.n_train
    # the last value before each origin is the naive forecast, nothing later
    np.testing.assert_array_equal(one, series[n - 1:-1])
    np.testing.assert_array_equal(multi, [series[n - 1]] * 3)
    assert model.seen[:-1] == list(setting.series.index[n - 1:-1])
    assert model.seen[-1] == setting.series.index[n - 1]


def test_naive_models_and_split(acc, setting):
    assert setting.n_train == 120 and setting.horizon == 24
    assert setting.positive and setting.non_negative
    X, Y = setting.supervised()
    assert X.index[-1] < setting.holdout.index[0] and Y.shape[1] == 24
    values = setting.series.to_numpy()
    one, multi = acc.m_snaive(setting, 0, True)["seasonal naive"]
    np.testing.assert_array_equal(one, values[120 - 12:144 - 12])
    np.testing.assert_array_equal(multi, np.tile(values[108:120], 2))
    one, multi = acc.m_naive(setting, 0, True)["naive"]
    np.testing.assert_array_equal(one, values[119:143])
    assert (multi == values[119]).all()


def test_score_counts_negative_predictions(acc, setting):
    pred = setting.holdout.to_numpy().copy()
    pred[:6] = -1.0
    row = acc.score(setting.holdout, pred, setting)
    assert row["neg %"] == 25.0
    exact = acc.score(setting.holdout, setting.holdout.to_numpy(), setting)
    assert exact["MAE"] == 0.0 and exact["MASE"] == 0.0 and exact["neg %"] == 0.0


def test_ridge_and_tables(acc, setting):
    raw = []
    for key in ("snaive", "naive", "ridge"):
        for label, (one, multi) in acc.MODELS[key].fit(setting, 0, True).items():
            for proto, pred in (("one", one), ("multi", multi)):
                raw.append({"model": label, "seed": None, "protocol": proto,
                            **acc.score(setting.holdout, pred, setting),
                            "seconds": 0.0})
    tables = {"airline": acc.summarise(pd.DataFrame(raw))}
    one = tables["airline"]["one"]
    # a ridge on lags beats both naive forecasts on airline, one step ahead
    assert one.loc["Ridge on lag features", "MASE"] < one.loc["naive", "MASE"] < 2
    rank = acc.ranks(tables)
    assert rank.index[0] == "Ridge on lag features"
    assert list(rank.columns) == ["airline 1-step", "airline H-step", "mean rank"]
    md = acc.report(tables, acc.markdown, acc._md_heading)
    assert "## airline" in md and "### H steps ahead, direct" in md
    assert md.count("| Ridge on lag features |") == 3  # two tables and the ranks
    rst = acc.report(tables, acc.rst, acc._rst_heading)
    assert ".. list-table::" in rst and "   * - Ridge on lag features" in rst


def test_statsforecast_models_are_skipped_when_missing(acc, monkeypatch, capsys):
    import builtins

    real = builtins.__import__

    def no_statsforecast(name, *args, **kw):
        if name == "statsforecast":
            raise ImportError(name)
        return real(name, *args, **kw)

    monkeypatch.setattr(builtins, "__import__", no_statsforecast)
    assert acc.available(["snaive", "ets", "arima", "ridge"]) == ["snaive", "ridge"]
    assert "statsforecast is not installed" in capsys.readouterr().out
