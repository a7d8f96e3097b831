"""The fused neural-network kernels and their Chainer functions (pymic2.chainer.functions),
and the device dataset iterator (pymic2.chainer.iterators).

Oracles: NumPy formulas written here (in float64), Chainer's own F.relu and
F.softmax_cross_entropy on NumPy, and finite differences of the device forward."""

import numpy
import pytest

import pymic2
from pymic2 import _core

chainer = pytest.importorskip("pymic2.chainer", reason="Chainer is not installed").import_chainer()
import pymic2.chainer  # noqa: E402
from pymic2.chainer import functions as PF, iterators  # noqa: E402

import chainer.functions as F  # noqa: E402
from chainer import gradient_check  # noqa: E402

pymic2.chainer.enable()
FLOATS = [numpy.float32, numpy.float64]


def tolerance(dtype):
    return {"rtol": 1e-5, "atol": 1e-6} if dtype == numpy.float32 else \
        {"rtol": 1e-12, "atol": 1e-13}


def log_softmax_reference(x):
    x = x.astype(numpy.float64)
    m = x.max(axis=1, keepdims=True)
    return x - m - numpy.log(numpy.exp(x - m).sum(axis=1, keepdims=True))


def loss_reference(x, t, normalize=True, ignore_label=-1):
    valid = t != ignore_label
    picked = log_softmax_reference(x)[numpy.arange(len(t)), numpy.where(valid, t, 0)]
    count = valid.sum() if normalize else len(t)
    return -(picked * valid).sum() / max(count, 1)


def grad_reference(x, t, gloss, normalize=True, ignore_label=-1):
    valid = t != ignore_label
    g = numpy.exp(log_softmax_reference(x))
    g[numpy.arange(len(t)), numpy.maximum(t, 0)] -= 1
    count = valid.sum() if normalize else len(t)
    return g * valid[:, None] * gloss / max(count, 1)


# ---------------------------------------------------------------- raw kernels (_core)

@pytest.mark.parametrize("dtype", FLOATS)
def test_bias_relu_and_grad_ops(dtype):
    rng = numpy.random.default_rng(1)
    x = rng.standard_normal((300, 70)).astype(dtype)
    b = rng.standard_normal(70).astype(dtype)
    gy = rng.standard_normal((300, 70)).astype(dtype)
    x[3, 4] = numpy.nan
    gy[5, 6] = numpy.inf
    y = _core.elementwise(_core.OP_BIAS_RELU, pymic2.asarray(x), pymic2.asarray(b))
    y_want = numpy.maximum(x + b, 0)
    numpy.testing.assert_array_equal(y.get(), y_want)
    gx = _core.elementwise(_core.OP_RELU_GRAD, y, pymic2.asarray(gy))
    with numpy.errstate(invalid="ignore"):
        gx_want = gy * (y_want > 0)
    numpy.testing.assert_array_equal(gx.get(), gx_want)


def test_fused_ops_reject_integers():
    a = pymic2.asarray(numpy.arange(6).reshape(2, 3))
    with pytest.raises(TypeError, match="bias_relu is a float32/float64 training op"):
        _core.elementwise(_core.OP_BIAS_RELU, a, a)


@pytest.mark.parametrize("label_dtype", [numpy.int32, numpy.int64])
@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_cross_entropy_kernel(dtype, normalize, label_dtype):
    rng = numpy.random.default_rng(2)
    x = (rng.standard_normal((5000, 10)) * 4).astype(dtype)
    t = rng.integers(0, 10, 5000).astype(label_dtype)
    t[::7] = -1
    dx, dt = pymic2.asarray(x), pymic2.asarray(t)
    loss = _core.softmax_cross_entropy(dx, dt, -1, normalize)
    assert loss.shape == () and loss.dtype == dtype
    numpy.testing.assert_allclose(loss.get(), loss_reference(x, t, normalize), **tolerance(dtype))
    grad = _core.softmax_cross_entropy(dx, dt, -1, normalize, 0.5)
    numpy.testing.assert_allclose(grad.get(), grad_reference(x, t, 0.5, normalize),
                                  **tolerance(dtype))


