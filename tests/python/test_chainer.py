"""pymic2.chainer against the real Chainer 7.8.1: the NumPy-2 shim, enable(), the Device,
training on the device compared with the same model trained by Chainer on NumPy."""

import collections
import contextlib
import io
import sys

import numpy
import pytest

import pymic2
import pymic2.chainer
from conftest import TEST_DEVICE, run_python

pymic2.chainer.enable()
chainer = pymic2.chainer.import_chainer()
import chainer.functions as F  # noqa: E402
import chainer.links as L  # noqa: E402
from chainer import training  # noqa: E402
from chainer.training import extensions  # noqa: E402

SPEC = "@pymic2:" + TEST_DEVICE
OPTIMIZERS = {
    "SGD": lambda: chainer.optimizers.SGD(lr=0.1),
    "MomentumSGD": lambda: chainer.optimizers.MomentumSGD(lr=0.05, momentum=0.9),
    "Adam": lambda: chainer.optimizers.Adam(alpha=0.01),
}


@pytest.fixture
def device():
    return chainer.get_device(SPEC)


def make_data(n=64, n_in=12, n_out=4, seed=0):
    """A learnable problem: the label is the argmax of the first n_out features."""
    rng = numpy.random.default_rng(seed)
    x = rng.standard_normal((n, n_in)).astype(numpy.float32)
    return x, x[:, :n_out].argmax(axis=1).astype(numpy.int32)


def make_model(n_in=12, n_hidden=16, n_out=4, seed=1):
    """A small MLP; Chainer's initializers draw from numpy.random, seeded here."""
    numpy.random.seed(seed)
    return L.Classifier(chainer.Sequential(L.Linear(n_in, n_hidden), F.relu,
                                           L.Linear(n_hidden, n_out)))


def params_of(model):
    return {name: chainer.backend.CpuDevice().send(p.array) for name, p in model.namedparams()}


class HostTraffic:
    """Counts every transfer between host and device memory that goes through a pymic2
    array (uploads, downloads and synchronising scalar reads), and fails on any Chainer
    function that receives a non-device array: together, no computation can fall back to
    NumPy unnoticed."""

    METHODS = ["get", "set", "item", "tolist", "__float__", "__int__", "__bool__",
               "__index__", "__complex__"]

    def __init__(self, monkeypatch):
        self.calls = collections.Counter()
        self.host_functions = []
        for name in self.METHODS:
            original = getattr(pymic2.ndarray, name)

            def counted(array, *args, _original=original, _name=name, **kwargs):
                self.calls[_name] += 1
                return _original(array, *args, **kwargs)

            monkeypatch.setattr(pymic2.ndarray, name, counted)

    @contextlib.contextmanager
    def watching(self):
        guard = self

        class DeviceOnly(chainer.FunctionHook):
            name = "device_only"

            def forward_preprocess(self, function, in_data):
                self._check(function, in_data)

            def backward_preprocess(self, function, in_data, out_grad):
                self._check(function, in_data + tuple(out_grad))

            def _check(self, function, arrays):
                if not all(a is None or isinstance(a, pymic2.ndarray) for a in arrays):
                    guard.host_functions.append(function.label)

        self.calls.clear()
        with DeviceOnly():
            yield self


# ---------------------------------------------------------------- the NumPy 2 shim


def test_shim_leaves_numpy_unmodified():
    assert "sctypes" not in vars(numpy)
    assert "numpy.distutils" not in sys.modules
    assert "numpy.distutils.system_info" not in sys.modules
    with pytest.raises(AttributeError):
        numpy.sctypes  # noqa: B018 - NumPy 2 removed it; the shim must not bring it back


def test_shim_as_strided_backward_on_numpy():
    # as_strided's backward reads numpy.sctypes: it runs through the shim's proxy.
    x = chainer.Variable(numpy.arange(6, dtype=numpy.float32))
    y = F.as_strided(x, (2, 3), (1, 1))  # overlapping windows: x[0:3] and x[1:4]
    F.sum(y).backward()
    numpy.testing.assert_array_equal(x.grad, [1, 2, 2, 1, 0, 0])


def test_import_chainer_is_idempotent():
    assert pymic2.chainer.import_chainer() is sys.modules["chainer"]


