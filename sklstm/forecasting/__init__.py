"""Forecasting glue: a series to X/y, and forecasts past the end of the data."""

from sklstm.forecasting._forecast import forecast, future_index
from sklstm.forecasting._supervised import make_supervised

__all__ = ["forecast", "future_index", "make_supervised"]
