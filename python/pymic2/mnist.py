"""python -m pymic2.mnist: trains the paper's MLP (784-units-10, ReLU, softmax cross entropy),
a CNN or an LSTM with Chainer on a pyMIC2 device, and optionally the same model with plain
Chainer on NumPy.

    python -m pymic2.mnist                    # Fashion-MNIST, 1000 units, batch 100, 5 epochs
    python -m pymic2.mnist --model cnn        # conv-BN-ReLU-pool x2 (32, 64 channels), 128, 10
    python -m pymic2.mnist --model lstm       # the 28 rows as 28 steps, 128 hidden, linear to 10
    python -m pymic2.mnist --paper            # Table 3: 784-1000-10, batch 60000, SGD
    python -m pymic2.mnist --compare-numpy    # then Chainer on NumPy, same seed and batches
    python -m pymic2.mnist --data DIR         # real MNIST files (train-images-idx3-ubyte...)

On the device the training set is uploaded once, a minibatch is one gather on the device
(pymic2.chainer.iterators), and the MLP's bias+ReLU and every model's loss are fused kernels
(pymic2.chainer.functions); the rest is Chainer's own links and functions on pymic2 arrays
(convolution, pooling and batch normalization through pymic2.chainer._layers, the LSTM's
F.n_step_lstm through pymic2.chainer._rnn). The LSTM model is L.NStepLSTM's weights run by
F.n_step_lstm on both sides (see RNN).
Per epoch it prints train/test loss and accuracy, and at the end the time split: device
compute and host<->device transfers (the time the device spent running those commands) and
the rest of the wall time (host work: Python, Chainer, waiting).
"""

import argparse
import sys
import time

import numpy

__all__ = ["main", "run", "MLP", "CNN", "RNN", "build_model"]

