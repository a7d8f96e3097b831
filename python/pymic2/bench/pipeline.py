"""Per-call cost of small elementwise ops issued back to back from Python.

A loop of `c = a + b` on device arrays, synchronised once per batch, against the same loop in
NumPy, for square and flat shapes of 128..512 elements a side. This is the case where
per-call overhead and the depth of the stream's queue decide the speed (issue #3's target:
a 128x128 add at most 2x NumPy's per-call time).
"""
import os
import statistics
import time

import numpy as np

import pymic2

from ._csv import write_csv

SUMMARY = "per-call time of back-to-back small elementwise ops vs NumPy"

DEFAULT_OUTPUT = os.path.join("bench", "results", "pipeline_python.csv")


def add_arguments(parser):
    parser.add_argument("--sides", type=int, nargs="+", default=[128, 256, 512],
                        help="square sizes N (N x N and N*N flat) (default: 128 256 512)")
    parser.add_argument("--calls", type=int, default=500, help="calls per batch (default 500)")
    parser.add_argument("--batches", type=int, default=7, help="timed batches (default 7)")
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="CSV path")


def _per_call_seconds(loop, calls, batches, sync):
    times = []
    for _ in range(batches):
        sync()
        start = time.perf_counter()
        loop(calls)
        sync()
        times.append((time.perf_counter() - start) / calls)
    return statistics.median(times)


def run(args):
    stream = pymic2.devices[0].get_default_stream()
    rows = []
    print(f"{'shape':>12} {'pymic2 us':>10} {'numpy us':>9} {'ratio':>6}")
    for side in args.sides:
        host = np.random.default_rng(side).random((side, side))
        for shape in ((side, side), (side * side,)):
            host_a = host.reshape(shape)
            a = pymic2.asarray(host_a)
            b = pymic2.asarray(host_a)
            np.testing.assert_array_equal((a + b).get(), host_a + host_a)

            def device_loop(calls):
                for _ in range(calls):
                    a + b

            def numpy_loop(calls):
                for _ in range(calls):
                    host_a + host_a

            ours = _per_call_seconds(device_loop, args.calls, args.batches, stream.sync)
            theirs = _per_call_seconds(numpy_loop, args.calls, args.batches, lambda: None)
            rows.append({"shape": "x".join(map(str, shape)), "pymic2_us": ours * 1e6,
                         "numpy_us": theirs * 1e6, "ratio": ours / theirs})
            print(f"{rows[-1]['shape']:>12} {ours * 1e6:10.1f} {theirs * 1e6:9.1f} "
                  f"{ours / theirs:6.2f}")
    write_csv(args.output, rows, list(rows[0]))
    print(f"ratio = pymic2 / NumPy per-call time; CSV: {args.output}")
    return 0
