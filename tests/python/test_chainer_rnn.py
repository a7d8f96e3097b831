"""Chainer's n_step_lstm / n_step_bilstm and n_step_rnn / n_step_birnn on a pyMIC2 device
through the whole-sequence layers (pymic2.chainer._rnn): values and gradients against
Chainer on NumPy and check_backward on the device, float32 and float64; the cases they do
not serve (variable lengths) still run on the device; dropout between layers; and
_core.gemm's accumulate, which the layers' steps use."""

import numpy
import pytest

import pymic2
import pymic2.chainer
from pymic2 import _core
from test_chainer_layers import DTYPES, SPEC, TOLERANCE, check, normal

pymic2.chainer.enable()
chainer = pymic2.chainer.import_chainer()
import chainer.functions as F  # noqa: E402


@pytest.fixture
def device():
    return chainer.get_device(SPEC)


class Labels(chainer.FunctionHook):
    """The labels of the functions run forward on device arrays."""

    name = "labels"

    def __init__(self):
        self.labels = []

    def forward_preprocess(self, function, in_data):
        if isinstance(in_data[0], pymic2.ndarray):
            self.labels.append(function.label)


def _weights(dtype, n_layers, in_size, units, directions, gates=4):
    """Chainer's ws, bs: 2 * gates weights and biases per layer and direction."""
    ws, bs, seed = [], [], 30
    for layer in range(n_layers):
        for _ in range(directions):
            cols = [in_size if layer == 0 else units * directions] * gates + [units] * gates
            ws.append([normal((units, c), dtype, seed=seed + k, scale=0.5)
                       for k, c in enumerate(cols)])
            bs.append([normal((units,), dtype, seed=seed + 8 + k, scale=0.5)
                       for k in range(2 * gates)])
            seed += 16
    return ws, bs


CASES = {  # name: (layers, directions, steps, batch, outputs used)
    "one_layer": (1, 1, 4, 3, "all"),
    "two_layers": (2, 1, 3, 2, "all"),
    "bidirectional": (2, 2, 3, 2, "all"),
    "one_step": (1, 2, 1, 3, "all"),
    "only_hy": (2, 1, 3, 2, "hy"),  # no gradient reaches cy and ys
    "only_ys": (1, 2, 3, 2, "ys"),  # nor hy and cy
}


def _n_step(n_layers, directions, n_ws, used, rnn=None):
    """f(hx, cx, *ws, *bs, *xs) -> the used outputs of n_step_(bi)lstm, flattened; with rnn
    ("tanh" or "relu"), f(hx, *ws, *bs, *xs) of n_step_(bi)rnn."""
    per_layer = 8 if rnn is None else 2
    n_states = 2 if rnn is None else 1

    def run(*args):
        states, rest = list(args[:n_states]), args[n_states:]
        ws = [list(rest[i:i + per_layer]) for i in range(0, n_ws, per_layer)]
        bs = [list(rest[n_ws + i:n_ws + i + per_layer]) for i in range(0, n_ws, per_layer)]
        xs = list(rest[2 * n_ws:])
        if rnn is None:
            function = F.n_step_bilstm if directions == 2 else F.n_step_lstm
            hy, cy, ys = function(n_layers, 0.0, *states, ws, bs, xs)
        else:
            function = F.n_step_birnn if directions == 2 else F.n_step_rnn
            (hy, ys), cy = function(n_layers, 0.0, *states, ws, bs, xs, activation=rnn), None
        parts = {"all": [hy, cy] + list(ys), "hy": [hy], "ys": list(ys)}[used]
        parts = [p for p in parts if p is not None]
        return F.concat([F.flatten(p) for p in parts], axis=0)

    return run


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_fused_n_step_lstm_matches_numpy(device, dtype, name):
    n_layers, directions, steps, batch, used = CASES[name]
    units, in_size = 3, 2
    ws, bs = _weights(dtype, n_layers, in_size, units, directions)
    flat_ws = [w for layer in ws for w in layer]
    states = [normal((n_layers * directions, batch, units), dtype, seed=s) for s in (1, 2)]
    xs = [normal((batch, in_size), dtype, seed=10 + t) for t in range(steps)]
    run = _n_step(n_layers, directions, len(flat_ws), used)
    hook = Labels()
    with hook:
        check(run, states + flat_ws + [b for layer in bs for b in layer] + xs, device, dtype)
    # one whole-sequence layer per layer and direction in each device run
    assert "_LSTMLayer" in hook.labels and "LSTM" not in hook.labels


def test_an_empty_batch(device):
    """No rows: empty outputs and zero weight gradients, as on NumPy."""
    dtype = numpy.float32
    ws, bs = _weights(dtype, 1, 2, 3, 1)
    states = [normal((1, 0, 3), dtype, seed=s) for s in (1, 2)]
    xs = [normal((0, 2), dtype, seed=10 + t) for t in range(3)]
    hook = Labels()
    with hook:
        check(lambda *a: F.sum(_n_step(1, 1, 8, "all")(*a)), states + ws[0] + bs[0] + xs,
              device, dtype, numerical=False)
    assert "_LSTMLayer" in hook.labels


