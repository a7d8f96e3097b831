"""Issue 17's peers: pyMIC2 against NumPy, numexpr and PyTorch CPU, side by side in one
process, for every Table 1 function (bench ops) and a selection of the breadth ops, float32
and float64, at N x N.

Data are resident: NumPy and numexpr arrays in host memory, PyTorch tensors made from them
once (torch.from_numpy), pyMIC2 arrays uploaded once; a pyMIC2 line ends with
stream.sync(). numexpr and PyTorch get the same thread count as the pyMIC2 device (default
2: torch.set_num_threads, numexpr.set_num_threads); NumPy's elementwise loops run on one
thread, its matmul on its BLAS's threads. Every peer's result is compared with NumPy's once
per (op, dtype, N) before timing; the lines are timed alternately, in rotating order, and
figures are medians. PyTorch and numexpr are optional: a peer that cannot be imported is
skipped with the reason printed, and numexpr is timed only for the ops it has.

The summary prints pyMIC2's speed-up over the best peer, best peer time / pyMIC2 time (> 1:
pyMIC2 is faster); the CSV has every line's median, the PNG a heat map of that ratio.
"""
import importlib
import os
import statistics
import sys
import time
from collections import namedtuple

import numpy as np

import pymic2

from ._csv import pyplot, write_csv
from .ops import OPS as TABLE1_OPS
from .ops import add_size_and_op_arguments, parse_sizes_and_ops

SUMMARY = "Table 1 and breadth ops vs NumPy, numexpr and PyTorch CPU (CSV, PNG of the ratios)"

DEFAULT_OUTPUT = os.path.join("bench", "results", "peers_python.csv")
DEFAULT_SIZES = (256, 512, 1024, 2048, 4096)
QUICK_SIZES = (256, 512)
DTYPES = ("float32", "float64")
PEERS = ("numpy", "numexpr", "torch")
BLOCK = 5  # timed calls of one line in a row
SETTLE_S = 0.02  # pause before a block: the previous library's threads go idle
CSV_COLUMNS = ["op", "dtype", "n", "repetitions", "numpy_ms", "numexpr_ms", "torch_ms",
               "pymic2_ms", "best_peer", "best_peer_ms", "ratio_vs_best"]

# One op: inputs from "a", "b" (N x N), "r" (1 x N), "c" (an N x N bool condition) or "n"
# (ARANGE: N and the dtype); numpy(module, *inputs) runs it with numpy or pymic2, torch(t,
# *inputs) with torch, numexpr the expression (None: numexpr lacks the op); tolerance is
# relative, per dtype (float32, float64): reductions and GEMM add up in another order.
Op = namedtuple("Op", "key label inputs numpy torch numexpr tolerance")

_EXACT = (0, 0)
_MATH = (2e-6, 1e-13)
_SUMS = (2e-3, 1e-10)


def _reduction_tolerance(key):
    return _EXACT if key.startswith("argmax") else _SUMS


# Table 1 (bench ops' list, so the two stay one set), as torch and numexpr spell them.
_TABLE1_PEERS = {
    "eq": (lambda t, a, b: t.eq(a, b), "a == b"),
    "gt": (lambda t, a, b: t.gt(a, b), "a > b"),
    "ne": (lambda t, a, b: t.ne(a, b), "a != b"),
    "or": (lambda t, a, b: t.logical_or(a, b), "(a != 0) | (b != 0)"),
    "abs": (lambda t, a: t.abs(a), "abs(a)"),
    "mean": (lambda t, a: t.mean(a), None),
    "sum0": (lambda t, a: t.sum(a, dim=0), None),
    "sum1": (lambda t, a: t.sum(a, dim=1), None),
    "sum": (lambda t, a: t.sum(a), "sum(a)"),
    "argmax1": (lambda t, a: t.argmax(a, dim=1), None),
    "add": (lambda t, a, b: t.add(a, b), "a + b"),
    "sub": (lambda t, a, b: t.sub(a, b), "a - b"),
    "mul": (lambda t, a, b: t.mul(a, b), "a * b"),
    "arange": (lambda t, n, dtype: t.arange(n * n, dtype=getattr(t, dtype)), None),
    "maximum": (lambda t, a, b: t.maximum(a, b), None),
    "log": (lambda t, a: t.log(a), "log(a)"),
    "exp": (lambda t, a: t.exp(a), "exp(a)"),
    "argmax0": (lambda t, a: t.argmax(a, dim=0), None),
    "add_row": (lambda t, a, r: t.add(a, r), "a + r"),
    "sub_row": (lambda t, a, r: t.sub(a, r), "a - r"),
    "mul_row": (lambda t, a, r: t.mul(a, r), "a * r"),
    "matmul": (lambda t, a, b: t.matmul(a, b), None),
}

