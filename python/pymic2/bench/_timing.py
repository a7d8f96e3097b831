"""Timing shared by the benchmarks."""

import statistics
import time


def median_ms(function, sync, repetitions):
    """The median wall time of function() in ms over repetitions runs, each between two
    sync() calls (so a device's queued work is inside the measurement and only its own)."""
    times = []
    for _ in range(repetitions):
        sync()
        start = time.perf_counter()
        function()
        sync()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)
