"""pymic2.fft: NumPy's numpy.fft (and the array API's fft extension) on device arrays.

Every transform is the core's FFT family (_core.fft): a batch of 1-d transforms along the
last axis of a strided view, so another axis is moved there as a view (moveaxis), not a copy.
n shorter than the axis slices the input, longer pads it with zeros; the n-d transforms are
1-d ones axis after axis, as NumPy composes them. Result dtypes are NumPy's, found by calling
numpy.fft on a two-element host sample of the input's dtype (which also raises NumPy's
TypeError for what it refuses); float16 computes in complex64 and rounds at the end.
"""

import math
import operator

import numpy

from . import _core, _creation, _math
from ._manipulation import along, moveaxis, normalize_axis
from ._operands import into_out
from ._reduction import device_array

__all__ = ["fft", "fft2", "fftfreq", "fftn", "fftshift", "hfft", "ifft", "ifft2", "ifftn",
           "ifftshift", "ihfft", "irfft", "irfft2", "irfftn", "rfft", "rfft2", "rfftfreq",
           "rfftn"]

_SWAP = {"backward": "forward", "ortho": "ortho", "forward": "backward"}
_COMPUTE = {"F": numpy.dtype(numpy.complex64), "D": numpy.dtype(numpy.complex128),
            "f": numpy.dtype(numpy.float32), "d": numpy.dtype(numpy.float64)}
#: The other side's dtype of a real transform computing in a dtype.
_PARTNER = {"F": _COMPUTE["f"], "D": _COMPUTE["d"], "f": _COMPUTE["F"], "d": _COMPUTE["D"]}


def __getattr__(name):
    raise AttributeError(f"pymic2.fft has no {name!r}: numpy.fft.{name} is not implemented "
                         "on the device")


def _scale(norm, n, inverse):
    """NumPy's normalisation factor of a transform of length n."""
    norm = "backward" if norm is None else norm
    if norm not in _SWAP:
        raise ValueError(f'Invalid norm value {norm}; should be "backward","ortho" or '
                         '"forward".')
    if norm == "ortho":
        return 1 / math.sqrt(n)
    return 1 / n if (norm == "forward") != inverse else 1.0


def _dtypes(name, dtype):
    """(NumPy's result dtype of numpy.fft.<name> on dtype, the dtype the core computes in)."""
    result = getattr(numpy.fft, name)(numpy.zeros(2, dtype=dtype)).dtype
    compute = _COMPUTE.get(result.char, _COMPUTE["F" if result.kind == "c" else "f"])
    return result, compute


def _fit(a, axis, length):
    """a along axis sliced or zero-padded to length."""
    have = a.shape[axis]
    if have >= length:
        return a[along(axis, a.ndim, slice(0, length))]
    shape = a.shape[:axis] + (length,) + a.shape[axis + 1:]
    padded = _creation.zeros_like(a, order="C", shape=shape)
    padded[along(axis, a.ndim, slice(0, have))] = a
    return padded


def _points(n, default):
    n = default if n is None else operator.index(n)
    if n < 1:
        raise ValueError(f"Invalid number of FFT data points ({n}) specified.")
    return n


