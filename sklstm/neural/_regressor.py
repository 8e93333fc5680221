"""LSTMRegressor: a scikit-learn regressor around a skorch-trained LSTM."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping
from numbers import Integral, Real
from types import MethodType
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted
from skorch import NeuralNetRegressor
from skorch.callbacks import GradientNormClipping, LRScheduler
from skorch.helper import predefined_split
from skorch.utils import to_tensor

from sklstm._compat import Interval, StrOptions, _fit_context
from sklstm.neural._callbacks import (
    EarlyStoppingBest,
    FiniteLossGuard,
    check_callbacks,
)
from sklstm.neural._data import (
    BatchIterator,
    WindowDataset,
    row_windows,
    sliding_windows,
    window_weights,
)
from sklstm.neural._module import LSTMNet, PinballLoss
from sklstm.neural._panel import (
    input_scale_parameters,
    is_panel,
    panel_layout,
    panel_row_windows,
    panel_scale_parameters,
    panel_window_starts,
    record_panel_history,
    scale_rows,
    short_series,
)
from sklstm.neural._printing import PlainPrintLog
from sklstm.neural._quantiles import (
    check_lower_bound,
    check_quantiles,
    median_of_quantiles,
    ordered_quantiles,
)
from sklstm.neural._threads import resolve_n_threads, torch_threads
from sklstm.utils._history import extend_with_history, record_history
from sklstm.utils._limits import MAX_HIDDEN_SIZE, MAX_LAYERS
from sklstm.utils._panel import series_name
from sklstm.utils._search import refuse_row_sampling_search
from sklstm.utils._validation import check_numeric_input, check_target, who
from sklstm.utils.discovery import TIME_ORDER_XFAILS

if TYPE_CHECKING:
    from sklstm._typing import ArrayLike, RandomState, Self

__all__ = [
    "LSTMRegressor",
    "resolve_device",
    "scale_parameters",
    "validation_size",
]

#: Fused Adam (one kernel for all parameters, CPU and CUDA) from torch 2.4 on;
#: on the CPU it takes the optimizer step from ~0.55 ms to ~0.2 ms for this net.
_TORCH_VERSION = tuple(int(v) for v in torch.__version__.split("+")[0].split(".")[:2])
_FUSED = {"fused": True} if _TORCH_VERSION >= (2, 4) else {}

OPTIMIZERS = {
    "adam": (torch.optim.Adam, _FUSED),
    "adamw": (torch.optim.AdamW, _FUSED),
    "rmsprop": (torch.optim.RMSprop, {}),
    "sgd": (torch.optim.SGD, {"momentum": 0.9}),
}

#: Training losses by name: squared error, absolute error (the error MASE
#: and MAE score), Huber (squared near 0, absolute beyond 1 scaled unit), and
#: the pinball loss of several quantile levels (with ``quantiles``).
LOSSES = {"mse": torch.nn.MSELoss, "mae": torch.nn.L1Loss, "huber": torch.nn.HuberLoss,
          "quantile": PinballLoss}

#: The names of the callbacks skorch (first four) and LSTMRegressor add to each
#: net; a user's callback may not take one of them.
_OWN_CALLBACKS = ("epoch_timer", "train_loss", "valid_loss", "print_log",
                  "finite_loss", "lr_scheduler", "gradient_clip", "early_stopping")

#: Smallest batch used to compute validation losses and predictions.
_EVAL_BATCH = 1024


def resolve_device(device: str, owner: str = "LSTMRegressor.fit") -> str:
    """``"auto"`` becomes ``"cuda"`` where a GPU is visible, else ``"cpu"``.

    >>> resolve_device("cpu")
    'cpu'
    """
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"{owner}: device='cuda' but torch sees no CUDA device (torch "
            f"{torch.__version__}, CUDA build {torch.version.cuda}); use "
            "device='auto' to fall back to the CPU, or device='cpu'."
        )
    return device


def scale_parameters(y: np.ndarray, center: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per-output ``(offset, scale)`` so that ``(y - offset) / scale`` is ~unit.

    ``center=False`` keeps zero at zero (offset 0, scale = root mean square):
    used with a non-negative output activation, whose bound must hold on the
    original scale too. A constant output gets scale 1.

    >>> scale_parameters(np.array([[1.0], [3.0]]), center=True)
    (array([2.]), array([1.]))
    >>> scale_parameters(np.array([[3.0], [4.0]]), center=False)[1].round(3)
    array([3.536])
    """
    if center:
        offset, scale = y.mean(axis=0), y.std(axis=0)
    else:
        offset, scale = np.zeros(y.shape[1]), np.sqrt(np.mean(y**2, axis=0))
    scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
    return offset, scale


def validation_size(n_windows: int, fraction: float | None) -> int:
    """How many of the last windows to hold out for validation.

    At least one and at most ``n_windows - 1`` when ``fraction`` is positive;
    0 when it is 0 or None, or when there are fewer than two windows.

    >>> validation_size(100, 0.15), validation_size(3, 0.15), validation_size(1, 0.5)
    (15, 1, 0)
    """
    frac = fraction or 0.0
    if frac <= 0 or n_windows < 2:
        return 0
    return min(max(int(frac * n_windows), 1), n_windows - 1)


def _part_weights(weights, positions):
    """``weights`` scaled to mean 1 over ``positions``, as float32 (or None)."""
    if weights is None:
        return None
    return (weights / weights[positions].mean()).astype(np.float32)


