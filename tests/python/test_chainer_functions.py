"""The rest of Chainer's function library on a pyMIC2 device (issue 16's list beyond
test_chainer_layers.py): forward values and gradients against Chainer on NumPy, and
chainer.gradient_check.check_backward on the device, float32 and float64; every function
node of a device run receives device arrays only (no host fallback)."""

import numpy
import pytest

import pymic2
import pymic2.chainer
from test_chainer_layers import DTYPES, TOLERANCE, DeviceOnly, check, distinct, normal

pymic2.chainer.enable()
chainer = pymic2.chainer.import_chainer()
import chainer.functions as F  # noqa: E402


@pytest.fixture
def device():
    from test_chainer_layers import SPEC
    return chainer.get_device(SPEC)


def _beside(device):
    """send(array, like): an integer or boolean array (labels, ids, indexes, a condition)
    sent to the device when like, the data (a variable or an array), is there."""
    def send(array, like):
        return device.send(array) if isinstance(chainer.as_array(like), pymic2.ndarray) \
            else array
    return send


# ---------------------------------------------------------------- convolution


CONVOLUTIONS = {
    # name: (function, x shape, W shape, b shape)
    "groups": (lambda x, W, b: F.convolution_2d(x, W, b, pad=1, groups=2),
               (2, 4, 5, 4), (6, 2, 3, 3), (6,)),
    "groups_stride_dilate": (lambda x, W, b: F.convolution_2d(x, W, b, stride=2, pad=2,
                                                              dilate=2, groups=3),
                             (1, 3, 7, 6), (3, 1, 3, 2), (3,)),
    "dilated": (lambda x, W, b: F.dilated_convolution_2d(x, W, b, pad=2, dilate=2),
                (2, 2, 6, 5), (3, 2, 3, 3), (3,)),
    "depthwise": (lambda x, W, b: F.depthwise_convolution_2d(x, W, b, pad=1),
                  (2, 3, 5, 4), (2, 3, 3, 3), (6,)),
    "nd_1d": (lambda x, W, b: F.convolution_nd(x, W, b, stride=2, pad=1),
              (2, 3, 9), (4, 3, 3), (4,)),
    "nd_3d": (lambda x, W, b: F.convolution_nd(x, W, b, pad=1),
              (1, 2, 4, 3, 4), (3, 2, 3, 2, 3), (3,)),
    "nd_3d_groups": (lambda x, W, b: F.convolution_nd(x, W, b, stride=(1, 2, 1), groups=2),
                     (2, 4, 3, 4, 3), (2, 2, 2, 2, 2), (2,)),
    # a non-contiguous input (a strided view, as get_item gives) and groups
    "nd_3d_strided": (lambda x, W, b: F.convolution_nd(x[:, :, :, ::2], W, b, groups=2),
                      (1, 4, 3, 6, 3), (2, 2, 2, 2, 2), (2,)),
    "nd_1d_dilated": (lambda x, W, b: F.convolution_nd(x, W, b, pad=2, dilate=2,
                                                       cover_all=True), (2, 2, 7), (3, 2, 3),
                      (3,)),
    "deconv_groups": (lambda x, W, b: F.deconvolution_2d(x, W, b, stride=2, pad=1,
                                                         groups=2),
                      (2, 4, 3, 3), (4, 3, 3, 3), (6,)),
    "deconv_nd_1d": (lambda x, W, b: F.deconvolution_nd(x, W, b, stride=2),
                     (2, 3, 4), (3, 2, 3), (2,)),
    "deconv_nd_3d": (lambda x, W, b: F.deconvolution_nd(x, W, b, pad=1),
                     (1, 2, 3, 3, 2), (2, 3, 3, 2, 3), (3,)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(CONVOLUTIONS))
def test_convolution(device, dtype, name):
    function, x_shape, W_shape, b_shape = CONVOLUTIONS[name]
    check(function, [normal(x_shape, dtype), normal(W_shape, dtype, seed=1, scale=0.3),
                     normal(b_shape, dtype, seed=2)], device, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_convolution_nd_of_an_empty_batch(device, dtype):
    x = normal((0, 2, 3, 4, 3), dtype)
    W = normal((4, 1, 2, 2, 2), dtype, seed=1)
    check(lambda x, W: F.convolution_nd(x, W, pad=1, groups=2), [x, W], device, dtype,
          numerical=False)


def test_convolution_nd_without_output_raises(device):
    x = device.send(normal((1, 1, 2, 2, 2), numpy.float32))
    W = device.send(normal((1, 1, 3, 3, 3), numpy.float32))
    with pytest.raises((ValueError, AssertionError)):
        F.convolution_nd(x, W)


# ---------------------------------------------------------------- pooling


POOLINGS = {
    "max_nd_1d": (lambda x: F.max_pooling_nd(x, 3, 2, 1), (2, 3, 9)),
    "max_nd_3d": (lambda x: F.max_pooling_nd(x, 2, cover_all=False), (1, 2, 4, 5, 4)),
    "max_nd_3d_cover_all": (lambda x: F.max_pooling_nd(x, (2, 3, 2), 2), (1, 2, 5, 4, 3)),
    "average_nd_1d": (lambda x: F.average_pooling_nd(x, 3, 2, 1), (2, 3, 9)),
    "average_nd_3d": (lambda x: F.average_pooling_nd(x, 2, pad=1), (1, 2, 4, 5, 3)),
    "average_nd_3d_ignore": (lambda x: F.average_pooling_nd(x, 2, pad=1, pad_value=None),
                             (1, 2, 4, 5, 3)),
    "average_nd_2d_ignore": (lambda x: F.average_pooling_nd(x, 3, 2, 1, pad_value=None),
                             (2, 3, 5, 4)),
    "unpooling_2d": (lambda x: F.unpooling_2d(x, 2, outsize=(5, 6)), (2, 3, 3, 3)),
    # Chainer on NumPy takes its integer-scale path here (a strided broadcast)
    "unpooling_2d_integer_scale": (lambda x: F.unpooling_2d(x, 2, cover_all=False),
                                   (1, 2, 3, 2)),
    "unpooling_2d_stride": (lambda x: F.unpooling_2d(x, 3, 2, 1, cover_all=False),
                            (1, 2, 3, 2)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(POOLINGS))
def test_pooling(device, dtype, name):
    function, shape = POOLINGS[name]
    check(function, [distinct(shape, dtype)], device, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("indexes_on_device", [True, False])
def test_upsampling_2d(device, dtype, indexes_on_device):
    x = distinct((2, 3, 6, 4), dtype)
    _, indexes = F.max_pooling_2d(x, 2, return_indices=True)
    pooled = normal((2, 3, 3, 2), dtype, seed=1)
    send = _beside(device) if indexes_on_device else (lambda a, like: a)
    check(lambda p: F.upsampling_2d(p, send(indexes, p), 2, outsize=(6, 4)), [pooled],
          device, dtype)


# ---------------------------------------------------------------- normalization


@pytest.mark.parametrize("dtype", DTYPES)
def test_layer_normalization(device, dtype):
    check(F.layer_normalization, [normal((4, 6), dtype, scale=2.0),
                                  normal((6,), dtype, seed=1), normal((6,), dtype, seed=2)],
          device, dtype, rtol=1e-1 if dtype == numpy.float32 else 1e-4)


@pytest.mark.parametrize("dtype", DTYPES)
def test_group_normalization(device, dtype):
    check(lambda x, g, b: F.group_normalization(x, 2, g, b),
          [normal((3, 4, 2, 3), dtype, scale=2.0), normal((4,), dtype, seed=1),
           normal((4,), dtype, seed=2)], device, dtype,
          rtol=1e-1 if dtype == numpy.float32 else 1e-4)


@pytest.mark.parametrize("dtype", DTYPES)
def test_local_response_normalization(device, dtype):
    check(lambda x: F.local_response_normalization(x, n=3), [normal((2, 6, 3, 2), dtype)],
          device, dtype)


# ---------------------------------------------------------------- activations


@pytest.mark.parametrize("dtype", DTYPES)
def test_maxout(device, dtype):
    check(lambda x: F.maxout(x, 3), [distinct((4, 6, 2), dtype)], device, dtype)


# ---------------------------------------------------------------- embeddings and RNNs


@pytest.mark.parametrize("dtype", DTYPES)
def test_embed_id(device, dtype):
    ids = numpy.array([[0, 3, -1], [2, 3, 1]], numpy.int32)
    send = _beside(device)
    check(lambda W: F.embed_id(send(ids, W), W, ignore_label=-1),
          [normal((5, 3), dtype)], device, dtype)


def _n_step_inputs(dtype, n_layers, in_size, out_size, directions, gates):
    """hx, ws, bs, xs for Chainer's n_step_* functions, flattened into one list."""
    hx = normal((n_layers * directions, 3, out_size), dtype, seed=20)
    ws, bs = [], []
    seed = 30
    for layer in range(n_layers):
        for _ in range(directions):
            for g in range(2 * gates):
                cols = in_size if layer == 0 and g < gates else \
                    out_size * (directions if g < gates else 1)
                ws.append(normal((out_size, cols), dtype, seed=seed, scale=0.5))
                bs.append(normal((out_size,), dtype, seed=seed + 1, scale=0.5))
                seed += 2
    xs = [normal((n, in_size), dtype, seed=n) for n in (3, 3, 2)]
    return hx, ws, bs, xs


RNNS = {  # name: (function, gates, directions, has c)
    "n_step_rnn": (F.n_step_rnn, 1, 1, False),
    "n_step_birnn": (F.n_step_birnn, 1, 2, False),
    "n_step_gru": (F.n_step_gru, 3, 1, False),
    "n_step_bigru": (F.n_step_bigru, 3, 2, False),
    "n_step_lstm": (F.n_step_lstm, 4, 1, True),
    "n_step_bilstm": (F.n_step_bilstm, 4, 2, True),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(RNNS))
def test_n_step_rnn(device, dtype, name):
    function, gates, directions, has_c = RNNS[name]
    hx, ws, bs, xs = _n_step_inputs(dtype, 2, 3, 2, directions, gates)
    per_layer = 2 * gates
    nw = len(ws)
    arrays = [hx] + ([normal(hx.shape, dtype, seed=21)] if has_c else []) + ws + bs + xs

    def by_layer(arrays):
        return [arrays[i:i + per_layer] for i in range(0, len(arrays), per_layer)]

    def run(*args):  # every output (hy, cy, ys) flattened into one
        states, rest = args[:1 + has_c], args[1 + has_c:]
        w, b, x = rest[:nw], rest[nw:2 * nw], rest[2 * nw:]
        out = function(2, 0.0, *states, by_layer(w), by_layer(b), x)
        return F.concat([F.flatten(o) for o in out[:-1]] +
                        [F.flatten(y) for y in out[-1]], axis=0)

    check(run, arrays, device, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_slstm(device, dtype):
    check(lambda c1, c2, x1, x2: F.concat(F.slstm(c1, c2, x1, x2), axis=0),
          [normal((3, 2), dtype, seed=s) for s in (1, 2)] +
          [normal((3, 8), dtype, seed=s) for s in (3, 4)], device, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_lstm(device, dtype):
    check(lambda c, x: F.concat(F.lstm(c, x), axis=0),
          [normal((3, 2), dtype), normal((3, 8), dtype, seed=1)], device, dtype)


# ---------------------------------------------------------------- array functions


ARRAYS = {  # name: (function, shapes)
    "concat": (lambda a, b: F.concat([a, b], axis=1), [(2, 3), (2, 2)]),
    "split_axis": (lambda a: F.concat(F.split_axis(a, [1, 3], axis=1)[::-1], axis=1),
                   [(2, 5)]),
    "stack": (lambda a, b: F.stack([a, b], axis=1), [(2, 3), (2, 3)]),
    "reshape": (lambda a: F.reshape(a, (3, -1)), [(2, 3, 2)]),
    "transpose": (lambda a: F.transpose(a, (2, 0, 1)), [(2, 3, 4)]),
    "broadcast_to": (lambda a: F.broadcast_to(a, (3, 2, 4)), [(2, 1)]),
    "get_item_basic": (lambda a: a[1:, ::-2, None], [(3, 4)]),
    "get_item_advanced": (lambda a: a[[0, 2, 0], 1:], [(3, 4)]),
    "get_item_mask": (lambda a: F.get_item(a, (slice(None), [True, False, True, True])),
                      [(3, 4)]),
    "get_item_two_arrays": (lambda a: a[[2, 0], [1, 3]], [(3, 4)]),
    "pad": (lambda a: F.pad(a, ((1, 0), (2, 1)), "constant", constant_values=0.5),
            [(2, 3)]),
    "tile": (lambda a: F.tile(a, (2, 1, 3)), [(2, 3)]),
    "repeat": (lambda a: F.repeat(a, (1, 0, 2), axis=1), [(2, 3)]),
    "repeat_flat": (lambda a: F.repeat(a, 2), [(2, 3)]),
    "flip": (lambda a: F.flip(a, 1), [(2, 3)]),
    "im2col": (lambda a: F.im2col(a, 3, 2, 1, dilate=1), [(2, 2, 5, 4)]),
    "im2col_dilate": (lambda a: F.im2col(a, 2, 1, 1, dilate=2, cover_all=True),
                      [(1, 2, 5, 4)]),
    "matmul": (lambda a, b: F.matmul(a, b, transb=True), [(2, 3), (4, 3)]),
    "matmul_batched": (lambda a, b: F.matmul(a, b), [(2, 3, 4), (2, 4, 2)]),
    "batch_matmul": (lambda a, b: F.batch_matmul(a, b, transa=True), [(2, 4, 3), (2, 4, 2)]),
    "bilinear": (lambda a, b, W, V1, V2, c: F.bilinear(a, b, W, V1, V2, c),
                 [(3, 2), (3, 4), (2, 4, 3), (2, 3), (4, 3), (3,)]),
}


FLOAT32_ONLY = {"batch_matmul", "bilinear"}  # Chainer's own type checks: float32 only


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(ARRAYS))
def test_array_function(device, dtype, name):
    if name in FLOAT32_ONLY and dtype != numpy.float32:
        pytest.skip(f"Chainer's {name} takes float32 only")
    function, shapes = ARRAYS[name]
    check(function, [normal(shape, dtype, seed=s) for s, shape in enumerate(shapes)], device,
          dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_get_item_with_a_device_index(device, dtype):
    index = numpy.array([[0, 2], [2, 2]])
    send = _beside(device)
    check(lambda a: a[send(index, a), 1:], [normal((3, 4), dtype)], device, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_where(device, dtype):
    condition = numpy.array([[True, False, True], [False, False, True]])
    send = _beside(device)
    check(lambda a, b: F.where(send(condition, a), a, b),
          [normal((2, 3), dtype), normal((2, 3), dtype, seed=1)], device, dtype)


# ---------------------------------------------------------------- losses


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduce", ["mean", "no"])
def test_sigmoid_cross_entropy(device, dtype, reduce):
    t, send = numpy.array([[0, 1, -1], [1, 1, 0]], numpy.int32), _beside(device)
    check(lambda x: F.sigmoid_cross_entropy(x, send(t, x), reduce=reduce),
          [normal((2, 3), dtype)], device, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduce", ["sum_along_second_axis", "no"])
def test_huber_loss(device, dtype, reduce):
    check(lambda x, t: F.huber_loss(x, t, 0.5, reduce=reduce),
          [distinct((3, 4), dtype) * 2, distinct((3, 4), dtype, seed=1)], device, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("norm, reduce", [("L1", "mean"), ("L2", "no")])
def test_hinge(device, dtype, norm, reduce):
    t, send = numpy.array([0, 2, 1, 3], numpy.int32), _beside(device)
    check(lambda x: F.hinge(x, send(t, x), norm, reduce), [distinct((4, 4), dtype) * 3 + 0.013],
          device, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduce", ["mean", "no"])
def test_contrastive(device, dtype, reduce):
    y, send = numpy.array([1, 0, 0, 1], numpy.int32), _beside(device)
    check(lambda a, b: F.contrastive(a, b, send(y, a), margin=1.5, reduce=reduce),
          [normal((4, 3), dtype, scale=0.5), normal((4, 3), dtype, seed=1, scale=0.5)],
          device, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduce", ["mean", "no"])
def test_triplet(device, dtype, reduce):
    check(lambda a, p, n: F.triplet(a, p, n, margin=1.0, reduce=reduce),
          [normal((4, 3), dtype, seed=s, scale=0.7) for s in range(3)], device, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduce", ["sum", "no"])
def test_gaussian_kl_divergence(device, dtype, reduce):
    check(lambda m, v: F.gaussian_kl_divergence(m, v, reduce=reduce),
          [normal((3, 4), dtype), normal((3, 4), dtype, seed=1, scale=0.5)], device, dtype)


def test_connectionist_temporal_classification_is_refused(device):
    xs = [device.send(normal((2, 4), numpy.float32, seed=s)) for s in range(3)]
    t = device.send(numpy.array([[1, 2], [3, 3]], numpy.int32))
    with pytest.raises(TypeError, match="connectionist_temporal_classification is not "
                                        "implemented on pymic2 devices"):
        F.connectionist_temporal_classification(xs, t, 0)


# ---------------------------------------------------------------- evaluation


@pytest.mark.parametrize("dtype", DTYPES)
def test_accuracy_and_classification_summary(device, dtype):
    x = distinct((8, 3), dtype)
    t = numpy.array([0, 2, 1, 1, -1, 2, 0, 1], numpy.int32)
    expected = F.accuracy(x, t, ignore_label=-1).array
    got = F.accuracy(device.send(x), device.send(t), ignore_label=-1).array
    assert isinstance(got, pymic2.ndarray)
    numpy.testing.assert_allclose(got.get(), expected, **TOLERANCE[dtype])
    hook = DeviceOnly()
    expected = F.classification_summary(x, t, label_num=3, ignore_label=-1)
    with hook:
        got = F.classification_summary(device.send(x), device.send(t), label_num=3,
                                       ignore_label=-1)
    assert hook.host_functions == []
    for g, e in zip(got, expected):
        assert isinstance(g.array, pymic2.ndarray)
        numpy.testing.assert_allclose(g.array.get(), e.array, **TOLERANCE[dtype])
