"""The NN family's fused kernels (pymic2_fused) behind Chainer on a pyMIC2 device: optimizer
updates against Chainer's NumPy update rules over several steps, batch normalization and the
LSTM cell (values and check_backward, one command each), dropout's device mask (statistics,
seed, gradient), and the kernel's errors."""

import numpy
import pytest

import pymic2
import pymic2.chainer
from pymic2 import _core
from conftest import TEST_DEVICE
from test_chainer_layers import DTYPES, TOLERANCE, check, normal

pymic2.chainer.enable()
chainer = pymic2.chainer.import_chainer()
import chainer.functions as F  # noqa: E402
import chainer.links as L  # noqa: E402
from chainer import optimizer_hooks  # noqa: E402

from pymic2.chainer import _fused  # noqa: E402

SPEC = "@pymic2:" + TEST_DEVICE


@pytest.fixture
def device():
    return chainer.get_device(SPEC)


@pytest.fixture
def fused_ops(monkeypatch):
    """The FUSED_* ops run, in order (the fast paths must be taken)."""
    ops = []
    original = _fused.run

    def run(op, *args, **kwargs):
        ops.append(op)
        return original(op, *args, **kwargs)

    monkeypatch.setattr(_fused, "run", run)
    return ops


# ---------------------------------------------------------------- optimizers

OPTIMIZERS = {
    "sgd": lambda: chainer.optimizers.SGD(lr=0.1),
    "momentum": lambda: chainer.optimizers.MomentumSGD(lr=0.05, momentum=0.8),
    "nesterov": lambda: chainer.optimizers.NesterovAG(lr=0.05, momentum=0.7),
    "adam": lambda: chainer.optimizers.Adam(alpha=0.01),
    "adamw": lambda: chainer.optimizers.AdamW(alpha=0.01, weight_decay_rate=0.05),
    "amsgrad": lambda: chainer.optimizers.Adam(alpha=0.01, amsgrad=True),
}
FUSED_OP = {"sgd": _core.FUSED_SGD, "momentum": _core.FUSED_MOMENTUM_SGD,
            "nesterov": _core.FUSED_NESTEROV_AG, "adam": _core.FUSED_ADAM,
            "adamw": _core.FUSED_ADAM, "amsgrad": _core.FUSED_ADAM}


def _train(name, dtype, to_device, send, hooks=(), steps=4):
    """Parameters of a tiny model after `steps` updates on fixed data; its last loss."""
    numpy.random.seed(3)
    with chainer.using_config("dtype", dtype):
        model = chainer.Sequential(L.Linear(5, 7), F.tanh, L.Linear(7, 3))
    model.to_device(to_device)
    optimizer = OPTIMIZERS[name]()
    optimizer.setup(model)
    for hook in hooks:
        optimizer.add_hook(hook)
    x, t = send(normal((6, 5), dtype)), send(numpy.arange(6, dtype=numpy.int32) % 3)
    for _ in range(steps):
        loss = F.softmax_cross_entropy(model(x), t)
        model.cleargrads()
        loss.backward()
        optimizer.update()
    return [p.array for _, p in sorted(model.namedparams())], loss.array


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_fused_update_equals_numpy_rule(device, fused_ops, dtype, name):
    expected, expected_loss = _train(name, dtype, "@numpy", lambda a: a)
    assert fused_ops == []
    got, loss = _train(name, dtype, device, device.send)
    # 4 parameters, 4 steps, one command each
    assert fused_ops.count(FUSED_OP[name]) == 16
    for g, e in zip(got, expected):
        assert g.dtype == e.dtype
        numpy.testing.assert_allclose(g.get(), e, **TOLERANCE[dtype])
    numpy.testing.assert_allclose(loss.get(), expected_loss, **TOLERANCE[dtype])


@pytest.mark.parametrize("name", ["momentum", "adam"])
def test_fused_update_with_hooks(device, fused_ops, name):
    hooks = lambda: (optimizer_hooks.WeightDecay(0.01),  # noqa: E731
                     optimizer_hooks.GradientClipping(0.05))
    expected, _ = _train(name, numpy.float64, "@numpy", lambda a: a, hooks())
    got, _ = _train(name, numpy.float64, device, device.send, hooks())
    assert fused_ops.count(FUSED_OP[name]) == 16  # hooks act on the gradient before
    for g, e in zip(got, expected):
        numpy.testing.assert_allclose(g.get(), e, **TOLERANCE[numpy.float64])


def test_unfused_rules_still_run_on_the_device(device, fused_ops):
    """A rule without a fused kernel (RMSprop) runs Chainer's array code on the device."""
    numpy.random.seed(3)
    expected = _train_rmsprop("@numpy", lambda a: a)
    got = _train_rmsprop(device, device.send)
    assert fused_ops == []
    for g, e in zip(got, expected):
        numpy.testing.assert_allclose(g.get(), e, **TOLERANCE[numpy.float64])


