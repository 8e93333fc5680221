"""skorch callbacks used by LSTMRegressor: stop early and keep the best weights,
stop with a clear error when the loss stops being a number."""

from __future__ import annotations

import math

from skorch.callbacks import Callback

__all__ = ["EarlyStoppingBest", "FiniteLossGuard"]


class FiniteLossGuard(Callback):
    """Raise ``ValueError`` as soon as an epoch's loss is NaN or infinite.

    A diverged network never recovers; continuing only burns epochs and ends
    with NaN predictions. The message names the epoch and the usual remedies.

    Parameters
    ----------
    owner : str
        Prefix of the message, e.g. ``"LSTMRegressor.fit"``.
    """

    def __init__(self, owner: str = "fit"):
        self.owner = owner

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
                    "step), keep scale_target=True, or set gradient_clip."
                )


class EarlyStoppingBest(Callback):
    """Stop when ``monitor`` has not improved for ``patience`` epochs, then
    load the weights of the best epoch.

    Any decrease counts as an improvement. The best weights are copied in
    memory at each improvement (an LSTM's state dict is small) and loaded at
    the end of training, whether training stopped early or ran to
    ``max_epochs``.

    Parameters
    ----------
    monitor : str, default="valid_loss"
        History key to minimise.
    patience : int or None, default=10
        Epochs without improvement before stopping; None never stops early
        (the best weights are still restored when ``restore_best``).
    restore_best : bool, default=True
        Load the best epoch's weights at the end of training.

    Attributes
    ----------
    best_epoch_ : int or None
        1-based epoch with the lowest ``monitor``.
    best_score_ : float
    stop_reason_ : str
        Why training ended.
    """

    def __init__(self, monitor="valid_loss", patience=10, restore_best=True):
        self.monitor = monitor
        self.patience = patience
        self.restore_best = restore_best

    def initialize(self):
        self.best_epoch_ = None
        self.best_score_ = math.inf
        self.stop_reason_ = None
        self.best_state_ = None
        return self

    def on_train_begin(self, net, **kwargs):
        self.initialize()
        self.stop_reason_ = f"max_epochs={net.max_epochs} reached"

    def on_epoch_end(self, net, **kwargs):
        epoch = net.history[-1, "epoch"]
        score = net.history[-1, self.monitor]
        if score < self.best_score_:
            self.best_score_ = float(score)
            self.best_epoch_ = epoch
            if self.restore_best:
                self.best_state_ = {
                    k: v.detach().clone() for k, v in net.module_.state_dict().items()
                }
        if self.patience is not None and epoch - self.best_epoch_ >= self.patience:
            self.stop_reason_ = (
                f"early stopping at epoch {epoch}: {self.monitor} did not improve "
                f"for {self.patience} epochs"
            )
            if net.verbose:
                print(f"Stopping: {self.monitor} has not improved in the last "
                      f"{self.patience} epochs.")
            raise KeyboardInterrupt  # skorch's way to end fit_loop

    def on_train_end(self, net, **kwargs):
        if self.best_state_ is not None:
            if self.best_epoch_ != len(net.history):
                net.module_.load_state_dict(self.best_state_)
                if net.verbose:
                    print(f"Restored the weights of epoch {self.best_epoch_} "
                          f"({self.monitor}={self.best_score_:.4g}).")
            self.best_state_ = None

    def __getstate__(self):
        state = self.__dict__.copy()
        state["best_state_"] = None
        return state
