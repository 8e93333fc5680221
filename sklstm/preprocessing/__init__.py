"""Time-series transformers: gaps, outliers, lags, differences, seasonality."""

from sklstm.preprocessing._lags import LagFeatures

__all__ = ["LagFeatures"]
