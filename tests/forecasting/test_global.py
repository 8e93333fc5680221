"""GlobalLSTMForecaster: one ensemble across the series of a panel."""

import numpy as np
import pandas as pd
import pytest
from conftest import TINY_FORECASTER

from sklstm import LSTMForecaster
from sklstm.forecasting import GlobalLSTMForecaster
from sklstm.forecasting._global import global_training
from sklstm.utils._panel import split_panel


def panel(lengths=(40, 52, 30), seed=0, scales=(1.0, 1.0, 1.0)):
    """Monthly series of different lengths, starts and levels."""
    rng = np.random.default_rng(seed)
    parts = []
    for k, n in enumerate(lengths):
        t = np.arange(n)
        index = pd.date_range(f"{2000 + k}-01-01", periods=n, freq="MS")
        values = 100 * (k + 1) + t + 10 * np.sin(2 * np.pi * t / 12) \
            + rng.normal(0, 1, n)
        parts.append(pd.Series(scales[k] * values, index=index))
    return pd.concat(parts, keys=["a", "b", "c"], names=["shop", "month"]).rename(
        "sales")


def model(**kw):
    return GlobalLSTMForecaster(**{"horizon": 4, **TINY_FORECASTER, **kw})


def test_every_series_is_forecast_from_its_own_end():
    y = panel()
    fc = model().fit(y).predict()
    assert fc.index.names == ["shop", "month"] and fc.name == "sales"
    assert fc.index.get_level_values(0).unique().tolist() == ["a", "b", "c"]
    for key, series in split_panel(y, "test"):
        stamps = fc.loc[key].index
        assert stamps[0] == series.index[-1] + pd.offsets.MonthBegin(1)
        assert len(stamps) == 4
    assert np.isfinite(fc.to_numpy()).all()
    assert len(model().fit(y).predict(2)) == 6


def test_the_batched_forecast_equals_each_series_forecaster():
    y = panel()
    fitted = model().fit(y)
    fc = fitted.predict(6)  # past the chunk: fed back
    for key, local in fitted.forecasters_.items():
        assert isinstance(local, LSTMForecaster)
        assert local.members_ is fitted.members_  # shared, not copied
        np.testing.assert_allclose(fc.loc[key].to_numpy(),
                                   local.predict(6).to_numpy(), rtol=1e-6)


def test_each_series_keeps_its_own_units():
    """A series 1000 times larger gives 1000 times the forecast, and the
    others do not move: the networks see every series in the same units."""
    base = model().fit(panel()).predict()
    big = model().fit(panel(scales=(1.0, 1000.0, 1.0))).predict()
    np.testing.assert_allclose(big.loc["b"].to_numpy(),
                               1000 * base.loc["b"].to_numpy(), rtol=1e-4)
    for key in ("a", "c"):
        np.testing.assert_allclose(big.loc[key].to_numpy(),
                                   base.loc[key].to_numpy(), rtol=1e-5)


def test_one_fit_shares_the_networks_and_settings():
    fitted = model(n_members=3).fit(panel())
    assert len(fitted.members_) == 3
    assert fitted.chunk_ == 4  # direct: 4 outputs per window
    assert len(fitted.lookbacks_) == 3
    configs = [f.config_ for f in fitted.forecasters_.values()]
    assert {c.lookbacks for c in configs} == {fitted.lookbacks_}
    # windows of the longest lookback over all series
    longest = max(fitted.lookbacks_)
    assert fitted.n_windows_ == sum(n - longest - 4 + 1 for n in (40, 52, 30))


def test_same_seed_same_forecast():
    y = panel()
    a = model(random_state=3).fit(y).predict()
    b = model(random_state=3).fit(y).predict()
    pd.testing.assert_series_equal(a, b)


def test_history_forecasts_newer_data_without_refit():
    y = panel()
    cut = pd.concat({k: s.iloc[:-6] for k, s in split_panel(y, "test")},
                    names=y.index.names).rename("sales")
    fitted = model().fit(cut)
    fc = fitted.predict(history=y)
    for key, series in split_panel(y, "test"):
        np.testing.assert_allclose(
            fc.loc[key].to_numpy(),
            fitted.forecasters_[key].predict(history=series).to_numpy(), rtol=1e-6)
        assert fc.loc[key].index[0] == series.index[-1] + pd.offsets.MonthBegin(1)


def test_a_series_shorter_than_a_lookback_is_padded():
    y = panel(lengths=(60, 60, 22))
    fitted = model(lookback=24, n_members=1).fit(y)
    assert fitted.lookbacks_ == (24,)
    fc = fitted.predict()
    assert np.isfinite(fc.loc["c"].to_numpy()).all()


def test_non_negative_series_stay_non_negative():
    rng = np.random.default_rng(1)
    index = pd.MultiIndex.from_product(
        [["x", "y"], pd.RangeIndex(40)], names=["id", "t"])
    counts = np.r_[np.r_[np.full(36, 5.0), np.zeros(4)], rng.poisson(3, 40)]
    fc = model().fit(pd.Series(counts, index=index)).predict(8)
    assert (fc.to_numpy() >= 0).all()


