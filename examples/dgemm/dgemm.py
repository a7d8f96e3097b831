"""dgemm.py - pyMIC's classic: a matrix product in a user kernel library (OpenBLAS's
cblas_dgemm), checked against NumPy and timed with and without the transfers.

Build the kernel library first (`make -C examples PYTHON=.venv/bin/python`), then run
`python examples/dgemm/dgemm.py [--size N] [--repeats R]`. The library is found through
PYMIC2_LIBRARY_PATH when that is set, otherwise beside this script.
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np

import pymic2 as pymic


def library_name(filename):
    """The bare name when a library search path is set, else the copy beside this script."""
    if os.environ.get("PYMIC2_LIBRARY_PATH") or os.environ.get("PYMIC_LIBRARY_PATH"):
        return filename
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), filename)


def median_seconds(action, repeats):
    """Median wall time of `repeats` calls of action()."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2048, help="m = n = k (default 2048)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs, median reported")
    args = parser.parse_args()
    if args.size < 1 or args.repeats < 1:
        parser.error("--size and --repeats must be positive")
    m = n = k = args.size
    alpha, beta = 1.0, 0.0

    device = pymic.default_device()  # PYMIC2_DEVICE, else host:0 (pyMIC: pymic.devices[0])
    library = device.load_library(library_name("libdgemm.so"))
    stream = device.get_default_stream()
    print(f"device: {device!r}")
    print(f"kernel: {library.dgemm_kernel} computing C = {alpha} * A @ B + {beta} * C, "
          f"m = n = k = {m}, {args.repeats} timed runs each (median)")

    rng = np.random.default_rng(10)
    a = rng.random((m, k))
    b = rng.random((k, n))
    c = np.zeros((m, n))

    def numpy_matmul():
        np.matmul(a, b, out=c_numpy)

    c_numpy = np.empty((m, n))
    numpy_matmul()  # warm-up: threads of NumPy's BLAS
    numpy_time = median_seconds(numpy_matmul, args.repeats)

    def offload_with_transfers():
        offload_a = stream.bind(a)
        offload_b = stream.bind(b)
        offload_c = stream.bind(c)
        stream.invoke(library.dgemm_kernel, offload_a, offload_b, offload_c,
                      m, n, k, alpha, beta)
        offload_c.update_host()
        stream.sync()

    offload_with_transfers()  # warm-up: the pool caches the three buffers afterwards
    transfer_time = median_seconds(offload_with_transfers, args.repeats)

    offload_a, offload_b, offload_c = stream.bind(a), stream.bind(b), stream.bind(c)

    def offload_kernel_only():
        stream.invoke(library.dgemm_kernel, offload_a, offload_b, offload_c,
                      m, n, k, alpha, beta)
        stream.sync()

    kernel_time = median_seconds(offload_kernel_only, args.repeats)
    offload_c.update_host()
    stream.sync()

    gflop = 2.0 * m * n * k / 1e9
    print(f"{'':28}{'seconds':>10}{'GFLOPS':>10}")
    for label, seconds in (("NumPy (a @ b)", numpy_time),
                           ("offload, with transfers", transfer_time),
                           ("offload, kernel only", kernel_time)):
        print(f"{label:28}{seconds:10.4f}{gflop / seconds:10.1f}")

    scale = np.max(np.abs(c_numpy))
    max_relative_difference = float(np.max(np.abs(c - c_numpy)) / scale)
    # Both are sums of k positive products: different BLAS orderings differ by ~k * eps.
    tolerance = 8 * k * np.finfo(np.float64).eps
    if not max_relative_difference <= tolerance:
        print(f"FAILED: offloaded C differs from NumPy's by {max_relative_difference:.3g} "
              f"(relative to max |C|), more than {tolerance:.3g}", file=sys.stderr)
        return 1
    print(f"check: offloaded C matches NumPy's (max difference {max_relative_difference:.3g} "
          f"relative to max |C|, tolerance {tolerance:.3g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
