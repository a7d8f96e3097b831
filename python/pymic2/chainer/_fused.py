"""One-command device kernels for Chainer's optimizer updates and dropout (the NN family's
pymic2_fused ops; batch normalization and the LSTM cell call them from _layers).

- fused_update(rule, param): the update of SGD, MomentumSGD, NesterovAG and Adam (with
  AdamW's weight decay and AMSGrad) as one command per parameter instead of Chainer's chain
  of array operations. Optimizer hooks (WeightDecay, GradientClipping, Lasso, ...) change
  the gradient before update_core and the rule's own pre/post update hooks run around it,
  so they work unchanged. A rule or case it does not cover (AdaBound, AdaGrad, RMSprop,
  ..., mixed dtypes, non-contiguous arrays) returns False and the caller runs Chainer's
  CPU update rule, which pymic2 arrays run on the device as array operations.
- dropout's forward: the mask drawn on the device from pymic2.random's global Philox stream
  (pymic2.random.seed makes it reproducible) and applied in the same command.
"""

import numpy

import pymic2

from .. import _core
from .. import random as device_random
from ._device import chainer  # noqa: F401 - Chainer through the NumPy 2 shim
from ._device_functions import on_device

from chainer.functions.noise import dropout as dropout_module  # noqa: E402
from chainer.optimizers import adam, momentum_sgd, nesterov_ag, sgd  # noqa: E402

_FLOATS = (numpy.dtype(numpy.float32), numpy.dtype(numpy.float64))


def run(op, operands, sizes, params=(), seed=0, counter=0):
    """One pymic2_fused op: operands in the order of its row in PYMIC2_FUSED_TABLE (None for
    an absent optional one), up to 4 sizes and 6 parameters; the Philox counter after it."""
    sizes = tuple(int(s) for s in sizes) + (0,) * (4 - len(sizes))
    params = tuple(float(p) for p in params) + (0.0,) * (6 - len(params))
    return _core.fused(op, tuple(operands), sizes, params, seed, counter)


def fusable(*arrays):
    """Whether arrays (None allowed) are C-contiguous pymic2 arrays of one float dtype."""
    present = [a for a in arrays if a is not None]
    return (all(isinstance(a, pymic2.ndarray) and a.c_contiguous for a in present) and
            present[0].dtype in _FLOATS and all(a.dtype == present[0].dtype for a in present))


# ---------------------------------------------------------------------------------------
# Optimizers
# ---------------------------------------------------------------------------------------

def _sgd(rule, param, grad):
    return _core.FUSED_SGD, (param.data, grad), (rule.hyperparam.lr,)


def _momentum(op):
    def operands(rule, param, grad):
        hp = rule.hyperparam
        return op, (param.data, grad, rule.state["v"]), (hp.lr, hp.momentum)

    return operands


def _adam(rule, param, grad):
    hp = rule.hyperparam
    if hp.adabound:
        return None
    rule._check_eps(param.dtype.type)  # Chainer's error for an eps that underflows the dtype
    vhat = rule.state["vhat"] if hp.amsgrad else None
    return (_core.FUSED_ADAM, (param.data, grad, rule.state["m"], rule.state["v"], vhat),
            (hp.beta1, hp.beta2, hp.eps, hp.eta, hp.weight_decay_rate, rule.alpha_t))


# Exact classes only: a subclass may change update_core_cpu's arithmetic.
_RULES = {
    sgd.SGDRule: _sgd,
    momentum_sgd.MomentumSGDRule: _momentum(_core.FUSED_MOMENTUM_SGD),
    nesterov_ag.NesterovAGRule: _momentum(_core.FUSED_NESTEROV_AG),
    adam.AdamRule: _adam,
}


def fused_update(rule, param):
    """Runs rule's update of param as one device command; False when it cannot (the
    caller then runs Chainer's update_core_cpu)."""
    operands_of = _RULES.get(type(rule))
    grad = param.grad
    if operands_of is None:
        return False
    if grad is None:
        return True  # Chainer's rules skip a parameter without gradient
    spec = operands_of(rule, param, grad)
    if spec is None:
        return False
    op, operands, params = spec
    if not fusable(*operands):
        return False
    run(op, operands, (param.data.size,), params)
    return True


# ---------------------------------------------------------------------------------------
# Dropout
# ---------------------------------------------------------------------------------------

@on_device(dropout_module.Dropout, "forward_cpu")
def _dropout(self, inputs):
    x = inputs[0]
    if self.mask is not None:
        return x * self.mask,
    if x.dtype not in _FLOATS:
        raise TypeError(f"dropout is not implemented on pymic2 devices for {x.dtype} (only "
                        "float32 and float64)")
    x = pymic2.ascontiguousarray(x)
    mask = pymic2.empty_like(x)
    y = pymic2.empty_like(x)
    device_random.get_random_state()._advance(
        lambda seed, counter: run(_core.FUSED_DROPOUT, (x, mask, y), (x.size,),
                                  (self.dropout_ratio,), seed, counter))
    self.mask = mask
    return y,

