"""Chainer's layer functions on a pyMIC2 device against Chainer on NumPy: forward values,
gradients (the device's backward against NumPy's, and chainer.gradient_check.check_backward
on the device), float32 and float64; every function node of a device run must receive
device arrays only (no host fallback). Then the CNN and the LSTM of pymic2.mnist train a
few iterations on the device with the NumPy run's losses."""

import numpy
import pytest

import pymic2
import pymic2.chainer
from conftest import TEST_DEVICE

pymic2.chainer.enable()
chainer = pymic2.chainer.import_chainer()
import chainer.functions as F  # noqa: E402
import chainer.links as L  # noqa: E402
from chainer import gradient_check  # noqa: E402

from pymic2 import mnist  # noqa: E402

SPEC = "@pymic2:" + TEST_DEVICE
DTYPES = [numpy.float32, numpy.float64]
# forward/backward agreement with NumPy; check_backward's numerical-gradient tolerances
TOLERANCE = {numpy.float32: dict(rtol=2e-4, atol=2e-5), numpy.float64: dict(rtol=1e-10,
                                                                          atol=1e-12)}
NUMERICAL = {numpy.float32: dict(eps=2e-3, rtol=5e-2, atol=5e-2),
             numpy.float64: dict(eps=1e-6, rtol=1e-5, atol=1e-6)}


@pytest.fixture
def device():
    return chainer.get_device(SPEC)


class DeviceOnly(chainer.FunctionHook):
    """Records every function that receives an array that is not a pymic2 array."""

    name = "device_only"

    def __init__(self):
        self.host_functions = []

    def forward_preprocess(self, function, in_data):
        self._check(function, in_data)

    def backward_preprocess(self, function, in_data, out_grad):
        self._check(function, in_data + tuple(out_grad))

    def _check(self, function, arrays):
        if not all(a is None or isinstance(a, pymic2.ndarray) for a in arrays):
            self.host_functions.append(function.label)


def distinct(shape, dtype, seed=0):
    """Values at least 0.05 apart (no ties inside a pooling window, so max pooling's
    numerical gradient is defined), in [-1, 1)."""
    rng = numpy.random.default_rng(seed)
    size = int(numpy.prod(shape))
    return ((rng.permutation(size) - size / 2) * (2.0 / size) * min(1.0, size / 40)
            ).reshape(shape).astype(dtype)


def normal(shape, dtype, seed=0, scale=1.0):
    return numpy.asarray(numpy.random.default_rng(seed).standard_normal(shape) * scale,
                         dtype=dtype)


def _run(function, arrays, send):
    variables = [chainer.Variable(send(a)) for a in arrays]
    y = function(*variables)
    y.grad = send(normal(y.shape, y.dtype, seed=99))
    y.backward()
    return y.array, [v.grad for v in variables]


def check(function, arrays, device, dtype, numerical=True, **numerical_overrides):
    """function on the device against NumPy: outputs and input gradients, every function
    node fed device arrays; then check_backward on the device."""
    expected, expected_grads = _run(function, arrays, lambda a: a)
    hook = DeviceOnly()
    with hook:
        got, grads = _run(function, arrays, device.send)
    assert hook.host_functions == []
    assert isinstance(got, pymic2.ndarray) and got.device == device.device
    assert got.dtype == expected.dtype and got.shape == expected.shape
    numpy.testing.assert_allclose(got.get(), expected, **TOLERANCE[dtype])
    for grad, expected_grad in zip(grads, expected_grads):
        assert isinstance(grad, pymic2.ndarray)
        numpy.testing.assert_allclose(grad.get(), expected_grad, **TOLERANCE[dtype])
    if numerical:
        options = dict(NUMERICAL[dtype], **numerical_overrides)
        y_grad = device.send(normal(expected.shape, dtype, seed=7))
        gradient_check.check_backward(function, tuple(device.send(a) for a in arrays),
                                      y_grad, dtype=numpy.float64, **options)


# ---------------------------------------------------------------- convolution

from pymic2.chainer._layers import _PER_IMAGE_ROWS  # noqa: E402


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("stride, pad, dilate, cover_all", [
    (1, 1, 1, False), (2, 0, 1, False), (2, 1, 1, True), (1, 2, 2, False)])
