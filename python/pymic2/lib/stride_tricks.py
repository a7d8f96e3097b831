"""Views with arbitrary strides over device memory (NumPy's numpy.lib.stride_tricks).

Unlike NumPy's as_strided, every view is checked against its buffer: a shape and strides
that reach outside the array's memory raise ValueError instead of reading other memory.
"""

import operator

import numpy

from .. import _core
from .._manipulation import normalize_axis

__all__ = ["as_strided", "sliding_window_view"]


def as_strided(x, shape=None, strides=None, subok=False, writeable=True):
    """A view of x's memory with the given shape and byte strides (bounds-checked against
    x's buffer; whole elements only)."""
    if not isinstance(x, _core.ndarray):
        raise TypeError(f"as_strided: x must be a device array, not {type(x).__name__}")
    shape = x.shape if shape is None else tuple(operator.index(n) for n in shape)
    strides = x.strides if strides is None else tuple(operator.index(s) for s in strides)
    if len(shape) != len(strides):
        raise ValueError(f"as_strided: {len(shape)} dimensions but {len(strides)} strides")
    view = x._view(x.offset, shape, strides)
    view._readonly = x._readonly or not writeable
    return view


def sliding_window_view(x, window_shape, axis=None, *, subok=False, writeable=False):
    """Every window of window_shape over x (along axis), as a read-only view by default."""
    if not isinstance(x, _core.ndarray):
        raise TypeError(f"sliding_window_view: x must be a device array, not "
                        f"{type(x).__name__}")
    window_shape = (tuple(window_shape) if numpy.iterable(window_shape)
                    else (window_shape,))
    window_shape = tuple(operator.index(w) for w in window_shape)
    if any(w < 0 for w in window_shape):
        raise ValueError("`window_shape` cannot contain negative values")
    if axis is None:
        axis = tuple(range(x.ndim))
        if len(window_shape) != len(axis):
            raise ValueError(f"Since axis is `None`, must provide window_shape for all "
                             f"dimensions of `x`; got {len(window_shape)} window_shape "
                             f"elements and `x.ndim` is {x.ndim}.")
    else:
        axis = (axis,) if not numpy.iterable(axis) else tuple(axis)
        axis = tuple(normalize_axis(a, x.ndim) for a in axis)  # repeats allowed, as NumPy
        if len(window_shape) != len(axis):
            raise ValueError(f"Must provide matching length window_shape and axis; got "
                             f"{len(window_shape)} window_shape elements and {len(axis)} "
                             f"axes elements.")
    shape = list(x.shape)
    for ax, window in zip(axis, window_shape):
        if shape[ax] < window:
            raise ValueError("window shape cannot be larger than input array shape")
        shape[ax] -= window - 1
    strides = x.strides + tuple(x.strides[ax] for ax in axis)
    return as_strided(x, tuple(shape) + window_shape, strides, writeable=writeable)
