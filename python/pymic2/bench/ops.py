"""The paper's Table 1 functions (section 4.2, Fig. 1, the group-2 figures and Fig. 2).

For N x N inputs, three lines per function, as in the paper:
  numpy             NumPy on the host arrays
  pymic2_kernel     pyMIC2 with the inputs already on the device; stops after stream.sync()
  pymic2_transfers  the inputs copied to the device, the op, the result copied back

Every pyMIC2 result (both pyMIC2 lines) is compared with NumPy's once per (op, N) before
anything is timed; a wrong result raises. The three lines are timed alternately, so that other
load on the machine hits them alike; figures are medians. GEMM is also given in GFLOPS
(2 N^3 / time). A STREAM-like reference (Add: c = a + b; Copy), with NumPy (single-threaded)
and with pyMIC2 on the device (all its threads), puts the elementwise ops in relation to the
memory bandwidth.
"""
import argparse
import csv
import math
import os
import statistics
import sys
import time
from collections import namedtuple

import numpy as np

import pymic2

from ._csv import pyplot, write_csv

SUMMARY = "Table 1 functions: NumPy vs pyMIC2 kernel vs kernel + transfers (CSV, PNG plots)"

DEFAULT_OUTPUT = os.path.join("bench", "results", "ops_python.csv")
DEFAULT_SIZES = (128, 512, 2048, 4096)
QUICK_SIZES = (128, 256)
LARGE_SIZE = 16384
VARIANTS = ("numpy", "pymic2_kernel", "pymic2_transfers")
CSV_COLUMNS = ["group", "op", "dtype", "n", "variant", "repetitions", "median_ms", "p10_ms",
               "p90_ms", "bytes", "gbytes_per_s", "gflops", "speedup_vs_numpy"]

# The targets for elementwise ops at N >= TARGET_MIN_N.
TARGET_MIN_N = 2048
TARGET_SPEEDUP = 2.0
TARGET_STREAM_FRACTION = 0.8

# One Table 1 function. inputs: "a", "b" (N x N), "row" (1 x N); run(module, *inputs) works
# with numpy and with pymic2 alike, as both spell the functions the same (ARANGE takes N and
# the dtype instead of arrays). elementwise: one
# pass over memory (in the bandwidth target). tolerance: relative, for float results;
# reductions and GEMM add up in a different order than NumPy.
Op = namedtuple("Op", "key label group inputs run elementwise tolerance")

OPS = [
    Op("eq", "EQ", 1, "ab", lambda m, a, b: m.equal(a, b), True, 0),
    Op("gt", "GT", 1, "ab", lambda m, a, b: m.greater(a, b), True, 0),
    Op("ne", "NE", 1, "ab", lambda m, a, b: m.not_equal(a, b), True, 0),
    Op("or", "OR", 1, "ab", lambda m, a, b: m.logical_or(a, b), True, 0),
    Op("abs", "ABS", 2, "a", lambda m, a: m.abs(a), True, 0),
    Op("mean", "MEAN", 2, "a", lambda m, a: m.mean(a), False, 1e-10),
    Op("sum0", "SUM axis=0", 2, "a", lambda m, a: m.sum(a, axis=0), False, 1e-10),
    Op("sum1", "SUM axis=1", 2, "a", lambda m, a: m.sum(a, axis=1), False, 1e-10),
    Op("sum", "SUM axis=None", 2, "a", lambda m, a: m.sum(a), False, 1e-10),
    Op("argmax1", "ARGMAX axis=1", 2, "a", lambda m, a: m.argmax(a, axis=1), False, 0),
    Op("add", "ADD shape-equal", 2, "ab", lambda m, a, b: m.add(a, b), True, 0),
    Op("sub", "SUB shape-equal", 2, "ab", lambda m, a, b: m.subtract(a, b), True, 0),
    Op("mul", "MUL shape-equal", 2, "ab", lambda m, a, b: m.multiply(a, b), True, 0),
    Op("arange", "ARANGE", 2, "n", lambda m, n, dtype: m.arange(n * n, dtype=dtype), True,
       0),
    Op("maximum", "MAXIMUM", 2, "ab", lambda m, a, b: m.maximum(a, b), True, 0),
    Op("log", "LOG", 2, "a", lambda m, a: m.log(a), True, 1e-14),
    Op("exp", "EXP", 2, "a", lambda m, a: m.exp(a), True, 1e-14),
    Op("argmax0", "ARGMAX axis=0", 2, "a", lambda m, a: m.argmax(a, axis=0), False, 0),
    Op("add_row", "ADD N x N + 1 x N", 2, "ar", lambda m, a, r: m.add(a, r), True, 0),
    Op("sub_row", "SUB N x N - 1 x N", 2, "ar", lambda m, a, r: m.subtract(a, r), True, 0),
    Op("mul_row", "MUL N x N * 1 x N", 2, "ar", lambda m, a, r: m.multiply(a, r), True, 0),
    Op("matmul", "MATRIX MULTIPLICATION", 3, "ab", lambda m, a, b: m.matmul(a, b), False,
       1e-10),
]
OPS_BY_KEY = {op.key: op for op in OPS}


