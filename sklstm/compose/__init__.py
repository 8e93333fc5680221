"""Meta-estimators: constrained outputs, targets relative to a level."""

from sklstm.compose._constrained import ConstrainedRegressor
from sklstm.compose._target import LevelDifferenceRegressor

__all__ = ["ConstrainedRegressor", "LevelDifferenceRegressor"]