def test_import_without_pkg_resources():
    """setuptools 81 removed pkg_resources, which Chainer's environment check and
    chainer.testing (imported by gradient_check) import: the shim stands in for it during the import (and leaves the blocked import blocked), and
    a Link computes on the device as on NumPy."""
    out = run_python(f"""
        import sys
        sys.modules["pkg_resources"] = None  # as absent as setuptools >= 81 leaves it
        import numpy
        import pymic2, pymic2.chainer
        pymic2.chainer.enable()
        import chainer, chainer.links as L
        import chainer.gradient_check  # imports chainer.testing, which imports pkg_resources
        assert sys.modules["pkg_resources"] is None
        link = L.Linear(3, 2, initialW=numpy.arange(6.0, dtype=numpy.float32).reshape(2, 3))
        x = numpy.arange(12.0, dtype=numpy.float32).reshape(4, 3)
        expected = link(x).array
        link.to_device("{SPEC}")
        y = link(chainer.get_device("{SPEC}").send(x)).array
        assert isinstance(y, pymic2.ndarray), type(y)
        numpy.testing.assert_allclose(y.get(), expected, rtol=1e-6)
        print("ok", chainer.__version__)
    """)
    assert out.split() == ["ok", chainer.__version__]


# ---------------------------------------------------------------- enable() and the device


def test_enable_twice_keeps_one_set_of_patches(device):
    functions = (chainer.get_device, chainer.backend.get_array_module,
                 chainer.backend.copyto, chainer.optimizer.UpdateRule.update_core,
                 chainer.functions.loss.softmax_cross_entropy.SoftmaxCrossEntropy.forward_cpu)
    pymic2.chainer.enable()
    assert pymic2.chainer.is_enabled()
    assert functions == (chainer.get_device, chainer.backend.get_array_module,
                         chainer.backend.copyto, chainer.optimizer.UpdateRule.update_core,
                         chainer.functions.loss.softmax_cross_entropy.SoftmaxCrossEntropy
                         .forward_cpu)
    assert chainer.get_array_types().count(pymic2.ndarray) == 1
    assert pymic2.ndarray not in chainer.get_cpu_array_types()


@pytest.mark.parametrize("spec", ["@pymic2", SPEC])
def test_get_device_specifiers(spec):
    device = chainer.get_device(spec)
    assert isinstance(device, pymic2.chainer.PyMIC2Device)
    expected = pymic2.default_device() if spec == "@pymic2" else pymic2.get_device(TEST_DEVICE)
    assert device.device == expected
    assert device.name == "@pymic2:" + expected.name
    assert device.xp is pymic2
    assert chainer.get_device(device) is device
    assert device == chainer.get_device("@pymic2:" + expected.name)
    assert hash(device) == hash(chainer.get_device("@pymic2:" + expected.name))
    assert device != chainer.get_device("@numpy")


def test_get_device_every_pymic2_device():
    # '@pymic2:opencl:0' and friends: every device pymic2 has is reachable by its selector.
    for offload_device in pymic2.devices:
        device = chainer.get_device("@pymic2:" + offload_device.name)
        assert device.device == offload_device


@pytest.mark.parametrize("spec", ["@pymic2:nosuch:0", "@pymic2:host:99", "@pymic2:"])
def test_get_device_bad_specifier(spec):
    with pytest.raises(ValueError, match="@pymic2"):
        chainer.get_device(spec)


def test_other_specifiers_unchanged():
    assert isinstance(chainer.get_device("@numpy"), chainer.backend.CpuDevice)
    with pytest.raises(ValueError):
        chainer.get_device("@pymic2x")  # not ours: Chainer's own error for an unknown module


def test_array_module_and_device_from_array(device):
    host = numpy.arange(6, dtype=numpy.float32)
    on_device = device.send(host)
    assert isinstance(on_device, pymic2.ndarray)
    assert chainer.backend.get_array_module(on_device) is pymic2
    assert chainer.backend.get_array_module(chainer.Variable(on_device)) is pymic2
    assert chainer.backend.get_array_module(host, on_device) is pymic2
    assert chainer.backend.get_array_module(host) is numpy
    assert chainer.backend.get_device_from_array(on_device) == device
    assert chainer.backend.get_device_from_array(host, on_device) == device
    assert chainer.backend.get_device_from_array(host) == chainer.get_device("@numpy")
    assert device.is_array_supported(on_device) and not device.is_array_supported(host)
    assert chainer.is_arrays_compatible([on_device, None, device.send(host)])
    assert not chainer.is_arrays_compatible([on_device, host])
    assert not chainer.is_arrays_compatible([host, on_device])