def add_size_and_op_arguments(parser, ops_by_key, default_sizes, quick_sizes):
    """--sizes and --ops, as this benchmark and `bench peers` take them."""
    parser.add_argument("--sizes", metavar="N,N,...",
                        help="comma-separated N (default " + ",".join(map(str, default_sizes))
                             + "; --quick: " + ",".join(map(str, quick_sizes)) + ")")
    parser.add_argument("--ops", metavar="KEY,KEY,...",
                        help="comma-separated subset of: " + ",".join(ops_by_key))


def parse_sizes_and_ops(args, ops_by_key, default_sizes, quick_sizes, extra_sizes=()):
    """(sizes, op keys) from --sizes and --ops, or ValueError naming the bad value."""
    sizes = [int(text) for text in args.sizes.split(",")] if args.sizes else \
        list(quick_sizes if args.quick else default_sizes)
    sizes += [n for n in extra_sizes if n not in sizes]
    if any(n < 1 for n in sizes):
        raise ValueError(f"--sizes must be positive, not {sizes}")
    keys = args.ops.split(",") if args.ops else list(ops_by_key)
    unknown = [key for key in keys if key not in ops_by_key]
    if unknown:
        raise ValueError(f"unknown op(s) {unknown}; known: {','.join(ops_by_key)}")
    return sizes, keys


def add_arguments(parser):
    add_size_and_op_arguments(parser, OPS_BY_KEY, DEFAULT_SIZES, QUICK_SIZES)
    parser.add_argument("--large", action="store_true",
                        help=f"also N = {LARGE_SIZE} (2 GiB per float64 array, about 16 GiB "
                             "of memory in all, and minutes for GEMM)")
    parser.add_argument("--dtype", choices=("float64", "int64"), default="float64",
                        help="element type of the inputs (default float64; int64 GEMM in "
                             "NumPy has no BLAS and takes minutes at N = 4096)")
    parser.add_argument("--repetitions", type=int, default=30, metavar="R",
                        help="most timed repetitions per (op, N); fewer when --time-budget "
                             "runs out (default 30, --quick 5)")
    parser.add_argument("--min-repetitions", type=int, default=7, metavar="R",
                        help="fewest timed repetitions per (op, N), at most --repetitions "
                             f"(default 7; 1 at N >= {LARGE_SIZE})")
    parser.add_argument("--time-budget", type=float, default=0.8, metavar="SECONDS",
                        help="aimed-at time for the three lines of one (op, N) together "
                             "(default 0.8, --quick 0.05)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: small sizes, few repetitions, small STREAM arrays")
    parser.add_argument("--stream-elements", type=int, metavar="COUNT",
                        help="length of the STREAM arrays (default 2^25 float64 = 256 MiB "
                             "each; --quick 2^22); 0 skips STREAM")
    parser.add_argument("--output", default=DEFAULT_OUTPUT, metavar="PATH",
                        help=f"CSV file to write (default {DEFAULT_OUTPUT})")
    parser.add_argument("--plot-dir", metavar="DIR",
                        help="where ops_group{1,2,3}.png go (default: the CSV's directory)")
    parser.add_argument("--no-plots", action="store_true", help="write no PNG files")
    parser.add_argument("--peak-gflops", type=float, metavar="GFLOPS",
                        help="the device's float64 peak, marked in the GEMM figure (default: "
                             "not marked; the benchmark does not guess it)")
    parser.add_argument("--gemm-c-csv", metavar="PATH",
                        help="CSV written by bench/c/bench_gemm (dtype,n,...,blas_gflops,...): "
                             "OpenBLAS called from C, marked in the GEMM figure")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="draw a progress bar on stderr (default: when it is a terminal)")
    parser.add_argument("--device", metavar="SELECTOR",
                        help="'host:0', a global index (default: PYMIC2_DEVICE, else host:0)")


