"""chainer.functions.n_step_lstm / n_step_bilstm and n_step_rnn / n_step_birnn on pymic2
devices as whole-sequence layers.

Chainer's CPU path (n_step_rnn_impl) builds a dozen nodes per LSTM step (the four weight
stacks, two Linear, an add, the cell) and as many gradient nodes: ~1200 per iteration of
pymic2.mnist's 28-step LSTM, each with its own small command. Here, as cuDNN does for CuPy,
one layer in one direction is one Function over all steps (_LSTMLayer, _RNNLayer on the
shared _Layer):

- forward: the input projections of all steps as ONE GEMM (T*B, In) @ (In, G*H) plus the
  biases, then per step one GEMM adding h @ Wh to that step's pre-activations in place
  (_core.gemm with accumulate) and the cell: the fused LSTM cell (FUSED_LSTM_FORWARD), or
  tanh / relu, writing h (and c) into the layer's (T*B, H) outputs;
- backward: per step, in reverse, the cell's gradient (FUSED_LSTM_BACKWARD, or the
  activation's) and one GEMM adding it @ Wh to the previous step's h gradient; then the
  gradients of the input, Wx, Wh and the biases as one GEMM or sum each over all steps.

Weights stay Chainer's (per layer and direction 8 matrices and 8 biases for the LSTM, gates
a, i, f, o = w2, w0, w1, w3 and w6, w4, w5, w7 interleaved per unit as Chainer's
_stack_weight lays them out for lstm(); 2 and 2 for the RNN). Layers, directions and dropout
between layers are composed with Chainer functions (dropout drawn per direction on the
whole layer input, as Chainer draws it per step: the same distribution, not the same
draws). The biases are summed before the input GEMM, so float32 results differ from
Chainer's (x W^T + b) + (h U^T + c) in the last bits.

Served: every step has the full batch (sequences of one length), one float dtype, pymic2
arrays. Anything else (variable lengths) and n_step_gru run Chainer's n_step_rnn_impl,
whose nodes run on the device (the LSTM cell, transpose_sequence: _layers). Like Chainer's
cuDNN path, these layers are differentiable once (a double backward raises Chainer's error
for old-style functions).
"""

import functools

import pymic2

from .. import _core
from . import _fused
from ._device import chainer

import chainer.functions as F  # noqa: E402
from chainer import function  # noqa: E402
from chainer.functions.rnn import n_step_lstm as n_step_lstm_module  # noqa: E402
from chainer.functions.rnn import n_step_rnn as n_step_rnn_module  # noqa: E402

# Chainer's gate order in lstm(): a, i, f, o from the weights 2, 0, 1, 3 (input) and
# 6, 4, 5, 7 (hidden); GATES[k] is the weight index of gate k.
_GATES = (2, 0, 1, 3)


def _interleave(arrays):
    """Chainer's _stack_weight: four (H, ...) arrays -> (4H, ...), row 4u + k from
    arrays[k][u], contiguous."""
    stacked = pymic2.stack(arrays, axis=1)
    return stacked.reshape((-1,) + stacked.shape[2:])


def _deinterleave(stacked):
    """The inverse of _interleave, as four contiguous (H, ...) arrays (one copy)."""
    four = stacked.reshape((-1, 4) + stacked.shape[1:])
    return list(pymic2.ascontiguousarray(pymic2.moveaxis(four, 1, 0)))


class _Layer(function.Function):
    """One recurrent layer in one direction over T steps of B rows each: the step order and
    the work every cell shares (the input projection of all steps, the gradients of the
    input, the weights and the biases from the pre-activations' gradients)."""

    def __init__(self, steps, reverse):
        self.steps = steps
        self.reverse = reverse

    def _order(self):
        return list(range(self.steps - 1, -1, -1) if self.reverse else range(self.steps))

    def _rows(self, step):
        return slice(step * self.batch, (step + 1) * self.batch)

    def _start(self, hx, x, wx, bias):
        """The pre-activations of every step's input (T*B, G*H), to which the steps add
        h @ Wh; and the output ys (T*B, H)."""
        self.batch = len(hx)
        pre = _core.gemm(x, wx.T)
        pre += bias
        return pre, pymic2.empty((len(x), hx.shape[1]), dtype=x.dtype, stream=x._op_stream)

    def _state_grad(self, ys, ghy, gys):
        """gh: the gradient reaching each step's h from ys and hy (the backward loop adds the
        next step's share)."""
        gh = pymic2.zeros_like(ys) if gys is None else pymic2.array(gys, dtype=ys.dtype)
        if ghy is not None:
            gh[self._rows(self._order()[-1])] += ghy
        return gh

    def _weight_grads(self, gpre, hx, x, wx, wh, ys):
        """(ghx, gx, gWx, gWh, gbias) from the pre-activations' gradients of every step."""
        first = self._rows(self._order()[0])
        rest = len(ys) - self.batch
        # h_prev of a step is ys of the step before it (rows shifted by one step), hx first
        if rest:
            later, earlier = (slice(0, rest), slice(self.batch, None)) if self.reverse else \
                (slice(self.batch, None), slice(0, rest))
            gwh = _core.gemm(gpre[later].T, ys[earlier])
            _core.gemm(gpre[first].T, hx, gwh, True)
        else:
            gwh = _core.gemm(gpre[first].T, hx)
        return (_core.gemm(gpre[first], wh), _core.gemm(gpre, wx), _core.gemm(gpre.T, x), gwh,
                gpre.sum(axis=0))