def test_send_keeps_device_arrays_and_crosses_devices(device):
    on_device = device.send(numpy.arange(4.0))
    assert device.send(on_device) is on_device
    other = [d for d in pymic2.devices if d != device.device][0]
    moved = chainer.get_device("@pymic2:" + other.name).send(on_device)
    assert moved.device == other
    numpy.testing.assert_array_equal(moved.get(), numpy.arange(4.0))
    half = device.send(numpy.arange(3, dtype=numpy.float16))  # a device dtype now
    assert half.dtype == numpy.float16
    numpy.testing.assert_array_equal(half.get(), numpy.arange(3, dtype=numpy.float16))
    with pytest.raises(TypeError, match="float128"):
        device.send(numpy.zeros(3, numpy.longdouble))


def test_variable_to_device_and_back(device):
    host = numpy.random.default_rng(2).standard_normal((3, 5)).astype(numpy.float32)
    variable = chainer.Variable(host.copy())
    variable.to_device(SPEC)
    assert isinstance(variable.array, pymic2.ndarray)
    assert variable.device == device
    variable.grad = device.send(numpy.ones_like(host))
    variable.to_cpu()
    assert isinstance(variable.array, numpy.ndarray) and isinstance(variable.grad, numpy.ndarray)
    numpy.testing.assert_array_equal(variable.array, host)
    numpy.testing.assert_array_equal(variable.grad, numpy.ones_like(host))
    with pytest.raises(TypeError):
        chainer.Variable(device.send(host)).grad = host  # a host gradient for a device array


def test_copyto_every_direction(device):
    source = numpy.arange(6, dtype=numpy.float32).reshape(2, 3)
    on_device = pymic2.zeros((2, 3), "float32", device=device.device)
    chainer.backend.copyto(on_device, source)
    numpy.testing.assert_array_equal(on_device.get(), source)
    host = numpy.zeros((2, 3), numpy.float32)
    chainer.backend.copyto(host, on_device * 2)
    numpy.testing.assert_array_equal(host, source * 2)
    target = pymic2.zeros((2, 3), "float32", device=device.device)
    chainer.backend.copyto(target, on_device + 1)
    numpy.testing.assert_array_equal(target.get(), source + 1)


def test_model_to_device_and_back(device):
    model = make_model()
    before = params_of(model)
    model.to_device(device)
    assert all(isinstance(p.array, pymic2.ndarray) for p in model.params())
    assert model.device == device
    model.to_cpu()
    assert all(isinstance(p.array, numpy.ndarray) for p in model.params())
    for name, value in params_of(model).items():
        numpy.testing.assert_array_equal(value, before[name])


# ---------------------------------------------------------------- training


def train(model, optimizer, x, t, device=None, steps=6):
    if device is not None:
        model.to_device(device)
        x, t = device.send(x), device.send(t)
    optimizer.setup(model)
    losses = []
    for _ in range(steps):
        optimizer.update(model, x, t)
        losses.append(float(model.loss.array))
    return losses


@pytest.mark.parametrize("device_name", ["host:0", "host:1", "opencl:0"])
def test_small_mlp_trains_on_every_device_like_numpy(device_name):
    # host:1 is never the default device: Chainer's functions make their outputs with
    # xp.empty(...) inside chainer.using_device(), which must pick the arrays' device
    if device_name not in {d.name for d in pymic2.devices}:
        pytest.skip(f"no {device_name} in this process (the host pass hides OpenCL; "
                    f"PYMIC2_TEST_DEVICE=opencl:0 runs this on it)")
    x, t = make_data()
    numpy_losses = train(make_model(), chainer.optimizers.SGD(lr=0.1), x, t)
    device_losses = train(make_model(), chainer.optimizers.SGD(lr=0.1), x, t,
                          chainer.get_device("@pymic2:" + device_name))
    numpy.testing.assert_allclose(device_losses, numpy_losses, rtol=1e-5)
    assert device_losses[-1] < 0.9 * device_losses[0]


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizer_updates_like_numpy(device, name):
    x, t = make_data()
    numpy_model, device_model = make_model(), make_model()
    numpy_losses = train(numpy_model, OPTIMIZERS[name](), x, t)
    device_losses = train(device_model, OPTIMIZERS[name](), x, t, device)
    numpy.testing.assert_allclose(device_losses, numpy_losses, rtol=1e-5)
    device_params = params_of(device_model)
    for key, value in params_of(numpy_model).items():
        numpy.testing.assert_allclose(device_params[key], value, rtol=1e-4, atol=1e-6)
    assert device_losses[-1] < device_losses[0]