def parse_settings(args):
    """Checks the options; returns (ops, sizes) or raises ValueError naming the bad value."""
    sizes, keys = parse_sizes_and_ops(args, OPS_BY_KEY, DEFAULT_SIZES, QUICK_SIZES,
                                      (LARGE_SIZE,) if args.large else ())
    if args.repetitions < 1 or args.min_repetitions < 1:
        raise ValueError("--repetitions and --min-repetitions must be at least 1")
    if args.time_budget <= 0:
        raise ValueError(f"--time-budget must be positive, not {args.time_budget}")
    if args.quick:
        args.repetitions = min(args.repetitions, 5)
        args.time_budget = min(args.time_budget, 0.05)
    args.min_repetitions = min(args.min_repetitions, args.repetitions)
    if args.stream_elements is None:
        args.stream_elements = (1 << 22) if args.quick else (1 << 25)
    if args.stream_elements < 0:
        raise ValueError(f"--stream-elements must not be negative, not {args.stream_elements}")
    return [OPS_BY_KEY[key] for key in keys], sorted(set(sizes))


def run(args):
    try:
        ops, sizes = parse_settings(args)
        gemm_c = read_gemm_c_csv(args.gemm_c_csv, args.dtype) if args.gemm_c_csv else {}
    except (ValueError, OSError) as error:
        print(error, file=sys.stderr)
        return 2
    device = pymic2.get_device(args.device)
    stream = device.get_default_stream()
    print(f"device: {device!r}; dtype {args.dtype}; sizes {sizes}")
    load = os.getloadavg()[0]
    print(f"load average (1 min) at start: {load:.2f}"
          + (" -- other work is running, figures will be pessimistic" if load > 0.5 else ""))

    progress = Progress(len(ops) * len(sizes) + (1 if args.stream_elements else 0),
                        sys.stderr.isatty() if args.progress is None else args.progress)
    rows = []
    if args.stream_elements:
        progress.step(f"STREAM, {args.stream_elements} elements")
        rows += measure_stream(stream, args.stream_elements, args)
    for n in sizes:
        rows += measure_size(stream, n, ops, args, progress)
    progress.close()

    write_csv(args.output, rows, CSV_COLUMNS)
    print_summary(rows, args, gemm_c)
    print(f"results: {args.output}")
    if not args.no_plots:
        plot_dir = args.plot_dir or os.path.dirname(args.output) or "."
        for path in write_plots(rows, plot_dir, args, gemm_c):
            print(f"plot: {path}")
    return 0


class Progress:
    """A one-line bar on a terminal; elsewhere one line per step, so logs stay readable."""

    def __init__(self, total, enabled):
        self.total, self.enabled, self.done = total, enabled, 0
        self.started = time.monotonic()
        self.terminal = sys.stderr.isatty()

    def step(self, label):
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        width = 30
        filled = width * self.done // max(self.total, 1)
        text = (f"[{'#' * filled}{'.' * (width - filled)}] {self.done + 1:>3}/{self.total} "
                f"{elapsed:6.1f}s  {label}")
        if self.terminal:
            sys.stderr.write("\r" + text.ljust(100)[:100])
        else:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()
        self.done += 1

    def close(self):
        if self.enabled and self.terminal:
            sys.stderr.write("\r" + " " * 100 + "\r")
            sys.stderr.flush()


