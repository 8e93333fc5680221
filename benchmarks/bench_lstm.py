"""LSTM training: per-epoch time and peak memory of four ways to train the same net.

Run: ``python benchmarks/bench_lstm.py [--quick] [--threads 2] [--epochs 2]
[--repeat 1]``.

(a) a minimal hand-written PyTorch loop: pre-built float32 window tensors,
    manual shuffled batches, Adam, a validation pass per epoch;
(b) ``LSTMRegressor`` on the float64 rows (it builds its own windows);
(c) skorch's ``NeuralNetRegressor`` with its default settings, on pre-built
    float32 windows (SGD, no shuffling, DataLoader collating single items,
    ``ValidSplit(5)``: 80% train / 20% random validation);
(d) Keras 3 on its torch backend (``LSTM(64)`` + ``Dense(1)``, Adam,
    ``validation_split=0.1``), when keras is installed.

The net is the same everywhere: one ``nn.LSTM`` layer (hidden 64) on windows of
24 rows x 8 features, a linear head; (a), (b), (d) hold out the last 10% of the
windows for validation. Every (method, size, batch) runs in a fresh process
with ``torch.set_num_threads(--threads)``, so no run inherits another's caches
or memory; each first trains once on 300 windows, so lazy imports and one-off
initialisation stay out of the numbers. Timing: one warm-up epoch, then
``--epochs`` timed epochs; the table shows the fastest timed epoch
(perf_counter from epoch start to the end of its validation pass, measured the
same way in all four), and the process CPU time of that epoch ("cpu s": summed
over threads; with ``--threads 1`` it is the work done, less disturbed by
other processes on the machine than wall-clock time). On a busy machine, use
``--repeat``: the methods then run in interleaved rounds and each shows its
fastest epoch over all rounds (peak memory: the largest).
"us/win": the epoch's wall time per training window ((c) trains on 80% of
the windows, the others on 90%). "setup" is the rest of the run: building
windows or tensors, the net, checks.
Peak memory: the process's resident-set high-water mark (``VmHWM``, reset
through ``/proc/self/clear_refs`` just before the method starts) minus its
resident set at that moment; it covers numpy and torch allocations alike and
includes the method's own windows, if it builds them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

LOOKBACK, N_FEATURES, HIDDEN = 24, 8, 64
METHODS = {
    "a": "hand-written torch loop",
    "b": "LSTMRegressor",
    "c": "skorch NeuralNetRegressor, defaults",
    "d": "Keras 3, torch backend",
}


# ------------------------------------------------------------------ memory
def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> int:
    """Reset the RSS high-water mark; return the current RSS in kB."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    return _status_kb("VmRSS") or 0


def _peak_mb(rss_before_kb: int) -> float:
    peak = _status_kb("VmHWM")
    if peak is None:  # no /proc: the lifetime peak from getrusage
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return max(peak - rss_before_kb, 0) / 1024


class EpochClock:
    """Wall-clock and process CPU seconds of each epoch."""

    def __init__(self):
        self.wall, self.cpu = [], []

    def begin(self):
        self._t = (time.perf_counter(), time.process_time())

    def end(self):
        self.wall.append(time.perf_counter() - self._t[0])
        self.cpu.append(time.process_time() - self._t[1])


def skorch_clock():
    """A skorch callback that runs an :class:`EpochClock`."""
    from skorch.callbacks import Callback

    class SkorchClock(Callback):
        def initialize(self):
            self.clock = EpochClock()
            return self

        def on_epoch_begin(self, net, **kwargs):
            self.clock.begin()

        def on_epoch_end(self, net, **kwargs):
            self.clock.end()

    return SkorchClock()


