"""benchmarks/interval_accuracy.py: its interval scores, its origins, and a
tiny smoke run."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import benchmark_modules


@pytest.fixture(scope="module")
def bench():
    with benchmark_modules("series", "interval_accuracy") as (_, module):
        yield module


# below, inside (on the bound), above, and an unobserved actual (not scored)
ACTUAL = np.array([1.0, 5.0, 10.0, 3.0, np.nan])
LOWER = np.array([2.0, 2.0, 2.0, 3.0, np.nan])
UPPER = np.array([4.0, 6.0, 8.0, 3.0, np.nan])


def test_msis_by_hand(bench):
    # a = 0.05, penalty 2/a = 40 per unit outside:
    # (2 + 40 * 1) + 4 + (6 + 40 * 2) + 0 = 132 over 4 rows = 33, scale 2
    assert bench.msis(ACTUAL, LOWER, UPPER, 0.05, 2.0) == 16.5
    # a = 0.2, penalty 10: (2 + 10) + 4 + (6 + 20) + 0 = 42, / 4 / 2
    assert bench.msis(ACTUAL, LOWER, UPPER, 0.2, 2.0) == 5.25
    with pytest.raises(ValueError, match="non-finite bound"):
        bench.msis(ACTUAL, np.full(5, np.nan), UPPER, 0.05, 1.0)


def test_coverage_by_hand(bench):
    # inside: 5 in [2, 6] and 3 in [3, 3]; outside: 1 and 10
    assert bench.coverage(ACTUAL, LOWER, UPPER) == 0.5
    assert bench.coverage(ACTUAL[:3], LOWER[:3] - 10, UPPER[:3] + 10) == 1.0
    scores = bench.interval_scores(ACTUAL, {0.95: (LOWER, UPPER)}, 2.0)
    assert scores == {"coverage_95": 0.5, "msis_95": 16.5, "width_95": 1.5}


def test_origins_keep_a_residual_at_every_step(bench):
    # airline: 18 evaluated origins after 19 + 18 - 1 calibration origins
    assert bench.plan_origins(144, 18) == (36, 18)
    # 72 rows leave 35 origins with 20 training rows: 18 calibrate, 17 evaluated
    assert bench.plan_origins(72, 18) == (18, 17)
    assert bench.plan_origins(60, 6, max_eval=2) == (24, 2)
    with pytest.raises(ValueError, match="too few"):
        bench.plan_origins(30, 10)


def test_summary_counts_calibration_wins_and_failures(bench):
    rows = []
    for series, values in {"a": (0.80, 0.70, 2.0, 4.0), "b": (0.90, 0.79, 3.0, 1.5),
                           "c": (0.76, 0.95, 1.0, None)}.items():
        for model, (cov, msis) in zip(("m1", "m2"), [values[::2], values[1::2]],
                                      strict=True):
            failed = msis is None
            rows.append({"series": series, "model": model, "coverage_80": cov,
                         "coverage_95": cov, "msis_95": np.nan if failed else msis,
                         "error": "boom" if failed else ""})
    table = bench.summary(pd.DataFrame(rows), ["m1", "m2"], reference="m1")
    assert table.loc["m1", "within ±5 pts (80)"] == "2/3"  # 0.80, 0.76
    assert table.loc["m2", "within ±5 pts (80)"] == "1/3"  # 0.79 (c failed)
    assert table.loc["m1", "lowest MSIS 95"] == "2/3"
    assert table.loc["m2", "lowest MSIS 95"] == "1/3"
    assert table.loc["m2", "failures"] == 1
    assert table.loc["m2", "MSIS 95 vs m1"] == pytest.approx((2.0 * 0.5) ** 0.5)
    assert table.loc["m1", "median MSIS 95"] == 2.0


def test_smoke_run_gives_every_model_a_coverage(bench, tmp_path, capsys):
    status = bench.main(["--smoke", "--series", "nhtemp", "--jobs", "1",
                         "--out", str(tmp_path)])
    assert status == 0
    raw = pd.read_csv(tmp_path / "interval_accuracy.csv", keep_default_na=False)
    assert list(raw["model"]) == bench.MODELS
    assert (raw["error"] == "").all(), raw["error"]
    assert (raw["n_eval"] == 2).all() and (raw["n_cal"] == 24).all()
    for col in ("coverage_80", "coverage_95"):
        values = raw[col].to_numpy(dtype=float)
        assert np.isfinite(values).all() and ((0 <= values) & (values <= 1)).all()
    assert np.isfinite(raw["msis_95"].to_numpy(dtype=float)).all()
    text = (tmp_path / "interval_accuracy.md").read_text()
    assert "## Summary" in text and "| nhtemp | yearly |" in text
    capsys.readouterr()


def test_quantile_lstm_gives_ordered_finite_bounds(bench):
    # the network's own quantiles on one short series, tiny network
    ctx = bench.Context(bench.S.load("nhtemp"), smoke=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bounds, extra = bench.f_quantile(ctx, smoke=True)[bench.QUANTILE]
    (lo80, up80), (lo95, up95) = bounds[0.8], bounds[0.95]
    assert lo95.shape == (ctx.n_eval, ctx.h)
    for b in (lo80, up80, lo95, up95):
        assert np.isfinite(b).all() and (b >= 0).all()  # nhtemp: no negative value
    # q2.5 <= q10 <= q90 <= q97.5, at every origin and step
    assert (lo95 <= lo80).all() and (lo80 <= up80).all() and (up80 <= up95).all()
    assert extra["fits"] == 2 and extra["lookback"] == 6  # 2 origins: fits at 0, 1
    scores = bench.interval_scores(ctx.actuals, bounds, ctx.scale)
    for key in ("coverage_80", "coverage_95"):
        assert 0.0 <= scores[key] <= 1.0
    assert np.isfinite(scores["msis_95"])


def test_models_alone_merge_into_the_saved_results(bench, tmp_path, capsys):
    # saved results of the other models, then the quantile model merged in
    old = [{"series": "nhtemp", "kind": "yearly", "n": 60, "H": 6, "n_cal": 24,
            "n_eval": 2, "model": m, "coverage_80": 0.5, "coverage_95": 1.0,
            "msis_95": 3.0, "error": ""} for m in bench.MODELS]
    facts = {"command": "python benchmarks/interval_accuracy.py --jobs 2",
             "jobs": 2, "smoke": False, "minutes": 8.3}
    timing = {"seconds": {"backtest n_jobs=1": 1.0, "backtest n_jobs=2": 1.5,
                          "3 separate fits": 2.0}, "torch_threads": 1, "cpus": 2}
    (tmp_path / "interval_accuracy.json").write_text(json.dumps(
        {"facts": facts, "timing": timing, "rows": old}))
    status = bench.main(["--smoke", "--series", "nhtemp", "--jobs", "1",
                         "--models", bench.QUANTILE, "--merge",
                         "--out", str(tmp_path)])
    assert status == 0
    raw = pd.read_csv(tmp_path / "interval_accuracy.csv", keep_default_na=False)
    assert list(raw["model"]) == bench.MODELS
    others = raw[raw["model"] != bench.QUANTILE]
    assert (others["msis_95"] == 3.0).all()  # kept, not re-run
    new = raw[raw["model"] == bench.QUANTILE].iloc[0]
    assert new["error"] == "" and float(new["msis_95"]) != 3.0
    assert float(new["fits"]) == 2
    payload = json.loads((tmp_path / "interval_accuracy.json").read_text())
    assert payload["timing"] == timing
    assert payload["facts"]["added"][0]["models"] == [bench.QUANTILE]
    text = (tmp_path / "interval_accuracy.md").read_text()
    assert "in 8.3 min on 2 worker(s); LSTM quantile outputs added by" in text
    assert "| LSTM quantile outputs |" in text and "quantile MSIS95" in text
    assert "## Timing of a refitting backtest" in text
    capsys.readouterr()