MODELS = ("mlp", "cnn", "lstm")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m pymic2.mnist", description=__doc__.split(
        "\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="mlp", choices=MODELS,
                        help="mlp (the paper's), cnn or lstm (default mlp)")
    parser.add_argument("--units", type=int, default=None,
                        help="MLP hidden units (default 1000)")
    parser.add_argument("--batchsize", type=int, default=None,
                        help="minibatch size (default 100)")
    parser.add_argument("--epoch", type=int, default=None, help="epochs (default 5)")
    parser.add_argument("--device", default=None,
                        help="pyMIC2 device selector, e.g. host:0 (default: PYMIC2_DEVICE or "
                             "host:0)")
    parser.add_argument("--dtype", default="float32", choices=("float32", "float64"))
    parser.add_argument("--optimizer", default=None, choices=("sgd", "momentum", "adam"),
                        help="default momentum (sgd with --paper)")
    parser.add_argument("--lr", type=float, default=None,
                        help="learning rate (default 0.05; Adam: its alpha 0.001)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", default=None,
                        help="directory of MNIST-format files (default: Debian's Fashion-MNIST "
                             "in /usr/share/datasets/fashion-mnist)")
    parser.add_argument("--train-size", type=int, default=None,
                        help="use only the first N training examples (quick runs)")
    parser.add_argument("--test-size", type=int, default=None,
                        help="evaluate on only the first N test examples (quick runs)")
    parser.add_argument("--compare-numpy", action="store_true",
                        help="also train with plain Chainer on NumPy and print both times")
    parser.add_argument("--no-device", action="store_true",
                        help="skip the device run (with --compare-numpy: NumPy only)")
    parser.add_argument("--paper", action="store_true",
                        help="the paper's Table 3: 784-1000-10, batch 60000, SGD")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    paper = {"units": 1000, "batchsize": 60000, "epoch": 10, "optimizer": "sgd", "lr": 0.5}
    usual = {"units": 1000, "batchsize": 100, "epoch": 5, "optimizer": "momentum", "lr": None}
    for name, value in (paper if args.paper else usual).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.lr is None:
        args.lr = 0.001 if args.optimizer == "adam" else 0.05
    for name in ("units", "batchsize", "epoch"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


def _chainer():
    from . import chainer as pymic2_chainer  # the NumPy 2 shim comes before Chainer
    pymic2_chainer.enable()
    import chainer
    return chainer


def MLP(units, fused, n_in=784, n_out=10):
    """The paper's model. fused: bias+ReLU and the loss as pymic2's fused kernels (device
    runs); otherwise Chainer's F.relu and F.softmax_cross_entropy (the NumPy reference).
    Both build the same parameters from the same NumPy random state."""
    chainer = _chainer()
    import chainer.functions as F
    import chainer.links as L
    from .chainer import functions as fused_functions

    class Model(chainer.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.l1 = L.Linear(n_in, units, nobias=fused)
                if fused:
                    self.b1 = chainer.Parameter(chainer.initializers.Zero(), (units,))
                self.l2 = L.Linear(units, n_out)

        def forward(self, x):
            if fused:
                h = fused_functions.bias_relu(self.l1(x), self.b1)
            else:
                h = F.relu(self.l1(x))
            return self.l2(h)

        def loss(self, y, t):
            if fused:
                return fused_functions.softmax_cross_entropy(y, t)
            return F.softmax_cross_entropy(y, t)

    return Model()


def _fused_loss(fused):
    """The loss: pymic2's one-kernel softmax cross entropy on the device, Chainer's on NumPy
    (the same values)."""
    chainer = _chainer()
    from .chainer import functions as fused_functions
    return fused_functions.softmax_cross_entropy if fused else \
        chainer.functions.softmax_cross_entropy


def CNN(fused, n_out=10):
    """conv 1->32 3x3 pad 1, batch norm, ReLU, max-pool 2; conv 32->64 3x3 pad 1, batch norm,
    ReLU, max-pool 2; linear 3136->128, ReLU, linear 128->10. Input: rows of 784 pixels."""
    chainer = _chainer()
    import chainer.functions as F
    import chainer.links as L
    loss = _fused_loss(fused)

    class Model(chainer.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.conv1 = L.Convolution2D(1, 32, 3, pad=1, nobias=True)
                self.bn1 = L.BatchNormalization(32)
                self.conv2 = L.Convolution2D(32, 64, 3, pad=1, nobias=True)
                self.bn2 = L.BatchNormalization(64)
                self.l1 = L.Linear(64 * 7 * 7, 128)
                self.l2 = L.Linear(128, n_out)

        def forward(self, x):
            h = F.reshape(x, (len(x), 1, 28, 28))
            h = F.max_pooling_2d(F.relu(self.bn1(self.conv1(h))), 2)
            h = F.max_pooling_2d(F.relu(self.bn2(self.conv2(h))), 2)
            return self.l2(F.relu(self.l1(h)))

        def loss(self, y, t):
            return loss(y, t)

    return Model()


def RNN(fused, hidden=128, n_out=10, steps=28):
    """An LSTM over the image's 28 rows (28 steps of 28 pixels), 128 hidden units; its last
    hidden state through a linear layer to 10 classes.

    The LSTM is L.NStepLSTM's weights run by F.n_step_lstm over the whole sequence: one
    layer with input and hidden biases, PyTorch's nn.LSTM architecture (the benchmark's
    third column), and the same model code on the device and on NumPy. On pymic2 devices the
    layer is one whole-sequence function (pymic2.chainer._rnn: one GEMM for every step's
    input projection, per step one GEMM and the fused cell); on NumPy it is Chainer's
    per-step Linear, add and lstm nodes. L.LSTM called step by step, this model before, cost
    ~170 Chainer nodes per iteration on either side. The forget gate's input bias starts
    at 1, as L.LSTM starts it (NStepLSTM's biases start at 0)."""
    chainer = _chainer()
    import chainer.functions as F
    import chainer.links as L
    loss = _fused_loss(fused)

    class Model(chainer.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.lstm = L.NStepLSTM(1, 784 // steps, hidden, 0.0)
                self.out = L.Linear(hidden, n_out)
            self.lstm[0].b1.array[...] = 1  # the forget gate's bias, as L.LSTM starts it

        def forward(self, x):
            rows = F.transpose(F.reshape(x, (len(x), steps, -1)), (1, 0, 2))
            state = self.xp.zeros((1, len(x), hidden), dtype=x.dtype)
            h, _, _ = F.n_step_lstm(1, 0.0, state, state, self.lstm.ws, self.lstm.bs,
                                    F.separate(rows))
            return self.out(h[0])

        def loss(self, y, t):
            return loss(y, t)

    return Model()


def build_model(args, fused):
    """The model args.model names (fused: the device run's fast paths)."""
    if args.model == "cnn":
        return CNN(fused)
    if args.model == "lstm":
        return RNN(fused)
    return MLP(args.units, fused)


def describe(args):
    return {"mlp": f"784-{args.units}-10 MLP",
            "cnn": "CNN (conv 32, pool, conv 64, pool, batch norm; 3136-128-10)",
            "lstm": "LSTM (28 steps of 28, 128 hidden, linear to 10)"}[args.model]


def _optimizer(chainer, args):
    if args.optimizer == "sgd":
        return chainer.optimizers.SGD(lr=args.lr)
    if args.optimizer == "momentum":
        return chainer.optimizers.MomentumSGD(lr=args.lr)
    return chainer.optimizers.Adam(alpha=args.lr)


class _Progress:
    """A one-line progress bar on stderr (no device synchronisation: it counts batches)."""

    def __init__(self, label, total, quiet):
        self.label, self.total, self.quiet = label, total, quiet
        self.shown = -1
        self.start = time.perf_counter()

    def update(self, done):
        if self.quiet:
            return
        step = done * 30 // self.total
        if step == self.shown and done != self.total:
            return
        self.shown = step
        elapsed = time.perf_counter() - self.start
        sys.stderr.write(f"\r{self.label} [{'#' * step}{'.' * (30 - step)}] {done}/{self.total}"
                         f" {elapsed:6.1f} s")
        if done == self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


class _Timer:
    """Wall time, and for a device run the device's compute and transfer time
    (pymic2_stream_busy_time of the default stream, which runs every array op here)."""

    def __init__(self, device):
        self.stream = None if device is None else device.get_default_stream()._stream
        self.wall = self.compute = self.transfer = 0.0

    def __enter__(self):
        self._sync()
        self._start = (time.perf_counter(), *self._busy())
        return self

    def __exit__(self, *exc_info):
        self._sync()
        wall, compute, transfer = time.perf_counter(), *self._busy()
        self.wall += wall - self._start[0]
        self.compute += compute - self._start[1]
        self.transfer += transfer - self._start[2]

    def _sync(self):
        if self.stream is not None:
            self.stream.sync()

    def _busy(self):
        if self.stream is None:
            return 0.0, 0.0
        compute_ms, transfer_ms = self.stream.busy_time()
        return compute_ms / 1e3, transfer_ms / 1e3


def _evaluate(chainer, model, x, t, batch):
    """(mean loss, accuracy) over x, t in batches; sums stay on the device until the end."""
    loss_sum = correct = 0
    with chainer.no_backprop_mode(), chainer.using_config("train", False):
        for begin in range(0, len(x), batch):
            xb, tb = x[begin:begin + batch], t[begin:begin + batch]
            y = model(xb)
            loss_sum = loss_sum + model.loss(y, tb).array * len(xb)
            correct = correct + (y.array.argmax(axis=1) == tb).sum()
    return _host_float(loss_sum) / len(x), _host_float(correct) / len(x)


def _host_float(value):
    return float(value.get()) if hasattr(value, "get") else float(value)


def run(args, on_device, data, log=print):
    """Trains one model (on the device or on NumPy) and returns a dict of results: per-epoch
    history, times (wall, compute, transfer, host), peak device memory."""
    chainer = _chainer()
    import pymic2
    from .chainer import iterators

    from . import datasets

    (train_pixels, train_t), (test_pixels, test_t) = data
    dtype = numpy.dtype(args.dtype)
    device = pymic2.get_device(args.device) if on_device else None
    timer = _Timer(device)
    with timer:  # the one upload of the data set counts (transfer, and the scaling compute)
        if on_device:
            # uint8 pixels go up (a quarter of the float32 bytes) and are scaled there
            train_x_d, test_x_d = (datasets.scale_images(pymic2.asarray(a, device=device),
                                                         dtype)
                                   for a in (train_pixels, test_pixels))
            train_t_d, test_t_d = (pymic2.asarray(a, device=device) for a in (train_t, test_t))
        else:
            train_x_d, test_x_d = (datasets.scale_images(a, dtype)
                                   for a in (train_pixels, test_pixels))
            train_t_d, test_t_d = train_t, test_t
    numpy.random.seed(args.seed)  # Chainer's initializers draw from NumPy's global state
    with chainer.using_config("dtype", numpy.dtype(args.dtype)):
        model = build_model(args, fused=on_device)
    if on_device:
        model.to_device(chainer.get_device("@pymic2:" + device.name))
    optimizer = _optimizer(chainer, args)
    optimizer.setup(model)
    shuffle = args.batchsize < len(train_t)
    if on_device:
        batches = iterators.DeviceIterator(train_x_d, train_t_d, args.batchsize, device=device,
                                           shuffle=shuffle, seed=args.seed)
    else:
        batches = iterators.HostIterator(train_x_d, train_t, args.batchsize, shuffle=shuffle,
                                         seed=args.seed)
    per_epoch = -(-len(train_t) // args.batchsize)
    label = "device" if on_device else "numpy "
    history = []
    # the CNN's columns (9 taps x 32 channels per pixel) keep its evaluation batches small
    eval_batch = 500 if args.model == "cnn" else 10000
    for epoch in range(1, args.epoch + 1):
        progress = _Progress(f"{label} epoch {epoch}", per_epoch, args.quiet)
        loss_sum = correct = 0
        with timer:
            for i in range(per_epoch):
                xb, tb = next(batches)
                y = model(xb)
                loss = model.loss(y, tb)
                model.cleargrads()
                loss.backward()
                optimizer.update()
                loss_sum = loss_sum + loss.array * len(xb)
                correct = correct + (y.array.argmax(axis=1) == tb).sum()
                progress.update(i + 1)
            seen = per_epoch * args.batchsize
            train_loss, train_accuracy = _host_float(loss_sum) / seen, _host_float(correct) / seen
        test_loss, test_accuracy = _evaluate(chainer, model, test_x_d, test_t_d, eval_batch)
        history.append({"epoch": epoch, "train_loss": train_loss,
                        "train_accuracy": train_accuracy, "test_loss": test_loss,
                        "test_accuracy": test_accuracy})
        log(f"{label} epoch {epoch:3d}  train loss {train_loss:.4f} accuracy "
            f"{train_accuracy:.4f}  test loss {test_loss:.4f} accuracy {test_accuracy:.4f}")
    result = {"history": history, "wall": timer.wall, "compute": timer.compute,
              "transfer": timer.transfer, "host": max(0.0, timer.wall - timer.compute -
                                                     timer.transfer),
              "iterations": per_epoch * args.epoch}
    if on_device:
        result["peak_bytes"] = device.memory_pool.stats()["peak_bytes"]
    return result


def _report(name, result, log):
    wall = result["wall"]
    line = (f"{name}: training {wall:.2f} s, {1e3 * wall / result['iterations']:.2f} ms per "
            "iteration")
    if "peak_bytes" in result:
        share = (lambda part: 100.0 * part / wall if wall > 0 else 0.0)
        line += (f"\n  device compute {result['compute']:.2f} s ({share(result['compute']):.1f} "
                 f"%), transfers {result['transfer']:.3f} s ({share(result['transfer']):.2f} %),"
                 f" host and synchronisation {result['host']:.2f} s "
                 f"({share(result['host']):.1f} %)\n  peak device memory "
                 f"{result['peak_bytes'] / 2**20:.1f} MiB")
    log(line)


def load_data(args):
    """((train pixels, labels), (test pixels, labels)): images as uint8 rows, unscaled (run()
    scales them where the model runs)."""
    from . import datasets
    train, test = datasets.load_mnist(args.data, dtype=numpy.uint8, scale=False)
    if args.train_size is not None:
        train = (train[0][:args.train_size], train[1][:args.train_size])
    if args.test_size is not None:
        test = (test[0][:args.test_size], test[1][:args.test_size])
    return train, test


def main(argv=None, log=print):
    args = parse_args(argv)
    data = load_data(args)
    import pymic2
    from . import datasets
    source = args.data or f"Fashion-MNIST ({datasets.DEFAULT_DIRECTORY})"
    log(f"data: {source}, {len(data[0][0])} train / {len(data[1][0])} test examples")
    log(f"model: {describe(args)}, {args.dtype}, batch {args.batchsize}, "
        f"{args.epoch} epochs, {args.optimizer} lr {args.lr}, seed {args.seed}")
    results = {}
    if not args.no_device:
        device = pymic2.get_device(args.device)
        log(f"device: {device.name} ({device.description})")
        results["device"] = run(args, True, data, log)
    if args.compare_numpy:
        results["numpy"] = run(args, False, data, log)
    for name, result in results.items():
        _report(name, result, log)
    if len(results) == 2:
        ratio = results["device"]["wall"] / results["numpy"]["wall"]
        accuracy_gap = (results["device"]["history"][-1]["test_accuracy"] -
                        results["numpy"]["history"][-1]["test_accuracy"])
        log(f"device / numpy training time: {ratio:.3f}; test accuracy difference "
            f"{100 * accuracy_gap:+.2f} points")
    return results


if __name__ == "__main__":
    main()
