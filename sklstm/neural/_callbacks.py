"""skorch callbacks used by LSTMRegressor: stop early and keep the best weights,
stop with a clear error when the loss stops being a number; and the check of
the callbacks a user adds."""

from __future__ import annotations

import inspect
import math

from skorch.callbacks import Callback, EarlyStopping

__all__ = ["EarlyStoppingBest", "FiniteLossGuard", "check_callbacks"]


def _describe(obj) -> str:
    return f"the {type(obj).__name__} {obj!r}"


def check_callbacks(callbacks, owner: str, reserved=()) -> list:
    """``callbacks`` as a list, each item a skorch callback or a named one.

    An item is an instance of :class:`skorch.callbacks.Callback` or a
    ``(name, callback)`` pair with a str name. The items are returned as they
    are, not copied: skorch initialises them on the net, so a callback that
    reports somewhere (an Optuna trial) sees the real training. Names must be
    unique and differ from ``reserved`` (the estimator's own callbacks).

    Raises
    ------
    TypeError
        For an item that is not a callback (a class instead of an instance,
        a str, a number), or a name that is not a str.
    ValueError
        For a tuple that is not a pair, or a duplicate or reserved name.

    Examples
    --------
    >>> from skorch.callbacks import EpochTimer
    >>> timer = EpochTimer()
    >>> check_callbacks([("timer", timer)], "fit")[0][1] is timer
    True
    >>> check_callbacks(["x"], "fit")
    Traceback (most recent call last):
    ...
    TypeError: fit: callbacks[0] is the str 'x', not a skorch callback; pass \
instances of skorch.callbacks.Callback or (name, callback) pairs.
    """
    hint = "pass instances of skorch.callbacks.Callback or (name, callback) pairs."
    seen = {}
    for i, item in enumerate(callbacks or []):
        where = f"{owner}: callbacks[{i}]"
        cb, name = item, None
        if isinstance(item, tuple):
            if len(item) != 2:
                raise ValueError(
                    f"{where} is a tuple of {len(item)} items; a named callback "
                    "is a (name, callback) pair."
                )
            name, cb = item
            if not isinstance(name, str):
                raise TypeError(
                    f"{where} is named {name!r} ({type(name).__name__}); a "
                    "callback's name must be a str."
                )
        if inspect.isclass(cb) and issubclass(cb, Callback):
            raise TypeError(
                f"{where} is the class {cb.__name__}, not an instance; pass "
                f"{cb.__name__}(...)."
            )
        if not isinstance(cb, Callback):
            what = _describe(cb) if name is None else (
                f"{item!r}, whose callback is {_describe(cb)}")
            raise TypeError(f"{where} is {what}, not a skorch callback; {hint}")
        if name is None:
            continue
        if name in reserved:
            raise ValueError(
                f"{where} is named {name!r}, a name {owner.split('.')[0]} or "
                "skorch gives its own callback; choose another name."
            )
        if name in seen:
            raise ValueError(
                f"{where} is named {name!r} like callbacks[{seen[name]}]; "
                "callback names must be unique."
            )
        seen[name] = i
    return list(callbacks or [])


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
