"""verbose=1 prints the epoch table: coloured on a terminal, plain text elsewhere."""

from __future__ import annotations

import io
import sys

import numpy as np
import pytest
from conftest import TINY_LSTM

from sklstm import LSTMRegressor

ANSI = "\x1b["


def _data(n=120):
    t = np.arange(n, dtype=float)
    X = np.sin(2 * np.pi * t / 12)[:, None]
    return X, np.roll(X[:, 0], -1)


def _fit_verbose():
    X, y = _data()
    LSTMRegressor(**{**TINY_LSTM, "max_epochs": 3, "verbose": 1}).fit(X, y)


def test_verbose_to_a_pipe_is_plain_text(capsys):
    _fit_verbose()
    out = capsys.readouterr().out
    assert ANSI not in out
    lines = out.splitlines()
    header = next(line for line in lines if "epoch" in line)
    assert "train_loss" in header and "dur" in header
    rows = [line.split() for line in lines if line.strip()[:1].isdigit()]
    assert [row[0] for row in rows] == ["1", "2", "3"]
    float(rows[0][1])  # a plain number, no colour around it


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_verbose_on_a_terminal_keeps_colour(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    _fit_verbose()
    assert ANSI in terminal.getvalue()


@pytest.mark.parametrize("value", ["1", "yes"])
def test_no_color_turns_colour_off_on_a_terminal(monkeypatch, value):
    monkeypatch.setenv("NO_COLOR", value)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    _fit_verbose()
    assert ANSI not in terminal.getvalue()
    assert "train_loss" in terminal.getvalue()
