"""pymic2.linalg: NumPy's numpy.linalg (and the array API's linalg extension) on device
arrays: norm, and the products that numpy.linalg shares with the main namespace. It grows in
later issues (solve, cholesky, ... through LAPACK); a function it lacks is an AttributeError
naming it, never a call into NumPy on the host.
"""

import numpy

from . import _core, _math, _reduction
from ._linalg import matmul, tensordot, vecdot
from ._manipulation import matrix_transpose

__all__ = ["matmul", "matrix_transpose", "norm", "tensordot", "vecdot"]


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 - NumPy's name
    """numpy.linalg.norm for ord=None (and 'fro' over two axes): the square root of the sum
    of |x|**2 over axis (all axes when None), in floating point. Other orders raise
    TypeError (no host fallback)."""
    if ord not in (None, "fro"):
        raise TypeError(f"numpy.linalg.norm with ord={ord!r} is not implemented on pymic2 "
                        "device arrays (only the 2-norm / Frobenius norm)")
    reduced = x.ndim if axis is None else len(axis) if isinstance(axis, (tuple, list)) else 1
    if ord == "fro" and reduced != 2:
        raise ValueError("Invalid norm order 'fro' for vectors")
    if not isinstance(x, _core.ndarray):
        raise TypeError(f"norm: x must be a device array, not {type(x).__name__}")
    if x.dtype.kind in "biu":
        x = x.astype(numpy.float64)
    magnitude = _math.absolute(x) if x.dtype.kind == "c" else x
    return _math.sqrt(_reduction.sum(_math.multiply(magnitude, magnitude), axis=axis,
                                      keepdims=keepdims))


def __getattr__(name):
    raise AttributeError(f"pymic2.linalg has no {name!r}: numpy.linalg.{name} is not "
                         "implemented on the device")