class _LSTMLayer(_Layer):
    """Inputs: hx, cx (B, H); x (T*B, In), step t in rows t*B..; the 8 weights w0..w7 and the
    8 biases b0..b7 of Chainer's n_step_lstm. Outputs: hy, cy (B, H) and ys (T*B, H)."""

    def forward(self, inputs):
        hx, cx, x = (pymic2.ascontiguousarray(a) for a in inputs[:3])
        ws, bs = inputs[3:11], inputs[11:19]
        wx = _interleave([ws[k] for k in _GATES])
        wh = _interleave([ws[4 + k] for k in _GATES])
        bias = _interleave([bs[k] for k in _GATES]) + _interleave([bs[4 + k] for k in _GATES])
        gates, ys = self._start(hx, x, wx, bias)
        cs = pymic2.empty_like(ys)
        sizes = (len(hx), len(hx), hx.shape[1], 1)
        whT = wh.T
        h, c = hx, cx
        for t in self._order():
            rows = self._rows(t)
            _core.gemm(h, whT, gates[rows], True)
            _fused.run(_core.FUSED_LSTM_FORWARD, (c, gates[rows], cs[rows], ys[rows]), sizes)
            h, c = ys[rows], cs[rows]
        self._saved = (hx, cx, x, wx, wh, gates, ys, cs)
        self.retain_outputs(())
        return h.copy(), c.copy(), ys

    def backward(self, inputs, grad_outputs):
        hx, cx, x, wx, wh, gates, ys, cs = self._saved
        ghy, gcy, gys = grad_outputs
        sizes = (len(hx), len(hx), hx.shape[1], 1)
        gh = self._state_grad(ys, ghy, gys)
        ggates = pymic2.empty_like(gates)
        order = self._order()
        gc = None if gcy is None else pymic2.ascontiguousarray(gcy)
        for n in range(len(order) - 1, -1, -1):
            rows = self._rows(order[n])
            c_prev = cs[self._rows(order[n - 1])] if n else cx
            gc_prev = pymic2.empty_like(cx)
            _fused.run(_core.FUSED_LSTM_BACKWARD,
                       (c_prev, gates[rows], cs[rows], gc, gh[rows], gc_prev, ggates[rows]),
                       sizes)
            if n:  # the previous step's h fed these gates through wh
                _core.gemm(ggates[rows], wh, gh[self._rows(order[n - 1])], True)
            gc = gc_prev
        ghx, gx, gwx, gwh, gb = self._weight_grads(ggates, hx, x, wx, wh, ys)
        gw = _deinterleave(gwx), _deinterleave(gwh)
        gbs = _deinterleave(gb), _deinterleave(gb)
        by_gate = [None] * 8
        gb_by_gate = [None] * 8
        for part in range(2):
            for k, index in enumerate(_GATES):
                by_gate[4 * part + index] = gw[part][k]
                gb_by_gate[4 * part + index] = gbs[part][k]
        return (ghx, gc, gx) + tuple(by_gate) + tuple(gb_by_gate)


class _RNNLayer(_Layer):
    """Chainer's n_step_rnn layer, h = activation(x W0^T + b0 + h W1^T + b1) with tanh or
    relu. Inputs: hx (B, H); x (T*B, In); w0, w1, b0, b1. Outputs: hy (B, H), ys (T*B, H)."""

    def __init__(self, steps, reverse, activation):
        super().__init__(steps, reverse)
        self.activation = activation

    def forward(self, inputs):
        hx, x = (pymic2.ascontiguousarray(a) for a in inputs[:2])
        w0, w1, b0, b1 = inputs[2:]
        pre, ys = self._start(hx, x, w0, b0 + b1)
        w1T = w1.T
        h = hx
        for t in self._order():
            rows = self._rows(t)
            _core.gemm(h, w1T, pre[rows], True)
            if self.activation == "tanh":
                pymic2.tanh(pre[rows], out=ys[rows])
            else:
                pymic2.maximum(pre[rows], 0, out=ys[rows])
            h = ys[rows]
        self._saved = (hx, x, w0, w1, ys)
        self.retain_outputs(())
        return h.copy(), ys

    def backward(self, inputs, grad_outputs):
        hx, x, w0, w1, ys = self._saved
        ghy, gys = grad_outputs
        gh = self._state_grad(ys, ghy, gys)
        gpre = pymic2.empty_like(ys)
        order = self._order()
        for n in range(len(order) - 1, -1, -1):
            rows = self._rows(order[n])
            g, y = gpre[rows], ys[rows]
            if self.activation == "tanh":  # Chainer's gy * (1 - y * y)
                pymic2.multiply(y, y, out=g)
                pymic2.subtract(1, g, out=g)
                pymic2.multiply(gh[rows], g, out=g)
            else:  # (y > 0) * gy
                pymic2.multiply(y > 0, gh[rows], out=g)
            if n:
                _core.gemm(g, w1, gh[self._rows(order[n - 1])], True)
        ghx, gx, gw0, gw1, gb = self._weight_grads(gpre, hx, x, w0, w1, ys)
        return ghx, gx, gw0, gw1, gb, gb.copy()


