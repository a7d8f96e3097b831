"""`python -m pymic2.bench chainer --models`: ms per training iteration (median) of the MLP,
the CNN and the LSTM of pymic2.mnist, float32, batch 100, MomentumSGD (lr 0.05, momentum
0.9), on pyMIC2 (the default device, host:0 unless PYMIC2_DEVICE says otherwise), Chainer on
NumPy and PyTorch on the CPU with torch.set_num_threads(2) and the same architectures
(PyTorch is optional: without it that column is skipped with the reason printed). The LSTM
is L.NStepLSTM's weights through F.n_step_lstm on both Chainer sides (one layer, two bias
vectors: nn.LSTM's architecture); on the device that is pymic2.chainer._rnn's whole-sequence
layer, on NumPy Chainer's per-step nodes.

The frameworks run interleaved in one process, one warm-up step each, on one fixed batch of
Fashion-MNIST. `--profile` adds, per model, the device run's time per Chainer function
(forward and backward, the stream synchronised around each) and for the optimizer update:
where an iteration's time goes.
"""
import collections
import os
import statistics
import time

import numpy

from ._csv import pyplot, write_csv

MODELS = ("mlp", "cnn", "lstm")
FRAMEWORKS = ("pymic2", "chainer+numpy", "pytorch")
BLOCK = 5  # timed iterations of one framework in a row
SETTLE_S = 0.25  # pause before a block: the other frameworks' threads go idle
LR, MOMENTUM = 0.05, 0.9


def add_arguments(parser):
    parser.add_argument("--models", action="store_true",
                        help="ms per training iteration of the MLP, CNN and LSTM (pymic2, "
                             "Chainer+NumPy, PyTorch) instead of the MLP figures")
    parser.add_argument("--model-names", nargs="+", default=list(MODELS), choices=MODELS,
                        help="with --models: which models (default all)")
    parser.add_argument("--model-iterations", type=int, default=20,
                        help="with --models: timed iterations per framework (default 20)")
    parser.add_argument("--profile", action="store_true",
                        help="with --models: the device run's time per Chainer function")


def _batch(batchsize=100):
    from .. import datasets
    (x, t), _ = datasets.load_mnist(dtype=numpy.float32)
    return x[:batchsize], t[:batchsize].astype(numpy.int32)


class _ChainerRun:
    """One pymic2.mnist model with MomentumSGD on the device (on_device) or on NumPy."""

    def __init__(self, name, on_device, x, t):
        from .. import mnist
        chainer = mnist._chainer()
        import pymic2
        numpy.random.seed(0)
        args = mnist.parse_args(["--model", name])
        self.model = mnist.build_model(args, fused=on_device)
        self.stream = None
        if on_device:
            device = pymic2.default_device()
            self.model.to_device(chainer.get_device("@pymic2:" + device.name))
            x, t = pymic2.asarray(x, device=device), pymic2.asarray(t, device=device)
            self.stream = device.get_default_stream()._stream
        self.x, self.t = x, t
        self.optimizer = chainer.optimizers.MomentumSGD(lr=LR, momentum=MOMENTUM)
        self.optimizer.setup(self.model)

    def sync(self):
        if self.stream is not None:
            self.stream.sync()

    def step(self):
        loss = self.model.loss(self.model(self.x), self.t)
        self.model.cleargrads()
        loss.backward()
        self.optimizer.update()
        self.sync()


def _torch_model(torch, name):
    nn = torch.nn
    if name == "mlp":
        return nn.Sequential(nn.Linear(784, 1000), nn.ReLU(), nn.Linear(1000, 10))
    if name == "cnn":
        return nn.Sequential(
            nn.Unflatten(1, (1, 28, 28)),
            nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))

    class Recurrent(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(28, 128)
            self.out = nn.Linear(128, 10)

        def forward(self, x):
            rows = x.reshape(len(x), 28, 28).transpose(0, 1)  # (steps, batch, 28)
            return self.out(self.lstm(rows)[0][-1])

    return Recurrent()


class _TorchRun:
    def __init__(self, torch, name, x, t):
        torch.manual_seed(0)
        self.torch = torch
        self.model = _torch_model(torch, name)
        self.x, self.t = torch.from_numpy(x), torch.from_numpy(t.astype(numpy.int64))
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=LR, momentum=MOMENTUM)

    def sync(self):
        pass

    def step(self):
        loss = self.torch.nn.functional.cross_entropy(self.model(self.x), self.t)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()


def _import_torch():
    """(torch, None) or (None, why it is skipped)."""
    try:
        import torch
    except ImportError as error:
        return None, f"PyTorch is not importable ({error}); pip install torch to compare"
    torch.set_num_threads(2)
    return torch, None


def _time_ms(run):
    """One training step's wall time in ms (the device's queue drained before and after)."""
    run.sync()
    start = time.perf_counter()
    run.step()
    return (time.perf_counter() - start) * 1e3


class _SyncedTimer:
    """A Chainer function hook adding each function's own forward and backward wall time
    (without the functions it calls: a backward runs gradient functions' forwards), the
    device stream synchronised before and after it, so the time is that function's."""

    def __new__(cls, stream):
        from .. import mnist
        chainer = mnist._chainer()

        class Hook(chainer.FunctionHook):
            name = "SyncedTimer"

            def __init__(self):
                self.times = collections.defaultdict(float)
                self.open = []  # [start, time of the functions called inside]

            def _begin(self, function, in_data, gy=None):
                stream.sync()
                self.open.append([time.perf_counter(), 0.0])

            def _end(self, kind, function):
                stream.sync()
                start, inner = self.open.pop()
                total = (time.perf_counter() - start) * 1e3
                self.times[f"{function.label} {kind}"] += total - inner
                if self.open:
                    self.open[-1][1] += total

            forward_preprocess = _begin
            backward_preprocess = _begin

            def forward_postprocess(self, function, in_data):
                self._end("forward", function)

            def backward_postprocess(self, function, in_data, out_grad):
                self._end("backward", function)

        return Hook()