OPS = [Op(op.key, op.label, op.inputs, op.run, *_TABLE1_PEERS[op.key],
          _MATH if op.elementwise and op.tolerance else
          (_EXACT if op.elementwise else _reduction_tolerance(op.key)))
       for op in TABLE1_OPS] + [
    Op("sin", "SIN", "a", lambda m, a: m.sin(a), lambda t, a: t.sin(a), "sin(a)", _MATH),
    Op("sqrt", "SQRT", "a", lambda m, a: m.sqrt(a), lambda t, a: t.sqrt(a), "sqrt(a)", _MATH),
    Op("where", "WHERE", "cab", lambda m, c, a, b: m.where(c, a, b),
       lambda t, c, a, b: t.where(c, a, b), "where(c, a, b)", _EXACT),
]
OPS_BY_KEY = {op.key: op for op in OPS}


def add_arguments(parser):
    add_size_and_op_arguments(parser, OPS_BY_KEY, DEFAULT_SIZES, QUICK_SIZES)
    parser.add_argument("--dtypes", default=",".join(DTYPES), metavar="DTYPE,...",
                        help="comma-separated subset of float32,float64 (default both)")
    parser.add_argument("--threads", type=int, default=2, metavar="T",
                        help="threads of numexpr and PyTorch (default 2, the pyMIC2 host "
                             "device's team on this machine)")
    parser.add_argument("--repetitions", type=int, default=15, metavar="R",
                        help="most timed repetitions per line (default 15, --quick 3)")
    parser.add_argument("--time-budget", type=float, default=1.0, metavar="SECONDS",
                        help="aimed-at time for all lines of one (op, dtype, N) together; at "
                             "least 3 repetitions (default 1.0, --quick 0.05)")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes and few repetitions (a smoke run)")
    parser.add_argument("--output", default=DEFAULT_OUTPUT, metavar="PATH",
                        help=f"CSV file to write (default {DEFAULT_OUTPUT}; the PNG goes "
                             "beside it)")
    parser.add_argument("--no-plots", action="store_true", help="write no PNG file")
    parser.add_argument("--device", metavar="SELECTOR",
                        help="'host:0', a global index (default: PYMIC2_DEVICE, else host:0)")


def parse_settings(args):
    """(ops, dtypes, sizes) from the options, or ValueError naming the bad value."""
    sizes, keys = parse_sizes_and_ops(args, OPS_BY_KEY, DEFAULT_SIZES, QUICK_SIZES)
    dtypes = args.dtypes.split(",")
    if not dtypes or any(dtype not in DTYPES for dtype in dtypes):
        raise ValueError(f"--dtypes must name float32 and/or float64, not {args.dtypes!r}")
    if args.repetitions < 1 or args.threads < 1 or args.time_budget <= 0:
        raise ValueError("--repetitions, --threads and --time-budget must be positive")
    if args.quick:
        args.repetitions = min(args.repetitions, 3)
        args.time_budget = min(args.time_budget, 0.05)
    return [OPS_BY_KEY[key] for key in keys], dtypes, sorted(set(sizes))


def import_peers(threads):
    """{name: module} of the importable peers (NumPy always), printing why others are not."""
    peers = {"numpy": np}
    for name in ("numexpr", "torch"):
        try:
            module = importlib.import_module(name)
        except ImportError as error:
            print(f"{name}: skipped, cannot import it ({error}); "
                  f"`pip install {name}` adds it")
            continue
        module.set_num_threads(threads)
        peers[name] = module
    versions = ", ".join(f"{name} {module.__version__}" for name, module in peers.items())
    print(f"peers: {versions}; numexpr and torch on {threads} threads")
    return peers