def test_a_period_index_panel():
    y = panel()
    periods = y.set_axis(pd.MultiIndex.from_arrays(
        [y.index.get_level_values(0),
         y.index.get_level_values(1).to_period("M")], names=y.index.names))
    fc = model().fit(periods).predict()
    assert isinstance(fc.index.get_level_values(1), pd.PeriodIndex)
    np.testing.assert_allclose(fc.to_numpy(), model().fit(y).predict().to_numpy(),
                               rtol=1e-6)


def test_bad_input_is_named():
    y = panel(lengths=(40, 12, 30))
    with pytest.raises(ValueError, match=r"series 'b': the series has 12 rows"):
        model().fit(y)
    with pytest.raises(ValueError, match="y must be a panel"):
        model().fit(panel().droplevel(0))
    with pytest.raises(TypeError, match="X must be a panel DataFrame"):
        model().fit(panel(), X=panel().droplevel(0).to_frame())
    fitted = model().fit(panel())
    short = panel(lengths=(40, 52, 15)).rename(index={"c": "new"}, level=0)
    with pytest.raises(ValueError, match=r"series 'new': the series has 15 rows"):
        fitted.predict(history=short)
    with pytest.raises(ValueError, match="strategy='direct' needs 30 outputs"):
        model(horizon=30, strategy="direct").fit(panel())


def test_too_few_windows_in_all_is_an_error():
    y = panel(lengths=(21, 21, 21))
    with pytest.raises(ValueError, match="training windows"):
        model(lookback=20, horizon=1).fit(y)


def test_training_length_grows_the_batch_for_many_windows():
    assert global_training(600, "auto", "auto") == (64, 25)
    batch, epochs = global_training(100_000, "auto", "auto")
    assert batch == 512 and epochs == 5
    assert global_training(100_000, 32, 3) == (32, 3)  # as given


def test_no_training_window_crosses_a_series_boundary(monkeypatch):
    """Two straight lines 1000 apart: every window of either is the same
    ramp, and a window that read the other series' rows would hold the jump."""
    import sklstm.forecasting._global as G

    seen, fit_member = [], G._fit_member

    def recording(X, Y, params):
        seen.append((X.copy(), Y.copy()))
        return fit_member(X, Y, {**params, "max_epochs": 1})

    monkeypatch.setattr(G, "_fit_member", recording)
    index = pd.MultiIndex.from_product([["a", "b"], pd.RangeIndex(30)])
    lines = pd.Series(np.r_[np.arange(30.0), 1000 + np.arange(30.0)], index=index)
    GlobalLSTMForecaster(horizon=2, season=None, transform="none", level="last",
                         lookback=5, n_members=1, theta_weight=0.0,
                         hidden_size=2).fit(lines)
    ((X, Y),) = seen
    assert X.shape == (2 * (30 - 5 - 2 + 1), 5, 1)
    np.testing.assert_allclose(X[..., 0], np.tile(np.arange(-4.0, 1.0), (len(X), 1)))
    np.testing.assert_allclose(Y, np.tile([1.0, 2.0], (len(Y), 1)))


def covariate_panel(seed=0):
    """Three series with a law in force over different rows of each (its
    effect -30, -60, -90; series 2's ends at its 4th forecast step) and a
    noisy temperature known only up to now; the covariates run 6 rows past
    each series' end."""
    rng = np.random.default_rng(seed)
    ys, xs = {}, {}
    for k, (n, on, off) in enumerate([(60, 40, 99), (72, 50, 99), (48, 30, 51)]):
        index = pd.date_range(f"{2000 + k}-01-01", periods=n + 6, freq="MS")
        t = np.arange(n + 6)
        law = ((t >= on) & (t < off)).astype(float)
        temp = rng.normal(0, 1, n + 6)
        y = 300 + t + 10 * np.sin(2 * np.pi * t / 12) - 30 * (k + 1) * law \
            + rng.normal(0, 1, n + 6)
        ys[k] = pd.Series(y[:n], index=index[:n])
        xs[k] = pd.DataFrame({"law": law, "temp": temp}, index=index)
    names = ["id", "month"]
    return (pd.concat(ys, names=names).rename("y"), pd.concat(xs, names=names))


def test_future_known_covariates_get_each_series_own_effect():
    y, X = covariate_panel()
    fitted = model(future=["law"]).fit(y, X)
    for k in range(3):
        cov = fitted.forecasters_[k].covariates_
        assert cov.future == ["law"] and cov.past == ["temp"]
    # series 2's law ends at its forecast step 4: the forecast jumps back
    fc = fitted.predict(6, X=X)
    step = fc.loc[2].to_numpy()
    assert 60 < step[3] - step[2] < 120  # the effect is -90
    # a series whose law is on throughout the forecast has no such drop
    assert abs(np.diff(fc.loc[0].to_numpy())).max() < 30