def _profile(name, x, t, iterations, log):
    """Per-function device time of `iterations` steps of one model, and the update."""
    run = _ChainerRun(name, True, x, t)
    run.step()
    hook = _SyncedTimer(run.stream)
    update_ms = total_ms = 0.0
    for _ in range(iterations):
        start = time.perf_counter()
        with hook:
            loss = run.model.loss(run.model(run.x), run.t)
            run.model.cleargrads()
            loss.backward()
        run.sync()
        middle = time.perf_counter()
        run.optimizer.update()
        run.sync()
        end = time.perf_counter()
        update_ms += (end - middle) * 1e3
        total_ms += (end - start) * 1e3
    rows = sorted(hook.times.items(), key=lambda item: -item[1])
    log(f"{name}: per-iteration profile on the device ({iterations} iterations, each function "
        f"synchronised, so the total is above the pipelined time)")
    for key, ms in rows + [("optimizer update", update_ms)]:
        share = 100 * ms / total_ms
        log(f"  {key:<40} {ms / iterations:8.3f} ms  {share:5.1f} %")
    accounted = sum(hook.times.values()) + update_ms
    log(f"  {'other (Python, Chainer graph)':<40} {(total_ms - accounted) / iterations:8.3f} ms")
    return [{"model": name, "function": key, "ms_per_iteration": ms / iterations}
            for key, ms in rows + [("optimizer update", update_ms)]]


def run_models(args, log=print):
    x, t = _batch()
    torch, why = _import_torch()
    if torch is None:
        log(f"pytorch skipped: {why}")
    rows = []
    log(f"{'model':>5} {'pymic2 ms':>10} {'numpy ms':>9} {'torch ms':>9} {'vs numpy':>9} "
        f"{'vs torch':>9}")
    for name in args.model_names:
        runs = {"pymic2": _ChainerRun(name, True, x, t),
                "chainer+numpy": _ChainerRun(name, False, x, t)}
        if torch is not None:
            runs["pytorch"] = _TorchRun(torch, name, x, t)
        times = {framework: [] for framework in runs}
        for block in range(-(-args.model_iterations // BLOCK)):
            # Blocks of BLOCK iterations in turn, so load hits all alike; not one iteration
            # each in turn: the previous framework's idle threads (NumPy's OpenBLAS spins up
            # to ~0.1 s, libgomp's team too) would take a core from the next one (PyTorch's
            # MLP measured 121 ms per iteration that way, 2.5 ms alone). A pause and a
            # warm-up step start each block.
            for framework, run in runs.items():
                time.sleep(SETTLE_S)
                run.step()
                count = min(BLOCK, args.model_iterations - block * BLOCK)
                times[framework].extend(_time_ms(run) for _ in range(count))
        medians = {framework: statistics.median(values) for framework, values in times.items()}
        row = {"model": name, "batchsize": len(x), "iterations": args.model_iterations}
        for framework in FRAMEWORKS:
            row[f"{framework}_ms"] = medians.get(framework, "")
        row["pymic2_over_numpy"] = medians["pymic2"] / medians["chainer+numpy"]
        row["pymic2_over_pytorch"] = (medians["pymic2"] / medians["pytorch"]
                                      if "pytorch" in medians else "")
        rows.append(row)
        torch_ms = f"{medians['pytorch']:9.2f}" if "pytorch" in medians else f"{'-':>9}"
        vs_torch = f"{row['pymic2_over_pytorch']:9.3f}" if "pytorch" in medians else f"{'-':>9}"
        log(f"{name:>5} {medians['pymic2']:10.2f} {medians['chainer+numpy']:9.2f} {torch_ms} "
            f"{row['pymic2_over_numpy']:9.3f} {vs_torch}")
    path = os.path.join(args.output_dir, "chainer_models.csv")
    write_csv(path, rows, list(rows[0]))
    log(f"wrote {path}")
    if args.profile:
        profile_rows = []
        for name in args.model_names:
            profile_rows += _profile(name, x, t, max(3, args.model_iterations // 4), log)
        path = os.path.join(args.output_dir, "chainer_models_profile.csv")
        write_csv(path, profile_rows, ["model", "function", "ms_per_iteration"])
        log(f"wrote {path}")
    _plot(args, rows, log)
    return rows


def _plot(args, rows, log):
    plt = pyplot(log)
    if plt is None:
        return
    figure, axis = plt.subplots(figsize=(7, 4))
    width = 0.27
    positions = numpy.arange(len(rows))
    for k, framework in enumerate(FRAMEWORKS):
        values = [r[f"{framework}_ms"] for r in rows]
        if any(v == "" for v in values):
            continue
        axis.bar(positions + (k - 1) * width, values, width, label=framework)
    axis.set_xticks(positions, [r["model"] for r in rows])
    axis.set_ylabel("ms per training iteration")
    axis.set_title(f"float32, batch 100, MomentumSGD; median of {args.model_iterations} "
                   "iterations", fontsize=10)
    axis.legend()
    figure.tight_layout()
    path = os.path.join(args.output_dir, "chainer_models.png")
    figure.savefig(path, dpi=120)
    log(f"wrote {path}")
