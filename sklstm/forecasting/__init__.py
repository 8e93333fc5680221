"""Forecasting: a series to X/y, forecasts past the end of the data, and a
forecaster that configures itself from the series."""

from sklstm.forecasting._backtest import backtest, backtest_metrics
from sklstm.forecasting._config import ForecastConfig, configure
from sklstm.forecasting._forecast import forecast, future_index
from sklstm.forecasting._forecaster import LSTMForecaster
from sklstm.forecasting._global import GlobalLSTMForecaster
from sklstm.forecasting._intervals import CalibrationWarning, conformal_intervals
from sklstm.forecasting._local import PerSeriesForecaster
from sklstm.forecasting._supervised import make_supervised

__all__ = [
    "CalibrationWarning",
    "ForecastConfig",
    "GlobalLSTMForecaster",
    "LSTMForecaster",
    "PerSeriesForecaster",
    "backtest",
    "backtest_metrics",
    "configure",
    "conformal_intervals",
    "forecast",
    "future_index",
    "make_supervised",
]