def _transform(name, kind, a, n, axis, norm, inverse, out):
    """One batch of 1-d transforms: kind C2C (n points), R2C (n real points in) or C2R (n real
    points out, n // 2 + 1 in), along axis, into a new array or out."""
    a = device_array(a)
    if a.ndim == 0:
        raise IndexError("tuple index out of range")
    axis = normalize_axis(axis, a.ndim)
    default = 2 * (a.shape[axis] - 1) if kind == _core.FFT_C2R else a.shape[axis]
    n = _points(n, default)
    result_dtype, compute = _dtypes(name, a.dtype)
    source = compute if kind == _core.FFT_C2C else _PARTNER[compute.char]
    a = _fit(a.astype(source, copy=False), axis, n // 2 + 1 if kind == _core.FFT_C2R else n)
    length = n // 2 + 1 if kind == _core.FFT_R2C else n
    shape = a.shape[:axis] + (length,) + a.shape[axis + 1:]
    result = _creation.empty_like(a, dtype=compute, order="C", shape=shape)
    if result.size:
        _core.fft(moveaxis(a, axis, -1), moveaxis(result, axis, -1), kind, inverse,
                  _scale(norm, n, inverse))
    if result.dtype != result_dtype:
        result = result.astype(result_dtype)
    return into_out(f"fft.{name}", result, out, "same_kind")


def fft(a, n=None, axis=-1, norm=None, out=None):
    return _transform("fft", _core.FFT_C2C, a, n, axis, norm, False, out)


def ifft(a, n=None, axis=-1, norm=None, out=None):
    return _transform("ifft", _core.FFT_C2C, a, n, axis, norm, True, out)


def rfft(a, n=None, axis=-1, norm=None, out=None):
    return _transform("rfft", _core.FFT_R2C, a, n, axis, norm, False, out)


def irfft(a, n=None, axis=-1, norm=None, out=None):
    return _transform("irfft", _core.FFT_C2R, a, n, axis, norm, True, out)


def _swap(norm):
    _scale(norm, 1, False)  # validates it
    return _SWAP["backward" if norm is None else norm]


def hfft(a, n=None, axis=-1, norm=None, out=None):
    """The transform of a Hermitian-symmetric signal: irfft of its conjugate, norm swapped."""
    a = device_array(a)
    return irfft(_math.conjugate(a), n, axis, _swap(norm), out)


def ihfft(a, n=None, axis=-1, norm=None, out=None):
    result = _math.conjugate(rfft(a, n, axis, _swap(norm)))
    return into_out("fft.ihfft", result, out, "same_kind")


def _cook(a, s, axes, real_inverse=False):
    """NumPy's (s, axes) of an n-d transform: axes default to the last len(s) (all without
    s); s to the axes' lengths (irfftn: 2 (m - 1) on the last axis)."""
    if s is None:
        axes = tuple(range(a.ndim)) if axes is None else tuple(axes)
        s = [a.shape[ax] for ax in axes]
        if real_inverse and axes:
            s[-1] = 2 * (a.shape[axes[-1]] - 1)
    else:
        s = list(s)
        axes = tuple(range(-len(s), 0)) if axes is None else tuple(axes)
        if len(s) != len(axes):
            raise ValueError("Shape and axes have different lengths.")
        s = [None if n is None or n == -1 else n for n in s]
        for i, n in enumerate(s):
            if n is None:
                s[i] = 2 * (a.shape[axes[i]] - 1) if real_inverse and i == len(s) - 1 \
                    else a.shape[axes[i]]
    return s, axes


def _c2c_nd(a, s, axes, norm, inverse, name, out):
    a = device_array(a)
    s, axes = _cook(a, s, axes)
    one = ifft if inverse else fft
    if not axes:
        return into_out(f"fft.{name}", a.copy(), out, "same_kind")  # NumPy: a as it is
    for i in reversed(range(len(axes))):
        a = one(a, s[i], axes[i], norm, out if i == 0 else None)
    return a


def fftn(a, s=None, axes=None, norm=None, out=None):
    return _c2c_nd(a, s, axes, norm, False, "fftn", out)


def ifftn(a, s=None, axes=None, norm=None, out=None):
    return _c2c_nd(a, s, axes, norm, True, "ifftn", out)


def fft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    return _c2c_nd(a, s, axes, norm, False, "fft2", out)


def ifft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    return _c2c_nd(a, s, axes, norm, True, "ifft2", out)


def rfftn(a, s=None, axes=None, norm=None, out=None):
    """rfft along the last of the axes, then fft along the others."""
    a = device_array(a)
    s, axes = _cook(a, s, axes)
    if not axes:
        raise ValueError("at least 1 axis must be transformed")
    a = rfft(a, s[-1], axes[-1], norm, out if len(axes) == 1 else None)
    for i in reversed(range(len(axes) - 1)):
        a = fft(a, s[i], axes[i], norm, out if i == 0 else None)
    return a


def irfftn(a, s=None, axes=None, norm=None, out=None):
    """ifft along all but the last of the axes, then irfft along it."""
    a = device_array(a)
    s, axes = _cook(a, s, axes, real_inverse=True)
    if not axes:
        raise ValueError("at least 1 axis must be transformed")
    for i in range(len(axes) - 1):
        a = ifft(a, s[i], axes[i], norm)
    return irfft(a, s[-1], axes[-1], norm, out)


def rfft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    return rfftn(a, s, axes, norm, out)


def irfft2(a, s=None, axes=(-2, -1), norm=None, out=None):
    return irfftn(a, s, axes, norm, out)


def _frequencies(n, d, device, count, first_negative):
    """[0, 1, ..., count - 1] then (if first_negative) [-(n // 2), ..., -1], over n d."""
    n = operator.index(n)
    parts = [_creation.arange(0, count, dtype=numpy.int64, device=device)]
    if first_negative is not None:
        parts.append(_creation.arange(first_negative, 0, dtype=numpy.int64, device=device))
    ints = _creation.concatenate(parts) if len(parts) > 1 else parts[0]
    return _math.multiply(ints, 1.0 / (n * d))


def fftfreq(n, d=1.0, device=None):
    n = operator.index(n)
    return _frequencies(n, d, device, (n - 1) // 2 + 1, -(n // 2))


def rfftfreq(n, d=1.0, device=None):
    n = operator.index(n)
    return _frequencies(n, d, device, n // 2 + 1, None)


def _shift(x, axes, forward):
    x = start = device_array(x)
    axes = range(x.ndim) if axes is None else (
        (axes,) if isinstance(axes, (int, numpy.integer)) else axes)
    for axis in axes:
        axis = normalize_axis(axis, x.ndim)
        size = x.shape[axis]
        k = size - size // 2 if forward else size // 2  # split where the roll wraps
        if size > 1:
            x = _creation.concatenate([x[along(axis, x.ndim, slice(k, None))],
                                       x[along(axis, x.ndim, slice(0, k))]], axis=axis)
    return x.copy() if x is start else x


def fftshift(x, axes=None):
    return _shift(x, axes, True)


def ifftshift(x, axes=None):
    return _shift(x, axes, False)
