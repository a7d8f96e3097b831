"""Runtime costs seen from Python, as pyMIC's own benchmarks measured them.

  invoke  empty kernel: stream.invoke(kernel) + stream.sync()
  bind    stream.bind() of a one-element array + stream.sync() (allocation, copy, release)
  h2d     OffloadArray.update_device() + sync, 2^0 .. 2^max doubles
  d2h     OffloadArray.update_host() + sync, same sizes
  numpy_copyto  numpy.copyto between two host arrays of the same size, interleaved with the
          transfers: the baseline, and a single-threaded memcpy inside NumPy

Each repetition is timed on its own; figures are medians. The empty kernel is compiled from
empty_kernel.c (beside this file) with the C compiler unless --kernel-library names one.
"""
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time

import numpy as np

import pymic2

from ._csv import write_csv

SUMMARY = "invoke and bind latency, h2d/d2h bandwidth vs numpy.copyto"

DEFAULT_OUTPUT = os.path.join("bench", "results", "runtime_python.csv")
CSV_COLUMNS = ["benchmark", "bytes", "repetitions", "median_us", "p10_us", "p90_us",
               "gbytes_per_s", "baseline_gbytes_per_s", "ratio_vs_baseline"]

# The project's targets (C-level figures; Python adds its own call overhead on top).
TARGET_INVOKE_US = 5.0
TARGET_TRANSFER_RATIO = 1.5
TARGET_TRANSFER_MIN_BYTES = 1 << 20


def add_arguments(parser):
    parser.add_argument("--max-log2", type=int, default=28, metavar="N",
                        help="largest transfer is 2^N doubles (0..30, default 28 = 2 GiB)")
    parser.add_argument("--repetitions", type=int, default=20000, metavar="N",
                        help="repetitions of the latency benchmarks; transfers use at most "
                             "N / 20 per size, fewer for large sizes (default 20000)")
    parser.add_argument("--output", default=DEFAULT_OUTPUT, metavar="PATH",
                        help=f"CSV file to write (default {DEFAULT_OUTPUT})")
    parser.add_argument("--device", metavar="SELECTOR",
                        help="'host:0', 'opencl:1', a global index (default: PYMIC2_DEVICE, "
                             "else host:0)")
    parser.add_argument("--kernel-library", metavar="PATH",
                        help="a built library with empty_kernel (default: compile one)")


def run(args):
    if not 0 <= args.max_log2 <= 30:
        print(f"--max-log2 takes 0..30, not {args.max_log2}", file=sys.stderr)
        return 2
    if args.repetitions < 20:
        print(f"--repetitions must be at least 20, not {args.repetitions}", file=sys.stderr)
        return 2
    device = pymic2.get_device(args.device)
    stream = device.get_default_stream()
    print(f"device: {device!r}")
    load = os.getloadavg()[0]
    print(f"load average (1 min) at start: {load:.2f}"
          + (" -- other work is running, figures will be pessimistic" if load > 0.5 else ""))

    with tempfile.TemporaryDirectory(prefix="pymic2-bench-") as scratch:
        kernel_path = args.kernel_library or compile_empty_kernel(pymic2.get_include(), scratch)
        library = device.load_library(os.path.abspath(kernel_path))
        rows = [measure_invoke(stream, library.empty_kernel, args.repetitions),
                measure_bind(stream, args.repetitions)]
        rows += measure_transfers(stream, args.max_log2, args.repetitions // 20)

    write_csv(args.output, rows, CSV_COLUMNS, ".4f")
    print_summary(rows)
    print(f"results: {args.output}")
    return 0


def compile_empty_kernel(include_dir, directory):
    """Builds empty_kernel.c into directory; returns the library's path."""
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "empty_kernel.c")
    compiler = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    output = os.path.join(directory, "libempty_kernel.so")
    command = compiler.split() + ["-O2", "-fPIC", "-shared", f"-I{include_dir}", source,
                                  "-o", output]
    if shutil.which(command[0]) is None:
        raise RuntimeError(f"no C compiler {command[0]!r} to build {source}; "
                           "pass --kernel-library or set CC")
    subprocess.run(command, check=True)
    return output


def timed(action, repetitions):
    """Runs action() once untimed, then `repetitions` times; returns microseconds per call."""
    action()
    samples = []
    clock = time.perf_counter_ns
    for _ in range(repetitions):
        start = clock()
        action()
        samples.append((clock() - start) / 1e3)
    return samples