def test_covariate_forecasts_equal_each_series_forecaster():
    y, X = covariate_panel()
    fitted = model(future=["law"]).fit(y, X)
    fc = fitted.predict(6, X=X)
    for k, local in fitted.forecasters_.items():
        np.testing.assert_allclose(fc.loc[k].to_numpy(),
                                   local.predict(6, X=X.loc[k]).to_numpy(),
                                   rtol=1e-6)


def test_covariates_missing_at_predict_are_named():
    y, X = covariate_panel()
    fitted = model(future=["law"]).fit(y, X)
    with pytest.raises(ValueError, match="future-known covariate"):
        fitted.predict()
    with pytest.raises(ValueError, match=r"has no rows for 1 series \(2\)"):
        fitted.predict(X=X.drop(index=2, level=0))
    cut = X.groupby(level=0).head(70)  # series 1 lacks its forecast rows
    with pytest.raises(ValueError, match="series 1: .*X has no row"):
        fitted.predict(X=cut)


def test_a_new_series_is_forecast_without_refit():
    """A series not seen at fit is prepared from its own rows and forecast
    by the shared networks: the same rows as a fitted series under a new id
    give that series' forecast."""
    y = panel()
    fitted = model().fit(y)
    renamed = y.rename(index={"a": "new"}, level=0).sort_index()
    fc = fitted.predict(history=renamed)
    assert fc.index.get_level_values(0).unique().tolist() == ["b", "c", "new"]
    np.testing.assert_allclose(fc.loc["new"].to_numpy(),
                               fitted.predict().loc["a"].to_numpy(), rtol=1e-6)
    assert "new" not in fitted.forecasters_  # predict changes nothing


def test_a_new_series_needs_the_fit_covariates():
    y, X = covariate_panel()
    fitted = model(future=["law"]).fit(y, X)
    new = y.rename(index={0: 9}, level=0).sort_index()
    newX = X.rename(index={0: 9}, level=0)
    with pytest.raises(ValueError, match=r"series 9: .*fitted with X with columns "
                       r"\['law', 'temp'\].*but X lacks \['temp'\]"):
        fitted.predict(history=new.loc[[9]], X=newX.loc[[9], ["law"]])
    with pytest.raises(ValueError, match=r"series 9: .*fitted with X with columns"):
        fitted.predict(history=new.loc[[9]])
    # more columns than at fit are ignored, as for a fitted series
    fc = fitted.predict(history=new, X=newX.assign(price=1.0))
    np.testing.assert_allclose(fc.loc[9].to_numpy(),
                               fitted.predict(X=X).loc[0].to_numpy(), rtol=1e-6)


def test_pickled_model_keeps_its_shared_networks():
    import pickle

    fitted = model().fit(panel())
    loaded = pickle.loads(pickle.dumps(fitted))
    assert all(f.members_ is loaded.members_ for f in loaded.forecasters_.values())
    pd.testing.assert_series_equal(loaded.predict(), fitted.predict())


def test_parameters_are_validated_at_fit():
    import inspect

    from sklearn.utils._param_validation import InvalidParameterError

    params = set(inspect.signature(GlobalLSTMForecaster).parameters)
    assert set(GlobalLSTMForecaster._parameter_constraints) == params
    with pytest.raises(InvalidParameterError, match="horizon"):
        GlobalLSTMForecaster(horizon=0).fit(panel())
    with pytest.raises(InvalidParameterError, match="combine"):
        GlobalLSTMForecaster(combine="max").fit(panel())


def test_a_new_series_takes_the_fit_columns_in_any_order():
    y, X = covariate_panel()
    X = X[["temp", "law"]]  # past-only first: not the model's own order
    fitted = model(future=["law"]).fit(y, X)
    new = y.rename(index={0: 9}, level=0).sort_index()
    newX = X.rename(index={0: 9}, level=0)
    fc = fitted.predict(history=new, X=newX[["law", "temp"]])
    np.testing.assert_allclose(fc.loc[9].to_numpy(),
                               fitted.predict(X=X).loc[0].to_numpy(), rtol=1e-6)


def test_a_short_series_forecasts_through_its_own_forecaster_too():
    y = panel(lengths=(60, 60, 22))
    fitted = model(n_members=3).fit(y)
    assert max(fitted.lookbacks_) > 22
    local = fitted.forecasters_["c"]
    np.testing.assert_allclose(local.predict().to_numpy(),
                               fitted.predict().loc["c"].to_numpy(), rtol=1e-6)
    assert local.member_forecasts().shape == (4, 3)
    # its own rows again, as newer data: the same forecast
    again = fitted.predict(history=y.loc[["c"]])
    np.testing.assert_allclose(again.loc["c"].to_numpy(),
                               fitted.predict().loc["c"].to_numpy(), rtol=1e-6)


def test_backtest_says_which_covariates_the_model_takes_as_known():
    from sklstm.forecasting import backtest

    y, X = covariate_panel()
    history = pd.concat([y, X.loc[y.index]], axis=1)
    with pytest.raises(ValueError, match=r"GlobalLSTMForecaster\(future='all'\) "
                       r"takes \['law', 'temp'\] as known in advance, but "
                       r"backtest's future=None does not"):
        backtest(model(), history, 3, n_windows=1, target="y")
