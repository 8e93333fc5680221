"""What the command prints and writes: the comparison table, the files, the plot."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "MODEL_NAMES",
    "check_out",
    "fmt_time",
    "format_table",
    "plot",
    "scores",
    "write",
]

MODEL_NAMES = {
    "sklstm": "sklstm forecaster",
    "ridge": "Ridge on lag features",
    "snaive": "seasonal naive",
    "naive_lstm": "naive LSTM recipe",
}


def fmt_time(label) -> str:
    """A time stamp as the command prints it (no time of day when midnight)."""
    if isinstance(label, pd.Timestamp):
        if label == label.normalize():
            return label.strftime("%Y-%m-%d")
        return label.strftime("%Y-%m-%d %H:%M")
    return str(label)


def scores(actual: pd.Series, predicted: pd.Series, train: pd.Series, m: int):
    """MAE, RMSE, MASE (seasonal-naive lag ``m``) and sMAPE on the observed
    held-out values."""
    from sklstm.metrics import mae, mase, rmse, smape

    ok = actual.notna().to_numpy()
    t, p = actual.to_numpy()[ok], predicted.to_numpy()[ok]
    m = m if train.notna().sum() > m else 1
    try:
        scaled = mase(t, p, train.to_numpy(), m=m)
    except ValueError:  # a series that repeats itself exactly: no scale
        scaled = float("nan")
    return {"MAE": mae(t, p), "RMSE": rmse(t, p), "MASE": scaled, "sMAPE": smape(t, p)}


def format_table(metrics: pd.DataFrame) -> str:
    """The comparison table, best MAE first, with the change against the naive LSTM.

    >>> m = pd.DataFrame({"MAE": [10.0, 40.0], "RMSE": [12.0, 50.0],
    ...                   "MASE": [0.5, 2.0], "sMAPE": [3.0, 9.0]},
    ...                  index=["sklstm forecaster", "naive LSTM recipe"])
    >>> print(format_table(m))
    model                          MAE       RMSE   MASE  sMAPE %  MAE vs naive LSTM
    sklstm forecaster            10.00      12.00   0.50     3.00      75% lower
    naive LSTM recipe            40.00      50.00   2.00     9.00       baseline
    """
    metrics = metrics.sort_values("MAE")
    ref = metrics["MAE"].get(MODEL_NAMES["naive_lstm"])
    lines = [f"{'model':26s} {'MAE':>8s} {'RMSE':>10s} {'MASE':>6s} {'sMAPE %':>8s}"
             f"  MAE vs naive LSTM"]
    for name, row in metrics.iterrows():
        if name == MODEL_NAMES["naive_lstm"] or ref is None:
            change = "baseline" if ref is not None else ""
        elif ref > 0:
            pct = 100.0 * (ref - row["MAE"]) / ref
            change = f"{abs(pct):.0f}% {'lower' if pct >= 0 else 'higher'}"
        else:
            change = ""
        scaled = f"{row['MASE']:6.2f}" if np.isfinite(row["MASE"]) else f"{'n/a':>6s}"
        lines.append(
            # "#": 4 significant digits, trailing zeros kept (21.40, not 21.4)
            f"{name:26s} {row['MAE']:#8.4g} {row['RMSE']:#10.4g} {scaled} "
            f"{row['sMAPE']:8.2f}  {change:>17s}"
        )
    return "\n".join(lines)


def plot(path: Path, history, holdout, future, title: str, season: int
         ) -> str | None:
    """Write the PNG; a note instead when matplotlib is missing.

    It shows the recent history, every model's forecast from the last
    held-out origin (which ends with the data) with the forecaster's 80% and
    95% bands, and the final forecast with its bands.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return (
            "matplotlib is not installed, so no plot was written "
            "(pip install 'sklstm[plot]')."
        )
    last = holdout[holdout["origin"] == holdout["origin"].iloc[-1]]
    times = pd.Index(last["time"])
    h = len(last)
    shown = max(6 * h, 4 * season)
    past = history.loc[: times[0]].iloc[-shown:-1]
    fig, ax = plt.subplots(figsize=(10, 5.4), layout="constrained")
    ax.plot(past.index, past.to_numpy(), color="0.25", lw=1.2, label="history")
    ax.plot(times, last["actual"].to_numpy(), color="black", lw=1.6, marker=".",
            label="held-out actual")
    _bands(ax, times, last, "tab:blue", 0.12)
    styles = {
        MODEL_NAMES["snaive"]: dict(color="tab:gray", ls=":"),
        MODEL_NAMES["ridge"]: dict(color="tab:green", ls="--"),
        MODEL_NAMES["naive_lstm"]: dict(color="tab:red", ls="--"),
        MODEL_NAMES["sklstm"]: dict(color="tab:blue", lw=2.2),
    }
    for name, style in styles.items():
        if name in last.columns:
            ax.plot(times, last[name].to_numpy(), label=f"{name} (held-out)",
                    **{"lw": 1.2, **style})
    _bands(ax, future.index, future, "tab:blue", 0.2)
    ax.plot(future.index, future["forecast"].to_numpy(), color="tab:blue", lw=2.2,
            alpha=0.55, label="sklstm forecast (refit on all data), 80%/95%")
    ax.axvline(times[0], color="0.6", lw=0.8)
    ax.set_title(title)
    ax.set_ylabel(str(history.name))
    fig.legend(loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None


def _bands(ax, times, frame, color: str, alpha: float) -> None:
    """The 95% and 80% bands, the wider one lighter; NaN bounds are gaps."""
    for name, shade in (("95", alpha), ("80", 2 * alpha)):
        low, up = f"lower_{name}", f"upper_{name}"
        if low in frame.columns:
            ax.fill_between(times, frame[low].to_numpy(dtype=float),
                            frame[up].to_numpy(dtype=float), color=color,
                            alpha=shade, lw=0)


def write(out: Path, future, holdout, metrics, config_text) -> list:
    """forecast.csv, holdout.csv, metrics.csv and config.txt; their names.

    ``future``: the forecast and its bounds by time; ``holdout``: one row per
    held-out origin and step, with every model's forecast and the
    forecaster's bounds.
    """
    out.mkdir(parents=True, exist_ok=True)
    future.rename_axis("time").to_csv(out / "forecast.csv")
    holdout.to_csv(out / "holdout.csv", index=False)
    metrics.sort_values("MAE").to_csv(out / "metrics.csv")
    (out / "config.txt").write_text(config_text + "\n")
    return ["forecast.csv", "holdout.csv", "metrics.csv", "config.txt"]


def check_out(out: Path) -> None:
    """Refuse an output folder that cannot be one, before any work starts."""
    from sklstm._csv import InputError

    for path in (out, *out.parents):
        if path.exists() and not path.is_dir():
            raise InputError(
                f"--out {str(out)!r}: {str(path)!r} is a file, not a folder; pass "
                "a folder path (it is created if missing)."
            )
