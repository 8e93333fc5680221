"""Time-series transformers: gaps, outliers, lags, differences, seasonality."""

from sklstm.preprocessing._difference import Differencer
from sklstm.preprocessing._interpolate import Interpolator
from sklstm.preprocessing._lags import LagFeatures
from sklstm.preprocessing._outliers import MedianOutlierFilter
from sklstm.preprocessing._seasonal import SeasonalSine

__all__ = [
    "Differencer",
    "Interpolator",
    "LagFeatures",
    "MedianOutlierFilter",
    "SeasonalSine",
]