def _train_rmsprop(to_device, send):
    numpy.random.seed(3)
    link = L.Linear(4, 2)
    link.to_device(to_device)
    optimizer = chainer.optimizers.RMSprop(lr=0.01)
    optimizer.setup(link)
    for _ in range(3):
        loss = F.sum(link(send(normal((3, 4), numpy.float32))) ** 2)
        link.cleargrads()
        loss.backward()
        optimizer.update()
    return [link.W.array, link.b.array]


# ---------------------------------------------------------------- batch normalization


@pytest.mark.parametrize("dtype", DTYPES)
# (3, 2, 13, 11): runs of 143 elements, a full block of the kernel's sums and a partial one
@pytest.mark.parametrize("shape", [(4, 3, 3, 2), (5, 6), (2, 3, 5), (3, 2, 13, 11)])
def test_batch_normalization_is_fused(device, fused_ops, dtype, shape):
    x = normal(shape, dtype, scale=2.0) + 1
    gamma, beta = normal(shape[1:2], dtype, seed=1), normal(shape[1:2], dtype, seed=2)
    check(lambda x, g, b: F.batch_normalization(x, g, b), [x, gamma, beta], device, dtype,
          rtol=1e-1 if dtype == numpy.float32 else 1e-4)
    assert _core.FUSED_BATCH_NORM_FORWARD in fused_ops
    assert _core.FUSED_BATCH_NORM_BACKWARD in fused_ops


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_normalization_kernel_running_statistics(device, dtype):
    x = normal((6, 3, 4), dtype, scale=3.0) - 2
    gamma, beta = normal((3,), dtype, seed=1), normal((3,), dtype, seed=2)
    running = [normal((3,), dtype, seed=4), numpy.abs(normal((3,), dtype, seed=5))]
    d = {name: pymic2.asarray(a, device=device.device) for name, a in
         (("x", x), ("gamma", gamma), ("beta", beta), ("rm", running[0]),
          ("rv", running[1]))}
    out = {name: pymic2.empty(shape, dtype=dtype, device=device.device)
           for name, shape in (("y", x.shape), ("mean", (3,)), ("var", (3,)),
                               ("inv_std", (3,)))}
    eps, decay, m = 1e-3, 0.8, 24
    _fused.run(_core.FUSED_BATCH_NORM_FORWARD,
               (d["x"], d["gamma"], d["beta"], out["y"], out["mean"], out["var"],
                out["inv_std"], d["rm"], d["rv"]), (6, 3, 4), (eps, decay, m / (m - 1)))
    mean, var = x.mean(axis=(0, 2)), x.var(axis=(0, 2))
    inv_std = 1 / numpy.sqrt(var + eps)
    y = (x - mean[:, None]) * inv_std[:, None] * gamma[:, None] + beta[:, None]
    for name, value in (("y", y), ("mean", mean), ("var", var), ("inv_std", inv_std)):
        numpy.testing.assert_allclose(out[name].get(), value, **TOLERANCE[dtype])
    numpy.testing.assert_allclose(d["rm"].get(), decay * running[0] + (1 - decay) * mean,
                                  **TOLERANCE[dtype])
    numpy.testing.assert_allclose(d["rv"].get(),
                                  decay * running[1] + (1 - decay) * m / (m - 1) * var,
                                  **TOLERANCE[dtype])


def test_batch_normalization_empty_channels(device):
    x = pymic2.zeros((4, 0, 3), dtype=numpy.float32, device=device.device)
    empty = pymic2.zeros((0,), dtype=numpy.float32, device=device.device)
    y = pymic2.empty_like(x)
    _fused.run(_core.FUSED_BATCH_NORM_FORWARD, (x, empty, empty, y, empty, empty, empty,
                                                None, None), (4, 0, 3), (1e-5, 0.9, 1.0))
    assert y.get().shape == (4, 0, 3)


# ---------------------------------------------------------------- LSTM


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("c_shape, x_shape", [((3, 4), (3, 16)), ((3, 4), (2, 16)),
                                              ((2, 3, 2), (2, 12, 2))])
def test_lstm_is_fused(device, fused_ops, dtype, c_shape, x_shape):
    c = normal(c_shape, dtype)
    x = normal(x_shape, dtype, seed=1)
    check(lambda c, x: F.concat(F.lstm(c, x), axis=0), [c, x], device, dtype)
    assert _core.FUSED_LSTM_FORWARD in fused_ops and _core.FUSED_LSTM_BACKWARD in fused_ops


@pytest.mark.parametrize("with_gc, with_gh", [(True, False), (False, True)])
def test_lstm_gradient_with_one_output_gradient(device, with_gc, with_gh):
    """Only c or only h used: the other gradient is None (the kernel's absent operand)."""
    dtype = numpy.float64
    c, x = normal((3, 4), dtype), normal((3, 16), dtype, seed=1)

    def run(send):
        cv, xv = chainer.Variable(send(c)), chainer.Variable(send(x))
        c_next, h = F.lstm(cv, xv)
        loss = F.sum(c_next * c_next) if with_gc else F.sum(h * h)
        loss.backward()
        return cv.grad, xv.grad

    for got, expected in zip(run(device.send), run(lambda a: a)):
        numpy.testing.assert_allclose(got.get(), expected, **TOLERANCE[dtype])


