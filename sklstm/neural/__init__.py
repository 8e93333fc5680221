"""The torch module, the skorch glue, and LSTMRegressor.

The only subpackage that imports torch.
"""

from sklstm.neural._module import LSTMNet
from sklstm.neural._regressor import LSTMRegressor

__all__ = ["LSTMNet", "LSTMRegressor"]