def test_training_stays_on_device(device, monkeypatch):
    x, t = make_data(n=128)
    model = make_model()
    model.to_device(device)
    x, t = device.send(x), device.send(t)
    optimizer = chainer.optimizers.MomentumSGD(lr=0.1)
    optimizer.setup(model)
    traffic = HostTraffic(monkeypatch)
    optimizer.update(model, x, t)  # the first update creates the optimizer's state
    losses = [model.loss]
    with traffic.watching():
        for _ in range(20):
            optimizer.update(model, x, t)
            losses.append(model.loss)
    assert traffic.host_functions == []
    assert sum(traffic.calls.values()) == 0, dict(traffic.calls)
    values = [float(loss.array) for loss in losses]
    assert values[-1] < 0.7 * values[0]
    assert all(isinstance(p.array, pymic2.ndarray) and isinstance(p.grad, pymic2.ndarray)
               for p in model.params())


def test_lazy_initialisation_on_device(device):
    # Linear(None, n) creates W at the first call, on the device, with Chainer's default
    # initializer (LeCunNormal: normal with std sqrt(1/n_in)) drawn by device.xp.random.
    link = L.Linear(None, 200)
    link.to_device(device)
    x = device.send(numpy.ones((2, 300), numpy.float32))
    link(x)
    W = link.W.array
    assert isinstance(W, pymic2.ndarray) and W.shape == (200, 300) and W.dtype == numpy.float32
    values = W.get()
    assert abs(values.mean()) < 0.01
    assert values.std() == pytest.approx(numpy.sqrt(1 / 300), rel=0.05)


@pytest.mark.parametrize("initializer, check", [
    (chainer.initializers.Zero(), lambda v: numpy.all(v == 0)),
    (chainer.initializers.One(), lambda v: numpy.all(v == 1)),
    (chainer.initializers.Constant(2.5), lambda v: numpy.all(v == 2.5)),
    (chainer.initializers.Identity(scale=3.0), lambda v: numpy.array_equal(v, 3 * numpy.eye(64))),
    (chainer.initializers.Normal(0.5), lambda v: abs(v.std() - 0.5) < 0.03),
    (chainer.initializers.Uniform(0.5), lambda v: v.min() >= -0.5 and v.max() <= 0.5
     and abs(v.std() - 0.5 / numpy.sqrt(3)) < 0.02),
    (chainer.initializers.HeNormal(), lambda v: abs(v.std() - numpy.sqrt(2 / 64)) < 0.01),
    (chainer.initializers.GlorotUniform(), lambda v: v.max() <= numpy.sqrt(6 / 128)
     and abs(v.std() - numpy.sqrt(6 / 128) / numpy.sqrt(3)) < 0.01),
    (chainer.initializers.LeCunUniform(), lambda v: v.max() <= numpy.sqrt(3 / 64)),
])
def test_initializers_on_device(device, initializer, check):
    array = device.send(numpy.full((64, 64), numpy.nan, numpy.float32))
    initializer(array)
    assert isinstance(array, pymic2.ndarray)
    assert check(array.get())


def test_numpy_model_still_works_after_enable():
    x, t = make_data()
    model = make_model()
    losses = train(model, chainer.optimizers.SGD(lr=0.1), x, t)
    assert all(isinstance(p.array, numpy.ndarray) for p in model.params())
    assert losses[-1] < losses[0]
    assert chainer.backend.get_array_module(model.predictor[0].W) is numpy


def test_npz_round_trip(device, tmp_path):
    x, t = make_data()
    trained = make_model()
    train(trained, chainer.optimizers.Adam(), x, t, device)
    path = str(tmp_path / "model.npz")
    chainer.serializers.save_npz(path, trained)
    expected = trained.predictor(device.send(x)).array.get()

    on_device = make_model(seed=7)
    on_device.to_device(device)
    chainer.serializers.load_npz(path, on_device)
    assert all(isinstance(p.array, pymic2.ndarray) for p in on_device.params())
    numpy.testing.assert_array_equal(on_device.predictor(device.send(x)).array.get(), expected)

    on_host = make_model(seed=7)
    chainer.serializers.load_npz(path, on_host)
    numpy.testing.assert_allclose(on_host.predictor(x).array, expected, rtol=1e-5, atol=1e-6)