RNN_CASES = {  # name: (activation, layers, directions, steps, batch, outputs used)
    "tanh": ("tanh", 1, 1, 4, 3, "all"),
    "relu_two_layers": ("relu", 2, 1, 3, 2, "all"),
    "tanh_bidirectional": ("tanh", 2, 2, 3, 2, "all"),
    "relu_bidirectional_ys": ("relu", 1, 2, 3, 2, "ys"),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(RNN_CASES))
def test_fused_n_step_rnn_matches_numpy(device, dtype, name):
    activation, n_layers, directions, steps, batch, used = RNN_CASES[name]
    ws, bs = _weights(dtype, n_layers, 2, 3, directions, gates=1)
    flat_ws = [w for layer in ws for w in layer]
    hx = normal((n_layers * directions, batch, 3), dtype, seed=1)
    xs = [normal((batch, 2), dtype, seed=10 + t) for t in range(steps)]
    hook = Labels()
    with hook:
        check(_n_step(n_layers, directions, len(flat_ws), used, rnn=activation),
              [hx] + flat_ws + [b for layer in bs for b in layer] + xs, device, dtype)
    assert "_RNNLayer" in hook.labels and "LinearFunction" not in hook.labels


@pytest.mark.parametrize("dtype", DTYPES)
def test_variable_lengths_run_on_the_device_unfused(device, dtype):
    """Steps of decreasing batch (sequences of several lengths) and an hx with more rows
    than the first step: Chainer's per-step path, on the device."""
    ws, bs = _weights(dtype, 1, 2, 3, 1)
    states = [normal((1, 4, 3), dtype, seed=s) for s in (1, 2)]
    xs = [normal((n, 2), dtype, seed=10 + n) for n in (3, 3, 1)]
    hook = Labels()
    with hook:
        check(_n_step(1, 1, 8, "all"), states + ws[0] + bs[0] + xs, device, dtype,
              numerical=False)
    assert "_LSTMLayer" not in hook.labels and "LSTM" in hook.labels


def test_dropout_between_layers(device):
    """Dropout applies to the second layer's input in training (not in testing, where the
    device run equals NumPy's)."""
    dtype = numpy.float32
    ws, bs = _weights(dtype, 2, 2, 3, 1)
    hx = normal((2, 4, 3), dtype, seed=1)
    xs = [normal((4, 2), dtype, seed=10 + t) for t in range(3)]

    def ys(send, ratio):
        out = F.n_step_lstm(2, ratio, send(hx), send(hx), [[send(w) for w in l] for l in ws],
                            [[send(b) for b in l] for l in bs], [send(x) for x in xs])[2]
        return F.concat(out, axis=0).array

    expected = ys(lambda a: a, 0.0)
    with chainer.using_config("train", False):
        numpy.testing.assert_allclose(ys(device.send, 0.9).get(), expected,
                                      **TOLERANCE[dtype])
    pymic2.random.seed(0)
    dropped = ys(device.send, 0.9).get()
    assert dropped.shape == expected.shape
    assert not numpy.allclose(dropped, expected)


def test_double_backward_raises(device):
    """Like Chainer's cuDNN path, the layers are differentiable once: a second derivative
    raises Chainer's error instead of giving zeros."""
    ws, bs = _weights(numpy.float32, 1, 2, 3, 1)
    hx = chainer.Variable(device.send(normal((1, 2, 3), numpy.float32)))
    xs = [chainer.Variable(device.send(normal((2, 2), numpy.float32, seed=t)))
          for t in range(3)]
    hy = F.n_step_lstm(1, 0.0, hx, hx, [[device.send(w) for w in ws[0]]],
                       [[device.send(b) for b in bs[0]]], xs)[0]
    gx, = chainer.grad([F.sum(hy)], [xs[0]], enable_double_backprop=True)
    with pytest.raises(RuntimeError, match="twice-differentiate"):
        F.sum(gx * gx).backward()


def test_input_size_mismatch_raises_chainers_error(device):
    ws, bs = _weights(numpy.float32, 1, 2, 3, 1)
    hx = device.send(normal((1, 2, 3), numpy.float32))
    with pytest.raises(ValueError, match="Inconsistent input size"):
        F.n_step_lstm(1, 0.0, hx, hx, [[device.send(w) for w in ws[0]]],
                      [[device.send(b) for b in bs[0]]],
                      [device.send(normal((2, 5), numpy.float32))])


@pytest.mark.parametrize("dtype", DTYPES)
def test_gemm_accumulate_adds_the_product(device, dtype):
    a, b, c = normal((3, 4), dtype), normal((5, 4), dtype, seed=1), normal((6, 5), dtype, 2)
    out = device.send(c)
    # a transposed operand and a row slice of the output, as the LSTM steps use them
    result = _core.gemm(device.send(a), device.send(b).T, out[1:4], True)
    expected = c.copy()
    expected[1:4] += a @ b.T
    numpy.testing.assert_allclose(out.get(), expected, **TOLERANCE[dtype])
    assert result.shape == (3, 5)
    with pytest.raises(ValueError, match="accumulate needs an out"):
        _core.gemm(device.send(a), device.send(b).T, accumulate=True)
