"""Issue 14's breadth targets: NumPy vs pyMIC2 (data on the device) for the functions added
beyond Table 1, side by side in one process.

  copies      tile, repeat, pad, roll, flip copy, concatenate, rot90 copy at 32 MiB outputs
              (target >= 1.5x NumPy)
  counting    bincount, histogram, histogram2d and isin of 2**24 values (target >= 2x
              NumPy; isin's target is beating NumPy's own table method)
  elementwise the new elementwise functions at N x N (N = 2048), float64 and float32
              (target >= 1.8x NumPy)

Every pyMIC2 result is compared with NumPy's once before timing; the two are timed
alternately (medians), so that other load hits both alike. CSV plus a bar chart of ratios.
"""
import os
from collections import namedtuple

import numpy as np

import pymic2

from ._csv import write_csv
from ._timing import median_ms

SUMMARY = "issue 14's functions (copies, counting, new elementwise ops) vs NumPy (CSV, PNG)"

DEFAULT_OUTPUT = os.path.join("bench", "results", "breadth_python.csv")
CSV_COLUMNS = ["group", "case", "dtype", "elements", "numpy_ms", "pymic2_ms",
               "speedup_vs_numpy", "target"]
TARGETS = {"copies": 1.5, "counting": 2.0, "elementwise": 1.8}

# One case: inputs(rng, side, count) -> host arrays; run(module, *arrays).
Case = namedtuple("Case", "group name inputs run tolerance")

