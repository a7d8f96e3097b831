"""Chainer's links, optimizers (with weight-decay and gradient-clipping hooks) and the
Trainer on a pyMIC2 device against the same run on NumPy (same seed): a few update steps
give the same losses and parameters; a Trainer snapshot resumed from npz on the device gives
the uninterrupted run's next losses."""

import io

import numpy
import pytest

import pymic2
import pymic2.chainer
from test_chainer_layers import DTYPES, SPEC, DeviceOnly, normal

pymic2.chainer.enable()
chainer = pymic2.chainer.import_chainer()
import chainer.functions as F  # noqa: E402
import chainer.links as L  # noqa: E402
from chainer import optimizer_hooks, optimizers, serializers, training  # noqa: E402
from chainer.training import extensions  # noqa: E402

# losses and parameters after a few steps: float32 rounding compounds over the updates
TOLERANCE = {numpy.float32: dict(rtol=1e-3, atol=1e-5),
             numpy.float64: dict(rtol=1e-9, atol=1e-12)}


@pytest.fixture
def device():
    return chainer.get_device(SPEC)


def _squared_error(y, seed=50):
    target = chainer.backend.get_device_from_array(y.array).send(
        normal(y.shape, y.dtype, seed=seed))
    return F.sum((y - target) ** 2) * 0.5


class _Recurrent(chainer.Chain):
    """A stateful recurrent link run over three steps from a fresh state."""

    def __init__(self, link):
        super().__init__()
        with self.init_scope():
            self.link = link

    def forward(self, x):
        self.link.reset_state()
        for step in range(x.shape[0]):
            h = self.link(x[step])
        return h


class _NStep(chainer.Chain):
    def __init__(self, link):
        super().__init__()
        with self.init_scope():
            self.link = link

    def forward(self, x):
        hy, cy, ys = self.link(None, None, [x[0], x[1, :2], x[2, :1]])
        return F.concat([hy[0]] + list(ys), axis=0)


LINKS = {  # name: (model builder, input shape, integer input)
    "Linear": (lambda: L.Linear(4, 3), (5, 4), False),
    "Convolution2D": (lambda: L.Convolution2D(2, 3, 3, pad=1), (2, 2, 4, 4), False),
    "Deconvolution2D": (lambda: L.Deconvolution2D(2, 3, 3, stride=2), (2, 2, 3, 3), False),
    "BatchNormalization": (lambda: L.BatchNormalization(3), (6, 3, 2), False),
    "LayerNormalization": (lambda: L.LayerNormalization(4), (5, 4), False),
    "EmbedID": (lambda: L.EmbedID(6, 3, ignore_label=-1), (2, 4), True),
    "LSTM": (lambda: _Recurrent(L.LSTM(3, 4)), (3, 2, 3), False),
    "GRU": (lambda: _Recurrent(L.GRU(3, 4)), (3, 2, 3), False),
    "NStepLSTM": (lambda: _NStep(L.NStepLSTM(1, 3, 4, 0.0)), (3, 3, 3), False),
}


def _inputs(shape, dtype, integer, steps):
    if integer:
        rng = numpy.random.default_rng(3)
        return [rng.integers(-1, 6, shape).astype(numpy.int32) for _ in range(steps)]
    return [normal(shape, dtype, seed=s) for s in range(steps)]


def _fit(build, inputs, dtype, device, optimizer_of, loss_of, steps=3):
    """(losses, parameters) of `steps` updates of the model build() makes (NumPy's global
    seed fixed first), on device (None: NumPy)."""
    numpy.random.seed(0)
    with chainer.using_config("dtype", dtype):
        model = build()
    send = (lambda a: a) if device is None else device.send
    if isinstance(inputs[0], tuple):
        send_one = send
        send = lambda arrays: tuple(send_one(a) for a in arrays)  # noqa: E731
    if device is not None:
        model.to_device(device)
    optimizer = optimizer_of()
    optimizer.setup(model)
    optimizer.add_hook(optimizer_hooks.WeightDecay(1e-3))
    optimizer.add_hook(optimizer_hooks.GradientClipping(0.5))
    losses = []
    hook = DeviceOnly()
    with hook, chainer.using_config("dtype", dtype):
        for x in inputs[:steps]:
            loss = loss_of(model, send(x))
            model.cleargrads()
            loss.backward()
            optimizer.update()
            losses.append(chainer.backends.cuda.to_cpu(loss.array) if device is None
                          else loss.array.get())
    assert device is None or hook.host_functions == []
    params = {name: p.array if device is None else p.array.get()
              for name, p in model.namedparams()}
    for name, p in model.namedparams():
        assert device is None or isinstance(p.array, pymic2.ndarray), name
    return numpy.array(losses), params


def _assert_same_fit(got, expected, dtype):
    numpy.testing.assert_allclose(got[0], expected[0], **TOLERANCE[dtype])
    assert got[1].keys() == expected[1].keys()
    for name in expected[1]:
        numpy.testing.assert_allclose(got[1][name], expected[1][name], **TOLERANCE[dtype],
                                      err_msg=name)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(LINKS))