class _WindowNet(NeuralNetRegressor):
    """skorch's regressor plus an L1 penalty on the weights (not the biases),
    and per-window weights.

    A weighted batch has the X ``{"X": windows, "sample_weight": weights}``
    (see :class:`WindowDataset`); the module gets the windows, and the loss is
    the mean of the unreduced criterion times the weights (the criterion is
    built with ``reduction="none"`` for a weighted fit). A batch of a panel
    with an id embedding also has ``"series"``, which goes to the module.
    """

    def __init__(self, module, *args, l1=0.0, **kwargs):
        super().__init__(module, *args, **kwargs)
        self.l1 = l1

    def infer(self, x, **fit_params):
        if isinstance(x, Mapping):  # weighted windows, or windows of a panel
            x = {k: v for k, v in x.items() if k != "sample_weight"}
            if len(x) == 1:
                x = x["X"]
        return super().infer(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        if isinstance(X, Mapping) and "sample_weight" in X:
            # weighted windows, unreduced criterion
            weight = to_tensor(X["sample_weight"], device=self.device)
            loss = self.criterion_(y_pred, to_tensor(y_true, device=self.device))
            loss = (loss * weight[:, None]).mean()
        else:
            loss = super().get_loss(y_pred, y_true, X=X, training=training)
        if training and self.l1:
            penalty = sum(
                p.abs().sum()
                for name, p in self.module_.named_parameters()
                if "weight" in name
            )
            loss = loss + self.l1 * penalty
        return loss


class _with_quantile_loss:
    """A method that exists only while ``loss="quantile"``, as with sklearn's
    ``available_if``: ``hasattr`` is False otherwise, and the AttributeError
    says why (``available_if`` would only say that it is missing)."""

    def __init__(self, fn):
        self.fn = fn
        functools.update_wrapper(self, fn)

    def __get__(self, obj, owner=None):
        if obj is None:  # on the class: the plain function, for docs and doctests
            return self.fn
        if obj.loss != "quantile":
            raise AttributeError(
                f"{who(obj, self.fn.__name__)}: only a model trained with "
                f"loss='quantile' predicts quantiles, but loss={obj.loss!r}; set "
                "loss='quantile' and quantiles=[...], and fit again."
            )
        return MethodType(self.fn, obj)


class LSTMRegressor(RegressorMixin, BaseEstimator):
    """LSTM regression on windows of consecutive rows, trained with skorch.

    Row ``i``'s prediction is computed from the window of rows
    ``i - lookback + 1 .. i`` (oldest first), so ``y[i]`` should be what is
    known after row ``i`` (e.g. the target ``h`` steps ahead). X is expected
    to be scaled already (put a ``StandardScaler`` before this step, or set
    ``scale_inputs="series"``); the target is scaled here (``scale_target``)
    and the scaling undone at predict.

    **Windows.** Built from one float32 copy of X as a strided view, not
    ``lookback`` copies; each training batch is one fancy index into that
    view. A 3-D array of ready windows ``(n, lookback, n_features)`` is
    accepted instead of rows; then each sample is one window.
    **The first rows.** ``predict`` returns one prediction per row. A row
    with fewer than ``lookback - 1`` earlier rows gets edge padding: its
    window starts with copies of the first row, the same convention as
    ``LagFeatures(fill_value="edge")``; it never yields NaN and the network
    sees values it was trained on, just held constant. ``fit`` trains only on
    full windows, so it needs at least ``lookback`` rows.
    **History that continues.** ``fit`` remembers its last ``lookback - 1``
    rows (``history_``); when the rows given to ``predict`` carry an index that
    continues the fit index (a ``TimeSeriesSplit`` test fold of a
    DataFrame), the first windows are completed with those rows instead of
    padding.
    **Panels (many series, one global model).** X may be a panel: a
    DataFrame indexed by a 2-level MultiIndex ``(series id, time)``, each
    series' rows together and in time order (``X.sort_index()``), with y on
    the same rows (``make_supervised`` of each series, concatenated). One
    network is trained on the windows of all series; a window never spans
    two series (the windows are the same strided view over all rows, of
    which only those inside one series are used, so memory grows with rows
    times features), and each shuffled batch mixes windows of all series.
    Every series needs at least ``lookback`` rows at fit. Validation holds
    out the last ``validation_fraction`` of each series' windows. With
    ``scale_target`` y is scaled per series (each series' own offset and
    scale over its window-ending rows, a local scaler) and predictions are
    unscaled per series. X is used as given by default, as for one series;
    with ``scale_inputs="series"`` each series' feature columns are
    standardised by that series' own mean and standard deviation over its
    fit rows (``input_offset_``, ``input_scale_``), and its rows at predict
    by the same, so series on widely different levels reach the network on
    one scale. A column constant within a series (a static feature such as
    a store's size) then becomes 0 in every series: leave such columns out,
    or tell the series apart with ``id_embedding``. ``id_embedding=d`` learns
    a vector of size ``d`` per series, appended to each time step's input.
    ``predict`` on a panel gives one prediction per row; the first rows of
    each series are completed with that series' remembered fit rows when its
    time index continues the fit one, else edge padded within the series.
    A model that keeps per-series state (``scale_target``,
    ``scale_inputs="series"`` or ``id_embedding``) refuses series it did not
    see at fit; without any, the model is purely global and predicts new
    series too. The steps before it in a pipeline must keep the DataFrame
    and its index (``set_output(transform="pandas")``): a plain array
    carries no series ids and is taken as one series.
    **Validation** is time-ordered: the last ``validation_fraction`` of the
    training windows, never a random split. Early stopping watches its loss
    (the training loss when there is no validation part) and restores the
    weights of the best epoch.
    **Threads.** ``n_threads=None`` gives torch one thread inside a joblib
    or multiprocessing worker (``GridSearchCV(n_jobs=k)``), where several
    processes would otherwise each start one thread per core and spin-wait
    on each other, and caps torch's count at the CPUs the process may use
    elsewhere. The count is set for the duration of ``fit``/``predict`` and
    restored afterwards.
    **Quantiles.** With ``loss="quantile"`` and ``quantiles=[0.1, 0.5, 0.9]``
    one network predicts every level of every output (``n_outputs *
    len(quantiles)`` outputs), trained on the mean pinball loss over outputs
    and levels of the scaled target; since the scale is positive, quantiles
    of the scaled target map back to quantiles of y. ``predict_quantiles``
    returns them on the original scale, made non-crossing by an isotonic
    projection across the levels of each row and output; ``predict`` returns
    the median read off those: the 0.5 level when ``quantiles`` holds it,
    else the linear interpolation in the level between the two levels either
    side of 0.5 (the nearest level when all lie on one side). A
    ``ConstrainedRegressor`` around the model keeps ``predict`` (the median)
    non-negative; for the quantiles, ``predict_quantiles(X, lower_bound=0)``
    clips every level at 0 after the ordering, which keeps them ordered.

    Parameters
    ----------
    lookback : int, default=24
        Rows per window (the current row and ``lookback - 1`` before it).
    hidden_size : int, default=64
        Units per LSTM layer and direction.
    num_layers : int, default=1
        Stacked LSTM layers.
    dropout : float in [0, 1), default=0.0
        Dropout between stacked layers and before the output layer.
    bidirectional : bool, default=False
        Also read each window backwards.
    output_activation : {None, "relu", "softplus"}, default=None
        Bounds the output below by 0 when set. With ``scale_target`` the
        target is then divided by its root mean square without centering,
        so that the bound holds on the original scale.
    highway : int, default=0
        Add a linear map of the last ``highway`` values of X's first column
        in each window to the output (LSTNet's autoregressive highway; see
        :class:`LSTMNet`). 0 turns it off; at most ``lookback``.
    id_embedding : int, default=0
        Only for a panel: the size of a learned embedding of the series id,
        appended to the features of every time step (see **Panels** above).
        0 turns it off; at most 4096, as ``hidden_size``.
    loss : {"mse", "mae", "huber", "quantile"}, default="mse"
        Training loss on the scaled target: squared error, absolute error,
        Huber (squared within one scaled unit, absolute beyond), or the
        mean pinball loss of the levels in ``quantiles`` (which it needs).
    quantiles : array-like of float or None, default=None
        Quantile levels, each in (0, 1), no level twice, in any order (they
        are sorted, see ``quantiles_``); only with ``loss="quantile"``. See
        **Quantiles** above.
    optimizer : {"adam", "adamw", "rmsprop", "sgd"} or torch optimizer class, \
default="adam"
        "sgd" uses momentum 0.9. A class is called as ``cls(params, lr=lr,
        weight_decay=weight_decay)``.
    lr : float, default=1e-3
        Learning rate.
    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer (decoupled decay for "adamw").
    l1 : float, default=0.0
        L1 penalty on all weights (not biases), added to the training loss.
    batch_size : int, default=64
        Windows per training batch; batches are shuffled every epoch.
    max_epochs : int, default=200
        Most passes over the training windows.
    patience : int or None, default=15
        Stop after this many epochs without a lower monitored loss and load
        the best epoch's weights. None trains all ``max_epochs`` and keeps the
        final weights.
    validation_fraction : float in [0, 1) or None, default=0.15
        Share of the last training windows held out for validation. 0 or None
        (or too few windows for one) trains on all and monitors the training
        loss.
    lr_scheduler : {None, "plateau", "cosine"}, default=None
        "plateau" halves the learning rate after ``max(patience // 3, 2)``
        epochs without improvement; "cosine" anneals it to 0 over
        ``max_epochs``.
    gradient_clip : float or None, default=None
        Clip the gradient norm to this value.
    scale_target : bool, default=True
        Standardise the target for training and undo it at predict.
    scale_inputs : {"none", "series"}, default="none"
        "none" uses X as given. "series" standardises each feature column
        by its mean and standard deviation over the fit rows of each series
        of a panel, and scales each series' rows at predict with its own
        (see **Panels** above); a column constant in a series gets scale 1
        (and becomes 0). On a single series (not a panel) the one series is
        the one group: the columns are standardised over all fit rows, as a
        ``StandardScaler`` before this step would. Not for 3-D windows.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout and batch shuffling. The global
        torch random state is left as it was.
    device : {"cpu", "cuda", "auto"}, default="cpu"
        Where to train; "auto" takes a GPU when one is visible. A model
        trained on a GPU loads and predicts on a CPU-only machine.
    n_threads : int or None, default=None
        Torch threads during fit and predict; None decides as described above.
    verbose : int, default=0
        1 prints one line per epoch (training and validation loss, time).
    callbacks : list of skorch callbacks or None, default=None
        Extra callbacks: instances of ``skorch.callbacks.Callback`` or
        ``(name, callback)`` pairs. They are used as given, not copied, as
        skorch does: skorch initialises them at the start of each fit and
        calls them every epoch, so a callback that reports elsewhere (Optuna's
        ``SkorchPruningCallback``) sees the training, and an exception raised
        from one (``optuna.TrialPruned``) stops ``fit`` and propagates.
        ``clone`` (and so every search) copies them with the estimator. The
        names skorch and this estimator give their own callbacks
        (``"early_stopping"``, ``"print_log"``, ...) are taken.

    Attributes
    ----------
    net_ : skorch.NeuralNetRegressor
        The trained net; ``net_.module_`` is the :class:`LSTMNet`.
    loss_history_ : pandas.DataFrame
        One row per epoch: ``train_loss``, ``valid_loss`` (when validating),
        ``lr``, ``dur`` (seconds); losses are ``loss`` on the scaled target
        (the training loss includes the L1 penalty).
    best_epoch_ : int
        1-based epoch with the lowest monitored loss.
    stop_reason_ : str
        Why training ended.
    n_epochs_ : int
        Epochs run.
    history_ : History, tuple of History, or None
        The last ``lookback - 1`` fit rows, used when predict continues the
        fit index (the transformers keep theirs under the same name); None
        after a fit on windows; after a fit on a panel, one per series, in the
        order of ``series_ids_`` (None for a series without a regular time
        index). The epochs' log is skorch's ``net_.history``, summarised in
        ``loss_history_``.
    target_offset_, target_scale_ : ndarray of shape (n_outputs,) or \
(n_series, n_outputs)
        ``y`` is trained as ``(y - target_offset_) / target_scale_``; after a
        fit on a panel with ``scale_target``, one row per series (the order
        of ``series_ids_``).
    input_offset_, input_scale_ : ndarray of shape (n_features,) or \
(n_series, n_features)
        X is fed to the network as ``(X - input_offset_) / input_scale_``:
        each column's mean and standard deviation over the fit rows (1 for
        a constant column); after a fit on a panel, one row per series (the
        order of ``series_ids_``). Only with ``scale_inputs="series"``.
    series_ids_ : ndarray of shape (n_series,), object
        The ids of the series of a panel, in the order of the fit rows. Only
        after a fit on a panel.
    quantiles_ : ndarray of shape (n_quantiles,)
        The sorted levels, the order of ``predict_quantiles``' last axis.
        Only with ``loss="quantile"``.
    n_outputs_ : int
    device_ : str
        The device the net lives on.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only for DataFrame input with string column names.

    See Also
    --------
    sklstm.neural.LSTMNet : the torch module.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm import LSTMRegressor
    >>> t = np.arange(300.0)
    >>> X = np.sin(2 * np.pi * t / 25)[:, None]
    >>> y = np.roll(X[:, 0], -1)
    >>> model = LSTMRegressor(lookback=12, hidden_size=16, max_epochs=5,
    ...                       n_threads=1, random_state=0).fit(X, y)
    >>> model.predict(X).shape
    (300,)
    >>> list(model.loss_history_.columns)
    ['train_loss', 'valid_loss', 'lr', 'dur']

    Three quantiles from one network; ``predict`` is the median:

    >>> model = LSTMRegressor(lookback=12, hidden_size=16, max_epochs=5,
    ...                       loss="quantile", quantiles=[0.1, 0.5, 0.9],
    ...                       n_threads=1, random_state=0).fit(X, y)
    >>> bands = model.predict_quantiles(X)
    >>> bands.shape
    (300, 3)
    >>> bool((np.diff(bands, axis=1) >= 0).all())
    True
    >>> np.allclose(model.predict(X), bands[:, 1])
    True

    One network across a panel of two series on very different levels, with
    a learned id embedding; the target is scaled per series:

    >>> import pandas as pd
    >>> index = pd.MultiIndex.from_product([["a", "b"], range(150)],
    ...                                    names=["id", "t"])
    >>> level = np.repeat([10.0, 1000.0], 150)
    >>> wave = np.sin(2 * np.pi * np.tile(np.arange(150.0), 2) / 25)
    >>> X = pd.DataFrame({"x": wave}, index=index)
    >>> y = pd.Series(level * (1 + 0.1 * np.roll(wave, -1)), index=index)
    >>> model = LSTMRegressor(lookback=12, hidden_size=8, max_epochs=3,
    ...                       id_embedding=2, n_threads=1, random_state=0)
    >>> model.fit(X, y).series_ids_.tolist(), model.target_offset_.shape
    (['a', 'b'], (2, 1))
    >>> pred = model.predict(X)
    >>> pred.shape, bool(abs(pred[:150].mean() - 10) < 2)
    ((300,), True)
    """

    _parameter_constraints: dict = {
        "lookback": [Interval(Integral, 1, None, closed="left")],
        "hidden_size": [Interval(Integral, 1, MAX_HIDDEN_SIZE, closed="both")],
        "num_layers": [Interval(Integral, 1, MAX_LAYERS, closed="both")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "bidirectional": ["boolean"],
        "output_activation": [StrOptions({"relu", "softplus"}), None],
        "highway": [Interval(Integral, 0, None, closed="left")],
        # as wide as an LSTM layer at most: it widens every time step's input
        "id_embedding": [Interval(Integral, 0, MAX_HIDDEN_SIZE, closed="both")],
        "loss": [StrOptions(set(LOSSES))],
        "quantiles": ["array-like", None],
        "optimizer": [StrOptions(set(OPTIMIZERS)), callable],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "l1": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "patience": [Interval(Integral, 1, None, closed="left"), None],
        "validation_fraction": [Interval(Real, 0, 1, closed="left"), None],
        "lr_scheduler": [StrOptions({"plateau", "cosine"}), None],
        "gradient_clip": [Interval(Real, 0, None, closed="neither"), None],
        "scale_target": ["boolean"],
        "scale_inputs": [StrOptions({"none", "series"})],
        "random_state": ["random_state"],
        "device": [StrOptions({"auto", "cpu", "cuda"})],
        "n_threads": [Interval(Integral, 1, None, closed="left"), None],
        "verbose": ["verbose"],
        "callbacks": [list, None],
    }

    def __init__(
        self,
        lookback: int = 24,
        *,
        hidden_size: int = 64,
        num_layers: int = 1,
        dropout: float = 0.0,
        bidirectional: bool = False,
        output_activation: str | None = None,
        highway: int = 0,
        id_embedding: int = 0,
        loss: str = "mse",
        quantiles: ArrayLike | None = None,
        optimizer: str | type = "adam",
        lr: float = 1e-3,
        weight_decay: float = 0.0,
        l1: float = 0.0,
        batch_size: int = 64,
        max_epochs: int = 200,
        patience: int | None = 15,
        validation_fraction: float | None = 0.15,
        lr_scheduler: str | None = None,
        gradient_clip: float | None = None,
        scale_target: bool = True,
        scale_inputs: str = "none",
        random_state: RandomState = None,
        device: str = "cpu",
        n_threads: int | None = None,
        verbose: int = 0,
        callbacks: list | None = None,
    ) -> None:
        self.lookback = lookback
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.bidirectional = bidirectional
        self.output_activation = output_activation
        self.highway = highway
        self.id_embedding = id_embedding
        self.loss = loss
        self.quantiles = quantiles
        self.optimizer = optimizer
        self.lr = lr
        self.weight_decay = weight_decay
        self.l1 = l1
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.lr_scheduler = lr_scheduler
        self.gradient_clip = gradient_clip
        self.scale_target = scale_target
        self.scale_inputs = scale_inputs
        self.random_state = random_state
        self.device = device
        self.n_threads = n_threads
        self.verbose = verbose
        self.callbacks = callbacks

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike | None = None,
            sample_weight: ArrayLike | None = None) -> Self:
        """Train the network on the windows of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or ndarray of shape \
(n_samples, lookback, n_features)
            Consecutive rows, oldest first; or ready windows; or a panel, a
            DataFrame indexed by ``(series id, time)`` (see **Panels**).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            ``y[i]`` is the target of the window ending at row ``i``. For a
            panel, a Series or DataFrame on X's index, or an array in its
            row order.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            One weight per row (per window for 3-D X): finite, >= 0, not all
            zero. The window ending at row ``i`` is weighted by
            ``sample_weight[i]``, so the weights of the first ``lookback - 1``
            rows (of each series, for a panel), which end no full window, are
            unused. The windows' weights
            are split with them into the training and validation parts, each
            part's scaled to mean 1, and each batch's loss is the mean of the
            per-window losses times those weights: ``train_loss`` and
            ``valid_loss`` are weighted means. Equal weights train exactly as
            no weights. With metadata routing enabled, request them with
            ``set_fit_request(sample_weight=True)``.

        Returns
        -------
        self : LSTMRegressor

        Examples
        --------
        Weigh the recent half of the rows three times as much:

        >>> import numpy as np
        >>> from sklstm import LSTMRegressor
        >>> X = np.sin(np.arange(120.0) / 4)[:, None]
        >>> y = np.roll(X[:, 0], -1)
        >>> w = np.where(np.arange(120) < 60, 1.0, 3.0)
        >>> model = LSTMRegressor(lookback=8, hidden_size=8, max_epochs=2,
        ...                       n_threads=1, random_state=0)
        >>> model.fit(X, y, sample_weight=w).n_epochs_
        2
        """
        owner = who(self, "fit")
        refuse_row_sampling_search(owner)
        extra_callbacks = check_callbacks(self.callbacks, owner, _OWN_CALLBACKS)
        if y is None:
            raise ValueError(
                f"{owner} requires y to be passed, but the target y is None."
            )
        self.device_ = resolve_device(self.device, owner)
        if self.highway > self.lookback:
            raise ValueError(
                f"{owner}: highway={self.highway} reads more steps than a window "
                f"has (lookback={self.lookback}); use highway <= lookback."
            )
        levels = self._check_quantile_loss(owner)
        windows, y, layout = self._fit_windows(X, y, owner)
        positions = (None if layout is None
                     else panel_window_starts(layout, self.lookback))
        weights = self._window_weights(sample_weight, len(windows), owner,
                                       positions)
        targets = self._scale_target(y, layout)
        rng = check_random_state(self.random_state)
        torch_seed = int(rng.randint(np.iinfo(np.int32).max))
        shuffle_rng = np.random.RandomState(rng.randint(np.iinfo(np.int32).max))
        train, valid = self._split(windows, targets, weights, owner, layout,
                                   positions)
        monitor = "train_loss" if valid is None else "valid_loss"
        net = self._build_net(windows.shape[2], valid, monitor, shuffle_rng, owner,
                              extra_callbacks, weighted=weights is not None,
                              levels=levels,
                              n_series=0 if layout is None else len(layout.ids))
        self.net_ = self._train(net, train, torch_seed)
        self.__dict__.pop("quantiles_", None)
        if levels is not None:
            self.quantiles_ = levels
        self._summarise_training(monitor)
        return self

    def _check_quantile_loss(self, owner):
        """The sorted levels for ``loss="quantile"``, else None; refuses a half
        setting (the loss without levels, or levels without the loss)."""
        if self.loss == "quantile":
            if self.quantiles is None:
                raise ValueError(
                    f"{owner}: loss='quantile' needs quantiles, the levels to "
                    "predict, but quantiles=None; pass e.g. "
                    "quantiles=[0.1, 0.5, 0.9], or choose another loss."
                )
            return check_quantiles(self.quantiles, owner)
        if self.quantiles is not None:
            raise ValueError(
                f"{owner}: quantiles={self.quantiles!r} are trained only with "
                f"loss='quantile', but loss={self.loss!r}; set loss='quantile', "
                "or quantiles=None."
            )
        return None

    def _fit_windows(self, X, y, owner):
        """The training windows, their targets, and a panel's layout (or None);
        remembers the fit history.

        3-D input is taken as ready windows; rows give one window per full
        ``lookback`` rows, and the target of the window ending at each row. A
        panel gives the view over all its rows and all of y: the windows that
        lie inside one series are picked by :func:`panel_window_starts`.
        """
        self.__dict__.pop("series_ids_", None)
        self.__dict__.pop("input_offset_", None)
        self.__dict__.pop("input_scale_", None)
        if is_panel(X):
            return self._fit_panel_windows(X, y, owner)
        if self.id_embedding:
            raise ValueError(
                f"{owner}: id_embedding={self.id_embedding} embeds the series ids "
                "of a panel, but X is not a panel (a DataFrame indexed by a "
                "2-level MultiIndex (series id, time)); pass a panel, or set "
                "id_embedding=0."
            )
        if getattr(X, "ndim", None) == 3:
            if self.scale_inputs != "none":
                raise ValueError(
                    f"{owner}: scale_inputs={self.scale_inputs!r} scales the rows "
                    "of each series, but X is 3-D (ready windows), which carry no "
                    "series; scale the rows before windowing them, or set "
                    "scale_inputs='none'."
                )
            windows, y = self._validate_windows(X, y, reset=True, method="fit")
            self.history_ = None
            return windows, y, None
        values, index, y = check_numeric_input(
            self, X, reset=True, method="fit", allow_nan=False, y=y,
            multi_output=True, y_numeric=True,
        )
        if len(values) < self.lookback:
            n = len(values)
            raise ValueError(
                f"{owner}: X has {n} rows (n_samples = {n}) but "
                f"lookback={self.lookback} needs at least {self.lookback}; "
                "lower lookback or pass more rows."
            )
        self.history_ = record_history(values, index, self.lookback - 1)
        self.input_ndim_ = 2
        windows = sliding_windows(self._fit_rows(values, None, owner), self.lookback)
        return windows, y[self.lookback - 1 :], None

    def _fit_panel_windows(self, X, y, owner):
        """:meth:`_fit_windows` for a panel: one view over all rows, all of y."""
        layout = panel_layout(X.index, owner)
        if isinstance(y, (pd.Series, pd.DataFrame)) and not y.index.equals(X.index):
            raise ValueError(
                f"{owner}: X is a panel but y's index is not X's: y must hold "
                "the targets of X's rows, on the same (series id, time) index "
                "in the same order; align it with y = y.reindex(X.index)."
            )
        values, _, y = check_numeric_input(
            self, X, reset=True, method="fit", allow_nan=False, y=y,
            multi_output=True, y_numeric=True,
        )
        short_series(layout, self.lookback, owner)
        self.history_ = record_panel_history(values, layout, self.lookback - 1)
        self.input_ndim_ = 2
        self.series_ids_ = layout.ids
        windows = sliding_windows(self._fit_rows(values, layout, owner),
                                  self.lookback)
        return windows, y, layout

    def _fit_rows(self, values, layout, owner):
        """The fit rows as the float32 copy the windows view: as given, or with
        ``scale_inputs="series"`` standardised per series (one series without
        a ``layout``), keeping ``input_offset_`` and ``input_scale_``."""
        if self.scale_inputs == "none":
            return values.astype(np.float32)
        starts = np.zeros(1, dtype=np.int64) if layout is None else layout.starts
        offset, scale = input_scale_parameters(values, starts)
        if layout is None:
            offset, scale = offset[0], scale[0]
        rows = scale_rows(values, None if layout is None else layout.codes,
                          offset, scale)
        if not np.isfinite(rows).all():
            big = float(np.max(np.abs(values)))
            raise ValueError(
                f"{owner}: X reaches {big:.3g}, too large to scale "
                f"(scale_inputs={self.scale_inputs!r}): its mean or variance "
                "overflows float64, or its scaled rows float32. Divide those "
                "columns by a power of ten before fitting."
            )
        self.input_offset_, self.input_scale_ = offset, scale
        return rows

    def _window_weights(self, sample_weight, n_windows, owner, positions=None):
        """Each training window's weight (see :func:`window_weights`), or None."""
        if self.input_ndim_ == 3:
            return window_weights(sample_weight, n_windows, 0, owner, unit="window")
        first = self.lookback - 1
        return window_weights(sample_weight, n_windows + first, first, owner,
                              lookback=self.lookback, positions=positions)

    def _scale_target(self, y, layout=None):
        """``y`` as float32 rows of ``(y - target_offset_) / target_scale_``.

        For a panel, ``y`` holds every row, the scale is per series when
        ``scale_target``, and the result is aligned with the windows of the
        view over all rows (the row each window ends at).
        """
        y2 = y.reshape(len(y), -1)
        self.n_outputs_ = y2.shape[1]
        self.y_ndim_ = y.ndim
        center = self.output_activation is None
        if self.scale_target:
            with np.errstate(over="ignore", invalid="ignore"):  # checked below
                if layout is None:
                    offset, scale = scale_parameters(y2, center=center)
                else:
                    offset, scale = panel_scale_parameters(
                        y2, layout, self.lookback - 1,
                        functools.partial(scale_parameters, center=center))
        else:
            offset, scale = np.zeros(self.n_outputs_), np.ones(self.n_outputs_)
        self.target_offset_, self.target_scale_ = offset, scale
        rows = slice(None) if offset.ndim == 1 else layout.codes
        with np.errstate(over="ignore", invalid="ignore"):
            scaled = ((y2 - offset[rows]) / scale[rows]).astype(np.float32)
        if not (np.isfinite(scaled).all() and np.isfinite(scale).all()):
            big = float(np.max(np.abs(y2)))
            raise ValueError(
                f"LSTMRegressor.fit: y reaches {big:.3g}, too large to "
                + ("scale: its variance overflows float64. " if self.scale_target
                   else "train on in float32 (at most 3.4e38) unscaled. ")
                + "Divide y by a power of ten before fitting (and multiply the "
                "predictions back)"
                + ("." if self.scale_target else ", or set scale_target=True.")
            )
        return scaled if layout is None else scaled[self.lookback - 1 :]

    def _split(self, windows, targets, weights=None, owner="LSTMRegressor.fit",
               layout=None, positions=None):
        """The training part and the validation part (None when there is none).

        With ``weights``, each part carries its windows' weights scaled to mean 1
        over that part, so that its mean loss is the weighted mean. A panel
        (``layout``, and ``positions``, its windows) holds out the last
        windows of each series.
        """
        if layout is not None:
            return self._split_panel(windows, targets, weights, owner, layout,
                                     positions)
        n_windows = len(windows)
        n_valid = validation_size(n_windows, self.validation_fraction)
        positions = np.arange(n_windows - n_valid)
        if weights is not None and not weights[positions].any():
            raise ValueError(
                f"{owner}: the training windows (all but the last {n_valid}, which "
                "are held out for validation) all have sample_weight 0, so there is "
                "nothing to learn from; give some of them weight, or lower "
                "validation_fraction."
            )
        train = WindowDataset(windows, targets, positions,
                              _part_weights(weights, positions))
        if not n_valid:
            return train, None
        positions = np.arange(n_windows - n_valid, n_windows)
        if weights is not None and not weights[positions].any():
            raise ValueError(
                f"{owner}: the last {n_valid} windows, held out for validation "
                f"(validation_fraction={self.validation_fraction}), all have "
                "sample_weight 0, so their loss is undefined; give some of them "
                "weight, or set validation_fraction=0."
            )
        return train, WindowDataset(windows, targets, positions,
                                    _part_weights(weights, positions))

    def _split_panel(self, windows, targets, weights, owner, layout, positions):
        """:meth:`_split` for a panel: the last ``validation_fraction`` of each
        series' windows (:func:`validation_size` of its count) are held out."""
        counts = layout.lengths - self.lookback + 1
        n_valid = np.array([validation_size(int(c), self.validation_fraction)
                            for c in counts], dtype=np.int64)
        rank = np.arange(len(positions)) - np.repeat(np.cumsum(counts) - counts,
                                                     counts)
        held = rank >= np.repeat(counts - n_valid, counts)
        # each window's series, for the id embedding: the row it ends at
        series = layout.codes[self.lookback - 1 :] if self.id_embedding else None
        train_pos, valid_pos = positions[~held], positions[held]
        if weights is not None and not weights[train_pos].any():
            raise ValueError(
                f"{owner}: the training windows (all but the last windows of each "
                "series, which are held out for validation) all have "
                "sample_weight 0, so there is nothing to learn from; give some of "
                "them weight, or lower validation_fraction."
            )
        train = WindowDataset(windows, targets, train_pos,
                              _part_weights(weights, train_pos), series)
        if not len(valid_pos):
            return train, None
        if weights is not None and not weights[valid_pos].any():
            raise ValueError(
                f"{owner}: the last windows of each series, held out for "
                f"validation (validation_fraction={self.validation_fraction}), "
                "all have sample_weight 0, so their loss is undefined; give some "
                "of them weight, or set validation_fraction=0."
            )
        return train, WindowDataset(windows, targets, valid_pos,
                                    _part_weights(weights, valid_pos), series)

    def _train(self, net, train, torch_seed):
        """Fit ``net`` on ``train`` under its own torch seed and thread count."""
        cuda = torch.device(self.device_).type == "cuda"
        devices = [torch.device(self.device_).index or 0] if cuda else []
        with torch_threads(resolve_n_threads(self.n_threads)):
            with torch.random.fork_rng(devices=devices):
                torch.manual_seed(torch_seed)
                net.fit(train, y=None)
        # the validation part must not travel with the pickled model
        net.train_split = None
        return net

    def _build_net(self, n_features, valid, monitor, shuffle_rng, owner,
                   extra_callbacks=(), weighted=False, levels=None, n_series=0):
        if isinstance(self.optimizer, str):
            optimizer, optimizer_kw = OPTIMIZERS[self.optimizer]
        else:
            optimizer, optimizer_kw = self.optimizer, {}
            if inspect.isclass(optimizer) and not issubclass(
                optimizer, torch.optim.Optimizer
            ):
                raise TypeError(
                    f"{owner}: optimizer={optimizer.__name__} is not a torch "
                    f"optimizer; pass one of {sorted(OPTIMIZERS)} or a subclass "
                    "of torch.optim.Optimizer."
                )
        callbacks = [("finite_loss", FiniteLossGuard(owner, bool(self.scale_target)))]
        if self.lr_scheduler == "plateau":
            callbacks.append(("lr_scheduler", LRScheduler(
                policy="ReduceLROnPlateau", monitor=monitor, factor=0.5,
                patience=max((self.patience or 6) // 3, 2),
            )))
        elif self.lr_scheduler == "cosine":
            callbacks.append(("lr_scheduler", LRScheduler(
                policy="CosineAnnealingLR", T_max=self.max_epochs,
            )))
        if self.gradient_clip is not None:
            callbacks.append(
                ("gradient_clip", GradientNormClipping(self.gradient_clip))
            )
        # the user's instances, as skorch takes them: they see the real epochs
        callbacks.extend(extra_callbacks)
        if self.patience is not None:
            callbacks.append(
                ("early_stopping", EarlyStoppingBest(monitor, self.patience))
            )
        params = {f"optimizer__{k}": v for k, v in optimizer_kw.items()}
        if weighted:  # _WindowNet.get_loss weights the per-element losses
            params["criterion__reduction"] = "none"
        if levels is not None:  # one output per level of each target
            params["criterion__quantiles"] = tuple(levels.tolist())
        return _WindowNet(
            module=LSTMNet,
            module__n_features=n_features,
            module__n_outputs=self.n_outputs_ * (1 if levels is None else len(levels)),
            module__hidden_size=self.hidden_size,
            module__num_layers=self.num_layers,
            module__dropout=self.dropout,
            module__bidirectional=self.bidirectional,
            module__output_activation=self.output_activation,
            module__highway=self.highway,
            module__n_series=n_series,
            module__embedding_dim=self.id_embedding if n_series else 0,
            criterion=LOSSES[self.loss],
            optimizer=optimizer,
            lr=self.lr,
            optimizer__weight_decay=self.weight_decay,
            l1=self.l1,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            iterator_train=BatchIterator,
            iterator_train__shuffle=True,
            iterator_train__random_state=shuffle_rng,
            iterator_valid=BatchIterator,
            iterator_valid__batch_size=max(self.batch_size, _EVAL_BATCH),
            train_split=None if valid is None else predefined_split(valid),
            callbacks=callbacks,
            device=self.device_,
            verbose=self.verbose,
            callbacks__print_log=PlainPrintLog(),
            **params,
        )

    def _summarise_training(self, monitor):
        history = self.net_.history
        keys = ["epoch", "train_loss"]
        if monitor == "valid_loss":
            keys.append("valid_loss")
        frame = pd.DataFrame({k: history[:, k] for k in keys + ["dur"]})
        frame = frame.set_index("epoch")
        try:
            frame["lr"] = history[:, "event_lr"]
        except KeyError:
            frame["lr"] = float(self.lr)
        frame = frame[[k for k in keys[1:]] + ["lr", "dur"]]
        # kept as arrays, not a DataFrame, so a fitted model saves with skops
        self._loss_log = {"epoch": frame.index.to_numpy(dtype=np.int64),
                          **{c: frame[c].to_numpy(dtype=np.float64) for c in frame}}
        self.n_epochs_ = len(frame)
        stopper = dict(self.net_.callbacks_).get("early_stopping")
        if stopper is not None and stopper.best_epoch_ > 0:
            self.best_epoch_ = int(stopper.best_epoch_)
            self.stop_reason_ = stopper.stop_reason_
        else:
            self.best_epoch_ = int(frame[monitor].idxmin())
            self.stop_reason_ = f"max_epochs={self.max_epochs} reached"

    # -------------------------------------------------------------- predict
    def predict(self, X: ArrayLike) -> np.ndarray:
        """One prediction per row (or per window for 3-D input).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or ndarray of shape \
(n_samples, lookback, n_features) when fitted on windows
            A panel when fitted on one (see **Panels** in the class
            description): one prediction per row, from windows inside its
            series.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Shaped like ``y`` at fit. With ``loss="quantile"``, the median
            read off :meth:`predict_quantiles` (see **Quantiles** in the
            class description).
        """
        scaled, codes = self._net_output(X, "predict")
        if "quantiles_" in self.__dict__:
            y_pred = median_of_quantiles(self._unscale_quantiles(scaled, codes),
                                         self.quantiles_)
        else:
            offset, scale = self._target_scaling(codes)
            y_pred = scaled.astype(np.float64) * scale + offset
        return y_pred.ravel() if self.y_ndim_ == 1 else y_pred

    @_with_quantile_loss
    def predict_quantiles(self, X: ArrayLike,
                          lower_bound: float | None = None) -> np.ndarray:
        """Every quantile level per row, on the scale of y, never crossing.

        The network's levels are made ascending by an isotonic projection
        across the levels of each row and output (crossing neighbours are
        pooled to their mean), then, with ``lower_bound``, clipped at it,
        which keeps them ascending. Only with ``loss="quantile"``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or ndarray of shape \
(n_samples, lookback, n_features) when fitted on windows
        lower_bound : float or None, default=None
            Clip every level at this value, e.g. 0 for a non-negative series.

        Returns
        -------
        y_quantiles : ndarray of shape (n_samples, n_quantiles) or \
(n_samples, n_outputs, n_quantiles)
            The first for a 1-D ``y`` at fit, the second for a 2-D one; the
            last axis follows ``quantiles_`` (ascending levels).

        Examples
        --------
        >>> import numpy as np
        >>> from sklstm import LSTMRegressor
        >>> rng = np.random.default_rng(0)
        >>> X = rng.standard_normal((200, 1))
        >>> y = np.abs(X[:, 0]) + 0.1 * rng.standard_normal(200)
        >>> model = LSTMRegressor(lookback=4, hidden_size=8, max_epochs=3,
        ...                       loss="quantile", quantiles=[0.9, 0.1],
        ...                       n_threads=1, random_state=0).fit(X, y)
        >>> model.quantiles_
        array([0.1, 0.9])
        >>> bands = model.predict_quantiles(X, lower_bound=0.0)
        >>> bands.shape, bool((bands >= 0).all())
        ((200, 2), True)
        """
        owner = who(self, "predict_quantiles")
        check_is_fitted(self, "net_")
        if "quantiles_" not in self.__dict__:
            raise NotFittedError(
                f"{owner}: the model was last fitted without quantiles, and "
                "loss='quantile' was set afterwards; fit it again."
            )
        bound = check_lower_bound(lower_bound, owner)
        pred = self._unscale_quantiles(*self._net_output(X, "predict_quantiles"))
        if bound is not None:
            pred = np.maximum(pred, bound)
        return pred[:, 0, :] if self.y_ndim_ == 1 else pred

    def _unscale_quantiles(self, scaled, codes=None):
        """Net outputs as ascending quantiles ``(n, n_outputs, n_quantiles)`` of y."""
        pred = scaled.astype(np.float64).reshape(
            len(scaled), self.n_outputs_, len(self.quantiles_))
        offset, scale = self._target_scaling(codes)
        pred = pred * scale[..., None] + offset[..., None]
        return ordered_quantiles(pred)

    def _target_scaling(self, codes):
        """``(offset, scale)`` for the predicted rows: the fit's, or, after a
        panel fit with per-series scaling, each row's series' (``codes``)."""
        if self.target_offset_.ndim == 2:
            return self.target_offset_[codes], self.target_scale_[codes]
        return self.target_offset_, self.target_scale_

    def _net_output(self, X, method):
        """The net's scaled outputs ``(n, n_outputs * n_quantiles)`` for X, and
        each row's series as a position in ``series_ids_`` (None unless the
        model was fitted on a panel; -1 for a series unseen at fit)."""
        check_is_fitted(self, "net_")
        owner = who(self, method)
        codes, positions = None, None
        if self.input_ndim_ == 3:
            windows, _ = self._validate_windows(X, None, reset=False, method=method)
        else:
            if getattr(X, "ndim", None) == 3:
                raise ValueError(
                    f"{owner}: X is 3-D (windows), but the model was fitted on "
                    "2-D rows; pass rows with the fit columns."
                )
            panel_fit = "series_ids_" in self.__dict__
            if is_panel(X) != panel_fit:
                self._refuse_panel_mismatch(owner, panel_fit)
            values, index = check_numeric_input(
                self, X, reset=False, method=method, allow_nan=False
            )
            if panel_fit:
                windows, positions, codes = self._panel_windows(X, values, owner)
            else:
                extended, k = extend_with_history(self.history_, values, index)
                if "input_offset_" in self.__dict__:
                    rows = scale_rows(extended, None, self.input_offset_,
                                      self.input_scale_)
                else:
                    rows = extended.astype(np.float32)
                windows = row_windows(rows, self.lookback, k)
        series = None
        if codes is not None and self._embeds_ids():
            # each window's series, aligned with the view like the windows
            series = np.zeros(len(windows), dtype=np.int64)
            series[positions] = codes
        with torch_threads(resolve_n_threads(self.n_threads)):
            scaled = self.net_.predict(
                WindowDataset(windows, positions=positions, series=series))
        return scaled, codes

    def _embeds_ids(self) -> bool:
        return getattr(self.net_.module_, "embedding", None) is not None

    def _refuse_panel_mismatch(self, owner, panel_fit):
        if panel_fit:
            raise ValueError(
                f"{owner}: the model was fitted on a panel of "
                f"{len(self.series_ids_)} series (a DataFrame indexed by "
                "(series id, time)), but X is not a panel; pass rows of those "
                "series as a DataFrame on such an index (keep it through the "
                "pipeline with set_output(transform='pandas'))."
            )
        raise ValueError(
            f"{owner}: X is a panel (a DataFrame indexed by (series id, time)), "
            "but the model was fitted on a single series; fit it on a panel to "
            "predict one, or pass one series' rows (X.xs(series_id))."
        )

    def _panel_windows(self, X, values, owner):
        """A panel's windows (a view), each row's position in it, and each
        row's series as a position in ``series_ids_`` (-1: unseen at fit)."""
        layout = panel_layout(X.index, owner)
        known = pd.Index(self.series_ids_).get_indexer(pd.Index(layout.ids))
        unseen = layout.ids[known < 0]
        scales_inputs = "input_offset_" in self.__dict__
        kept = [name for name, keeps in (
            ("per-series target scales", self.target_offset_.ndim == 2),
            ("per-series input scales", scales_inputs),
            ("an id embedding", self._embeds_ids()),
        ) if keeps]
        if unseen.size and kept:
            state = (kept[0] if len(kept) == 1
                     else ", ".join(kept[:-1]) + " and " + kept[-1])
            more = f" (and {unseen.size - 1} more)" if unseen.size > 1 else ""
            name = series_name(unseen[0])
            raise ValueError(
                f"{owner}: {name}{more} did not appear in the panel "
                f"at fit; the model keeps {state} learned per fitted series, so it "
                "predicts those series only. Fit on a panel that includes them, "
                "or fit with scale_target=False, scale_inputs='none' and "
                "id_embedding=0 for a global model that predicts new series."
            )
        scaling = ((self.input_offset_[known], self.input_scale_[known])
                   if scales_inputs else None)
        windows, positions = panel_row_windows(values, layout, self.lookback,
                                               self.history_, known, scaling)
        return windows, positions, known[layout.codes]

    # ---------------------------------------------------------------- helpers
    def _validate_windows(self, X, y, *, reset, method):
        """Checks for 3-D input ``(n, lookback, n_features)``; float32 windows."""
        owner = who(self, method)
        X = np.asarray(X)
        if X.dtype.kind not in "biuf":
            raise TypeError(
                f"{owner}: expected numeric windows, but X has dtype {X.dtype}."
            )
        if X.ndim != 3:
            fitted = "" if reset else (
                f"the model was fitted on 3-D windows of shape (n, {self.lookback}, "
                f"{self.n_features_in_}), but "
            )
            raise ValueError(
                f"{owner}: {fitted}X is {X.ndim}-D with shape {X.shape}; pass 3-D "
                "windows (n, lookback, features), or refit on 2-D rows."
            )
        n, steps, n_features = X.shape
        if n == 0:
            raise ValueError(f"{owner}: X holds 0 windows; at least 1 is needed.")
        if steps != self.lookback:
            raise ValueError(
                f"{owner}: X holds windows of {steps} steps but lookback="
                f"{self.lookback}; set lookback={steps} or pass 2-D rows."
            )
        if reset:
            self.n_features_in_ = n_features
            self.input_ndim_ = 3
            if hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        elif n_features != self.n_features_in_:
            raise ValueError(
                f"{owner}: X has {n_features} features, but LSTMRegressor is "
                f"expecting {self.n_features_in_} features as input."
            )
        bad = ~np.isfinite(X)
        if bad.any():
            w, s, j = np.argwhere(bad)[0]
            kind = "NaN" if np.isnan(X[w, s, j]) else "infinite"
            raise ValueError(
                f"{owner}: X contains {int(bad.sum())} non-finite value(s); the "
                f"first is {kind} in window {w}, step {s}, feature {j}. Windows "
                "must be finite: interpolate the rows before windowing."
            )
        windows = np.ascontiguousarray(X, dtype=np.float32)
        if y is None:
            return windows, None
        y = check_array(y, ensure_2d=False, dtype=np.float64, ensure_all_finite=False,
                        input_name="y")
        if len(y) != n:
            raise ValueError(
                f"{owner}: X holds {n} windows but y has {len(y)} rows; they "
                "must match."
            )
        check_target(y, None, owner)
        return windows, y

    @property
    def loss_history_(self) -> pd.DataFrame:
        """One row per epoch: the losses, ``lr`` and ``dur`` (see Attributes)."""
        log = self.__dict__.get("_loss_log")
        if log is None:
            raise AttributeError(
                "LSTMRegressor has no loss_history_ before fit; call fit first.")
        return pd.DataFrame({k: v for k, v in log.items() if k != "epoch"},
                            index=pd.Index(log["epoch"], name="epoch"))

    def __setstate__(self, state):
        super().__setstate__(state)
        net = self.__dict__.get("net_")
        if net is not None:
            # skorch maps CUDA tensors to the CPU where no GPU is visible
            self.device_ = str(net.device)

    @classmethod
    def _test_params(cls):
        fast = {
            "hidden_size": 8, "batch_size": 32, "lr": 2e-2, "random_state": 0,
            "n_threads": 1,
        }
        return [
            {"lookback": 3, "max_epochs": 10, "patience": 5, **fast},
            {
                "lookback": 2, "num_layers": 2, "bidirectional": True,
                "dropout": 0.1, "max_epochs": 8, "lr_scheduler": "plateau",
                "gradient_clip": 1.0, "validation_fraction": 0.0,
                "optimizer": "adamw", "weight_decay": 1e-4, "highway": 2,
                "loss": "huber", "scale_inputs": "series", **fast,
            },
            {
                "lookback": 3, "max_epochs": 10, "patience": 5, "loss": "quantile",
                "quantiles": [0.1, 0.5, 0.9], **fast,
            },
        ]

    def _expected_failed_checks(self):
        return {
            **TIME_ORDER_XFAILS,
            # sklearn expects the same failure of its SGDRegressor
            "check_sample_weight_equivalence_on_dense_data": (
                "rows are time steps: repeating a row inserts steps into the "
                "windows over it and changes every shuffled batch, which weighting "
                "the window that ends at it cannot reproduce"
            ),
        }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags

