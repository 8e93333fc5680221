"""benchmarks/many_series.py: its panels, its per-series scaling, its
synthetic panel, and a tiny smoke run of part A."""

import numpy as np
import pandas as pd
import pytest
from conftest import benchmark_modules

MODULES = ("series", "forecast_accuracy", "many_series")


@pytest.fixture(scope="module")
def bench():
    with benchmark_modules(*MODULES) as loaded:
        yield loaded[-1]


def test_the_synthetic_panel_is_a_sorted_panel_of_equal_series(bench):
    panel = bench.synthetic_panel(30, 48, seed=0)
    assert panel.shape == (30 * 48, 1) and list(panel.columns) == ["y"]
    assert isinstance(panel.index, pd.MultiIndex)
    assert list(panel.index.names) == ["series", "t"]
    assert panel.index.is_monotonic_increasing and not panel.index.has_duplicates
    sizes = panel.groupby(level=0).size()
    assert len(sizes) == 30 and (sizes == 48).all()
    assert sizes.index[0] == "s0000" and sizes.index[-1] == "s0029"
    first = panel.loc["s0000"]
    assert first.index.tolist() == list(range(48))
    assert np.isfinite(panel["y"]).all() and (panel["y"] > 0).all()
    # levels differ across series; the same seed gives the same panel
    assert panel["y"].groupby(level=0).mean().std() > 1
    pd.testing.assert_frame_equal(panel, bench.synthetic_panel(30, 48, seed=0))
    # the panel is what sklstm's panel tools accept
    from sklstm import make_supervised

    X, Y = make_supervised(panel, "y", horizon=[1, 2, 3])
    assert len(X) == 30 * (48 - 3) and Y.shape == (len(X), 3)


def test_per_series_scaling_round_trips_by_hand(bench):
    case = bench.S.load("presidents")  # has gaps: they are filled first
    train = case.train
    assert train.isna().any()
    filled = train.interpolate(limit_direction="both")
    mean = filled.mean()
    scaled, how = bench.scale_series(train)
    assert how == {"mean": pytest.approx(mean), "log": False}
    np.testing.assert_allclose(scaled.to_numpy(), filled.to_numpy() / mean)
    np.testing.assert_allclose(bench.unscale(scaled, how), filled.to_numpy())
    logged, how = bench.scale_series(train, log=True)
    assert how["log"]
    np.testing.assert_allclose(logged.to_numpy(), np.log(filled.to_numpy() / mean))
    np.testing.assert_allclose(bench.unscale(logged, how), filled.to_numpy())
    # a series with a value <= 0 keeps the plain ratio
    _, how = bench.scale_series(pd.Series([0.0, 1.0, 2.0]), log=True)
    assert how == {"mean": 1.0, "log": False}


def test_the_panel_of_a_group_holds_each_series_divided_by_its_mean(bench):
    cases = bench.load_panel_cases("quarterly")
    panel, scaling = bench.build_panel(cases)
    assert list(panel.index.names) == ["series", "time"]
    assert panel.index.is_monotonic_increasing
    for case in cases:
        part = panel.loc[case.name, "y"]
        assert len(part) == len(case.train)
        assert part.mean() == pytest.approx(1.0)
        assert scaling[case.name]["mean"] == pytest.approx(
            case.train.interpolate(limit_direction="both").mean())
    scaled, means = bench.scale_panel(bench.synthetic_panel(5, 24))
    np.testing.assert_allclose(scaled["y"].groupby(level=0).mean(), 1.0)
    assert len(means) == 5


def test_panels_horizons_and_lookbacks(bench):
    expect = {"monthly": (8, 18, 24), "quarterly": (4, 8, 8),
              "EuStockMarkets": (4, 186, 8)}
    for panel, (n, horizon, lookback) in expect.items():
        cases = bench.load_panel_cases(panel)
        assert len(cases) == n
        assert bench.panel_horizon(cases) == horizon
        assert bench.global_lookback(cases) == lookback
    dax = bench.load_eustock("DAX")
    assert len(dax.series) == 1860 and dax.mase_m == 1
    assert dax.series.iloc[0] == pytest.approx(1628.75)


def test_a_smoke_run_of_part_a_scores_every_model(bench):
    panels = {"monthly": ["USAccDeaths", "fdeaths"],
              "EuStockMarkets": ["DAX", "FTSE"]}
    raw = bench.run_part_a(panels, seeds=(0,), smoke=True, jobs=1)
    assert set(raw["model"]) == set(bench.MODELS)
    assert len(raw) == 4 * len(bench.MODELS)
    assert (raw["error"] == "").all(), raw.loc[raw["error"] != "", "error"].tolist()
    assert np.isfinite(raw["MASE"]).all() and (raw["MASE"] > 0).all()
    table = bench.summary_a(raw)
    assert list(table.index) == bench.MODELS
    assert np.isfinite(table["MASE overall"]).all()
    assert table.loc[bench.REFERENCE, f"rel. MASE vs {bench.REFERENCE}"] == 1.0
    rows = bench.series_rows(raw)
    assert len(rows) == 1 + 4 and rows[0][2:] == bench.MODELS
    long = bench.long_rows(raw, None)
    assert set(long["metric"]) == {"MASE", "sMAPE", "seconds"}


