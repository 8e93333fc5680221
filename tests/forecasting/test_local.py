"""PerSeriesForecaster: one forecaster per series of a panel, in parallel."""

import numpy as np
import pandas as pd
import pytest
from conftest import TINY_FORECASTER
from test_global import panel

from sklstm import LSTMForecaster
from sklstm.forecasting import PerSeriesForecaster
from sklstm.utils._panel import split_panel


def test_each_series_gets_the_forecast_of_a_fit_on_it_alone():
    y = panel()
    model = PerSeriesForecaster(LSTMForecaster(horizon=4, **TINY_FORECASTER)).fit(y)
    fc = model.predict()
    assert fc.index.names == ["shop", "month"] and fc.name == "sales"
    assert list(model.forecasters_) == ["a", "b", "c"]
    for key, series in split_panel(y, "test"):
        alone = LSTMForecaster(horizon=4, **TINY_FORECASTER).fit(series).predict()
        pd.testing.assert_series_equal(fc.loc[key], alone, check_names=False,
                                       check_freq=False)
    # each series continues from its own end
    assert fc.loc["c"].index[0] == pd.Timestamp("2004-07-01")
    assert len(model.predict(2)) == 6


def test_parallel_fits_give_the_same_forecasts():
    y = panel()
    forecaster = LSTMForecaster(horizon=3, **TINY_FORECASTER)
    serial = PerSeriesForecaster(forecaster).fit(y).predict()
    parallel = PerSeriesForecaster(forecaster, n_jobs=2).fit(y).predict()
    np.testing.assert_allclose(parallel.to_numpy(), serial.to_numpy(), rtol=1e-5)


def test_a_bad_panel_or_series_is_named():
    y = panel()
    with pytest.raises(ValueError, match="y must be a panel"):
        PerSeriesForecaster(LSTMForecaster()).fit(y.droplevel(0))
    ids = y.index.get_level_values(0).to_numpy(dtype=object)
    ids[5] = np.nan
    broken = y.set_axis(pd.MultiIndex.from_arrays(
        [ids, y.index.get_level_values(1)]))
    with pytest.raises(ValueError, match=r"series id is missing \(NaN\) in 1 "
                                         r"row\(s\), at row position\(s\) 5"):
        PerSeriesForecaster(LSTMForecaster()).fit(broken)
    short = pd.concat([y, pd.Series(
        np.arange(8.0), index=pd.MultiIndex.from_product(
            [["d"], pd.date_range("2001-01-01", periods=8, freq="MS")]))])
    with pytest.raises(ValueError, match=r"series 'd': LSTMForecaster.fit: the "
                                         r"series has 8 rows"):
        PerSeriesForecaster(LSTMForecaster(horizon=2, **TINY_FORECASTER)).fit(short)


def test_covariates_go_to_each_series_forecaster():
    from test_global import covariate_panel

    y, X = covariate_panel()
    forecaster = LSTMForecaster(horizon=3, future=["law"], **TINY_FORECASTER)
    model = PerSeriesForecaster(forecaster).fit(y, X)
    fc = model.predict(X=X)
    for key, series in split_panel(y, "test"):
        alone = LSTMForecaster(horizon=3, future=["law"], **TINY_FORECASTER).fit(
            series, X.loc[key]).predict(X=X.loc[key])
        np.testing.assert_allclose(fc.loc[key].to_numpy(), alone.to_numpy())
    assert model.forecasters_[1].covariates_.past == ["temp"]
    with pytest.raises(ValueError, match=r"series 0: .*future-known covariate"):
        model.predict()
    with pytest.raises(TypeError, match="X must be a panel DataFrame"):
        PerSeriesForecaster(forecaster).fit(y, X.droplevel(0))


def test_covariates_for_a_forecaster_without_them_are_refused():
    from test_global import covariate_panel

    from sklstm.cli._holdout import _SeasonalNaive

    y, X = covariate_panel()
    with pytest.raises(ValueError, match=r"PerSeriesForecaster.fit: X=\.\.\. was "
                       r"given, but _SeasonalNaive.fit takes no X"):
        PerSeriesForecaster(_SeasonalNaive(12)).fit(y, X)
    fitted = PerSeriesForecaster(_SeasonalNaive(12)).fit(y)
    with pytest.raises(ValueError, match="_SeasonalNaive.predict takes no history"):
        fitted.predict(3, history=y)