# -------------------------------------------------------------------- data
def make_rows(n_windows: int, seed: int = 0):
    """Float64 rows (AR(1) features) and a next-step target aligned with them."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n_rows = n_windows + LOOKBACK - 1
    noise = rng.standard_normal((n_rows, N_FEATURES))
    X = np.empty_like(noise)
    X[0] = noise[0]
    for i in range(1, n_rows):
        X[i] = 0.9 * X[i - 1] + 0.3 * noise[i]
    y = np.roll(X[:, 0] + 0.5 * X[:, 1], -1)
    return X, y


def float32_windows(X, y):
    """What (a), (c) and (d) are given: contiguous float32 windows, scaled y."""
    import numpy as np

    view = np.lib.stride_tricks.sliding_window_view(X.astype(np.float32), LOOKBACK,
                                                    axis=0)
    windows = np.ascontiguousarray(view.transpose(0, 2, 1))
    target = y[LOOKBACK - 1 :]
    target = ((target - target.mean()) / target.std()).astype(np.float32)[:, None]
    return windows, target


# ----------------------------------------------------------------- methods
def run_hand_loop(X, y, batch, epochs):
    import torch

    from sklstm.neural import LSTMNet

    start = time.perf_counter()
    windows, target = float32_windows(X, y)
    Xt, yt = torch.from_numpy(windows), torch.from_numpy(target)
    n_valid = int(0.1 * len(Xt))
    n_train = len(Xt) - n_valid
    X_tr, y_tr, X_va, y_va = Xt[:n_train], yt[:n_train], Xt[n_train:], yt[n_train:]
    torch.manual_seed(0)
    model = LSTMNet(N_FEATURES, 1, HIDDEN)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.MSELoss()
    eval_batch = max(batch, 1024)
    clock = EpochClock()
    for _ in range(epochs):
        clock.begin()
        model.train()
        order = torch.randperm(n_train)
        total = 0.0
        for i in range(0, n_train, batch):
            idx = order[i : i + batch]
            opt.zero_grad()
            loss = loss_fn(model(X_tr[idx]), y_tr[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            for i in range(0, n_valid, eval_batch):
                j = slice(i, i + eval_batch)
                loss_fn(model(X_va[j]), y_va[j]).item()
        clock.end()
    return clock, time.perf_counter() - start


def run_lstm_regressor(X, y, batch, epochs, threads):
    from sklstm import LSTMRegressor

    start = time.perf_counter()
    est = LSTMRegressor(
        LOOKBACK, hidden_size=HIDDEN, batch_size=batch, max_epochs=epochs,
        patience=None, validation_fraction=0.1, n_threads=threads, random_state=0,
        callbacks=[("clock", skorch_clock())],
    ).fit(X, y)
    return dict(est.net_.callbacks_)["clock"].clock, time.perf_counter() - start


def run_skorch_defaults(X, y, batch, epochs):
    from skorch import NeuralNetRegressor

    from sklstm.neural import LSTMNet

    start = time.perf_counter()
    windows, target = float32_windows(X, y)
    net = NeuralNetRegressor(
        LSTMNet, module__n_features=N_FEATURES, module__hidden_size=HIDDEN,
        max_epochs=epochs, batch_size=batch, verbose=0,
        callbacks=[("clock", skorch_clock())],
    ).fit(windows, target)
    return dict(net.callbacks_)["clock"].clock, time.perf_counter() - start


def run_keras(X, y, batch, epochs):
    import keras

    start = time.perf_counter()
    windows, target = float32_windows(X, y)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((LOOKBACK, N_FEATURES)),
        keras.layers.LSTM(HIDDEN),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")

    clock = EpochClock()

    class KerasClock(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            clock.begin()

        def on_epoch_end(self, epoch, logs=None):
            clock.end()

    model.fit(windows, target, batch_size=batch, epochs=epochs, shuffle=True,
              validation_split=0.1, verbose=0, callbacks=[KerasClock()])
    return clock, time.perf_counter() - start


def worker(method: str, n_windows: int, batch: int, epochs: int, threads: int):
    """One measurement in this process; prints one JSON line."""
    if method == "d":
        os.environ["KERAS_BACKEND"] = "torch"
        try:
            import keras  # noqa: F401
        except ImportError:
            print("RESULT " + json.dumps({"skipped": "keras is not installed"}))
            return
    import torch

    import sklstm  # noqa: F401  (imports outside the measured block)

    torch.set_num_threads(threads)
    run = {
        "a": run_hand_loop,
        "b": lambda X, y, b, e: run_lstm_regressor(X, y, b, e, threads),
        "c": run_skorch_defaults,
        "d": run_keras,
    }[method]
    # a tiny run first: lazy imports and one-off initialisation stay out of
    # the measurement
    run(*make_rows(300, seed=1), batch, 1)
    X, y = make_rows(n_windows)
    rss = _reset_peak()
    clock, total = run(X, y, batch, epochs)
    timed = slice(1, None) if len(clock.wall) > 1 else slice(None)
    # windows trained on per epoch: (c) keeps skorch's 80/20 split
    share = 0.8 if method == "c" else 0.9
    n_train = int(share * n_windows)
    print("RESULT " + json.dumps({
        "train_us": min(clock.wall[timed]) / n_train * 1e6,
        "epoch_s": min(clock.wall[timed]),
        "cpu_s": min(clock.cpu[timed]),
        "setup_s": total - sum(clock.wall),
        "peak_mb": _peak_mb(rss),
        "threads": torch.get_num_threads(),
    }))


# -------------------------------------------------------------------- main
def measure(method, n_windows, batch, epochs, threads):
    cmd = [sys.executable, __file__, "--worker", method, str(n_windows), str(batch),
           "--epochs", str(epochs), "--threads", str(threads)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    return {"skipped": f"failed: {proc.stderr.strip().splitlines()[-1:]}"}


def keras_note() -> str:
    try:
        from importlib.metadata import version

        return f"keras {version('keras')} on torch {version('torch')}"
    except Exception:
        return "keras is not installed: (d) skipped"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="5,000 windows, one timed epoch")
    parser.add_argument("--epochs", type=int, default=2, help="timed epochs")
    parser.add_argument("--threads", type=int, default=2, help="torch threads")
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--batches", type=int, nargs="+", default=[32, 256])
    parser.add_argument("--methods", default="abcd")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds over the methods per configuration; the "
                        "fastest epoch of all rounds is shown")
    parser.add_argument("--worker", nargs=3, metavar=("METHOD", "N", "BATCH"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        method, n, batch = args.worker
        worker(method, int(n), int(batch), 1 + args.epochs, args.threads)
        return
    if args.quick:
        args.sizes, args.epochs = [5_000], 1
    print(f"lookback {LOOKBACK}, {N_FEATURES} features, hidden {HIDDEN}; torch "
          f"threads {args.threads}; 1 warm-up + {args.epochs} timed epoch(s); "
          f"{keras_note()}")
    header = (f"{'windows':>8} {'batch':>5}  {'method':<40} {'epoch s':>8} "
              f"{'x (a)':>6} {'us/win':>7} {'cpu s':>7} {'x (a)':>6} {'setup s':>8} "
              f"{'peak MB':>8}")
    print(header)
    print("-" * len(header))
    for n in args.sizes:
        for batch in args.batches:
            results = {m: [] for m in args.methods}
            for _ in range(args.repeat):  # rounds interleave the methods
                for m in args.methods:
                    results[m].append(measure(m, n, batch, args.epochs, args.threads))
            base = base_cpu = None
            for m, runs in results.items():
                label = f"({m}) {METHODS[m]}"
                done = [r for r in runs if "skipped" not in r]
                if not done:
                    print(f"{n:>8} {batch:>5}  {label:<40} {runs[0]['skipped']}")
                    continue
                r = {"epoch_s": min(r["epoch_s"] for r in done),
                     "train_us": min(r["train_us"] for r in done),
                     "cpu_s": min(r["cpu_s"] for r in done),
                     "setup_s": min(r["setup_s"] for r in done),
                     "peak_mb": max(r["peak_mb"] for r in done)}
                if m == "a":
                    base, base_cpu = r["epoch_s"], r["cpu_s"]
                ratio = f"{r['epoch_s'] / base:6.2f}" if base else f"{'':>6}"
                ratio_cpu = f"{r['cpu_s'] / base_cpu:6.2f}" if base_cpu else f"{'':>6}"
                print(f"{n:>8} {batch:>5}  {label:<40} {r['epoch_s']:8.3f} {ratio} "
                      f"{r['train_us']:7.0f} {r['cpu_s']:7.3f} {ratio_cpu} "
                      f"{r['setup_s']:8.2f} "
                      f"{r['peak_mb']:8.1f}", flush=True)
        f64 = n * LOOKBACK * N_FEATURES * 8 / 2**20
        print(f"{'':>8} {'':>5}  windows of {n:,} rows as float64: {f64:.1f} MB, "
              f"as float32: {f64 / 2:.1f} MB")


if __name__ == "__main__":
    main()
