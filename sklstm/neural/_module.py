"""The torch module: a stack of ``nn.LSTM`` layers, a linear head, an
optional linear "highway" from the window's first column to the outputs and
an optional learned embedding of the series id (a panel);
and the pinball loss that trains several quantiles per target.

Plain PyTorch, no scikit-learn: skorch builds it from the parameters that
:class:`~sklstm.neural.LSTMRegressor` passes on.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

__all__ = ["OUTPUT_ACTIVATIONS", "LSTMNet", "PinballLoss"]

#: Output activations by name: ``None`` leaves the output unbounded.
OUTPUT_ACTIVATIONS = {None: nn.Identity, "relu": nn.ReLU, "softplus": nn.Softplus}


class LSTMNet(nn.Module):
    """Windows ``(batch, lookback, n_features)`` in, ``(batch, n_outputs)`` out.

    The LSTM is ``torch.nn.LSTM`` (tanh cell, fused kernel). The prediction is a
    linear map of the last layer's final hidden state (both directions when
    bidirectional), optionally followed by an output activation.

    With ``highway=k > 0`` a linear map of the last ``k`` values of the first
    input column (the target, by convention) is added to the head's output:
    LSTNet's autoregressive "highway" (Lai et al., 2018). The LSTM then
    learns what a linear autoregression on the recent values misses, and the
    linear path keeps the forecast on the scale of the input when the LSTM's
    bounded states cannot (a level or trend outside the training range).

    Parameters
    ----------
    n_features : int
        Columns of each time step.
    n_outputs : int, default=1
        Targets predicted per window.
    hidden_size : int, default=64
        Units per LSTM layer and direction.
    num_layers : int, default=1
        Stacked LSTM layers.
    dropout : float, default=0.0
        Dropout between stacked LSTM layers and before the head.
    bidirectional : bool, default=False
        Also read each window backwards.
    output_activation : {None, "relu", "softplus"}, default=None
        Applied to the head's output; "relu" and "softplus" bound it below by 0.
    highway : int, default=0
        Window steps of the first column the linear highway reads; 0 turns
        it off. At most the window length (``lookback``).
    n_series : int, default=0
        Series the id embedding knows (codes ``0 .. n_series - 1``); only with
        ``embedding_dim > 0``.
    embedding_dim : int, default=0
        Size of a learned vector per series (``nn.Embedding``), appended to
        the features of every time step of that series' windows, so the
        LSTM's dynamics, not only its output, can depend on the series.
        ``forward`` then needs ``series``, each window's code. 0 turns it off.

    Examples
    --------
    >>> import torch
    >>> net = LSTMNet(n_features=3, n_outputs=2, hidden_size=8)
    >>> net(torch.zeros(5, 10, 3)).shape
    torch.Size([5, 2])
    >>> LSTMNet(n_features=1, n_outputs=4, hidden_size=8, highway=6).highway
    Linear(in_features=6, out_features=4, bias=False)
    >>> net = LSTMNet(n_features=3, hidden_size=8, n_series=5, embedding_dim=2)
    >>> net(torch.zeros(4, 10, 3), series=torch.tensor([0, 1, 4, 4])).shape
    torch.Size([4, 1])
    """

    def __init__(
        self,
        n_features: int,
        n_outputs: int = 1,
        hidden_size: int = 64,
        num_layers: int = 1,
        dropout: float = 0.0,
        bidirectional: bool = False,
        output_activation: str | None = None,
        highway: int = 0,
        n_series: int = 0,
        embedding_dim: int = 0,
    ):
        super().__init__()
        # torch takes Python numbers only: a grid over np.arange gives numpy ones
        n_features, n_outputs, hidden_size, num_layers = (
            int(n_features), int(n_outputs), int(hidden_size), int(num_layers))
        dropout, bidirectional = float(dropout), bool(bidirectional)
        n_series, embedding_dim = int(n_series), int(embedding_dim)
        if embedding_dim and n_series < 1:
            raise ValueError(
                f"LSTMNet: embedding_dim={embedding_dim} embeds series ids, but "
                f"n_series={n_series}; pass the number of series (>= 1), or "
                "embedding_dim=0."
            )
        self.lstm = nn.LSTM(
            input_size=n_features + embedding_dim,
            hidden_size=hidden_size,
            num_layers=num_layers,
            batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0,
            bidirectional=bidirectional,
        )
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        n_directions = 2 if bidirectional else 1
        self.head = nn.Linear(hidden_size * n_directions, n_outputs)
        self.activation = OUTPUT_ACTIVATIONS[output_activation]()
        self.bidirectional = bidirectional
        self.n_highway = int(highway)
        # no bias: the head has one, and two would be one parameter twice
        self.highway = (
            nn.Linear(self.n_highway, n_outputs, bias=False) if highway else None
        )
        if self.highway is not None:
            # start from the LSTM alone: a random linear map of the inputs
            # would add noise that few training steps cannot remove
            nn.init.zeros_(self.highway.weight)
        # made last, so that a net without one draws the same initial weights
        self.embedding = (
            nn.Embedding(n_series, embedding_dim) if embedding_dim else None
        )

    def forward(self, X: torch.Tensor,
                series: torch.Tensor | None = None) -> torch.Tensor:
        inputs = X
        # getattr: a net pickled before the embedding existed has no attribute
        if getattr(self, "embedding", None) is not None:
            if series is None:
                raise ValueError(
                    "LSTMNet.forward: the net embeds series ids "
                    f"({self.embedding}), but no series codes came with the "
                    "windows; pass series=, one code per window."
                )
            vectors = self.embedding(series.long())  # (batch, embedding_dim)
            steps = vectors[:, None, :].expand(-1, X.shape[1], -1)
            inputs = torch.cat((X, steps.to(X.dtype)), dim=2)
        _, (h, _) = self.lstm(inputs)
        # h: (num_layers * n_directions, batch, hidden); the last layer's states
        # are the last one (forward) or two (forward, backward) entries.
        last = torch.cat((h[-2], h[-1]), dim=1) if self.bidirectional else h[-1]
        out = self.head(self.dropout(last))
        if self.highway is not None:
            out = out + self.highway(X[:, -self.n_highway :, 0])
        return self.activation(out)


class PinballLoss(nn.Module):
    """Mean pinball (quantile) loss of several quantile levels per target.

    For a level ``q`` and an error ``e = y - p`` the loss is
    ``max(q * e, (q - 1) * e)``: under-predictions cost ``q`` per unit,
    over-predictions ``1 - q``, so its minimiser is the ``q``-quantile of y.

    Predictions ``(batch, n_outputs * n_quantiles)`` are read output-major:
    columns ``j * n_quantiles .. (j + 1) * n_quantiles - 1`` are the levels of
    target ``j``, in the order of ``quantiles``. Targets are
    ``(batch, n_outputs)``.

    Parameters
    ----------
    quantiles : sequence of float
        The levels, each in (0, 1).
    reduction : {"mean", "sum", "none"}, default="mean"
        "mean" averages over rows, outputs and levels; "none" returns the
        losses as ``(batch, n_outputs * n_quantiles)``, laid out like the
        predictions.

    Examples
    --------
    >>> import torch
    >>> loss = PinballLoss([0.1, 0.9])
    >>> y_pred = torch.tensor([[0.0, 2.0]])  # both levels of one target
    >>> y_true = torch.tensor([[1.0]])
    >>> loss(y_pred, y_true)  # (0.1 * 1 + 0.1 * 1) / 2
    tensor(0.1000)
    """

    def __init__(self, quantiles: Sequence[float], reduction: str = "mean"):
        super().__init__()
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(
                f"PinballLoss: reduction={reduction!r}; use 'mean', 'sum' or 'none'."
            )
        self.reduction = reduction
        # a buffer: it moves to the criterion's device with it
        self.register_buffer("quantiles", torch.tensor([float(q) for q in quantiles]))

    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        n = len(y_pred)
        levels = self.quantiles.to(y_pred.dtype)
        pred = y_pred.reshape(n, -1, len(levels))
        error = y_true.reshape(n, -1, 1) - pred
        loss = torch.maximum(levels * error, (levels - 1) * error).reshape(n, -1)
        if self.reduction == "mean":
            return loss.mean()
        if self.reduction == "sum":
            return loss.sum()
        return loss
