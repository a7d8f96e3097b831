"""Issue 15's sorting targets: numpy.sort, argsort and unique of 2**24 float64 and int64
values vs pyMIC2 (data on the device) on each device, side by side in one process (target
>= 1.5x NumPy on the host, >= 1.0x on an OpenCL device); partition at the middle of the
2**24 values and of each of 4096 stacked rows ("partition-rows") likewise.

Every pyMIC2 result is compared with NumPy's once before timing (argsort through the values
it orders, since ties may be ordered differently; partition by its contract: the middle
element and none smaller after it, none larger before); the two are timed alternately
(medians), so that other load hits both alike. CSV plus a bar chart of ratios.
"""
import math
import os

import numpy as np

import pymic2

from ._csv import write_csv
from ._timing import median_ms
from .breadth import _plot

SUMMARY = ("sort, argsort, unique and partition of 2**24 float64/int64 on each device vs NumPy "
           "(CSV, PNG)")

DEFAULT_OUTPUT = os.path.join("bench", "results", "sort_python.csv")
CSV_COLUMNS = ["group", "case", "dtype", "elements", "numpy_ms", "pymic2_ms",
               "speedup_vs_numpy", "target"]
TARGETS = {"host": 1.5, "opencl": 1.0}
FUNCTIONS = ("sort", "argsort", "unique", "partition", "partition-rows")
#: stacked rows of partition-rows (their gcd with --elements when that is not a multiple)
ROWS = 4096


def _partition(xp, rows):
    """xp.partition at the middle of each row of `rows` rows (1: of the whole array)."""
    def run(a):
        a = a.reshape(math.gcd(rows, a.size), -1) if rows > 1 else a
        return xp.partition(a, a.shape[-1] // 2, axis=-1)
    return run


#: each function's (pyMIC2, NumPy) callables
CALLS = {"partition": (_partition(pymic2, 1), _partition(np, 1)),
         "partition-rows": (_partition(pymic2, ROWS), _partition(np, ROWS))}


def add_arguments(parser):
    parser.add_argument("--repetitions", type=int, default=3, help="timed runs per line")
    parser.add_argument("--elements", type=int, default=1 << 24,
                        help="values sorted (default 2**24)")
    parser.add_argument("--devices", nargs="+", default=["host:0", "opencl:0"],
                        help="devices to run on (default host:0 opencl:0; missing: skipped)")
    parser.add_argument("--functions", nargs="+", default=list(FUNCTIONS), choices=FUNCTIONS)
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="CSV path")
    parser.add_argument("--no-plots", action="store_true", help="write no PNG file")


def _inputs(rng, elements):
    return {"float64": rng.standard_normal(elements),
            "int64": rng.integers(-2**62, 2**62, elements)}


def _check(name, host, got, expected):
    if name == "argsort":
        got, expected = host[got], host[expected]
    if name.startswith("partition"):
        k = expected.shape[-1] // 2
        np.testing.assert_array_equal(got[..., k], expected[..., k])
        assert (got[..., :k].max(axis=-1) <= got[..., k]).all()
        assert (got[..., k + 1:].min(axis=-1) >= got[..., k]).all()
        return
    np.testing.assert_array_equal(got, expected)


def _time_pair(name, host, device, repetitions):
    function, numpy_function = (CALLS[name] if name in CALLS else
                                (getattr(pymic2, name), getattr(np, name)))
    stream = device._op_stream
    _check(name, host, function(device).get(), numpy_function(host))
    numpy_ms, pymic2_ms = [], []
    for _ in range(2):  # alternate, so that other load hits both lines
        numpy_ms.append(median_ms(lambda: numpy_function(host), lambda: None, repetitions))
        pymic2_ms.append(median_ms(lambda: function(device), stream.sync, repetitions))
    return min(numpy_ms), min(pymic2_ms)


def _device_rows(device_name, inputs, args):
    try:
        device = pymic2.get_device(device_name)
    except pymic2.OffloadError as error:
        print(f"{device_name}: skipped ({error})")
        return []
    group = device_name.split(":")[0]
    rows = []
    for dtype, host in inputs.items():
        on_device = pymic2.asarray(host, device=device)
        for name in args.functions:
            numpy_ms, pymic2_ms = _time_pair(name, host, on_device, args.repetitions)
            ratio = numpy_ms / pymic2_ms
            target = TARGETS.get(group, 1.0)
            rows.append({"group": device_name, "case": f"{name} {dtype}", "dtype": dtype,
                         "elements": host.size, "numpy_ms": numpy_ms, "pymic2_ms": pymic2_ms,
                         "speedup_vs_numpy": ratio, "target": target})
            print(f"{device_name:10} {name + ' ' + dtype:18} {numpy_ms:9.1f} {pymic2_ms:10.1f} "
                  f"{ratio:6.2f} {'met' if ratio >= target else 'MISSED'} ({target}x)",
                  flush=True)
    return rows


def run(args):
    inputs = _inputs(np.random.default_rng(0), args.elements)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'device':10} {'case':18} {'numpy ms':>9} {'pymic2 ms':>10} {'ratio':>6} target")
    rows = []
    for device_name in args.devices:
        rows += _device_rows(device_name, inputs, args)
    write_csv(args.output, rows, CSV_COLUMNS)
    print(f"wrote {args.output}")
    if not args.no_plots and rows:
        print(f"wrote {_plot(rows, args.output)}")
    return 0