def _fusable(states, ws, bs, xs):
    """Whether the whole-sequence layers serve this call: pymic2 arrays of one float dtype,
    every step the full batch of the states."""
    def array(a):
        return a.array if isinstance(a, chainer.Variable) else a

    if not xs or any(state is None for state in states):
        return False
    states = [array(state) for state in states]
    inputs = [array(x) for x in xs]
    every = states + inputs + [array(p) for group in list(ws) + list(bs) for p in group]
    return (all(isinstance(a, pymic2.ndarray) for a in every) and
            every[0].dtype in _fused._FLOATS and all(a.dtype == every[0].dtype for a in every)
            and every[0].ndim == 3 and all(len(x) == every[0].shape[1] for x in inputs))


def _stacked(layer_of, n_layers, dropout_ratio, states, ws, bs, xs, directions):
    """n_step_rnn_impl's composition of layers and directions with whole-sequence layers:
    (the final value of each state stacked over layers and directions, ys)."""
    if xs[0].shape[1] != ws[0][0].shape[1]:
        raise ValueError('Inconsistent input size in input values and weight '
                         'parameters: {} != {}'.format(xs[0].shape[1], ws[0][0].shape[1]))
    steps = len(xs)
    per_layer = [F.separate(state) for state in states]
    finals = [[] for _ in states]
    layer_in = F.concat(xs, axis=0)
    for layer in range(n_layers):
        outs = []
        for direction in range(directions):
            index = directions * layer + direction
            x = layer_in if layer == 0 or dropout_ratio == 0 else \
                F.dropout(layer_in, dropout_ratio)
            *last, y = layer_of(steps, direction == 1)(
                *[state[index] for state in per_layer], x, *ws[index], *bs[index])
            for final, value in zip(finals, last):
                final.append(value)
            outs.append(y)
        layer_in = outs[0] if directions == 1 else F.concat(outs, axis=1)
    return [F.stack(final) for final in finals], F.split_axis(layer_in, steps, axis=0)


def _n_step_lstm_base(original):
    @functools.wraps(original)
    def n_step_lstm_base(n_layers, dropout_ratio, hx, cx, ws, bs, xs, use_bi_direction,
                         **kwargs):
        if kwargs or not _fusable((hx, cx), ws, bs, xs):
            return original(n_layers, dropout_ratio, hx, cx, ws, bs, xs, use_bi_direction,
                            **kwargs)
        (hy, cy), ys = _stacked(_LSTMLayer, n_layers, dropout_ratio, (hx, cx), ws, bs, xs,
                                2 if use_bi_direction else 1)
        return hy, cy, tuple(ys)

    n_step_lstm_base._pymic2 = True
    return n_step_lstm_base


def _n_step_rnn_base(original):
    @functools.wraps(original)
    def n_step_rnn_base(n_layers, dropout_ratio, hx, ws, bs, xs, activation, use_bi_direction,
                        **kwargs):
        if kwargs or activation not in ("tanh", "relu") or not _fusable((hx,), ws, bs, xs):
            return original(n_layers, dropout_ratio, hx, ws, bs, xs, activation,
                            use_bi_direction, **kwargs)
        (hy,), ys = _stacked(functools.partial(_RNNLayer, activation=activation), n_layers,
                             dropout_ratio, (hx,), ws, bs, xs, 2 if use_bi_direction else 1)
        return hy, tuple(ys)

    n_step_rnn_base._pymic2 = True
    return n_step_rnn_base


def install():
    """Replaces n_step_lstm_base and n_step_rnn_base (called by n_step_lstm / n_step_bilstm,
    n_step_rnn / n_step_birnn and their links) by the whole-sequence versions for pymic2
    arrays (idempotent)."""
    for module, name, wrap in ((n_step_lstm_module, "n_step_lstm_base", _n_step_lstm_base),
                               (n_step_rnn_module, "n_step_rnn_base", _n_step_rnn_base)):
        if not getattr(getattr(module, name), "_pymic2", False):
            setattr(module, name, wrap(getattr(module, name)))