def host_inputs(n, dtype, seed=17):
    """a, b (N x N; b equals a at about half the positions), r (1 x N), c (bool N x N); all
    values positive, so that LOG and SQRT are defined."""
    rng = np.random.default_rng(seed + n)
    a = (rng.random((n, n)) + 0.5).astype(dtype)
    b = np.where(rng.random((n, n)) < 0.5, a, (rng.random((n, n)) + 0.5).astype(dtype))
    r = (rng.random((1, n)) + 0.5).astype(dtype)
    return {"a": a, "b": b, "r": r, "c": a > b}


def peer_lines(op, host, n, dtype, peers, stream):
    """{line name: function} for pymic2 and each peer that has the op; the data moved where
    each line keeps it first."""
    def arguments(values):
        return [n, dtype] if op.inputs == "n" else [values[name] for name in op.inputs]

    device_args = arguments({name: pymic2.asarray(value, stream=stream)
                             for name, value in host.items()})
    host_args = arguments(host)
    lines = {"numpy": lambda: op.numpy(np, *host_args)}
    if "numexpr" in peers and op.numexpr is not None:
        evaluate, names = peers["numexpr"].evaluate, dict(zip(op.inputs, host_args))
        lines["numexpr"] = lambda: evaluate(op.numexpr, local_dict=names)
    if "torch" in peers:
        torch = peers["torch"]
        tensors = [torch.from_numpy(value) if isinstance(value, np.ndarray) else value
                   for value in host_args]
        lines["torch"] = lambda: op.torch(torch, *tensors)

    def pymic2_line():
        result = op.numpy(pymic2, *device_args)
        stream.sync()
        return result

    lines["pymic2"] = pymic2_line
    stream.sync()
    return lines


def check(op, n, dtype, name, expected, actual):
    """Raises if a line's result differs from NumPy's beyond the op's tolerance."""
    actual = actual.get() if isinstance(actual, pymic2.ndarray) else np.asarray(actual)
    tolerance = op.tolerance[DTYPES.index(dtype)]
    if actual.shape != expected.shape:
        raise RuntimeError(f"{op.label} {dtype} N={n}: {name} gave shape {actual.shape}, "
                           f"NumPy {expected.shape}")
    same = np.array_equal(actual, expected) if tolerance == 0 else \
        np.allclose(actual, expected, rtol=tolerance, atol=0)
    if not same:
        wrong = int(np.count_nonzero(actual != expected))
        raise RuntimeError(f"{op.label} {dtype} N={n}: {name} differs from NumPy at {wrong} "
                           f"of {expected.size} positions (relative tolerance {tolerance})")


def measure(op, n, dtype, peers, stream, args):
    """Medians in ms of every line of (op, dtype, n): {line name: ms}, repetitions."""
    lines = peer_lines(op, peers=peers, host=host_inputs(n, dtype), n=n, dtype=dtype,
                       stream=stream)
    clock = time.perf_counter
    start = clock()
    expected = np.asarray(lines["numpy"]())
    for name, line in lines.items():
        if name != "numpy":
            check(op, n, dtype, name, expected, line())
    del expected
    first_round = clock() - start
    repetitions = max(3, min(args.repetitions, int(args.time_budget / first_round)))
    names = list(lines)
    samples = {name: [] for name in names}
    rounds = -(-repetitions // BLOCK)
    for index in range(rounds):
        # Each line in turn times a block after a pause and an untimed call, the order
        # rotating: timing one call per line in turn let the previous library's idle threads
        # (PyTorch's OpenMP team spins after a region) take a core from the next line
        # (pyMIC2's 4096 x 4096 a > b measured 9.5 ms that way, 5.8 ms alone).
        for name in names[index % len(names):] + names[:index % len(names)]:
            time.sleep(SETTLE_S)
            del_result = lines[name]()
            del del_result
            for _ in range(min(BLOCK, repetitions - index * BLOCK)):
                begin = clock()
                result = lines[name]()
                samples[name].append((clock() - begin) * 1e3)
                del result
    return {name: statistics.median(values) for name, values in samples.items()}, repetitions


def result_row(op, dtype, n, medians, repetitions):
    row = {"op": op.key, "dtype": dtype, "n": n, "repetitions": repetitions,
           "pymic2_ms": medians["pymic2"]}
    for peer in PEERS:
        if peer in medians:
            row[f"{peer}_ms"] = medians[peer]
    best = min((peer for peer in PEERS if peer in medians), key=medians.get)
    row.update(best_peer=best, best_peer_ms=medians[best],
               ratio_vs_best=medians[best] / medians["pymic2"])
    return row


def run(args):
    try:
        ops, dtypes, sizes = parse_settings(args)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    device = pymic2.get_device(args.device)
    stream = device.get_default_stream()
    print(f"device: {device!r}; sizes {sizes}; dtypes {dtypes}; "
          f"load average (1 min) {os.getloadavg()[0]:.2f}")
    peers = import_peers(args.threads)
    rows = []
    for dtype in dtypes:
        for n in sizes:
            for op in ops:
                medians, repetitions = measure(op, n, dtype, peers, stream, args)
                rows.append(result_row(op, dtype, n, medians, repetitions))
                print_row(rows[-1])
    write_csv(args.output, rows, CSV_COLUMNS)
    print_summary(rows, dtypes, sizes)
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.2f}")
    print(f"results: {args.output}")
    if not args.no_plots:
        path = write_plot(rows, ops, dtypes, sizes, args.output)
        if path:
            print(f"plot: {path}")
    return 0