def test_link_trains_as_on_numpy(device, dtype, name):
    build, shape, integer = LINKS[name]
    inputs = _inputs(shape, dtype, integer, 3)

    def loss_of(model, x):
        # float inputs as variables: their gradient is computed too (as for an inner layer;
        # Chainer's Deconvolution2D cannot backpropagate to W alone, on NumPy as well)
        return _squared_error(model(x if integer else chainer.Variable(x)))

    expected = _fit(build, inputs, dtype, None, lambda: optimizers.MomentumSGD(0.05), loss_of)
    got = _fit(build, inputs, dtype, device, lambda: optimizers.MomentumSGD(0.05), loss_of)
    _assert_same_fit(got, expected, dtype)
    assert len(set(got[0].tolist())) == len(got[0])  # the updates changed the model


def _classifier():
    return L.Classifier(chainer.Sequential(L.Linear(4, 5), F.tanh, L.Linear(5, 3)))


OPTIMIZERS = {
    "SGD": lambda: optimizers.SGD(0.1),
    "MomentumSGD": lambda: optimizers.MomentumSGD(0.1, 0.8),
    "NesterovAG": lambda: optimizers.NesterovAG(0.1, 0.8),
    "AdaGrad": lambda: optimizers.AdaGrad(0.1),
    "AdaDelta": lambda: optimizers.AdaDelta(),
    "RMSprop": lambda: optimizers.RMSprop(0.05),
    "Adam": lambda: optimizers.Adam(0.05),
    "AdamW": lambda: optimizers.AdamW(0.05, weight_decay_rate=0.01),
    "AMSGrad": lambda: optimizers.AMSGrad(0.05),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizer_updates_as_on_numpy(device, dtype, name):
    rng = numpy.random.default_rng(8)
    inputs = [(normal((6, 4), dtype, seed=s), rng.integers(0, 3, 6).astype(numpy.int32))
              for s in range(4)]

    def loss_of(model, xt):
        return model(*xt)

    expected = _fit(_classifier, inputs, dtype, None, OPTIMIZERS[name], loss_of, steps=4)
    got = _fit(_classifier, inputs, dtype, device, OPTIMIZERS[name], loss_of, steps=4)
    _assert_same_fit(got, expected, dtype)


# ---------------------------------------------------------------- Trainer


def _trainer(device, out, stop, dataset):
    """A Trainer of the classifier on `dataset` with the standard extensions; its reports go
    to a buffer. NumPy's global seed fixes the initial weights and the iterator's order."""
    numpy.random.seed(1)
    model = _classifier()
    model.to_device(device)
    optimizer = optimizers.Adam(0.05)
    optimizer.setup(model)
    optimizer.add_hook(optimizer_hooks.WeightDecay(1e-3))
    train = chainer.iterators.SerialIterator(dataset, 5, shuffle=True)
    test = chainer.iterators.SerialIterator(dataset, 10, repeat=False, shuffle=False)
    updater = training.updaters.StandardUpdater(train, optimizer, device=device)
    trainer = training.Trainer(updater, (stop, "iteration"), out=str(out))
    report = io.StringIO()
    trainer.extend(extensions.Evaluator(test, model, device=device), trigger=(2, "iteration"))
    trainer.extend(extensions.LogReport(trigger=(1, "iteration")))
    trainer.extend(extensions.PrintReport(["iteration", "main/loss", "validation/main/loss"],
                                          out=report))
    trainer.extend(extensions.ProgressBar(update_interval=1, out=report))
    trainer.extend(extensions.snapshot(filename="snapshot_{.updater.iteration}"),
                   trigger=(3, "iteration"))
    return trainer, report


def _losses(trainer):
    return [(entry["iteration"], entry["main/loss"]) for entry in
            trainer.get_extension("LogReport").log]


def test_trainer_snapshot_resume_gives_the_same_next_losses(device, tmp_path):
    rng = numpy.random.default_rng(2)
    x = normal((20, 4), numpy.float32)
    t = rng.integers(0, 3, 20).astype(numpy.int32)
    dataset = chainer.datasets.TupleDataset(x, t)

    whole, report = _trainer(device, tmp_path / "whole", 6, dataset)
    hook = DeviceOnly()
    with hook:
        whole.run()
    assert hook.host_functions == []
    expected = _losses(whole)
    assert [i for i, _ in expected] == list(range(1, 7))
    assert "validation/main/loss" in report.getvalue()
    assert (tmp_path / "whole" / "snapshot_3").exists()

    resumed, _ = _trainer(device, tmp_path / "resumed", 6, dataset)
    serializers.load_npz(str(tmp_path / "whole" / "snapshot_3"), resumed)
    assert resumed.updater.iteration == 3
    for _, param in resumed.updater.get_optimizer("main").target.namedparams():
        assert isinstance(param.array, pymic2.ndarray) and param.array.device == \
            device.device
    resumed.run()
    got = _losses(resumed)
    assert [i for i, _ in got][-3:] == [4, 5, 6]
    numpy.testing.assert_allclose([loss for _, loss in got][-3:],
                                  [loss for _, loss in expected][3:], rtol=1e-5)
