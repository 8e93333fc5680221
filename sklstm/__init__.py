"""sklstm: LSTM time-series regression as a first-class scikit-learn citizen.

The public names load on first use (PEP 562): ``import sklstm`` is cheap, and
torch loads only with the neural part (:class:`LSTMRegressor`, or fitting an
:class:`LSTMForecaster`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Where each public name lives; ``sklstm.<name>`` imports it from there.
_EXPORTS = {
    "CalendarFeatures": "sklstm.preprocessing",
    "ConstrainedRegressor": "sklstm.compose",
    "LevelDifferenceRegressor": "sklstm.compose",
    "Differencer": "sklstm.preprocessing",
    "Interpolator": "sklstm.preprocessing",
    "LagFeatures": "sklstm.preprocessing",
    "LSTMForecaster": "sklstm.forecasting",
    "LSTMRegressor": "sklstm.neural",
    "MedianOutlierFilter": "sklstm.preprocessing",
    "RollingFeatures": "sklstm.preprocessing",
    "SeasonalSine": "sklstm.preprocessing",
    "configure": "sklstm.forecasting",
    "forecast": "sklstm.forecasting",
    "make_supervised": "sklstm.forecasting",
    "to_panel": "sklstm.utils",
}

#: Subpackages reachable as attributes of ``sklstm`` without importing them.
_SUBMODULES = frozenset({
    "cli", "compose", "datasets", "forecasting", "metrics", "neural", "pipeline",
    "preprocessing", "utils",
})

__all__ = [
    "CalendarFeatures",
    "ConstrainedRegressor",
    "LevelDifferenceRegressor",
    "Differencer",
    "Interpolator",
    "LagFeatures",
    "LSTMForecaster",
    "LSTMRegressor",
    "MedianOutlierFilter",
    "RollingFeatures",
    "SeasonalSine",
    "configure",
    "forecast",
    "make_supervised",
    "to_panel",
]

if TYPE_CHECKING:  # for type checkers and IDEs; at run time __getattr__ loads them
    from sklstm.compose import ConstrainedRegressor, LevelDifferenceRegressor
    from sklstm.forecasting import LSTMForecaster, configure, forecast, make_supervised
    from sklstm.neural import LSTMRegressor
    from sklstm.preprocessing import (
        CalendarFeatures,
        Differencer,
        Interpolator,
        LagFeatures,
        MedianOutlierFilter,
        RollingFeatures,
        SeasonalSine,
    )
    from sklstm.utils import to_panel


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | _SUBMODULES)