def print_row(row):
    cells = "".join(f" {peer} {row[peer + '_ms']:.3f}" for peer in PEERS
                    if peer + "_ms" in row)
    print(f"  {row['op']:<8} {row['dtype']} N={row['n']:<5} pymic2 {row['pymic2_ms']:.3f} ms;"
          f"{cells}; best {row['best_peer']}: {row['ratio_vs_best']:.2f}x", flush=True)


def print_summary(rows, dtypes, sizes):
    table = {(row["op"], row["dtype"], row["n"]): row for row in rows}
    keys = list(dict.fromkeys(row["op"] for row in rows))
    print("speed-up over the best peer, best peer time / pyMIC2 time (medians; > 1: pyMIC2 "
          "is faster; n: NumPy, e: numexpr, t: PyTorch was best):")
    for dtype in dtypes:
        print(f"  {dtype:<22}" + "".join(f"{'N=' + str(n):>10}" for n in sizes))
        for key in keys:
            cells = [table.get((key, dtype, n)) for n in sizes]
            print(f"  {OPS_BY_KEY[key].label:<22}" + "".join(
                f"{cell['ratio_vs_best']:8.2f} {cell['best_peer'][0]}" if cell else f"{'-':>10}"
                for cell in cells))
    below = [row for row in rows if row["ratio_vs_best"] < 1.0]
    print(f"  {len(below)} of {len(rows)} (op, dtype, N) below 1.0x the best peer")


def write_plot(rows, ops, dtypes, sizes, output):
    """A heat map of the ratio per dtype (ops x N) beside the CSV; None without matplotlib."""
    plt = pyplot()
    if plt is None:
        return None
    table = {(row["op"], row["dtype"], row["n"]): row["ratio_vs_best"] for row in rows}
    figure, axes = plt.subplots(1, len(dtypes), squeeze=False,
                                figsize=(2.2 + 1.1 * len(sizes) * len(dtypes),
                                         0.32 * len(ops) + 1.6))
    for axis, dtype in zip(axes.flat, dtypes):
        ratios = np.array([[table.get((op.key, dtype, n), np.nan) for n in sizes] for op in ops])
        image = axis.imshow(np.log2(ratios), cmap="RdYlGn", vmin=-2, vmax=2, aspect="auto")
        for (i, j), value in np.ndenumerate(ratios):
            axis.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize="x-small")
        axis.set_xticks(range(len(sizes)), [str(n) for n in sizes])
        axis.set_yticks(range(len(ops)), [op.label for op in ops], fontsize="small")
        axis.set_xlabel("N")
        axis.set_title(f"{dtype}: best peer / pyMIC2")
    figure.colorbar(image, ax=axes.ravel().tolist(), label="log2 ratio (> 0: pyMIC2 faster)")
    path = os.path.splitext(output)[0] + ".png"
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)
    return path