# ---------------------------------------------------------------- dropout


@pytest.mark.parametrize("dtype", DTYPES)
def test_dropout_mask_statistics_and_gradient(device, fused_ops, dtype):
    x = normal((200, 300), dtype)
    v = chainer.Variable(device.send(x))
    y = F.dropout(v, 0.3)
    assert fused_ops == [_core.FUSED_DROPOUT]
    gy = normal(x.shape, dtype, seed=1)
    y.grad = device.send(gy)
    y.backward()
    values, grads = y.array.get(), v.grad.get()
    kept = values != 0
    assert abs(kept.mean() - 0.7) < 0.01  # 60000 draws: 4 standard deviations is 0.0075
    scale = dtype(1 / 0.7)
    numpy.testing.assert_array_equal(values[kept], x[kept] * scale)
    numpy.testing.assert_array_equal(grads, numpy.where(kept, gy * scale, 0))


def test_dropout_is_reproducible_and_uses_the_generator(device):
    """The mask is pymic2.random's float32 uniforms >= ratio: the same seed gives the same
    mask, the stream moves on between calls, and rand() after it continues the stream."""
    x = device.send(numpy.ones((7, 9), numpy.float32))
    pymic2.random.seed(42)
    first = F.dropout(x, 0.5).array.get()
    second = F.dropout(x, 0.5).array.get()
    after = pymic2.random.rand(5, dtype=numpy.float32).get()
    pymic2.random.seed(42)
    uniforms = pymic2.random.rand(63, dtype=numpy.float32).get()
    skipped = pymic2.random.rand(63, dtype=numpy.float32)  # second's blocks
    assert skipped.shape == (63,)
    continued = pymic2.random.rand(5, dtype=numpy.float32).get()
    numpy.testing.assert_array_equal(first.ravel(), numpy.where(uniforms >= 0.5, 2, 0))
    assert not numpy.array_equal(first, second)
    numpy.testing.assert_array_equal(after, continued)
    pymic2.random.seed(42)
    numpy.testing.assert_array_equal(F.dropout(x, 0.5).array.get(), first)


def test_dropout_non_contiguous_and_empty(device):
    x = normal((6, 8), numpy.float32)
    y = F.dropout(device.send(x)[:, ::2], 0.25).array.get()
    kept = y != 0
    numpy.testing.assert_array_equal(y[kept], x[:, ::2][kept] * numpy.float32(1 / 0.75))
    assert F.dropout(device.send(numpy.zeros((0, 3), numpy.float32)), 0.5).shape == (0, 3)


# ---------------------------------------------------------------- errors


def test_fused_errors(device):
    on = dict(device=device.device)
    a32 = pymic2.zeros((8,), dtype=numpy.float32, **on)
    a64 = pymic2.zeros((8,), dtype=numpy.float64, **on)
    with pytest.raises(TypeError, match="operand 1 is float64"):
        _fused.run(_core.FUSED_SGD, (a32, a64), (8,), (0.1,))
    with pytest.raises(TypeError, match="float32 or float64"):
        i64 = pymic2.zeros((8,), dtype=numpy.int64, **on)
        _fused.run(_core.FUSED_SGD, (i64, i64), (8,), (0.1,))
    with pytest.raises(ValueError, match="not C-contiguous"):
        wide = pymic2.zeros((16,), dtype=numpy.float32, **on)
        _fused.run(_core.FUSED_SGD, (a32, wide[::2]), (8,), (0.1,))
    with pytest.raises(ValueError, match="has 8 elements; the sizes call for 9"):
        _fused.run(_core.FUSED_SGD, (a32, a32), (9,), (0.1,))
    with pytest.raises(ValueError, match="operand 1 is missing"):
        _fused.run(_core.FUSED_SGD, (a32, None), (8,), (0.1,))
    with pytest.raises(ValueError, match=r"ratio 1 is not in \[0, 1\)"):
        _fused.run(_core.FUSED_DROPOUT, (a32, a32, a32), (8,), (1.0,))
    with pytest.raises(ValueError, match="batch rows"):
        _fused.run(_core.FUSED_LSTM_FORWARD, (a32, a32, a32, a32), (1, 2, 4, 1))
    with pytest.raises(ValueError, match="read-only|not writeable"):
        _fused.run(_core.FUSED_SGD, (pymic2.broadcast_to(a32[:1], (8,)), a32), (8,), (0.1,))
    with pytest.raises(ValueError, match="not a FUSED_"):
        _core.fused(99, (a32,), (0, 0, 0, 0), (0.0,) * 6)
