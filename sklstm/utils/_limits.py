"""Upper limits of the network's size parameters, checked before any allocation.

They live outside ``sklstm.neural`` so that estimators declaring them in their
parameter constraints need not import torch.
"""

__all__ = ["MAX_HIDDEN_SIZE", "MAX_LAYERS"]

#: The widest LSTM layer sklstm builds: 4096 units already hold 4 * 4096**2
#: float32 weights (268 MB) per layer and direction; ``hidden_size=10**6``
#: would ask for terabytes, and is refused before anything is allocated.
MAX_HIDDEN_SIZE = 4096
#: The deepest stack of LSTM layers.
MAX_LAYERS = 16
