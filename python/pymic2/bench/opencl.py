"""pyMIC2 on an OpenCL device against pyopencl.array on the same device, in one run.

For N x N float64 (default 4096): a + b, a * b, exp(a) and sum(a), with the inputs already
on the device and the result left there; each line stops after the device finished
(stream.sync() / queue.finish()). The two lines are timed alternately so that other load on
the machine hits both alike; figures are medians. Both results are checked against NumPy
before anything is timed. The issue's target for the elementwise ops (a + b, a * b, exp):
pyMIC2 >= 15x pyopencl.array; sum (a reduction) has none and is reported as measured.
"""
import os
import statistics
import sys
import time

import numpy as np

import pymic2

from ._csv import write_csv

SUMMARY = "opencl:N vs pyopencl.array on the same device (a+b, a*b, exp, sum)"
DEFAULT_OUTPUT = os.path.join("bench", "results", "opencl_vs_pyopencl.csv")
TARGET_RATIO = 15.0
CSV_COLUMNS = ["op", "n", "variant", "repetitions", "median_ms", "gbytes_per_s", "ratio"]

# name, pymic2 function, pyopencl function (arrays a, b), NumPy reference, bytes moved / 8n^2
OPS = [
    ("add", lambda a, b: a + b, lambda a, b: a + b, lambda a, b: a + b, 3),
    ("multiply", lambda a, b: a * b, lambda a, b: a * b, lambda a, b: a * b, 3),
    ("exp", lambda a, b: pymic2.exp(a), None, lambda a, b: np.exp(a), 2),
    ("sum", lambda a, b: pymic2.sum(a), None, lambda a, b: np.sum(a), 1),
]
ELEMENTWISE = {"add", "multiply", "exp"}  # the ops the target applies to


def add_arguments(parser):
    parser.add_argument("--device", default="opencl:0", metavar="SELECTOR",
                        help="the pyMIC2 OpenCL device (default opencl:0)")
    parser.add_argument("--n", type=int, default=4096, help="matrix size N (default 4096)")
    parser.add_argument("--repetitions", type=int, default=10, metavar="R",
                        help="timed repetitions per line (default 10)")
    parser.add_argument("--output", default=DEFAULT_OUTPUT, metavar="PATH",
                        help=f"CSV file to write (default {DEFAULT_OUTPUT})")


def _pyopencl_queue(device):
    """A pyopencl queue on the OpenCL device pyMIC2 calls `device` (matched by name)."""
    import pyopencl

    for platform in pyopencl.get_platforms():
        for candidate in platform.get_devices():
            if candidate.name in device.description:
                context = pyopencl.Context([candidate])
                return pyopencl.CommandQueue(context)
    raise RuntimeError(f"pyopencl sees no device named like {device.description!r}")


