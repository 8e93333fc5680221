"""``--id``: one forecast per series of a long CSV file.

Each series (the rows of one ``--id`` value) gets its own
:class:`~sklstm.LSTMForecaster`, fitted in parallel by
:class:`~sklstm.forecasting.PerSeriesForecaster`; with ``--global``, one
:class:`~sklstm.forecasting.GlobalLSTMForecaster` is trained on all of them.
The held-out evaluation has one origin per series: its last ``H`` rows,
forecast by the model and by a seasonal-naive forecast from the rows before.
Then every series is refitted on all its rows and forecast ``H`` steps from its own end.

A series too short for the horizon is skipped, with a printed note naming
it, as long as one series remains; when none does, that is an error.
"""

from __future__ import annotations

import os
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from sklstm.cli._report import MODEL_NAMES, check_out, scores

__all__ = ["Panel", "load_panel", "run_panel", "summary_lines"]

SK, SN = MODEL_NAMES["sklstm"], MODEL_NAMES["snaive"]
#: series drawn in the PNG, and worst series printed
N_PLOTTED, N_WORST = 4, 5


@dataclass
class Panel:
    """The series of a long CSV file and the settings of one run."""

    series: dict  # id -> float Series on its own regular time index
    name: str  # "sales.csv:units by store"
    horizon: int
    id_name: str
    notes: tuple = ()
    skipped: tuple = ()  # ids of the series too short for the horizon
    # id -> covariates on the series' rows and the horizon steps after (the
    # future-known columns valued there, the past-only ones NaN)
    covariates: dict | None = None
    future: tuple = ()  # the columns known in advance
    calendar: tuple = ()  # the generated calendar terms among them
    windows: int = 1  # held-out origins per series
    target: str = "y"

    @property
    def step(self) -> int:
        """Rows between the held-out origins: ``ceil(horizon / windows)``."""
        return max(1, -(-self.horizon // self.windows))

    def stacked(self) -> pd.Series:
        """The panel (id, time) of the series."""
        return pd.concat(self.series, names=[self.id_name, "time"])

    def known(self) -> pd.DataFrame | None:
        """The covariates of the series' rows (None without any)."""
        return self._covariate_rows(lambda s: slice(0, len(s)))

    def ahead(self) -> pd.DataFrame | None:
        """The covariates at the ``horizon`` steps after each series (the
        past-only ones NaN there)."""
        return self._covariate_rows(lambda s: slice(len(s), len(s) + self.horizon))

    def _covariate_rows(self, rows) -> pd.DataFrame | None:
        if self.covariates is None:
            return None
        parts = {k: self.covariates[k].iloc[rows(s)] for k, s in self.series.items()}
        return pd.concat(parts, names=[self.id_name, "time"])

    def history(self) -> pd.Series | pd.DataFrame:
        """The panel with its covariates on its rows, as backtest takes it."""
        y = self.stacked().rename(self.target)
        known = self.known()
        return y if known is None else pd.concat([y, known], axis=1)


def load_panel(args) -> Panel:
    """The series the options ask for; InputError when they are bad."""
    from sklstm._csv import InputError, read_panel_data
    from sklstm.cli._problem import _calendar, _forecast_rows
    from sklstm.forecasting._config import min_length
    from sklstm.forecasting._seasonality import default_horizon

    features = list(getattr(args, "features", []) or [])
    future = list(getattr(args, "future", []) or [])
    options = {**{c: "--features" for c in features},
               **{c: "--future" for c in future}}
    panel, extra = read_panel_data(args.csv, args.target, args.time, args.id,
                                   getattr(args, "date_format", None), options)
    # sorted by id, as a panel is (the file may hold them in any order)
    series = {k: s.droplevel(0).astype("float64")
              for k, s in panel.groupby(level=0, sort=True)}
    series = {k: _with_freq(s) for k, s in series.items()}
    # one step for all: the shortest default (a tenth of the rows for
    # integer time steps, the M4 horizon of the step otherwise)
    h = int(args.horizon or min(default_horizon(s.index) for s in series.values()))
    windows = getattr(args, "windows", None) or 1
    # the first origin's training part: all but h + (windows - 1) * step rows
    back = h + (windows - 1) * max(1, -(-h // windows))
    need = min_length()
    short = [k for k, s in series.items()
             if len(s) - back < need or s.iloc[: len(s) - back].notna().sum() < need]
    name = f"{Path(args.csv).name}:{args.target} by {args.id}"
    if len(short) == len(series):
        shown = ", ".join(repr(k) for k in short[:3])
        raise InputError(
            f"{name}: every series is too short for --horizon {h}: the "
            f"forecaster needs {need} observed rows before the {back} held out "
            f"({len(short)} series: {shown}{', ...' if len(short) > 3 else ''}); "
            "lower --horizon or pass more history."
        )
    kept = {k: s for k, s in series.items() if k not in short}
    covariates, calendar = None, ()
    if options or getattr(args, "calendar", False):
        by_id = {} if extra is None else {
            k: rows.droplevel(0) for k, rows in extra.groupby(level=0, sort=False)}
        covariates = {}
        for k, s in kept.items():
            try:
                rows = None if extra is None else _forecast_rows(
                    s, by_id[k], future, h)
                if getattr(args, "calendar", False):
                    terms = _calendar(s, h)
                    calendar = tuple(terms.columns)
                    rows = terms if rows is None else pd.concat([rows, terms],
                                                                axis=1)
            except InputError as exc:
                raise InputError(f"series {k!r} (--id {args.id!r}): {exc}") from None
            covariates[k] = rows
        future = [*future, *calendar]
    return Panel(series=kept, name=name, horizon=h, id_name=args.id,
                 notes=tuple(panel.attrs.get("notes", ())), skipped=tuple(short),
                 covariates=covariates, future=tuple(future), calendar=calendar,
                 windows=windows, target=str(args.target))


def _with_freq(s: pd.Series) -> pd.Series:
    from sklstm.utils._time import infer_freq

    if isinstance(s.index, pd.DatetimeIndex) and s.index.freq is None:
        freq = infer_freq(s.index)
        if freq is not None:
            s = s.asfreq(freq)
    return s


def _forecaster(h: int, args, future=()):
    from sklstm.cli._experiment import forecaster

    # one network at a time per series: the series run in parallel
    return forecaster(SimpleNamespace(horizon=h, future=future), args, 1)


def panel_model(h: int, args, n_jobs: int, future=()):
    """``--global``: one GlobalLSTMForecaster with the local forecaster's
    settings, its members trained in parallel; else one forecaster per
    series, the series in parallel."""
    from sklstm.forecasting import GlobalLSTMForecaster, PerSeriesForecaster

    local = _forecaster(h, args, future)
    if not getattr(args, "global_model", False):
        return PerSeriesForecaster(local, n_jobs=n_jobs)
    shared = set(GlobalLSTMForecaster().get_params())
    params = {k: v for k, v in local.get_params().items() if k in shared}
    return GlobalLSTMForecaster(**{**params, "n_jobs": n_jobs})


def _snaive(train: pd.Series, h: int) -> np.ndarray:
    from sklstm.cli._holdout import _SeasonalNaive
    from sklstm.forecasting._seasonality import season_length

    return _SeasonalNaive(season_length(train.index)).fit(train).predict(h)


def _what(model, panel: Panel) -> str:
    if hasattr(model, "n_members"):  # GlobalLSTMForecaster
        return (f"one global model ({model.n_members} network(s), "
                f"{len(panel.series)} series)")
    return f"{len(panel.series)} forecaster(s)"


def _evaluate(held: pd.DataFrame, panel: Panel) -> tuple:
    """The held-out frame (the backtest's, with seasonal naive beside it)
    and the per-series scores of both."""
    from sklstm.forecasting._seasonality import mase_season

    idc, h = panel.id_name, panel.horizon
    held = held.rename(columns={held.columns[0]: idc, "forecast": SK})
    naive = np.empty(len(held))
    rows = {}
    for key, s in panel.series.items():
        mine = np.flatnonzero((held[idc] == key).to_numpy())
        for start in range(0, len(mine), h):  # one origin's h rows
            at = mine[start: start + h]
            naive[at] = _snaive(s.loc[: held["origin"].iloc[at[0]]], h)
        first = held["origin"].iloc[mine[0]]
        train = s.loc[:first]
        m = mase_season(train.index)
        part = held.iloc[mine]
        actual = pd.Series(part["actual"].to_numpy())
        a = scores(actual, pd.Series(part[SK].to_numpy()), train, m)
        b = scores(actual, pd.Series(naive[mine]), train, m)
        rows[key] = {"rows": len(s), **{f"{k}_sklstm": v for k, v in a.items()},
                     **{f"{k}_snaive": v for k, v in b.items()}}
    held[SN] = naive
    metrics = pd.DataFrame.from_dict(rows, orient="index")
    metrics.index.name = idc
    return held[[idc, "origin", "h", "time", "actual", SK, SN]], metrics


def _final_forecast(model, panel: Panel) -> pd.Series:
    """Fit on all rows of every series; forecast the ``horizon`` steps after
    each (with the covariates known there)."""
    known = panel.known()
    if known is None:
        return model.fit(panel.stacked()).predict()
    return model.fit(panel.stacked(), X=known).predict(X=panel.ahead())


def run_panel(args) -> int:
    """The ``--id`` run; returns the exit status."""
    from sklstm.forecasting import backtest

    started = time.perf_counter()
    panel = load_panel(args)
    out = Path(args.out)
    check_out(out)
    h = panel.horizon
    n_jobs = args.n_jobs or min(2, os.cpu_count() or 1)
    lengths = [len(s) for s in panel.series.values()]
    n_gaps = sum(int(s.isna().sum()) for s in panel.series.values())
    print(f"sklstm: {panel.name}, {len(lengths)} series of {min(lengths)} .. "
          f"{max(lengths)} rows" + (f" ({n_gaps} gaps)" if n_gaps else "")
          + f"; holding out the last {h} of each", flush=True)
    if panel.notes:
        print(f"  reading: {'; '.join(panel.notes)}")
    if panel.covariates is not None:
        from sklstm.cli._experiment import covariate_text
        from sklstm.cli._problem import Problem

        first = next(iter(panel.covariates.values()))
        print("  covariates: " + covariate_text(Problem(
            next(iter(panel.series.values())), panel.name, h, covariates=first,
            future=panel.future, calendar=panel.calendar)))
    if panel.skipped:
        shown = ", ".join(repr(k) for k in panel.skipped[:5])
        also = f" and --windows {panel.windows}" if panel.windows > 1 else ""
        print(f"note: skipped {len(panel.skipped)} series too short for "
              f"--horizon {h}{also}: {shown}"
              f"{', ...' if len(panel.skipped) > 5 else ''}")
    windows = panel.windows
    step = panel.step
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model = panel_model(h, args, n_jobs, panel.future)
        held = backtest(model, panel.history(), h, n_windows=windows, step=step,
                        target=panel.target, future=list(panel.future) or None,
                        n_jobs=1)
        fits = "" if windows == 1 else f" at each of {windows} origins"
        print(f"trained {_what(model, panel)} on the training parts{fits}, "
              f"{n_jobs} process(es) ({time.perf_counter() - started:.0f} s)",
              flush=True)
        final = _final_forecast(model, panel)
    holdout, metrics = _evaluate(held, panel)
    print()
    where = (f"one origin per series (its last {h} rows)" if windows == 1 else
             f"{windows} origins per series, {step} row(s) apart, the last {h} "
             "rows before its end")
    print(f"held-out forecasts of {h} steps, {where}; MASE scaled by each "
          "series' in-sample seasonal-naive MAE:")
    for line in summary_lines(metrics):
        print(line)
    print()

    forecast = final.rename("forecast").reset_index()
    forecast.columns = [panel.id_name, "time", "forecast"]
    out.mkdir(parents=True, exist_ok=True)
    forecast.to_csv(out / "forecast.csv", index=False)
    holdout.to_csv(out / "holdout.csv", index=False)
    metrics.to_csv(out / "metrics.csv")
    written = ["forecast.csv", "holdout.csv", "metrics.csv"]
    if not args.no_plot:
        note = plot_panel(out / "forecast.png", panel, holdout, forecast, metrics)
        if note:
            print(f"note: {note}")
        else:
            written.append("forecast.png")
    print(f"wrote {', '.join(written)} to {out}/ "
          f"({time.perf_counter() - started:.0f} s)")
    if not np.isfinite(forecast["forecast"].to_numpy()).all():  # pragma: no cover
        raise RuntimeError("the forecast holds non-finite values")
    return 0


def summary_lines(metrics: pd.DataFrame) -> list:
    """The printed summary of the per-series MASE.

    >>> m = pd.DataFrame({"MASE_sklstm": [0.5, 1.0, 2.0],
    ...                   "MASE_snaive": [1.0, 1.0, 1.5]}, index=["a", "b", "c"])
    >>> print("\\n".join(summary_lines(m)))
    MASE over 3 series           median      mean
    sklstm forecaster              1.00      1.17
    seasonal naive                 1.00      1.17
    the sklstm forecaster beats seasonal naive on 1 of 3 series (33%)
    worst series by MASE (sklstm forecaster vs seasonal naive): 'c' 2.00 vs 1.50,
    'b' 1.00 vs 1.00, 'a' 0.50 vs 1.00
    """
    import textwrap

    ours, base = metrics["MASE_sklstm"], metrics["MASE_snaive"]
    lines = [f"{f'MASE over {len(metrics)} series':26s} {'median':>9s} {'mean':>9s}"]
    for name, col in ((SK, ours), (SN, base)):
        lines.append(f"{name:26s} {np.nanmedian(col):9.2f} {np.nanmean(col):9.2f}")
    both = ours.notna() & base.notna()
    wins = int((ours[both] < base[both]).sum())
    share = f" ({wins / both.sum():.0%})" if both.any() else ""
    lines.append(f"the {SK} beats {SN} on {wins} of {int(both.sum())} series"
                 + share)
    worst = ours.sort_values(ascending=False, na_position="last").index[:N_WORST]
    parts = [f"{k!r} {ours[k]:.2f} vs {base[k]:.2f}" for k in worst]
    lines.append(textwrap.fill(f"worst series by MASE ({SK} vs {SN}): "
                               + ", ".join(parts), 79))
    return lines


def plot_panel(path: Path, panel: Panel, holdout: pd.DataFrame,
               forecast: pd.DataFrame, metrics: pd.DataFrame) -> str | None:
    """The first series (history, held-out, forecast) and a histogram of the
    per-series MASE; a note instead when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return ("matplotlib is not installed, so no plot was written "
                "(pip install 'sklstm[plot]').")
    keys = list(panel.series)[:N_PLOTTED]
    fig, axes = plt.subplots(2, 3, figsize=(13, 6.5), layout="constrained")
    flat = axes.ravel()
    idc = panel.id_name
    for ax, key in zip(flat, keys, strict=False):
        s = panel.series[key]
        past = s.iloc[: -panel.horizon].iloc[-6 * panel.horizon:]
        held = holdout[holdout[idc] == key]
        held = held[held["origin"] == held["origin"].max()]  # its last origin
        ahead = forecast[forecast[idc] == key]
        ax.plot(past.index, past.to_numpy(), color="0.25", lw=1.1, label="history")
        ax.plot(held["time"], held["actual"], color="black", marker=".", lw=1.4,
                label="held-out actual")
        ax.plot(held["time"], held[SN], color="tab:gray", ls=":", label=SN)
        ax.plot(held["time"], held[SK], color="tab:blue", lw=1.8, label=SK)
        ax.plot(ahead["time"], ahead["forecast"], color="tab:blue", lw=1.8,
                alpha=0.55, label="forecast (refit on all rows)")
        ax.set_title(f"{key}", fontsize=9)
        ax.tick_params(labelsize=7)
    hist = flat[len(keys)]
    values = metrics[["MASE_sklstm", "MASE_snaive"]].to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    bins = np.histogram_bin_edges(finite, bins=min(20, max(len(metrics), 3))) \
        if finite.size else 10
    for col, name, color in (("MASE_sklstm", SK, "tab:blue"),
                             ("MASE_snaive", SN, "tab:gray")):
        v = metrics[col].to_numpy(dtype=float)
        hist.hist(v[np.isfinite(v)], bins=bins, alpha=0.55, color=color, label=name)
    hist.set_title(f"held-out MASE of {len(metrics)} series", fontsize=9)
    hist.legend(fontsize=7, frameon=False)
    for ax in flat[len(keys) + 1:]:
        ax.set_visible(False)
    handles, labels = flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=5, fontsize=8,
               frameon=False)
    fig.suptitle(f"{panel.name}: {panel.horizon}-step forecasts "
                 f"(first {len(keys)} series)")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return None