def host_inputs(n, dtype, seed=12345):
    """a, b (N x N) and row (1 x N). b equals a at about half of the positions, so that EQ
    and NE see both outcomes; all values are positive, so that LOG is defined."""
    rng = np.random.default_rng(seed + n)
    if dtype == "int64":
        a = rng.integers(1, 100, size=(n, n), dtype=np.int64)
        b = rng.integers(1, 100, size=(n, n), dtype=np.int64)
        row = rng.integers(1, 100, size=(1, n), dtype=np.int64)
    else:
        a = rng.random((n, n)) + 0.5
        b = np.where(rng.random((n, n)) < 0.5, a, rng.random((n, n)) + 0.5)
        row = rng.random((1, n)) + 0.5
    return {"a": a, "b": b, "r": row}


def operands(op, values, n, dtype):
    """The arguments of op.run: input arrays, or for ARANGE (inputs "n") N and the dtype."""
    return [n, dtype] if op.inputs == "n" else [values[name] for name in op.inputs]


def measure_size(stream, n, ops, args, progress):
    host = host_inputs(n, args.dtype)
    device = {name: pymic2.asarray(value, stream=stream) for name, value in host.items()}
    stream.sync()
    rows = []
    for op in ops:
        progress.step(f"{op.key} N={n}")
        rows += measure_op(stream, op, n, host, device, args)
    return rows


def measure_op(stream, op, n, host, device, args):
    host_args = operands(op, host, n, args.dtype)
    device_args = operands(op, device, n, args.dtype)

    def numpy_line():
        return op.run(np, *host_args)

    def kernel_line():
        result = op.run(pymic2, *device_args)
        stream.sync()
        return result

    def transfers_line():
        uploaded = [value if op.inputs == "n" else pymic2.asarray(value, stream=stream)
                    for value in host_args]
        return op.run(pymic2, *uploaded).get()

    lines = {"numpy": numpy_line, "pymic2_kernel": kernel_line,
             "pymic2_transfers": transfers_line}
    # The first, untimed round: the results are checked, and its duration sets the count.
    clock = time.perf_counter
    start = clock()
    expected = np.asarray(numpy_line())
    check_result(op, n, "pyMIC2 kernel", expected, kernel_line().get())
    check_result(op, n, "pyMIC2 kernel + transfers", expected, transfers_line())
    first_round = clock() - start
    expected_nbytes = expected.nbytes
    del expected

    floor = 1 if n >= LARGE_SIZE else args.min_repetitions
    repetitions = max(floor, min(args.repetitions, int(args.time_budget / first_round)))
    samples = {name: [] for name in VARIANTS}
    for index in range(repetitions):
        # Rotating the order keeps any one line from always running after another's cleanup.
        order = VARIANTS[index % 3:] + VARIANTS[:index % 3]
        for name in order:
            begin = clock()
            result = lines[name]()
            samples[name].append((clock() - begin) * 1e3)
            del result

    moved = sum(value.nbytes for value in host_args if op.inputs != "n") + expected_nbytes
    rows = []
    numpy_median = statistics.median(samples["numpy"])
    for name in VARIANTS:
        entry = timing_row(op.group, op.key, args.dtype, n, name, samples[name])
        if op.key == "matmul":
            entry["gflops"] = 2.0 * n ** 3 / (entry["median_ms"] * 1e6)
        elif op.elementwise:
            entry["bytes"] = moved
            entry["gbytes_per_s"] = moved / (entry["median_ms"] * 1e6)
        entry["speedup_vs_numpy"] = numpy_median / entry["median_ms"]
        rows.append(entry)
    return rows