def row(benchmark, nbytes, samples, baseline_median_us=None):
    """One CSV row: median and 10th/90th percentiles, and bandwidth if bytes moved."""
    ordered = sorted(samples)
    n = len(ordered)
    result = {"benchmark": benchmark, "bytes": nbytes, "repetitions": n,
              "median_us": statistics.median(ordered), "p10_us": ordered[n // 10],
              "p90_us": ordered[n - 1 - n // 10]}
    if baseline_median_us is not None:
        gbps = nbytes / (result["median_us"] * 1e3)
        baseline_gbps = nbytes / (baseline_median_us * 1e3)
        result.update(gbytes_per_s=gbps, baseline_gbytes_per_s=baseline_gbps,
                      ratio_vs_baseline=gbps / baseline_gbps)
    return result


def measure_invoke(stream, kernel, repetitions):
    def invoke_and_sync():
        stream.invoke(kernel)
        stream.sync()

    for _ in range(repetitions // 10):  # wakes the stream's worker thread
        invoke_and_sync()
    return row("invoke_empty_sync", 0, timed(invoke_and_sync, repetitions))


def measure_bind(stream, repetitions):
    array = np.ones(1)
    bound = None

    def bind_and_sync():
        # Rebinding releases the previous OffloadArray, so a repetition is allocation,
        # copy-in, sync and release, as in pyMIC's bind benchmark.
        nonlocal bound
        bound = stream.bind(array)
        stream.sync()

    return row("bind_sync", array.nbytes, timed(bind_and_sync, repetitions))


def transfer_repetitions(nbytes, cap):
    """About 1 GiB moved per size and direction, at least 5 repetitions, at most cap."""
    return max(5, min(cap, (1 << 30) // nbytes))


def measure_transfers(stream, max_log2, cap):
    rows = []
    for log2 in range(max_log2 + 1):
        count = 1 << log2
        nbytes = 8 * count
        source = np.arange(count, dtype=np.float64)
        baseline_target = np.empty_like(source)
        offload = stream.bind(source)
        stream.sync()

        def copy_baseline():
            np.copyto(baseline_target, source)

        def copy_in():
            offload.update_device()
            stream.sync()

        def copy_out():
            offload.update_host()
            stream.sync()

        repetitions = transfer_repetitions(nbytes, cap)
        samples = {"numpy_copyto": [], "h2d": [], "d2h": []}
        clock = time.perf_counter_ns
        for index in range(-1, repetitions):  # index -1: an untimed warm-up round
            for name, action in (("numpy_copyto", copy_baseline), ("h2d", copy_in),
                                 ("d2h", copy_out)):
                start = clock()
                action()
                elapsed_us = (clock() - start) / 1e3
                if index >= 0:
                    samples[name].append(elapsed_us)

        # The device copy must hold the data: wipe the host array and bring it back.
        source.fill(-1.0)
        copy_out()
        if not np.array_equal(source, baseline_target):
            raise RuntimeError(f"update_device + update_host of {nbytes} bytes "
                               "did not return the data")

        baseline_median = statistics.median(samples["numpy_copyto"])
        rows.append(row("numpy_copyto", nbytes, samples["numpy_copyto"], baseline_median))
        rows.append(row("h2d", nbytes, samples["h2d"], baseline_median))
        rows.append(row("d2h", nbytes, samples["d2h"], baseline_median))
        del offload
    return rows


def print_summary(rows):
    by_name = {}
    for entry in rows:
        by_name.setdefault(entry["benchmark"], []).append(entry)
    invoke = by_name["invoke_empty_sync"][0]
    bind = by_name["bind_sync"][0]
    print("summary (medians; GB/s = 1e9 bytes/s; baseline numpy.copyto, single-threaded):")
    print(f"  empty kernel invoke + sync: {invoke['median_us']:.2f} us "
          f"(p10 {invoke['p10_us']:.2f}, p90 {invoke['p90_us']:.2f}); "
          f"C-level target <= {TARGET_INVOKE_US} us")
    print(f"  bind (8 bytes) + sync:      {bind['median_us']:.2f} us")
    print(f"  {'bytes':>12} {'copyto':>8} {'h2d':>8} {'ratio':>6} {'d2h':>8} {'ratio':>6}")
    large = {"h2d": [], "d2h": []}
    for base, h2d, d2h in zip(by_name["numpy_copyto"], by_name["h2d"], by_name["d2h"]):
        print(f"  {base['bytes']:>12} {base['gbytes_per_s']:8.2f} {h2d['gbytes_per_s']:8.2f} "
              f"{h2d['ratio_vs_baseline']:6.2f} {d2h['gbytes_per_s']:8.2f} "
              f"{d2h['ratio_vs_baseline']:6.2f}")
        if base["bytes"] >= TARGET_TRANSFER_MIN_BYTES:
            large["h2d"].append(h2d["ratio_vs_baseline"])
            large["d2h"].append(d2h["ratio_vs_baseline"])
    if large["h2d"]:
        worst_h2d, worst_d2h = min(large["h2d"]), min(large["d2h"])
        met = worst_h2d >= TARGET_TRANSFER_RATIO and worst_d2h >= TARGET_TRANSFER_RATIO
        print(f"  sizes >= 1 MiB: lowest ratio h2d {worst_h2d:.2f}x, d2h {worst_d2h:.2f}x "
              f"vs numpy.copyto; target >= {TARGET_TRANSFER_RATIO}x "
              f"{'met' if met else 'NOT met'}")
