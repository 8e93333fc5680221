"""skorch callbacks used by LSTMRegressor: stop early and keep the best weights,
stop with a clear error when the loss stops being a number."""

from __future__ import annotations

import math

from skorch.callbacks import Callback, EarlyStopping

__all__ = ["EarlyStoppingBest", "FiniteLossGuard"]


class FiniteLossGuard(Callback):
    """Raise ``ValueError`` as soon as an epoch's loss is NaN or infinite.

    A diverged network never recovers; continuing only burns epochs and ends
    with NaN predictions. The message names the epoch and the usual remedies.

    Parameters
    ----------
    owner : str
        Prefix of the message, e.g. ``"LSTMRegressor.fit"``.
    scaled_target : bool, default=True
        Whether the target is already scaled; if not, the message suggests it.
    """

    def __init__(self, owner: str = "fit", scaled_target: bool = True):
        self.owner = owner
        self.scaled_target = scaled_target

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        for key in ("train_loss", "valid_loss"):
            value = row.get(key)
            if value is not None and not math.isfinite(value):
                lr = net.optimizer_.param_groups[0]["lr"]
                raise ValueError(
                    f"{self.owner}: the {key.replace('_', ' ')} became {value} at "
                    f"epoch {row['epoch']}; training diverged. Lower lr (now "
                    f"{lr:g}), scale the inputs (put a StandardScaler before this "
                    "step), "
                    + ("" if self.scaled_target else "set scale_target=True, ")
                    + "or set gradient_clip."
                )


class EarlyStoppingBest(EarlyStopping):
    """skorch's ``EarlyStopping`` that keeps the best weights and says why it
    stopped.

    Stops when ``monitor`` has not improved for ``patience`` epochs; any
    decrease counts as an improvement (``threshold=0``). The best epoch's
    weights are loaded at the end of training (``load_best``), whether
    training stopped early or ran to ``max_epochs``.

    Parameters
    ----------
    monitor : str, default="valid_loss"
        History key to minimise.
    patience : int or None, default=10
        Epochs without improvement before stopping; None never stops early
        (the best weights are still restored when ``load_best``).
    threshold, threshold_mode, lower_is_better, sink
        As in :class:`skorch.callbacks.EarlyStopping`.
    load_best : bool, default=True
        Load the best epoch's weights at the end of training.

    Attributes
    ----------
    best_epoch_ : int
        1-based epoch with the best ``monitor`` (0 before any).
    stop_reason_ : str
        Why training ended.
    """

    def __init__(
        self,
        monitor="valid_loss",
        patience=10,
        threshold=0.0,
        threshold_mode="abs",
        lower_is_better=True,
        sink=print,
        load_best=True,
    ):
        super().__init__(
            monitor=monitor,
            patience=patience,
            threshold=threshold,
            threshold_mode=threshold_mode,
            lower_is_better=lower_is_better,
            sink=sink,
            load_best=load_best,
        )

    def on_train_begin(self, net, **kwargs):
        super().on_train_begin(net, **kwargs)
        self.stop_reason_ = f"max_epochs={net.max_epochs} reached"

    def on_epoch_end(self, net, **kwargs):
        try:
            super().on_epoch_end(net, **kwargs)
        except KeyboardInterrupt:  # skorch's way to end fit_loop
            self.stop_reason_ = (
                f"early stopping at epoch {net.history[-1, 'epoch']}: "
                f"{self.monitor} did not improve for {self.patience} epochs"
            )
            raise