def test_models_merge_into_the_last_results_and_the_facts_say_who_ran_what(bench):
    panels = {"monthly": ["USAccDeaths", "fdeaths"]}

    def rows(model, mase, seeds=(0,)):
        return pd.DataFrame([
            {"panel": "monthly", "series": name, "model": model,
             "seed": s if model in bench.NEURAL else None, "MASE": mase,
             "sMAPE": 1.0, "seconds": 1.0, "error": ""}
            for name in panels["monthly"]
            for s in (seeds if model in bench.NEURAL else [None])])

    old = pd.concat([rows(bench.LOCAL, 1.0), rows(bench.GLOBAL_SKLSTM, 9.0),
                     rows(bench.REFERENCE, 2.0)], ignore_index=True)
    new = rows(bench.GLOBAL_SKLSTM, 0.5, seeds=(0, 1))
    merged = bench.merge_rows(old, new, panels)
    by = merged.groupby("model")["MASE"].agg(["mean", "size"])
    assert by.loc[bench.GLOBAL_SKLSTM].tolist() == [0.5, 4]  # replaced, 2 seeds
    assert by.loc[bench.LOCAL].tolist() == [1.0, 2]  # kept
    # global sklstm sorts right before local sklstm
    assert merged["model"].drop_duplicates().tolist() == [
        bench.GLOBAL_SKLSTM, bench.LOCAL, bench.REFERENCE]
    legacy = {"command": "python benchmarks/many_series.py", "jobs": 2,
              "seeds": [0], "minutes": 3.0}
    run = {"command": "python benchmarks/many_series.py --part A --models "
           "'global sklstm'", "models": [bench.GLOBAL_SKLSTM], "seeds": [0, 1],
           "jobs": 2, "minutes": 1.0}
    fa = bench.record_run(legacy, old, run)
    assert [r["models"] for r in fa["runs"]] == [
        [bench.LOCAL, bench.REFERENCE], [bench.GLOBAL_SKLSTM]]
    assert fa["runs"][0]["command"] == legacy["command"]
    text = bench.produced_a(fa, merged)
    assert "(`global sklstm`) in 1.0 min" in text and "seeds 0, 1" in text
    note = bench.computed_notes(merged)[0]
    assert "geometric mean of the MASE ratio 0.500" in note
    assert "better on 2 of 2 series" in note


def test_models_needs_part_a(bench, tmp_path):
    with pytest.raises(SystemExit, match="pass --part A with it"):
        bench.main(["--models", "global sklstm", "--out", str(tmp_path)])


def test_part_a2_cuts_the_training_part_and_keeps_the_held_out_tail(bench):
    assert bench.SHORT_PANELS == {"monthly, 48 rows": ("monthly", 48),
                                  "quarterly, 24 rows": ("quarterly", 24)}
    for panel, (base, rows) in bench.SHORT_PANELS.items():
        full = {c.name: c for c in bench.load_panel_cases(base)}
        short = bench.load_panel_cases(panel)
        assert [c.name for c in short] == list(full)
        for case in short:
            whole = full[case.name]
            assert len(case.train) == rows
            assert case.horizon == whole.horizon and case.mase_m == whole.mase_m
            pd.testing.assert_series_equal(case.test, whole.test)
            pd.testing.assert_series_equal(case.train, whole.train.iloc[-rows:])
    presidents = bench.load_panel_cases("quarterly, 24 rows", ["presidents"])[0]
    assert presidents.train.notna().sum() == 22  # the sklstm forecasters need 20
    # the MASE scale is that of the cut training part
    from sklstm.metrics import mase

    case = bench.load_panel_cases("monthly, 48 rows", ["airline"])[0]
    pred = np.full(case.horizon, case.train.iloc[-1])
    assert bench.FA.score(case, pred)["MASE"] == pytest.approx(
        mase(case.test.to_numpy(), pred, case.train.to_numpy(), m=12))
    with pytest.raises(ValueError, match="whose horizon is 10% of the length"):
        bench.truncate_case(bench.load_eustock("DAX"), 250)
    with pytest.raises(ValueError, match="fewer than the 100 to keep"):
        bench.truncate_case(bench.S.load("austres"), 100)


def test_part_a2_tables_show_a_dash_for_a_model_not_run(bench):
    raw = bench.run_part_a({"quarterly, 24 rows": ["austres", "UKgas"]},
                           models=["AutoETS", "seasonal naive"], seeds=(0,),
                           jobs=1)
    assert (raw["error"] == "").all() and np.isfinite(raw["MASE"]).all()
    # AutoETS missing on one series: "-" there, the rest still renders
    partial = raw[~((raw["model"] == "AutoETS") & (raw["series"] == "UKgas"))]
    rows = bench.series_rows(partial)
    assert rows[0] == ["panel", "series", "AutoETS", "seasonal naive"]
    assert rows[2][:3] == ["quarterly, 24 rows", "UKgas", "-"]
    table = bench.summary_a(partial.assign(
        panel=np.where(partial["series"] == "UKgas", "other", partial["panel"])))
    cells = bench.summary_rows(table)
    assert cells[1][cells[0].index("MASE other")] == "-"
    # the part A2 section renders without part A rows (no full/short table)
    md = "\n\n".join(bench.short_section(raw, None, {}))
    assert "## Part A2: short histories" in md
    assert "Global against local" not in md


