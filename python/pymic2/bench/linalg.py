"""Issue 15's linear-algebra targets: NumPy vs pyMIC2 (data on the device) in one process.

  solve, inv, cholesky   float64 N x N (N = 2048; target >= 1.0x NumPy)
  svd                    float64 N x N (N = 1024, singular values and vectors; target 1.0x)
  batched solve          float64 4096 systems of 16 x 16 (the stack split over the team;
                         target >= 2.0x)

Both run LAPACK (NumPy its bundled OpenBLAS with its own threads, pyMIC2 Debian's on the
device's team). Each result is checked against NumPy once; the two are timed alternately
(best of three medians), so that other load hits both alike. Writes a CSV.
"""
import os
from collections import namedtuple

import numpy as np

import pymic2

from ._csv import write_csv
from ._timing import median_ms

SUMMARY = "issue 15's linear algebra (solve, inv, cholesky, svd) vs NumPy (CSV)"

DEFAULT_OUTPUT = os.path.join("bench", "results", "linalg_python.csv")
CSV_COLUMNS = ["case", "n", "numpy_ms", "pymic2_ms", "speedup_vs_numpy", "target"]

Case = namedtuple("Case", "name n inputs run check target", defaults=(1.0,))


def _spd(rng, n, batch=()):
    x = rng.standard_normal(batch + (n, n))
    return x @ np.swapaxes(x, -1, -2) + n * np.eye(n)


def _singular_values(module, x):
    return module.linalg.svd(x)[1]


CASES = [
    Case("solve", 2048, lambda rng, n: (_spd(rng, n), rng.standard_normal((n, 1))),
         lambda m, a, b: m.linalg.solve(a, b), 1e-8),
    Case("inv", 2048, lambda rng, n: (_spd(rng, n),), lambda m, a: m.linalg.inv(a), 1e-8),
    Case("cholesky", 2048, lambda rng, n: (_spd(rng, n),), lambda m, a: m.linalg.cholesky(a),
         1e-8),
    Case("svd", 1024, lambda rng, n: (rng.standard_normal((n, n)),), _singular_values, 1e-8),
    Case("batched solve 4096 x", 16,
         lambda rng, n: (_spd(rng, n, (4096,)), rng.standard_normal((4096, n, 1))),
         lambda m, a, b: m.linalg.solve(a, b), 1e-8, 2.0),
]


def add_arguments(parser):
    parser.add_argument("--repetitions", type=int, default=3, help="timed runs per median")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiplies every N (a smaller run: 0.25)")
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="CSV path")


def _time_pair(case, n, repetitions):
    host = case.inputs(np.random.default_rng(0), n)
    device = [pymic2.asarray(x) for x in host]
    stream = pymic2.get_current_stream()
    expected = case.run(np, *host)
    np.testing.assert_allclose(case.run(pymic2, *device).get(), expected,
                               rtol=case.check, atol=case.check * np.abs(expected).max())
    numpy_ms, pymic2_ms = [], []
    for _ in range(3):
        numpy_ms.append(median_ms(lambda: case.run(np, *host), lambda: None, repetitions))
        pymic2_ms.append(median_ms(lambda: case.run(pymic2, *device), stream.sync,
                                    repetitions))
    return min(numpy_ms), min(pymic2_ms)


def run(args):
    rows = []
    print(f"{'case':24} {'N':>5} {'numpy ms':>9} {'pymic2 ms':>10} {'ratio':>6} target")
    for case in CASES:
        n = max(2, int(case.n * args.scale))
        numpy_ms, pymic2_ms = _time_pair(case, n, args.repetitions)
        ratio = numpy_ms / pymic2_ms
        rows.append({"case": case.name, "n": n, "numpy_ms": numpy_ms, "pymic2_ms": pymic2_ms,
                     "speedup_vs_numpy": ratio, "target": case.target})
        print(f"{case.name:24} {n:5} {numpy_ms:9.2f} {pymic2_ms:10.2f} {ratio:6.2f} "
              f"{'met' if ratio >= case.target else 'MISSED'} ({case.target:.1f}x)")
    write_csv(args.output, rows, CSV_COLUMNS)
    print(f"wrote {args.output}")
    return 0