def test_softmax_cross_entropy_special_values_and_errors():
    x = numpy.array([[numpy.nan, 0.0], [numpy.inf, 0.0], [-numpy.inf, 1.0]])
    t = numpy.array([1, 1, 1], numpy.int32)
    for rows, finite in ((slice(0, 1), False), (slice(1, 2), False), (slice(2, 3), True)):
        loss = _core.softmax_cross_entropy(pymic2.asarray(x[rows]), pymic2.asarray(t[rows]))
        with numpy.errstate(invalid="ignore"):
            want = loss_reference(x[rows], t[rows])
        assert numpy.isfinite(loss.get()) == finite
        numpy.testing.assert_equal(loss.get(), want)
    bad = pymic2.asarray(numpy.array([0, 2, 1], numpy.int32))
    with pytest.raises(IndexError, match="label 2 of row 1 is outside 0..1"):
        _core.softmax_cross_entropy(pymic2.asarray(x), bad).get()
    with pytest.raises(ValueError, match="2 labels for 3 rows"):
        _core.softmax_cross_entropy(pymic2.asarray(x), pymic2.asarray(t[:2]))
    with pytest.raises(TypeError, match="labels are float64"):
        _core.softmax_cross_entropy(pymic2.asarray(x), pymic2.asarray(x[:, 0]))


# ---------------------------------------------------------------- Chainer functions

def device_variable(array):
    return chainer.Variable(pymic2.asarray(array))


@pytest.mark.parametrize("dtype", FLOATS)
def test_bias_relu_matches_chainer(dtype):
    rng = numpy.random.default_rng(4)
    x = rng.standard_normal((64, 33)).astype(dtype)
    b = rng.standard_normal(33).astype(dtype)
    gy = rng.standard_normal((64, 33)).astype(dtype)
    # Chainer's own functions on NumPy
    xr, br = chainer.Variable(x), chainer.Variable(b)
    yr = F.relu(xr + F.broadcast_to(br, x.shape))
    yr.grad = gy
    yr.backward()
    # the fused function on the device
    xd, bd = device_variable(x), device_variable(b)
    yd = PF.bias_relu(xd, bd)
    assert isinstance(yd.array, pymic2.ndarray)
    yd.grad = pymic2.asarray(gy)
    yd.backward()
    numpy.testing.assert_allclose(yd.array.get(), yr.array, **tolerance(dtype))
    numpy.testing.assert_allclose(xd.grad.get(), xr.grad, **tolerance(dtype))
    numpy.testing.assert_allclose(bd.grad.get(), br.grad, **tolerance(dtype))


@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_cross_entropy_matches_chainer(dtype, normalize):
    rng = numpy.random.default_rng(5)
    x = (rng.standard_normal((200, 10)) * 3).astype(dtype)
    t = rng.integers(0, 10, 200).astype(numpy.int32)
    t[::9] = -1
    xr = chainer.Variable(x)
    lr = F.softmax_cross_entropy(xr, t, normalize=normalize)
    lr.backward()
    xd = device_variable(x)
    ld = PF.softmax_cross_entropy(xd, pymic2.asarray(t), normalize=normalize)
    assert isinstance(ld.array, pymic2.ndarray)
    ld.backward()
    numpy.testing.assert_allclose(ld.array.get(), lr.array, **tolerance(dtype))
    numpy.testing.assert_allclose(xd.grad.get(), xr.grad, **tolerance(dtype))


def test_device_gradients_against_finite_differences():
    """The device backward against central differences of the device forward (float64)."""
    rng = numpy.random.default_rng(6)
    x = rng.standard_normal((6, 5))
    b = rng.standard_normal(5)
    w = rng.standard_normal((5, 4))  # a fixed linear map between the two fused functions
    t = numpy.array([0, 3, -1, 2, 1, 3], numpy.int32)
    td, wd = pymic2.asarray(t), pymic2.asarray(w)

    def loss_of(x_value, b_value):
        xv, bv = device_variable(x_value), device_variable(b_value)
        loss = PF.softmax_cross_entropy(F.matmul(PF.bias_relu(xv, bv), wd), td)
        return loss, xv, bv

    loss, xv, bv = loss_of(x, b)
    loss.backward()
    eps = 1e-6
    for value, grad, which in ((x, xv.grad.get(), 0), (b, bv.grad.get(), 1)):
        numeric = numpy.zeros_like(value)
        for index in numpy.ndindex(value.shape):
            plus, minus = value.copy(), value.copy()
            plus[index] += eps
            minus[index] -= eps
            args_plus = (plus, b) if which == 0 else (x, plus)
            args_minus = (minus, b) if which == 0 else (x, minus)
            numeric[index] = (loss_of(*args_plus)[0].array.get() -
                              loss_of(*args_minus)[0].array.get()) / (2 * eps)
        numpy.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("dtype", FLOATS)