def test_convolution_2d(device, dtype, stride, pad, dilate, cover_all):
    x = normal((2, 3, 7, 6), dtype)
    W = normal((4, 3, 3, 2), dtype, seed=1, scale=0.3)
    b = normal((4,), dtype, seed=2)
    check(lambda x, W, b: F.convolution_2d(x, W, b, stride=stride, pad=pad, dilate=dilate,
                                           cover_all=cover_all), [x, W, b], device, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("in_c", [_PER_IMAGE_ROWS // 9, _PER_IMAGE_ROWS // 9 + 1])
def test_convolution_2d_one_gemm_and_per_image(device, dtype, in_c):
    """in_c * 3 * 3 column rows either side of _PER_IMAGE_ROWS: multiplied image by image,
    or as one GEMM."""
    x = normal((3, in_c, 5, 4), dtype)
    W = normal((5, in_c, 3, 3), dtype, seed=1, scale=0.3)
    b = normal((5,), dtype, seed=2)
    check(lambda x, W, b: F.convolution_2d(x, W, b, pad=1), [x, W, b], device, dtype,
          numerical=False)


@pytest.mark.parametrize("dtype", DTYPES)
def test_convolution_2d_link_without_bias(device, dtype):
    numpy.random.seed(3)
    link = L.Convolution2D(2, 3, 3, pad=1, nobias=True, initialW=normal((3, 2, 3, 3), dtype))
    x = normal((2, 2, 5, 5), dtype)
    expected = link(x).array
    link.to_device(device)
    got = link(device.send(x)).array
    numpy.testing.assert_allclose(got.get(), expected, **TOLERANCE[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("stride, pad", [(1, 0), (2, 1)])
def test_deconvolution_2d(device, dtype, stride, pad):
    x = normal((2, 3, 4, 3), dtype)
    W = normal((3, 2, 3, 3), dtype, seed=1, scale=0.3)
    b = normal((2,), dtype, seed=2)
    check(lambda x, W, b: F.deconvolution_2d(x, W, b, stride=stride, pad=pad), [x, W, b],
          device, dtype)


def test_convolution_without_output_raises(device):
    x = device.send(normal((1, 1, 2, 2), numpy.float32))
    W = device.send(normal((1, 1, 3, 3), numpy.float32))
    with pytest.raises((ValueError, AssertionError)):
        F.convolution_2d(x, W)


# ---------------------------------------------------------------- pooling


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ksize, stride, pad, cover_all", [
    (2, 2, 0, True), (3, 2, 1, True), (3, 1, 1, False), (2, None, 0, False)])
def test_max_pooling_2d(device, dtype, ksize, stride, pad, cover_all):
    x = distinct((2, 3, 7, 6), dtype)
    check(lambda x: F.max_pooling_2d(x, ksize, stride, pad, cover_all=cover_all), [x],
          device, dtype)


def test_max_pooling_2d_indexes_and_nan(device):
    x = distinct((1, 2, 4, 4), numpy.float64)
    x[0, 0, 1, 0] = numpy.nan
    x[0, 1, 2, 2] = x[0, 1, 3, 3] = 5.0  # a tie: the first maximum wins, as numpy.argmax
    y, indexes = F.max_pooling_2d(x, 2, return_indices=True)
    got, got_indexes = F.max_pooling_2d(device.send(x), 2, return_indices=True)
    numpy.testing.assert_array_equal(got.array.get(), y.array)
    numpy.testing.assert_array_equal(got_indexes.get(), indexes)


@pytest.mark.parametrize("dtype", DTYPES)
def test_max_pooling_2d_double_backward(device, dtype):
    x = distinct((1, 2, 4, 4), dtype)

    def grad_of_sum_of_squares(send):
        v = chainer.Variable(send(x))
        y = F.max_pooling_2d(v, 2)
        gx, = chainer.grad([F.sum(y * y)], [v], enable_double_backprop=True)
        F.sum(gx * gx).backward()
        return gx.array, v.grad

    expected = grad_of_sum_of_squares(lambda a: a)
    got = grad_of_sum_of_squares(device.send)
    for g, e in zip(got, expected):
        numpy.testing.assert_allclose(g.get(), e, **TOLERANCE[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ksize, stride, pad", [(2, 2, 0), (3, 2, 1), (3, 1, 0)])
def test_average_pooling_2d(device, dtype, ksize, stride, pad):
    x = normal((2, 3, 7, 6), dtype)
    check(lambda x: F.average_pooling_2d(x, ksize, stride, pad), [x], device, dtype)


# ---------------------------------------------------------------- normalization


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 3, 3, 2), (5, 6)])
def test_batch_normalization(device, dtype, shape):
    x = normal(shape, dtype, scale=2.0) + 1
    gamma = normal(shape[1:2], dtype, seed=1)
    beta = normal(shape[1:2], dtype, seed=2)
    check(lambda x, g, b: F.batch_normalization(x, g, b), [x, gamma, beta], device, dtype,
          rtol=1e-1 if dtype == numpy.float32 else 1e-4)


@pytest.mark.parametrize("dtype", DTYPES)
def test_fixed_batch_normalization(device, dtype):
    x = normal((4, 3, 2, 2), dtype)
    gamma, beta, mean = (normal((3,), dtype, seed=s) for s in (1, 2, 3))
    var = numpy.abs(normal((3,), dtype, seed=4)) + 0.5
    check(lambda x, g, b, m, v: F.fixed_batch_normalization(x, g, b, m, v),
          [x, gamma, beta, mean, var], device, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_normalization_link_running_statistics(device, dtype):
    x = normal((6, 3, 2, 2), dtype, scale=3.0) + 2
    expected = L.BatchNormalization(3, dtype=dtype)
    link = L.BatchNormalization(3, dtype=dtype)
    link.to_device(device)
    for step in range(2):
        expected(x * (step + 1))
        link(device.send(x * (step + 1)))
    for name in ("avg_mean", "avg_var"):
        numpy.testing.assert_allclose(getattr(link, name).get(), getattr(expected, name),
                                      **TOLERANCE[dtype])
    with chainer.using_config("train", False):  # inference: fixed_batch_normalization
        numpy.testing.assert_allclose(link(device.send(x)).array.get(), expected(x).array,
                                      **TOLERANCE[dtype])


# ---------------------------------------------------------------- activations, dropout, linear


ACTIVATIONS = {
    "relu": F.relu, "leaky_relu": F.leaky_relu, "elu": F.elu, "selu": F.selu,
    "sigmoid": F.sigmoid, "hard_sigmoid": F.hard_sigmoid, "tanh": F.tanh,
    "softplus": F.softplus, "clipped_relu": lambda x: F.clipped_relu(x, 0.8),
    "log_softmax": F.log_softmax, "softmax": F.softmax,
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation(device, dtype, name):
    # away from the kinks of relu, hard_sigmoid and clipped_relu (numerical gradients)
    x = distinct((4, 5), dtype) * 2.5 + 0.013
    check(ACTIVATIONS[name], [x], device, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_swish(device, dtype):
    check(F.swish, [normal((3, 4), dtype), normal((4,), dtype, seed=1)], device, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_linear(device, dtype):
    check(F.linear, [normal((5, 4), dtype), normal((3, 4), dtype, seed=1),
                     normal((3,), dtype, seed=2)], device, dtype)


def test_dropout_masks_and_scales(device):
    x = device.send(numpy.ones((50, 40), numpy.float32))
    v = chainer.Variable(x)
    y = F.dropout(v, 0.25)
    y.grad = device.send(numpy.ones((50, 40), numpy.float32))
    y.backward()
    values, grads = y.array.get(), v.grad.get()
    kept = values != 0
    numpy.testing.assert_allclose(values[kept], 1 / 0.75, rtol=1e-6)
    assert 0.6 < kept.mean() < 0.9
    numpy.testing.assert_array_equal(grads, values)  # the same mask and scale
    with chainer.using_config("train", False):
        assert F.dropout(x, 0.25).array is x


# ---------------------------------------------------------------- LSTM


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch", [3, 2])  # 2: c has rows past the batch (they carry over)
def test_lstm_function(device, dtype, batch):
    c = normal((3, 4), dtype)
    x = normal((batch, 16), dtype, seed=1)
    check(lambda c, x: F.concat(F.lstm(c, x), axis=0), [c, x], device, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_lstm_link_steps(device, dtype):
    def run(send, to_device):
        numpy.random.seed(5)
        link = L.LSTM(6, 4)
        link.to_device(to_device)
        xs = [chainer.Variable(send(normal((3, 6), dtype, seed=s))) for s in range(3)]
        with chainer.using_config("dtype", dtype):
            h = sum(F.sum(link(x) ** 2) for x in xs)
        h.backward()
        return h.array, [x.grad for x in xs] + [link.upward.W.grad, link.lateral.W.grad]

    with chainer.using_config("dtype", dtype):
        expected = run(lambda a: a, "@numpy")
        got = run(device.send, device)
    numpy.testing.assert_allclose(got[0].get(), expected[0], **TOLERANCE[dtype])
    for g, e in zip(got[1], expected[1]):
        numpy.testing.assert_allclose(g.get(), e, **TOLERANCE[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
def test_n_step_lstm(device, dtype):
    def run(send, to_device):
        numpy.random.seed(6)
        with chainer.using_config("dtype", dtype):
            link = L.NStepLSTM(1, 3, 4, 0.0)
        link.to_device(to_device)
        xs = [chainer.Variable(send(normal((n, 3), dtype, seed=n))) for n in (4, 4, 2)]
        hy, cy, ys = link(None, None, xs)
        loss = F.sum(hy * hy) + F.sum(F.concat(ys, axis=0))
        loss.backward()
        return loss.array, [x.grad for x in xs]

    expected = run(lambda a: a, "@numpy")
    got = run(device.send, device)
    numpy.testing.assert_allclose(got[0].get(), expected[0], **TOLERANCE[dtype])
    for g, e in zip(got[1], expected[1]):
        numpy.testing.assert_allclose(g.get(), e, **TOLERANCE[dtype])


# ---------------------------------------------------------------- losses and accuracy


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["mean_squared_error", "mean_absolute_error"])
def test_regression_loss(device, dtype, name):
    check(getattr(F, name), [normal((4, 3), dtype), normal((4, 3), dtype, seed=1)], device,
          dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_cross_entropy_and_accuracy(device, dtype):
    x = normal((6, 4), dtype)
    t = numpy.array([0, 3, 1, -1, 2, 2], numpy.int32)
    check(lambda x: F.softmax_cross_entropy(x, device.send(t) if isinstance(x.array,
                                            pymic2.ndarray) else t), [x], device, dtype)
    expected = F.accuracy(x, t, ignore_label=-1).array
    got = F.accuracy(device.send(x), device.send(t), ignore_label=-1).array
    assert isinstance(got, pymic2.ndarray)
    numpy.testing.assert_allclose(got.get(), expected, **TOLERANCE[dtype])


# ---------------------------------------------------------------- training


def _train(model_of, dtype, on_device, device, steps=3, batch=4):
    """Losses of `steps` MomentumSGD iterations of the model pymic2.mnist builds."""
    rng = numpy.random.default_rng(11)
    xs = rng.random((steps, batch, 784)).astype(dtype)
    ts = rng.integers(0, 10, (steps, batch)).astype(numpy.int32)
    numpy.random.seed(0)
    with chainer.using_config("dtype", dtype):
        model = model_of(on_device)
    send = device.send if on_device else (lambda a: a)
    if on_device:
        model.to_device(device)
    optimizer = chainer.optimizers.MomentumSGD(lr=0.05)
    optimizer.setup(model)
    losses = []
    hook = DeviceOnly()
    with hook:
        for x, t in zip(xs, ts):
            loss = model.loss(model(send(x)), send(t))
            model.cleargrads()
            loss.backward()
            optimizer.update()
            losses.append(float(loss.array.get() if on_device else loss.array))
    assert hook.host_functions == [] or not on_device
    return losses


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("model", ["cnn", "lstm"])
def test_mnist_models_train_as_on_numpy(device, dtype, model):
    model_of = {"cnn": mnist.CNN, "lstm": mnist.RNN}[model]
    expected = _train(model_of, dtype, False, device)
    got = _train(model_of, dtype, True, device)
    assert got == pytest.approx(expected, rel=2e-4 if dtype == numpy.float32 else 1e-9)
    assert len(set(got)) == len(got)  # the parameters changed between iterations


# ---------------------------------------------------------------- the windows kernel itself


from pymic2 import _core  # noqa: E402
from chainer.utils import conv  # noqa: E402

GEOMETRIES = [  # kh, kw, sy, sx, ph, pw, dy, dx, cover_all
    (3, 3, 1, 1, 1, 1, 1, 1, False), (2, 3, 2, 1, 0, 2, 1, 1, True),
    (3, 2, 2, 3, 1, 0, 2, 1, False), (1, 1, 1, 1, 0, 0, 1, 1, False)]


def _reference_columns(x, geometry, pval=0):
    """Chainer's im2col_cpu: (n, c, kh, kw, oh, ow)."""
    kh, kw, sy, sx, ph, pw, dy, dx, cover_all = geometry
    return conv.im2col_cpu(x, kh, kw, sy, sx, ph, pw, pval=pval, cover_all=cover_all, dy=dy,
                           dx=dx)


def _windows(op, image, cols, indexes, geometry):
    kh, kw, sy, sx, ph, pw, dy, dx, _ = geometry
    _core.windows(op, image, cols, indexes, kh, kw, sy, sx, ph, pw, dy, dx)


def _strided(array):
    """A non-contiguous device copy of array: every other element of a doubled last axis."""
    wide = numpy.zeros(array.shape[:-1] + (2 * array.shape[-1],), array.dtype)
    wide[..., ::2] = array
    return pymic2.asarray(wide)[..., ::2]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("geometry", GEOMETRIES)
@pytest.mark.parametrize("contiguous", [True, False])
def test_windows_im2col_and_col2im(dtype, geometry, contiguous):
    x = normal((2, 3, 7, 6), dtype)
    expected = _reference_columns(x, geometry)
    columns = expected.transpose(1, 2, 3, 0, 4, 5)  # (c, kh, kw, n, oh, ow)
    image = pymic2.asarray(x) if contiguous else _strided(x)
    got = pymic2.empty(columns.shape, dtype=dtype)
    if not contiguous:
        got = pymic2.empty(columns.shape[:-1] + (2 * columns.shape[-1],), dtype=dtype)[..., 1::2]
    _windows(_core.WINDOWS_IM2COL, image, got, None, geometry)
    numpy.testing.assert_array_equal(got.get(), columns)

    gcol = normal(expected.shape, dtype, seed=3)
    kh, kw, sy, sx, ph, pw, dy, dx, _ = geometry
    expected_image = conv.col2im_cpu(gcol, sy, sx, ph, pw, 7, 6, dy=dy, dx=dx)
    cols = gcol.transpose(1, 2, 3, 0, 4, 5)
    cols = pymic2.asarray(numpy.ascontiguousarray(cols)) if contiguous else _strided(cols)
    out = pymic2.full((2, 3, 7, 6), numpy.nan, dtype=dtype)  # every pixel is written
    _windows(_core.WINDOWS_COL2IM, out, cols, None, geometry)
    numpy.testing.assert_allclose(out.get(), expected_image, **TOLERANCE[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
def test_windows_image_and_columns_in_one_buffer(dtype):
    """Image and columns as disjoint parts of one array (the kernels' typed loops check
    that the two do not overlap)."""
    geometry = GEOMETRIES[0]
    x = normal((2, 3, 7, 6), dtype)
    columns = _reference_columns(x, geometry).transpose(1, 2, 3, 0, 4, 5)
    buffer = pymic2.zeros(x.size + columns.size, dtype=dtype)
    image, cols = buffer[:x.size].reshape(x.shape), buffer[x.size:].reshape(columns.shape)
    image[...] = pymic2.asarray(x)
    _windows(_core.WINDOWS_IM2COL, image, cols, None, geometry)
    numpy.testing.assert_array_equal(cols.get(), columns)
    expected = conv.col2im_cpu(numpy.ascontiguousarray(columns.transpose(3, 0, 1, 2, 4, 5)),
                               1, 1, 1, 1, 7, 6)
    _windows(_core.WINDOWS_COL2IM, image, cols, None, geometry)
    numpy.testing.assert_allclose(image.get(), expected, **TOLERANCE[dtype])


# Windows that do not overlap (max unpooling scatters then): kernel == stride, and with
# padding, dilation and gaps between windows.
DISJOINT = [(2, 2, 2, 2, 0, 0, 1, 1, False), (2, 3, 3, 4, 1, 1, 2, 1, True)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("geometry", GEOMETRIES[:3] + DISJOINT)
@pytest.mark.parametrize("contiguous", [True, False])
def test_windows_pooling_and_unpooling(dtype, geometry, contiguous):
    x = distinct((2, 3, 7, 6), dtype)
    x[0, 1, 2, 3] = numpy.nan
    x[1, 2] = 0.5  # ties everywhere: the first tap wins
    col = _reference_columns(x, geometry, pval=-numpy.inf)
    n, c, kh, kw, oh, ow = col.shape
    flat = col.reshape(n, c, kh * kw, oh, ow)
    image = pymic2.asarray(x) if contiguous else _strided(x)
    y = pymic2.empty((n, c, oh, ow), dtype=dtype)
    indexes = pymic2.empty((n, c, oh, ow), dtype="int64")
    _windows(_core.WINDOWS_MAX_POOL, image, y, indexes, geometry)
    numpy.testing.assert_array_equal(indexes.get(), flat.argmax(axis=2))
    numpy.testing.assert_array_equal(y.get(), flat.max(axis=2))

    gy = normal((n, c, oh, ow), dtype, seed=4)
    gcol = numpy.zeros_like(flat)
    numpy.put_along_axis(gcol, flat.argmax(axis=2)[:, :, None], gy[:, :, None], axis=2)
    _, _, sy, sx, ph, pw, dy, dx, _ = geometry
    expected = conv.col2im_cpu(gcol.reshape(col.shape), sy, sx, ph, pw, 7, 6, dy=dy, dx=dx)
    gx = pymic2.empty(x.shape, dtype=dtype)
    _windows(_core.WINDOWS_MAX_UNPOOL, gx, pymic2.asarray(gy), indexes, geometry)
    numpy.testing.assert_allclose(gx.get(), expected, **TOLERANCE[dtype])

    plain = normal((2, 3, 7, 6), dtype, seed=5)
    average = _reference_columns(plain, geometry).mean(axis=(2, 3))
    _windows(_core.WINDOWS_AVERAGE_POOL, pymic2.asarray(plain), y, None, geometry)
    numpy.testing.assert_allclose(y.get(), average, **TOLERANCE[dtype])
    gcol = numpy.broadcast_to(gy[:, :, None, None], col.shape)
    expected = conv.col2im_cpu(numpy.ascontiguousarray(gcol), sy, sx, ph, pw, 7, 6, dy=dy,
                               dx=dx) / (kh * kw)
    _windows(_core.WINDOWS_AVERAGE_UNPOOL, gx, pymic2.asarray(gy), None, geometry)
    numpy.testing.assert_allclose(gx.get(), expected, **TOLERANCE[dtype])


def test_windows_empty_batch():
    geometry = GEOMETRIES[0]
    x = pymic2.empty((0, 2, 5, 5), dtype="float32")
    cols = pymic2.empty((2, 3, 3, 0, 5, 5), dtype="float32")
    _windows(_core.WINDOWS_IM2COL, x, cols, None, geometry)
    _windows(_core.WINDOWS_COL2IM, x, cols, None, geometry)
    y = pymic2.empty((0, 2, 5, 5), dtype="float32")
    indexes = pymic2.empty((0, 2, 5, 5), dtype="int64")
    _windows(_core.WINDOWS_MAX_POOL, x, y, indexes, geometry)
    assert y.shape == (0, 2, 5, 5) and cols.get().shape == (2, 3, 3, 0, 5, 5)


def test_windows_errors():
    geometry = GEOMETRIES[0]
    x = pymic2.zeros((1, 2, 4, 4), dtype="float32")
    cols = pymic2.zeros((2, 3, 3, 1, 4, 4), dtype="float32")
    with pytest.raises(TypeError, match="im2col.*float32"):
        _windows(_core.WINDOWS_IM2COL, pymic2.zeros((1, 2, 4, 4), dtype="int32"), cols, None,
                 geometry)
    with pytest.raises(ValueError, match=r"im2col: cols has shape \(2,3,2,1,4,4\); .* must "
                                         r"be \(2,3,3,1,4,4\)"):
        _windows(_core.WINDOWS_IM2COL, x, pymic2.zeros((2, 3, 2, 1, 4, 4), "float32"), None,
                 geometry)
    with pytest.raises(ValueError, match="padding.*negative"):
        _core.windows(_core.WINDOWS_IM2COL, x, cols, None, 3, 3, 1, 1, -1, 1, 1, 1)
    with pytest.raises(ValueError, match="at least 1"):
        _core.windows(_core.WINDOWS_IM2COL, x, cols, None, 3, 3, 0, 1, 1, 1, 1, 1)
    with pytest.raises(ValueError, match="op 9"):
        _core.windows(9, x, cols, None, 3, 3, 1, 1, 1, 1, 1, 1)
    y = pymic2.zeros((1, 2, 4, 4), dtype="float32")
    with pytest.raises(ValueError, match="max_pool: indexes is a scalar"):
        _windows(_core.WINDOWS_MAX_POOL, x, y, None, geometry)
    with pytest.raises(TypeError, match="max_pool: indexes are int32"):
        _windows(_core.WINDOWS_MAX_POOL, x, y, pymic2.zeros((1, 2, 4, 4), "int32"), geometry)
    with pytest.raises(ValueError, match="stride 0"):
        _windows(_core.WINDOWS_COL2IM, pymic2.broadcast_to(
            pymic2.zeros((1, 2, 1, 4), "float32"), (1, 2, 4, 4)), cols, None, geometry)