def test_global_against_local_on_full_and_short_histories(bench):
    def rows(panel, mase):
        return pd.DataFrame([
            {"panel": panel, "series": "USAccDeaths", "model": model, "seed": 0,
             "MASE": value, "sMAPE": 1.0, "seconds": 1.0, "error": ""}
            for model, value in mase.items()])

    full = rows("monthly", {bench.GLOBAL_SKLSTM: 1.0, bench.LOCAL: 0.5})
    short = rows("monthly, 48 rows", {bench.GLOBAL_SKLSTM: 0.5, bench.LOCAL: 1.0})
    table = bench.full_short_rows(full, short)
    assert table[1] == ["monthly, 48 rows", "USAccDeaths", "1.000", "0.500",
                        "2.000", "0.500", "1.000", "0.500"]
    assert table[-1][4] == "2.000 (0 of 1 below 1)"
    assert table[-1][7] == "0.500 (1 of 1 below 1)"
    assert bench.full_short_rows(None, short) == []


def test_part_b_labels_local_fits_measured_on_every_series(bench):
    cfg = bench.part_b_config()
    assert cfg["local_series"] == cfg["n_series"] == 1000
    assert bench.local_measured(cfg)
    assert bench.part_b_config(smoke=True)["local_series"] == 4
    assert bench.part_b_config(local_series=40)["local_series"] == 40
    with pytest.raises(ValueError, match="the panel has 1000 series"):
        bench.part_b_config(local_series=1001)

    base = {"peak_mb_start": 400.0}
    g = {"rows": 100, "windows": 90, "outputs": 12, "supervise_seconds": 0.1,
         "peak_mb_supervised": 410.0, "peak_mb_fit": 420.0,
         "peak_mb_forecast": 420.0, "fit_seconds": 50.0, "epochs": 2,
         "epoch_seconds": 25.0, "bytes_rows": 400, "bytes_targets": 4000,
         "bytes_positions": 720, "bytes_materialised": 8000,
         "forecasts": 1000, "forecast_seconds": 0.5}
    gs = {"members": 1, "epochs": 5, "batch_size": 1024, "torch_threads": 2,
          "fit_seconds": 100.0, "train_seconds": 90.0, "epoch_seconds": 18.0,
          "n_windows": 900, "lookback": 12, "chunk": 12, "peak_mb_fit": 450.0,
          "peak_mb_predict": 450.0, "forecasts": 1000, "forecast_steps": 12,
          "predict_seconds": 2.0}

    def table(k, serial, dask):
        local = {"serial_fit_seconds": serial, "dask_fit_seconds": dask,
                 "serial_torch_threads": 2, "dask_equals_serial": True,
                 "cluster_start_seconds": 8.0, "peak_mb_serial": 500.0}
        b = {"config": {"n_series": 1000, "n_steps": 500, "local_series": k},
             "baseline": base, "global": g, "global_sklstm": gs, "local": local}
        return {r[0]: r[1:] for r in bench.part_b_rows(b)[1:]}, b

    rows, b = table(1000, 200.0, 150.0)
    assert "EXTRAPOLATED" not in " ".join(" ".join(r) for r in rows)
    assert rows["local fits, 1,000 series, serial (measured)"] == [
        "200.0 s", "0.20 s per series, 2 torch threads; peak RSS +100 MiB "
        "with all 1,000 fitted forecasters kept; 4.0x the global fit, 2.0x "
        "the global sklstm fit"]
    dask = rows["local fits, 1,000 series, Dask (2 workers x 1 thread) "
                "(measured)"]
    assert dask[0] == "150.0 s" and dask[1].startswith("1.33x the serial speed")
    assert dask[1].endswith("; 3.0x the global fit, 1.5x the global sklstm fit")
    assert "of all 1,000 series" in bench.intro_text({}, b)
    assert "extrapolated" not in bench.intro_text({}, b)

    rows, b = table(40, 8.0, 6.0)
    assert rows["local fits, 40 series, serial"][0] == "8.0 s"
    assert rows["local fits, 1,000 series, serial (EXTRAPOLATED x25)"] == [
        "200 s", "4.0x the global fit, 2.0x the global sklstm fit"]
    assert rows["local fits, 1,000 series, Dask (EXTRAPOLATED x25)"] == [
        "150 s", "3.0x the global fit, 1.5x the global sklstm fit"]
    assert "of the first 40 series" in bench.intro_text({}, b)
    assert "extrapolated to 1,000" in bench.intro_text({}, b)


def test_local_series_needs_part_b(bench, tmp_path):
    with pytest.raises(SystemExit, match="pass --part B with it"):
        bench.main(["--part", "A", "--local-series", "10", "--out",
                    str(tmp_path)])