def test_npz_load_rejects_wrong_shape(device, tmp_path):
    path = str(tmp_path / "model.npz")
    chainer.serializers.save_npz(path, make_model(n_hidden=8))
    model = make_model()
    model.to_device(device)
    with pytest.raises(ValueError, match="shape"):
        chainer.serializers.load_npz(path, model)


# ---------------------------------------------------------------- functions on the device


@pytest.mark.parametrize("shape", [(10, 5), (6, 4, 3)])
@pytest.mark.parametrize("options", [
    {}, {"reduce": "no"}, {"normalize": False}, {"class_weight": True}, {"ignore": True},
])
def test_softmax_cross_entropy_matches_numpy(device, shape, options):
    rng = numpy.random.default_rng(3)
    x = rng.standard_normal(shape).astype(numpy.float32)
    t = rng.integers(0, shape[1], (shape[0],) + shape[2:]).astype(numpy.int32)
    kwargs = {k: v for k, v in options.items() if k in ("reduce", "normalize")}
    if options.get("class_weight"):
        kwargs["class_weight"] = rng.uniform(0.5, 2, shape[1]).astype(numpy.float32)
    if options.get("ignore"):
        t.flat[::3] = -1
    results = []
    for send in (lambda a: a, device.send):
        xv = chainer.Variable(send(x))
        loss = F.softmax_cross_entropy(xv, send(t), **kwargs)
        loss.grad = send(numpy.linspace(0.5, 1.5, loss.size, dtype=numpy.float32)
                         .reshape(loss.shape))
        loss.backward()
        results.append([chainer.backend.CpuDevice().send(a) for a in (loss.array, xv.grad)])
    for host, on_device in zip(*results):
        numpy.testing.assert_allclose(on_device, host, rtol=1e-5, atol=1e-6)


def test_softmax_cross_entropy_soft_target(device):
    rng = numpy.random.default_rng(4)
    x = rng.standard_normal((8, 5)).astype(numpy.float32)
    t = rng.dirichlet(numpy.ones(5), 8).astype(numpy.float32)
    expected = F.softmax_cross_entropy(x, t).array
    loss = F.softmax_cross_entropy(device.send(x), device.send(t))
    numpy.testing.assert_allclose(loss.array.get(), expected, rtol=1e-5)


@pytest.mark.parametrize("ignore_label", [None, -1])
def test_accuracy_matches_numpy(device, ignore_label):
    rng = numpy.random.default_rng(5)
    y = rng.standard_normal((50, 6)).astype(numpy.float32)
    t = rng.integers(0, 6, 50).astype(numpy.int32)
    t[::4] = -1 if ignore_label is not None else t[::4]
    expected = F.accuracy(y, t, ignore_label=ignore_label).array
    result = F.accuracy(device.send(y), device.send(t), ignore_label=ignore_label).array
    assert isinstance(result, pymic2.ndarray)
    numpy.testing.assert_allclose(result.get(), expected, rtol=1e-6)


# ---------------------------------------------------------------- the Trainer


def test_trainer_runs_an_epoch_on_device(device, tmp_path):
    x, t = make_data(n=96)
    model = make_model()
    model.to_device(device)
    optimizer = chainer.optimizers.SGD(lr=0.2)
    optimizer.setup(model)
    iterator = chainer.iterators.SerialIterator(chainer.datasets.TupleDataset(x, t),
                                                batch_size=16, shuffle=False)
    updater = training.updaters.StandardUpdater(iterator, optimizer, device=device)
    trainer = training.Trainer(updater, (2, "epoch"), out=str(tmp_path))
    output = io.StringIO()
    trainer.extend(extensions.LogReport(trigger=(1, "epoch")))
    trainer.extend(extensions.PrintReport(["epoch", "iteration", "main/loss",
                                           "main/accuracy"], out=output))
    trainer.extend(extensions.ProgressBar(update_interval=1, out=output))
    trainer.run()
    log = trainer.get_extension("LogReport").log
    assert [entry["epoch"] for entry in log] == [1, 2]
    assert [entry["iteration"] for entry in log] == [6, 12]
    assert log[1]["main/loss"] < log[0]["main/loss"]
    assert "main/loss" in output.getvalue()  # PrintReport (ProgressBar draws only on a tty)
    assert all(isinstance(p.array, pymic2.ndarray) for p in model.params())
