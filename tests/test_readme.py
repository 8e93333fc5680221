"""The README's examples run as written."""

import re
from pathlib import Path

import pandas as pd

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_forecaster_example_runs(capsys):
    code = _blocks()[0]
    assert "LSTMForecaster(horizon=12" in code
    # the same example with tiny networks, to keep the test fast
    code = code.replace("random_state=0)", "random_state=0, n_members=2, "
                        "max_epochs=3)")
    namespace: dict = {}
    exec(compile(code, str(README), "exec"), namespace)
    assert capsys.readouterr().out.startswith("monthly steps, 144 rows; season: 12")
    forecast = namespace["forecast"]
    assert len(forecast) == 12 and forecast.index[0] == pd.Timestamp("1961-01-01")
    assert (forecast > 0).all()


def test_readme_pipeline_example_runs(capsys):
    blocks = _blocks()
    assert len(blocks) == 3, "README has three python examples"
    namespace: dict = {}
    exec(compile(blocks[1], str(README), "exec"), namespace)
    search = namespace["search"]
    printed = capsys.readouterr().out
    assert "regressor__lstm__hidden_size" in printed
    assert printed.strip().endswith("True")
    assert search.best_params_["regressor__lstm__hidden_size"] in (8, 16)


def test_readme_backtest_example_runs(capsys):
    code = _blocks()[2]
    assert "backtest(model, passengers, horizon=6, levels=[0.8, 0.95])" in code
    namespace: dict = {}
    exec(compile(code, str(README), "exec"), namespace)
    frame = namespace["frame"]
    assert list(frame["h"].unique()) == [1, 2, 3, 4, 5, 6]
    assert {"lower_80", "upper_80", "lower_95", "upper_95"} <= set(frame.columns)
    assert (frame["lower_95"] <= frame["lower_80"]).all()
    assert (frame["lower_80"] <= frame["forecast"]).all()
    assert (frame["forecast"] <= frame["upper_80"]).all()
    printed = capsys.readouterr().out
    assert "MASE" in printed
    metrics = namespace["backtest_metrics"](frame, namespace["passengers"], m=12)
    assert {"coverage_80", "coverage_95"} <= set(metrics.columns)
