"""Chainer training on the device against Chainer on NumPy: the paper's Fig. 3-5.

Fig. 3/4 (`threads` part): the paper's MLP (784-1000-10, batch 60000, SGD) trained for a few
iterations with the host device restricted to 1 thread and with all of them
(PYMIC2_NUM_THREADS and OPENBLAS_NUM_THREADS in a subprocess each), split into device
compute, host<->device transfers and host time (pymic2_stream_busy_time), next to Chainer on
NumPy with the same thread count.

Fig. 5 (`units` part): time per training iteration across hidden units 1000..5500 at batch
60000, pymic2 against Chainer+NumPy, and the GEMM-only time of the same matrix products on the
device (the bound: x W1^T, h W2^T, gy W2, gy^T h, gh^T x), all measured in the same process,
interleaved, medians of --iterations runs after one warm-up. Far fewer iterations than a
training run: the plot says how many.

`--models`: the MLP, CNN and LSTM of pymic2.mnist at batch 100 against Chainer+NumPy and
PyTorch (chainer_models.py).
"""
import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc

import numpy

from . import chainer_models
from ._csv import pyplot, write_csv

SUMMARY = ("Chainer training: pymic2 vs Chainer+NumPy (paper Fig. 3-5; --models: MLP, CNN "
           "and LSTM, also vs PyTorch)")

DEFAULT_DIRECTORY = os.path.join("bench", "results")


def add_arguments(parser):
    parser.add_argument("--units", type=int, nargs="+",
                        default=[1000, 2000, 3000, 4000, 5000, 5500],
                        help="hidden units for Fig. 5 (default 1000 2000 3000 4000 5000 5500)")
    parser.add_argument("--batchsize", type=int, default=60000)
    parser.add_argument("--iterations", type=int, default=3,
                        help="timed training iterations per configuration (default 3)")
    parser.add_argument("--parts", nargs="+", default=["threads", "units"],
                        choices=["threads", "units"])
    parser.add_argument("--output-dir", default=DEFAULT_DIRECTORY,
                        help="where chainer_threads.csv, chainer_units.csv and the PNGs go")
    chainer_models.add_arguments(parser)
    # one configuration in a subprocess (JSON), for the thread-count runs
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)