def check_result(op, n, line, expected, actual):
    """Raises if actual differs from NumPy's expected beyond op.tolerance (relative)."""
    actual = np.asarray(actual)
    if actual.shape != expected.shape:
        raise RuntimeError(f"{op.label} at N={n}: {line} gave shape {actual.shape}, "
                           f"NumPy {expected.shape}")
    if op.tolerance == 0 or expected.dtype.kind in "biu":
        wrong = actual != expected
    else:
        scale = np.max(np.abs(expected)) if op.key == "matmul" else np.abs(expected)
        wrong = ~(np.abs(actual - expected) <= op.tolerance * scale)
    if np.any(wrong):
        position = np.unravel_index(np.argmax(wrong), wrong.shape) if wrong.ndim else ()
        raise RuntimeError(f"{op.label} at N={n}: {line} differs from NumPy at "
                           f"{int(np.count_nonzero(wrong))} of {wrong.size} positions, e.g. "
                           f"{position}: {actual[position]!r} vs {expected[position]!r} "
                           f"(relative tolerance {op.tolerance})")


def timing_row(group, op, dtype, n, variant, samples_ms):
    ordered = sorted(samples_ms)
    count = len(ordered)
    return {"group": group, "op": op, "dtype": dtype, "n": n, "variant": variant,
            "repetitions": count, "median_ms": statistics.median(ordered),
            "p10_ms": ordered[count // 10], "p90_ms": ordered[count - 1 - count // 10]}


def measure_stream(stream, count, args):
    """STREAM Copy (16 bytes per element) and Add (24) on float64 arrays of `count` elements:
    NumPy (one thread) and pyMIC2 on the device (its whole team), preallocated outputs.
    Fill (8 bytes, written only) is not a STREAM kernel: it shows what an op that only writes
    (ARANGE) can reach on this machine. Rows use n = count, group "stream"."""
    a, b, c = (np.full(count, value) for value in (1.0, 2.0, 0.0))
    da, db, dc = (pymic2.asarray(value, stream=stream) for value in (a, b, c))

    def device_copy():
        dc[...] = da
        stream.sync()

    def device_add():
        pymic2.add(da, db, out=dc)
        stream.sync()

    def device_fill():
        dc.fill(3.0)
        stream.sync()

    kernels = {"stream_copy": (16, lambda: np.copyto(c, a), device_copy, a),
               "stream_add": (24, lambda: np.add(a, b, out=c), device_add, a + b),
               "stream_fill": (8, lambda: c.fill(3.0), device_fill, np.full(count, 3.0))}
    repetitions = 3 if args.quick else 10
    rows = []
    for name, (bytes_per_element, host_kernel, device_kernel, expected) in kernels.items():
        samples = {"numpy": [], "pymic2_kernel": []}
        for index in range(-1, repetitions):  # -1: warm-up, untimed
            for variant, action in (("numpy", host_kernel), ("pymic2_kernel", device_kernel)):
                begin = time.perf_counter()
                action()
                if index >= 0:
                    samples[variant].append((time.perf_counter() - begin) * 1e3)
        if not (np.array_equal(c, expected) and np.array_equal(dc.get(), expected)):
            raise RuntimeError(f"STREAM {name} of {count} elements computed a wrong result")
        for variant, values in samples.items():
            entry = timing_row("stream", name, "float64", count, variant, values)
            entry["bytes"] = bytes_per_element * count
            entry["gbytes_per_s"] = entry["bytes"] / (entry["median_ms"] * 1e6)
            rows.append(entry)
    return rows


def read_gemm_c_csv(path, dtype):
    """{n: OpenBLAS-from-C GFLOPS} for dtype from bench_gemm's CSV output."""
    figures = {}
    with open(path, newline="") as stream:
        for entry in csv.DictReader(stream):
            if entry.get("dtype") == dtype:
                figures[int(entry["n"])] = float(entry["blas_gflops"])
    if not figures:
        raise ValueError(f"{path}: no {dtype} rows with n and blas_gflops (bench_gemm's CSV)")
    return figures


def index_rows(rows):
    """{(op, n, variant): row}"""
    return {(entry["op"], entry["n"], entry["variant"]): entry for entry in rows}


def print_summary(rows, args, gemm_c):
    table = index_rows(rows)
    op_rows = [entry for entry in rows if entry["group"] != "stream"]
    sizes = sorted({entry["n"] for entry in op_rows})
    keys = list(dict.fromkeys(entry["op"] for entry in op_rows))
    header = f"  {'op':<22}" + "".join(f"{'N=' + str(n):>9}" for n in sizes)
    for variant, title in (("pymic2_kernel", "NumPy time / pyMIC2 kernel time"),
                           ("pymic2_transfers", "NumPy time / pyMIC2 kernel + transfers time")):
        print(f"speed-up, {title} (medians, {args.dtype}; > 1: pyMIC2 is faster):")
        print(header)
        for key in keys:
            cells = [table.get((key, n, variant)) for n in sizes]
            print(f"  {OPS_BY_KEY[key].label:<22}" + "".join(
                f"{cell['speedup_vs_numpy']:9.2f}" if cell else f"{'-':>9}" for cell in cells))

    if "matmul" in keys:
        unit, numpy_gemm = (("GFLOPS", "NumPy calls its OpenBLAS, threaded") if
                            args.dtype == "float64" else
                            ("G int ops/s", "NumPy has no BLAS for int64, one thread"))
        print(f"GEMM {unit} (2 N^3 / median time); {numpy_gemm}:")
        print(f"  {'N':>6} {'numpy':>9} {'kernel':>9} {'+transfer':>9} {'C OpenBLAS':>10}")
        for n in sizes:
            cells = [table.get(("matmul", n, variant)) for variant in VARIANTS]
            if all(cells):
                blas = f"{gemm_c[n]:10.1f}" if n in gemm_c else f"{'-':>10}"
                print(f"  {n:>6}" + "".join(f"{cell['gflops']:9.1f} " for cell in cells)
                      + blas)
        print("  peak: " + (f"{args.peak_gflops:.1f} GFLOPS (--peak-gflops)" if args.peak_gflops
                            else "not known (pass --peak-gflops; not guessed)")
              + ("" if gemm_c else "; OpenBLAS from C: not given (--gemm-c-csv)"))

    stream_best = print_stream(rows)
    print_targets(table, keys, sizes, stream_best)


def print_stream(rows):
    """Prints the STREAM figures; returns the best pyMIC2 device bandwidth (GB/s) or None."""
    stream_rows = [entry for entry in rows if entry["group"] == "stream"]
    if not stream_rows:
        return None
    count = stream_rows[0]["n"]
    print(f"STREAM-like bandwidth, float64 arrays of {count} elements "
          f"({8 * count / 2**20:.0f} MiB each), GB/s = 1e9 bytes/s:")
    for name in dict.fromkeys(entry["op"] for entry in stream_rows):
        figures = {entry["variant"]: entry["gbytes_per_s"] for entry in stream_rows
                   if entry["op"] == name}
        print(f"  {name:<12} NumPy (1 thread) {figures['numpy']:7.2f}   "
              f"pyMIC2 device {figures['pymic2_kernel']:7.2f}")
    return max(entry["gbytes_per_s"] for entry in stream_rows
               if entry["variant"] == "pymic2_kernel" and entry["op"] != "stream_fill")


def print_targets(table, keys, sizes, stream_best):
    large = [n for n in sizes if n >= TARGET_MIN_N]
    elementwise = [key for key in keys if OPS_BY_KEY[key].elementwise]
    if not large or not elementwise:
        print(f"targets: need N >= {TARGET_MIN_N} and elementwise ops to check them")
        return
    reference = (f"{stream_best:.2f} GB/s (best pyMIC2 STREAM)" if stream_best
                 else "not measured")
    print(f"elementwise pyMIC2 kernels at N >= {TARGET_MIN_N}: speed-up and bandwidth vs "
          f"STREAM {reference}; targets >= {TARGET_SPEEDUP}x and >= "
          f"{TARGET_STREAM_FRACTION:.0%}:")
    misses = 0
    for key in elementwise:
        for n in large:
            cell = table.get((key, n, "pymic2_kernel"))
            if cell is None:
                continue
            fraction = cell["gbytes_per_s"] / stream_best if stream_best else None
            met = cell["speedup_vs_numpy"] >= TARGET_SPEEDUP and (
                fraction is None or fraction >= TARGET_STREAM_FRACTION)
            misses += not met
            print(f"  {OPS_BY_KEY[key].label:<22} N={n:<6} {cell['speedup_vs_numpy']:6.2f}x "
                  f"{cell['gbytes_per_s']:7.2f} GB/s"
                  + (f" {fraction:5.0%}" if fraction is not None else "")
                  + ("" if met else "  below target"))
    print(f"  {misses} (op, N) below target" if misses else "  all met")


def write_plots(rows, directory, args, gemm_c):
    """ops_group1.png, ops_group2.png, ops_group3.png; returns their paths ([] without
    matplotlib, saying so)."""
    plt = pyplot()
    if plt is None:
        return []
    os.makedirs(directory, exist_ok=True)
    table = index_rows(rows)
    op_rows = [entry for entry in rows if entry["group"] != "stream"]
    sizes = sorted({entry["n"] for entry in op_rows})
    present = list(dict.fromkeys(entry["op"] for entry in op_rows))
    styles = {"numpy": ("tab:blue", "NumPy"), "pymic2_kernel": ("tab:orange", "pyMIC2 kernel"),
              "pymic2_transfers": ("grey", "pyMIC2 kernel + transfers")}
    paths = []
    for group in (1, 2, 3):
        keys = [key for key in present if OPS_BY_KEY[key].group == group]
        if not keys:
            continue
        columns = min(4, len(keys))
        rows_count = math.ceil(len(keys) / columns)
        figure, axes = plt.subplots(rows_count, columns, squeeze=False,
                                    figsize=(4 * columns + 1, 3.2 * rows_count + 0.6))
        for axis in axes.flat[len(keys):]:
            axis.set_visible(False)
        for axis, key in zip(axes.flat, keys):
            gemm = key == "matmul"
            for variant, (color, label) in styles.items():
                points = [(n, table[(key, n, variant)]) for n in sizes
                          if (key, n, variant) in table]
                axis.plot([n for n, _ in points],
                          [cell["gflops"] if gemm else cell["median_ms"] for _, cell in points],
                          marker="o", color=color, label=label)
            if gemm:
                decorate_gemm(axis, sizes, args, gemm_c)
            else:
                axis.set_yscale("log")
                axis.set_ylabel("time [ms]")
            axis.set_xscale("log", base=2)
            axis.set_xticks(sizes, [str(n) for n in sizes])
            axis.set_xlabel("N")
            axis.set_title(OPS_BY_KEY[key].label)
            axis.grid(True, which="both", alpha=0.3)
        axes.flat[0].legend(fontsize="small")
        figure.suptitle(f"Table 1 group {group}: N x N {args.dtype}")
        figure.tight_layout(rect=(0, 0, 1, 0.97))  # room for the suptitle
        path = os.path.join(directory, f"ops_group{group}.png")
        figure.savefig(path, dpi=100)
        plt.close(figure)
        paths.append(path)
    return paths


def decorate_gemm(axis, sizes, args, gemm_c):
    axis.set_ylabel("GFLOPS" if args.dtype == "float64" else "G int ops/s")
    if gemm_c:
        points = sorted(gemm_c.items())
        axis.plot([n for n, _ in points], [value for _, value in points], linestyle="none",
                  marker="x", markersize=9, color="black", label="OpenBLAS from C")
    if args.peak_gflops:
        axis.axhline(args.peak_gflops, color="red", linestyle="--",
                     label=f"peak {args.peak_gflops:.0f}")
    notes = [text for text, given in (("peak not known", args.peak_gflops),
                                      ("OpenBLAS from C not given", gemm_c)) if not given]
    if notes:
        axis.text(0.02, 0.02, "; ".join(notes), transform=axis.transAxes, fontsize="small",
                  color="dimgrey")
    axis.legend(fontsize="small")