def test_numpy_paths_pass_chainers_gradient_check(dtype):
    """The functions also run on NumPy (so one model runs on either); Chainer's numerical
    check of those paths, including bias_relu's double backward."""
    rng = numpy.random.default_rng(7)
    x = rng.uniform(0.1, 1, (4, 3)).astype(dtype) * rng.choice([-1, 1], (4, 3)).astype(dtype)
    b = numpy.zeros(3, dtype)
    gy = rng.standard_normal((4, 3)).astype(dtype)
    options = {"dtype": numpy.float64, "atol": 1e-3, "rtol": 1e-3}
    gradient_check.check_backward(PF.bias_relu, (x, b), gy, **options)
    gradient_check.check_double_backward(PF.bias_relu, (x, b), gy, (x * 0 + 1, b + 1),
                                         **options)
    t = numpy.array([0, 2, -1, 1], numpy.int32)
    gradient_check.check_backward(lambda v: PF.softmax_cross_entropy(v, t), x, None,
                                  **options)
    numpy.testing.assert_allclose(PF.softmax_cross_entropy(x, t).array,
                                  F.softmax_cross_entropy(x, t).array, **tolerance(dtype))


def test_device_paths_pass_chainers_gradient_check():
    """Chainer's own numerical check run on device arrays (it perturbs them with
    numpy.copysign, served on the device): the fused functions and Chainer's Linear."""
    rng = numpy.random.default_rng(9)
    x = rng.uniform(0.1, 1, (4, 3)) * rng.choice([-1, 1], (4, 3))
    w = rng.standard_normal((2, 3))
    gy = rng.standard_normal((4, 3))
    device = [pymic2.asarray(a) for a in (x, numpy.zeros(3), gy, w, gy[:, :2])]
    options = {"dtype": numpy.float64, "atol": 1e-4, "rtol": 1e-4}
    gradient_check.check_backward(PF.bias_relu, tuple(device[:2]), device[2], **options)
    t = pymic2.asarray(numpy.array([0, 2, -1, 1], numpy.int32))
    gradient_check.check_backward(lambda v: PF.softmax_cross_entropy(v, t), device[0], None,
                                  **options)
    gradient_check.check_backward(F.linear, (device[0], device[3]), device[4], **options)
    with pytest.raises(AssertionError):  # the check can fail: a wrong gradient is caught
        gradient_check.check_backward(lambda v: _WrongGradient().apply((v,))[0], device[0],
                                      device[2], **options)


class _WrongGradient(chainer.function_node.FunctionNode):
    """y = 2 x with a backward that claims 3: what gradient_check must reject."""

    def forward(self, inputs):
        return inputs[0] * 2,

    def backward(self, indexes, grad_outputs):
        return grad_outputs[0] * 3,


# ---------------------------------------------------------------- the iterator

def test_device_iterator_matches_host_iterator():
    rng = numpy.random.default_rng(8)
    x = rng.standard_normal((50, 3)).astype(numpy.float32)
    t = numpy.arange(50, dtype=numpy.int32)
    device = iterators.DeviceIterator(x, t, 16, device=pymic2.devices[0], seed=3)
    host = iterators.HostIterator(x, t, 16, seed=3)
    seen = []
    for _ in range(7):  # 50 / 16: batches wrap into the next epoch's order
        (xd, td), (xh, th) = next(device), next(host)
        assert isinstance(xd, pymic2.ndarray) and isinstance(td, pymic2.ndarray)
        numpy.testing.assert_array_equal(xd.get(), xh)
        numpy.testing.assert_array_equal(td.get(), th)
        numpy.testing.assert_array_equal(xh, x[th])
        assert device.epoch == host.epoch and device.is_new_epoch == host.is_new_epoch
        seen.append(th)
    first_epoch = numpy.concatenate(seen)[:50]
    assert sorted(first_epoch) == list(range(50))  # each example once per epoch
    assert device.epoch == 2 and device.epoch_detail == pytest.approx(2 + 12 / 50)


def test_device_iterator_without_repeat_and_shuffle():
    x = numpy.arange(10, dtype=numpy.float64)[:, None]
    t = numpy.arange(10, dtype=numpy.int64)
    batches = list(iterators.DeviceIterator(x, t, 4, shuffle=False, repeat=False))
    assert [b[1].get().tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    whole = iterators.DeviceIterator(x, t, 10, shuffle=False)
    assert next(whole)[0] is whole.x  # the whole set in order is not copied
    with pytest.raises(ValueError, match="3 examples but 2 labels"):
        iterators.DeviceIterator(x[:3], t[:2], 1)
    assert iterators.converter((1, 2), None) == (1, 2)