def _data(batchsize, dtype=numpy.float32):
    """The first batchsize Fashion-MNIST training examples (repeated if fewer)."""
    from .. import datasets
    (x, t), _ = datasets.load_mnist(dtype=dtype)
    reps = -(-batchsize // len(x))
    return numpy.tile(x, (reps, 1))[:batchsize], numpy.tile(t, reps)[:batchsize]


class _Trainer:
    """One model and its SGD optimizer on the device or on NumPy; step() runs one training
    iteration on a fixed batch and waits for it."""

    def __init__(self, on_device, units, x, t, seed=0):
        from .. import mnist
        chainer = mnist._chainer()
        import pymic2
        numpy.random.seed(seed)
        self.model = mnist.MLP(units, fused=on_device)
        self.device = pymic2.default_device() if on_device else None
        if on_device:
            self.model.to_device(chainer.get_device("@pymic2:" + self.device.name))
            self.x, self.t = (pymic2.asarray(a, device=self.device) for a in (x, t))
            self.stream = self.device.get_default_stream()._stream
        else:
            self.x, self.t, self.stream = x, t, None
        self.optimizer = chainer.optimizers.SGD(lr=0.1)
        self.optimizer.setup(self.model)

    def step(self):
        loss = self.model.loss(self.model(self.x), self.t)
        self.model.cleargrads()
        loss.backward()
        self.optimizer.update()
        if self.stream is not None:
            self.stream.sync()

    def busy(self):
        return (0.0, 0.0) if self.stream is None else self.stream.busy_time()


def _timed(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def _gemm_only(units, x):
    """A function running the step's matrix products once on the device (and waiting)."""
    import pymic2
    rng = numpy.random.default_rng(0)
    n, k = x.shape
    dtype = x.dtype
    xd = pymic2.asarray(x)
    w1 = pymic2.asarray(rng.standard_normal((units, k)).astype(dtype))
    w2 = pymic2.asarray(rng.standard_normal((10, units)).astype(dtype))
    h = pymic2.asarray(rng.standard_normal((n, units)).astype(dtype))
    gy = pymic2.asarray(rng.standard_normal((n, 10)).astype(dtype))
    stream = pymic2.default_device().get_default_stream()

    def run():
        xd @ w1.T          # forward, layer 1
        h @ w2.T           # forward, layer 2
        gy @ w2            # backward: gh
        gy.T @ h           # backward: gW2
        h.T @ xd           # backward: gW1 (gh^T x; gh has h's shape)
        stream.sync()
    return run


def _worker(spec):
    """Runs in a subprocess (thread counts are fixed at start-up): times `iterations` steps
    of one configuration and prints a JSON line.

    Memory, measured in the untimed warm-up step: the bytes of live arrays at the peak. On
    the device, the pool's peak of used bytes (the batch, parameters, activations and
    gradients all live there). On NumPy, the batch plus tracemalloc's peak over model set-up
    and the step (NumPy reports its data buffers to tracemalloc). And the process's maximum
    resident size, where the device run also holds the host copy of the batch (the host
    device's memory is this process's memory)."""
    x, t = _data(spec["batchsize"])
    if not spec["device"]:
        tracemalloc.start()
    trainer = _Trainer(spec["device"], spec["units"], x, t)
    trainer.step()  # warm-up: allocations, pool growth; the memory peak
    if spec["device"]:
        peak = trainer.device.memory_pool.stats()["peak_bytes"]
    else:
        peak = tracemalloc.get_traced_memory()[1] + x.nbytes + t.nbytes
        tracemalloc.stop()  # not while timing
    compute0, transfer0 = trainer.busy()
    times = [_timed(trainer.step) for _ in range(spec["iterations"])]
    compute1, transfer1 = trainer.busy()
    total = sum(times)
    result = {"seconds_per_iteration": statistics.median(times),
              "compute_share": (compute1 - compute0) / 1e3 / total,
              "transfer_share": (transfer1 - transfer0) / 1e3 / total}
    result["host_share"] = max(0.0, 1 - result["compute_share"] - result["transfer_share"])
    result["peak_array_bytes"] = peak
    result["max_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(result))


def _run_threads(args):
    ncpus = len(os.sched_getaffinity(0))
    rows = []
    for threads in sorted({1, ncpus}):
        for on_device in (True, False):
            env = dict(os.environ, PYMIC2_NUM_THREADS=str(threads),
                       OPENBLAS_NUM_THREADS=str(threads))
            spec = {"device": on_device, "units": 1000, "batchsize": args.batchsize,
                    "iterations": args.iterations}
            output = subprocess.run([sys.executable, "-m", "pymic2.bench", "chainer",
                                     "--worker", json.dumps(spec)], env=env, check=True,
                                    capture_output=True, text=True).stdout
            result = json.loads(output.strip().splitlines()[-1])
            row = {"framework": "pymic2" if on_device else "chainer+numpy",
                   "threads": threads, **result}
            if not on_device:
                row.update(compute_share="", transfer_share="", host_share="")
            rows.append(row)
            print(f"{row['framework']:>14} {threads} thread(s): "
                  f"{row['seconds_per_iteration']:.3f} s/iteration, peak arrays "
                  f"{result['peak_array_bytes'] / 2**20:.0f} MiB, max RSS "
                  f"{result['max_rss_bytes'] / 2**20:.0f} MiB" +
                  (f" (compute {100 * result['compute_share']:.1f} %, transfers "
                   f"{100 * result['transfer_share']:.2f} %, host "
                   f"{100 * result['host_share']:.1f} %)" if on_device else ""))
    path = os.path.join(args.output_dir, "chainer_threads.csv")
    write_csv(path, rows, ["framework", "threads", "seconds_per_iteration", "compute_share",
                           "transfer_share", "host_share", "peak_array_bytes",
                           "max_rss_bytes"])
    print(f"wrote {path}")
    return rows


def _run_units(args):
    import pymic2
    rows = []
    print(f"{'units':>6} {'pymic2 s':>9} {'numpy s':>8} {'gemm s':>7} {'vs numpy':>8} "
          f"{'vs gemm':>8}")
    for units in args.units:
        x, t = _data(args.batchsize)
        device = _Trainer(True, units, x, t)
        host = _Trainer(False, units, x, t)
        gemm = _gemm_only(units, x)
        device.step()  # warm-ups
        host.step()
        gemm()
        times = {"pymic2": [], "numpy": [], "gemm": []}
        for _ in range(args.iterations):  # interleaved
            times["pymic2"].append(_timed(device.step))
            times["numpy"].append(_timed(host.step))
            times["gemm"].append(_timed(gemm))
        medians = {name: statistics.median(values) for name, values in times.items()}
        row = {"units": units, "batchsize": args.batchsize, "iterations": args.iterations,
               "pymic2_s": medians["pymic2"], "numpy_s": medians["numpy"],
               "gemm_only_s": medians["gemm"],
               "pymic2_over_numpy": medians["pymic2"] / medians["numpy"],
               "pymic2_over_gemm": medians["pymic2"] / medians["gemm"]}
        rows.append(row)
        print(f"{units:6d} {medians['pymic2']:9.3f} {medians['numpy']:8.3f} "
              f"{medians['gemm']:7.3f} {row['pymic2_over_numpy']:8.3f} "
              f"{row['pymic2_over_gemm']:8.3f}", flush=True)
        # Drop this size's arrays and the pool's cached blocks: kept, they would add up
        # over the sizes (5500 units needs about 15 GB with NumPy's copy of the model).
        del device, host, gemm
        gc.collect()
        pymic2.default_device().memory_pool.free_all_blocks()
    path = os.path.join(args.output_dir, "chainer_units.csv")
    write_csv(path, rows, list(rows[0]))
    print(f"wrote {path}")
    return rows


def _plot(args, threads_rows, units_rows):
    plt = pyplot()
    if plt is None:
        return
    if threads_rows:
        figure, axes = plt.subplots(1, 2, figsize=(10, 4))
        labels = [f"{r['framework']}\n{r['threads']} thread(s)" for r in threads_rows]
        axes[0].bar(labels, [r["seconds_per_iteration"] for r in threads_rows])
        axes[0].set_ylabel("seconds per iteration")
        axes[0].set_title(f"784-1000-10, batch {args.batchsize} (Fig. 3)")
        device_rows = [r for r in threads_rows if r["framework"] == "pymic2"]
        bottom = numpy.zeros(len(device_rows))
        for part in ("compute_share", "transfer_share", "host_share"):
            values = numpy.array([100 * r[part] for r in device_rows])
            axes[1].bar([f"{r['threads']} thread(s)" for r in device_rows], values,
                        bottom=bottom, label=part.replace("_share", ""))
            bottom += values
        axes[1].set_ylabel("% of training time")
        axes[1].set_title("pymic2: where the time goes (Fig. 4)")
        axes[1].legend()
        figure.text(0.5, 0.01, f"median of {args.iterations} iterations after a warm-up",
                    ha="center", fontsize=8)
        figure.tight_layout(rect=(0, 0.04, 1, 1))
        figure.savefig(os.path.join(args.output_dir, "chainer_threads.png"), dpi=120)
    if units_rows:
        figure, axis = plt.subplots(figsize=(6, 4))
        units = [r["units"] for r in units_rows]
        for key, label in (("pymic2_s", "pymic2"), ("numpy_s", "Chainer + NumPy"),
                           ("gemm_only_s", "GEMM only (device)")):
            axis.plot(units, [r[key] for r in units_rows], marker="o", label=label)
        axis.set_xlabel("hidden units")
        axis.set_ylabel("seconds per iteration")
        axis.set_title(f"784-units-10, batch {args.batchsize} (Fig. 5)\nmedian of "
                       f"{args.iterations} iterations each, not full training runs",
                       fontsize=10)
        axis.legend()
        figure.tight_layout()
        figure.savefig(os.path.join(args.output_dir, "chainer_units.png"), dpi=120)
    print(f"plots in {args.output_dir}")


def run(args):
    if args.worker is not None:
        _worker(json.loads(args.worker))
        return 0
    os.makedirs(args.output_dir, exist_ok=True)
    if args.models:
        chainer_models.run_models(args)
        return 0
    threads_rows = _run_threads(args) if "threads" in args.parts else []
    units_rows = _run_units(args) if "units" in args.parts else []
    _plot(args, threads_rows, units_rows)
    return 0