def run(args):
    try:
        import pyopencl.array as cl_array
        import pyopencl.clmath as cl_math
    except ImportError:
        print("pyopencl is not installed (pip install pyopencl; it is in "
              "requirements-dev.txt)", file=sys.stderr)
        return 2
    device = pymic2.get_device(args.device)
    stream = device.get_default_stream()
    queue = _pyopencl_queue(device)
    n = args.n
    rng = np.random.default_rng(7)
    a, b = rng.random((n, n)) + 0.5, rng.random((n, n)) + 0.5
    da, db = pymic2.asarray(a, stream=stream), pymic2.asarray(b, stream=stream)
    qa, qb = cl_array.to_device(queue, a), cl_array.to_device(queue, b)
    stream.sync()
    queue.finish()
    print(f"device: {device!r}; N = {n}; load average (1 min) {os.getloadavg()[0]:.2f}")
    theirs = {"add": lambda: qa + qb, "multiply": lambda: qa * qb,
              "exp": lambda: cl_math.exp(qa), "sum": lambda: cl_array.sum(qa)}
    rows = []
    for name, ours_fn, _, reference, passes in OPS:
        expected = reference(a, b)

        def ours():
            result = ours_fn(da, db)
            stream.sync()
            return result

        def pyopencl_line():
            result = theirs[name]()
            queue.finish()
            return result

        np.testing.assert_allclose(ours().get(), expected, rtol=1e-12)
        np.testing.assert_allclose(pyopencl_line().get(), expected, rtol=1e-12)
        samples = {"pymic2": [], "pyopencl": []}
        for index in range(args.repetitions):
            order = [("pymic2", ours), ("pyopencl", pyopencl_line)]
            for variant, action in order if index % 2 == 0 else order[::-1]:
                begin = time.perf_counter()
                action()
                samples[variant].append((time.perf_counter() - begin) * 1e3)
        medians = {variant: statistics.median(values) for variant, values in samples.items()}
        for variant, median in medians.items():
            rows.append({"op": name, "n": n, "variant": variant,
                         "repetitions": args.repetitions, "median_ms": median,
                         "gbytes_per_s": passes * 8 * n * n / (median * 1e6),
                         "ratio": medians["pyopencl"] / median})
        ratio = medians["pyopencl"] / medians["pymic2"]
        print(f"  {name:<9} pyMIC2 {medians['pymic2']:9.2f} ms  pyopencl.array "
              f"{medians['pyopencl']:9.2f} ms  ratio {ratio:6.1f}x"
              + ("" if name not in ELEMENTWISE or ratio >= TARGET_RATIO
                 else f"  (target {TARGET_RATIO:.0f}x)"))
    rows += _staging(queue, args.repetitions)
    write_csv(args.output, rows, CSV_COLUMNS)
    print(f"results: {args.output}")
    return 0


def _staging(queue, repetitions):
    """Does pinned host staging pay on this device? Blocking copies between a device buffer
    and pageable NumPy memory, or the mapping of a CL_MEM_ALLOC_HOST_PTR buffer (what a
    pinned staging area would be), alternately, for 1, 16 and 256 MiB."""
    import pyopencl

    flags, rows = pyopencl.mem_flags, []
    print("host <-> device copies, GB/s: pageable NumPy memory vs a mapped "
          "ALLOC_HOST_PTR buffer")
    for nbytes in (1 << 20, 16 << 20, 256 << 20):
        device_buffer = pyopencl.Buffer(queue.context, flags.READ_WRITE, nbytes)
        pinned_buffer = pyopencl.Buffer(queue.context, flags.READ_WRITE | flags.ALLOC_HOST_PTR,
                                        nbytes)
        pinned, _ = pyopencl.enqueue_map_buffer(
            queue, pinned_buffer, pyopencl.map_flags.READ | pyopencl.map_flags.WRITE, 0,
            (nbytes // 8,), np.float64)
        hosts = {"pageable": np.ones(nbytes // 8), "pinned": pinned}
        hosts["pinned"][:] = 1.0
        samples = {(direction, kind): [] for direction in ("h2d", "d2h") for kind in hosts}
        for _ in range(repetitions):
            for kind, host in hosts.items():
                for direction, (dst, src) in (("h2d", (device_buffer, host)),
                                              ("d2h", (host, device_buffer))):
                    begin = time.perf_counter()
                    pyopencl.enqueue_copy(queue, dst, src, is_blocking=True)
                    samples[direction, kind].append((time.perf_counter() - begin) * 1e3)
        line = []
        for (direction, kind), values in samples.items():
            median = statistics.median(values)
            rows.append({"op": f"copy_{direction}_{kind}", "n": nbytes, "variant": "pyopencl",
                         "repetitions": repetitions, "median_ms": median,
                         "gbytes_per_s": nbytes / (median * 1e6), "ratio": ""})
            line.append(f"{direction} {kind} {nbytes / (median * 1e6):5.1f}")
        print(f"  {nbytes >> 20:4d} MiB: " + "  ".join(line))
    return rows