DEFAULT_SIDE = 2048  # 2048 x 1024 float64 = 16 MiB in, 32 MiB out for the doubling copies
DEFAULT_COUNT = 1 << 24
_HALF = lambda rng, side, count: (rng.random((side, side // 2)),)  # noqa: E731
_SQUARE = lambda rng, side, count: (rng.random((side, side)),)  # noqa: E731

# the new elementwise functions timed (inputs in [0, 1): inside every domain)
_UNARY = ["sin", "cos", "tan", "arcsin", "arctan", "sinh", "cosh", "arcsinh", "exp2", "log2",
          "log10", "cbrt", "floor", "rint", "reciprocal"]
_BINARY = ["arctan2", "hypot", "logaddexp", "fmod"]

CASES = [
    Case("copies", "tile (1, 2)", _HALF, lambda m, a: m.tile(a, (1, 2)), 0),
    Case("copies", "tile (2, 1)", _HALF, lambda m, a: m.tile(a, (2, 1)), 0),
    Case("copies", "repeat 2 axis 0", _HALF, lambda m, a: m.repeat(a, 2, axis=0), 0),
    Case("copies", "repeat 2 axis 1", _HALF, lambda m, a: m.repeat(a, 2, axis=1), 0),
    Case("copies", "pad 16 constant", _SQUARE, lambda m, a: m.pad(a, 16), 0),
    Case("copies", "pad 16 reflect", _SQUARE, lambda m, a: m.pad(a, 16, "reflect"), 0),
    Case("copies", "roll 5 axis 1", _SQUARE, lambda m, a: m.roll(a, 5, axis=1), 0),
    Case("copies", "flip copy", _SQUARE, lambda m, a: m.flip(a, 1).copy(), 0),
    Case("copies", "rot90 copy", _SQUARE, lambda m, a: m.rot90(a).copy(), 0),
    Case("copies", "concatenate axis 1", _HALF,
         lambda m, a: m.concatenate([a, a], axis=1), 0),
    *[Case("elementwise", f"{name} {dtype}",
           lambda rng, side, count, dtype=dtype: (rng.random((side, side)).astype(dtype),),
           lambda m, a, name=name: getattr(m, name)(a), 2e-6 if dtype == "float32" else 1e-13)
      for dtype in ("float64", "float32") for name in _UNARY],
    *[Case("elementwise", f"{name} {dtype}",
           lambda rng, side, count, dtype=dtype: (rng.random((side, side)).astype(dtype),
                                                  rng.random((side, side)).astype(dtype)),
           lambda m, a, b, name=name: getattr(m, name)(a, b),
           2e-6 if dtype == "float32" else 1e-13)
      for dtype in ("float64", "float32") for name in _BINARY],
    *[Case("counting", f"bincount ({bins} bins)",
           lambda rng, side, count, bins=bins: (rng.integers(0, bins, count),),
           lambda m, x: m.bincount(x), 0) for bins in (10, 256, 1000, 4096)],
    Case("counting", "bincount (256 bins, weights)",
         lambda rng, side, count: (rng.integers(0, 256, count), rng.random(count)),
         lambda m, x, w: m.bincount(x, w), 1e-9),
    *[Case("counting", f"histogram ({bins} bins)", lambda rng, side, count: (rng.random(count),),
           lambda m, x, bins=bins: m.histogram(x, bins)[0], 0) for bins in (10, 100, 256, 4096)],
    Case("counting", "histogram (range)", lambda rng, side, count: (rng.random(count),),
         lambda m, x: m.histogram(x, 100, (0.0, 1.0))[0], 0),
    Case("counting", "histogram float32 (256 bins)",
         lambda rng, side, count: (rng.random(count, np.float32),),
         lambda m, x: m.histogram(x, 256)[0], 0),
    Case("counting", "histogram (256 edges)", lambda rng, side, count: (rng.random(count),),
         lambda m, x: m.histogram(x, np.linspace(0, 1, 257) ** 2)[0], 0),
    Case("counting", "histogram2d (64 x 64 bins)",
         lambda rng, side, count: (rng.random(count), rng.random(count)),
         lambda m, x, y: m.histogram2d(x, y, 64)[0], 0),
    Case("counting", "isin (int64, 1000 tests)",
         lambda rng, side, count: (rng.integers(0, 4000, count), rng.integers(0, 4000, 1000)),
         lambda m, x, t: m.isin(x, t), 0),
    Case("counting", "isin (int64, 2**20 tests)",
         lambda rng, side, count: (rng.integers(0, 1 << 22, count),
                                   rng.integers(0, 1 << 22, 1 << 20)),
         lambda m, x, t: m.isin(x, t), 0),
]


def add_arguments(parser):
    parser.add_argument("--repetitions", type=int, default=9, help="timed runs per line")
    parser.add_argument("--side", type=int, default=DEFAULT_SIDE,
                        help=f"N of the N x N copies (default {DEFAULT_SIDE})")
    parser.add_argument("--count-elements", type=int, default=DEFAULT_COUNT,
                        help="values counted by bincount/histogram (default 2**24)")
    parser.add_argument("--groups", nargs="+", default=sorted(TARGETS), choices=sorted(TARGETS),
                        help="which groups to run (default: all)")
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="CSV path")
    parser.add_argument("--no-plots", action="store_true", help="write no PNG file")


def _time_pair(case, host_inputs, repetitions):
    device_inputs = [pymic2.asarray(x) for x in host_inputs]
    stream = pymic2.get_current_stream()
    expected = case.run(np, *host_inputs)
    got = case.run(pymic2, *device_inputs).get()
    np.testing.assert_allclose(got, expected, rtol=case.tolerance or 1e-12, atol=0)
    numpy_ms, pymic2_ms = [], []
    for _ in range(3):  # alternate, so that other load hits both lines
        numpy_ms.append(median_ms(lambda: case.run(np, *host_inputs), lambda: None,
                                   repetitions))
        pymic2_ms.append(median_ms(lambda: case.run(pymic2, *device_inputs), stream.sync,
                                    repetitions))
    return min(numpy_ms), min(pymic2_ms), expected.size


def run(args):
    rng = np.random.default_rng(0)
    rows = []
    print(f"{'group':12} {'case':32} {'numpy ms':>9} {'pymic2 ms':>10} {'ratio':>6} target")
    for case in CASES:
        if case.group not in args.groups:
            continue
        numpy_ms, pymic2_ms, elements = _time_pair(
            case, case.inputs(rng, args.side, args.count_elements), args.repetitions)
        ratio = numpy_ms / pymic2_ms
        target = TARGETS[case.group]
        dtype = "float32" if case.name.endswith("float32") else "float64"
        rows.append({"group": case.group, "case": case.name, "dtype": dtype,
                     "elements": elements, "numpy_ms": numpy_ms, "pymic2_ms": pymic2_ms,
                     "speedup_vs_numpy": ratio, "target": target})
        print(f"{case.group:12} {case.name:32} {numpy_ms:9.2f} {pymic2_ms:10.2f} "
              f"{ratio:6.2f} {'met' if ratio >= target else 'MISSED'} ({target}x)")
    write_csv(args.output, rows, CSV_COLUMNS)
    print(f"wrote {args.output}")
    if not args.no_plots and rows:
        print(f"wrote {_plot(rows, args.output)}")
    return 0


def _plot(rows, output):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(9, 0.35 * len(rows) + 1.5))
    names = [f"{r['group']}: {r['case']}" for r in rows]
    ratios = [r["speedup_vs_numpy"] for r in rows]
    colors = ["tab:green" if r["speedup_vs_numpy"] >= r["target"] else "tab:red" for r in rows]
    axes.barh(names, ratios, color=colors)
    axes.axvline(1.0, color="black", linewidth=0.8)
    axes.set_xlabel("speed-up over NumPy (pyMIC2 host device, data on the device)")
    axes.invert_yaxis()
    figure.tight_layout()
    path = os.path.splitext(output)[0] + ".png"
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
