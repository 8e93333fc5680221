"""How many threads torch may use, and a context manager that sets it.

Two processes that each let torch start one OpenMP thread per core on the same
cores do not share them politely: the threads spin-wait on each other. On a
2-core machine, two such processes made an LSTM training step take 85 ms
instead of 4.4 ms. ``GridSearchCV(n_jobs=2)`` creates exactly that situation,
so inside a parallel worker torch gets one thread.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys

import torch

__all__ = ["allowed_cpus", "in_parallel_worker", "resolve_n_threads", "torch_threads"]


def in_parallel_worker() -> bool:
    """Whether this process is a joblib/loky or multiprocessing worker.

    loky (joblib's default process backend, used by ``GridSearchCV(n_jobs=k)``)
    records its nesting depth in each worker; multiprocessing pool workers are
    daemonic processes.
    """
    loky = sys.modules.get("joblib.externals.loky.process_executor")
    if loky is not None and getattr(loky, "_CURRENT_DEPTH", 0) > 0:
        return True
    return bool(multiprocessing.current_process().daemon)


def _cgroup_cpu_limit() -> float | None:
    """CPUs allowed by a cgroup v2 (or v1) CPU quota, None where unlimited."""
    try:
        with open("/sys/fs/cgroup/cpu.max") as f:
            quota, period = f.read().split()[:2]
        if quota != "max":
            return int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        with open("/sys/fs/cgroup/cpu/cpu.cfs_quota_us") as f:
            quota = int(f.read())
        with open("/sys/fs/cgroup/cpu/cpu.cfs_period_us") as f:
            period = int(f.read())
        if quota > 0 and period > 0:
            return quota / period
    except (OSError, ValueError):
        pass
    return None


def allowed_cpus() -> int:
    """CPUs this process may run on: the affinity mask, capped by a CPU quota."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    limit = _cgroup_cpu_limit()
    if limit is not None:
        n = min(n, max(int(limit), 1))
    return max(n, 1)


def resolve_n_threads(n_threads: int | None) -> int | None:
    """The torch thread count to use, or None to leave torch's as it is.

    ``n_threads`` given: that. ``None`` (auto): 1 inside a parallel worker;
    otherwise torch's current count, capped at :func:`allowed_cpus` (torch
    counts the machine's cores, not the ones a container or affinity mask
    allows); None when no cap is needed.

    >>> resolve_n_threads(3)
    3
    """
    if n_threads is not None:
        return int(n_threads)
    if in_parallel_worker():
        return 1
    cap = allowed_cpus()
    return cap if torch.get_num_threads() > cap else None


@contextlib.contextmanager
def torch_threads(n_threads: int | None):
    """Run the block with ``torch.set_num_threads(n_threads)``, then restore.

    ``None`` leaves the thread count unchanged.

    >>> before = torch.get_num_threads()
    >>> with torch_threads(1):
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """
    previous = torch.get_num_threads()
    if n_threads is None or n_threads == previous:
        yield
        return
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
